package vulndb

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iotguard/iotguard/vercmp"
)

// verCtx is a component version, parsed at most once per ordering.
type verCtx struct {
	raw       string
	ecosystem string // base ecosystem: ECOSYSTEM ranges and versions lists
	sem, eco  vercmp.Version
	haveSem   bool
	haveEco   bool
}

func newVerCtx(ecosystem, raw string) *verCtx { return &verCtx{raw: raw, ecosystem: ecosystem} }

func (c *verCtx) ordering(typ uint8) string {
	if typ == rangeSEMVER {
		return "SEMVER"
	}
	return c.ecosystem
}

func (c *verCtx) version(typ uint8) vercmp.Version {
	if typ == rangeSEMVER {
		if !c.haveSem {
			c.sem, _ = vercmp.Parse("SEMVER", c.raw)
			c.haveSem = true
		}
		return c.sem
	}
	if !c.haveEco {
		c.eco, _ = vercmp.Parse(c.ecosystem, c.raw)
		c.haveEco = true
	}
	return c.eco
}

// cmp compares the component version with a bound of a range of type typ.
func (c *verCtx) cmp(typ uint8, bound string) int {
	b, _ := vercmp.Parse(c.ordering(typ), bound)
	return c.version(typ).Compare(b)
}

// cmpEvent compares the component version with event i of r, parsing the
// range's bounds once (build-time pruning compares many versions with the
// same range).
func (c *verCtx) cmpEvent(r *rangeSpec, i int) int {
	if r.parsed == nil {
		r.parsed = make([]vercmp.Version, len(r.events))
		for j, e := range r.events {
			r.parsed[j], _ = vercmp.Parse(c.ordering(r.typ), e.v)
		}
	}
	return c.version(r.typ).Compare(r.parsed[i])
}

// evalRange applies OSV's evaluation to one SEMVER or ECOSYSTEM range:
// the version must be below a limit (if any), then the sorted events are
// replayed, each event that the version has reached setting the state.
// It returns the interval that holds the version (">=1.0, <1.2.3") and the
// fixed version closing it.
func evalRange(r *rangeSpec, c *verCtx) (hit bool, text, fixed string) {
	hasLimit, below := false, false
	for i, e := range r.events {
		if e.kind == evLimit {
			hasLimit = true
			if strings.Contains(e.v, "*") || c.cmpEvent(r, i) < 0 {
				below = true
			}
		}
	}
	if hasLimit && !below {
		return false, "", ""
	}
	vulnerable, intro := false, -1
	for i, e := range r.events {
		switch e.kind {
		case evIntroduced:
			if e.v == "0" || c.cmpEvent(r, i) >= 0 {
				vulnerable, intro = true, i
			}
		case evFixed:
			if c.cmpEvent(r, i) >= 0 {
				vulnerable = false
			}
		case evLastAffected:
			if c.cmpEvent(r, i) > 0 {
				vulnerable = false
			}
		}
	}
	if !vulnerable {
		return false, "", ""
	}
	text = ">=" + r.events[intro].v
	for _, e := range r.events[intro+1:] {
		switch e.kind {
		case evFixed:
			return true, text + ", <" + e.v, e.v
		case evLastAffected:
			return true, text + ", <=" + e.v, ""
		}
	}
	if hasLimit {
		// No fix event: the smallest finite limit above the version bounds it.
		lim := ""
		for i, e := range r.events {
			if e.kind == evLimit && !strings.Contains(e.v, "*") && c.cmpEvent(r, i) < 0 &&
				(lim == "" || vercmp.Compare(c.ordering(r.typ), e.v, lim) < 0) {
				lim = e.v
			}
		}
		if lim != "" {
			text += ", <" + lim + " (limit)"
		}
	}
	return true, text, ""
}

// evalAffected decides whether one affected entry covers the version: any
// range, or membership of the versions list (by string or by ecosystem
// equality).
func evalAffected(a *affectedSpec, c *verCtx) (hit bool, text, fixed string) {
	for i := range a.ranges {
		h, t, f := evalRange(&a.ranges[i], c)
		if !h {
			continue
		}
		if !hit {
			hit, text, fixed = true, t, f
		} else if f != "" && (fixed == "" || vercmp.Compare(c.ordering(a.ranges[i].typ), f, fixed) < 0) {
			fixed = f // the nearest fix over every range that applies
		}
	}
	if hit {
		return hit, text, fixed
	}
	for _, v := range a.versions {
		if v == c.raw || c.cmp(rangeECOSYSTEM, v) == 0 {
			return true, versionsText(a.versions), ""
		}
	}
	return false, "", ""
}

