package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// Mapping is one edge of the crosswalk between a 27400 control and an
// element of another framework.
type Mapping struct {
	Control   string         `json:"control"`
	Title     string         `json:"title"`
	Framework string         `json:"framework"`
	Element   string         `json:"element"`
	Relation  model.Relation `json:"relation"`
	Note      string         `json:"note,omitempty"`
}

// MapTo lists every mapping from the catalog's controls to framework, in
// catalog order.
func (c *Catalog) MapTo(framework string) ([]Mapping, error) {
	f, err := LookupFramework(framework)
	if err != nil {
		return nil, err
	}
	var out []Mapping
	for _, ctl := range c.Controls {
		for _, r := range ctl.References {
			if r.Framework == f.Key {
				out = append(out, Mapping{Control: ctl.ID, Title: ctl.Title, Framework: f.Key, Element: r.ID, Relation: r.Relation, Note: r.Note})
			}
		}
	}
	return out, nil
}

// MapFrom lists the controls that reference element of framework. An
// element that names a group (e.g. ETSI "5.1", ISO "A.8") matches every
// element in it.
func (c *Catalog) MapFrom(framework, element string) ([]Mapping, error) {
	f, err := LookupFramework(framework)
	if err != nil {
		return nil, err
	}
	el := strings.TrimSpace(element)
	all, _ := c.MapTo(f.Key)
	var out []Mapping
	for _, m := range all {
		if m.Element == el || inGroup(m.Element, el) {
			out = append(out, m)
		}
	}
	if len(out) == 0 && !f.ValidID(el) && !isGroup(all, el) {
		return nil, fmt.Errorf("%q is not a %s element: expected %s", element, f.Key, f.IDFormat)
	}
	return out, nil
}

// inGroup reports whether id lies inside group, e.g. "5.1-3" in "5.1",
// "A.8.8" in "A.8", "CR 1.5" in "CR 1".
func inGroup(id, group string) bool {
	if group == "" || !strings.HasPrefix(id, group) {
		return false
	}
	next := id[len(group)]
	return next == '.' || next == '-'
}

func isGroup(all []Mapping, el string) bool {
	for _, m := range all {
		if inGroup(m.Element, el) {
			return true
		}
	}
	return false
}

// Elements lists the distinct elements of framework referenced by the
// catalog, sorted naturally.
func (c *Catalog) Elements(framework string) ([]string, error) {
	all, err := c.MapTo(framework)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range all {
		if !seen[m.Element] {
			seen[m.Element] = true
			out = append(out, m.Element)
		}
	}
	sort.Slice(out, func(i, j int) bool { return naturalLess(out[i], out[j]) })
	return out, nil
}

// naturalLess orders "5.2-1" before "5.10-1" by comparing digit runs as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, ra := leadingNumber(a)
		db, rb := leadingNumber(b)
		if da >= 0 && db >= 0 {
			if da != db {
				return da < db
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func leadingNumber(s string) (int, string) {
	i := 0
	n := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int(s[i]-'0')
		i++
	}
	if i == 0 {
		return -1, s
	}
	return n, s[i:]
}
