package engine

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
)

// Registry is an explicit, ordered set of checks. There is no global
// registration: callers build the registry they want.
type Registry struct {
	checks []Check
	byID   map[string]Check
}

var checkIDRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// NewRegistry validates and indexes checks.
func NewRegistry(checks ...Check) (*Registry, error) {
	r := &Registry{byID: map[string]Check{}}
	for _, c := range checks {
		if err := r.Add(c); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Add validates one check's metadata and adds it.
func (r *Registry) Add(c Check) error {
	m := c.Meta()
	if !checkIDRE.MatchString(m.ID) {
		return fmt.Errorf("check %q: ID must be lower-case words joined by hyphens", m.ID)
	}
	if _, dup := r.byID[m.ID]; dup {
		return fmt.Errorf("check %s: registered twice", m.ID)
	}
	if m.Version == "" || m.Title == "" || m.Remediation == "" {
		return fmt.Errorf("check %s: version, title and remediation are required", m.ID)
	}
	switch {
	case m.AnyControl && m.Scope != "solution":
		return fmt.Errorf("check %s: only solution checks may name their controls per result", m.ID)
	case !m.AnyControl && len(m.Controls) == 0:
		return fmt.Errorf("check %s: evidences no control", m.ID)
	}
	if m.Severity.Rank() < 0 {
		return fmt.Errorf("check %s: severity %q is invalid", m.ID, m.Severity)
	}
	var ok bool
	switch m.Scope {
	case "device":
		_, ok = c.(DeviceCheck)
	case "model":
		_, ok = c.(ModelCheck)
	case "service":
		_, ok = c.(ServiceCheck)
	case "network":
		_, ok = c.(NetworkCheck)
	case "flow":
		_, ok = c.(FlowCheck)
	case "solution":
		_, ok = c.(SolutionCheck)
	}
	if !ok {
		return fmt.Errorf("check %s: scope %q does not match the methods it implements", m.ID, m.Scope)
	}
	r.checks = append(r.checks, c)
	r.byID[m.ID] = c
	return nil
}

// Checks returns the checks in registration order.
func (r *Registry) Checks() []Check { return slices.Clone(r.checks) }

// Get returns a check by ID.
func (r *Registry) Get(id string) (Check, bool) {
	c, ok := r.byID[id]
	return c, ok
}

// IDs returns the sorted check IDs.
func (r *Registry) IDs() []string {
	ids := make([]string, 0, len(r.byID))
	for id := range r.byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ForControl returns the checks that evidence a control.
func (r *Registry) ForControl(id string) []Check {
	var out []Check
	for _, c := range r.checks {
		if slices.Contains(c.Meta().Controls, id) {
			out = append(out, c)
		}
	}
	return out
}
