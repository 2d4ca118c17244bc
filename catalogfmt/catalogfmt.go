// Package catalogfmt renders catalog controls and crosswalks for people
// (aligned tables, text, Markdown) and for tools (JSON, CSV, YAML).
package catalogfmt

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

// TableWidth is the width the default table fits in.
const TableWidth = 100

// ListFormats are the formats of `catalog list`.
var ListFormats = []string{"table", "json", "csv", "markdown", "yaml"}

// ExportFormats are the formats of `catalog export`.
var ExportFormats = []string{"oscal", "json", "csv", "markdown", "yaml"}

// MapFormats are the formats of `catalog map`.
var MapFormats = []string{"table", "json", "csv"}

// ShowFormats are the formats of `catalog show`.
var ShowFormats = []string{"text", "json", "yaml", "markdown"}

func joinRoles(ss []model.Stakeholder) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, "/")
}

// Truncate shortens s to at most n runes, cutting at a word boundary when
// one is near and marking the cut with an ellipsis.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	cut := string(r)
	if i := strings.LastIndex(cut, " "); i > n*2/3 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:-") + "…"
}

func pad(s string, n int) string {
	if w := utf8.RuneCountInString(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// Table writes an aligned table that fits TableWidth columns.
func Table(w io.Writer, controls []*model.Control) error {
	const fixed = 5 + 10 + 12 + 13 + 10 // ID, CATEGORY, OWNERS, AUTOMATION, CLAUSE
	titleW := TableWidth - fixed
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s%s%s%s%s\n", pad("ID", 5), pad("CATEGORY", 10), pad("OWNERS", 12), pad("AUTOMATION", 13), pad("CLAUSE", 10), "TITLE")
	for _, c := range controls {
		clause := c.Clause
		if clause == "" {
			clause = "-"
		}
		fmt.Fprintf(&b, "%s%s%s%s%s%s\n", pad(c.ID, 5), pad(string(c.Category), 10), pad(joinRoles(c.Stakeholders), 12),
			pad(string(c.Automation), 13), pad(clause, 10), Truncate(c.Title, titleW))
	}
	fmt.Fprintf(&b, "\n%d controls\n", len(controls))
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON writes the controls as an indented JSON array.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// YAML writes v as YAML.
func YAML(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}

// referenceList renders references as "framework:id (relation)".
func referenceList(refs []model.Reference) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = fmt.Sprintf("%s:%s (%s)", r.Framework, r.ID, r.Relation)
	}
	return strings.Join(parts, "; ")
}

func joinAny[T ~string](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = string(x)
	}
	return strings.Join(parts, ";")
}

