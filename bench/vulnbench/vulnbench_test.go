package main

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func smallConfig() config {
	return config{advisories: 3000, components: 600, seed: 7, edgeCases: true}
}

func TestGenerateDeterministic(t *testing.T) {
	a, b := generate(smallConfig()), generate(smallConfig())
	if len(a.advs) != 3000 || len(a.comps) != 600 {
		t.Fatalf("got %d advisories, %d components", len(a.advs), len(a.comps))
	}
	for i := range a.advs {
		if !reflect.DeepEqual(a.record(&a.advs[i]), b.record(&b.advs[i])) {
			t.Fatalf("advisory %d differs between two runs with one seed", i)
		}
	}
	if !reflect.DeepEqual(a.comps, b.comps) {
		t.Fatal("components differ between two runs with one seed")
	}
	cfg := smallConfig()
	cfg.seed = 8
	if c := generate(cfg); reflect.DeepEqual(c.comps, a.comps) {
		t.Fatal("another seed gave the same SBOM")
	}
}

func TestHistoriesDistinct(t *testing.T) {
	c := generate(smallConfig())
	for _, p := range c.pkgs {
		seen := map[string]bool{}
		for _, v := range p.hist {
			if seen[v] || v == "" {
				t.Fatalf("%s %s: version %q repeated or empty in %v", p.eco, p.name, v, p.hist)
			}
			seen[v] = true
		}
	}
}

