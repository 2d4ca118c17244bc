package report

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

func TestHTMLStructure(t *testing.T) {
	out := string(render(t, "html", fixture(), Options{Catalog: catalog.MustLoad()}))
	for _, want := range []string{
		`<svg id="chart-role"`, `<svg id="chart-category"`, `<svg id="chart-severity"`,
		`<section id="soa">`, "Statement of Applicability",
		`<section id="controls">`, `<section id="findings">`, `<section id="errors">`,
		"The building system has no safety functions",
		"evidence/iot security policy v3.pdf", "changed since it was attested",
		"@media print",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(out, HostileMessage) {
		t.Error("HTML contains the hostile message unescaped")
	}
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("HTML lacks the escaped hostile message")
	}
	// One row per control in the control table and in the SoA.
	if n := strings.Count(out, `<tr id="control-`); n != 45 {
		t.Errorf("control table has %d rows, want 45", n)
	}
	soa := out[strings.Index(out, `<section id="soa">`):]
	if n := strings.Count(soa, "<tr>") - 1; n != 45 {
		t.Errorf("SoA has %d rows, want 45", n)
	}
	if !strings.Contains(soa, "<td>no</td>") {
		t.Error("SoA does not mark the not-applicable control")
	}
}

var (
	externalRE = regexp.MustCompile(`(?i)(src|href|action|xlink:href)\s*=\s*["']?\s*(https?:|//)|url\(\s*["']?\s*(https?:|//)`)
	cspRE      = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`)
	styleRE    = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	idRE       = regexp.MustCompile(` id="([^"]+)"`)
	tagRE      = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
)

func TestHTMLSelfContained(t *testing.T) {
	a := fixture()
	a.Findings[0].Message = `<a href="https://evil.example/">x</a><img src=//evil.example/p.png>`
	a.Findings[1].Asset = `" onmouseover="alert(1)`
	out := string(render(t, "html", a, Options{ReportDir: "out"}))
	// Only real tags matter: escaped text cannot start one.
	for _, tag := range tagRE.FindAllString(out, -1) {
		if m := externalRE.FindAllString(tag, -1); len(m) > 0 {
			t.Errorf("HTML tag loads an external resource: %s", tag)
		}
	}
	if m := externalRE.FindAllString(styleRE.FindString(out), -1); len(m) > 0 {
		t.Errorf("stylesheet loads external resources: %q", m)
	}
	for _, bad := range []string{"<script", "<link", "<iframe", "<img", "<object", "@import", ` onmouseover="`} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %s", bad)
		}
	}
	m := cspRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatal("HTML has no Content-Security-Policy meta tag")
	}
	csp := m[1]
	for _, want := range []string{"default-src 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP is not strict: %q", csp)
	}
	// The stylesheet's hash must match the CSP, or browsers drop the styles.
	style := styleRE.FindStringSubmatch(out)
	if style == nil {
		t.Fatal("HTML has no inline stylesheet")
	}
	sum := sha256.Sum256([]byte(style[1]))
	if want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
		t.Errorf("CSP %q does not allow the stylesheet (want %s)", csp, want)
	}
	if strings.Contains(out, " style=") {
		t.Error("inline style attributes would be blocked by the CSP")
	}
	if !strings.Contains(out, `<a href="report.json">report.json</a>`) {
		t.Error("ReportDir does not add links to the sibling files")
	}
}

// TestHTMLIDsAndCharts checks element IDs are unique and that the SVG
// charts have a track and a bar per value.
func TestHTMLIDsAndCharts(t *testing.T) {
	out := string(render(t, "html", fixture(), Options{}))
	ids := map[string]bool{}
	for _, m := range idRE.FindAllStringSubmatch(out, -1) {
		if ids[m[1]] {
			t.Errorf("duplicate id %q", m[1])
		}
		ids[m[1]] = true
	}
	for _, id := range []string{"posture", "controls", "findings", "soa", "errors", "chart-role", "chart-category", "chart-severity"} {
		if !ids[id] {
			t.Errorf("no element with id %q", id)
		}
	}
	a := fixture()
	want := map[string]int{
		"chart-role":     2 * len(a.Summary.ByRole),
		"chart-category": 2 * len(a.Summary.ByCategory),
		"chart-severity": 2 * len(model.Severities),
	}
	for id, n := range want {
		i := strings.Index(out, `<svg id="`+id+`"`)
		if i < 0 {
			t.Errorf("no chart %s", id)
			continue
		}
		svg := out[i : i+strings.Index(out[i:], "</svg>")]
		if got := strings.Count(svg, "<rect "); got != n {
			t.Errorf("%s has %d rects, want %d", id, got, n)
		}
		if !strings.Contains(svg, "<desc") {
			t.Errorf("%s has no accessible description", id)
		}
	}
}

func TestHTMLAssetCap(t *testing.T) {
	a := fixture()
	var extra []model.Finding
	for i := 0; i < HTMLAssetCap+7; i++ {
		extra = append(extra, model.Finding{Check: "cert-weak-key", Title: "Device certificates use strong keys",
			Controls: []string{"S16"}, Severity: model.High, Status: model.Fail, AssetType: model.AssetDevice,
			Asset: fmt.Sprintf("sensor-%03d", i), Message: "RSA key of 1024 bits"})
	}
	a.Findings = append(extra, a.Findings...)
	out := string(render(t, "html", a, Options{}))
	// The fixture already has two cert-weak-key findings on S16.
	if !strings.Contains(out, "… and 9 more") {
		t.Error("HTML does not cap assets per group at HTMLAssetCap")
	}
	if strings.Contains(out, fmt.Sprintf("sensor-%03d", HTMLAssetCap)) {
		t.Error("HTML lists an asset beyond the cap")
	}
}

func TestHTMLEmptyAssessment(t *testing.T) {
	out := string(render(t, "html", &model.Assessment{SchemaVersion: "1.0"}, Options{}))
	if !strings.Contains(out, "No findings.") || !strings.Contains(out, `<svg id="chart-severity"`) {
		t.Errorf("empty assessment renders badly:\n%s", out)
	}
}
