package report

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iotguard/iotguard/model"
)

// Width is the number of columns the table fits in.
const Width = 100

// ANSI styles.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiMag    = "\x1b[35m"
	ansiCyan   = "\x1b[36m"
	ansiBRed   = "\x1b[1;31m"
)

var statusStyle = map[model.ControlStatus]string{
	model.Implemented:          ansiGreen,
	model.PartiallyImplemented: ansiYellow,
	model.NotImplemented:       ansiRed,
	model.NotApplicable:        ansiDim,
	model.NotAssessed:          ansiMag,
}

var severityStyle = map[model.Severity]string{
	model.Critical: ansiBRed,
	model.High:     ansiRed,
	model.Medium:   ansiYellow,
	model.Low:      ansiCyan,
	model.Info:     ansiDim,
}

// tw writes the table, colouring only when asked.
type tw struct {
	b     strings.Builder
	color bool
}

// paint wraps s (already padded) in style.
func (t *tw) paint(style, s string) string {
	if !t.color || style == "" {
		return s
	}
	return style + s + ansiReset
}

func (t *tw) line(s string) {
	t.b.WriteString(strings.TrimRight(s, " "))
	t.b.WriteByte('\n')
}

func (t *tw) heading(s string) {
	t.b.WriteByte('\n')
	t.line(t.paint(ansiBold, s))
}

// clean makes untrusted text safe and single-line for a terminal:
// control characters (including ESC, which starts ANSI sequences) and
// bidirectional overrides become spaces or vanish.
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F:
			continue
		case unicode.IsControl(r) || unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// truncate shortens s to at most n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n == 1 {
		return "…"
	}
	return strings.TrimRight(string([]rune(s)[:n-1]), " ") + "…"
}

