package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// HTMLAssetCap is the number of affected assets listed per check in each
// control's group of findings in the HTML report.
const HTMLAssetCap = 50

//go:embed templates/report.html.tmpl
var htmlSource string

//go:embed templates/report.css
var htmlCSS string

// htmlTemplate is parsed once. The stylesheet is inlined into the template
// text and allowed by its SHA-256 in the Content-Security-Policy, so the
// page needs no 'unsafe-inline' and loads nothing from anywhere.
var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"score":  fmtScore,
	"float":  fmtFloat,
	"plural": plural,
	"role":   roleName,
	"roles":  joinRoles,
	"upper":  strings.ToUpper,
	"add":    func(a, b int) int { return a + b },
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	},
}).Parse(strings.NewReplacer(
	"{{/*CSS*/}}", htmlCSS,
	"{{/*CSP*/}}", contentSecurityPolicy(),
).Replace(htmlSource)))

// contentSecurityPolicy forbids everything but the inline stylesheet.
func contentSecurityPolicy() string {
	sum := sha256.Sum256([]byte(htmlCSS))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src 'none'; base-uri 'none'; form-action 'none'"
}

type htmlView struct {
	A         *model.Assessment
	Assessed  string
	Scope     string
	Tool      string
	Charts    []chart
	Statuses  []countRow
	Controls  []htmlControl
	Errored   []*model.CheckSummary
	Groups    []htmlGroup
	Siblings  []string
	Truncated int
	Findings  int
	// Counts shown on the summary cards.
	Implemented, Critical, High int
}

type countRow struct {
	Name  string
	Count int
	Class string
}

// chart is a horizontal bar chart drawn as inline SVG.
type chart struct {
	ID, Title, Desc string
	Width, Height   int
	Bars            []chartBar
}

type chartBar struct {
	Label, Value, Class string
	Y, TextY, W, ValueX int
}

const (
	chartWidth  = 460
	chartLabelW = 190
	chartBarW   = 210
	chartRow    = 28
	chartBarH   = 18
)

func newChart(id, title, desc string, labels []string, values []float64, texts, classes []string, maxV float64) chart {
	c := chart{ID: id, Title: title, Desc: desc, Width: chartWidth, Height: len(labels)*chartRow + 8}
	if maxV <= 0 {
		maxV = 1
	}
	for i := range labels {
		w := int(values[i]/maxV*chartBarW + 0.5)
		if values[i] > 0 && w < 2 {
			w = 2
		}
		y := 4 + i*chartRow
		c.Bars = append(c.Bars, chartBar{
			Label: labels[i], Value: texts[i], Class: classes[i],
			Y: y + (chartRow-chartBarH)/2, TextY: y + chartRow/2 + 5, W: w, ValueX: chartLabelW + chartBarW + 8,
		})
	}
	return c
}

func scoreClass(s float64) string {
	switch {
	case s >= 80:
		return "good"
	case s >= 50:
		return "fair"
	}
	return "poor"
}

type htmlControl struct {
	*model.ControlResult
	Clause     string
	Checks     []htmlCheckRef
	Applicable bool
	Note       string
}

type htmlCheckRef struct {
	ID, Title         string
	Pass, Fail, Error int
	Known             bool
}

type htmlGroup struct {
	*controlGroup
	Checks []htmlCheckGroup
}

type htmlCheckGroup struct {
	*checkGroup
	Shown []*model.Finding
	More  int
}

func renderHTML(w io.Writer, a *model.Assessment, opt Options) error {
	v := htmlView{
		A:         a,
		Assessed:  a.AssessedAt.UTC().Format("2006-01-02 15:04 UTC"),
		Scope:     "all roles",
		Truncated: a.FindingsTruncated,
		Findings:  totalFindings(a),

		Implemented: a.Summary.Controls[model.Implemented],
		Critical:    a.Summary.Findings[model.Critical],
		High:        a.Summary.Findings[model.High],
	}
	if a.Role != "" {
		v.Scope = "role " + roleName(a.Role) + " only"
	}
	v.Tool = a.Tool
	if v.Tool == "" {
		v.Tool = "iotguard"
	}
	if a.ToolVersion != "" {
		v.Tool += " " + a.ToolVersion
	}

	// Charts.
	var labels, texts, classes []string
	var values []float64
	for _, r := range roles(a) {
		s := a.Summary.ByRole[r]
		labels, values, texts, classes = append(labels, roleName(r)), append(values, s), append(texts, fmtFloat(s)), append(classes, scoreClass(s))
	}
	if len(labels) > 0 {
		v.Charts = append(v.Charts, newChart("chart-role", "Score per role", "Score from 0 to 100 of the controls each stakeholder owns", labels, values, texts, classes, 100))
	}
	labels, values, texts, classes = nil, nil, nil, nil
	for _, c := range categories(a) {
		s := a.Summary.ByCategory[c]
		labels, values, texts, classes = append(labels, string(c)+" controls"), append(values, s), append(texts, fmtFloat(s)), append(classes, scoreClass(s))
	}
	if len(labels) > 0 {
		v.Charts = append(v.Charts, newChart("chart-category", "Score per category", "Score from 0 to 100 of security and privacy controls", labels, values, texts, classes, 100))
	}
	labels, values, texts, classes = nil, nil, nil, nil
	maxN := 0.0
	for _, sv := range model.Severities {
		n := a.Summary.Findings[sv]
		maxN = max(maxN, float64(n))
		labels, values, texts, classes = append(labels, string(sv)), append(values, float64(n)), append(texts, fmt.Sprint(n)), append(classes, "sev-"+string(sv))
	}
	v.Charts = append(v.Charts, newChart("chart-severity", "Findings by severity", "Number of findings of each severity", labels, values, texts, classes, maxN))

	for _, st := range model.ControlStatuses {
		v.Statuses = append(v.Statuses, countRow{Name: string(st), Count: a.Summary.Controls[st], Class: "st-" + string(st)})
	}

	checks := checkIndex(a)
	for i := range a.Controls {
		c := &a.Controls[i]
		hc := htmlControl{ControlResult: c, Clause: clause(opt, c.ID)}
		hc.Applicable, hc.Note = applicability(c)
		for _, id := range c.Checks {
			ref := htmlCheckRef{ID: id}
			if cs := checks[id]; cs != nil {
				ref = htmlCheckRef{ID: id, Title: cs.Title, Pass: cs.Pass, Fail: cs.Fail, Error: cs.Error, Known: true}
			}
			hc.Checks = append(hc.Checks, ref)
		}
		v.Controls = append(v.Controls, hc)
	}
	v.Errored = erroredChecks(a)
	for _, g := range groupFindings(a) {
		hg := htmlGroup{controlGroup: g}
		for _, cg := range g.Checks {
			hcg := htmlCheckGroup{checkGroup: cg, Shown: cg.Findings}
			if len(cg.Findings) > HTMLAssetCap {
				hcg.Shown, hcg.More = cg.Findings[:HTMLAssetCap], len(cg.Findings)-HTMLAssetCap
			}
			hg.Checks = append(hg.Checks, hcg)
		}
		v.Groups = append(v.Groups, hg)
	}
	if opt.ReportDir != "" {
		v.Siblings = siblingFiles("html")
	}
	return htmlTemplate.Execute(w, v)
}
