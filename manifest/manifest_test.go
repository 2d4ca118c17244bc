package manifest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/model"
)

// base is a small valid manifest; cases append to it or edit it.
const base = `version: 1
name: Test
organization:
  name: ACME
models:
  - id: cam
    vendor: X
  - id: sensor
services:
  - id: broker
networks:
  - id: iot
`

// want is one expected problem. Line is found as the line holding the
// marker (a YAML comment such as "# E1"), or given as line.
type want struct {
	file   string // base name; default: the manifest
	marker string
	line   int
	path   string
	frags  []string
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lineOf(t *testing.T, text, marker string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("marker %q not found", marker)
	return 0
}

func TestBadManifests(t *testing.T) {
	cases := []struct {
		name     string
		manifest string
		mname    string            // default iotguard.yaml
		files    map[string]string // side files
		stream   bool              // the problem shows when streaming devices
		want     []want
	}{
		{name: "unknown top-level field", manifest: base + "atestations: [] # E\n",
			want: []want{{marker: "# E", path: "atestations", frags: []string{`unknown field "atestations"`, "did you mean attestations?"}}}},
		{name: "unknown nested field", manifest: strings.Replace(base, "    vendor: X", "    vendr: X # E", 1),
			want: []want{{marker: "# E", path: "models[0].vendr", frags: []string{"did you mean vendor?"}}}},
		{name: "wrong type", manifest: base + "policy:\n  stale_device_days: ninety # E\n",
			want: []want{{marker: "# E", path: "policy.stale_device_days", frags: []string{"expected a whole number", `"ninety"`}}}},
		{name: "wrong kind", manifest: base + "flows: flow-1 # E\n",
			want: []want{{marker: "# E", path: "flows", frags: []string{"expected a list"}}}},
		{name: "missing version", manifest: strings.Replace(base, "version: 1\n", "", 1),
			want: []want{{line: 1, path: "version", frags: []string{"add `version: 1`"}}}},
		{name: "wrong version", manifest: strings.Replace(base, "version: 1", "version: 2 # E", 1),
			want: []want{{marker: "# E", path: "version", frags: []string{"unsupported version 2"}}}},
		{name: "missing name and organisation name", manifest: strings.Replace(strings.Replace(base, "name: Test\n", "", 1), "  name: ACME\n", "  roles: {}\n", 1),
			want: []want{
				{line: 1, path: "name", frags: []string{"required"}},
				{line: 2, path: "organization.name", frags: []string{"required"}},
			}},
		{name: "unknown role", manifest: strings.Replace(base, "  name: ACME\n", "  name: ACME\n  roles:\n    isp: {name: Ops} # E\n", 1),
			want: []want{{marker: "# E", path: "organization.roles.isp", frags: []string{`unknown role "isp"`, "did you mean ISP?"}}}},
		{name: "duplicate model ids", manifest: strings.Replace(base, "  - id: sensor", "  - id: cam # E", 1),
			want: []want{{marker: "# E", path: "models[1].id", frags: []string{`duplicate id "cam"`, "models[0] (line 6)"}}}},
		{name: "missing model id", manifest: strings.Replace(base, "  - id: sensor", "  - vendor: Y # E", 1),
			want: []want{{marker: "# E", path: "models[1].id", frags: []string{"required"}}}},
		{name: "duplicate service ids", manifest: strings.Replace(base, "  - id: broker\n", "  - id: broker\n  - id: broker # E\n", 1),
			want: []want{{marker: "# E", path: "services[1].id", frags: []string{"duplicate id", "line 10"}}}},
		{name: "duplicate inline devices", manifest: base + "devices:\n  - {id: d1, model: cam}\n  - {id: d1, model: cam} # E\n",
			want: []want{{marker: "# E", path: "devices[1].id", frags: []string{`duplicate device id "d1"`, "devices[0] (line 14)"}}}},
		{name: "device model not declared", manifest: base + "devices:\n  - id: d1\n    model: camm # E\n",
			want: []want{{marker: "# E", path: "devices[0].model", frags: []string{`model "camm" is not declared`, "did you mean cam?", "declared: cam, sensor"}}}},
		{name: "device without model", manifest: base + "devices:\n  - id: d1 # E\n",
			want: []want{{marker: "# E", path: "devices[0].model", frags: []string{"required"}}}},
		{name: "device bad enum", manifest: base + "devices:\n  - id: d1\n    model: cam\n    lifecycle: retired # E\n",
			want: []want{{marker: "# E", path: "devices[0].lifecycle", frags: []string{`"retired" is not a valid lifecycle state`, "provisioned, active, decommissioned, rma"}}}},
		{name: "devices as a file name", manifest: base + "devices: devices.jsonl # E\n",
			want: []want{{marker: "# E", path: "devices", frags: []string{"did you mean devices: {file: devices.jsonl}?"}}}},
		{name: "missing side file", manifest: base + "devices: {file: devics.jsonl} # E\n", files: map[string]string{"devices.jsonl": ""},
			want: []want{{marker: "# E", path: "devices.file", frags: []string{`side file "devics.jsonl" not found`, "did you mean devices.jsonl?"}}}},
		{name: "side file format unknown", manifest: base + "devices: {file: devices.txt}\n", files: map[string]string{"devices.txt": ""},
			want: []want{{line: 13, path: "devices.file", frags: []string{"add format: jsonl or format: csv"}}}},
		{name: "side file bad format", manifest: base + "devices:\n  file: devices.txt\n  format: jsnl # E\n", files: map[string]string{"devices.txt": ""},
			want: []want{{marker: "# E", path: "devices.format", frags: []string{"did you mean jsonl?"}}}},
		{name: "side file unknown key", manifest: base + "devices:\n  flie: devices.jsonl # E\n",
			want: []want{{marker: "# E", path: "devices.flie", frags: []string{"did you mean file?"}}}},
		{name: "duplicate devices in jsonl", manifest: base + "devices: {file: devices.jsonl}\n", stream: true,
			files: map[string]string{"devices.jsonl": `{"id":"d1","model":"cam"}` + "\n\n" + `{"id":"d2","model":"cam"}` + "\n" + `{"id":"d1","model":"sensor"}` + "\n"},
			want:  []want{{file: "devices.jsonl", line: 4, path: "id", frags: []string{`duplicate device id "d1"`, "line 1 has it too"}}}},
		{name: "jsonl unknown field", manifest: base + "devices: {file: devices.jsonl}\n", stream: true,
			files: map[string]string{"devices.jsonl": `{"id":"d1","model":"cam","modle":"x"}` + "\n"},
			want:  []want{{file: "devices.jsonl", line: 1, path: "modle", frags: []string{`unknown field "modle"`, "did you mean model?"}}}},
		{name: "jsonl nested wrong type", manifest: base + "devices: {file: devices.jsonl}\n", stream: true,
			files: map[string]string{"devices.jsonl": `{"id":"d1","model":"cam"}` + "\n" + `{"id":"d2","model":"cam","certificate":{"key_bits":"2048"}}` + "\n"},
			want:  []want{{file: "devices.jsonl", line: 2, path: "certificate.key_bits", frags: []string{"expected a whole number", `the string "2048"`}}}},
		{name: "jsonl bad enum", manifest: base + "devices: {file: devices.jsonl}\n", stream: true,
			files: map[string]string{"devices.jsonl": `{"id":"d1","model":"cam","ports":[{"port":22}],"credentials":"factory"}` + "\n"},
			want:  []want{{file: "devices.jsonl", line: 1, path: "credentials", frags: []string{`"factory" is not a valid credential state`, "default, shared, unique, none"}}}},
		{name: "jsonl model not declared", manifest: base + "devices: {file: devices.jsonl}\n", stream: true,
			files: map[string]string{"devices.jsonl": `{"id":"d1","model":"sensr"}` + "\n"},
			want:  []want{{file: "devices.jsonl", line: 1, path: "model", frags: []string{"did you mean sensor?"}}}},
		{name: "jsonl syntax", manifest: base + "devices: {file: devices.jsonl}\n", stream: true,
			files: map[string]string{"devices.jsonl": `{"id":"d1" "model":"cam"}` + "\n"},
			want:  []want{{file: "devices.jsonl", line: 1, frags: []string{"invalid JSON"}}}},
		{name: "csv unknown column", manifest: base + "devices: {file: devices.csv}\n", stream: true,
			files: map[string]string{"devices.csv": "id,model,lifecycel\nd1,cam,active\n"},
			want:  []want{{file: "devices.csv", line: 1, path: "lifecycel", frags: []string{"unknown column", "did you mean lifecycle?"}}}},
		{name: "csv bad cell", manifest: base + "devices: {file: devices.csv}\n", stream: true,
			files: map[string]string{"devices.csv": "id,model,last_seen\nd1,cam,2026-01-01\nd2,cam,yesterday\n"},
			want:  []want{{file: "devices.csv", line: 3, path: "last_seen", frags: []string{`"yesterday" is not a date`}}}},
		{name: "csv duplicate ids", manifest: base + "devices: {file: devices.csv}\n", stream: true,
			files: map[string]string{"devices.csv": "id,model\nd1,cam\nd2,cam\nd1,cam\n"},
			want:  []want{{file: "devices.csv", line: 4, path: "id", frags: []string{"line 2 has it too"}}}},
		{name: "bad date", manifest: base + "attestations:\n  - control: S01\n    status: implemented\n    date: 2026-13-01 # E\n",
			want: []want{{marker: "# E", path: "attestations[0].date", frags: []string{`"2026-13-01" is not a date`, "YYYY-MM-DD"}}}},
		{name: "bad status enum", manifest: base + "attestations:\n  - control: S01\n    status: done # E\n",
			want: []want{{marker: "# E", path: "attestations[0].status", frags: []string{"not a valid attestation status", "implemented, partially-implemented, not-implemented, not-applicable"}}}},
		{name: "not-assessed is no attestation", manifest: base + "attestations:\n  - control: S01\n    status: not-assessed # E\n",
			want: []want{{marker: "# E", path: "attestations[0].status", frags: []string{"not-assessed is not an attestation"}}}},
		{name: "status missing", manifest: base + "attestations:\n  - control: S01 # E\n",
			want: []want{{marker: "# E", path: "attestations[0].status", frags: []string{"required"}}}},
		{name: "not applicable without justification", manifest: base + "attestations:\n  - control: P11 # E\n    status: not-applicable\n",
			want: []want{{marker: "# E", path: "attestations[0].justification", frags: []string{"required when status is not-applicable"}}}},
		{name: "unknown control", manifest: base + "attestations:\n  - control: S29 # E\n    status: implemented\n",
			want: []want{{marker: "# E", path: "attestations[0].control", frags: []string{`unknown control "S29"`, "did you mean S28?"}}}},
		{name: "lower-case control", manifest: base + "attestations:\n  - control: s01 # E\n    status: implemented\n",
			want: []want{{marker: "# E", path: "attestations[0].control", frags: []string{"did you mean S01?"}}}},
		{name: "control attested twice", manifest: base + "attestations:\n  - {control: S01, status: implemented}\n  - {control: S01, status: implemented} # E\n",
			want: []want{{marker: "# E", path: "attestations[1].control", frags: []string{"attested twice", "line 14"}}}},
		{name: "evidence escapes the folder", manifest: base + "attestations:\n  - control: S01\n    status: implemented\n    evidence:\n      - path: ../secret.pdf # E1\n      - path: /etc/passwd # E2\n      - sha256: abc # E3\n",
			want: []want{
				{marker: "# E1", path: "attestations[0].evidence[0].path", frags: []string{`"../secret.pdf" leaves the manifest's folder`}},
				{marker: "# E2", path: "attestations[0].evidence[1].path", frags: []string{"absolute path"}},
				{marker: "# E3", path: "attestations[0].evidence[2].sha256", frags: []string{`"abc" is not a SHA-256`}},
				{marker: "# E3", path: "attestations[0].evidence[2].path", frags: []string{"required"}},
			}},
		{name: "flow references", manifest: base + "flows:\n  - id: f1\n    source: model:camm # E1\n    destination: network:iot # E2\n  - id: f2\n    source: broker # E3\n    destination: external:api.example.com\n",
			want: []want{
				{marker: "# E1", path: "flows[0].source", frags: []string{`model "camm" is not declared under models`, "did you mean cam?"}},
				{marker: "# E2", path: "flows[0].destination", frags: []string{"did you mean zone?"}},
				{marker: "# E3", path: "flows[1].source", frags: []string{"did you mean service:broker?"}},
			}},
		{name: "flow missing destination", manifest: base + "flows:\n  - id: f1 # E\n    source: zone:iot\n",
			want: []want{{marker: "# E", path: "flows[0].destination", frags: []string{"required"}}}},
		{name: "negative policy", manifest: base + "policy:\n  min_rsa_bits: -1 # E1\n  patch_sla_days:\n    high: -3 # E2\n  min_tls: 1.4 # E3\n",
			want: []want{
				{marker: "# E1", path: "policy.min_rsa_bits", frags: []string{"negative", "default (2048)"}},
				{marker: "# E2", path: "policy.patch_sla_days.high", frags: []string{"negative", "default (30)"}},
				{marker: "# E3", path: "policy.min_tls", frags: []string{"not a valid TLS version"}},
			}},
		{name: "malformed YAML", manifest: base + "flows: [a, b\npolicy: {}\n",
			want: []want{{line: 13, frags: []string{"did not find expected", "not closed"}}}},
		{name: "tab indentation", manifest: base + "policy:\n\tmin_rsa_bits: 2048\n",
			want: []want{{line: 14, frags: []string{"tab", "spaces"}}}},
		{name: "duplicate key", manifest: base + "name: Again # E\n",
			want: []want{{marker: "# E", frags: []string{`mapping key "name" already defined at line 2`}}}},
		{name: "empty manifest", manifest: "# nothing here\n",
			want: []want{{line: 1, frags: []string{"the manifest is empty", "iotguard init"}}}},
		{name: "top level list", manifest: "- a\n- b\n",
			want: []want{{line: 1, frags: []string{"expected a mapping of sections"}}}},
		{name: "malformed JSON manifest", mname: "iotguard.json",
			manifest: "{\n  \"version\": 1,\n  \"name\": \"x\"\n  \"organization\": {\"name\": \"y\"}\n}\n",
			want:     []want{{line: 4, frags: []string{"invalid JSON", "missing comma"}}}},
		{name: "JSON manifest unknown field", mname: "iotguard.json",
			manifest: "{\n  \"version\": 1,\n  \"name\": \"x\",\n  \"organisation\": {\"name\": \"y\"}\n}\n",
			want: []want{
				{line: 4, path: "organisation", frags: []string{"did you mean organization?"}},
			}},
		{name: "hostile key", manifest: base + "policy:\n  \"\\e[31m" + strings.Repeat("x", 300) + "\": 1 # E\n",
			want: []want{{marker: "# E", path: "policy", frags: []string{"longer than 200 characters", `\x1b[31m`, "...("}}}},
		{name: "hostile value", manifest: base + "devices:\n  - id: d1\n    model: \"\\e[2J" + strings.Repeat("y", 5000) + "\" # E\n",
			want: []want{{marker: "# E", path: "devices[0].model", frags: []string{`\x1b[2J`, "...(5004 bytes)"}}}},
		{name: "alias bomb", manifest: "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
			want: []want{{line: 1, frags: []string{"grows too large when its YAML aliases"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mname := tc.mname
			if mname == "" {
				mname = FileName
			}
			files := map[string]string{mname: tc.manifest}
			for k, v := range tc.files {
				files[k] = v
			}
			dir := writeFiles(t, files)
			l, err := Load(filepath.Join(dir, mname))
			if tc.stream {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				_, err = l.Validate(context.Background())
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInput) {
				t.Fatalf("error does not match ErrInput: %v", err)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("not an *InputError: %T", err)
			}
			t.Logf("%v", err)
			if len(ie.Problems) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(ie.Problems), len(tc.want), err)
			}
			for i, w := range tc.want {
				p := ie.Problems[i]
				wfile := mname
				if w.file != "" {
					wfile = w.file
				}
				if filepath.Base(p.File) != wfile {
					t.Errorf("problem %d: file %q, want %s", i, p.File, wfile)
				}
				wline := w.line
				if w.marker != "" {
					wline = lineOf(t, tc.manifest, w.marker)
				}
				if p.Line != wline {
					t.Errorf("problem %d: line %d, want %d (%v)", i, p.Line, wline, p)
				}
				if p.Path != w.path {
					t.Errorf("problem %d: path %q, want %q (%v)", i, p.Path, w.path, p)
				}
				for _, f := range w.frags {
					if !strings.Contains(p.Msg, f) {
						t.Errorf("problem %d: message %q lacks %q", i, p.Msg, f)
					}
				}
				if strings.ContainsAny(p.Error(), "\x1b\x00\r\n") {
					t.Errorf("problem %d: message holds control characters: %q", i, p.Error())
				}
			}
		})
	}
}

func TestOversizeManifest(t *testing.T) {
	data := bytes.Repeat([]byte("#"), MaxManifestSize+1)
	_, err := Parse("big.yaml", data)
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "64 MiB limit") || !strings.Contains(err.Error(), "side file") {
		t.Fatalf("Parse: %v", err)
	}
	dir := writeFiles(t, map[string]string{"big.yaml": string(data)})
	_, err = Load(filepath.Join(dir, "big.yaml"))
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "64 MiB limit") {
		t.Fatalf("Load: %v", err)
	}
}

