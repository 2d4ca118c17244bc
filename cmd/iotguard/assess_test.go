package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoWritesReports(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	code, stdout, errs := runCLI(t, "demo", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Top risks", "Overall score", "report.html"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo summary lacks %q", want)
		}
	}
	for _, f := range []string{"report.html", "report.json", "report.sarif", "report.oscal.json", "report.md", "report.csv", "report.txt"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	var rep struct {
		SchemaVersion string `json:"schema_version"`
		Summary       struct {
			Score    float64        `json:"score"`
			Controls map[string]int `json:"controls"`
			Findings map[string]int `json:"findings"`
		} `json:"summary"`
		Controls []struct {
			ID       string   `json:"id"`
			Status   string   `json:"status"`
			Score    *float64 `json:"score"`
			Findings int      `json:"findings"`
		} `json:"controls"`
		Findings []struct {
			Check       string   `json:"check"`
			Controls    []string `json:"controls"`
			Severity    string   `json:"severity"`
			Asset       string   `json:"asset"`
			Message     string   `json:"message"`
			Remediation string   `json:"remediation"`
		} `json:"findings"`
	}
	data, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.SchemaVersion == "" || len(rep.Controls) != 45 || len(rep.Findings) == 0 || rep.Summary.Findings["critical"] == 0 {
		t.Errorf("report.json contract: version %q, %d controls, %d findings", rep.SchemaVersion, len(rep.Controls), len(rep.Findings))
	}
	for _, f := range rep.Findings {
		if f.Check == "" || len(f.Controls) == 0 || f.Severity == "" || f.Asset == "" || f.Message == "" || f.Remediation == "" {
			t.Fatalf("incomplete finding %+v", f)
		}
	}
}

// writeDemoManifest writes the demo's manifest into a temporary folder.
func writeDemoManifest(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "m")
	if code, _, errs := runCLI(t, "demo", "--write-manifest", dir); code != 0 {
		t.Fatalf("write-manifest exit %d: %s", code, errs)
	}
	return filepath.Join(dir, "iotguard.yaml")
}

func TestAssessManifestFormatsAndGating(t *testing.T) {
	m := writeDemoManifest(t)
	dir := t.TempDir()

	code, _, errs := runCLI(t, "assess", "-f", m, "--out-dir", filepath.Join(dir, "all"))
	if code != 0 {
		t.Fatalf("out-dir exit %d: %s", code, errs)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "all"))
	if len(entries) != 7 {
		t.Errorf("--out-dir wrote %d files, want 7", len(entries))
	}

	// The format follows the extension of -o.
	sarif := filepath.Join(dir, "x.sarif")
	if code, _, errs := runCLI(t, "assess", "-f", m, "-o", sarif); code != 0 {
		t.Fatalf("-o exit %d: %s", code, errs)
	}
	data, _ := os.ReadFile(sarif)
	if !bytes.Contains(data, []byte(`"version": "2.1.0"`)) {
		t.Errorf("x.sarif is not SARIF: %.80s", data)
	}

	// Gating: the demo has critical findings.
	code, _, errs = runCLI(t, "assess", "-f", m, "--format", "json", "-o", filepath.Join(dir, "g.json"), "--fail-on", "critical")
	if code != 1 || !strings.Contains(errs, "at or above critical") {
		t.Errorf("--fail-on critical: exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "g.json")); err != nil {
		t.Error("the report must still be written when gating fails")
	}

	// Role scoping.
	code, out, _ := runCLI(t, "assess", "-f", m, "--role", "IU", "--format", "json")
	var rep struct {
		Role     string `json:"role"`
		Controls []any  `json:"controls"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Role != "IU" || len(rep.Controls) != 7 {
		t.Errorf("--role IU: exit %d, role %q, %d controls", code, rep.Role, len(rep.Controls))
	}
}

func TestAssessBadManifestWritesNothing(t *testing.T) {
	dir := t.TempDir()
	m := filepath.Join(dir, "iotguard.yaml")
	os.WriteFile(m, []byte("version: 1\nname: x\norganization: {name: o}\nmodels:\n  - id: a\n    vendr: v\n"), 0o644)
	out := filepath.Join(dir, "report.json")
	code, _, errs := runCLI(t, "assess", "-f", m, "-o", out)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(errs, "iotguard.yaml:6:5") || !strings.Contains(errs, "did you mean vendor?") {
		t.Errorf("stderr %q", errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a report was written for a bad manifest")
	}
	code, _, errs = runCLI(t, "assess", "-f", m, "-o", out, "--out-dir", dir)
	if code != 2 || !strings.Contains(errs, "not both") {
		t.Errorf("-o with --out-dir: exit %d %q", code, errs)
	}
}

func TestAssessInterruptedWritesNothing(t *testing.T) {
	m := writeDemoManifest(t)
	out := filepath.Join(t.TempDir(), "r.json")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"assess", "-f", m, "-o", out}, strings.NewReader(""), &stdout, &stderr)
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d (%s)", code, exitInterrupted, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an interrupted run wrote a report")
	}
}

func TestInitThenAssessAndSchema(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "init", dir); code != 0 {
		t.Fatalf("init exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI(t, "init", dir); code != 2 || !strings.Contains(errs, "--force") {
		t.Errorf("second init: exit %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "assess", "-f", filepath.Join(dir, "iotguard.yaml"), "--format", "markdown"); code != 0 {
		t.Errorf("assess starter: exit %d %s", code, errs)
	}
	code, out, _ := runCLI(t, "schema", "manifest")
	var schema map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &schema) != nil || schema["$schema"] == nil {
		t.Errorf("schema manifest: exit %d, not a JSON Schema", code)
	}
	if code, _, _ := runCLI(t, "schema", "report"); code != 2 {
		t.Errorf("unknown schema: exit %d", code)
	}
}

func TestChecksCommand(t *testing.T) {
	code, out, _ := runCLI(t, "checks", "--control", "S16", "--format", "json")
	var rows []struct {
		ID       string   `json:"id"`
		Controls []string `json:"controls"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) < 5 {
		t.Fatalf("exit %d, %d rows", code, len(rows))
	}
	for _, r := range rows {
		if strings.Join(r.Controls, ",") != "per-result" && !strings.Contains(strings.Join(r.Controls, ","), "S16") {
			t.Errorf("check %s does not evidence S16: %v", r.ID, r.Controls)
		}
	}
}

