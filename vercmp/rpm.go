package vercmp

import "strings"

// rpm is an RPM [epoch:]version[-release].
type rpm struct {
	epoch      string
	version    string
	release    string
	hasRelease bool
}

func parseRPM(v string) *rpm {
	s := strings.TrimSpace(v)
	r := &rpm{epoch: "0"}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		r.epoch, s = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		s, r.release, r.hasRelease = s[:i], s[i+1:], true
	}
	r.version = s
	return r
}

func (a *rpm) cmp(o parsed) int {
	b := o.(*rpm)
	if c := rpmvercmp(a.epoch, b.epoch); c != 0 {
		return c
	}
	if c := rpmvercmp(a.version, b.version); c != 0 {
		return c
	}
	// A version without release sorts before the same version with one.
	if a.hasRelease != b.hasRelease {
		return cmpInt(boolInt(a.hasRelease), boolInt(b.hasRelease))
	}
	return rpmvercmp(a.release, b.release)
}

// rpmvercmp is RPM's segment comparison: alphanumeric segments separated by
// anything else; digits beat letters; '~' sorts before everything (even the
// end), '^' after the end but before anything else.
func rpmvercmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isAlnum(a[i]) && a[i] != '~' && a[i] != '^' {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) && b[j] != '~' && b[j] != '^' {
			j++
		}
		ai, bj := at(a, i), at(b, j)
		if ai == '~' || bj == '~' {
			if ai != '~' {
				return 1
			}
			if bj != '~' {
				return -1
			}
			i++
			j++
			continue
		}
		if ai == '^' || bj == '^' {
			switch {
			case i >= len(a):
				return -1
			case j >= len(b):
				return 1
			case ai != '^':
				return 1
			case bj != '^':
				return -1
			}
			i++
			j++
			continue
		}
		if i >= len(a) || j >= len(b) {
			break
		}
		si, sj := i, j
		num := isDigit(a[i])
		if num {
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
		} else {
			for i < len(a) && isAlpha(a[i]) {
				i++
			}
			for j < len(b) && isAlpha(b[j]) {
				j++
			}
		}
		if sj == j { // segments of different kinds: numbers are newer
			if num {
				return 1
			}
			return -1
		}
		var c int
		if num {
			c = cmpDigits(a[si:i], b[sj:j])
		} else {
			c = strings.Compare(a[si:i], b[sj:j])
		}
		if c != 0 {
			return c
		}
	}
	switch {
	case i >= len(a) && j >= len(b):
		return 0
	case i >= len(a):
		return -1
	}
	return 1
}

func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}
