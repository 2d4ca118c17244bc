package vercmp

import "strings"

// genericToken is a numeric or alphabetic run of a generic version.
type genericToken struct {
	num bool
	val string // digits without leading zeros, or lower-case letters
	pre bool   // a word that marks a pre-release
}

type generic []genericToken

// genericPre are words that make a version older than the one without them.
var genericPre = map[string]bool{
	"alpha": true, "beta": true, "rc": true, "cr": true, "pre": true, "preview": true,
	"dev": true, "snapshot": true, "milestone": true,
}

func parseGeneric(v string) generic {
	s := strings.TrimSpace(v)
	if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') && isDigit(s[1]) {
		s = s[1:]
	}
	if len(s) > MaxLength {
		s = s[:MaxLength]
	}
	var toks generic
	for i := 0; i < len(s); {
		if !isAlnum(s[i]) {
			i++
			continue
		}
		j := i + 1
		num := isDigit(s[i])
		for j < len(s) && isAlnum(s[j]) && isDigit(s[j]) == num {
			j++
		}
		t := genericToken{num: num, val: s[i:j]}
		if num {
			t.val = trimZeros(t.val)
		} else {
			t.val = strings.ToLower(t.val)
			// "1.0a1", "2b3": a lone a/b directly followed by a number is
			// alpha/beta; "1.1.1a" (no number after) is a later release.
			followedByDigit := j < len(s) && isDigit(s[j])
			t.pre = genericPre[t.val] || ((t.val == "a" || t.val == "b") && followedByDigit)
			// Zeros just before a word count as absent, as at the end, so
			// that "1.0-rc1" == "1-rc1" and the order stays transitive.
			toks = trimGenericZeros(toks)
		}
		toks = append(toks, t)
		i = j
	}
	return trimGenericZeros(toks)
}

func trimGenericZeros(toks generic) generic {
	for len(toks) > 0 && toks[len(toks)-1].num && toks[len(toks)-1].val == "" {
		toks = toks[:len(toks)-1]
	}
	return toks
}

// rank places a token at one position: pre-release words, then the end of
// the version, then other words, then numbers.
func (t genericToken) rank() int {
	switch {
	case t.num:
		return 3
	case t.pre:
		return 0
	}
	return 2
}

func (a generic) cmp(o parsed) int {
	b := o.(generic)
	for i := 0; i < len(a) || i < len(b); i++ {
		switch {
		case i >= len(a):
			return genericVsEnd(b[i])
		case i >= len(b):
			return -genericVsEnd(a[i])
		}
		x, y := a[i], b[i]
		if c := cmpInt(x.rank(), y.rank()); c != 0 {
			return c
		}
		if x.num {
			if c := cmpDigits(x.val, y.val); c != 0 {
				return c
			}
		} else if c := strings.Compare(x.val, y.val); c != 0 {
			return c
		}
	}
	return 0
}

// genericVsEnd compares the end of one version with the token t of the
// other (where the versions were equal so far): -1 when the ended one is
// older.
func genericVsEnd(t genericToken) int {
	if t.rank() == 0 {
		return 1
	}
	return -1
}

func trimZeros(d string) string { return strings.TrimLeft(d, "0") }
