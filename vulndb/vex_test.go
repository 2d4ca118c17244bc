package vulndb

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/internal/fixtures"
	"github.com/iotguard/iotguard/model"
)

// cdxVEX reads the vulnerabilities of a CycloneDX document into VEX
// statements, just enough for these tests (the SBOM importer owns the real
// reader).
func cdxVEX(t *testing.T, path string) []model.VEXStatement {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Vulnerabilities []struct {
			ID       string `json:"id"`
			Analysis struct {
				State, Justification, Detail string
			} `json:"analysis"`
			Affects []struct {
				Ref string `json:"ref"`
			} `json:"affects"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var out []model.VEXStatement
	for _, v := range doc.Vulnerabilities {
		for _, a := range v.Affects {
			out = append(out, model.VEXStatement{Vulnerability: v.ID, Component: a.Ref, State: v.Analysis.State,
				Justification: v.Analysis.Justification, Detail: v.Analysis.Detail})
		}
	}
	return out
}

func TestVEXFixtures(t *testing.T) {
	ix, _ := buildFixtureIndex(t)
	log4j := model.Component{Name: "log4j-core", Version: "2.14.1", BOMRef: "log4j", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}
	gin := model.Component{Name: "gin", Version: "v1.5.0", BOMRef: "gin", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.5.0"}
	components := []model.Component{log4j, gin}
	match := func() []model.VulnMatch {
		ms, err := ix.MatchAll(components)
		if err != nil || len(ms) != 2 {
			t.Fatalf("MatchAll: %d matches, %v", len(ms), err)
		}
		return ms
	}

	// The fixture says CVE-2021-44228 is exploitable in the product: no
	// suppression.
	affected := cdxVEX(t, fixtures.Path(t, "cyclonedx", "vex-affected.json"))
	if len(affected) != 1 || affected[0].State != "exploitable" {
		t.Fatalf("fixture statements %+v", affected)
	}
	ms := match()
	if n := ApplyVEX(ms, affected, components); n != 0 || ms[0].Suppressed || ms[1].Suppressed {
		t.Fatalf("an exploitable statement suppressed %d matches", n)
	}

	// The not_affected variant suppresses the log4j match (named by its
	// CVE alias) and only that one.
	notAffected := cdxVEX(t, filepath.Join("testdata", "vex", "vex-not-affected.json"))
	ms = match()
	if n := ApplyVEX(ms, notAffected, components); n != 1 {
		t.Fatalf("suppressed %d, want 1", n)
	}
	got := map[string][2]any{}
	for _, m := range ms {
		got[m.Advisory] = [2]any{m.Suppressed, m.Justification}
	}
	want := map[string][2]any{
		"GHSA-jfh8-c2jp-5v3q": {true, "code_not_reachable: Product DEF never passes untrusted input to the JNDI lookup."},
		"GO-2020-0001":        {false, ""},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestApplyVEXRules(t *testing.T) {
	base := []model.VulnMatch{
		{Component: "a", Version: "1.0", PURL: "pkg:npm/a@1.0?arch=x", Advisory: "GHSA-1", Aliases: []string{"CVE-1"}},
		{Component: "b", Version: "2.0", PURL: "pkg:npm/b@2.0", Advisory: "GHSA-1", Aliases: []string{"CVE-1"}},
		{Component: "c", Version: "3.0", Advisory: "OSV-3"},
	}
	comps := []model.Component{
		{Name: "a", Version: "1.0", PURL: "pkg:npm/a@1.0?arch=x", BOMRef: "ref-a"},
		{Name: "b", Version: "2.0", PURL: "pkg:npm/b@2.0", BOMRef: "ref-b"},
		{Name: "c", Version: "3.0", BOMRef: "ref-c"},
	}
	tests := []struct {
		name string
		vex  []model.VEXStatement
		want []bool
		just string
	}{
		{"by purl without version", []model.VEXStatement{{Vulnerability: "CVE-1", Component: "pkg:npm/a", State: "not_affected"}}, []bool{true, false, false}, "not_affected"},
		{"by purl, other version", []model.VEXStatement{{Vulnerability: "CVE-1", Component: "pkg:npm/a@9.9", State: "not_affected"}}, []bool{false, false, false}, ""},
		{"by bom-ref", []model.VEXStatement{{Vulnerability: "GHSA-1", Component: "ref-b", State: "false_positive", Detail: "scanner confused"}}, []bool{false, true, false}, "scanner confused"},
		{"by bom-ref without purl", []model.VEXStatement{{Vulnerability: "osv-3", Component: "ref-c", State: "Not-Affected", Justification: "component_not_present"}}, []bool{false, false, true}, "component_not_present"},
		{"any component", []model.VEXStatement{{Vulnerability: "CVE-1", State: "not_affected"}}, []bool{true, true, false}, "not_affected"},
		{"other states do not suppress", []model.VEXStatement{{Vulnerability: "CVE-1", State: "affected"}, {Vulnerability: "CVE-1", State: "under_investigation"}, {Vulnerability: "CVE-1", State: "fixed"}}, []bool{false, false, false}, ""},
		{"component statement beats product-wide", []model.VEXStatement{{Vulnerability: "CVE-1", State: "not_affected"}, {Vulnerability: "CVE-1", Component: "ref-a", State: "affected"}}, []bool{false, true, false}, "not_affected"},
		{"unknown vulnerability", []model.VEXStatement{{Vulnerability: "CVE-2", State: "not_affected"}}, []bool{false, false, false}, ""},
		{"empty vulnerability", []model.VEXStatement{{State: "not_affected"}}, []bool{false, false, false}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := append([]model.VulnMatch(nil), base...)
			n := ApplyVEX(ms, tc.vex, comps)
			var got []bool
			count := 0
			for _, m := range ms {
				got = append(got, m.Suppressed)
				if m.Suppressed {
					count++
					if m.Justification != tc.just {
						t.Errorf("justification %q, want %q", m.Justification, tc.just)
					}
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" || n != count {
				t.Errorf("(-want +got)\n%s (returned %d)", d, n)
			}
		})
	}
}
