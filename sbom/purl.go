package sbom

import (
	"errors"
	"net/url"
	"sort"
	"strings"
)

// PURL is a parsed package URL (https://github.com/package-url/purl-spec):
// pkg:type/namespace/name@version?qualifiers#subpath. Components are
// percent-decoded; Type and qualifier keys are lower-cased.
type PURL struct {
	Type       string
	Namespace  string // segments joined by "/"
	Name       string
	Version    string
	Qualifiers map[string]string
	Subpath    string
}

// ParsePURL parses a package URL following the purl specification's
// parsing steps (split from the right on '#', '?', '@', then the name).
func ParsePURL(s string) (PURL, error) {
	var p PURL
	rest, subpath, _ := cutLast(s, "#")
	if subpath != "" {
		var segs []string
		for _, seg := range strings.Split(subpath, "/") {
			seg, err := url.PathUnescape(seg)
			if err != nil {
				return PURL{}, errors.New("bad percent-encoding in subpath")
			}
			if seg != "" && seg != "." && seg != ".." {
				segs = append(segs, seg)
			}
		}
		p.Subpath = strings.Join(segs, "/")
	}
	rest, quals, hasQ := cutLast(rest, "?")
	if hasQ && quals != "" {
		for _, kv := range strings.Split(quals, "&") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || !validKey(k) {
				continue // tolerated: the rest of the purl is still useful
			}
			v, err := url.PathUnescape(v)
			if err != nil {
				return PURL{}, errors.New("bad percent-encoding in qualifier " + k)
			}
			if v == "" {
				continue
			}
			if p.Qualifiers == nil {
				p.Qualifiers = map[string]string{}
			}
			p.Qualifiers[strings.ToLower(k)] = v
		}
	}
	scheme, rest, ok := strings.Cut(rest, ":")
	if !ok || !strings.EqualFold(scheme, "pkg") {
		return PURL{}, errors.New(`a package URL starts with "pkg:"`)
	}
	rest = strings.TrimLeft(rest, "/")
	typ, rest, ok := strings.Cut(rest, "/")
	if !ok || typ == "" {
		return PURL{}, errors.New("a package URL needs a type and a name (pkg:type/name)")
	}
	if !validType(typ) {
		return PURL{}, errors.New("a package URL type is made of letters, digits, '.', '+' and '-' and starts with a letter")
	}
	p.Type = strings.ToLower(typ)
	if r, v, ok := cutLast(rest, "@"); ok {
		v, err := url.PathUnescape(v)
		if err != nil {
			return PURL{}, errors.New("bad percent-encoding in version")
		}
		p.Version, rest = v, r
	}
	rest = strings.Trim(rest, "/")
	ns, name, ok := cutLast(rest, "/")
	if !ok {
		ns, name = "", rest
	}
	name, err := url.PathUnescape(name)
	if err != nil || name == "" {
		return PURL{}, errors.New("a package URL needs a name")
	}
	p.Name = name
	var segs []string
	for _, seg := range strings.Split(ns, "/") {
		seg, err := url.PathUnescape(seg)
		if err != nil {
			return PURL{}, errors.New("bad percent-encoding in namespace")
		}
		if seg != "" {
			segs = append(segs, seg)
		}
	}
	p.Namespace = strings.Join(segs, "/")
	return p, nil
}

// String writes the canonical form (qualifiers sorted by key).
func (p PURL) String() string {
	var b strings.Builder
	b.WriteString("pkg:")
	b.WriteString(p.Type)
	b.WriteByte('/')
	if p.Namespace != "" {
		for _, seg := range strings.Split(p.Namespace, "/") {
			b.WriteString(escapePURL(seg))
			b.WriteByte('/')
		}
	}
	b.WriteString(escapePURL(p.Name))
	if p.Version != "" {
		b.WriteByte('@')
		b.WriteString(escapePURL(p.Version))
	}
	if len(p.Qualifiers) > 0 {
		keys := make([]string, 0, len(p.Qualifiers))
		for k := range p.Qualifiers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i == 0 {
				b.WriteByte('?')
			} else {
				b.WriteByte('&')
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(escapePURL(p.Qualifiers[k]))
		}
	}
	if p.Subpath != "" {
		b.WriteByte('#')
		segs := strings.Split(p.Subpath, "/")
		for i, s := range segs {
			segs[i] = escapePURL(s)
		}
		b.WriteString(strings.Join(segs, "/"))
	}
	return b.String()
}

