package vercmp

import "testing"

var fuzzEcosystems = []string{"SEMVER", "Go", "npm", "PyPI", "Maven", "Debian", "Ubuntu:22.04:LTS", "Alpine:v3.18", "Red Hat", "", "crates.io", "RubyGems"}

// FuzzCompare checks that Compare never panics, is antisymmetric and
// reflexive, and agrees with parsed Versions, for every ordering.
func FuzzCompare(f *testing.F) {
	for _, tc := range orders {
		for i := 1; i < len(tc.versions); i++ {
			f.Add(uint8(i), tc.versions[i-1], tc.versions[i])
		}
	}
	f.Add(uint8(3), "4.36.1", "4.36.-1")
	f.Add(uint8(7), "1.0bc", "1.0_alpha")
	f.Fuzz(func(t *testing.T, e uint8, a, b string) {
		eco := fuzzEcosystems[int(e)%len(fuzzEcosystems)]
		ab, ba := Compare(eco, a, b), Compare(eco, b, a)
		if ab != -ba || ab < -1 || ab > 1 {
			t.Fatalf("%s: Compare(%q, %q) = %d but Compare(%q, %q) = %d", eco, a, b, ab, b, a, ba)
		}
		if c := Compare(eco, a, a); c != 0 {
			t.Fatalf("%s: Compare(%q, itself) = %d", eco, a, c)
		}
		va, _ := Parse(eco, a)
		vb, _ := Parse(eco, b)
		if c := va.Compare(vb); c != ab {
			t.Fatalf("%s: Version.Compare = %d, Compare = %d for %q, %q", eco, c, ab, a, b)
		}
	})
}
