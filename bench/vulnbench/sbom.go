package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var codenames = map[string]string{"11": "bullseye", "12": "bookworm", "13": "trixie"}

// makeSBOM draws the components: 5 % at an affected version of an advised
// package, 15 % at a version of an advised package that no advisory
// covers (exercising the range logic's negatives), the rest packages no
// advisory names.
func (c *corpus) makeSBOM(r *rand.Rand) {
	advised := map[string][]int32{}
	for _, e := range ecosystems {
		for _, pi := range c.pkgsByEco[e.name] {
			if len(c.pkgs[pi].advs) > 0 {
				advised[e.name] = append(advised[e.name], pi)
			}
		}
	}
	seen := map[string]bool{}
	left := c.cfg.components
	for i, e := range ecosystems {
		n := int(float64(c.cfg.components) * e.compShare)
		if i == len(ecosystems)-1 {
			n = left
		}
		left -= n
		for range n {
			var comp component
			ok := false
			switch x := r.IntN(1000); {
			case x < 50 && len(advised[e.name]) > 0:
				comp, ok = c.advisedComp(r, e.name, e.releases, advised[e.name], true, seen)
			case x < 200 && len(advised[e.name]) > 0:
				comp, ok = c.advisedComp(r, e.name, e.releases, advised[e.name], false, seen)
			}
			if !ok {
				comp = c.plainComp(r, e.name, e.releases, seen)
			}
			if comp.binary {
				c.binaryComp++
			}
			c.comps = append(c.comps, comp)
		}
	}
}

func (c *corpus) advisedComp(r *rand.Rand, eco string, releases []string, advised []int32, affected bool, seen map[string]bool) (component, bool) {
	for range 200 {
		pi := pick(r, advised)
		p := &c.pkgs[pi]
		v := int32(r.IntN(len(p.hist)))
		rel := ""
		if len(releases) > 0 {
			rel = pick(r, releases)
		}
		exp := c.expect(pi, v, rel)
		if (len(exp) > 0) != affected {
			continue
		}
		comp := c.newComponent(r, p, rel, p.hist[v])
		comp.pkg = pi
		if isDistro(eco) && r.IntN(10) == 0 && c.cfg.edgeCases {
			// A binary package built from this source: syft writes the
			// source in the upstream qualifier.
			comp.binary = true
			comp.name = "lib" + p.name + fmt.Sprint(1+r.IntN(9))
		}
		key := eco + "\x00" + comp.name + "\x00" + comp.version
		if seen[key] {
			continue
		}
		seen[key] = true
		comp.expected = exp
		comp.purl = c.purl(r, &comp, p.name)
		return comp, true
	}
	return component{}, false
}

func (c *corpus) plainComp(r *rand.Rand, eco string, releases []string, seen map[string]bool) component {
	p := c.newName(r, eco)
	p.hist = history(r, eco, 3+r.IntN(10))
	rel := ""
	if len(releases) > 0 {
		rel = pick(r, releases)
	}
	comp := c.newComponent(r, &p, rel, pick(r, p.hist))
	comp.pkg = -1
	seen[eco+"\x00"+comp.name+"\x00"+comp.version] = true
	comp.purl = c.purl(r, &comp, p.name)
	return comp
}

func (c *corpus) newComponent(r *rand.Rand, p *pkgInfo, rel, version string) component {
	comp := component{eco: p.eco, name: p.cdxName, group: p.group, version: version, release: rel}
	if p.eco == ecoGo {
		comp.version = "v" + version // Go module versions carry the v
	}
	return comp
}

