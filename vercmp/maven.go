package vercmp

import "strings"

// mavenToken is one prefixed token of a Maven version. Following the
// Maven version order specification, qualifiers always carry the '-'
// prefix (".qualifier" orders as "-qualifier") and a transition between
// digits and letters counts as a hyphen.
type mavenToken struct {
	hyphen bool // prefix '-' (else '.')
	num    bool
	val    string // digits without leading zeros, or a lower-case qualifier
}

type maven []mavenToken

// Qualifiers that order before unknown ones; "" is the release itself.
var mavenQualifiers = map[string]int{
	"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "snapshot": 4, "": 5, "sp": 6,
}

func parseMaven(v string) maven {
	s := strings.ToLower(strings.TrimSpace(v))
	var toks maven
	hyphen := false // prefix of the next piece; the first counts as '.'
	for {
		end := strings.IndexAny(s, ".-")
		piece := s
		if end >= 0 {
			piece = s[:end]
		}
		toks = appendMavenPiece(toks, piece, hyphen)
		if end < 0 {
			break
		}
		hyphen = s[end] == '-'
		s = s[end+1:]
	}
	return trimMaven(toks)
}

// appendMavenPiece splits a piece between separators at digit/letter
// transitions and appends its tokens.
func appendMavenPiece(toks maven, piece string, hyphen bool) maven {
	if piece == "" {
		return append(toks, mavenToken{hyphen: hyphen, num: true, val: "0"})
	}
	for i := 0; i < len(piece); {
		j := i + 1
		num := isDigit(piece[i])
		for j < len(piece) && isDigit(piece[j]) == num {
			j++
		}
		t := mavenToken{hyphen: hyphen || i > 0, num: num, val: piece[i:j]}
		if num {
			t.val = strings.TrimLeft(t.val, "0")
			if t.val == "" {
				t.val = "0"
			}
		} else {
			t.hyphen = true
			followedByDigit := j < len(piece)
			switch t.val {
			case "cr":
				t.val = "rc"
			case "ga", "final", "release":
				t.val = ""
			case "a":
				if followedByDigit {
					t.val = "alpha"
				}
			case "b":
				if followedByDigit {
					t.val = "beta"
				}
			case "m":
				if followedByDigit {
					t.val = "milestone"
				}
			}
		}
		toks = append(toks, t)
		i = j
	}
	return toks
}

func (t mavenToken) null() bool { return (t.num && t.val == "0") || (!t.num && t.val == "") }

// trimMaven removes trailing null tokens (0, "", ga, final), then repeats
// that before each remaining hyphen, from the end to the start.
func trimMaven(toks maven) maven {
	i := len(toks) - 1
	for i >= 0 {
		if toks[i].null() {
			toks = append(toks[:i], toks[i+1:]...)
			i--
			continue
		}
		for i >= 0 && !toks[i].hyphen {
			i--
		}
		i--
	}
	return toks
}

// kind orders differently prefixed tokens: -qualifier < -number < .number.
func (t mavenToken) kind() int {
	switch {
	case !t.num:
		return 0
	case t.hyphen:
		return 1
	}
	return 2
}

func (a maven) cmp(o parsed) int {
	b := o.(maven)
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y mavenToken
		switch {
		case i >= len(a):
			x = mavenPad(b[i])
			y = b[i]
		case i >= len(b):
			x = a[i]
			y = mavenPad(a[i])
		default:
			x, y = a[i], b[i]
		}
		if c := cmpMavenToken(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// mavenPad is the null value a shorter version is padded with: 0 against
// '.', "" against '-'.
func mavenPad(other mavenToken) mavenToken {
	if other.hyphen {
		return mavenToken{hyphen: true}
	}
	return mavenToken{num: true, val: "0"}
}

func cmpMavenToken(x, y mavenToken) int {
	if c := cmpInt(x.kind(), y.kind()); c != 0 {
		return c
	}
	if x.num {
		return cmpDigits(x.val, y.val)
	}
	rx, okx := mavenQualifiers[x.val]
	ry, oky := mavenQualifiers[y.val]
	if !okx {
		rx = len(mavenQualifiers)
	}
	if !oky {
		ry = len(mavenQualifiers)
	}
	if c := cmpInt(rx, ry); c != 0 {
		return c
	}
	if !okx && !oky {
		return strings.Compare(x.val, y.val)
	}
	return 0
}