// The parallel passes over a JSON-lines inventory decode devices
// transiently, into memory reused for the next ones: a report that kept a
// device string without copying it would change as chunks are reused.
// The report must be the one the sequential passes (--concurrency 1, which
// copy every device) give, byte for byte, findings, rules and all.
func TestParallelAssessmentMatchesSequential(t *testing.T) {
	dir := t.TempDir()
	fleet := filepath.Join(dir, "fleet")
	if code, _, errs := runCLI(t, "fleet", "generate", "--devices", "6000", "--seed", "3", "-o", fleet); code != 0 {
		t.Fatalf("fleet generate: exit %d: %s", code, errs)
	}
	reports := map[string][]byte{}
	for _, conc := range []string{"0", "1"} {
		out := filepath.Join(dir, "report-"+conc+".json")
		code, _, errs := runCLI(t, "assess", "-f", filepath.Join(fleet, "iotguard.yaml"), "--rules", filepath.Join("..", "..", "examples", "rules"),
			"--now", "2026-03-01", "--max-findings", "700", "--concurrency", conc, "--format", "json", "-o", out)
		if code != 0 && code != 1 {
			t.Fatalf("assess --concurrency %s: exit %d: %s", conc, code, errs)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		reports[conc] = data
	}
	if !bytes.Equal(reports["0"], reports["1"]) {
		a, b := strings.Split(string(reports["0"]), "\n"), strings.Split(string(reports["1"]), "\n")
		for i := 0; i < len(a) && i < len(b); i++ {
			if a[i] != b[i] {
				t.Fatalf("parallel and sequential reports differ first at line %d:\n parallel   %s\n sequential %s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("parallel and sequential reports differ in length: %d and %d lines", len(a), len(b))
	}
	var rep struct {
		Findings  []struct{ Check, Asset, Message string } `json:"findings"`
		Truncated int                                      `json:"findings_truncated"`
	}
	if err := json.Unmarshal(reports["0"], &rep); err != nil {
		t.Fatal(err)
	}
	rules := 0
	for _, f := range rep.Findings {
		if strings.Contains(f.Check, ".") || strings.HasPrefix(f.Check, "org") {
			rules++
		}
	}
	if len(rep.Findings) != 700 || rep.Truncated == 0 {
		t.Errorf("%d findings kept, %d dropped: want the 700 limit reached", len(rep.Findings), rep.Truncated)
	}
	t.Logf("%d findings kept (%d from rule packs), %d dropped", len(rep.Findings), rules, rep.Truncated)
}
