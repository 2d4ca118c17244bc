package vercmp

import (
	"errors"
	"strings"
	"testing"
)

// ascending lists versions in strictly increasing order; every pair is
// checked both ways.
type ascending struct {
	name      string
	ecosystem string
	versions  []string
}

// same lists versions that must compare equal.
type same struct {
	ecosystem string
	versions  []string
}

var orders = []ascending{
	{"semver.org precedence example", "SEMVER", []string{
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1",
	}},
	{"semver numeric identifiers", "SEMVER", []string{
		"0.9.9", "0.10.0", "1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-a",
		"1.0.0", "1.0.18446744073709551615", "1.0.18446744073709551616", "10.0.0",
	}},
	{"Go pseudo-versions are pre-releases", "Go", []string{
		"v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-aaaaaaaaaaaa", "v0.0.1",
		"v1.2.3-pre", "v1.2.3-pre.0.20191109021931-daa7c04131f5", "v1.2.3",
		"v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", "v2.0.0+incompatible", "v2.0.1",
	}},
	{"Go toolchain versions", "Go", []string{"go1.20.14", "go1.21rc2", "1.21.0", "go1.21.3", "v1.22.0"}},
	{"npm", "npm", []string{"0.0.1", "=0.1.0", "v1.0.0-beta.1", "1.0.0", "1.0.1", "1.10.0", "11.0.0"}},
	// PEP 440, "Summary of permitted suffixes and relative ordering".
	{"PEP 440 ordering example", "PyPI", []string{
		"1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
		"1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456",
		"1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34",
		"1.0.post456", "1.0.15", "1.1.dev1",
	}},
	{"PEP 440 epochs and legacy", "PyPI", []string{
		"not-a-version", "0.1", "1.0", "2013.10", "2014.04", "1!1.0", "1!2.0", "2!0.1",
	}},
	{"PEP 440 local versions", "PyPI", []string{
		"1.0", "1.0+a", "1.0+a.b", "1.0+a.1", "1.0+0", "1.0+1", "1.0+1.0", "1.0+2", "1.0.post1",
	}},
	// Maven version order specification, padding examples.
	{"Maven spec", "Maven", []string{
		"1-alpha-1", "1-alpha-2", "1-beta-1", "1-milestone-1", "1-rc-1", "1-SNAPSHOT", "1",
		"1-sp", "1-sp-1", "1-abc", "1-foo2", "1-foo10", "1-1", "1.1", "1.2", "1.10", "2",
	}},
	{"Maven mixed", "Maven", []string{
		"1.0-alpha-1-SNAPSHOT", "1.0-alpha-1", "1.0-beta-1", "1.0-SNAPSHOT", "1.0", "1.0-1",
		"1.0-2", "1.0.1", "2.0", "2.0.1", "2.0.1-klm", "2.0.1-lmn", "2.0.1-xyz", "2.0.1-123",
		"2.0.2", "6.1.0rc3", "6.1.0", "6.1H.5-beta", "20190126.230843", "1234567890.12345",
	}},
	{"Maven sp after ga", "Maven", []string{"1-ga.1", "1-sp-1", "1-sp.1", "1-ga-1"}},
	// Debian policy 5.6.12: ~~, ~~a, ~, the empty part, a.
	{"dpkg tilde", "Debian", []string{"1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a", "1.0+dfsg", "1.0.0"}},
	{"dpkg epochs and revisions", "Debian:12", []string{
		"0.9-1", "1.0~rc1-1", "1.0-1", "1.0-1ubuntu1", "1.0-1+deb12u1", "1.0-2", "1.0-10",
		"1.2.3-1", "1.10-1", "1:0.5-1", "1:0.5-1.1", "2:0.1",
	}},
	{"dpkg real packages", "Ubuntu:22.04:LTS", []string{
		"3.0.2-0ubuntu1.10", "3.0.2-0ubuntu1.12", "3.0.2-0ubuntu1.15", "3.0.13-0ubuntu3",
	}},
	// apk-tools version tests.
	{"apk", "Alpine:v3.18", []string{
		"0.1.0_alpha_pre2", "0.1.0_alpha", "0.1.0_alpha2", "0.1.0", "0.1.0_p1", "0.1.3_alpha",
		"1.0.4-r3", "1.0.4-r4", "1.1_alpha1", "1.1", "1.2", "1.2.1", "1.3_alpha", "1.3_alpha2",
		"1.3_beta1", "1.3_pre1", "1.3_rc1", "1.3", "1.3-r1", "1.3-r10", "1.3~abc", "1.3~abd-r1",
		"1.3_cvs", "1.3_svn", "1.3_git", "1.3_hg", "1.3_p1", "1.3_p9", "1.3_p10", "1.3a",
		"1.3b-r1", "1.3.1", "2.0",
	}},
	{"apk leading zeros", "Alpine", []string{"1.0", "1.0.0", "1.00", "1.01", "1.05", "1.1", "006"}},
	{"rpm", "Red Hat:rhel_aus:8.4::appstream", []string{
		"1.0~rc1~git123", "1.0~rc1", "1.0~rc1^git1", "1.0", "1.0-0", "1.0-1", "1.0-1.el7",
		"1.0-2", "1.0^", "1.0^git1", "1.0^git2", "1.0a", "1.0aa", "1.0.1", "1.1",
		"2.0", "0:3.10.0-229.el7", "1:1.0",
	}},
	{"generic firmware", "", []string{
		"0.9", "1.0-alpha", "1.0-beta2", "1.0rc1", "1.0-rc2", "1", "1.0.1", "1.0.2",
		"1.0.2a", "1.0.2w", "1.0.3", "1.1.1", "1.1.1w", "1.1.2", "1.9", "1.10",
		"2.0.0-patch1", "2.0.0-patch2", "2.0.0.1", "v10.0",
	}},
	{"generic dates and builds", "GENERIC", []string{
		"V2.1 build 20190101", "V2.1 build 20200101", "2.1.0.5", "20200101", "20210101",
	}},
	{"NuGet uses generic", "NuGet", []string{"1.0.0-beta", "1.0.0", "1.0.0.1", "1.0.1"}},
}