// pad pads s with spaces to n runes (left-aligned).
func pad(s string, n int) string {
	if w := utf8.RuneCountInString(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// rpad right-aligns s in n runes.
func rpad(s string, n int) string {
	if w := utf8.RuneCountInString(s); w < n {
		return strings.Repeat(" ", n-w) + s
	}
	return s
}

// cell truncates and pads s to exactly n runes.
func cell(s string, n int) string { return pad(truncate(s, n), n) }

// bar draws a score 0-100 as a text bar of width runes.
func bar(score float64, width int) string {
	n := int(score/100*float64(width) + 0.5)
	n = max(0, min(width, n))
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

// wrap breaks s into lines of at most width runes at spaces.
func wrap(s string, width int) []string {
	var lines []string
	var cur []rune
	for _, word := range strings.Fields(s) {
		w := []rune(word)
		for len(w) > width { // a word longer than a line
			if len(cur) > 0 {
				lines = append(lines, string(cur))
				cur = nil
			}
			lines = append(lines, string(w[:width]))
			w = w[width:]
		}
		switch {
		case len(cur) == 0:
			cur = w
		case len(cur)+1+len(w) <= width:
			cur = append(append(cur, ' '), w...)
		default:
			lines = append(lines, string(cur))
			cur = w
		}
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

func renderTable(w io.Writer, a *model.Assessment, opt Options) error {
	t := &tw{color: opt.Color}
	top := opt.Top
	if top == 0 {
		top = DefaultTop
	}
	top = max(top, 0)

	// Header.
	t.line(t.paint(ansiBold, truncate("iotguard assessment: "+clean(a.Solution), Width)))
	field := func(name, value string) { t.line(pad(name, 14) + truncate(value, Width-14)) }
	if a.Organization != "" {
		field("Organisation", clean(a.Organization))
	}
	field("Assessed", a.AssessedAt.UTC().Format("2006-01-02 15:04 UTC"))
	scope := "all roles"
	if a.Role != "" {
		scope = "role " + roleName(a.Role) + " only"
	}
	field("Scope", scope)
	field("Fleet", plural(a.Summary.Devices, "device", "devices")+", "+plural(a.Summary.Checks, "check", "checks")+" run")
	tool := clean(a.Tool)
	if tool == "" {
		tool = "iotguard"
	}
	if a.ToolVersion != "" {
		tool += " " + clean(a.ToolVersion)
	}
	field("Tool", tool+", report schema "+a.SchemaVersion)

	// Scores.
	const nameW, barW = 32, 40
	t.heading("SCORES (0-100)")
	score := func(name string, s float64, strong bool) {
		val := rpad(fmtFloat(s), 6)
		line := "  " + pad(name, nameW) + val + "  " + bar(s, barW)
		if strong {
			line = t.paint(ansiBold, line)
		}
		t.line(line)
	}
	score("Overall", a.Summary.Score, true)
	for _, r := range roles(a) {
		score(roleName(r), a.Summary.ByRole[r], false)
	}
	for _, c := range categories(a) {
		score(strings.ToUpper(string(c[:1]))+string(c[1:])+" controls", a.Summary.ByCategory[c], false)
	}

	// Counts.
	t.heading(pad("CONTROLS BY STATUS", 36) + "FINDINGS BY SEVERITY")
	n := max(len(model.ControlStatuses), len(model.Severities))
	for i := 0; i < n; i++ {
		left := strings.Repeat(" ", 36)
		if i < len(model.ControlStatuses) {
			st := model.ControlStatuses[i]
			left = t.paint(statusStyle[st], "  "+pad(string(st), 24)) + rpad(fmt.Sprint(a.Summary.Controls[st]), 4) + "      "
		}
		right := ""
		if i < len(model.Severities) {
			sv := model.Severities[i]
			right = t.paint(severityStyle[sv], pad(string(sv), 12)) + rpad(fmt.Sprint(a.Summary.Findings[sv]), 6)
		}
		t.line(left + right)
	}
	if a.FindingsTruncated > 0 {
		t.line(fmt.Sprintf("  (%d less severe findings left out of the lists by the findings limit)", a.FindingsTruncated))
	}

	// Controls.
	const idW, stW, scW, fiW = 5, 23, 7, 10
	titleW := Width - idW - stW - scW - fiW
	t.heading(fmt.Sprintf("CONTROLS (%d)", len(a.Controls)))
	t.line(pad("ID", idW) + pad("STATUS", stW) + rpad("SCORE", scW-2) + "  " + rpad("FINDINGS", fiW-2) + "  " + "TITLE")
	for i := range a.Controls {
		c := &a.Controls[i]
		t.line(pad(c.ID, idW) + t.paint(statusStyle[c.Status], pad(string(c.Status), stW)) +
			rpad(fmtScore(c.Score), scW-2) + "  " + rpad(fmt.Sprint(c.Findings), fiW-2) + "  " +
			truncate(clean(c.Title), titleW))
	}

	// Checks with errors.
	if errs := erroredChecks(a); len(errs) > 0 {
		t.heading(fmt.Sprintf("CHECKS WITH ERRORS (%d): their controls may be under-assessed", len(errs)))
		for _, c := range errs {
			head := "  " + pad(clean(c.ID), 32) + plural(c.Error, "error", "errors")
			t.line(t.paint(ansiRed, head))
			for _, e := range c.Errors {
				t.line("    " + truncate(clean(e), Width-4))
			}
		}
	}

	// Top findings: the most severe first, one row per check so that one
	// failure repeated over a fleet does not hide the others.
	if len(a.Findings) > 0 && top > 0 {
		type row struct {
			f *model.Finding
			n int
		}
		var rows []*row
		byCheck := map[string]*row{}
		for i := range a.Findings {
			f := &a.Findings[i]
			if r := byCheck[f.Check]; r != nil {
				r.n++
				continue
			}
			r := &row{f: f, n: 1}
			byCheck[f.Check] = r
			rows = append(rows, r)
		}
		shown := min(top, len(rows))
		t.heading(fmt.Sprintf("TOP FINDINGS (%d of %d checks with findings; %s in all)", shown, len(rows),
			plural(len(a.Findings)+a.FindingsTruncated, "finding", "findings")))
		const svW, ckW = 10, 32
		t.line(pad("SEVERITY", svW) + pad("CHECK", ckW) + "ASSET")
		for _, r := range rows[:shown] {
			f := r.f
			more := ""
			if r.n > 1 {
				more = fmt.Sprintf(" (and %s more)", thousands(r.n-1))
			}
			asset := truncate(string(f.AssetType)+" "+clean(f.Asset), Width-svW-ckW-utf8.RuneCountInString(more)) + more
			t.line(t.paint(severityStyle[f.Severity], pad(string(f.Severity), svW)) +
				cell(clean(f.Check), ckW-1) + " " + asset)
			msg := wrap(clean(f.Message), Width-svW)
			if len(msg) > 3 {
				msg = append(msg[:2], truncate(strings.Join(msg[2:], " "), Width-svW))
			}
			for _, m := range msg {
				t.line(strings.Repeat(" ", svW) + m)
			}
		}
	}

	// Closing line.
	t.b.WriteByte('\n')
	if opt.ReportDir != "" {
		files := []string{}
		for _, f := range []string{"html", "markdown", "json", "sarif", "oscal", "csv"} {
			files = append(files, Extension(f))
		}
		t.line(truncate("Full reports in "+clean(opt.ReportDir)+": "+strings.Join(files, ", "), Width))
	} else {
		t.line("More detail: --format html|markdown|json|sarif|oscal|csv -o FILE, or --out-dir DIR for all.")
	}
	_, err := io.WriteString(w, t.b.String())
	return err
}
