package rules

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/internal/strictyaml"
	"github.com/iotguard/iotguard/model"
)

const examplesDir = "../examples/rules"

// TestExamplePacks is `iotguard rules test examples/rules`: the shipped
// packs lint clean and every example gives its expected result.
func TestExamplePacks(t *testing.T) {
	set, err := Lint(examplesDir)
	if err != nil {
		t.Fatalf("lint: %v", err)
	}
	if len(set.Rules) < 10 {
		t.Errorf("%d example rules, want at least 10", len(set.Rules))
	}
	scopes := map[Scope]bool{}
	for _, r := range set.Rules {
		scopes[r.Scope] = true
	}
	if len(scopes) < 4 {
		t.Errorf("examples cover scopes %v, want at least 4", scopes)
	}
	results := set.Test()
	passed, failed := TestSummary(results)
	for _, r := range results {
		if !r.OK() {
			t.Error(r)
		}
	}
	if failed != 0 || passed < 2*len(set.Rules) {
		t.Errorf("%d passed, %d failed", passed, failed)
	}
}

// pack writes a one-rule pack and returns the loader's error.
func loadString(t *testing.T, src string) (*Set, error) {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "pack.yaml")
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(f)
}

const okRule = `
  - id: ok-rule
    title: OK
    controls: [S14]
    severity: high
    scope: device
    expression: device.zone != "guest"
    message: "{{device.id}}"
    remediation: Fix it.
`

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // each must appear in the error text
	}{
		{"yaml syntax", "rules: [\n", []string{"pack.yaml:"}},
		{"unknown field", `rules:
  - id: a
    titel: x
`, []string{"pack.yaml:3:5: rules[0].titel: unknown field \"titel\" (did you mean title?)"}},
		{"bad severity and scope", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: hihg
    scope: devise
    expression: "true"
    remediation: x
`, []string{
			"pack.yaml:5:5: rules[0].severity: unknown severity \"hihg\" (did you mean high?)",
			"pack.yaml:6:5: rules[0].scope: unknown scope \"devise\" (did you mean device?)",
		}},
		{"unknown control", `rules:
  - id: a
    title: x
    controls: [S01, S29]
    severity: low
    scope: device
    expression: "true"
    remediation: x
`, []string{"pack.yaml:4:21: rules[0].controls[1]: unknown control \"S29\" (did you mean S28?)"}},
		{"bad id and missing fields", `rules:
  - id: Bad_ID
    scope: device
    expression: "true"
`, []string{
			"pack.yaml:2:9: rules[0].id: id \"Bad_ID\" must be lower-case",
			"rules[0]: title is required", "rules[0]: remediation is required",
			"rules[0]: controls are required", "rules[0]: severity is required",
		}},
		{"built-in id", `rules:
  - id: default-credentials
    title: x
    controls: [S16]
    severity: low
    scope: device
    expression: "true"
    remediation: x
`, []string{"pack.yaml:2:9: rules[0].id: id \"default-credentials\" is a built-in check's ID"}},
		{"duplicate id", "rules:" + okRule + okRule, []string{
			"pack.yaml:11:9: rules[1].id: id \"ok-rule\" is already defined at", "pack.yaml:2:9"}},
		{"cel undeclared in single-quoted", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: '!(modle.kind == "camera")'
    remediation: x
`, []string{"pack.yaml:7:20: rules[0].expression: unknown name \"modle\" (did you mean model?)"}},
		{"cel unknown field in literal block", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: |
      device.zone == "a" &&
        device.certificate.not_aftr < now
    remediation: x
`, []string{"pack.yaml:9:28: rules[0].expression: device.certificate has no field \"not_aftr\" (did you mean not_after?)"}},
		{"cel error in folded block", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: >-
      device.zone == "a"
      && device.ports.exists(p, p.prot == 1)
    remediation: x
`, []string{"pack.yaml:9:35: rules[0].expression: unknown field \"prot\" (did you mean port?)"}},
		{"cel error in double-quoted with escapes", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: "device.zone == \"a\" && device.zon == \"b\""
    remediation: x
`, []string{"pack.yaml:7:49: rules[0].expression: device has no field \"zon\" (did you mean zone?)"}},
		{"syntax error", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: device.zone == == "a"
    remediation: x
`, []string{"pack.yaml:7:32: rules[0].expression: Syntax error"}},
		{"not bool", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: model
    expression: model.kind
    remediation: x
`, []string{"pack.yaml:7:17: rules[0].expression: the expression must be true or false (bool), but it is string"}},
		{"wrong scope variable", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: service
    expression: device.zone == "a"
    remediation: x
`, []string{"rules[0].expression: unknown name \"device\"", "the service scope has the variables now, policy, service"}},
		{"template error", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: flow
    expression: flow.pii
    message: 'flow {{flow.id}} to {{flow.destinaton}}'
    remediation: x
`, []string{"pack.yaml:8:42: rules[0].message: flow has no field \"destinaton\" (did you mean destination?)"}},
		{"unclosed placeholder", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: flow
    expression: flow.pii
    message: 'flow {{flow.id'
    remediation: x
`, []string{"pack.yaml:8:20: rules[0].message: the placeholder opened here is not closed"}},
		{"cost over limit", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: device.ports.all(p, model.ports.all(q, device.ports.all(r, p.port != q.port || r.tls)))
    remediation: x
`, []string{"pack.yaml:7:17: rules[0].expression: the expression may cost up to", "over the device scope's limit of 1000000"}},
		{"example decoding", `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: device.zone != "guest"
    remediation: x
    examples:
      pass:
        - {device: {id: d1, zonee: a}}
      fail:
        - {devise: {id: d2}}
        - {device: {id: d3, lifecycle: retired}}
        - {now: yesterday}
`, []string{
			"pack.yaml:11:29: rules[0].examples.pass[0].device.zonee: unknown field \"zonee\" (did you mean zone?)",
			"pack.yaml:13:12: rules[0].examples.fail[0].devise: unknown variable \"devise\" (did you mean device?)",
			"pack.yaml:14:40: rules[0].examples.fail[1].device.lifecycle: \"retired\" is not a valid lifecycle state",
			"pack.yaml:15:17: rules[0].examples.fail[2].now:",
		}},
		{"empty", "", []string{"pack.yaml:1: "}},
		{"no rules", "pack: x\n", []string{"pack.yaml:", "the pack has no rules"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadString(t, c.src)
			if err == nil {
				t.Fatal("no error")
			}
			var es strictyaml.Errors
			if !errors.As(err, &es) {
				t.Fatalf("error %T is not strictyaml.Errors: %v", err, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestDuplicateAcrossPacks(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.yaml", "b.yml"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("rules:"+okRule), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), "b.yml:2:9: rules[0].id: id \"ok-rule\" is already defined at "+filepath.Join(dir, "a.yaml")+":2:9") {
		t.Fatalf("err = %v", err)
	}
}

func TestPackFiles(t *testing.T) {
	if _, err := PackFiles(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no rule packs") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := PackFiles("does-not-exist"); err == nil {
		t.Error("missing path accepted")
	}
	files, err := PackFiles(examplesDir)
	if err != nil || len(files) < 5 {
		t.Fatalf("files %v, err %v", files, err)
	}
}

func TestLintProblems(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "p.yaml")
	src := `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: now > timestamp("2020-01-01T00:00:00Z")
    remediation: x
`
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := Lint(f)
	if set == nil || err == nil {
		t.Fatalf("lint: set %v err %v", set, err)
	}
	for _, w := range []string{"p.yaml:2:9: rule a: no pass example", "no fail example", "no message", "never reads device"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("lint lacks %q:\n%v", w, err)
		}
	}
}

func TestExamplesThatDoNotHoldAreReported(t *testing.T) {
	set, err := loadString(t, `rules:
  - id: a
    title: Not on guest
    controls: [S14]
    severity: high
    scope: device
    when: device.lifecycle == "active"
    expression: device.zone != "guest"
    message: '{{device.id}} is on {{device.zone}}'
    remediation: x
    examples:
      pass:
        - {device: {id: d1, zone: guest, lifecycle: active}}
      fail:
        - {device: {id: d2, zone: office, lifecycle: active}}
        - {device: {id: d3, zone: guest, lifecycle: provisioned}}
      not_applicable:
        - {device: {id: d4, zone: guest, lifecycle: active}}
`)
	if err != nil {
		t.Fatal(err)
	}
	results := set.Test()
	passed, failed := TestSummary(results)
	if passed != 0 || failed != 4 {
		t.Fatalf("%d passed, %d failed: %v", passed, failed, results)
	}
	want := []string{
		"pack.yaml:13:11: rule a: examples.pass[0]: expected pass, got fail: d1 is on guest",
		"pack.yaml:15:11: rule a: examples.fail[0]: expected fail, got pass",
		"pack.yaml:16:11: rule a: examples.fail[1]: expected fail, got not-applicable: the rule's when condition is false",
		"pack.yaml:18:11: rule a: examples.not_applicable[0]: expected not-applicable, got fail: d4 is on guest",
	}
	for i, w := range want {
		if got := results[i].String(); !strings.HasSuffix(got, w) {
			t.Errorf("result %d = %q, want suffix %q", i, got, w)
		}
	}
}

func TestRuntimeErrorIsAnErrorResult(t *testing.T) {
	set, err := loadString(t, `rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: '!device.settings.telnet'
    message: '{{device.settings.ssh}}'
    remediation: x
    examples:
      fail:
        - {device: {id: d1, settings: {telnet: true}}}
`)
	if err != nil {
		t.Fatal(err)
	}
	env := engine.NewEnv(&model.Solution{}, time.Now(), nil)
	ck := set.Checks()[0].(engine.DeviceCheck)
	r := ck.CheckDevice(env, &model.Device{ID: "d2"})
	if r.Status != model.Error || !strings.Contains(r.Message, "rule a: no such key: telnet") {
		t.Errorf("missing key: %+v", r)
	}
	// A failing placeholder shows its error in the message.
	r = ck.CheckDevice(env, &model.Device{ID: "d3", Settings: map[string]bool{"telnet": true}})
	if r.Status != model.Fail || !strings.Contains(r.Message, "<no such key: ssh>") {
		t.Errorf("placeholder error: %+v", r)
	}
}

func TestTimestampsAndFunctions(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		expr string
		d    model.Device
		m    model.DeviceModel
		want bool
	}{
		{`!has(device.last_seen)`, model.Device{}, model.DeviceModel{}, true},
		{`device.last_seen == timestamp(0)`, model.Device{}, model.DeviceModel{}, true},
		{`days_since(device.last_seen) == 10`, model.Device{LastSeen: model.Timestamp{Time: now.AddDate(0, 0, -10)}}, model.DeviceModel{}, true},
		{`days_until(model.update.support_end) == -1`, model.Device{}, model.DeviceModel{Update: model.UpdatePolicy{SupportEnd: model.Timestamp{Time: now.Add(-24 * time.Hour)}}}, true},
		{`now - device.last_seen > duration("2160h")`, model.Device{LastSeen: model.Timestamp{Time: now.AddDate(0, 0, -91)}}, model.DeviceModel{}, true},
		{`version_compare(device.firmware, model.firmware_version) < 0`, model.Device{Firmware: "1.9.2"}, model.DeviceModel{FirmwareVersion: "1.10.0"}, true},
		{`version_compare("v2.0", "2.0") == 0`, model.Device{}, model.DeviceModel{}, true},
		{`host("external:API.Example.com:8883") == "api.example.com" && tld("https://x.example.de/path") == "de" && tld("10.0.0.1") == ""`, model.Device{}, model.DeviceModel{}, true},
		{`setting("camera")`, model.Device{}, model.DeviceModel{DefaultSettings: map[string]bool{"camera": true}}, true},
		{`!setting("camera")`, model.Device{Settings: map[string]bool{"camera": false}}, model.DeviceModel{DefaultSettings: map[string]bool{"camera": true}}, true},
		{`!has(device.certificate) && device.certificate.key_bits == 0`, model.Device{}, model.DeviceModel{}, true},
		{`device.ports.exists(p, p.port == 23 && !p.tls) && device.ports[0].authenticated == null`, model.Device{Ports: []model.Port{{Port: 23}}}, model.DeviceModel{}, true},
		{`policy.stale_device_days == 90 && "camera" in policy.privacy_settings`, model.Device{}, model.DeviceModel{}, true},
		{`device.lifecycle == "active" && device.location == "outdoor"`, model.Device{Lifecycle: model.Active, Location: model.Outdoor}, model.DeviceModel{}, true},
		{`device.id.matches("^cam-[0-9]+$") && device.id.split("-")[1] == "7"`, model.Device{ID: "cam-7"}, model.DeviceModel{}, true},
	}
	for _, c := range cases {
		set, err := loadString(t, fmt.Sprintf(`rules:
  - id: a
    title: x
    controls: [S01]
    severity: low
    scope: device
    expression: %q
    remediation: x
`, c.expr))
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		p := model.DefaultPolicy.WithDefaults()
		v := vars{device: &c.d, model: &c.m, policy: &p, now: now}
		r := set.Rules[0].eval(&v)
		if got := r.Status == model.Pass; got != c.want {
			t.Errorf("%s = %+v, want pass=%v", c.expr, r, c.want)
		}
	}
}

// TestConcurrentDeviceRule runs rules from many goroutines, as the engine's
// device workers do; run with -race.
func TestConcurrentDeviceRule(t *testing.T) {
	set, err := Load(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	sol := &model.Solution{Models: []model.DeviceModel{{ID: "cam", Kind: "camera", Hardening: model.Hardening{SecureBoot: true}}}}
	env := engine.NewEnv(sol, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), nil)
	var devChecks []engine.DeviceCheck
	for _, c := range set.Checks() {
		if dc, ok := c.(engine.DeviceCheck); ok {
			devChecks = append(devChecks, dc)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				zone := "iot-cameras"
				if (g+i)%2 == 0 {
					zone = "guest-wifi"
				}
				d := model.Device{ID: fmt.Sprintf("d-%d-%d", g, i), Model: "cam", Zone: zone, Location: model.Outdoor}
				for _, ck := range devChecks {
					r := ck.CheckDevice(env, &d)
					if ck.Meta().ID == "no-camera-on-guest-vlan" {
						wantFail := zone == "guest-wifi"
						if (r.Status == model.Fail) != wantFail || (wantFail && !strings.Contains(r.Message, d.ID+" ")) {
							errs <- fmt.Sprintf("%s in %s: %+v", d.ID, zone, r)
						}
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestEngineIntegration runs built-in checks and rules together: the
// rules' findings carry their controls and severity like built-in ones.
func TestEngineIntegration(t *testing.T) {
	set, err := Load(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := engine.NewRegistry(append(checks.All(), set.Checks()...)...)
	if err != nil {
		t.Fatal(err)
	}
	sol := &model.Solution{
		Name: "test",
		Models: []model.DeviceModel{
			{ID: "cam", Vendor: "Acme", Model: "C200", Kind: "camera", Owner: "facilities"},
			{ID: "mic", Vendor: "Acme", Model: "Speaker", Sensors: []string{"microphone"}, DefaultSettings: map[string]bool{"analytics": true}},
		},
		Services: []model.Service{{ID: "console", Admin: true, Authentication: "password"}},
		Flows:    []model.DataFlow{{ID: "f1", PII: true, Destination: "external:ads.example.com", Recipient: model.Recipient{Name: "AdCo", Role: "third-party"}}},
		Networks: []model.Network{{ID: "iot-cameras"}},
	}
	inv := engine.SliceInventory{
		{ID: "cam-1", Model: "cam", Zone: "iot-cameras", Lifecycle: model.Active},
		{ID: "cam-2", Model: "cam", Zone: "guest-wifi", Lifecycle: model.Active},
	}
	a, err := engine.Run(context.Background(), catalog.MustLoad(), reg, sol, inv, engine.Options{Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	byCheck := map[string][]model.Finding{}
	for _, f := range a.Findings {
		byCheck[f.Check] = append(byCheck[f.Check], f)
	}
	want := map[string]struct {
		asset    string
		controls string
		sev      model.Severity
		msg      string
	}{
		"no-camera-on-guest-vlan":             {"cam-2", "S14,P01", model.High, "camera cam-2 (Acme C200) is on the guest network guest-wifi"},
		"microphone-analytics-off-by-default": {"mic", "P02", model.High, "Acme Speaker has a microphone and ships with analytics on"},
		"admin-services-require-mtls":         {"console", "S16,S21", model.High, "admin service console"},
		"pii-third-party-agreement":           {"f1", "P12", model.High, "flow f1 sends"},
		"non-eu-pii-flows-legal-basis":        {"f1", "P01,P12", model.High, "ads.example.com (.com)"},
		"every-model-has-owner":               {"solution", "S02", model.Low, "models without an owner: mic"},
		"every-device-zone-declared":          {"solution", "S14,S03", model.Medium, "undeclared zones: guest-wifi"},
	}
	for id, w := range want {
		fs := byCheck[id]
		if len(fs) != 1 {
			t.Errorf("%s: %d findings %+v", id, len(fs), fs)
			continue
		}
		f := fs[0]
		if f.Asset != w.asset || strings.Join(f.Controls, ",") != w.controls || f.Severity != w.sev || !strings.Contains(f.Message, w.msg) || f.Remediation == "" || f.CheckVersion == "" {
			t.Errorf("%s: finding %+v, want %+v", id, f, w)
		}
	}
	found := false
	for _, c := range a.Checks {
		if c.ID == "no-camera-on-guest-vlan" {
			found = true
			if c.Pass != 1 || c.Fail != 1 || c.Scope != model.AssetDevice || !strings.Contains(c.Description, "Passes when:") {
				t.Errorf("summary %+v", c)
			}
		}
	}
	if !found {
		t.Error("rule missing from the check summaries")
	}
	for _, ctl := range a.Controls {
		if ctl.ID == "P02" && ctl.Status == model.Implemented {
			t.Errorf("P02 implemented despite the rule's failure: %+v", ctl)
		}
	}
}

func TestMetaLikeBuiltins(t *testing.T) {
	set, err := Load(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range set.Checks() {
		m := c.Meta()
		if m.Version == "" || m.Title == "" || m.Remediation == "" || len(m.Controls) == 0 || len(m.Inputs) == 0 || m.Severity.Rank() < 0 {
			t.Errorf("meta %+v", m)
		}
	}
	// Reserved IDs are configurable.
	if _, err := LoadWith(Options{Reserved: []string{"no-camera-on-guest-vlan"}}, examplesDir); err == nil || !strings.Contains(err.Error(), "built-in check's ID") {
		t.Errorf("reserved: %v", err)
	}
}

func TestScalarPositions(t *testing.T) {
	src := "a: 'it''s x'\nb: \"q\\\"z\\ty\"\nc: |\n  one\n    two\nd: >\n  three\n  four\n"
	doc := splitLines([]byte(src))
	var root yamlNode
	if err := yamlUnmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	check := func(key string, off, line, col int) {
		t.Helper()
		n := mapValue(&root, key)
		l, c := newScalarPos(doc, n).at(off)
		if l != line || c != col {
			t.Errorf("%s[%d] (%q) at %d:%d, want %d:%d", key, off, n.Value[off:off+1], l, c, line, col)
		}
	}
	check("a", 0, 1, 5)  // i
	check("a", 3, 1, 9)  // s after ''
	check("a", 5, 1, 11) // x
	check("b", 1, 2, 6)  // the escaped quote
	check("b", 2, 2, 8)  // z
	check("b", 4, 2, 11) // y
	check("c", 0, 4, 3)  // one
	check("c", 6, 5, 5)  // two
	check("d", 6, 8, 3)  // four (after the folded line break)
}

func TestCostEstimates(t *testing.T) {
	set, err := loadString(t, `rules:
  - id: ports-declared
    title: x
    controls: [S11]
    severity: low
    scope: device
    expression: device.ports.all(p, model.ports.exists(q, q.port == p.port && q.protocol == p.protocol))
    remediation: x
  - id: simple
    title: x
    controls: [S11]
    severity: low
    scope: device
    expression: device.zone != "guest"
    remediation: x
`)
	if err != nil {
		t.Fatal(err)
	}
	if c := set.Rules[0].Cost; c < 50_000 || c > MaxCost {
		t.Errorf("nested port loops cost %d", c)
	}
	if c := set.Rules[1].Cost; c > 100 {
		t.Errorf("simple rule costs %d", c)
	}
	t.Logf("costs: %d, %d", set.Rules[0].Cost, set.Rules[1].Cost)
}
