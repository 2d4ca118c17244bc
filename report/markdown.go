package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// MarkdownAssetCap is the number of affected assets listed per check in
// each control's group of findings; the rest are counted.
const MarkdownAssetCap = 20

// md escapes untrusted text for Markdown: one line, and no character that
// could start markup, a link, raw HTML or break a table cell.
func md(s string) string {
	s = clean(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// code formats an identifier as inline code, or escaped text when it
// contains a backtick.
func code(s string) string {
	s = clean(s)
	if s == "" || strings.Contains(s, "`") {
		return md(s)
	}
	return "`" + s + "`"
}

func mdStatus(s model.ControlStatus) string {
	icons := map[model.ControlStatus]string{
		model.Implemented:          "✅",
		model.PartiallyImplemented: "🟡",
		model.NotImplemented:       "❌",
		model.NotApplicable:        "➖",
		model.NotAssessed:          "❔",
	}
	return icons[s] + " " + string(s)
}

func renderMarkdown(w io.Writer, a *model.Assessment, opt Options) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# iotguard assessment: %s\n\n", md(a.Solution))
	p("| | |\n|---|---|\n")
	if a.Organization != "" {
		p("| Organisation | %s |\n", md(a.Organization))
	}
	p("| Assessed | %s |\n", a.AssessedAt.UTC().Format("2006-01-02 15:04 UTC"))
	if a.Role != "" {
		p("| Scope | role %s only |\n", md(roleName(a.Role)))
	} else {
		p("| Scope | all roles |\n")
	}
	p("| Devices | %s |\n", thousands(a.Summary.Devices))
	p("| Checks run | %d |\n", a.Summary.Checks)
	p("| Overall score | **%s** / 100 |\n", fmtFloat(a.Summary.Score))
	tool := md(a.Tool)
	if tool == "" {
		tool = "iotguard"
	}
	p("| Tool | %s %s, report schema %s |\n\n", tool, md(a.ToolVersion), md(a.SchemaVersion))

	// Summary.
	p("## Summary\n\n")
	p("| Control status | Controls |\n|---|---:|\n")
	for _, st := range model.ControlStatuses {
		p("| %s | %d |\n", mdStatus(st), a.Summary.Controls[st])
	}
	p("\n| Finding severity | Findings |\n|---|---:|\n")
	for _, sv := range model.Severities {
		p("| %s | %d |\n", sv, a.Summary.Findings[sv])
	}
	if a.FindingsTruncated > 0 {
		p("\n%d less severe findings were left out of this report by the findings limit; statuses and scores count them.\n", a.FindingsTruncated)
	}

	// Scores.
	p("\n## Scores\n\n")
	p("Scores run from 0 to 100. Not-assessed controls count as 0; not-applicable controls are left out.\n\n")
	p("| Scope | Score | |\n|---|---:|---|\n")
	p("| **Overall** | **%s** | `%s` |\n", fmtFloat(a.Summary.Score), bar(a.Summary.Score, 20))
	for _, r := range roles(a) {
		p("| %s | %s | `%s` |\n", md(roleName(r)), fmtFloat(a.Summary.ByRole[r]), bar(a.Summary.ByRole[r], 20))
	}
	for _, c := range categories(a) {
		p("| %s controls | %s | `%s` |\n", c, fmtFloat(a.Summary.ByCategory[c]), bar(a.Summary.ByCategory[c], 20))
	}

	// Controls.
	p("\n## Controls\n\n")
	p("| ID | Control | Owners | Status | Score | Findings | How the status was reached |\n")
	p("|---|---|---|---|---:|---:|---|\n")
	for i := range a.Controls {
		c := &a.Controls[i]
		p("| %s | %s | %s | %s | %s | %d | %s |\n", c.ID, md(c.Title), joinRoles(c.Stakeholders), mdStatus(c.Status),
			fmtScore(c.Score), c.Findings, md(c.Rationale))
	}

	// Checks with errors.
	if errs := erroredChecks(a); len(errs) > 0 {
		p("\n## Checks with errors\n\n")
		p("These checks could not decide some assets; the controls they evidence may be under-assessed.\n\n")
		for _, c := range errs {
			p("- %s (%s)", code(c.ID), plural(c.Error, "error", "errors"))
			for _, e := range c.Errors {
				p("\n  - %s", md(e))
			}
			p("\n")
		}
	}

	// Findings by control.
	p("\n## Findings by control\n\n")
	groups := groupFindings(a)
	if len(groups) == 0 {
		p("No findings.\n")
	}
	for _, g := range groups {
		c := g.Control
		p("### %s %s\n\n", c.ID, md(c.Title))
		p("%s, score %s, %s.\n\n", mdStatus(c.Status), fmtScore(c.Score), plural(g.Total, "finding", "findings"))
		for _, cg := range g.Checks {
			p("#### %s %s: %s\n\n", strings.ToUpper(string(cg.Severity)), code(cg.Check), md(cg.Title))
			p("%s:\n\n", plural(len(cg.Findings), "affected asset", "affected assets"))
			for i, f := range cg.Findings {
				if i == MarkdownAssetCap {
					p("- … and %d more\n", len(cg.Findings)-MarkdownAssetCap)
					break
				}
				p("- %s %s: %s", f.AssetType, md(f.Asset), md(f.Message))
				if f.Severity != cg.Severity {
					p(" (%s)", f.Severity)
				}
				p("\n")
			}
			if r := strings.TrimSpace(cg.Remediation); r != "" {
				p("\n**Remediation:** %s\n", md(r))
			}
			p("\n")
		}
	}

	// Statement of Applicability.
	p("## Statement of Applicability\n\n")
	p("| ID | Clause | Control | Applicable | Justification | Status | Implementation |\n")
	p("|---|---|---|---|---|---|---|\n")
	for i := range a.Controls {
		c := &a.Controls[i]
		appl, note := applicability(c)
		yes := "yes"
		if !appl {
			yes = "no"
		}
		cl := clause(opt, c.ID)
		if cl == "" {
			cl = "-"
		}
		p("| %s | %s | %s | %s | %s | %s | %s |\n", c.ID, cl, md(c.Title), yes, md(note), c.Status, mdImplementation(c))
	}

	if opt.ReportDir != "" {
		p("\n## Other formats\n\n")
		for _, f := range siblingFiles("markdown") {
			p("- [%s](%s)\n", f, f)
		}
	}
	p("\n---\nGenerated by iotguard from the ISO/IEC 27400:2022 control catalog. Control titles follow the " +
		"standard's public list; everything else is iotguard's own wording.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mdImplementation says how a control is implemented: the attestation and
// the automated checks.
func mdImplementation(c *model.ControlResult) string {
	var parts []string
	if at := c.Attestation; at != nil {
		s := "attested " + string(at.Status)
		if at.Owner != "" {
			s += " by " + md(at.Owner)
		}
		if at.Date.Set() {
			s += " on " + at.Date.String()
		}
		if st := strings.TrimSpace(at.Statement); st != "" {
			s += ": " + md(st)
		}
		if len(at.Evidence) > 0 {
			var files []string
			for _, e := range at.Evidence {
				files = append(files, md(e.Path))
			}
			s += "; evidence " + strings.Join(files, ", ")
		}
		if len(at.Problems) > 0 {
			s += fmt.Sprintf(" (%s)", plural(len(at.Problems), "problem", "problems"))
		}
		parts = append(parts, s)
	}
	if len(c.Checks) > 0 {
		var cs []string
		for _, id := range c.Checks {
			cs = append(cs, code(id))
		}
		parts = append(parts, "checks "+strings.Join(cs, ", "))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "; ")
}
