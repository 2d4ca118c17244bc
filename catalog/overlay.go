package catalog

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/iotguard/iotguard/internal/strictyaml"
	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

// MaxOverlaySize bounds an overlay file; the official text of all 45
// controls is far smaller.
const MaxOverlaySize = 8 << 20

// Overlay adds licensed official text, confirmed clause numbers or an
// organisation's own guidance to controls. It never removes anything.
type Overlay struct {
	// Source says where the text comes from, e.g. the licence it is used under.
	Source   string                    `yaml:"source"`
	Controls map[string]OverlayControl `yaml:"controls"`
}

// OverlayControl is what an overlay may set or add for one control.
type OverlayControl struct {
	Clause         string            `yaml:"clause"`
	Official       *model.Official   `yaml:"official"`
	Guidance       []model.Guidance  `yaml:"guidance"`
	GoodEvidence   []string          `yaml:"good_evidence"`
	CommonFailures []string          `yaml:"common_failures"`
	References     []model.Reference `yaml:"references"`
}

// LoadOverlayFile reads and validates an overlay file against c.
func (c *Catalog) LoadOverlayFile(path string) (*Overlay, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("catalog overlay: %w", err)
	}
	if fi.Size() > MaxOverlaySize {
		return nil, fmt.Errorf("catalog overlay %s: file is %d bytes, more than the %d-byte limit", path, fi.Size(), MaxOverlaySize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog overlay: %w", err)
	}
	return c.ParseOverlay(path, data)
}

// ParseOverlay decodes and validates overlay data; file names it in errors.
func (c *Catalog) ParseOverlay(file string, data []byte) (*Overlay, error) {
	var o Overlay
	doc, err := strictyaml.Decode(file, data, &o)
	if err != nil {
		return nil, err
	}
	var errs strictyaml.Errors
	ids := make([]string, 0, len(o.Controls))
	for id := range o.Controls {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		path := "controls." + id
		ctl := c.Control(id)
		if ctl == nil {
			errs = append(errs, doc.Errorf(path, "unknown control ID %q%s; valid IDs are S01-S28 and P01-P17",
				id, suggest.Hint(id, c.IDs())))
			continue
		}
		oc := o.Controls[id]
		if oc.Clause != "" && !clauseRE.MatchString(oc.Clause) {
			errs = append(errs, doc.Errorf(path+".clause", "clause %q is not a dotted clause number such as 7.1.2.15", oc.Clause))
		}
		for i, g := range oc.Guidance {
			gp := fmt.Sprintf("%s.guidance[%d]", path, i)
			if g.Role != "" && !ctl.HasStakeholder(g.Role) {
				errs = append(errs, doc.Errorf(gp+".role", "role %q does not own %s; its owners are %v", g.Role, id, ctl.Stakeholders))
			}
			if strings.TrimSpace(g.Text) == "" {
				errs = append(errs, doc.Errorf(gp+".text", "guidance text is empty"))
			}
		}
		for i, r := range oc.References {
			for _, msg := range validateReference(id, r) {
				errs = append(errs, doc.Errorf(fmt.Sprintf("%s.references[%d]", path, i), "%s", strings.TrimPrefix(msg, id+": ")))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &o, nil
}

// WithOverlay returns a copy of c with the overlay applied.
func (c *Catalog) WithOverlay(o *Overlay) *Catalog {
	out := c.Clone()
	for id, oc := range o.Controls {
		ctl := out.Control(id)
		if oc.Clause != "" {
			ctl.Clause = oc.Clause
		}
		if oc.Official != nil {
			off := *oc.Official
			ctl.Official = &off
		}
		ctl.OrgGuidance = append(ctl.OrgGuidance, oc.Guidance...)
		ctl.GoodEvidence = append(ctl.GoodEvidence, oc.GoodEvidence...)
		ctl.CommonFailures = append(ctl.CommonFailures, oc.CommonFailures...)
		ctl.References = append(ctl.References, oc.References...)
	}
	return out
}
