// Package report renders an assessment for people (a terminal table,
// Markdown, a self-contained HTML page) and for tools (JSON, SARIF, CSV).
// The OSCAL assessment-results export lives in package oscal.
//
// Every renderer is deterministic: the same assessment always renders to
// the same bytes, so two runs on the same input diff cleanly.
package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

// Formats are the formats Render writes. OSCAL assessment results are
// written by package oscal (ExportResults, WriteResults).
var Formats = []string{"table", "json", "markdown", "html", "sarif", "csv"}

// Options tune rendering.
type Options struct {
	// Catalog, if set, adds catalog facts (clause numbers, objectives,
	// categories) that the assessment does not carry.
	Catalog *catalog.Catalog
	// Color adds ANSI colour to the table format.
	Color bool
	// Top is the number of findings the table lists; zero means 10.
	Top int
	// ReportDir, if set, is the folder every format was written to
	// (--out-dir); the table names it and the HTML and Markdown reports
	// link to their sibling files.
	ReportDir string
}

// DefaultTop is the number of findings the table lists by default.
const DefaultTop = 10

// Render writes a in format to w.
func Render(w io.Writer, format string, a *model.Assessment, opt Options) error {
	if a == nil {
		return fmt.Errorf("report: no assessment to render")
	}
	switch format {
	case "table":
		return renderTable(w, a, opt)
	case "json":
		return renderJSON(w, a)
	case "markdown":
		return renderMarkdown(w, a, opt)
	case "html":
		return renderHTML(w, a, opt)
	case "sarif":
		return renderSARIF(w, a, opt)
	case "csv":
		return renderCSV(w, a)
	case "oscal":
		return fmt.Errorf("report: OSCAL assessment results are written by package oscal (ExportResults), not Render")
	}
	return fmt.Errorf("report: unknown format %q: use one of %s", format, strings.Join(Formats, ", "))
}

// Extension returns the file name a format is written to in a report
// folder, e.g. "report.html"; "" for an unknown format. "oscal" is
// included so that --out-dir can name every format in one place.
func Extension(format string) string {
	switch format {
	case "html":
		return "report.html"
	case "json":
		return "report.json"
	case "sarif":
		return "report.sarif"
	case "markdown":
		return "report.md"
	case "csv":
		return "report.csv"
	case "table":
		return "report.txt"
	case "oscal":
		return "report.oscal.json"
	}
	return ""
}

// siblingFiles lists the other files written next to a report of format,
// in a stable order, for cross-links.
func siblingFiles(format string) []string {
	var out []string
	for _, f := range append(append([]string{}, Formats...), "oscal") {
		if f != format && f != "table" {
			out = append(out, Extension(f))
		}
	}
	return out
}