var equals = []same{
	{"SEMVER", []string{"1.2.3", "v1.2.3", "1.2.3+build.5", "=1.2.3", " 1.2.3 ", "1.2.3.0"}},
	{"SEMVER", []string{"1.2", "1.2.0"}},
	{"Go", []string{"v2.0.0+incompatible", "2.0.0", "v2.0.0"}},
	{"PyPI", []string{"1.0a", "1.0a0", "1.0.alpha.0", "1.0-ALPHA0", "1.0_a_0", "v1.0a0"}},
	{"PyPI", []string{"1.0-1", "1.0.post1", "1.0post1", "1.0.rev1", "1.0r1", "1.0-post-1"}},
	{"PyPI", []string{"1.0c1", "1.0rc1", "1.0pre1", "1.0preview1", "1.0.rc.1"}},
	{"PyPI", []string{"1.0.dev0", "1.0dev", "1.0-dev"}},
	{"PyPI", []string{"1", "1.0", "1.0.0", "01.00"}},
	{"PyPI", []string{"1.0+ubuntu-1", "1.0+ubuntu.1", "1.0+UBUNTU_1"}},
	{"Maven", []string{"1", "1.0", "1.0.0", "1-0", "1.0-0", "1.ga", "1-final", "1.release", "1.", "1-", "01"}},
	{"Maven", []string{"1-foo", "1.foo", "1.0.0-foo.0.0", "1foo"}},
	{"Maven", []string{"1-alpha-1", "1a1", "1-a1", "1.0-ALPHA1"}},
	{"Maven", []string{"1-rc", "1cr", "1-CR"}},
	{"Maven", []string{"1-1", "1-ga-1", "1.0-1"}},
	{"Maven", []string{"1-1.foo-bar-1-baz-0.1", "1-1.foo-bar1baz-.1"}},
	{"Debian", []string{"1.0", "0:1.0", "1.0-0", "1.0-"}},
	{"Debian", []string{"1.01", "1.1"}},
	{"Alpine", []string{"2.16.1-r3", "2.16.1-r3"}},
	{"Red Hat", []string{"1.0", "0:1.0", "1.0.", "1_0"}},
	{"Red Hat", []string{"1-1.", "1-1"}},
	{"", []string{"1.2", "1.2.0", "v1.2", "1.2.0.0", "1-2", "1_2"}},
	{"GENERIC", []string{"1.0-RC1", "1.0rc1", "1.0.rc.1", "1-rc1"}},
	{"GENERIC", []string{"1.2.3a", "1.2.3A"}},
}

func TestOrders(t *testing.T) {
	for _, tc := range orders {
		t.Run(tc.name, func(t *testing.T) {
			for i, a := range tc.versions {
				for j, b := range tc.versions {
					want := cmpInt(i, j)
					if got := Compare(tc.ecosystem, a, b); got != want {
						t.Errorf("Compare(%q, %q, %q) = %d, want %d", tc.ecosystem, a, b, got, want)
					}
				}
			}
		})
	}
}

