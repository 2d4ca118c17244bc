package vulndb

import (
	"errors"
	"net/url"
	"strings"

	"github.com/iotguard/iotguard/vercmp"
)

// cpe is a CPE name split into its attributes, unescaped and lower-cased.
// "*" is ANY, "-" is NA.
type cpe struct {
	part, vendor, product, version, update, edition, language,
	swEdition, targetSW, targetHW, other string
}

// parseCPE reads a CPE 2.3 formatted string (cpe:2.3:a:vendor:product:...)
// or a CPE 2.2 URI (cpe:/a:vendor:product:version). Missing trailing
// attributes are ANY.
func parseCPE(s string) (cpe, error) {
	s = strings.TrimSpace(s)
	var f []string
	switch {
	case len(s) > 8 && strings.EqualFold(s[:8], "cpe:2.3:"):
		f = splitFS(s[8:])
	case len(s) > 5 && strings.EqualFold(s[:5], "cpe:/"):
		for _, p := range strings.Split(s[5:], ":") {
			if u, err := url.PathUnescape(p); err == nil {
				p = u
			}
			if p == "" {
				p = "*"
			}
			f = append(f, p)
		}
	default:
		return cpe{}, errors.New("not a CPE name: it must start with cpe:2.3: or cpe:/")
	}
	if len(f) < 3 || len(f) > 11 {
		return cpe{}, errors.New("a CPE name has part, vendor, product and up to 8 more attributes")
	}
	for len(f) < 11 {
		f = append(f, "*")
	}
	for i := range f {
		f[i] = strings.ToLower(f[i])
	}
	c := cpe{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]}
	switch c.part {
	case "a", "o", "h", "*":
	default:
		return cpe{}, errors.New("the CPE part must be a (application), o (operating system/firmware) or h (hardware)")
	}
	if c.vendor == "" || c.product == "" || c.vendor == "*" || c.product == "*" {
		return cpe{}, errors.New("a CPE name needs a vendor and a product")
	}
	return c, nil
}

// splitFS splits the attributes of a formatted string on unescaped colons
// and removes the escapes.
func splitFS(s string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == ':':
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String())
}

// key is the index name of a vendor and product; the separator cannot
// occur in CPE values.
func (c cpe) key() string { return c.vendor + "\x1f" + c.product }

func splitCPEKey(k string) (vendor, product string) {
	vendor, product, _ = strings.Cut(k, "\x1f")
	return vendor, product
}

// anyValue reports whether a CPE attribute value means "any".
func anyValue(v string) bool { return v == "*" || v == "" }

// attrMatch compares one attribute of a criterion with a component's;
// ANY on either side matches (a component CPE that leaves an attribute
// open is not evidence against the criterion).
func attrMatch(crit, comp string) bool {
	return anyValue(crit) || anyValue(comp) || crit == comp || (crit == "-" && comp == "-")
}

// cpeRule is a vulnerable criterion as stored in the index.
type cpeRule struct {
	c                                                          cpe
	startIncluding, startExcluding, endIncluding, endExcluding string
}

// matches decides whether a component CPE (and version) falls under the
// rule, returning the range text and the first fixed version if known.
func (r *cpeRule) matches(comp cpe, version string) (bool, string, string) {
	c := r.c
	if !attrMatch(c.part, comp.part) || !attrMatch(c.update, comp.update) || !attrMatch(c.edition, comp.edition) ||
		!attrMatch(c.language, comp.language) || !attrMatch(c.swEdition, comp.swEdition) ||
		!attrMatch(c.targetSW, comp.targetSW) || !attrMatch(c.targetHW, comp.targetHW) || !attrMatch(c.other, comp.other) {
		return false, "", ""
	}
	bounded := r.startIncluding != "" || r.startExcluding != "" || r.endIncluding != "" || r.endExcluding != ""
	if !anyValue(c.version) && c.version != "-" {
		// An exact version in the criterion.
		if version == "" || vercmp.Compare("", version, c.version) != 0 {
			return false, "", ""
		}
		return true, "=" + c.version, ""
	}
	if !bounded {
		return true, "all versions", ""
	}
	if version == "" {
		return false, "", "" // cannot place an unknown version in a range
	}
	v, _ := vercmp.Parse("", version)
	cmp := func(b string) int { return v.Compare(vercmp.MustParse("", b)) }
	var parts []string
	if r.startIncluding != "" {
		if cmp(r.startIncluding) < 0 {
			return false, "", ""
		}
		parts = append(parts, ">="+r.startIncluding)
	}
	if r.startExcluding != "" {
		if cmp(r.startExcluding) <= 0 {
			return false, "", ""
		}
		parts = append(parts, ">"+r.startExcluding)
	}
	fixed := ""
	if r.endIncluding != "" {
		if cmp(r.endIncluding) > 0 {
			return false, "", ""
		}
		parts = append(parts, "<="+r.endIncluding)
	}
	if r.endExcluding != "" {
		if cmp(r.endExcluding) >= 0 {
			return false, "", ""
		}
		parts = append(parts, "<"+r.endExcluding)
		fixed = r.endExcluding
	}
	return true, strings.Join(parts, ", "), fixed
}