// fmtScore formats a 0-100 score with one decimal; nil (not applicable)
// is "-".
func fmtScore(s *float64) string {
	if s == nil {
		return "-"
	}
	return fmtFloat(*s)
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// roles returns the roles that have a score, in display order.
func roles(a *model.Assessment) []model.Stakeholder {
	var out []model.Stakeholder
	for _, r := range model.Stakeholders {
		if _, ok := a.Summary.ByRole[r]; ok {
			out = append(out, r)
		}
	}
	// Unknown roles (never in practice) last, sorted.
	var extra []model.Stakeholder
	for r := range a.Summary.ByRole {
		known := false
		for _, k := range model.Stakeholders {
			known = known || k == r
		}
		if !known {
			extra = append(extra, r)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	return append(out, extra...)
}

// categories returns the categories that have a score, in display order.
func categories(a *model.Assessment) []model.Category {
	var out []model.Category
	for _, c := range model.Categories {
		if _, ok := a.Summary.ByCategory[c]; ok {
			out = append(out, c)
		}
	}
	return out
}

func joinRoles(ss []model.Stakeholder) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, "/")
}

// checkGroup is the findings of one check on one control.
type checkGroup struct {
	Check       string
	Title       string
	Severity    model.Severity // the worst
	Remediation string
	Findings    []*model.Finding
}

// controlGroup is the findings on one control, by check.
type controlGroup struct {
	Control *model.ControlResult
	Total   int
	Checks  []*checkGroup
}

// groupFindings groups findings by control (in the assessment's control
// order) and, within a control, by check (worst severity first). A finding
// on several controls appears under each.
func groupFindings(a *model.Assessment) []*controlGroup {
	idx := map[string]*controlGroup{}
	var out []*controlGroup
	for i := range a.Controls {
		g := &controlGroup{Control: &a.Controls[i]}
		idx[a.Controls[i].ID] = g
		out = append(out, g)
	}
	checks := checkIndex(a)
	for i := range a.Findings {
		f := &a.Findings[i]
		for _, id := range f.Controls {
			g := idx[id]
			if g == nil {
				continue
			}
			var cg *checkGroup
			for _, x := range g.Checks {
				if x.Check == f.Check {
					cg = x
				}
			}
			if cg == nil {
				cg = &checkGroup{Check: f.Check, Title: f.Title, Remediation: f.Remediation}
				if c := checks[f.Check]; c != nil && c.Remediation != "" {
					cg.Remediation = c.Remediation
				}
				g.Checks = append(g.Checks, cg)
			}
			if f.Severity.Rank() > cg.Severity.Rank() {
				cg.Severity = f.Severity
			}
			cg.Findings = append(cg.Findings, f)
			g.Total++
		}
	}
	var kept []*controlGroup
	for _, g := range out {
		if g.Total == 0 {
			continue
		}
		sort.SliceStable(g.Checks, func(i, j int) bool {
			a, b := g.Checks[i], g.Checks[j]
			if a.Severity != b.Severity {
				return a.Severity.Rank() > b.Severity.Rank()
			}
			return a.Check < b.Check
		})
		kept = append(kept, g)
	}
	return kept
}

func checkIndex(a *model.Assessment) map[string]*model.CheckSummary {
	m := make(map[string]*model.CheckSummary, len(a.Checks))
	for i := range a.Checks {
		m[a.Checks[i].ID] = &a.Checks[i]
	}
	return m
}

// erroredChecks lists the checks that reported errors.
func erroredChecks(a *model.Assessment) []*model.CheckSummary {
	var out []*model.CheckSummary
	for i := range a.Checks {
		if a.Checks[i].Error > 0 {
			out = append(out, &a.Checks[i])
		}
	}
	return out
}

// applicability describes whether a control applies, for the Statement
// of Applicability.
func applicability(c *model.ControlResult) (applicable bool, note string) {
	if c.Status == model.NotApplicable {
		just := ""
		if c.Attestation != nil {
			just = c.Attestation.Justification
		}
		return false, just
	}
	if c.Attestation != nil && c.Attestation.Status == model.NotApplicable {
		return true, "attested not applicable (" + c.Attestation.Justification + "), but failing automated checks decide"
	}
	return true, ""
}

// totalFindings counts findings per severity from the summary.
func totalFindings(a *model.Assessment) int {
	n := 0
	for _, v := range a.Summary.Findings {
		n += v
	}
	return n
}

// roleName is "ISP (IoT service provider)".
func roleName(r model.Stakeholder) string {
	if n, ok := model.StakeholderNames[r]; ok {
		return string(r) + " (" + n + ")"
	}
	return string(r)
}

// clause returns the control's clause from the catalog, if known.
func clause(opt Options, id string) string {
	if opt.Catalog == nil {
		return ""
	}
	if c := opt.Catalog.Control(id); c != nil {
		return c.Clause
	}
	return ""
}

// category returns a control's category: from the catalog when known,
// else from its ID prefix.
func category(opt Options, id string) model.Category {
	if opt.Catalog != nil {
		if c := opt.Catalog.Control(id); c != nil {
			return c.Category
		}
	}
	if strings.HasPrefix(id, "P") {
		return model.Privacy
	}
	return model.Security
}

// plural writes "1 device" or "3 devices".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands formats 1234567 as "1,234,567".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
