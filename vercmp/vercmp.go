// Package vercmp orders package versions the way each ecosystem's own
// package manager does, for matching components against OSV and NVD
// advisory ranges.
//
// Supported orderings:
//
//   - "SEMVER": SemVer 2.0 precedence (pre-releases before the release,
//     build metadata ignored). Parsing is lenient: a leading "v" or "=",
//     one to any number of numeric core parts ("1.2" == "1.2.0") and
//     leading zeros are accepted.
//   - "Go": semver with the "v" (or "go" for the toolchain) prefix; pseudo-
//     versions order as the pre-releases they are; "+incompatible" is build
//     metadata.
//   - "npm", "crates.io", "Hex", "Pub", "SwiftURL", "Kubernetes", ...: semver.
//   - "PyPI": PEP 440 (epochs, pre, post and dev releases, local versions,
//     alternative spellings and implicit numbers). Versions PEP 440 rejects
//     (legacy versions) sort before every valid one, as pip's old
//     LegacyVersion did.
//   - "Maven": the Maven version order specification (ComparableVersion).
//   - "Debian", "Ubuntu": dpkg (epoch:upstream-revision, "~" before anything).
//   - "Alpine", "Wolfi", "Chainguard": apk-tools 2.14/3 (digits, letter,
//     _suffix, ~hash, -rN; a run with a leading zero compares as text).
//   - "Red Hat", "Rocky Linux", "AlmaLinux", "openSUSE", "SUSE", ...: rpmvercmp.
//   - "" or "GENERIC" and every other ecosystem: a dotted ordering for
//     firmware and the like (see below).
//
// Ecosystem names are matched case-insensitively and a ":suffix" is ignored
// ("Debian:12", "Alpine:v3.18", "Ubuntu:22.04:LTS" use the base ecosystem).
//
// The generic ordering splits a version into numeric and alphabetic runs
// (any other character separates), compares numbers numerically and words
// case-insensitively, and treats trailing zeros as absent ("1.2" == "1.2.0").
// A number sorts after a word at the same position ("1.0.1" > "1.0.rc1").
// A version that ends where the other goes on with a word sorts after it
// when the word is a pre-release marker (alpha, beta, rc, pre, preview, dev,
// snapshot, milestone, cr, or a/b followed by a number: "1.0-rc1" < "1.0")
// and before it otherwise ("1.1.1w" > "1.1.1", "2.0-patch2" > "2.0"). Like
// Maven, zeros just before a word are dropped so the order stays transitive.
package vercmp

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by Parse's error when a version does not follow its
// ecosystem's syntax. The returned Version is still usable: it compares by
// a fallback rule documented per ecosystem.
var ErrInvalid = errors.New("invalid version")

// MaxLength bounds the versions Parse reads in full: longer strings are
// invalid (no real version is that long, and it keeps comparison cheap on
// hostile input). They still compare, as plain strings.
const MaxLength = 512

// scheme is an ordering algorithm.
type scheme uint8

const (
	schemeGeneric scheme = iota
	schemeSemver
	schemeGo
	schemePyPI
	schemeMaven
	schemeDebian
	schemeAlpine
	schemeRPM
)

var schemeNames = [...]string{
	schemeGeneric: "generic",
	schemeSemver:  "semver",
	schemeGo:      "go",
	schemePyPI:    "pep440",
	schemeMaven:   "maven",
	schemeDebian:  "dpkg",
	schemeAlpine:  "apk",
	schemeRPM:     "rpm",
}

