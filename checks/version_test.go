package checks

import "testing"

func TestCompareVersions(t *testing.T) {
	// Each pair is in ascending order: a < b.
	ascending := [][2]string{
		{"1.0.0", "1.0.1"},
		{"1.0.9", "1.0.10"},
		{"1.9", "1.10"},
		{"2.1", "2.1.1"},
		{"1.2.3", "2.0"},
		{"0.9.99", "1"},
		{"v1.2.3", "1.2.4"},
		{"1.2.3", "V1.2.4"},
		{"1.1.1", "1.1.1a"},
		{"1.1.1a", "1.1.1w"},
		{"1.1.1w", "1.1.2"},
		{"3.0.0-rc.1", "3.0.0"},
		{"3.0.0-alpha", "3.0.0-beta"},
		{"3.0.0-rc.2", "3.0.0-rc.10"},
		{"3.0.0-rc", "3.0.0-rc.1"},
		{"3.0.0-rc1", "3.0.0-rc2"},
		{"3.0.0", "3.0.1-rc.1"},
		{"18446744073709551615", "18446744073709551616"}, // beyond uint64
		{"1.2", "1.2b"},
		{"", "0.0.1"},
	}
	for _, p := range ascending {
		if c := compareVersions(p[0], p[1]); c != -1 {
			t.Errorf("compareVersions(%q, %q) = %d, want -1", p[0], p[1], c)
		}
		if c := compareVersions(p[1], p[0]); c != 1 {
			t.Errorf("compareVersions(%q, %q) = %d, want 1", p[1], p[0], c)
		}
	}
	equal := [][2]string{
		{"2.1.0", "2.1.0"},
		{"2.1", "2.1.0"},
		{"2.1.0", "v2.1.0"},
		{" 2.1.0 ", "2.1.0"},
		{"2.01.0", "2.1"},
		{"4.2+build7", "4.2+build9"},
		{"3.0.0-RC.1", "3.0.0-rc.1"},
		{"1.1.1W", "1.1.1w"},
		{"", ""},
	}
	for _, p := range equal {
		if c := compareVersions(p[0], p[1]); c != 0 {
			t.Errorf("compareVersions(%q, %q) = %d, want 0", p[0], p[1], c)
		}
		if !sameVersion(p[1], p[0]) {
			t.Errorf("sameVersion(%q, %q) = false", p[1], p[0])
		}
	}
}

func TestCompareVersionsDoesNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		compareVersions("v2.10.3-rc.2+build5", "2.10.3-RC.10")
	})
	if n != 0 {
		t.Errorf("compareVersions allocates %v times per call", n)
	}
}
