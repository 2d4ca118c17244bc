package oscal

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

// CatalogDocument is the top-level OSCAL catalog JSON object.
type CatalogDocument struct {
	Catalog Catalog `json:"catalog"`
}

// Catalog is an OSCAL catalog.
type Catalog struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	Groups     []Group     `json:"groups,omitempty"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

// Group is an OSCAL catalog group.
type Group struct {
	ID       string     `json:"id,omitempty"`
	Class    string     `json:"class,omitempty"`
	Title    string     `json:"title"`
	Props    []Property `json:"props,omitempty"`
	Parts    []Part     `json:"parts,omitempty"`
	Controls []Control  `json:"controls,omitempty"`
}

// Control is an OSCAL control.
type Control struct {
	ID    string     `json:"id"`
	Class string     `json:"class,omitempty"`
	Title string     `json:"title"`
	Props []Property `json:"props,omitempty"`
	Links []Link     `json:"links,omitempty"`
	Parts []Part     `json:"parts,omitempty"`
}

// CatalogOptions sets the document-level values of an export.
type CatalogOptions struct {
	Version  string    // iotguard catalog version
	Modified time.Time // last-modified; zero means a fixed epoch for stable output
}

var groupTitles = map[model.Category]string{
	model.Security: "Security controls",
	model.Privacy:  "Privacy controls",
}

func frameworkResourceUUID(key string) string { return UUIDv5("framework:" + key) }

// ExportCatalog converts controls to an OSCAL catalog document.
func ExportCatalog(controls []*model.Control, opt CatalogOptions) *CatalogDocument {
	mod := opt.Modified
	if mod.IsZero() {
		mod = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	version := opt.Version
	if version == "" {
		version = "dev"
	}
	doc := &CatalogDocument{Catalog: Catalog{
		UUID: UUIDv5("catalog:iso-iec-27400:" + version),
		Metadata: Metadata{
			Title:        "ISO/IEC 27400:2022 IoT security and privacy controls (iotguard catalog)",
			LastModified: mod.UTC().Format(time.RFC3339),
			Version:      version,
			OSCALVersion: Version,
			Props:        []Property{{Name: "source", NS: NS, Value: "iotguard"}},
			Remarks: "Control titles follow the public list of ISO/IEC 27400:2022 control titles. " +
				"Objectives and guidance are iotguard's own words, not the text of the standard.",
		},
	}}
	groups := map[model.Category]*Group{}
	var order []model.Category
	for _, ctl := range controls {
		g, ok := groups[ctl.Category]
		if !ok {
			g = &Group{ID: string(ctl.Category), Class: "category", Title: groupTitles[ctl.Category]}
			groups[ctl.Category] = g
			order = append(order, ctl.Category)
		}
		g.Controls = append(g.Controls, exportControl(ctl))
	}
	for _, cat := range order {
		doc.Catalog.Groups = append(doc.Catalog.Groups, *groups[cat])
	}
	bm := &BackMatter{}
	for _, f := range catalog.Frameworks {
		bm.Resources = append(bm.Resources, Resource{
			UUID:     frameworkResourceUUID(f.Key),
			Title:    f.Title,
			Props:    []Property{{Name: "framework", NS: NS, Value: f.Key}},
			Citation: &Citation{Text: f.Title},
		})
	}
	doc.Catalog.BackMatter = bm
	return doc
}

func exportControl(ctl *model.Control) Control {
	low := strings.ToLower(ctl.ID)
	c := Control{ID: low, Class: "iso-iec-27400", Title: ctl.Title}
	c.Props = append(c.Props,
		Property{Name: "label", Value: ctl.ID},
		Property{Name: "sort-id", Value: low},
		Property{Name: "category", NS: NS, Value: string(ctl.Category)},
		Property{Name: "automation", NS: NS, Value: string(ctl.Automation)},
	)
	if ctl.Clause != "" {
		c.Props = append(c.Props, Property{Name: "clause", NS: NS, Value: ctl.Clause})
	}
	for _, s := range ctl.Stakeholders {
		c.Props = append(c.Props, Property{Name: "stakeholder", NS: NS, Value: string(s)})
	}
	for _, e := range ctl.Evidence {
		c.Props = append(c.Props, Property{Name: "evidence", NS: NS, Value: string(e)})
	}
	for _, p := range ctl.Lifecycle {
		c.Props = append(c.Props, Property{Name: "lifecycle", NS: NS, Value: string(p)})
	}
	for _, r := range ctl.References {
		text := r.ID
		if r.Note != "" {
			text += ": " + r.Note
		}
		c.Links = append(c.Links, Link{Href: "#" + frameworkResourceUUID(r.Framework), Rel: string(r.Relation), Text: text})
	}
	c.Parts = append(c.Parts, Part{ID: low + "_obj", Name: "objective", Prose: ctl.Objective})
	c.Parts = append(c.Parts, guidancePart(low+"_gdn", "guidance", "", ctl.Guidance))
	c.Parts = appendItems(c.Parts, low+"_evd", "good-evidence", ctl.GoodEvidence)
	c.Parts = appendItems(c.Parts, low+"_flr", "common-failures", ctl.CommonFailures)
	if len(ctl.OrgGuidance) > 0 {
		c.Parts = append(c.Parts, guidancePart(low+"_org", "organization-guidance", NS, ctl.OrgGuidance))
	}
	if o := ctl.Official; o != nil {
		p := Part{ID: low + "_off", Name: "official", NS: NS, Title: o.Title}
		for _, sub := range []struct{ name, text string }{{"control", o.Control}, {"purpose", o.Purpose}, {"guidance", o.Guidance}} {
			if sub.text != "" {
				p.Parts = append(p.Parts, Part{ID: low + "_off." + sub.name, Name: sub.name, NS: NS, Prose: sub.text})
			}
		}
		c.Parts = append(c.Parts, p)
	}
	return c
}

func guidancePart(id, name, ns string, gs []model.Guidance) Part {
	p := Part{ID: id, Name: name, NS: ns}
	for i, g := range gs {
		item := Part{ID: fmt.Sprintf("%s.%d", id, i+1), Name: "item", Prose: g.Text}
		if g.Role != "" {
			item.Props = []Property{{Name: "stakeholder", NS: NS, Value: string(g.Role)}}
		}
		p.Parts = append(p.Parts, item)
	}
	return p
}

func appendItems(parts []Part, id, name string, items []string) []Part {
	if len(items) == 0 {
		return parts
	}
	p := Part{ID: id, Name: name, NS: NS}
	for i, it := range items {
		p.Parts = append(p.Parts, Part{ID: fmt.Sprintf("%s.%d", id, i+1), Name: "item", Prose: it})
	}
	return append(parts, p)
}

// WriteCatalog writes the document as indented JSON.
func WriteCatalog(w io.Writer, doc *CatalogDocument) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// MaxCatalogSize bounds a catalog document read back; ours is ~300 KB.
const MaxCatalogSize = 32 << 20

// ReadCatalog parses an OSCAL catalog written by ExportCatalog back into
// controls. A control without an iotguard label is an error.
func ReadCatalog(r io.Reader) ([]*model.Control, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCatalogSize+1))
	if err != nil {
		return nil, fmt.Errorf("oscal catalog: %w", err)
	}
	if len(data) > MaxCatalogSize {
		return nil, fmt.Errorf("oscal catalog: document is larger than %d bytes", MaxCatalogSize)
	}
	var doc CatalogDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("oscal catalog: %w", err)
	}
	frameworks := map[string]string{}
	if doc.Catalog.BackMatter != nil {
		for _, res := range doc.Catalog.BackMatter.Resources {
			if k := PropValue(res.Props, "framework"); k != "" {
				frameworks["#"+res.UUID] = k
			}
		}
	}
	var out []*model.Control
	for _, g := range doc.Catalog.Groups {
		for _, c := range g.Controls {
			ctl, err := importControl(c, frameworks)
			if err != nil {
				return nil, err
			}
			out = append(out, ctl)
		}
	}
	return out, nil
}

func importControl(c Control, frameworks map[string]string) (*model.Control, error) {
	ctl := &model.Control{
		ID:         PropValue(c.Props, "label"),
		Title:      c.Title,
		Category:   model.Category(PropValue(c.Props, "category")),
		Clause:     PropValue(c.Props, "clause"),
		Automation: model.Automation(PropValue(c.Props, "automation")),
	}
	if ctl.ID == "" {
		return nil, fmt.Errorf("oscal catalog: control %q has no label prop", c.ID)
	}
	for _, v := range PropValues(c.Props, "stakeholder") {
		ctl.Stakeholders = append(ctl.Stakeholders, model.Stakeholder(v))
	}
	for _, v := range PropValues(c.Props, "evidence") {
		ctl.Evidence = append(ctl.Evidence, model.EvidenceKind(v))
	}
	for _, v := range PropValues(c.Props, "lifecycle") {
		ctl.Lifecycle = append(ctl.Lifecycle, model.Phase(v))
	}
	for _, l := range c.Links {
		fw, ok := frameworks[l.Href]
		if !ok {
			return nil, fmt.Errorf("oscal catalog: control %s links to unknown resource %s", ctl.ID, l.Href)
		}
		id, note, _ := strings.Cut(l.Text, ": ")
		ctl.References = append(ctl.References, model.Reference{Framework: fw, ID: id, Relation: model.Relation(l.Rel), Note: note})
	}
	for _, p := range c.Parts {
		switch p.Name {
		case "objective":
			ctl.Objective = p.Prose
		case "guidance":
			ctl.Guidance = importGuidance(p)
		case "organization-guidance":
			ctl.OrgGuidance = importGuidance(p)
		case "good-evidence":
			ctl.GoodEvidence = importItems(p)
		case "common-failures":
			ctl.CommonFailures = importItems(p)
		case "official":
			o := &model.Official{Title: p.Title}
			for _, sub := range p.Parts {
				switch sub.Name {
				case "control":
					o.Control = sub.Prose
				case "purpose":
					o.Purpose = sub.Prose
				case "guidance":
					o.Guidance = sub.Prose
				}
			}
			ctl.Official = o
		}
	}
	return ctl, nil
}

func importGuidance(p Part) []model.Guidance {
	var out []model.Guidance
	for _, it := range p.Parts {
		out = append(out, model.Guidance{Role: model.Stakeholder(PropValue(it.Props, "stakeholder")), Text: it.Prose})
	}
	return out
}

func importItems(p Part) []string {
	var out []string
	for _, it := range p.Parts {
		out = append(out, it.Prose)
	}
	return out
}