// ecosystems maps the lower-cased base ecosystem to its canonical OSV
// spelling and ordering.
var ecosystems = map[string]struct {
	name   string
	scheme scheme
}{
	"":                             {"", schemeGeneric},
	"generic":                      {"GENERIC", schemeGeneric},
	"semver":                       {"SEMVER", schemeSemver},
	"go":                           {"Go", schemeGo},
	"golang":                       {"Go", schemeGo},
	"kubernetes":                   {"Kubernetes", schemeGo},
	"npm":                          {"npm", schemeSemver},
	"crates.io":                    {"crates.io", schemeSemver},
	"cargo":                        {"crates.io", schemeSemver},
	"hex":                          {"Hex", schemeSemver},
	"pub":                          {"Pub", schemeSemver},
	"swifturl":                     {"SwiftURL", schemeSemver},
	"bitnami":                      {"Bitnami", schemeSemver},
	"julia":                        {"Julia", schemeSemver},
	"pypi":                         {"PyPI", schemePyPI},
	"maven":                        {"Maven", schemeMaven},
	"debian":                       {"Debian", schemeDebian},
	"ubuntu":                       {"Ubuntu", schemeDebian},
	"alpine":                       {"Alpine", schemeAlpine},
	"wolfi":                        {"Wolfi", schemeAlpine},
	"chainguard":                   {"Chainguard", schemeAlpine},
	"alpaquita":                    {"Alpaquita", schemeAlpine},
	"bellsoft hardened containers": {"BellSoft Hardened Containers", schemeAlpine},
	"red hat":                      {"Red Hat", schemeRPM},
	"rocky linux":                  {"Rocky Linux", schemeRPM},
	"almalinux":                    {"AlmaLinux", schemeRPM},
	"opensuse":                     {"openSUSE", schemeRPM},
	"suse":                         {"SUSE", schemeRPM},
	"mageia":                       {"Mageia", schemeRPM},
	"openeuler":                    {"openEuler", schemeRPM},
	"photon os":                    {"Photon OS", schemeRPM},
	"rubygems":                     {"RubyGems", schemeGeneric},
	"nuget":                        {"NuGet", schemeGeneric},
	"packagist":                    {"Packagist", schemeGeneric},
	"cran":                         {"CRAN", schemeGeneric},
	"bioconductor":                 {"Bioconductor", schemeGeneric},
	"hackage":                      {"Hackage", schemeGeneric},
	"ghc":                          {"GHC", schemeGeneric},
	"conancenter":                  {"ConanCenter", schemeGeneric},
	"github actions":               {"GitHub Actions", schemeGeneric},
	"linux":                        {"Linux", schemeGeneric},
	"android":                      {"Android", schemeGeneric},
	"oss-fuzz":                     {"OSS-Fuzz", schemeGeneric},
	"opam":                         {"opam", schemeGeneric},
	"vscode":                       {"VSCode", schemeGeneric},
	"freebsd":                      {"FreeBSD", schemeGeneric},
	"echo":                         {"Echo", schemeGeneric},
	"minimos":                      {"MinimOS", schemeGeneric},
	"root":                         {"Root", schemeGeneric},
	"cleanstart":                   {"CleanStart", schemeGeneric},
	"docker hardened images":       {"Docker Hardened Images", schemeGeneric},
}

// Base returns the canonical OSV name of an ecosystem without its ":suffix"
// ("debian:12" -> "Debian", "PYPI" -> "PyPI"). An unknown ecosystem comes
// back trimmed but otherwise as given.
func Base(ecosystem string) string {
	base, _ := splitEcosystem(ecosystem)
	if e, ok := ecosystems[strings.ToLower(base)]; ok {
		return e.name
	}
	return base
}

// Suffix returns what follows the first ":" of an ecosystem ("Debian:12" ->
// "12", "Ubuntu:22.04:LTS" -> "22.04:LTS"), or "".
func Suffix(ecosystem string) string {
	_, s := splitEcosystem(ecosystem)
	return s
}

// Scheme names the ordering used for an ecosystem: semver, go, pep440,
// maven, dpkg, apk, rpm or generic.
func Scheme(ecosystem string) string { return schemeNames[schemeOf(ecosystem)] }

func splitEcosystem(ecosystem string) (base, suffix string) {
	ecosystem = strings.TrimSpace(ecosystem)
	if i := strings.IndexByte(ecosystem, ':'); i >= 0 {
		return strings.TrimSpace(ecosystem[:i]), strings.TrimSpace(ecosystem[i+1:])
	}
	return ecosystem, ""
}

func schemeOf(ecosystem string) scheme {
	base, _ := splitEcosystem(ecosystem)
	if e, ok := ecosystems[base]; ok { // fast path: already canonical or lower
		return e.scheme
	}
	if e, ok := ecosystems[strings.ToLower(base)]; ok {
		return e.scheme
	}
	return schemeGeneric
}

