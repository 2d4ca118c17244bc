package vercmp

import (
	"errors"
	"regexp"
	"strings"
)

// pep440Pattern is PEP 440's version grammar with its permitted alternative
// spellings (separators, "alpha", "c", "rev", implicit numbers, "-N" posts).
var pep440Pattern = regexp.MustCompile(`^v?(?:(\d+)!)?(\d+(?:\.\d+)*)` +
	`(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?` +
	`(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?` +
	`(?:[-_.]?(dev)[-_.]?(\d+)?)?` +
	`(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$`)

// pep440 is a parsed PEP 440 version, ordered like packaging.version.
type pep440 struct {
	epoch   string
	release []string // trailing zeros removed
	preKind int      // 0 a, 1 b, 2 rc; -1 none
	preNum  string
	post    string // "" none
	hasPost bool
	dev     string
	hasDev  bool
	local   []string // nil when absent
}

func parsePEP440(v string) (*pep440, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	m := pep440Pattern.FindStringSubmatch(s)
	if m == nil {
		return nil, errors.New("not a PEP 440 version")
	}
	p := &pep440{epoch: orZero(m[1]), preKind: -1}
	p.release = strings.Split(m[2], ".")
	for len(p.release) > 1 && strings.TrimLeft(p.release[len(p.release)-1], "0") == "" {
		p.release = p.release[:len(p.release)-1]
	}
	if len(p.release) == 1 && strings.TrimLeft(p.release[0], "0") == "" {
		p.release = nil
	}
	switch m[3] {
	case "":
	case "a", "alpha":
		p.preKind = 0
	case "b", "beta":
		p.preKind = 1
	default: // c, rc, pre, preview
		p.preKind = 2
	}
	p.preNum = orZero(m[4])
	switch {
	case m[5] != "":
		p.post, p.hasPost = m[5], true
	case m[6] != "":
		p.post, p.hasPost = orZero(m[7]), true
	}
	if m[8] != "" {
		p.dev, p.hasDev = orZero(m[9]), true
	}
	if m[10] != "" {
		p.local = strings.FieldsFunc(m[10], func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	}
	return p, nil
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func (a *pep440) cmp(o parsed) int {
	b := o.(*pep440)
	if c := cmpDigits(a.epoch, b.epoch); c != 0 {
		return c
	}
	for i := 0; i < len(a.release) || i < len(b.release); i++ {
		x, y := "0", "0"
		if i < len(a.release) {
			x = a.release[i]
		}
		if i < len(b.release) {
			y = b.release[i]
		}
		if c := cmpDigits(x, y); c != 0 {
			return c
		}
	}
	if c := cmpInt(a.preRank(), b.preRank()); c != 0 {
		return c
	}
	if a.preKind >= 0 && b.preKind >= 0 {
		if c := cmpDigits(a.preNum, b.preNum); c != 0 {
			return c
		}
	}
	// No post release sorts before any post release.
	if c := cmpInt(boolInt(a.hasPost), boolInt(b.hasPost)); c != 0 {
		return c
	}
	if a.hasPost {
		if c := cmpDigits(a.post, b.post); c != 0 {
			return c
		}
	}
	// No dev release sorts after any dev release.
	if c := cmpInt(boolInt(!a.hasDev), boolInt(!b.hasDev)); c != 0 {
		return c
	}
	if a.hasDev {
		if c := cmpDigits(a.dev, b.dev); c != 0 {
			return c
		}
	}
	return cmpLocal(a.local, b.local)
}

// preRank places the pre-release phase: a dev release of the final version
// (1.0.dev0) comes before its alphas, the final release after its rcs.
func (p *pep440) preRank() int {
	switch {
	case p.preKind >= 0:
		return p.preKind
	case !p.hasPost && p.hasDev:
		return -1
	}
	return 3
}

// cmpLocal: no local version sorts first; numeric segments sort after
// alphanumeric ones; a longer local version wins a tie.
func cmpLocal(a, b []string) int {
	if c := cmpInt(boolInt(a != nil), boolInt(b != nil)); c != 0 {
		return c
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		an, bn := allDigits(a[i]), allDigits(b[i])
		var c int
		switch {
		case an && bn:
			c = cmpDigits(a[i], b[i])
		case an:
			c = 1
		case bn:
			c = -1
		default:
			c = strings.Compare(a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	return cmpInt(len(a), len(b))
}
