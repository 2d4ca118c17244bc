package vulndb

import (
	"strings"

	"github.com/iotguard/iotguard/model"
)

// ApplyVEX marks the matches that VEX statements declare not exploitable:
// a statement with state not_affected or false_positive, for the match's
// advisory ID or one of its aliases, and for its component. The statement's
// Component is a purl (matched ignoring qualifiers; a purl without version
// covers every version), a bom-ref of one of components (the SBOM's
// components), or empty for every component; a bom-ref that names none of
// the components (typically the product itself) also covers every
// component. When several statements apply, one naming the component wins
// over one that does not, and among equals the last one wins, so an
// "affected" statement for a component overrides a product-wide
// not_affected. Suppressed matches get Suppressed and Justification
// ("<justification>: <detail>"). It returns how many matches it suppressed.
func ApplyVEX(matches []model.VulnMatch, vex []model.VEXStatement, components []model.Component) int {
	if len(vex) == 0 {
		return 0
	}
	byRef := map[string][]model.Component{}
	for _, c := range components {
		if c.BOMRef != "" {
			byRef[c.BOMRef] = append(byRef[c.BOMRef], c)
		}
	}
	n := 0
	for i := range matches {
		m := &matches[i]
		var chosen *model.VEXStatement
		best := -1
		for j := range vex {
			s := &vex[j]
			if !vexNames(s.Vulnerability, m) {
				continue
			}
			spec := vexApplies(s.Component, m, byRef)
			if spec >= 0 && spec >= best {
				chosen, best = s, spec
			}
		}
		if chosen == nil || !suppressing(chosen.State) {
			continue
		}
		if !m.Suppressed {
			n++
		}
		m.Suppressed = true
		m.Justification = vexJustification(chosen)
	}
	return n
}

func vexNames(id string, m *model.VulnMatch) bool {
	id = strings.TrimSpace(id)
	if id == "" {
		return false
	}
	if strings.EqualFold(id, m.Advisory) {
		return true
	}
	for _, a := range m.Aliases {
		if strings.EqualFold(id, a) {
			return true
		}
	}
	return false
}

// vexApplies returns how specifically a statement's component names the
// match: -1 not at all, 0 every component, 1 this component.
func vexApplies(ref string, m *model.VulnMatch, byRef map[string][]model.Component) int {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return 0
	}
	if strings.HasPrefix(strings.ToLower(ref), "pkg:") {
		if m.PURL != "" && purlCovers(ref, m.PURL) {
			return 1
		}
		return -1
	}
	comps, ok := byRef[ref]
	if !ok {
		return 0 // not a component: the product (or another whole) the SBOM describes
	}
	for _, c := range comps {
		if (m.PURL != "" && c.PURL == m.PURL) || (c.Name == m.Component && strings.TrimSpace(c.Version) == m.Version) {
			return 1
		}
	}
	return -1
}

// purlCovers compares package URLs without qualifiers and subpath; a
// statement purl without version covers every version.
func purlCovers(stmt, comp string) bool {
	s, err1 := parsePURL(stmt)
	c, err2 := parsePURL(comp)
	if err1 != nil || err2 != nil {
		return strings.EqualFold(stmt, comp)
	}
	if s.typ != c.typ || !strings.EqualFold(s.namespace, c.namespace) || !strings.EqualFold(s.name, c.name) {
		return false
	}
	return s.version == "" || s.version == c.version
}

func suppressing(state string) bool {
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(state)), "-", "_") {
	case "not_affected", "false_positive":
		return true
	}
	return false
}

func vexJustification(s *model.VEXStatement) string {
	j, d := clean(s.Justification, 200), clean(s.Detail, 1000)
	switch {
	case j != "" && d != "":
		return j + ": " + d
	case j != "":
		return j
	case d != "":
		return d
	}
	return strings.ToLower(strings.TrimSpace(s.State))
}
