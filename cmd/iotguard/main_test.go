package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestMain keeps the tests' vulnerability indexes out of the user's cache.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "iotguard-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runCLI runs iotguard in-process and returns exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCatalogListJSONContract(t *testing.T) {
	code, out, errs := runCLI(t, "catalog", "list", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var controls []map[string]any
	if err := json.Unmarshal([]byte(out), &controls); err != nil {
		t.Fatal(err)
	}
	if len(controls) != 45 {
		t.Fatalf("%d controls, want 45", len(controls))
	}
	for _, c := range controls {
		for _, k := range []string{"id", "title", "category", "stakeholders", "clause", "automation", "references"} {
			if _, ok := c[k]; !ok {
				t.Errorf("control %v lacks %q", c["id"], k)
			}
		}
		refs, _ := c["references"].([]any)
		if len(refs) == 0 {
			t.Errorf("control %v has no references", c["id"])
		}
		for _, r := range refs {
			m := r.(map[string]any)
			if m["framework"] == "" || m["id"] == "" || m["relation"] == "" {
				t.Errorf("control %v: incomplete reference %v", c["id"], m)
			}
		}
	}
}

func TestCatalogListRoleIU(t *testing.T) {
	code, out, _ := runCLI(t, "catalog", "list", "--role", "iu", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var ids []string
	for _, l := range lines[1:] {
		ids = append(ids, strings.SplitN(l, ",", 2)[0])
	}
	if got := strings.Join(ids, " "); got != "S25 S26 S27 S28 P15 P16 P17" {
		t.Errorf("IU controls = %s", got)
	}
}

func TestCatalogTableFits100Columns(t *testing.T) {
	code, out, _ := runCLI(t, "catalog", "list")
	if code != 0 {
		t.Fatal(code)
	}
	for _, l := range strings.Split(out, "\n") {
		if n := len([]rune(l)); n > 100 {
			t.Errorf("line is %d columns: %q", n, l)
		}
	}
	if !strings.Contains(out, "45 controls") {
		t.Error("no count line")
	}
}

func TestUsageErrorsExit2AndListValidValues(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"catalog", "list", "--role", "CEO"}, "ISD, ISP, IU, IDD"},
		{[]string{"catalog", "list", "--category", "safety"}, "security, privacy"},
		{[]string{"catalog", "list", "--automation", "manual"}, "automated, partial, attestation"},
		{[]string{"catalog", "list", "--format", "xml"}, "table, json, csv, markdown, yaml"},
		{[]string{"catalog", "export", "--format", "pdf"}, "oscal, json, csv, markdown, yaml"},
		{[]string{"catalog", "show", "S29"}, "did you mean S28?"},
		{[]string{"catalog", "map", "--to", "nist-800-53"}, "etsi-en-303-645"},
		{[]string{"catalog", "map", "--from", "etsi"}, "needs the element"},
		{[]string{"catalog", "map"}, "--to FRAMEWORK"},
		{[]string{"catalog", "lst"}, "unknown command"},
		{[]string{"--no-such-flag"}, "unknown flag"},
	}
	for _, tc := range tests {
		code, _, errs := runCLI(t, tc.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", tc.args, code, errs)
		}
		if !strings.Contains(errs, tc.want) {
			t.Errorf("%v: stderr %q lacks %q", tc.args, errs, tc.want)
		}
	}
}

func TestCatalogShowByClause(t *testing.T) {
	code, out, _ := runCLI(t, "catalog", "show", "7.1.2.12")
	if code != 0 || !strings.HasPrefix(out, "S12  Monitoring and logging") {
		t.Errorf("exit %d, output starts %q", code, out[:min(60, len(out))])
	}
}

func TestCatalogMapFrom(t *testing.T) {
	code, out, _ := runCLI(t, "catalog", "map", "--from", "etsi", "5.1-1", "--format", "json")
	if code != 0 {
		t.Fatal(code)
	}
	var ms []map[string]any
	if err := json.Unmarshal([]byte(out), &ms); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range ms {
		if m["control"] == "S16" && m["element"] == "5.1-1" {
			found = true
		}
	}
	if !found {
		t.Errorf("ETSI 5.1-1 does not map to S16: %s", out)
	}
}

func TestCatalogExportOSCALToFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "catalog.json")
	code, _, errs := runCLI(t, "catalog", "export", "--format", "oscal", "-o", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["catalog"]; !ok || len(doc) != 1 {
		t.Errorf("top-level keys %v, want only catalog", doc)
	}
}

func TestOverlayFlagAndEnv(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "overlay.yaml")
	os.WriteFile(good, []byte("controls:\n  S15:\n    clause: \"7.1.2.15\"\n"), 0o644)
	code, out, errs := runCLI(t, "--catalog-overlay", good, "catalog", "show", "7.1.2.15")
	if code != 0 || !strings.HasPrefix(out, "S15") {
		t.Errorf("overlay clause lookup: exit %d %s %s", code, out, errs)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("controls:\n  S15:\n    clause: \"7.1.2.15\"\n  S30:\n    clause: \"1\"\n"), 0o644)
	t.Setenv("IOTGUARD_CATALOG_OVERLAY", bad)
	code, _, errs = runCLI(t, "catalog", "list")
	if code != 2 || !strings.Contains(errs, "bad.yaml:4:") || !strings.Contains(errs, "S30") {
		t.Errorf("bad overlay via env: exit %d, stderr %q", code, errs)
	}
}

func TestVersionAndCompletion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "iotguard ") {
		t.Errorf("version: %d %q", code, out)
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, _ := runCLI(t, "completion", sh)
		if code != 0 || !strings.Contains(out, "iotguard") {
			t.Errorf("completion %s: exit %d", sh, code)
		}
	}
}

func TestHelpTeachesByExample(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"catalog", "--help"}, {"catalog", "list", "--help"}, {"catalog", "map", "--help"}} {
		code, out, _ := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "Examples:") {
			t.Errorf("%v: exit %d, no examples in help", args, code)
		}
	}
}

// TestEveryCommandHasExamples walks the command tree: every command a user
// can run teaches by example in its --help.
func TestEveryCommandHasExamples(t *testing.T) {
	root := newRootCmd(&app{stdout: io.Discard, stderr: io.Discard})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.Name() == "help" || sub.Name() == "completion" || sub.Parent().Name() == "completion" {
				continue
			}
			if sub.Example == "" && !sub.HasAvailableSubCommands() {
				t.Errorf("%q has no examples in its help", sub.CommandPath())
			}
			if sub.Short == "" {
				t.Errorf("%q has no short description", sub.CommandPath())
			}
			walk(sub)
		}
	}
	walk(root)
}