func TestRangeContains(t *testing.T) {
	r := rangeSpec{[]event{{evIntroduced, -1}, {evFixed, 3}, {evIntroduced, 5}, {evLastAffected, 7}}}
	var got []int32
	for v := int32(0); v < 10; v++ {
		if r.contains(v) {
			got = append(got, v)
		}
	}
	if want := []int32{0, 1, 2, 5, 6, 7}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestAffectedShare(t *testing.T) {
	c := generate(config{advisories: 20000, components: 2000, seed: 1, edgeCases: true})
	affected := 0
	for _, comp := range c.comps {
		if len(comp.expected) > 0 {
			affected++
		}
	}
	if share := float64(affected) / float64(len(c.comps)); share < 0.03 || share > 0.07 {
		t.Fatalf("%.1f %% of the components are affected, want about 5 %%", 100*share)
	}
}

// schemaFields are the OSV schema's fields by object (osv-scanner skips a
// record with any other field).
var schemaFields = map[string][]string{
	"":           {"schema_version", "id", "modified", "published", "withdrawn", "aliases", "related", "upstream", "summary", "details", "severity", "affected", "references", "credits", "database_specific"},
	"affected":   {"package", "severity", "ranges", "versions", "ecosystem_specific", "database_specific"},
	"package":    {"ecosystem", "name", "purl"},
	"ranges":     {"type", "repo", "events", "database_specific"},
	"events":     {"introduced", "fixed", "last_affected", "limit"},
	"severity":   {"type", "score"},
	"references": {"type", "url"},
	"credits":    {"name", "contact", "type"},
}

func checkFields(t *testing.T, id, obj string, v map[string]any) {
	t.Helper()
	for k, x := range v {
		if !slices.Contains(schemaFields[obj], k) {
			t.Fatalf("%s: field %q is not in the OSV schema's %q object", id, k, obj)
		}
		switch k {
		case "affected", "package", "ranges", "events", "severity", "references", "credits":
			switch x := x.(type) {
			case map[string]any:
				checkFields(t, id, k, x)
			case []any:
				for _, e := range x {
					checkFields(t, id, k, e.(map[string]any))
				}
			}
		}
	}
}

func TestRecordsSchemaExact(t *testing.T) {
	c := generate(smallConfig())
	dir := t.TempDir()
	zips, err := c.writeDB(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	enums := map[string][]string{"ranges": {"GIT", "SEMVER", "ECOSYSTEM"}, "severity": {"CVSS_V3"},
		"references": {"ADVISORY", "PACKAGE", "FIX"}, "credits": {"FINDER"}}
	for _, z := range zips {
		zr, err := zip.OpenReader(z)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			var rec map[string]any
			if err := json.NewDecoder(rc).Decode(&rec); err != nil {
				t.Fatal(err)
			}
			rc.Close()
			id := rec["id"].(string)
			if f.Name != id+".json" {
				t.Fatalf("member %s holds %s", f.Name, id)
			}
			checkFields(t, id, "", rec)
			for _, a := range rec["affected"].([]any) {
				a := a.(map[string]any)
				eco := a["package"].(map[string]any)["ecosystem"].(string)
				if base, _, _ := strings.Cut(eco, ":"); filepath.Base(filepath.Dir(z)) != base {
					t.Fatalf("%s: ecosystem %s in %s", id, eco, z)
				}
				ranges, _ := a["ranges"].([]any)
				for _, r := range ranges {
					typ := r.(map[string]any)["type"].(string)
					if !slices.Contains(enums["ranges"], typ) {
						t.Fatalf("%s: range type %s", id, typ)
					}
				}
			}
			for _, r := range rec["references"].([]any) {
				if typ := r.(map[string]any)["type"].(string); !slices.Contains(enums["references"], typ) {
					t.Fatalf("%s: reference type %s", id, typ)
				}
			}
			n++
		}
		zr.Close()
	}
	if n != len(c.advs) {
		t.Fatalf("%d records in the zips, want %d", n, len(c.advs))
	}
}

func TestSBOM(t *testing.T) {
	c := generate(smallConfig())
	path := filepath.Join(t.TempDir(), "x.cdx.json")
	if err := c.writeSBOM(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var bom cdxBOM
	if err := json.Unmarshal(data, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != "1.5" || len(bom.Components) != 600 {
		t.Fatalf("spec %s, %d components", bom.SpecVersion, len(bom.Components))
	}
	purls := map[string]bool{}
	for _, comp := range bom.Components {
		if purls[comp.PURL] {
			t.Fatalf("purl %s twice", comp.PURL)
		}
		purls[comp.PURL] = true
		switch {
		case strings.HasPrefix(comp.PURL, "pkg:deb/debian/"), strings.HasPrefix(comp.PURL, "pkg:apk/alpine/"):
			if !strings.Contains(comp.PURL, "distro=") {
				t.Fatalf("%s: no distro qualifier", comp.PURL)
			}
		case strings.HasPrefix(comp.PURL, "pkg:golang/"):
			if !strings.HasPrefix(comp.Version, "v") {
				t.Fatalf("%s: Go version without v", comp.PURL)
			}
		}
	}
}

func TestGHSAIDsUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := range 100000 {
		id := ghsaID(i)
		if seen[id] || len(id) != len("GHSA-xxxx-xxxx-xxxx") {
			t.Fatalf("ghsaID(%d) = %s", i, id)
		}
		seen[id] = true
	}
}

func TestCompareClassifies(t *testing.T) {
	c := generate(smallConfig())
	exp := c.expectedSet()
	// A perfect tool on both sides: no disagreement.
	cmp := c.compare(exp, exp)
	if cmp.disagreements != 0 || cmp.unexplained != 0 || cmp.agree != len(exp) {
		t.Fatalf("%+v", cmp)
	}
	// A match nobody expects is unexplained.
	extra := matchSet{key{0, "GHSA-none"}: true}
	for k := range exp {
		extra[k] = true
	}
	if cmp := c.compare(extra, exp); cmp.unexplained != 1 || cmp.disagreements != 1 {
		t.Fatalf("%+v", cmp)
	}
}

func TestParseOutputs(t *testing.T) {
	c := generate(smallConfig())
	var comp *component
	var ci int32
	for i := range c.comps {
		if c.comps[i].eco == ecoMaven && len(c.comps[i].expected) > 0 {
			comp, ci = &c.comps[i], int32(i)
			break
		}
	}
	if comp == nil {
		t.Skip("no affected Maven component in the small corpus")
	}
	id := c.advs[comp.expected[0]].id
	iot, _ := json.Marshal(map[string]any{"matches": []any{map[string]any{"component": comp.name, "version": comp.version, "purl": comp.purl, "advisory": id}}})
	set, unmapped, err := c.parseIotguard(iot)
	if err != nil || len(unmapped) != 0 || !set[key{ci, id}] {
		t.Fatalf("%v %v %v", set, unmapped, err)
	}
	osv, _ := json.Marshal(map[string]any{"results": []any{map[string]any{"packages": []any{map[string]any{
		"package":         map[string]any{"name": comp.group + ":" + comp.name, "version": comp.version, "ecosystem": "Maven"},
		"vulnerabilities": []any{map[string]any{"id": id}}}}}}})
	set, unmapped, err = c.parseOSVScanner(osv)
	if err != nil || len(unmapped) != 0 || !set[key{ci, id}] {
		t.Fatalf("%v %v %v", set, unmapped, err)
	}
}