func TestLoadIOError(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent.yaml"))
	if err == nil || errors.Is(err, ErrInput) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("want a not-exist I/O error, got %v", err)
	}
}

func TestManyProblemsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(base + "attestations:\n")
	for i := 0; i < 40; i++ {
		b.WriteString("  - control: X1\n    status: implemented\n")
	}
	_, err := Parse("m.yaml", []byte(b.String()))
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v", err)
	}
	if len(ie.Problems) != MaxProblems || ie.Omitted != 40-MaxProblems {
		t.Fatalf("got %d problems, %d omitted", len(ie.Problems), ie.Omitted)
	}
	if !strings.Contains(err.Error(), "15 more problems not shown") {
		t.Fatalf("message: %v", err)
	}
}

func TestJSONManifest(t *testing.T) {
	const doc = `{
	"$schema": "./iotguard.schema.json",
	"version": 1,
	"name": "JSON solution",
	"organization": {"name": "ACME", "roles": {"ISP": {"name": "Ops", "contact": "ops@example.com"}}},
	"models": [{"id": "cam", "firmware_version": "1.10", "update": {"support_end": "2030-01-01"}}],
	"policy": {"min_tls": "1.3", "patch_sla_days": {"critical": 7}},
	"attestations": [{"control": "S02", "status": "implemented", "date": "2026-01-02", "evidence": [{"path": "./docs\/raci.pdf"}]}],
	"devices": [{"id": "d1", "model": "cam", "lifecycle": "active", "settings": {"telnet": false}}]
}`
	l, err := Parse("iotguard.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := l.Solution
	if s.Name != "JSON solution" || s.Models[0].FirmwareVersion != "1.10" || s.Policy.MinTLS != "1.3" ||
		s.Policy.PatchSLADays.Critical != 7 || s.Organization.Roles[model.ISP].Name != "Ops" {
		t.Fatalf("decoded %+v", s)
	}
	if got := s.Attestations[0].Evidence[0].Path; got != "docs/raci.pdf" {
		t.Errorf("evidence path %q, want the cleaned docs/raci.pdf", got)
	}
	if got := s.Models[0].Update.SupportEnd.String(); got != "2030-01-01" {
		t.Errorf("support_end %q", got)
	}
	n, err := l.Validate(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Validate: %d %v", n, err)
	}
}

func TestStarterLoads(t *testing.T) {
	dir := writeFiles(t, map[string]string{FileName: string(Starter())})
	l, err := Load(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	n, err := l.Validate(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("Validate: %d devices, %v", n, err)
	}
	s := l.Solution
	if len(s.Models) != 2 || len(s.Services) != 1 || len(s.Networks) != 1 || len(s.Flows) != 1 || !s.Flows[0].PII {
		t.Errorf("starter sections: %d models, %d services, %d networks, %d flows", len(s.Models), len(s.Services), len(s.Networks), len(s.Flows))
	}
	if len(s.Attestations) == 0 || len(s.Attestations[0].Evidence) == 0 {
		t.Error("starter has no attestation with evidence")
	}
	// The policy written out is exactly the documented defaults.
	if diff := cmpDiff(model.DefaultPolicy, s.Policy); diff != "" {
		t.Errorf("starter policy differs from model.DefaultPolicy (-want +got):\n%s", diff)
	}
	// Every policy field is explained by a comment in the starter.
	for _, line := range strings.Split(string(Starter()), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "    ") && strings.Contains(line, ":") && inPolicy(string(Starter()), line) {
			if !strings.Contains(line, "#") && !strings.HasPrefix(trimmed, "critical") {
				t.Errorf("policy line without an explanation: %q", line)
			}
		}
	}
}

// inPolicy reports whether line is within the policy section of doc.
func inPolicy(doc, line string) bool {
	start := strings.Index(doc, "\npolicy:\n")
	end := strings.Index(doc, "\nattestations:\n")
	i := strings.Index(doc, "\n"+line+"\n")
	return start >= 0 && i > start && i < end
}

func TestStarterIsACopy(t *testing.T) {
	a := Starter()
	a[0] = 'X'
	if Starter()[0] == 'X' {
		t.Fatal("Starter returns the shared embedded slice")
	}
}

// The short example in docs/manifest.md loads.
func TestDocsExampleLoads(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "manifest.md"))
	if err != nil {
		t.Skipf("docs/manifest.md: %v", err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("no yaml example in docs/manifest.md")
	}
	l, err := Parse(filepath.Join(t.TempDir(), FileName), []byte(example))
	if err != nil {
		t.Fatalf("docs example: %v", err)
	}
	if n, err := l.Validate(context.Background()); n != 1 || err != nil {
		t.Fatalf("docs example devices: %d %v", n, err)
	}
}

