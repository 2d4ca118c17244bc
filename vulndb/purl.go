package vulndb

import (
	"errors"
	"net/url"
	"strings"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/vercmp"
)

// purl is a parsed package URL (pkg:type/namespace/name@version?qualifiers).
type purl struct {
	typ, namespace, name, version string
	qualifiers                    map[string]string
}

func parsePURL(s string) (purl, error) {
	s = strings.TrimSpace(s)
	if len(s) < 4 || !strings.EqualFold(s[:4], "pkg:") {
		return purl{}, errors.New("a package URL must start with \"pkg\" and a colon")
	}
	s = strings.TrimLeft(s[4:], "/")
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	var p purl
	if i := strings.IndexByte(s, '?'); i >= 0 {
		p.qualifiers = map[string]string{}
		for kv := range strings.SplitSeq(s[i+1:], "&") {
			k, v, _ := strings.Cut(kv, "=")
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
			p.qualifiers[strings.ToLower(k)] = v
		}
		s = s[:i]
	}
	typ, path, ok := strings.Cut(s, "/")
	if !ok || typ == "" {
		return purl{}, errors.New("a package URL needs a type and a name")
	}
	p.typ = strings.ToLower(typ)
	path = strings.Trim(path, "/")
	if i := strings.LastIndexByte(path, '@'); i > strings.LastIndexByte(path, '/') {
		p.version, path = unescape(path[i+1:]), path[:i]
	}
	segs := strings.Split(path, "/")
	for i := range segs {
		segs[i] = unescape(segs[i])
	}
	p.name = segs[len(segs)-1]
	p.namespace = strings.Join(segs[:len(segs)-1], "/")
	if p.name == "" {
		return purl{}, errors.New("a package URL needs a name")
	}
	return p, nil
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// purlEcosystems maps purl types to OSV ecosystems; distro types depend
// on the namespace (see osvPackage).
var purlEcosystems = map[string]string{
	"golang": "Go", "npm": "npm", "pypi": "PyPI", "maven": "Maven", "cargo": "crates.io",
	"gem": "RubyGems", "nuget": "NuGet", "composer": "Packagist", "hex": "Hex", "pub": "Pub",
	"swift": "SwiftURL", "conan": "ConanCenter", "cran": "CRAN", "hackage": "Hackage",
	"githubactions": "GitHub Actions", "github": "GitHub Actions", "bitnami": "Bitnami", "opam": "opam",
}

var distroNamespaces = map[string]string{
	"debian": "Debian", "ubuntu": "Ubuntu",
	"alpine": "Alpine", "wolfi": "Wolfi", "chainguard": "Chainguard",
	"redhat": "Red Hat", "rhel": "Red Hat", "rocky": "Rocky Linux", "rocky-linux": "Rocky Linux",
	"almalinux": "AlmaLinux", "opensuse": "openSUSE", "suse": "SUSE", "sles": "SUSE",
	"mageia": "Mageia", "openeuler": "openEuler", "photon": "Photon OS",
}

var codenames = map[string]string{
	"jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14",
	"xenial": "16.04", "bionic": "18.04", "focal": "20.04", "jammy": "22.04", "kinetic": "22.10",
	"lunar": "23.04", "mantic": "23.10", "noble": "24.04", "oracular": "24.10", "plucky": "25.04",
}

// osvPackage maps a purl to an OSV ecosystem (base), release (ecosystem
// suffix such as "12" for Debian 12, or "") and package names to try (the
// name and, for distro packages, the source package from "upstream").
func (p purl) osvPackage() (base, release string, names []string) {
	join := func(sep string) string {
		if p.namespace == "" {
			return p.name
		}
		return p.namespace + sep + p.name
	}
	switch p.typ {
	case "golang", "npm", "composer", "swift", "githubactions", "github":
		names = []string{join("/")}
	case "maven":
		names = []string{join(":")}
	case "deb", "apk", "rpm":
		base = distroNamespaces[strings.ToLower(p.namespace)]
		if base == "" {
			base = map[string]string{"deb": "Debian", "apk": "Alpine"}[p.typ]
		}
		names = []string{p.name}
		if up := p.qualifiers["upstream"]; up != "" {
			// syft writes "upstream=openssl" or "upstream=gcc-12@12.2.0-14".
			up, _, _ = strings.Cut(up, "@")
			up, _, _ = strings.Cut(up, " ")
			if up != "" && up != p.name {
				names = append(names, up)
			}
		}
		release = distroRelease(p.qualifiers["distro"])
		return base, release, names
	default:
		names = []string{p.name}
	}
	return purlEcosystems[p.typ], "", names
}

// distroRelease turns a purl distro qualifier (debian-12, bookworm,
// alpine-3.18.4, ubuntu-22.04) into an OSV ecosystem release.
func distroRelease(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	if d == "" {
		return ""
	}
	if _, after, ok := strings.Cut(d, "-"); ok && after != "" && after[0] >= '0' && after[0] <= '9' {
		d = after
	}
	if r, ok := codenames[d]; ok {
		return r
	}
	return d
}

// version returns the purl's version, with the epoch qualifier applied.
func (p purl) fullVersion() string {
	v := p.version
	if e := p.qualifiers["epoch"]; e != "" && e != "0" && !strings.Contains(v, ":") && v != "" {
		v = e + ":" + v
	}
	return v
}

// releaseMatches decides whether an advisory's ecosystem suffix (variant)
// applies to a component's release: an unknown release matches every
// variant; "12" matches "Debian:12", "3.18.4" matches "Alpine:v3.18",
// "22.04" matches "Ubuntu:22.04:LTS" and "Ubuntu:Pro:22.04:LTS".
func releaseMatches(variant, release string) bool {
	if release == "" || variant == "" {
		return true
	}
	r := strings.TrimPrefix(strings.ToLower(release), "v")
	for part := range strings.SplitSeq(strings.ToLower(variant), ":") {
		p := strings.TrimPrefix(part, "v")
		if p != "" && (p == r || strings.HasPrefix(r, p+".")) {
			return true
		}
	}
	return false
}

// normalizeName makes package names comparable within an ecosystem: PEP
// 503 for PyPI, "-" for "_" on crates.io, case folded everywhere except Go
// (module paths are case-sensitive).
func normalizeName(base, name string) string {
	name = strings.TrimSpace(name)
	switch base {
	case "Go", "Kubernetes":
		return name
	case "PyPI":
		var b strings.Builder
		sep := false
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c == '-' || c == '_' || c == '.' {
				sep = true
				continue
			}
			if sep && b.Len() > 0 {
				b.WriteByte('-')
			}
			sep = false
			b.WriteByte(c)
		}
		return strings.ToLower(b.String())
	case "crates.io":
		return strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	}
	return strings.ToLower(name)
}

// pkgQuery is one index lookup for a component.
type pkgQuery struct {
	base, release, name, version string
}

// packageQueries lists the lookups for a component's package identity:
// from its purl when it parses, else from its Ecosystem and Name.
func packageQueries(c model.Component) []pkgQuery {
	var qs []pkgQuery
	if c.PURL != "" {
		if p, err := parsePURL(c.PURL); err == nil {
			base, release, names := p.osvPackage()
			version := strings.TrimSpace(c.Version)
			if version == "" {
				version = p.fullVersion()
			}
			if base != "" {
				if c.Ecosystem != "" && vercmp.Base(c.Ecosystem) == base && release == "" {
					release = vercmp.Suffix(c.Ecosystem)
				}
				for _, n := range names {
					qs = append(qs, pkgQuery{base: base, release: release, name: n, version: version})
				}
				return qs
			}
		}
	}
	if c.Ecosystem != "" && c.Name != "" {
		base := vercmp.Base(c.Ecosystem)
		if base == "" {
			return nil
		}
		qs = append(qs, pkgQuery{base: base, release: vercmp.Suffix(c.Ecosystem), name: c.Name, version: strings.TrimSpace(c.Version)})
	}
	return qs
}