// versionsText lists affected versions, at most six.
func versionsText(vs []string) string {
	const show = 6
	if len(vs) <= show {
		return "versions: " + strings.Join(vs, ", ")
	}
	return fmt.Sprintf("versions: %s and %d more", strings.Join(vs[:show], ", "), len(vs)-show)
}

// maxVersionLen drops absurd version strings from ranges and lists.
const maxVersionLen = 256

// prepareAffected turns an OSV affected entry into its index form: only
// SEMVER and ECOSYSTEM ranges (GIT ranges need the repository), events
// sorted by version with introduced "0" first, and the versions list
// without the versions a range already covers. ok is false when nothing
// is left to match by.
func prepareAffected(a *OSVAffected, base string) (affectedSpec, bool) {
	spec := affectedSpec{variant: vercmp.Suffix(a.Package.Ecosystem)}
	for _, r := range a.Ranges {
		var typ uint8
		switch strings.ToUpper(r.Type) {
		case "SEMVER":
			typ = rangeSEMVER
		case "ECOSYSTEM":
			typ = rangeECOSYSTEM
		default:
			continue
		}
		rs := rangeSpec{typ: typ}
		for _, e := range r.Events {
			ev := eventSpec{}
			switch {
			case e.Introduced != "":
				ev = eventSpec{evIntroduced, e.Introduced}
			case e.Fixed != "":
				ev = eventSpec{evFixed, e.Fixed}
			case e.LastAffected != "":
				ev = eventSpec{evLastAffected, e.LastAffected}
			case e.Limit != "":
				ev = eventSpec{evLimit, e.Limit}
			default:
				continue // an event type this version does not know
			}
			if len(ev.v) <= maxVersionLen {
				ev.v = strings.TrimSpace(ev.v)
				rs.events = append(rs.events, ev)
			}
		}
		if len(rs.events) == 0 {
			continue
		}
		sortEvents(&rs, base)
		spec.ranges = append(spec.ranges, rs)
	}
	seen := map[string]bool{}
	for _, v := range a.Versions {
		v = strings.TrimSpace(v)
		if v == "" || len(v) > maxVersionLen || seen[v] {
			continue
		}
		seen[v] = true
		if len(spec.ranges) > 0 {
			c := newVerCtx(base, v)
			covered := false
			for i := range spec.ranges {
				if h, _, _ := evalRange(&spec.ranges[i], c); h {
					covered = true
					break
				}
			}
			if covered {
				continue
			}
		}
		spec.versions = append(spec.versions, v)
	}
	return spec, len(spec.ranges) > 0 || len(spec.versions) > 0
}

// sortEvents orders events by version: introduced "0" before everything,
// limit "*" after everything, ties kept in document order.
func sortEvents(r *rangeSpec, base string) {
	ordering := base
	if r.typ == rangeSEMVER {
		ordering = "SEMVER"
	}
	type keyed struct {
		class int
		v     vercmp.Version
		e     eventSpec
	}
	ks := make([]keyed, len(r.events))
	for i, e := range r.events {
		k := keyed{class: 1, e: e}
		switch {
		case e.kind == evIntroduced && e.v == "0":
			k.class = 0
		case e.kind == evLimit && strings.Contains(e.v, "*"):
			k.class = 2
		default:
			k.v, _ = vercmp.Parse(ordering, e.v)
		}
		ks[i] = k
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		if a.class != b.class {
			return a.class - b.class
		}
		if a.class != 1 {
			return 0
		}
		return a.v.Compare(b.v)
	})
	r.parsed = make([]vercmp.Version, len(ks))
	for i := range ks {
		r.events[i] = ks[i].e
		if ks[i].class == 1 {
			r.parsed[i] = ks[i].v
		} else {
			r.parsed[i], _ = vercmp.Parse(ordering, ks[i].e.v)
		}
	}
}
