package checks

import "strings"

// compareVersions orders two firmware versions and returns -1, 0 or +1.
//
// Vendors write versions in many dotted shapes ("2.1.0", "v2.1", "1.1.1w",
// "3.0.0-rc.2", "4.2+build7"), so the comparison is semver-ish rather than
// strict semver:
//   - a leading "v" or "V" and build metadata after "+" are ignored;
//   - the core is split on "." and missing segments count as zero, so
//     "2.1" equals "2.1.0";
//   - segments compare naturally: digit runs by numeric value (any length,
//     no overflow), letters case-insensitively, and a segment that extends
//     another ("1w" after "1") is newer;
//   - anything after the first "-" is a pre-release: "3.0.0-rc.2" comes
//     before "3.0.0", and pre-release identifiers compare naturally
//     ("rc.2" < "rc.10").
//
// It does not allocate: it runs for every device against every release.
func compareVersions(a, b string) int {
	if a == b {
		return 0 // the common case: a device runs a release as it is listed
	}
	aCore, aPre, aHasPre := splitVersion(a)
	bCore, bPre, bHasPre := splitVersion(b)
	if c := compareDotted(aCore, bCore, true); c != 0 {
		return c
	}
	switch {
	case aHasPre && !bHasPre:
		return -1
	case !aHasPre && bHasPre:
		return 1
	case !aHasPre && !bHasPre:
		return 0
	}
	return compareDotted(aPre, bPre, false)
}

// sameVersion reports whether a and b name the same version.
func sameVersion(a, b string) bool { return compareVersions(a, b) == 0 }

// splitVersion trims a version and returns its core and pre-release parts.
func splitVersion(s string) (core, pre string, hasPre bool) {
	s = strings.TrimSpace(s)
	if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') && isDigit(s[1]) {
		s = s[1:]
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// compareDotted compares two dot-separated lists segment by segment. In a
// core (zeroPad) a missing segment is "0"; in a pre-release a missing
// identifier sorts first, as in semver ("rc" < "rc.1").
func compareDotted(a, b string, zeroPad bool) int {
	for a != "" || b != "" {
		var sa, sb string
		sa, a = cutDot(a)
		sb, b = cutDot(b)
		if !zeroPad {
			switch {
			case sa == "" && sb != "":
				return -1
			case sa != "" && sb == "":
				return 1
			}
		}
		if c := compareNatural(sa, sb); c != 0 {
			return c
		}
	}
	return 0
}

func cutDot(s string) (head, rest string) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// compareNatural compares two segments run by run. Digit runs compare by
// value; a digit run sorts before a letter run; letters compare
// case-insensitively; the shorter segment sorts first when one is a prefix
// of the other. Empty segments are read as "0".
func compareNatural(a, b string) int {
	if a == "" {
		a = "0"
	}
	if b == "" {
		b = "0"
	}
	for a != "" && b != "" {
		ra, na, da := nextRun(a)
		rb, nb, db := nextRun(b)
		a, b = na, nb
		switch {
		case da && db:
			if c := compareNumeric(ra, rb); c != 0 {
				return c
			}
		case da:
			return -1
		case db:
			return 1
		default:
			if c := compareFold(ra, rb); c != 0 {
				return c
			}
		}
	}
	switch {
	case a == "" && b != "":
		return -1
	case a != "" && b == "":
		return 1
	}
	return 0
}

// nextRun splits off the leading run of digits or of non-digits.
func nextRun(s string) (run, rest string, digits bool) {
	digits = isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == digits {
		i++
	}
	return s[:i], s[i:], digits
}

// compareNumeric compares two digit strings by value.
func compareNumeric(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return strings.Compare(a, b)
}

// compareFold compares ASCII strings ignoring case.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