// purl writes the component's package URL as syft does: distro and
// upstream qualifiers for apk and deb, the canonical name for PyPI.
func (c *corpus) purl(r *rand.Rand, comp *component, source string) string {
	v := purlEscape(comp.version)
	switch comp.eco {
	case ecoDebian:
		q := "arch=amd64"
		if comp.binary {
			q += "&upstream=" + source
		}
		distro := "debian-" + comp.release
		switch x := r.IntN(100); {
		case x < 15:
			distro = codenames[comp.release] // osv-scalibr writes the codename
		case x < 25 && c.cfg.edgeCases:
			distro = fmt.Sprintf("debian-%s.%d", comp.release, 1+r.IntN(9)) // trivy writes the point release
			comp.pointRel = true
		}
		return fmt.Sprintf("pkg:deb/debian/%s@%s?%s&distro=%s", comp.name, v, q, distro)
	case ecoAlpine:
		q := "arch=x86_64"
		if comp.binary {
			q += "&upstream=" + source
		}
		return fmt.Sprintf("pkg:apk/alpine/%s@%s?%s&distro=alpine-%s.%d", comp.name, v, q, strings.TrimPrefix(comp.release, "v"), r.IntN(5))
	case ecoNPM:
		return "pkg:npm/" + strings.Replace(comp.name, "@", "%40", 1) + "@" + v
	case ecoPyPI:
		return "pkg:pypi/" + source + "@" + v
	case ecoGo:
		return "pkg:golang/" + comp.name + "@" + v
	case ecoMaven:
		return "pkg:maven/" + comp.group + "/" + comp.name + "@" + v
	}
	panic(comp.eco)
}

func purlEscape(s string) string {
	return strings.NewReplacer(":", "%3A", "+", "%2B", "@", "%40", "?", "%3F", "#", "%23").Replace(s)
}

// releaseOK: an entry without a suffix applies to every release.
func releaseOK(suffix, rel string) bool { return suffix == "" || suffix == rel }

// expect lists the advisories that affect version v of package pi in
// release rel, by the OSV schema's rules (withdrawn records excluded).
func (c *corpus) expect(pi, v int32, rel string) []int32 {
	var out []int32
	for _, ai := range c.pkgs[pi].advs {
		a := &c.advs[ai]
		if a.withdrawn {
			continue
		}
		for i := range a.affected {
			e := &a.affected[i]
			if e.pkg == pi && releaseOK(e.suffix, rel) && e.contains(v) {
				out = append(out, ai)
				break
			}
		}
	}
	return out
}

// versionIndex is the position of the component's version in its
// package history.
func (c *corpus) versionIndex(comp *component) int32 {
	v := strings.TrimPrefix(comp.version, "v")
	if comp.eco != ecoGo {
		v = comp.version
	}
	for i, h := range c.pkgs[comp.pkg].hist {
		if h == v {
			return int32(i)
		}
	}
	return -1
}

// Reasons why osv-scanner v2.6.0 does not report an advisory that the
// OSV rules say affects a component (read in osv-scalibr's
// enricher/vulnmatch/osvlocal and purl/ecosystem).
const (
	whyUpstream  = "osv-scanner: distro binary package; the advisory names its source package (purl upstream qualifier), which osv-scanner does not read from a CycloneDX SBOM"
	whyPointRel  = "osv-scanner: distro=debian-12.N (trivy style) becomes ecosystem Debian:12.N, which equals no advisory's Debian:12"
	whyPyPIName  = "osv-scanner: the advisory's PyPI name is not PEP 503 normalised (Cedar_Moss); osv-scanner normalises only the SBOM side and compares names exactly"
	whyGitFirst  = "osv-scanner: the affected entry lists a GIT range before its ECOSYSTEM range; osv-scanner stops at the first range that is not SEMVER/ECOSYSTEM, and the versions list (written before this version existed) does not name it"
	whyAliasMrg  = "iotguard: one finding per vulnerability; this record is an alias (GO-/GHSA-/PYSEC- twin) of one iotguard reports for the component"
	whyUnchecked = ""
)

// osvMiss explains why osv-scanner is expected to miss an expected match,
// or returns "" when it should report it.
func (c *corpus) osvMiss(comp *component, ai int32) string {
	if comp.binary {
		return whyUpstream
	}
	if comp.pointRel {
		return whyPointRel
	}
	v := c.versionIndex(comp)
	a := &c.advs[ai]
	why := whyUnchecked
	for i := range a.affected {
		e := &a.affected[i]
		if e.pkg != comp.pkg || !releaseOK(e.suffix, comp.release) || !e.contains(v) {
			continue
		}
		p := &c.pkgs[e.pkg]
		switch {
		case p.advName != p.name:
			why = whyPyPIName
		case e.gitFirst && !contains32(e.versions, v):
			why = whyGitFirst
		default:
			return ""
		}
	}
	return why
}

func contains32(xs []int32, x int32) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