func TestEquals(t *testing.T) {
	for _, tc := range equals {
		for _, a := range tc.versions {
			for _, b := range tc.versions {
				if got := Compare(tc.ecosystem, a, b); got != 0 {
					t.Errorf("Compare(%q, %q, %q) = %d, want 0", tc.ecosystem, a, b, got)
				}
			}
		}
	}
}

// TestPairs holds single comparisons that do not fit a chain.
func TestPairs(t *testing.T) {
	tests := []struct {
		ecosystem, a, b string
		want            int
	}{
		{"npm", "1.0.0-rc.1", "1.0.0-rc.1+build", 0},
		{"PyPI", "1.0.0+local", "1.0.0", 1},
		{"PyPI", "4.36.1", "4.36.-1", 1}, // legacy version from the GHSA fixture
		{"Maven", "1.0.0.RELEASE", "1.0.0", 0},
		{"Maven", "2.15.2-alpha", "2.15.2", -1},
		{"Maven", "0.0.0-2021-05-17T01-01-51-5ec03a8b", "20.0.0", -1},
		{"Debian", "1:1.0", "2.0", 1},
		{"Debian", "2.36.1-8+deb11u1", "2.36.1-8+deb11u2", -1},
		{"Debian", "7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1},
		{"Alpine", "1.0", "1.0bc", -1}, // invalid: generic fallback
		{"Alpine", "1.2.10", "1.2.9", 1},
		{"Alpine", "1.2.09", "1.2.1", -1}, // leading zero: text order
		{"Alpine", "3.1.4-r5", "3.1.4-r10", -1},
		{"Alpine", "1.0.0_pre20191002222144-r0", "1.0.0_pre20210530193627-r0", -1},
		{"Red Hat", "1", "1-", -1},
		{"Red Hat", "a:1", "b:1", -1},
		{"Red Hat", "1.1.α", "1.1.a", -1},
		{"SUSE", "1.0~rc1", "1.0arc1", -1},
		{"", "1.1.1w", "1.1.1", 1},
		{"", "2.0-patch2", "2.0", 1},
		{"", "1.0a1", "1.0", -1},
		{"", "1.0", "1.0.0.0.1", -1},
		{"crates.io", "0.3.0", "0.3.0-alpha", 1},
		{"RubyGems", "1.0.0.pre", "1.0.0", -1},
	}
	for _, tc := range tests {
		if got := Compare(tc.ecosystem, tc.a, tc.b); got != tc.want {
			t.Errorf("Compare(%q, %q, %q) = %d, want %d", tc.ecosystem, tc.a, tc.b, got, tc.want)
		}
		if got := Compare(tc.ecosystem, tc.b, tc.a); got != -tc.want {
			t.Errorf("Compare(%q, %q, %q) = %d, want %d", tc.ecosystem, tc.b, tc.a, got, -tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		ecosystem, v string
		valid        bool
	}{
		{"SEMVER", "1.2.3-rc.1+b.7", true},
		{"SEMVER", "1.2.x", false},
		{"SEMVER", "1.2.3-", false},
		{"SEMVER", "1.2.3-rc..1", false},
		{"SEMVER", "", false},
		{"Go", "v1.2.3", true},
		{"npm", "latest", false},
		{"PyPI", "1.0.post1.dev2+local.7", true},
		{"PyPI", "4.36.-1", false},
		{"PyPI", "1.0+", false},
		{"Debian", "1:2.3-4", true},
		{"Debian", "x:2.3", false},
		{"Debian", "", false},
		{"Debian", "1:-1", false},
		{"Maven", "anything goes", true},
		{"Alpine", "1.0bc", false},
		{"Alpine", "1.0_foo", false},
		{"Alpine", "1.0-r", false},
		{"Alpine", "1.2.3_rc1~a1b2-r0", true},
		{"Red Hat", "a:b-c", true},
		{"", "whatever 1.2", true},
		{"PyPI", strings.Repeat("1.", 300) + "1", false},
	}
	for _, tc := range tests {
		v, err := Parse(tc.ecosystem, tc.v)
		if (err == nil) != tc.valid || v.Valid() != tc.valid {
			t.Errorf("Parse(%q, %q): err=%v Valid=%v, want valid=%v", tc.ecosystem, tc.v, err, v.Valid(), tc.valid)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q, %q) error %v does not wrap ErrInvalid", tc.ecosystem, tc.v, err)
		}
		if v.String() != tc.v {
			t.Errorf("String() = %q, want %q", v.String(), tc.v)
		}
		// An invalid version still compares, and equals itself.
		if v.Compare(v) != 0 {
			t.Errorf("%q does not equal itself", tc.v)
		}
	}
}

// TestInvalidFallback: invalid versions still order usefully.
func TestInvalidFallback(t *testing.T) {
	if got := Compare("SEMVER", "1.2a", "1.3.0"); got != -1 {
		t.Errorf("SEMVER 1.2a vs 1.3.0 = %d, want -1 (generic fallback)", got)
	}
	if got := Compare("SEMVER", "2.5a", "1.3.0"); got != 1 {
		t.Errorf("SEMVER 2.5a vs 1.3.0 = %d, want 1 (generic fallback)", got)
	}
	if got := Compare("PyPI", "99-garbage", "0.1"); got != -1 {
		t.Errorf("PyPI legacy should sort before valid, got %d", got)
	}
	long := strings.Repeat("9", MaxLength+1)
	if got := Compare("Maven", long, "1"); got != 1 || Compare("Maven", "1", long) != -1 {
		t.Errorf("over-long versions must still compare antisymmetrically")
	}
}

func TestParseOnceCompareMany(t *testing.T) {
	v := MustParse("Debian:12", "1.2-3")
	lo, hi := MustParse("Debian", "1.2-1"), MustParse("debian", "1.2-3+deb12u1")
	if v.Compare(lo) != 1 || v.Compare(hi) != -1 || v.Compare(v) != 0 {
		t.Fatalf("parsed Debian versions misordered")
	}
	// Different ecosystems never compare equal.
	if MustParse("npm", "1.0.0").Compare(MustParse("PyPI", "1.0.0")) == 0 {
		t.Fatalf("versions of different ecosystems compared equal")
	}
	var zero Version
	if zero.Compare(MustParse("", "")) != 0 {
		t.Fatalf("zero Version should equal the empty generic version")
	}
}

func TestEcosystemNames(t *testing.T) {
	tests := []struct{ in, base, suffix, scheme string }{
		{"Debian:12", "Debian", "12", "dpkg"},
		{"debian", "Debian", "", "dpkg"},
		{"Ubuntu:Pro:18.04:LTS", "Ubuntu", "Pro:18.04:LTS", "dpkg"},
		{"Alpine:v3.18", "Alpine", "v3.18", "apk"},
		{"PYPI", "PyPI", "", "pep440"},
		{"Go", "Go", "", "go"},
		{"npm", "npm", "", "semver"},
		{"Maven:https://maven.google.com", "Maven", "https://maven.google.com", "maven"},
		{"Red Hat:rhel_aus:8.4::appstream", "Red Hat", "rhel_aus:8.4::appstream", "rpm"},
		{"crates.io", "crates.io", "", "semver"},
		{"Wolfi", "Wolfi", "", "apk"},
		{"", "", "", "generic"},
		{"GENERIC", "GENERIC", "", "generic"},
		{"Whatever:1", "Whatever", "1", "generic"},
	}
	for _, tc := range tests {
		if got := Base(tc.in); got != tc.base {
			t.Errorf("Base(%q) = %q, want %q", tc.in, got, tc.base)
		}
		if got := Suffix(tc.in); got != tc.suffix {
			t.Errorf("Suffix(%q) = %q, want %q", tc.in, got, tc.suffix)
		}
		if got := Scheme(tc.in); got != tc.scheme {
			t.Errorf("Scheme(%q) = %q, want %q", tc.in, got, tc.scheme)
		}
	}
}

// TestTransitiveOnValidCorpus checks a < b, b < c => a < c over every
// ordering table: a comparator that breaks it would make sorted event lists
// meaningless.
func TestTransitiveOnValidCorpus(t *testing.T) {
	for _, tc := range orders {
		vs := make([]Version, len(tc.versions))
		for i, s := range tc.versions {
			vs[i] = MustParse(tc.ecosystem, s)
		}
		for _, a := range vs {
			for _, b := range vs {
				for _, c := range vs {
					if a.Compare(b) <= 0 && b.Compare(c) <= 0 && a.Compare(c) > 0 {
						t.Errorf("%s: %s <= %s <= %s but %s > %s", tc.name, a, b, c, a, c)
					}
				}
			}
		}
	}
}

func BenchmarkCompareParsed(b *testing.B) {
	x, y := MustParse("Debian", "1:2.36.1-8+deb11u1"), MustParse("Debian", "1:2.36.1-8+deb11u2")
	for b.Loop() {
		x.Compare(y)
	}
}

func BenchmarkParse(b *testing.B) {
	for _, eco := range []string{"SEMVER", "PyPI", "Maven", "Debian", "Alpine", ""} {
		b.Run(Scheme(eco), func(b *testing.B) {
			for b.Loop() {
				_, _ = Parse(eco, "1.22.3-r4")
			}
		})
	}
}
