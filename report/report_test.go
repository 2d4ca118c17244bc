package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

func render(t *testing.T, format string, a *model.Assessment, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, format, a, opt); err != nil {
		t.Fatalf("Render %s: %v", format, err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got); if the change is intended, run go test ./report -update:\n%s", name, diff)
	}
}

func TestGolden(t *testing.T) {
	opt := Options{Catalog: catalog.MustLoad()}
	for _, tc := range []struct{ format, file string }{
		{"table", "report.txt"},
		{"json", "report.json"},
		{"markdown", "report.md"},
		{"csv", "report.csv"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			golden(t, tc.file, render(t, tc.format, fixture(), opt))
		})
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	opt := Options{Catalog: catalog.MustLoad()}
	for _, f := range Formats {
		a, b := render(t, f, fixture(), opt), render(t, f, fixture(), opt)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders of the same assessment differ", f)
		}
	}
}

func TestRenderDoesNotModifyAssessment(t *testing.T) {
	a := fixture()
	a.Checks[0].Controls = nil
	before, _ := json.Marshal(a)
	for _, f := range Formats {
		render(t, f, a, Options{})
	}
	after, _ := json.Marshal(a)
	if !bytes.Equal(before, after) {
		t.Error("rendering changed the assessment")
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	err := Render(&bytes.Buffer{}, "pdf", fixture(), Options{})
	if err == nil || !strings.Contains(err.Error(), "table, json, markdown, html, sarif, csv") {
		t.Errorf("unknown format error = %v, want the list of formats", err)
	}
	if err := Render(&bytes.Buffer{}, "oscal", fixture(), Options{}); err == nil || !strings.Contains(err.Error(), "oscal") {
		t.Errorf("oscal via Render = %v, want a pointer to package oscal", err)
	}
}

func TestExtension(t *testing.T) {
	want := map[string]string{
		"html": "report.html", "json": "report.json", "sarif": "report.sarif", "markdown": "report.md",
		"csv": "report.csv", "table": "report.txt", "oscal": "report.oscal.json", "pdf": "",
	}
	for f, w := range want {
		if got := Extension(f); got != w {
			t.Errorf("Extension(%q) = %q, want %q", f, got, w)
		}
	}
	for _, f := range Formats {
		if Extension(f) == "" {
			t.Errorf("format %s has no file name", f)
		}
	}
}

// hostile returns the fixture with long and hostile names everywhere.
func hostile() *model.Assessment {
	a := fixture()
	long := strings.Repeat("Very long solution name with words ", 8)
	a.Solution = long + "\x1b[31mRED\x1b[0m\u202e"
	a.Organization = long
	a.Controls[0].Title = strings.Repeat("Ünïcödé title ", 12)
	a.Findings[0].Asset = strings.Repeat("asset-name-without-spaces-", 8)
	a.Findings[0].Check = strings.Repeat("check-", 10)
	a.Findings[0].Message = strings.Repeat("x", 400) + " " + strings.Repeat("word ", 80) + "\n\x07bell"
	a.Checks[7].Errors = []string{strings.Repeat("e", 300)}
	return a
}

func TestTableFitsWidth(t *testing.T) {
	for name, a := range map[string]*model.Assessment{"fixture": fixture(), "hostile": hostile()} {
		for _, dir := range []string{"", "/very/long/" + strings.Repeat("dir/", 40)} {
			out := string(render(t, "table", a, Options{ReportDir: dir, Top: 50}))
			for i, line := range strings.Split(out, "\n") {
				if n := utf8.RuneCountInString(line); n > Width {
					t.Errorf("%s line %d has %d columns: %q", name, i+1, n, line)
				}
			}
			if strings.ContainsAny(out, "\x1b\x07\u202e") {
				t.Errorf("%s: table without colour contains control characters", name)
			}
		}
	}
}

func TestTableColorAndTop(t *testing.T) {
	a := fixture()
	plain := string(render(t, "table", a, Options{}))
	color := string(render(t, "table", a, Options{Color: true, Top: 3}))
	if !strings.Contains(color, "\x1b[") {
		t.Error("Color: true adds no ANSI colour")
	}
	if !strings.Contains(plain, "TOP FINDINGS (7 of 7 checks with findings; 34 findings in all)") {
		t.Error("top findings header wrong (or the total misses truncated findings)")
	}
	if !strings.Contains(plain, "device cam-001 (and 22 more)") {
		t.Error("top findings do not group a check's repeated failures")
	}
	if !strings.Contains(color, "TOP FINDINGS (3 of 7 checks") {
		t.Error("Top: 3 not honoured")
	}
	stripped := ansiRE.ReplaceAllString(color, "")
	if want := string(render(t, "table", a, Options{Top: 3})); stripped != want {
		t.Errorf("coloured table differs from the plain one beyond colour:\n%s", cmp.Diff(want, stripped))
	}
	for _, want := range []string{"CHECKS WITH ERRORS", "scan-insecure-protocols", "nmap file scans/site-a.xml",
		"--out-dir"} {
		if !strings.Contains(plain, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	scoped := *a
	scoped.Role = model.ISP
	if out := string(render(t, "table", &scoped, Options{ReportDir: "out"})); !strings.Contains(out, "role ISP (IoT service provider) only") ||
		!strings.Contains(out, "Full reports in out: report.html") {
		t.Errorf("scoped table lacks its scope or report folder:\n%s", out)
	}
}

func TestJSONContract(t *testing.T) {
	out := render(t, "json", fixture(), Options{})
	var doc struct {
		SchemaVersion string `json:"schema_version"`
		Summary       struct {
			Score    *float64       `json:"score"`
			Controls map[string]int `json:"controls"`
			Findings map[string]int `json:"findings"`
		} `json:"summary"`
		Controls []map[string]any `json:"controls"`
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaVersion != "1.0" || doc.Summary.Score == nil || len(doc.Summary.Controls) != 5 || len(doc.Summary.Findings) != 5 {
		t.Errorf("summary contract broken: %+v", doc)
	}
	if len(doc.Controls) != 45 {
		t.Errorf("%d controls, want 45", len(doc.Controls))
	}
	for _, c := range doc.Controls {
		for _, k := range []string{"id", "status", "score", "findings"} {
			if _, ok := c[k]; !ok {
				t.Errorf("control %v lacks %s", c["id"], k)
			}
		}
	}
	for _, f := range doc.Findings {
		for _, k := range []string{"check", "controls", "severity", "asset", "message", "remediation"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding lacks %s", k)
			}
		}
	}
	// Round trip: decoding and rendering again gives the same bytes.
	var back model.Assessment
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if again := render(t, "json", &back, Options{}); !bytes.Equal(out, again) {
		t.Errorf("JSON does not round-trip:\n%s", cmp.Diff(string(out), string(again)))
	}
}

func TestJSONNeverNull(t *testing.T) {
	a := &model.Assessment{SchemaVersion: "1.0", Tool: "iotguard", Controls: []model.ControlResult{{ID: "S01", Stakeholders: []model.Stakeholder{model.ISP},
		Attestation: &model.AttestationResult{}}}}
	out := string(render(t, "json", a, Options{}))
	if n := strings.Count(out, "null"); n != strings.Count(out, `"score": null`) {
		t.Errorf("JSON has null lists:\n%s", out)
	}
}

func reportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "docs", "report.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return compileSchema(t, path)
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return sch
}

// validateJSONSchema validates a report against docs/report.schema.json;
// wantErr inverts the expectation.
func validateJSONSchema(t *testing.T, data []byte, wantErr bool) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	err = reportSchema(t).Validate(inst)
	switch {
	case err != nil && !wantErr:
		t.Errorf("report does not match docs/report.schema.json:\n%v", err)
	case err == nil && wantErr:
		t.Error("schema accepted an invalid report")
	}
}

func TestJSONMatchesSchema(t *testing.T) {
	validateJSONSchema(t, render(t, "json", fixture(), Options{}), false)
	scoped := fixture()
	scoped.Role = model.IU
	scoped.FindingsTruncated = 0
	validateJSONSchema(t, render(t, "json", scoped, Options{}), false)

	// The schema is strict: a field it does not document fails, so the
	// documentation cannot fall behind the model unnoticed.
	var doc map[string]any
	_ = json.Unmarshal(render(t, "json", fixture(), Options{}), &doc)
	doc["controls"].([]any)[0].(map[string]any)["undocumented"] = true
	bad, _ := json.Marshal(doc)
	validateJSONSchema(t, bad, true)
}

func TestCSV(t *testing.T) {
	a := fixture()
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", a, Options{}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(CSVHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(rows)-1 != len(a.Findings) {
		t.Errorf("%d rows, want one per finding (%d)", len(rows)-1, len(a.Findings))
	}
	for _, r := range rows[1:] {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("cell %q can be read as a formula", c)
			}
		}
	}
	found := false
	for _, r := range rows {
		if r[4] == `'=HYPERLINK("x")` || r[4] == "'@rogue-ap" {
			found = true
		}
	}
	if !found {
		t.Error("hostile asset names are not prefixed with a quote")
	}
	if got := csvSafe("-1"); got != "'-1" {
		t.Errorf("csvSafe(-1) = %q", got)
	}
}

func TestMarkdown(t *testing.T) {
	out := string(render(t, "markdown", fixture(), Options{Catalog: catalog.MustLoad(), ReportDir: "out"}))
	for _, want := range []string{
		"## Statement of Applicability", "## Findings by control", "- … and 3 more",
		"| S09 | 7.1.2.9 | Security of IoT systems in support of safety | no | The building system has no safety functions",
		`\<script\>alert(1)\</script\>`, "[report.html](report.html)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(out, HostileMessage) {
		t.Error("markdown contains raw HTML from a finding")
	}
	// Every table row has the same number of cells as its header.
	var cols int
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|")
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row has %d separators, header %d: %s", n, cols, line)
		}
	}
}

func TestMarkdownEscape(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":             `a\|b`,
		"<img src=x>":     `\<img src=x\>`,
		"[x](javascript)": `\[x\](javascript)`,
		"line\nbreak":     "line break",
		"snake_case":      `snake\_case`,
	} {
		if got := md(in); got != want {
			t.Errorf("md(%q) = %q, want %q", in, got, want)
		}
	}
}
