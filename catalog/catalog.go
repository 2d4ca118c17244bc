// Package catalog holds the 45 ISO/IEC 27400 controls as data embedded in
// the binary, in iotguard's own words, with queries, overlays and the
// crosswalk to other frameworks.
package catalog

import (
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/iotguard/iotguard/internal/strictyaml"
	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

//go:embed data/security.yaml data/privacy.yaml
var dataFS embed.FS

// dataFiles are read in this order: security controls, then privacy.
var dataFiles = []string{"data/security.yaml", "data/privacy.yaml"}

type dataFile struct {
	Controls []*model.Control `yaml:"controls"`
}

// Catalog is an ordered, indexed set of controls.
type Catalog struct {
	Controls []*model.Control
	byID     map[string]*model.Control
}

// Load reads the embedded catalog and checks its invariants.
func Load() (*Catalog, error) {
	var all []*model.Control
	for _, name := range dataFiles {
		data, err := dataFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		var f dataFile
		if _, err := strictyaml.Decode("catalog/"+name, data, &f); err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		all = append(all, f.Controls...)
	}
	c, err := New(all)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// MustLoad is Load for callers that cannot proceed without the embedded
// catalog, which tests guarantee is valid.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// New indexes controls and validates them.
func New(controls []*model.Control) (*Catalog, error) {
	c := &Catalog{Controls: controls, byID: make(map[string]*model.Control, len(controls))}
	var problems []string
	for _, ctl := range controls {
		if _, dup := c.byID[ctl.ID]; dup {
			problems = append(problems, fmt.Sprintf("%s: duplicate control ID", ctl.ID))
		}
		c.byID[ctl.ID] = ctl
		problems = append(problems, Validate(ctl)...)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("catalog is invalid:\n  %s", strings.Join(problems, "\n  "))
	}
	return c, nil
}

var (
	idRE     = regexp.MustCompile(`^(S(0[1-9]|1[0-9]|2[0-8])|P(0[1-9]|1[0-7]))$`)
	clauseRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`)
)

// Validate checks one control's fields and returns a description of each
// problem.
func Validate(ctl *model.Control) []string {
	var p []string
	bad := func(format string, args ...any) {
		p = append(p, ctl.ID+": "+fmt.Sprintf(format, args...))
	}
	if !idRE.MatchString(ctl.ID) {
		bad("ID must be S01-S28 or P01-P17")
	}
	if strings.TrimSpace(ctl.Title) == "" {
		bad("title is empty")
	}
	switch {
	case !slices.Contains(model.Categories, ctl.Category):
		bad("category %q is not one of %v", ctl.Category, model.Categories)
	case strings.HasPrefix(ctl.ID, "S") != (ctl.Category == model.Security):
		bad("category %q does not match the ID prefix", ctl.Category)
	}
	if len(ctl.Stakeholders) == 0 {
		bad("no stakeholders")
	}
	for _, s := range ctl.Stakeholders {
		if !slices.Contains(model.Stakeholders, s) {
			bad("stakeholder %q is not one of %v", s, model.Stakeholders)
		}
	}
	if ctl.Clause != "" && !clauseRE.MatchString(ctl.Clause) {
		bad("clause %q is not a dotted clause number", ctl.Clause)
	}
	if !slices.Contains(model.AutomationLevels, ctl.Automation) {
		bad("automation %q is not one of %v", ctl.Automation, model.AutomationLevels)
	}
	if len(ctl.Evidence) == 0 {
		bad("no evidence kinds")
	}
	for _, e := range ctl.Evidence {
		if _, ok := model.EvidenceKinds[e]; !ok {
			bad("evidence kind %q is unknown", e)
		}
	}
	if len(ctl.Lifecycle) == 0 {
		bad("no lifecycle phases")
	}
	for _, ph := range ctl.Lifecycle {
		if !slices.Contains(model.Phases, ph) {
			bad("lifecycle phase %q is not one of %v", ph, model.Phases)
		}
	}
	if strings.TrimSpace(ctl.Objective) == "" {
		bad("objective is empty")
	}
	if len(ctl.Guidance) == 0 {
		bad("no guidance")
	}
	for _, g := range ctl.Guidance {
		if g.Role != "" && !ctl.HasStakeholder(g.Role) {
			bad("guidance for %s, who does not own the control", g.Role)
		}
		if strings.TrimSpace(g.Text) == "" {
			bad("empty guidance text")
		}
	}
	if len(ctl.References) == 0 {
		bad("no references")
	}
	for _, r := range ctl.References {
		p = append(p, validateReference(ctl.ID, r)...)
	}
	return p
}

func validateReference(id string, r model.Reference) []string {
	var p []string
	f, err := LookupFramework(r.Framework)
	switch {
	case err != nil:
		p = append(p, fmt.Sprintf("%s: reference: %v", id, err))
	case f.Key != r.Framework:
		p = append(p, fmt.Sprintf("%s: reference framework %q must use the key %q", id, r.Framework, f.Key))
	case !f.ValidID(r.ID):
		p = append(p, fmt.Sprintf("%s: reference %q is not a well-formed %s ID: expected %s", id, r.ID, f.Key, f.IDFormat))
	}
	if !slices.Contains(model.Relations, r.Relation) {
		p = append(p, fmt.Sprintf("%s: reference %s %s: relation %q is not one of %v", id, r.Framework, r.ID, r.Relation, model.Relations))
	}
	return p
}

// ControlIDs returns the IDs of the 45 controls in catalog order, S01 to
// S28 then P01 to P17, without loading the catalog: they follow from the
// standard's structure (a test holds them to the data), and validating a
// manifest's control references should not cost a parse of every control's
// text.
func ControlIDs() []string {
	ids := make([]string, 0, 45)
	for i := 1; i <= 28; i++ {
		ids = append(ids, fmt.Sprintf("S%02d", i))
	}
	for i := 1; i <= 17; i++ {
		ids = append(ids, fmt.Sprintf("P%02d", i))
	}
	return ids
}

// IDs lists the control IDs in catalog order.
func (c *Catalog) IDs() []string {
	ids := make([]string, len(c.Controls))
	for i, ctl := range c.Controls {
		ids[i] = ctl.ID
	}
	return ids
}

// Control returns the control with the given ID, or nil.
func (c *Catalog) Control(id string) *model.Control { return c.byID[id] }

// Find looks a control up by ID (any case) or by clause number. The error
// names the nearest valid ID.
func (c *Catalog) Find(key string) (*model.Control, error) {
	k := strings.ToUpper(strings.TrimSpace(key))
	if ctl, ok := c.byID[k]; ok {
		return ctl, nil
	}
	// Accept S1 for S01.
	if len(k) == 2 && (k[0] == 'S' || k[0] == 'P') {
		if ctl, ok := c.byID[k[:1]+"0"+k[1:]]; ok {
			return ctl, nil
		}
	}
	for _, ctl := range c.Controls {
		if ctl.Clause != "" && ctl.Clause == strings.TrimSpace(key) {
			return ctl, nil
		}
	}
	return nil, fmt.Errorf("unknown control %q%s: valid IDs are S01-S28 and P01-P17, or a clause number such as 7.1.2.3",
		key, suggest.Hint(k, c.IDs()))
}

// Filter selects controls; zero fields match everything.
type Filter struct {
	Role       model.Stakeholder
	Category   model.Category
	Automation model.Automation
}

// Select returns the controls that match f, in catalog order.
func (c *Catalog) Select(f Filter) []*model.Control {
	var out []*model.Control
	for _, ctl := range c.Controls {
		if f.Role != "" && !ctl.HasStakeholder(f.Role) {
			continue
		}
		if f.Category != "" && ctl.Category != f.Category {
			continue
		}
		if f.Automation != "" && ctl.Automation != f.Automation {
			continue
		}
		out = append(out, ctl)
	}
	return out
}

// Clone returns a deep copy, so overlays never change the shared catalog.
func (c *Catalog) Clone() *Catalog {
	out := make([]*model.Control, len(c.Controls))
	for i, ctl := range c.Controls {
		cp := *ctl
		cp.Stakeholders = slices.Clone(ctl.Stakeholders)
		cp.Evidence = slices.Clone(ctl.Evidence)
		cp.Lifecycle = slices.Clone(ctl.Lifecycle)
		cp.Guidance = slices.Clone(ctl.Guidance)
		cp.GoodEvidence = slices.Clone(ctl.GoodEvidence)
		cp.CommonFailures = slices.Clone(ctl.CommonFailures)
		cp.References = slices.Clone(ctl.References)
		cp.OrgGuidance = slices.Clone(ctl.OrgGuidance)
		if ctl.Official != nil {
			o := *ctl.Official
			cp.Official = &o
		}
		out[i] = &cp
	}
	cl, _ := New(out)
	return cl
}
