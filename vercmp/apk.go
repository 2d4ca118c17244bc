package vercmp

import (
	"errors"
	"strings"
)

// Alpine versions follow apk-tools (2.14 and 3.x):
// digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}. Token kinds are
// ordered: a version that ends where the other goes on sorts first, unless
// the other goes on with a pre-release suffix.
const (
	apkInitialDigit = iota
	apkDigit
	apkLetter
	apkSuffix
	apkSuffixNo
	apkCommitHash
	apkRevisionNo
	apkEnd
	apkInvalid
)

// Suffix ranks: pre-release suffixes below apkSuffixNone, post-release above.
const apkSuffixNone = 5

var apkSuffixes = map[string]int{
	"alpha": 1, "beta": 2, "pre": 3, "rc": 4, "cvs": 6, "svn": 7, "git": 8, "hg": 9, "p": 10,
}

type apkToken struct {
	kind int
	val  string // digits, letter, suffix name or hash as written
	suf  int    // suffix rank
}

type apk []apkToken

func parseApk(v string) (apk, error) {
	s := strings.TrimSpace(v)
	var toks apk
	t, s := apkDigits(apkInitialDigit, s)
	toks = append(toks, t)
	for t.kind != apkInvalid && s != "" {
		t, s = apkNext(t.kind, s)
		toks = append(toks, t)
	}
	if t.kind == apkInvalid {
		return nil, errors.New("not an apk version")
	}
	return toks, nil
}

func apkDigits(kind int, s string) (apkToken, string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return apkToken{kind: apkInvalid}, s
	}
	return apkToken{kind: kind, val: s[:i]}, s[i:]
}

// apkNext reads the token after one of kind prev; parts must come in order.
func apkNext(prev int, s string) (apkToken, string) {
	invalid := apkToken{kind: apkInvalid}
	c := s[0]
	switch {
	case c >= 'a' && c <= 'z':
		if prev > apkDigit {
			return invalid, s
		}
		return apkToken{kind: apkLetter, val: s[:1]}, s[1:]
	case c == '.' || isDigit(c):
		if c == '.' {
			if prev > apkDigit {
				return invalid, s
			}
			s = s[1:]
		}
		switch prev {
		case apkInitialDigit, apkDigit:
			return apkDigits(apkDigit, s)
		case apkSuffix:
			return apkDigits(apkSuffixNo, s)
		}
		return invalid, s
	case c == '_':
		if prev > apkSuffixNo {
			return invalid, s
		}
		i := 1
		for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
			i++
		}
		rank, ok := apkSuffixes[s[1:i]]
		if !ok {
			return invalid, s
		}
		return apkToken{kind: apkSuffix, val: s[1:i], suf: rank}, s[i:]
	case c == '~':
		if prev >= apkCommitHash {
			return invalid, s
		}
		i := 1
		for i < len(s) && (isDigit(s[i]) || s[i] >= 'a' && s[i] <= 'f' || s[i] >= 'A' && s[i] <= 'F') {
			i++
		}
		if i == 1 {
			return invalid, s
		}
		return apkToken{kind: apkCommitHash, val: s[1:i]}, s[i:]
	case c == '-':
		if prev >= apkRevisionNo || !strings.HasPrefix(s, "-r") {
			return invalid, s
		}
		return apkDigits(apkRevisionNo, s[2:])
	}
	return invalid, s
}

// cmpApkToken compares tokens of the same kind.
func cmpApkToken(a, b apkToken) int {
	switch a.kind {
	case apkDigit:
		// A run with a leading zero compares as a string (Gentoo rule):
		// 1.01 < 1.1 and 1.0 < 1.00.
		if a.val[0] == '0' || b.val[0] == '0' {
			return strings.Compare(a.val, b.val)
		}
		return cmpDigits(a.val, b.val)
	case apkInitialDigit, apkSuffixNo, apkRevisionNo:
		return cmpDigits(a.val, b.val)
	case apkSuffix:
		return cmpInt(a.suf, b.suf)
	}
	return strings.Compare(a.val, b.val) // letters, commit hashes
}

func (a apk) cmp(o parsed) int {
	b := o.(apk)
	i := 0
	for ; i < len(a) && i < len(b) && a[i].kind == b[i].kind; i++ {
		if c := cmpApkToken(a[i], b[i]); c != 0 {
			return c
		}
	}
	at, bt := apkTokenAt(a, i), apkTokenAt(b, i)
	if at.kind == bt.kind {
		return 0
	}
	// Equal so far: the longer version is newer unless it goes on with a
	// pre-release suffix.
	if at.kind == apkSuffix && at.suf < apkSuffixNone {
		return -1
	}
	if bt.kind == apkSuffix && bt.suf < apkSuffixNone {
		return 1
	}
	return cmpInt(bt.kind, at.kind)
}

func apkTokenAt(v apk, i int) apkToken {
	if i < len(v) {
		return v[i]
	}
	return apkToken{kind: apkEnd}
}
