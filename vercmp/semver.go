package vercmp

import (
	"errors"
	"strings"
)

// semver is a SemVer 2.0 version, leniently read: the core may have any
// number of numeric parts (missing ones are zero when comparing).
type semver struct {
	core []string // digit runs
	pre  []string // pre-release identifiers; nil when there is none
}

func parseSemver(v string, goPrefix bool) (*semver, error) {
	s := strings.TrimSpace(v)
	s = strings.TrimPrefix(s, "=")
	switch {
	case goPrefix && strings.HasPrefix(s, "go") && len(s) > 2 && isDigit(s[2]):
		s = s[2:] // Go toolchain versions: go1.21.3
	case len(s) > 1 && (s[0] == 'v' || s[0] == 'V') && isDigit(s[1]):
		s = s[1:]
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		if !validIdents(s[i+1:]) {
			return nil, errors.New("bad build metadata")
		}
		s = s[:i]
	}
	core, pre, hasPre := strings.Cut(s, "-")
	if goPrefix && !hasPre {
		// Go toolchain pre-releases: go1.21rc2, go1.20beta1.
		if j := strings.IndexAny(core, "abcdefghijklmnopqrstuvwxyz"); j > 0 {
			core, pre, hasPre = core[:j], core[j:], true
		}
	}
	out := &semver{}
	for part := range strings.SplitSeq(core, ".") {
		if !allDigits(part) {
			return nil, errors.New("core version parts must be numbers")
		}
		out.core = append(out.core, part)
	}
	if hasPre {
		if !validIdents(pre) {
			return nil, errors.New("bad pre-release")
		}
		out.pre = strings.Split(pre, ".")
	}
	return out, nil
}

// validIdents checks dot-separated [0-9A-Za-z-]+ identifiers.
func validIdents(s string) bool {
	if s == "" {
		return false
	}
	for id := range strings.SplitSeq(s, ".") {
		if id == "" {
			return false
		}
		for i := 0; i < len(id); i++ {
			if !isAlnum(id[i]) && id[i] != '-' {
				return false
			}
		}
	}
	return true
}

func (a *semver) cmp(o parsed) int {
	b := o.(*semver)
	n := max(len(a.core), len(b.core))
	for i := range n {
		x, y := "0", "0"
		if i < len(a.core) {
			x = a.core[i]
		}
		if i < len(b.core) {
			y = b.core[i]
		}
		if c := cmpDigits(x, y); c != 0 {
			return c
		}
	}
	// A version without pre-release has higher precedence.
	switch {
	case a.pre == nil && b.pre == nil:
		return 0
	case a.pre == nil:
		return 1
	case b.pre == nil:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := cmpPreIdent(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(a.pre), len(b.pre))
}

// cmpPreIdent: numeric identifiers compare numerically and before
// alphanumeric ones, which compare in ASCII order.
func cmpPreIdent(x, y string) int {
	xn, yn := allDigits(x), allDigits(y)
	switch {
	case xn && yn:
		return cmpDigits(x, y)
	case xn:
		return -1
	case yn:
		return 1
	}
	return strings.Compare(x, y)
}