func TestMergeKeysAreChecked(t *testing.T) {
	ok := base + "x-service: &svc {kind: api, port: 443, tls: \"1.2\"}\n"
	_, err := Parse("m.yaml", []byte(ok))
	if err == nil || !strings.Contains(err.Error(), `unknown field "x-service"`) {
		t.Fatalf("extension keys are unknown fields: %v", err)
	}
	doc := strings.Replace(base, "services:\n  - id: broker\n", "services:\n  - &svc {id: broker, kind: api, port: 443, tls: \"1.2\"}\n  - <<: *svc\n    id: api\n", 1)
	l, err := Parse("m.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if s := l.Solution.Services[1]; s.ID != "api" || s.Port != 443 || s.TLS != "1.2" {
		t.Fatalf("merged service: %+v", s)
	}
	bad := strings.Replace(base, "services:\n  - id: broker\n", "services:\n  - &svc {id: broker, prot: 443, tls: bogus}\n  - <<: *svc\n    id: api\n", 1)
	_, err = Parse("m.yaml", []byte(bad))
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("got %v", err)
	}
	for _, p := range ie.Problems {
		if p.Line == 0 {
			t.Errorf("unpositioned problem: %v", p)
		}
	}
	if !strings.Contains(err.Error(), "services[1].prot") || !strings.Contains(err.Error(), "services[0].tls") {
		t.Errorf("merged fields not checked:\n%v", err)
	}
}

func TestSecondDocument(t *testing.T) {
	_, err := Parse("m.yaml", []byte(base+"---\nname: other\n"))
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "m.yaml:14: a second YAML document") {
		t.Fatalf("got %v", err)
	}
	if _, err := Parse("m.yaml", []byte("---\n"+base+"...\n")); err != nil {
		t.Fatalf("one explicit document: %v", err)
	}
}