// escapePURL percent-encodes all but letters, digits and ".-_~:+" (':'
// and '+' stay readable, as versions such as 1:1.35.0-4+b3 use them).
func escapePURL(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-_~:+", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// osvEcosystems maps purl types to OSV ecosystem names where the mapping
// does not depend on the namespace.
var osvEcosystems = map[string]string{
	"npm":      "npm",
	"pypi":     "PyPI",
	"golang":   "Go",
	"maven":    "Maven",
	"cargo":    "crates.io",
	"nuget":    "NuGet",
	"gem":      "RubyGems",
	"composer": "Packagist",
	"hex":      "Hex",
	"pub":      "Pub",
	"hackage":  "Hackage",
	"cran":     "CRAN",
}

// debianCodenames maps the release names some tools write in the distro
// qualifier to OSV's Debian release numbers.
var debianCodenames = map[string]string{
	"jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11",
	"bookworm": "12", "trixie": "13",
}

// Ecosystem returns the OSV ecosystem of a package URL ("Go", "PyPI",
// "Debian:12", "Alpine:v3.18"...), or "" for generic, unknown or invalid
// purls.
func Ecosystem(purl string) string {
	p, err := ParsePURL(purl)
	if err != nil {
		return ""
	}
	if e, ok := osvEcosystems[p.Type]; ok {
		return e
	}
	ns := strings.ToLower(p.Namespace)
	distro := strings.ToLower(p.Qualifiers["distro"])
	switch {
	case p.Type == "deb" && ns == "debian":
		// distro=debian-12, debian-12.4, 12 or bookworm -> Debian:12
		v := strings.TrimPrefix(distro, "debian-")
		if n, ok := debianCodenames[v]; ok {
			v = n
		}
		major, _, _ := strings.Cut(v, ".")
		if major != "" && isDigits(major) {
			return "Debian:" + major
		}
		return "Debian"
	case p.Type == "deb" && ns == "ubuntu":
		return "Ubuntu"
	case p.Type == "apk" && ns == "alpine":
		// distro=alpine-3.18.4 or 3.18.4 -> Alpine:v3.18
		v := strings.TrimPrefix(strings.TrimPrefix(distro, "alpine-"), "v")
		parts := strings.Split(v, ".")
		if len(parts) >= 2 && isDigits(parts[0]) && isDigits(parts[1]) {
			return "Alpine:v" + parts[0] + "." + parts[1]
		}
		return "Alpine"
	}
	return ""
}

func validType(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-')) {
			return false
		}
	}
	return s != ""
}

func validKey(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// redactPURL removes credentials a purl may carry in URL-valued
// qualifiers (repository_url, download_url, vcs_url...), e.g.
// https://user:token@host/. The purl is returned unchanged (byte for
// byte) when there is nothing to remove.
func redactPURL(s string) string {
	if !strings.Contains(s, "?") {
		return s
	}
	p, err := ParsePURL(s)
	if err != nil {
		return s
	}
	changed := false
	for k, v := range p.Qualifiers {
		if r, ok := stripUserinfo(v); ok {
			p.Qualifiers[k] = r
			changed = true
		}
	}
	if !changed {
		return s
	}
	return p.String()
}

// stripUserinfo removes "user:secret@" from a URL-valued qualifier
// ("scheme://user:secret@host/...").
func stripUserinfo(v string) (string, bool) {
	scheme, rest, ok := strings.Cut(v, "://")
	if !ok {
		return v, false
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	at := strings.LastIndex(host, "@")
	if at < 0 {
		return v, false
	}
	return scheme + "://" + rest[at+1:], true
}
