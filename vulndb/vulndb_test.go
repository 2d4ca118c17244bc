package vulndb

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/internal/fixtures"
	"github.com/iotguard/iotguard/model"
)

// fixtureSources are the shared fixtures and this package's test data that
// the match tests build their index from.
func fixtureSources(t *testing.T) []string {
	t.Helper()
	return []string{
		fixtures.Path(t, "osv", "GO-2020-0001.json"),
		fixtures.Path(t, "osv", "GHSA-9v2f-6vcg-3hgv.json"),
		fixtures.Path(t, "nvd"),
		filepath.Join("testdata", "osv"),
		filepath.Join("testdata", "kev", "known_exploited_vulnerabilities.json"),
	}
}

func buildFixtureIndex(t *testing.T) (*Index, *Stats) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cache", "vulndb.idx")
	st, err := Build(context.Background(), out, fixtureSources(t)...)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	ix, err := Open(out)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, st
}

// matchView is the part of a VulnMatch the tests compare.
type matchView struct {
	Advisory, Affected, Fixed string
	Severity                  model.Severity
	CVSS                      float64
	KEV                       bool
	Published                 string
}

func view(ms []model.VulnMatch) []matchView {
	var out []matchView
	for _, m := range ms {
		out = append(out, matchView{m.Advisory, m.Affected, m.Fixed, m.Severity, m.CVSS, m.KEV, m.Published.String()})
	}
	return out
}

