package vercmp

import (
	"errors"
	"strings"
)

// dpkg is a Debian version: [epoch:]upstream[-revision].
type dpkg struct {
	epoch    string
	upstream string
	revision string
}

func parseDpkg(v string) (*dpkg, error) {
	s := strings.TrimSpace(v)
	if s == "" {
		return nil, errors.New("empty version")
	}
	d := &dpkg{epoch: "0"}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if !allDigits(s[:i]) {
			return nil, errors.New("epoch is not a number")
		}
		d.epoch, s = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		s, d.revision = s[:i], s[i+1:]
	}
	if s == "" {
		return nil, errors.New("empty upstream version")
	}
	d.upstream = s
	return d, nil
}

func (a *dpkg) cmp(o parsed) int {
	b := o.(*dpkg)
	if c := cmpDigits(a.epoch, b.epoch); c != 0 {
		return c
	}
	if c := verrevcmp(a.upstream, b.upstream); c != 0 {
		return c
	}
	return verrevcmp(a.revision, b.revision)
}

// dpkgOrder weighs a non-digit character: '~' before the end of the string,
// the end before letters, letters before everything else.
func dpkgOrder(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := s[i]
	switch {
	case isDigit(c):
		return 0
	case isAlpha(c):
		return int(c)
	case c == '~':
		return -1
	}
	return int(c) + 256
}

// verrevcmp is dpkg's comparison of upstream versions and revisions:
// alternating non-digit parts (compared by dpkgOrder) and digit parts
// (compared numerically).
func verrevcmp(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			ac, bc := dpkgOrder(a, i), dpkgOrder(b, j)
			if ac != bc {
				return cmpInt(ac, bc)
			}
			i++
			j++
		}
		si, sj := i, j
		for i < len(a) && isDigit(a[i]) {
			i++
		}
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if c := cmpDigits(a[si:i], b[sj:j]); c != 0 {
			return c
		}
	}
	return 0
}