// Version is a parsed version. The zero Version is the empty generic
// version. Versions of different ecosystems compare by ecosystem first, so
// the order stays total, but such a comparison has no meaning.
type Version struct {
	raw    string
	scheme scheme
	p      parsed // nil when the string is invalid for its scheme
}

// parsed is one scheme's parsed form. cmp is only called with the same
// concrete type.
type parsed interface {
	cmp(other parsed) int
}

// Parse reads v as a version of the ecosystem. On an invalid version it
// returns an error wrapping ErrInvalid together with a Version that still
// compares (see the package documentation for each ecosystem's fallback).
func Parse(ecosystem, v string) (Version, error) {
	return parseScheme(schemeOf(ecosystem), v)
}

func parseScheme(s scheme, v string) (Version, error) {
	out := Version{raw: v, scheme: s}
	if len(v) > MaxLength {
		return out, fmt.Errorf("%w: longer than %d bytes", ErrInvalid, MaxLength)
	}
	var err error
	switch s {
	case schemeSemver:
		out.p, err = parseSemver(v, false)
	case schemeGo:
		out.p, err = parseSemver(v, true)
	case schemePyPI:
		out.p, err = parsePEP440(v)
	case schemeMaven:
		out.p = parseMaven(v)
	case schemeDebian:
		out.p, err = parseDpkg(v)
	case schemeAlpine:
		out.p, err = parseApk(v)
	case schemeRPM:
		out.p = parseRPM(v)
	default:
		out.p = parseGeneric(v)
	}
	if err != nil {
		out.p = nil
		return out, fmt.Errorf("%w %q: %v", ErrInvalid, truncate(v), err)
	}
	return out, nil
}

// MustParse is Parse for versions known to be valid (tests, constants). It
// never panics: an invalid version compares by its fallback rule.
func MustParse(ecosystem, v string) Version {
	out, _ := Parse(ecosystem, v)
	return out
}

// String returns the version as it was given.
func (v Version) String() string { return v.raw }

// Valid reports whether the version followed its ecosystem's syntax.
func (v Version) Valid() bool { return v.p != nil }

// Compare returns -1, 0 or +1 as v sorts before, equal to or after w.
func (v Version) Compare(w Version) int {
	if v.scheme != w.scheme {
		return cmpInt(int(v.scheme), int(w.scheme))
	}
	vp, wp := v.parsed(), w.parsed()
	if vp != nil && wp != nil {
		return vp.cmp(wp)
	}
	return compareInvalid(v, w)
}

// parsed returns the parsed form; the zero Version is the empty generic
// version.
func (v Version) parsed() parsed {
	if v.p == nil && v.scheme == schemeGeneric && v.raw == "" {
		return generic(nil)
	}
	return v.p
}

// compareInvalid orders when at least one side did not parse.
func compareInvalid(v, w Version) int {
	if v.scheme == schemePyPI {
		// Legacy (non PEP 440) versions sort before every valid version.
		switch {
		case v.p == nil && w.p != nil:
			return -1
		case v.p != nil && w.p == nil:
			return 1
		}
	}
	// Otherwise both are compared by the generic rule on their text; very
	// long strings (which the generic parser refuses too) as bytes.
	if len(v.raw) > MaxLength || len(w.raw) > MaxLength {
		return strings.Compare(v.raw, w.raw)
	}
	if c := parseGeneric(v.raw).cmp(parseGeneric(w.raw)); c != 0 {
		return c
	}
	// Keep distinct strings distinct so the fallback is antisymmetric and
	// a valid and an invalid version are never "equal".
	return cmpInt(boolInt(v.p != nil), boolInt(w.p != nil))
}

// Compare parses a and b as versions of the ecosystem and compares them.
func Compare(ecosystem, a, b string) int {
	s := schemeOf(ecosystem)
	va, _ := parseScheme(s, a)
	vb, _ := parseScheme(s, b)
	return va.Compare(vb)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cmpDigits compares two runs of ASCII digits numerically, at any length.
func cmpDigits(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return cmpInt(len(a), len(b))
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:61] + "..."
	}
	return s
}