func TestParseOSVFixtures(t *testing.T) {
	type eventView struct{ Introduced, Fixed, LastAffected, Limit string }
	type want struct {
		ID, Summary, Published string
		Aliases                []string
		Package                OSVPackage
		Ranges                 []string
		Events                 []eventView
		Versions               []string
		Severity               []OSVSeverity
	}
	tests := []struct {
		file string
		want want
	}{
		{"GO-2020-0001.json", want{
			ID: "GO-2020-0001", Summary: "Arbitrary log line injection in github.com/gin-gonic/gin",
			Published: "2021-04-14T20:04:52Z", Aliases: []string{"CVE-2020-36567", "GHSA-6vm3-jj99-7229"},
			Package: OSVPackage{Ecosystem: "Go", Name: "github.com/gin-gonic/gin"},
			Ranges:  []string{"SEMVER"}, Events: []eventView{{Introduced: "0"}, {Fixed: "1.6.0"}},
		}},
		{"GHSA-9v2f-6vcg-3hgv.json", want{
			ID: "GHSA-9v2f-6vcg-3hgv", Published: "2024-07-01T21:31:15Z", Aliases: []string{"CVE-2024-39236"},
			Summary:  "Gradio was discovered to contain a code injection vulnerability via the component /gradio/component_meta.py",
			Package:  OSVPackage{Ecosystem: "PyPI", Name: "Gradio"},
			Versions: []string{"4.36.1", "4.36.-1"},
			Severity: []OSVSeverity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(fixtures.Path(t, "osv", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := ParseOSV(tc.file, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || len(recs[0].Affected) != 1 {
				t.Fatalf("got %d records, want 1 with 1 affected entry", len(recs))
			}
			r, a := recs[0], recs[0].Affected[0]
			got := want{ID: r.ID, Summary: r.Summary, Published: r.PublishedTime().Format(time.RFC3339),
				Aliases: r.Aliases, Package: a.Package, Versions: a.Versions, Severity: r.Severity}
			for _, rg := range a.Ranges {
				got.Ranges = append(got.Ranges, rg.Type)
				for _, e := range rg.Events {
					got.Events = append(got.Events, eventView(e))
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			if r.IsWithdrawn() {
				t.Errorf("not withdrawn")
			}
		})
	}
}

func TestParseNVDFixtures(t *testing.T) {
	type want struct {
		ID, Status, Published, Version string
		CVSS                           float64
		KEV                            bool
		Matches                        int
		Some                           CPEMatch
	}
	tests := []struct {
		file string
		want want
	}{
		{"CVE-2024-3094.json", want{
			ID: "CVE-2024-3094", Status: "Modified", Published: "2024-03-29T17:15:21.15Z", Version: "3.1",
			CVSS: 10, Matches: 2, Some: CPEMatch{Criteria: "cpe:2.3:a:tukaani:xz:5.6.1:*:*:*:*:*:*:*"},
		}},
		{"CVE-2023-4863.json", want{
			ID: "CVE-2023-4863", Status: "Modified", Published: "2023-09-12T15:15:24.327Z", Version: "3.1",
			CVSS: 8.8, KEV: true, Matches: 14,
			Some: CPEMatch{Criteria: "cpe:2.3:a:mozilla:firefox_esr:*:*:*:*:*:*:*:*", VersionStartIncluding: "115.0", VersionEndExcluding: "115.2.1"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(fixtures.Path(t, "nvd", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cves, err := ParseNVD(tc.file, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(cves) != 1 {
				t.Fatalf("got %d CVEs, want 1", len(cves))
			}
			c := cves[0]
			got := want{ID: c.ID, Status: c.Status, Published: c.Published.Format(time.RFC3339Nano), Version: c.CVSSVersion,
				CVSS: c.CVSS, KEV: c.KEV, Matches: len(c.Matches)}
			for _, m := range c.Matches {
				if m == tc.want.Some {
					got.Some = m
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			if !strings.HasPrefix(c.Description, "") || c.Description == "" {
				t.Errorf("no description")
			}
		})
	}
}

func TestParseKEV(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "kev", "known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	k, err := ParseKEV("kev.json", f)
	if err != nil {
		t.Fatal(err)
	}
	if k.CatalogVersion != "2024.07.01" || k.Count != 2 || len(k.Vulnerabilities) != 2 {
		t.Fatalf("catalogue %q count %d entries %d", k.CatalogVersion, k.Count, len(k.Vulnerabilities))
	}
	s := k.set()
	want := kevSet{
		"CVE-2021-44228": {added: time.Date(2021, 12, 10, 0, 0, 0, 0, time.UTC), ransomware: true},
		"CVE-2023-4863":  {added: time.Date(2023, 9, 13, 0, 0, 0, 0, time.UTC)},
	}
	if d := cmp.Diff(want, s, cmp.AllowUnexported(kevInfo{})); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

// TestParseEveryFixture: every OSV and NVD fixture parses, told apart by
// content, with asserted record counts.
func TestParseEveryFixture(t *testing.T) {
	dir := fixtures.Dir(t)
	counts := map[string]int{}
	for _, kind := range []string{"osv", "nvd"} {
		entries, err := os.ReadDir(filepath.Join(dir, kind))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() == "schema.json" {
				continue // the OSV JSON schema, used by TestOSVTestdataMatchesSchema
			}
			doc, err := ParseFile(filepath.Join(dir, kind, e.Name()))
			if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			if doc.Kind() != kind {
				t.Errorf("%s parsed as %s, want %s", e.Name(), doc.Kind(), kind)
			}
			counts[kind] += len(doc.OSV) + len(doc.CVEs)
		}
	}
	if d := cmp.Diff(map[string]int{"osv": 2, "nvd": 2}, counts); d != "" {
		t.Errorf("record counts (-want +got)\n%s", d)
	}
	doc, err := ParseFile(filepath.Join("testdata", "kev", "known_exploited_vulnerabilities.json"))
	if err != nil || doc.Kind() != "kev" || len(doc.KEV.Vulnerabilities) != 2 {
		t.Fatalf("KEV: kind %v err %v", doc, err)
	}
}

func TestBuildStats(t *testing.T) {
	_, st := buildFixtureIndex(t)
	// 2 OSV fixtures + 2 testdata records (a third is withdrawn); 2 NVD CVEs.
	want := Stats{Format: FormatVersion, Advisories: 4, Withdrawn: 1, CVEs: 2, KEV: 2, KEVCatalog: "2024.07.01",
		Ecosystems: map[string]int{"Go": 1, "PyPI": 1, "Maven": 1, "Debian": 1, "NVD": 2}}
	got := *st
	got.BuiltAt, got.Sources, got.Path, got.Size, got.Packages = time.Time{}, nil, "", 0, 0
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	// Keys: gin, gradio, log4j-core, xz-utils (one key for every Debian
	// release), and 9 CPE vendor/product pairs.
	if st.Packages != 4+9 {
		t.Errorf("Packages = %d, want 13", st.Packages)
	}
	if len(st.Sources) != 5 || st.Sources[2].Kind != "directory" || st.Sources[2].Files != 2 || st.Sources[3].Records != 3 {
		t.Errorf("sources = %+v", st.Sources)
	}
	if st.Sources[0].SHA256 != "115d14fbe1d1213925c39c963aa4203d0a18cba1b03b611038a9292d3b116068" {
		t.Errorf("GO-2020-0001 digest %s does not match SOURCES.md", st.Sources[0].SHA256)
	}
}

func TestMatchFixtures(t *testing.T) {
	ix, _ := buildFixtureIndex(t)
	gin := "GO-2020-0001"
	tests := []struct {
		name string
		c    model.Component
		want []matchView
	}{
		{"gin affected (purl)", model.Component{Name: "gin", Version: "v1.5.0", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.5.0"},
			[]matchView{{gin, ">=0, <1.6.0", "1.6.0", model.Medium, 0, false, "2021-04-14T20:04:52Z"}}},
		{"gin affected (ecosystem, pseudo-version)", model.Component{Name: "github.com/gin-gonic/gin", Version: "v0.0.0-20190301021747-ccb9e902956d", Ecosystem: "Go"},
			[]matchView{{gin, ">=0, <1.6.0", "1.6.0", model.Medium, 0, false, "2021-04-14T20:04:52Z"}}},
		{"gin pre-release of the fix", model.Component{Version: "v1.6.0-rc.1", PURL: "pkg:golang/github.com/gin-gonic/gin"},
			[]matchView{{gin, ">=0, <1.6.0", "1.6.0", model.Medium, 0, false, "2021-04-14T20:04:52Z"}}},
		{"gin fixed", model.Component{Name: "gin", Version: "v1.6.0", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.6.0"}, nil},
		{"gin later", model.Component{Name: "gin", Version: "1.9.1", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.9.1"}, nil},
		{"Go module paths are case-sensitive", model.Component{Version: "v1.5.0", PURL: "pkg:golang/github.com/Gin-Gonic/gin@v1.5.0"}, nil},
		{"gradio listed version", model.Component{PURL: "pkg:pypi/Gradio@4.36.1"},
			[]matchView{{"GHSA-9v2f-6vcg-3hgv", "versions: 4.36.1, 4.36.-1", "", model.Critical, 9.8, false, "2024-07-01T21:31:15Z"}}},
		{"gradio PEP 440 equal spelling", model.Component{Name: "gradio", Ecosystem: "pypi", Version: "4.36.1.0"},
			[]matchView{{"GHSA-9v2f-6vcg-3hgv", "versions: 4.36.1, 4.36.-1", "", model.Critical, 9.8, false, "2024-07-01T21:31:15Z"}}},
		{"gradio unlisted version", model.Component{PURL: "pkg:pypi/gradio@4.36.0"}, nil},
		{"gradio later", model.Component{PURL: "pkg:pypi/gradio@4.37.1"}, nil},
		{"log4j-core 2.14.1: KEV via alias", model.Component{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
			[]matchView{{"GHSA-jfh8-c2jp-5v3q", ">=2.13.0, <2.15.0", "2.15.0", model.Critical, 10, true, "2021-12-10T00:40:56Z"}}},
		{"log4j-core 2.0-beta9 (Maven qualifier order)", model.Component{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta9"},
			[]matchView{{"GHSA-jfh8-c2jp-5v3q", ">=2.0-beta9, <2.3.1", "2.3.1", model.Critical, 10, true, "2021-12-10T00:40:56Z"}}},
		{"log4j-core 2.0-beta8", model.Component{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta8"}, nil},
		{"log4j-core 2.12.2", model.Component{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.2"}, nil},
		{"log4j-core 2.15.0", model.Component{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0"}, nil},
		{"xz 5.6.0 by CPE", model.Component{Name: "xz-utils", Version: "5.6.0", CPEs: []string{"cpe:2.3:a:tukaani:xz:5.6.0:*:*:*:*:*:*:*"}},
			[]matchView{{"CVE-2024-3094", "=5.6.0", "", model.Critical, 10, false, "2024-03-29T17:15:21Z"}}},
		{"xz 5.6.1 by CPE without version", model.Component{Name: "xz", Version: "5.6.1", CPEs: []string{"cpe:2.3:a:tukaani:xz:*:*:*:*:*:*:*:*"}},
			[]matchView{{"CVE-2024-3094", "=5.6.1", "", model.Critical, 10, false, "2024-03-29T17:15:21Z"}}},
		{"xz 5.4.6 by CPE", model.Component{Name: "xz", Version: "5.4.6", CPEs: []string{"cpe:2.3:a:tukaani:xz:5.4.6:*:*:*:*:*:*:*"}}, nil},
		{"libwebp 1.3.1: KEV from NVD", model.Component{Name: "libwebp", Version: "1.3.1", CPEs: []string{"cpe:2.3:a:webmproject:libwebp:1.3.1:*:*:*:*:*:*:*"}},
			[]matchView{{"CVE-2023-4863", "<1.3.2", "1.3.2", model.Critical, 8.8, true, "2023-09-12T15:15:24Z"}}},
		{"libwebp 1.3.2", model.Component{Name: "libwebp", Version: "1.3.2", CPEs: []string{"cpe:/a:webmproject:libwebp:1.3.2"}}, nil},
		{"firefox_esr inside the second range", model.Component{Version: "115.2.0", CPEs: []string{"cpe:2.3:a:mozilla:firefox_esr:*:*:*:*:*:*:*:*"}},
			[]matchView{{"CVE-2023-4863", ">=115.0, <115.2.1", "115.2.1", model.Critical, 8.8, true, "2023-09-12T15:15:24Z"}}},
		{"firefox_esr at the first range's end", model.Component{Version: "102.15.1", CPEs: []string{"cpe:2.3:a:mozilla:firefox_esr:*:*:*:*:*:*:*:*"}}, nil},
		{"firefox_esr between the ranges", model.Component{Version: "110.0", CPEs: []string{"cpe:2.3:a:mozilla:firefox_esr:*:*:*:*:*:*:*:*"}}, nil},
		{"Debian OS firmware CPE", model.Component{Type: "operating-system", Version: "12", CPEs: []string{"cpe:2.3:o:debian:debian_linux:12:*:*:*:*:*:*:*"}},
			[]matchView{{"CVE-2023-4863", "=12.0", "", model.Critical, 8.8, true, "2023-09-12T15:15:24Z"}}},
		{"CPE part must agree", model.Component{Version: "12.0", CPEs: []string{"cpe:2.3:h:debian:debian_linux:12.0:*:*:*:*:*:*:*"}}, nil},
		{"Debian 13 range", model.Component{Name: "xz-utils", Version: "5.6.0-0.2", PURL: "pkg:deb/debian/xz-utils@5.6.0-0.2?distro=debian-13"},
			[]matchView{{"DEBIAN-CVE-2024-3094", ">=5.6.0-0.1, <5.6.1+really5.4.5-1", "5.6.1+really5.4.5-1", model.Medium, 0, false, "2024-03-29T17:15:21Z"}}},
		{"Debian 13 fixed (~ and + ordering)", model.Component{Version: "5.6.1+really5.4.5-1", PURL: "pkg:deb/debian/xz-utils?distro=trixie"}, nil},
		{"Debian 12 last_affected", model.Component{Version: "5.4.1-0.2", PURL: "pkg:deb/debian/liblzma5@5.4.1-0.2?upstream=xz-utils&distro=debian-12"},
			[]matchView{{"DEBIAN-CVE-2024-3094", ">=0, <=5.4.1-0.2", "", model.Medium, 0, false, "2024-03-29T17:15:21Z"}}},
		{"Debian 12 after last_affected", model.Component{Version: "5.4.1-1", PURL: "pkg:deb/debian/xz-utils@5.4.1-1?distro=debian-12"}, nil},
		{"Debian 11 has only a GIT range", model.Component{Version: "5.2.5-2.1", PURL: "pkg:deb/debian/xz-utils@5.2.5-2.1?distro=debian-11"}, nil},
		{"Debian release unknown: every release's entry applies", model.Component{Name: "xz-utils", Ecosystem: "Debian", Version: "5.4.1-0.2"},
			[]matchView{{"DEBIAN-CVE-2024-3094", ">=0, <=5.4.1-0.2 (Debian:12)", "", model.Medium, 0, false, "2024-03-29T17:15:21Z"}}},
		{"no version, no match", model.Component{Name: "gin", PURL: "pkg:golang/github.com/gin-gonic/gin"}, nil},
		{"unknown package", model.Component{PURL: "pkg:npm/left-pad@1.0.0"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := ix.Match(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, view(ms)); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

// TestMatchDetails checks the fields the view leaves out, on the brief's
// acceptance example: a component affected by a fixture advisory names
// the advisory, the affected range and the fixed version.
func TestMatchDetails(t *testing.T) {
	ix, _ := buildFixtureIndex(t)
	c := model.Component{Name: "gin", Version: "v1.5.0", PURL: "pkg:golang/github.com/gin-gonic/gin@v1.5.0", BOMRef: "gin"}
	ms, err := ix.Match(c)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.VulnMatch{{
		Component: "gin", Version: "v1.5.0", PURL: c.PURL, Ecosystem: "Go", Advisory: "GO-2020-0001",
		Aliases: []string{"CVE-2020-36567", "GHSA-6vm3-jj99-7229"}, Summary: "Arbitrary log line injection in github.com/gin-gonic/gin",
		Severity: model.Medium, Affected: ">=0, <1.6.0", Fixed: "1.6.0",
		Published: model.Timestamp{Time: time.Date(2021, 4, 14, 20, 4, 52, 0, time.UTC)},
	}}
	if d := cmp.Diff(want, ms, cmp.Comparer(func(a, b model.Timestamp) bool { return a.Equal(b.Time) })); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	// The Debian record has no summary: the first line of its details.
	ms, _ = ix.Match(model.Component{PURL: "pkg:deb/debian/xz-utils@5.6.0-0.1?distro=debian-13"})
	if len(ms) != 1 || ms[0].Summary != "Malicious code was discovered in the upstream tarballs of xz, starting with version 5.6.0." {
		t.Errorf("summary from details: %+v", ms)
	}
	// Both an OSV advisory and an NVD CVE for one component, KEV first.
	ms, _ = ix.Match(model.Component{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
		CPEs: []string{"cpe:2.3:a:webmproject:libwebp:1.3.0:*:*:*:*:*:*:*"}})
	if got := []string{ms[0].Advisory, ms[1].Advisory}; len(ms) != 2 || got[0] != "GHSA-jfh8-c2jp-5v3q" {
		t.Errorf("order = %v", got)
	}
	all, err := ix.MatchAll([]model.Component{c, c, {PURL: "pkg:pypi/gradio@4.36.1"}})
	if err != nil || len(all) != 3 {
		t.Fatalf("MatchAll = %d matches, %v", len(all), err)
	}
	if !ix.IsKnownExploited("cve-2021-44228") || ix.IsKnownExploited("CVE-2020-36567") {
		t.Errorf("IsKnownExploited wrong")
	}
}

// TestOSVDeduplicatesNVD: an NVD CVE already named by an OSV alias is not
// reported twice for one component; its KEV flag carries over.
func TestOSVDeduplicatesNVD(t *testing.T) {
	dir := t.TempDir()
	osv := `{"id":"GHSA-xxxx","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2023-4863"],
	  "affected":[{"package":{"ecosystem":"npm","name":"webp"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.2"}]}]}]}`
	writeFile(t, filepath.Join(dir, "a.json"), osv)
	out := filepath.Join(dir, "x.idx")
	if _, err := Build(context.Background(), out, filepath.Join(dir, "a.json"), fixtures.Path(t, "nvd", "CVE-2023-4863.json")); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ms, _ := ix.Match(model.Component{PURL: "pkg:npm/webp@1.3.1", CPEs: []string{"cpe:2.3:a:webmproject:libwebp:1.3.1:*:*:*:*:*:*:*"}})
	want := []matchView{{"GHSA-xxxx", ">=0, <1.3.2", "1.3.2", model.Critical, 8.8, true, ""}}
	if d := cmp.Diff(want, view(ms)); d != "" {
		t.Fatalf("(-want +got)\n%s", d)
	}
	// The same CVE ID from OSV and NVD is reported once.
	osv2 := strings.Replace(osv, `"GHSA-xxxx"`, `"CVE-2023-4863"`, 1)
	writeFile(t, filepath.Join(dir, "a.json"), osv2)
	if _, err := Build(context.Background(), out, filepath.Join(dir, "a.json"), fixtures.Path(t, "nvd", "CVE-2023-4863.json")); err != nil {
		t.Fatal(err)
	}
	ix2, _ := Open(out)
	defer ix2.Close()
	ms, _ = ix2.Match(model.Component{PURL: "pkg:npm/webp@1.3.1", CPEs: []string{"cpe:2.3:a:webmproject:libwebp:1.3.1:*:*:*:*:*:*:*"}})
	if len(ms) != 1 || !ms[0].KEV {
		t.Fatalf("want one KEV match, got %v", view(ms))
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDuplicatesAndWithdrawn(t *testing.T) {
	dir := t.TempDir()
	rec := func(modified, fixed string) string {
		return `{"id":"OSV-1","modified":"` + modified + `","affected":[{"package":{"ecosystem":"npm","name":"Pkg"},
		  "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"` + fixed + `"}]}]}]}`
	}
	writeFile(t, filepath.Join(dir, "src", "old.json"), rec("2024-01-01T00:00:00Z", "1.0.0"))
	writeFile(t, filepath.Join(dir, "src", "new.json"), rec("2024-06-01T00:00:00Z", "2.0.0"))
	writeFile(t, filepath.Join(dir, "src", "sub", "gone.json"), `{"id":"OSV-2","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-02-01T00:00:00Z",
	  "affected":[{"package":{"ecosystem":"npm","name":"pkg"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`)
	writeFile(t, filepath.Join(dir, "src", "git.json"), `{"id":"OSV-3","modified":"2024-01-01T00:00:00Z",
	  "affected":[{"ranges":[{"type":"GIT","repo":"https://example.org/r","events":[{"introduced":"0"}]}]}]}`)
	writeFile(t, filepath.Join(dir, "src", ".git", "ignored.json"), `not json`)
	writeFile(t, filepath.Join(dir, "src", "schema.json"), `{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}`)
	writeFile(t, filepath.Join(dir, "src", "README.md"), `ignored`)
	out := filepath.Join(dir, "x.idx")
	st, err := Build(context.Background(), out, filepath.Join(dir, "src"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Advisories != 1 || st.Superseded != 1 || st.Withdrawn != 1 || st.Unindexed != 1 || st.Skipped != 1 || st.Sources[0].Files != 4 {
		t.Fatalf("stats %+v", st)
	}
	ix, _ := Open(out)
	defer ix.Close()
	ms, _ := ix.Match(model.Component{PURL: "pkg:npm/pkg@1.5.0"})
	if len(ms) != 1 || ms[0].Fixed != "2.0.0" {
		t.Fatalf("the later modified copy must win: %v", view(ms))
	}
}

func TestImportAddsSources(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.idx")
	ctx := context.Background()
	if _, err := Import(ctx, out, fixtures.Path(t, "osv", "GO-2020-0001.json")); err != nil {
		t.Fatal(err)
	}
	st, err := Import(ctx, out, fixtures.Path(t, "osv", "GHSA-9v2f-6vcg-3hgv.json"), fixtures.Path(t, "osv", "GO-2020-0001.json"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Advisories != 2 || len(st.Sources) != 2 {
		t.Fatalf("after the second import: %d advisories, %d sources", st.Advisories, len(st.Sources))
	}
	if _, err := Build(ctx, out); err == nil {
		t.Fatal("Build without sources should fail")
	}
	// A named file that is not vulnerability data is an error; the same
	// file inside an imported folder is skipped.
	if _, err := Build(ctx, out, fixtures.Path(t, "osv", "schema.json")); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not OSV, NVD or KEV data") {
		t.Fatalf("schema as a source: %v", err)
	}
	st, err = Build(ctx, out, fixtures.Path(t, "osv"))
	if err != nil || st.Advisories != 2 || st.Skipped != 1 {
		t.Fatalf("fixture folder: %+v %v", st, err)
	}
}

func TestZipSource(t *testing.T) {
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "all.zip")
	writeZip(t, zipPath, map[string]string{
		"GO-2020-0001.json":        readFixture(t, "osv", "GO-2020-0001.json"),
		"GHSA-9v2f-6vcg-3hgv.json": readFixture(t, "osv", "GHSA-9v2f-6vcg-3hgv.json"),
		"__MACOSX/._x.json":        "junk",
		"notes.txt":                "ignored",
	})
	out := filepath.Join(dir, "x.idx")
	st, err := Build(context.Background(), out, zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Advisories != 2 || st.Sources[0].Kind != "zip" || st.Sources[0].Files != 2 || len(st.Sources[0].SHA256) != 64 {
		t.Fatalf("stats %+v", st)
	}
}

func TestDefaultPath(t *testing.T) {
	p, err := DefaultPath()
	if err != nil {
		t.Skip(err)
	}
	if filepath.Base(p) != "vulndb.idx" || filepath.Base(filepath.Dir(p)) != "iotguard" {
		t.Errorf("DefaultPath = %s", p)
	}
}

func TestStatsRoundTrip(t *testing.T) {
	ix, st := buildFixtureIndex(t)
	got := ix.Stats()
	if !got.BuiltAt.Equal(st.BuiltAt) || got.Advisories != st.Advisories || got.Size != st.Size || got.Path == "" {
		t.Fatalf("Stats after Open differ: %+v vs %+v", got, st)
	}
	b, err := json.Marshal(got)
	if err != nil || !strings.Contains(string(b), `"kev_catalog":"2024.07.01"`) {
		t.Fatalf("stats JSON %s %v", b, err)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	_, err := Parse("x.json", strings.NewReader(`{"id": 5}`))
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("type error not ErrFormat: %v", err)
	}
	_, err = Open(filepath.Join(t.TempDir(), "missing.idx"))
	if err == nil || !strings.Contains(err.Error(), "iotguard vulndb import") {
		t.Fatalf("missing index: %v", err)
	}
}

// A GO record and a GHSA record of the same CVE are one finding, and the
// merged record's ID stays visible among the aliases.
func TestMergedTwinKeepsItsID(t *testing.T) {
	dir := t.TempDir()
	goRec := `{"id":"GO-2099-0001","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-1","GHSA-aaaa-bbbb-cccc"],
	  "affected":[{"package":{"ecosystem":"Go","name":"example.com/lib"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}`
	ghsa := `{"id":"GHSA-dddd-eeee-ffff","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-1"],
	  "affected":[{"package":{"ecosystem":"Go","name":"example.com/lib"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.0"}]}]}]}`
	writeFile(t, filepath.Join(dir, "osv", "go.json"), goRec)
	writeFile(t, filepath.Join(dir, "osv", "ghsa.json"), ghsa)
	out := filepath.Join(dir, "x.idx")
	if _, err := Build(context.Background(), out, filepath.Join(dir, "osv")); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ms, err := ix.Match(model.Component{PURL: "pkg:golang/example.com/lib@v1.1.0"})
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches %v, %v; want one", view(ms), err)
	}
	ids := append([]string{ms[0].Advisory}, ms[0].Aliases...)
	for _, want := range []string{"GO-2099-0001", "GHSA-dddd-eeee-ffff", "CVE-2099-1"} {
		if !slices.Contains(ids, want) {
			t.Errorf("IDs %v lack %s", ids, want)
		}
	}
}
