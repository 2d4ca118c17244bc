package vulndb

import (
	"cmp"
	"slices"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// nvdKeyPrefix is the ecosystem part of CPE keys; no OSV ecosystem has
// this name.
const nvdKeyPrefix = "NVD-CPE"

func indexKey(base, name string) string { return base + "\x00" + name }

// Match returns the advisories that affect a component, found by its purl
// (or Ecosystem and Name) in the OSV data and by its CPEs in the NVD data.
// A component without a version matches nothing: no range can place it.
// Each vulnerability is reported once: an advisory whose ID or alias was
// already reported for the component (an NVD CVE named by an OSV alias, a
// GHSA and a GO record of the same CVE) is merged into the first report
// (KEV flag and highest CVSS kept). Matches in CISA's KEV catalogue have
// KEV set and severity critical. The result is ordered KEV first, then by
// severity, CVSS and advisory ID.
func (ix *Index) Match(c model.Component) ([]model.VulnMatch, error) {
	st := &matchState{seen: map[string]int{}}
	for _, q := range packageQueries(c) {
		if q.version == "" {
			continue
		}
		if err := ix.matchPackage(c, q, st); err != nil {
			return nil, err
		}
	}
	for _, s := range c.CPEs {
		comp, err := parseCPE(s)
		if err != nil {
			continue // a malformed CPE in an SBOM identifies nothing
		}
		version := c.Version
		if !anyValue(comp.version) && comp.version != "-" {
			version = comp.version
		}
		if err := ix.matchCPE(c, comp, strings.TrimSpace(version), st); err != nil {
			return nil, err
		}
	}
	out := make([]model.VulnMatch, 0, len(st.found))
	for i := range st.found {
		ix.applyKEV(&st.found[i])
		out = append(out, st.found[i].VulnMatch)
	}
	sortMatches(out)
	return out, nil
}

// found is a match with the upstream IDs that only the KEV check uses.
type found struct {
	model.VulnMatch
	upstream []string
}

// matchState collects one component's matches, indexed by every ID and
// alias already reported.
type matchState struct {
	found []found
	seen  map[string]int
}

// add reports a match, or merges it into the report of the same
// vulnerability.
func (st *matchState) add(f found) {
	ids := append([]string{f.Advisory}, f.Aliases...)
	for _, id := range ids {
		if i, ok := st.seen[strings.ToUpper(id)]; ok {
			old := &st.found[i]
			old.KEV = old.KEV || f.KEV
			if f.CVSS > old.CVSS {
				old.CVSS, old.Severity = f.CVSS, f.Severity
			}
			old.upstream = append(old.upstream, f.upstream...)
			// The merged record's own IDs stay visible as aliases, so a
			// GHSA merged into a GO record can still be looked up.
			for _, other := range ids {
				if !strings.EqualFold(other, old.Advisory) && !slices.ContainsFunc(old.Aliases, func(a string) bool { return strings.EqualFold(a, other) }) {
					old.Aliases = append(old.Aliases, other)
					st.seen[strings.ToUpper(other)] = i
				}
			}
			return
		}
	}
	st.found = append(st.found, f)
	for _, id := range ids {
		st.seen[strings.ToUpper(id)] = len(st.found) - 1
	}
}

// MatchAll matches every component, reusing results for components that
// are the same package at the same version.
func (ix *Index) MatchAll(components []model.Component) ([]model.VulnMatch, error) {
	var out []model.VulnMatch
	cache := map[string][]model.VulnMatch{}
	for _, c := range components {
		key := c.PURL + "\x00" + c.Ecosystem + "\x00" + c.Name + "\x00" + c.Version + "\x00" + strings.Join(c.CPEs, "\x00")
		ms, ok := cache[key]
		if !ok {
			var err error
			if ms, err = ix.Match(c); err != nil {
				return nil, err
			}
			cache[key] = ms
		}
		out = append(out, ms...)
	}
	return out, nil
}

func (ix *Index) matchPackage(c model.Component, q pkgQuery, st *matchState) error {
	key := indexKey(q.base, normalizeName(q.base, q.name))
	blob, bp, err := ix.lookup([]byte(key))
	if err != nil || blob == nil {
		return err
	}
	defer ix.release(bp)
	vc := newVerCtx(q.base, q.version)
	err = forEachEntry(blob, func(match, meta decoder) error {
		if match.byte1() != entryOSV {
			return errCorrupt
		}
		affs := decodeOSVMatch(&match)
		if match.err != nil {
			return match.err
		}
		for i := range affs {
			a := &affs[i]
			if !releaseMatches(a.variant, q.release) {
				continue
			}
			hit, text, fixed := evalAffected(a, vc)
			if !hit {
				continue
			}
			m := decodeMeta(&meta)
			if meta.err != nil {
				return meta.err
			}
			if a.variant != "" && q.release == "" {
				text += " (" + q.base + ":" + a.variant + ")"
			}
			st.add(newMatch(c, q.version, q.base, &m, text, fixed))
			return nil
		}
		return nil
	})
	if err != nil {
		return indexErr(ix.path, "advisories of %s %q: %v", q.base, clip(q.name, 60), err)
	}
	return nil
}

func (ix *Index) matchCPE(c model.Component, comp cpe, version string, st *matchState) error {
	blob, bp, err := ix.lookup([]byte(indexKey(nvdKeyPrefix, comp.key())))
	if err != nil || blob == nil {
		return err
	}
	defer ix.release(bp)
	err = forEachEntry(blob, func(match, meta decoder) error {
		if match.byte1() != entryNVD {
			return errCorrupt
		}
		rules := decodeNVDMatch(&match, comp.key())
		if match.err != nil {
			return match.err
		}
		for i := range rules {
			hit, text, fixed := rules[i].matches(comp, version)
			if !hit {
				continue
			}
			m := decodeMeta(&meta)
			if meta.err != nil {
				return meta.err
			}
			st.add(newMatch(c, version, c.Ecosystem, &m, text, fixed))
			return nil
		}
		return nil
	})
	if err != nil {
		return indexErr(ix.path, "advisories of CPE %s:%s: %v", clip(comp.vendor, 40), clip(comp.product, 40), err)
	}
	return nil
}

// forEachEntry walks the entries of a blob, handing each one's match and
// meta parts to fn.
func forEachEntry(blob []byte, fn func(match, meta decoder) error) error {
	d := decoder{b: blob}
	n := d.count(2)
	for range n {
		match := d.sub()
		meta := d.sub()
		if d.err != nil {
			return d.err
		}
		if err := fn(match, meta); err != nil {
			return err
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return errCorrupt
	}
	return nil
}

func newMatch(c model.Component, version, ecosystem string, m *metaSpec, affected, fixed string) found {
	name := c.Name
	if name == "" && c.PURL != "" {
		if p, err := parsePURL(c.PURL); err == nil {
			name = p.name
		}
	}
	vm := model.VulnMatch{
		Component: name,
		Version:   version,
		PURL:      c.PURL,
		Ecosystem: ecosystem,
		Advisory:  m.id,
		Aliases:   m.aliases,
		Summary:   m.summary,
		Severity:  m.severity,
		CVSS:      m.cvss,
		Affected:  affected,
		Fixed:     fixed,
		KEV:       m.kev,
		Published: model.Timestamp{Time: m.published},
	}
	return found{VulnMatch: vm, upstream: m.upstream}
}

// applyKEV marks matches whose advisory, aliases or upstream IDs are in the
// KEV catalogue, and raises them to critical.
func (ix *Index) applyKEV(f *found) {
	if !f.KEV {
		f.KEV = ix.IsKnownExploited(f.Advisory) || slices.ContainsFunc(f.Aliases, ix.IsKnownExploited) ||
			slices.ContainsFunc(f.upstream, ix.IsKnownExploited)
	}
	if f.KEV {
		f.Severity = model.Critical
	}
}

// IsKnownExploited reports whether a CVE (or any ID) is in the KEV
// catalogue the index was built with.
func (ix *Index) IsKnownExploited(id string) bool {
	_, ok := ix.kev[strings.ToUpper(strings.TrimSpace(id))]
	return ok
}

func sortMatches(ms []model.VulnMatch) {
	slices.SortStableFunc(ms, func(a, b model.VulnMatch) int {
		if a.KEV != b.KEV {
			if a.KEV {
				return -1
			}
			return 1
		}
		return cmp.Or(
			cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
			cmp.Compare(b.CVSS, a.CVSS),
			strings.Compare(a.Advisory, b.Advisory),
			strings.Compare(a.Component, b.Component),
		)
	})
}
