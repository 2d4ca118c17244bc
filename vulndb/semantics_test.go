package vulndb

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRangeSemantics follows the OSV evaluation pseudo-code case by case.
func TestRangeSemantics(t *testing.T) {
	ev := func(kind, v string) OSVEvent {
		switch kind {
		case "i":
			return OSVEvent{Introduced: v}
		case "f":
			return OSVEvent{Fixed: v}
		case "la":
			return OSVEvent{LastAffected: v}
		}
		return OSVEvent{Limit: v}
	}
	semver := func(events ...OSVEvent) OSVRange { return OSVRange{Type: "SEMVER", Events: events} }
	eco := func(events ...OSVEvent) OSVRange { return OSVRange{Type: "ECOSYSTEM", Events: events} }
	git := OSVRange{Type: "GIT", Repo: "https://example.org/r", Events: []OSVEvent{ev("i", "abc123"), ev("f", "def456")}}
	type result struct {
		Hit           bool
		Text, Fixed   string
		KeptVersions  []string
		RangesIndexed int
	}
	tests := []struct {
		name      string
		ecosystem string
		ranges    []OSVRange
		versions  []string
		version   string
		want      result
	}{
		{"introduced 0 is the beginning", "npm", []OSVRange{semver(ev("i", "0"), ev("f", "1.2.3"))}, nil, "0.0.1",
			result{true, ">=0, <1.2.3", "1.2.3", nil, 1}},
		{"fixed version is not affected", "npm", []OSVRange{semver(ev("i", "0"), ev("f", "1.2.3"))}, nil, "1.2.3", result{RangesIndexed: 1}},
		{"pre-release of the fix is affected", "npm", []OSVRange{semver(ev("i", "0"), ev("f", "1.2.3"))}, nil, "1.2.3-rc.1",
			result{true, ">=0, <1.2.3", "1.2.3", nil, 1}},
		{"before introduced", "npm", []OSVRange{semver(ev("i", "1.0.0"), ev("f", "1.2.3"))}, nil, "0.9.9", result{RangesIndexed: 1}},
		{"introduced is inclusive", "npm", []OSVRange{semver(ev("i", "1.0.0"), ev("f", "1.2.3"))}, nil, "1.0.0",
			result{true, ">=1.0.0, <1.2.3", "1.2.3", nil, 1}},
		{"no fix: everything after", "npm", []OSVRange{semver(ev("i", "1.0.0"))}, nil, "99.0.0", result{true, ">=1.0.0", "", nil, 1}},
		{"last_affected is inclusive", "PyPI", []OSVRange{eco(ev("i", "0"), ev("la", "2.1.214"))}, nil, "2.1.214",
			result{true, ">=0, <=2.1.214", "", nil, 1}},
		{"after last_affected", "PyPI", []OSVRange{eco(ev("i", "0"), ev("la", "2.1.214"))}, nil, "2.1.214.post1", result{RangesIndexed: 1}},
		{"multiple intervals: second", "npm", []OSVRange{semver(ev("i", "1.0.0"), ev("f", "1.0.2"), ev("i", "3.0.0"), ev("f", "3.2.5"))}, nil, "3.1.0",
			result{true, ">=3.0.0, <3.2.5", "3.2.5", nil, 1}},
		{"multiple intervals: gap", "npm", []OSVRange{semver(ev("i", "1.0.0"), ev("f", "1.0.2"), ev("i", "3.0.0"), ev("f", "3.2.5"))}, nil, "2.0.0",
			result{RangesIndexed: 1}},
		{"unsorted events are sorted first", "npm", []OSVRange{semver(ev("f", "3.2.5"), ev("i", "3.0.0"), ev("f", "1.0.2"), ev("i", "1.0.0"))}, nil, "1.0.1",
			result{true, ">=1.0.0, <1.0.2", "1.0.2", nil, 1}},
		{"ecosystem ordering sorts events (Maven)", "Maven", []OSVRange{eco(ev("f", "2.0"), ev("i", "2.0-beta1"))}, nil, "2.0-rc1",
			result{true, ">=2.0-beta1, <2.0", "2.0", nil, 1}},
		{"limit above: affected", "npm", []OSVRange{semver(ev("i", "1.0.0"), ev("l", "2.0.0"))}, nil, "1.5.0",
			result{true, ">=1.0.0, <2.0.0 (limit)", "", nil, 1}},
		{"at the limit: not affected", "npm", []OSVRange{semver(ev("i", "1.0.0"), ev("l", "2.0.0"))}, nil, "2.0.0", result{RangesIndexed: 1}},
		{"limit * is infinity", "npm", []OSVRange{semver(ev("i", "1.0.0"), ev("l", "*"))}, nil, "9.0.0", result{true, ">=1.0.0", "", nil, 1}},
		{"any of several limits", "npm", []OSVRange{semver(ev("i", "1.0.0"), ev("l", "1.1.0"), ev("l", "3.0.0"))}, nil, "2.0.0",
			result{true, ">=1.0.0, <3.0.0 (limit)", "", nil, 1}},
		{"versions list only", "PyPI", nil, []string{"1.0", "1.1"}, "1.1", result{true, "versions: 1.0, 1.1", "", []string{"1.0", "1.1"}, 0}},
		{"versions list by ecosystem equality", "PyPI", nil, []string{"1.0", "1.1"}, "1.1.0", result{true, "versions: 1.0, 1.1", "", []string{"1.0", "1.1"}, 0}},
		{"versions list miss", "PyPI", nil, []string{"1.0", "1.1"}, "1.2", result{KeptVersions: []string{"1.0", "1.1"}}},
		{"range or versions list", "npm", []OSVRange{semver(ev("i", "2.0.0"), ev("f", "2.1.0"))}, []string{"1.0.0", "2.0.5"}, "1.0.0",
			result{true, "versions: 1.0.0", "", []string{"1.0.0"}, 1}},
		{"GIT first does not hide the ECOSYSTEM range", "Go", []OSVRange{git, eco(ev("i", "0"), ev("f", "1.6.0"))}, nil, "v1.5.0",
			result{true, ">=0, <1.6.0", "1.6.0", nil, 1}},
		{"GIT only, no versions: nothing to match", "Go", []OSVRange{git}, nil, "v1.5.0", result{}},
		{"two ranges: nearest fix", "npm", []OSVRange{semver(ev("i", "0"), ev("f", "3.0.0")), semver(ev("i", "1.0.0"), ev("f", "1.4.0"))}, nil, "1.2.0",
			result{true, ">=0, <3.0.0", "1.4.0", nil, 2}},
		{"events of unknown type are ignored", "npm", []OSVRange{semver(ev("i", "1.0.0"), OSVEvent{}, ev("f", "1.1.0"))}, nil, "1.0.5",
			result{true, ">=1.0.0, <1.1.0", "1.1.0", nil, 1}},
		{"unknown range types are ignored", "npm", []OSVRange{{Type: "FANCY", Events: []OSVEvent{ev("i", "0")}}}, nil, "1.0.0", result{}},
		{"Go versions without v match v-prefixed", "Go", []OSVRange{semver(ev("i", "1.2.0"), ev("f", "1.2.5"))}, []string{"1.1.0"}, "v1.1.0",
			result{true, "versions: 1.1.0", "", []string{"1.1.0"}, 1}},
		{"Debian epoch ordering", "Debian:12", []OSVRange{eco(ev("i", "0"), ev("f", "1:2.0-1"))}, nil, "3.0-1", result{true, ">=0, <1:2.0-1", "1:2.0-1", nil, 1}},
		{"Alpine revisions", "Alpine:v3.18", []OSVRange{eco(ev("i", "0"), ev("f", "3.1.4-r5"))}, nil, "3.1.4-r10", result{RangesIndexed: 1}},
		{"same version introduced and fixed", "npm", []OSVRange{semver(ev("i", "1.0.0"), ev("f", "1.0.0"))}, nil, "1.0.0", result{RangesIndexed: 1}},
		{"adjacent intervals", "npm", []OSVRange{semver(ev("i", "0"), ev("f", "1.0.0"), ev("i", "1.0.0"), ev("f", "2.0.0"))}, nil, "1.0.0",
			result{true, ">=1.0.0, <2.0.0", "2.0.0", nil, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := OSVAffected{Package: OSVPackage{Ecosystem: tc.ecosystem, Name: "p"}, Ranges: tc.ranges, Versions: tc.versions}
			spec, ok := prepareAffected(&a, baseOf(tc.ecosystem))
			var got result
			if ok {
				got.KeptVersions, got.RangesIndexed = spec.versions, len(spec.ranges)
				got.Hit, got.Text, got.Fixed = evalAffected(&spec, newVerCtx(baseOf(tc.ecosystem), tc.version))
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

// TestVersionsPruned: versions already inside a range are not stored.
func TestVersionsPruned(t *testing.T) {
	a := OSVAffected{
		Package:  OSVPackage{Ecosystem: "PyPI", Name: "p"},
		Ranges:   []OSVRange{{Type: "ECOSYSTEM", Events: []OSVEvent{{Introduced: "1.0"}, {Fixed: "1.3"}}}},
		Versions: []string{"1.0", "1.1", "1.2", "1.2", "0.9", "", "2.0rc1"},
	}
	spec, _ := prepareAffected(&a, "PyPI")
	if d := cmp.Diff([]string{"0.9", "2.0rc1"}, spec.versions); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func baseOf(eco string) string {
	switch eco {
	case "Debian:12":
		return "Debian"
	case "Alpine:v3.18":
		return "Alpine"
	}
	return eco
}

// TestPackageByPURLOnly: an affected package given only by purl is indexed
// under the ecosystem and name the purl maps to.
func TestPackageByPURLOnly(t *testing.T) {
	o := OSV{ID: "X", Affected: []OSVAffected{{
		Package: OSVPackage{PURL: "pkg:pypi/Some_Pkg"},
		Ranges:  []OSVRange{{Type: "ECOSYSTEM", Events: []OSVEvent{{Introduced: "0"}, {Fixed: "2.0"}}}},
	}}}
	p := prepareOSV(&o)
	if len(p.entries) != 1 || p.entries[0].key != "PyPI\x00some-pkg" {
		t.Fatalf("entries %+v", p.entries)
	}
}