// CSV writes one row per control.
func CSV(w io.Writer, controls []*model.Control) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "title", "category", "stakeholders", "clause", "automation", "evidence", "lifecycle", "objective", "references"})
	for _, c := range controls {
		cw.Write([]string{c.ID, c.Title, string(c.Category), joinAny(c.Stakeholders), c.Clause, string(c.Automation),
			joinAny(c.Evidence), joinAny(c.Lifecycle), c.Objective, referenceList(c.References)})
	}
	cw.Flush()
	return cw.Error()
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// MarkdownTable writes the controls as a Markdown table.
func MarkdownTable(w io.Writer, controls []*model.Control) error {
	var b strings.Builder
	b.WriteString("| ID | Title | Category | Owners | Automation | Clause |\n|---|---|---|---|---|---|\n")
	for _, c := range controls {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", c.ID, mdEscape(c.Title), c.Category, joinRoles(c.Stakeholders), c.Automation, c.Clause)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MarkdownDocument writes every control in full as a Markdown document.
func MarkdownDocument(w io.Writer, controls []*model.Control) error {
	var b strings.Builder
	b.WriteString("# ISO/IEC 27400 controls (iotguard catalog)\n\n")
	b.WriteString("Titles follow the public list of ISO/IEC 27400:2022 controls; all other text is iotguard's own.\n\n")
	if err := MarkdownTable(&b, controls); err != nil {
		return err
	}
	for _, c := range controls {
		b.WriteString("\n")
		writeMarkdownControl(&b, c)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownControl(b *strings.Builder, c *model.Control) {
	fmt.Fprintf(b, "## %s %s\n\n", c.ID, c.Title)
	clause := c.Clause
	if clause == "" {
		clause = "not confirmed"
	}
	fmt.Fprintf(b, "- **Category:** %s\n- **Owners:** %s\n- **Clause:** %s\n- **Automation:** %s\n- **Evidence:** %s\n- **Lifecycle:** %s\n\n",
		c.Category, joinRoles(c.Stakeholders), clause, c.Automation, joinAny(c.Evidence), joinAny(c.Lifecycle))
	fmt.Fprintf(b, "**Objective.** %s\n\n", c.Objective)
	b.WriteString("**Guidance.**\n\n")
	for _, g := range c.Guidance {
		role := "All owners"
		if g.Role != "" {
			role = string(g.Role) + " (" + model.StakeholderNames[g.Role] + ")"
		}
		fmt.Fprintf(b, "- *%s:* %s\n", role, g.Text)
	}
	for _, g := range c.OrgGuidance {
		fmt.Fprintf(b, "- *Organisation guidance (%s):* %s\n", roleOrAll(g.Role), g.Text)
	}
	writeMarkdownList(b, "Good evidence", c.GoodEvidence)
	writeMarkdownList(b, "Common failures", c.CommonFailures)
	b.WriteString("\n**References.**\n\n| Framework | Element | Relation |\n|---|---|---|\n")
	for _, r := range c.References {
		fmt.Fprintf(b, "| %s | %s | %s |\n", r.Framework, mdEscape(r.ID), r.Relation)
	}
	if o := c.Official; o != nil {
		b.WriteString("\n**Official text (from your overlay).**\n\n")
		for _, s := range []string{o.Title, o.Control, o.Purpose, o.Guidance} {
			if s != "" {
				fmt.Fprintf(b, "> %s\n>\n", strings.ReplaceAll(s, "\n", "\n> "))
			}
		}
	}
}

func roleOrAll(r model.Stakeholder) string {
	if r == "" {
		return "all owners"
	}
	return string(r)
}

func writeMarkdownList(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n**%s.**\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", it)
	}
}

// Text writes one control for reading in a terminal.
func Text(w io.Writer, c *model.Control) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", c.ID, c.Title)
	b.WriteString(strings.Repeat("=", utf8.RuneCountInString(c.ID+"  "+c.Title)) + "\n")
	clause := c.Clause
	if clause == "" {
		clause = "(not confirmed; load your licensed overlay to add it)"
	}
	owners := make([]string, len(c.Stakeholders))
	for i, s := range c.Stakeholders {
		owners[i] = fmt.Sprintf("%s (%s)", s, model.StakeholderNames[s])
	}
	fmt.Fprintf(&b, "Category:    %s\nOwners:      %s\nClause:      %s\nAutomation:  %s\nEvidence:    %s\nLifecycle:   %s\n\n",
		c.Category, strings.Join(owners, ", "), clause, c.Automation, strings.Join(strings.Split(joinAny(c.Evidence), ";"), ", "),
		strings.Join(strings.Split(joinAny(c.Lifecycle), ";"), ", "))
	fmt.Fprintf(&b, "Objective\n  %s\n\nGuidance\n", wrap(c.Objective, 96, "  "))
	for _, g := range c.Guidance {
		fmt.Fprintf(&b, "  [%s]\n  %s\n", roleOrAll(g.Role), wrap(g.Text, 96, "  "))
	}
	for _, g := range c.OrgGuidance {
		fmt.Fprintf(&b, "  [organisation, %s]\n  %s\n", roleOrAll(g.Role), wrap(g.Text, 96, "  "))
	}
	textList(&b, "Good evidence", c.GoodEvidence)
	textList(&b, "Common failures", c.CommonFailures)
	b.WriteString("\nReferences\n")
	for _, r := range c.References {
		fmt.Fprintf(&b, "  %-16s %-30s %s\n", r.Framework, r.ID, r.Relation)
	}
	if o := c.Official; o != nil {
		b.WriteString("\nOfficial text (overlay)\n")
		for _, s := range []string{o.Title, o.Control, o.Purpose, o.Guidance} {
			if s != "" {
				fmt.Fprintf(&b, "  %s\n", wrap(s, 96, "  "))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func textList(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "  - %s\n", wrap(it, 94, "    "))
	}
}

// wrap folds text at width, indenting continuation lines.
func wrap(s string, width int, indent string) string {
	words := strings.Fields(s)
	var b strings.Builder
	col := 0
	for i, w := range words {
		n := utf8.RuneCountInString(w)
		if i > 0 {
			if col+1+n > width {
				b.WriteString("\n" + indent)
				col = 0
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += n
	}
	return b.String()
}

// MappingTable writes a crosswalk as an aligned table.
func MappingTable(w io.Writer, ms []catalog.Mapping, elementFirst bool) error {
	var b strings.Builder
	if elementFirst {
		fmt.Fprintf(&b, "%s%s%s%s\n", pad("ELEMENT", 14), pad("RELATION", 17), pad("CONTROL", 9), "TITLE")
	} else {
		fmt.Fprintf(&b, "%s%s%s%s\n", pad("CONTROL", 9), pad("RELATION", 17), pad("ELEMENT", 14), "TITLE")
	}
	for _, m := range ms {
		title := Truncate(m.Title, TableWidth-40)
		if elementFirst {
			fmt.Fprintf(&b, "%s%s%s%s\n", pad(m.Element, 14), pad(string(m.Relation), 17), pad(m.Control, 9), title)
		} else {
			fmt.Fprintf(&b, "%s%s%s%s\n", pad(m.Control, 9), pad(string(m.Relation), 17), pad(m.Element, 14), title)
		}
	}
	fmt.Fprintf(&b, "\n%d mappings\n", len(ms))
	_, err := io.WriteString(w, b.String())
	return err
}

// MappingCSV writes a crosswalk as CSV.
func MappingCSV(w io.Writer, ms []catalog.Mapping) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"control", "title", "framework", "element", "relation", "note"})
	for _, m := range ms {
		cw.Write([]string{m.Control, m.Title, m.Framework, m.Element, string(m.Relation), m.Note})
	}
	cw.Flush()
	return cw.Error()
}
