package oscal

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

// ResultsDocument is the top-level OSCAL assessment-results JSON object.
type ResultsDocument struct {
	AssessmentResults AssessmentResults `json:"assessment-results"`
}

// AssessmentResults is an OSCAL assessment-results (SAR) document.
type AssessmentResults struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	ImportAP   ImportAP    `json:"import-ap"`
	Results    []Result    `json:"results"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

// ImportAP points at the assessment plan the results follow.
type ImportAP struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

// Result is one set of assessment results.
type Result struct {
	UUID             string           `json:"uuid"`
	Title            string           `json:"title"`
	Description      string           `json:"description"`
	Start            string           `json:"start"`
	End              string           `json:"end,omitempty"`
	Props            []Property       `json:"props,omitempty"`
	LocalDefinitions *ResultLocalDefs `json:"local-definitions,omitempty"`
	ReviewedControls ReviewedControls `json:"reviewed-controls"`
	Observations     []Observation    `json:"observations,omitempty"`
	Risks            []Risk           `json:"risks,omitempty"`
	Findings         []Finding        `json:"findings,omitempty"`
	Remarks          string           `json:"remarks,omitempty"`
}

// ResultLocalDefs holds definitions local to one result; iotguard defines
// itself as a component so observations can name it as their origin.
type ResultLocalDefs struct {
	Components []Component `json:"components,omitempty"`
}

// Component is an OSCAL system component.
type Component struct {
	UUID        string          `json:"uuid"`
	Type        string          `json:"type"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Props       []Property      `json:"props,omitempty"`
	Status      ComponentStatus `json:"status"`
}

// ComponentStatus is a component's operational state.
type ComponentStatus struct {
	State string `json:"state"`
}

// ReviewedControls says which controls the result covers.
type ReviewedControls struct {
	ControlSelections []ControlSelection `json:"control-selections"`
	Remarks           string             `json:"remarks,omitempty"`
}

// ControlSelection selects controls by ID or all of them.
type ControlSelection struct {
	IncludeAll      *struct{}       `json:"include-all,omitempty"`
	IncludeControls []SelectControl `json:"include-controls,omitempty"`
}

// SelectControl names one control.
type SelectControl struct {
	ControlID string `json:"control-id"`
}

// Observation is what an assessment method saw.
type Observation struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title,omitempty"`
	Description      string             `json:"description"`
	Props            []Property         `json:"props,omitempty"`
	Methods          []string           `json:"methods"`
	Types            []string           `json:"types,omitempty"`
	Origins          []Origin           `json:"origins,omitempty"`
	RelevantEvidence []RelevantEvidence `json:"relevant-evidence,omitempty"`
	Collected        string             `json:"collected"`
	Remarks          string             `json:"remarks,omitempty"`
}

// Origin names who or what produced an observation.
type Origin struct {
	Actors []OriginActor `json:"actors"`
}

// OriginActor is a tool, platform or party.
type OriginActor struct {
	Type      string `json:"type"`
	ActorUUID string `json:"actor-uuid"`
}

// RelevantEvidence points at evidence behind an observation.
type RelevantEvidence struct {
	Href        string     `json:"href,omitempty"`
	Description string     `json:"description"`
	Props       []Property `json:"props,omitempty"`
	Remarks     string     `json:"remarks,omitempty"`
}

// Finding is the conclusion about one control objective.
type Finding struct {
	UUID                string               `json:"uuid"`
	Title               string               `json:"title"`
	Description         string               `json:"description"`
	Props               []Property           `json:"props,omitempty"`
	Target              FindingTarget        `json:"target"`
	RelatedObservations []RelatedObservation `json:"related-observations,omitempty"`
	RelatedRisks        []AssociatedRisk     `json:"related-risks,omitempty"`
	Remarks             string               `json:"remarks,omitempty"`
}

// FindingTarget is the objective a finding is about, with its status.
type FindingTarget struct {
	Type                 string                `json:"type"`
	TargetID             string                `json:"target-id"`
	Title                string                `json:"title,omitempty"`
	Props                []Property            `json:"props,omitempty"`
	Status               ObjectiveStatus       `json:"status"`
	ImplementationStatus *ImplementationStatus `json:"implementation-status,omitempty"`
}

// ObjectiveStatus says whether the objective is satisfied.
type ObjectiveStatus struct {
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

// ImplementationStatus is OSCAL's implementation state of a control.
type ImplementationStatus struct {
	State   string `json:"state"`
	Remarks string `json:"remarks,omitempty"`
}

// RelatedObservation references an observation by UUID.
type RelatedObservation struct {
	ObservationUUID string `json:"observation-uuid"`
}

// AssociatedRisk references a risk by UUID.
type AssociatedRisk struct {
	RiskUUID string `json:"risk-uuid"`
}

// Risk is an identified risk.
type Risk struct {
	UUID                string               `json:"uuid"`
	Title               string               `json:"title"`
	Description         string               `json:"description"`
	Statement           string               `json:"statement"`
	Props               []Property           `json:"props,omitempty"`
	Status              string               `json:"status"`
	Remediations        []Response           `json:"remediations,omitempty"`
	RelatedObservations []RelatedObservation `json:"related-observations,omitempty"`
}

// Response is a remediation for a risk.
type Response struct {
	UUID        string `json:"uuid"`
	Lifecycle   string `json:"lifecycle"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// ResultsOptions sets the document-level values of an export.
type ResultsOptions struct {
	// Version is the document version; empty means the assessment time.
	Version string
	// PlanHref, if set, is a URI reference (e.g. a relative path) to the
	// manifest that served as the assessment plan.
	PlanHref string
}

// maxListed caps the assets named in an observation's remarks.
const maxListed = 20

// ExportResults converts an assessment to an OSCAL assessment-results
// document. Control IDs are lower case, as in ExportCatalog ("s01"), and
// each finding targets the catalog's objective part ("s01_obj"). UUIDs are
// derived from the solution name, the assessment time and the IDs, so the
// same assessment always exports to the same document.
func ExportResults(a *model.Assessment, cat *catalog.Catalog, opt ResultsOptions) *ResultsDocument {
	at := a.AssessedAt.UTC()
	stamp := at.Format(time.RFC3339Nano)
	key := "assessment-results:" + a.Solution + ":" + stamp
	id := func(parts ...string) string { return UUIDv5(key + ":" + strings.Join(parts, ":")) }

	version := opt.Version
	if version == "" {
		version = stamp
	}
	solution := line(a.Solution, "unnamed solution")
	tool := line(a.Tool, "iotguard")
	toolVersion := line(a.ToolVersion, "dev")

	planUUID := id("plan")
	toolUUID := id("tool")
	orgUUID := id("party", "organization")

	md := Metadata{
		Title:        "ISO/IEC 27400 assessment results: " + solution,
		LastModified: stamp,
		Version:      version,
		OSCALVersion: Version,
	}
	md.Props = appendProp(md.Props, "solution", a.Solution)
	md.Props = appendProp(md.Props, "tool", tool+" "+toolVersion)
	md.Props = appendProp(md.Props, "schema-version", a.SchemaVersion)
	if a.Role != "" {
		md.Props = appendProp(md.Props, "role", string(a.Role))
	}
	if org := line(a.Organization, ""); org != "" {
		md.Parties = []Party{{UUID: orgUUID, Type: "organization", Name: org}}
	}

	planDesc := "The iotguard manifest of " + solution + " (devices, models, services, networks, data flows, " +
		"policy thresholds and attestations) served as the assessment plan: every built-in check ran on every " +
		"asset in scope, and every attestation's evidence was examined."
	plan := Resource{
		UUID:        planUUID,
		Title:       "Assessment plan: iotguard manifest of " + solution,
		Description: planDesc,
		Props:       []Property{{Name: "type", Value: "plan"}},
	}
	if opt.PlanHref != "" {
		plan.RLinks = []RLink{{Href: opt.PlanHref, MediaType: "application/yaml"}}
	}

	res := Result{
		UUID:  id("result"),
		Title: "iotguard assessment of " + solution,
		Description: fmt.Sprintf("Automated ISO/IEC 27400:2022 assessment of %s by %s %s: %d controls, "+
			"%d checks, %d devices; overall score %s of 100.", solution, tool, toolVersion,
			len(a.Controls), a.Summary.Checks, a.Summary.Devices, fmtScore(a.Summary.Score)),
		Start: stamp,
		End:   stamp,
		LocalDefinitions: &ResultLocalDefs{Components: []Component{{
			UUID: toolUUID, Type: "software", Title: tool + " " + toolVersion,
			Description: "The iotguard assessment engine, which ran the automated checks and examined attestation evidence.",
			Status:      ComponentStatus{State: "operational"},
		}}},
	}
	res.Props = appendProp(res.Props, "score", fmtScore(a.Summary.Score))
	for _, st := range model.ControlStatuses {
		res.Props = append(res.Props, Property{Name: "controls-" + string(st), NS: NS, Value: strconv.Itoa(a.Summary.Controls[st])})
	}
	if a.FindingsTruncated > 0 {
		res.Remarks = fmt.Sprintf("%d less severe check failures were left out of this report by the findings limit; "+
			"control statuses and scores count them.", a.FindingsTruncated)
	}

	// Reviewed controls: every control in the assessment.
	var sel ControlSelection
	for _, c := range a.Controls {
		sel.IncludeControls = append(sel.IncludeControls, SelectControl{ControlID: strings.ToLower(c.ID)})
	}
	if len(sel.IncludeControls) == 0 {
		sel.IncludeAll = &struct{}{}
	}
	res.ReviewedControls = ReviewedControls{ControlSelections: []ControlSelection{sel}}

	origin := []Origin{{Actors: []OriginActor{{Type: "tool", ActorUUID: toolUUID}}}}

	// Findings of each check, to describe observations and raise risks.
	byCheck := map[string][]*model.Finding{}
	for i := range a.Findings {
		f := &a.Findings[i]
		byCheck[f.Check] = append(byCheck[f.Check], f)
	}

	// Observations: one per check that ran.
	checkObs := map[string]string{}
	for i := range a.Checks {
		c := &a.Checks[i]
		if c.Pass+c.Fail+c.Error == 0 {
			continue
		}
		o := Observation{
			UUID:        id("observation", "check", c.ID),
			Title:       line(c.Title, c.ID),
			Description: checkDescription(c),
			Methods:     []string{"TEST"},
			Origins:     origin,
			Collected:   stamp,
		}
		if examinesEvidence(c) {
			o.Methods = []string{"EXAMINE"}
		}
		if c.Fail > 0 {
			o.Types = []string{"finding"}
		}
		o.Props = appendProp(o.Props, "check", c.ID)
		o.Props = appendProp(o.Props, "check-version", c.Version)
		o.Props = appendProp(o.Props, "severity", string(c.Severity))
		for _, k := range []struct {
			name string
			n    int
		}{{"pass", c.Pass}, {"fail", c.Fail}, {"error", c.Error}, {"not-applicable", c.NotApplicable}} {
			o.Props = append(o.Props, Property{Name: k.name, NS: NS, Value: strconv.Itoa(k.n)})
		}
		o.Remarks = checkRemarks(c, byCheck[c.ID])
		checkObs[c.ID] = o.UUID
		res.Observations = append(res.Observations, o)
	}

	// Observations: one per attestation, examining its statement and evidence.
	attObs := map[string]string{}
	for _, c := range a.Controls {
		at := c.Attestation
		if at == nil {
			continue
		}
		o := Observation{
			UUID:        id("observation", "attestation", c.ID),
			Title:       "Attestation of " + c.ID,
			Description: attestationDescription(c.ID, at),
			Methods:     []string{"EXAMINE"},
			Types:       []string{"control-objective"},
			Origins:     origin,
			Collected:   stamp,
		}
		o.Props = appendProp(o.Props, "control", c.ID)
		o.Props = appendProp(o.Props, "attested-status", string(at.Status))
		o.Props = appendProp(o.Props, "owner", at.Owner)
		o.Props = appendProp(o.Props, "date", at.Date.String())
		o.Props = appendProp(o.Props, "review-due", at.ReviewDue.String())
		for _, ev := range at.Evidence {
			re := RelevantEvidence{Href: pathRef(ev.Path), Description: "Evidence file " + line(ev.Path, "(unnamed)") + " attached to the " + c.ID + " attestation."}
			re.Props = appendProp(re.Props, "sha256", ev.SHA256)
			o.RelevantEvidence = append(o.RelevantEvidence, re)
		}
		if len(at.Problems) > 0 {
			o.Types = append(o.Types, "finding")
			o.Remarks = "Problems with this attestation:\n\n" + bullets(at.Problems)
		}
		attObs[c.ID] = o.UUID
		res.Observations = append(res.Observations, o)
	}

	// Risks: one per check with critical or high findings.
	checkRisks := map[string]string{}
	checkIndex := map[string]*model.CheckSummary{}
	for i := range a.Checks {
		checkIndex[a.Checks[i].ID] = &a.Checks[i]
	}
	var riskChecks []string
	for cid := range byCheck {
		riskChecks = append(riskChecks, cid)
	}
	sort.Strings(riskChecks)
	for _, cid := range riskChecks {
		fs := byCheck[cid]
		worst := worstSeverity(fs)
		if !worst.AtLeast(model.High) {
			continue
		}
		title := line(fs[0].Title, cid)
		remediation := fs[0].Remediation
		if c := checkIndex[cid]; c != nil {
			remediation = c.Remediation
		}
		r := Risk{
			UUID:  id("risk", cid),
			Title: title,
			Description: fmt.Sprintf("Check %s failed on %s with severity up to %s, affecting controls %s.",
				cid, countOf(len(fs), "asset"), worst, strings.Join(findingControls(fs), ", ")),
			Statement: "Until this is fixed, these assets do not meet the objective of " +
				strings.Join(findingControls(fs), ", ") + ":\n\n" + bullets(listAssets(fs, maxListed)),
			Status: "open",
		}
		r.Props = appendProp(r.Props, "check", cid)
		r.Props = appendProp(r.Props, "severity", string(worst))
		r.Props = append(r.Props, Property{Name: "affected-assets", NS: NS, Value: strconv.Itoa(len(fs))})
		if strings.TrimSpace(remediation) != "" {
			r.Remediations = []Response{{UUID: id("risk", cid, "remediation"), Lifecycle: "recommendation",
				Title: "Remediate " + cid, Description: remediation}}
		}
		if u := checkObs[cid]; u != "" {
			r.RelatedObservations = []RelatedObservation{{ObservationUUID: u}}
		}
		checkRisks[cid] = r.UUID
		res.Risks = append(res.Risks, r)
	}

	// Findings: one per control.
	for _, c := range a.Controls {
		low := strings.ToLower(c.ID)
		title := c.Title
		if cat != nil && title == "" {
			if ctl := cat.Control(c.ID); ctl != nil {
				title = ctl.Title
			}
		}
		f := Finding{
			UUID:        id("finding", c.ID),
			Title:       line(c.ID+" "+title+": "+string(c.Status), c.ID),
			Description: text(c.Rationale, "Status "+string(c.Status)+"."),
			Target: FindingTarget{
				Type:     "objective-id",
				TargetID: low + "_obj",
				Title:    line(c.ID+" "+title, c.ID),
				Status:   objectiveStatus(c.Status),
			},
		}
		if st := implementationState(c.Status); st != "" {
			f.Target.ImplementationStatus = &ImplementationStatus{State: st}
		}
		f.Props = appendProp(f.Props, "control", c.ID)
		f.Props = appendProp(f.Props, "status", string(c.Status))
		if c.Score != nil {
			f.Props = appendProp(f.Props, "score", fmtScore(*c.Score))
		}
		f.Props = appendProp(f.Props, "automated-status", string(c.AutomatedStatus))
		f.Props = appendProp(f.Props, "attested-status", string(c.AttestedStatus))
		f.Props = appendProp(f.Props, "automation", string(c.Automation))
		f.Props = append(f.Props, Property{Name: "findings", NS: NS, Value: strconv.Itoa(c.Findings)})
		for _, s := range c.Stakeholders {
			f.Props = appendProp(f.Props, "stakeholder", string(s))
		}
		seenRisk := map[string]bool{}
		for _, cid := range c.Checks {
			if u := checkObs[cid]; u != "" {
				f.RelatedObservations = append(f.RelatedObservations, RelatedObservation{ObservationUUID: u})
			}
		}
		if u := attObs[c.ID]; u != "" {
			f.RelatedObservations = append(f.RelatedObservations, RelatedObservation{ObservationUUID: u})
		}
		// Risks of checks whose findings name this control.
		for _, cid := range riskChecks {
			u := checkRisks[cid]
			if u == "" || seenRisk[u] {
				continue
			}
			for _, fd := range byCheck[cid] {
				if slices.Contains(fd.Controls, c.ID) && fd.Severity.AtLeast(model.High) {
					f.RelatedRisks = append(f.RelatedRisks, AssociatedRisk{RiskUUID: u})
					seenRisk[u] = true
					break
				}
			}
		}
		res.Findings = append(res.Findings, f)
	}

	return &ResultsDocument{AssessmentResults: AssessmentResults{
		UUID:     id("document"),
		Metadata: md,
		ImportAP: ImportAP{
			Href:    "#" + planUUID,
			Remarks: "iotguard has no separate assessment plan document: the plan is the manifest described in the back-matter resource.",
		},
		Results:    []Result{res},
		BackMatter: &BackMatter{Resources: []Resource{plan}},
	}}
}

// WriteResults writes the document as indented JSON.
func WriteResults(w io.Writer, doc *ResultsDocument) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// objectiveStatus maps a control status to OSCAL's objective status:
// implemented and not-applicable controls satisfy their objective.
func objectiveStatus(s model.ControlStatus) ObjectiveStatus {
	switch s {
	case model.Implemented:
		return ObjectiveStatus{State: "satisfied", Reason: "pass"}
	case model.NotApplicable:
		return ObjectiveStatus{State: "satisfied", Reason: "other", Remarks: "The control was attested not applicable."}
	case model.NotAssessed:
		return ObjectiveStatus{State: "not-satisfied", Reason: "other",
			Remarks: "No automated check produced a result and nothing was attested."}
	default:
		return ObjectiveStatus{State: "not-satisfied", Reason: "fail"}
	}
}

// implementationState maps a control status to OSCAL's implementation
// state values; OSCAL has none for not-implemented or not-assessed, so
// those have no implementation-status (the iotguard status prop says it).
func implementationState(s model.ControlStatus) string {
	switch s {
	case model.Implemented:
		return "implemented"
	case model.PartiallyImplemented:
		return "partial"
	case model.NotApplicable:
		return "not-applicable"
	}
	return ""
}

// examinesEvidence reports whether a check only reads attestations and
// their evidence, which OSCAL calls examining rather than testing.
func examinesEvidence(c *model.CheckSummary) bool {
	if len(c.Inputs) == 0 {
		return false
	}
	for _, in := range c.Inputs {
		if in != model.EvAttestation {
			return false
		}
	}
	return true
}

func checkDescription(c *model.CheckSummary) string {
	d := strings.TrimSpace(c.Description)
	if d == "" {
		d = line(c.Title, c.ID) + "."
	}
	return fmt.Sprintf("%s\n\nCheck %s (version %s) ran on %s assets: %d passed, %d failed, %d errors, %d not applicable.",
		d, c.ID, line(c.Version, "?"), line(string(c.Scope), "all"), c.Pass, c.Fail, c.Error, c.NotApplicable)
}

func checkRemarks(c *model.CheckSummary, fs []*model.Finding) string {
	var parts []string
	if len(fs) > 0 {
		parts = append(parts, "Failed on:\n\n"+bullets(listFindings(fs, maxListed)))
	}
	if len(c.Errors) > 0 {
		parts = append(parts, "Errors:\n\n"+bullets(c.Errors))
	}
	return strings.Join(parts, "\n\n")
}

func attestationDescription(control string, at *model.AttestationResult) string {
	s := fmt.Sprintf("%s attested %s", control, at.Status)
	if o := line(at.Owner, ""); o != "" {
		s += " by " + o
	}
	if at.Date.Set() {
		s += " on " + at.Date.String()
	}
	s += "."
	if st := strings.TrimSpace(at.Statement); st != "" {
		s += "\n\n" + st
	}
	if j := strings.TrimSpace(at.Justification); j != "" {
		s += "\n\nJustification: " + j
	}
	return s
}

func worstSeverity(fs []*model.Finding) model.Severity {
	w := model.Severity("")
	for _, f := range fs {
		if f.Severity.Rank() > w.Rank() {
			w = f.Severity
		}
	}
	return w
}

func findingControls(fs []*model.Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		for _, c := range f.Controls {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

func listAssets(fs []*model.Finding, max int) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range fs {
		k := string(f.AssetType) + "/" + f.Asset
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	return capList(out, max)
}

func listFindings(fs []*model.Finding, max int) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s/%s (%s): %s", f.AssetType, f.Asset, f.Severity, f.Message))
	}
	return capList(out, max)
}

func capList(items []string, max int) []string {
	if len(items) <= max {
		return items
	}
	n := len(items) - max
	return append(items[:max:max], fmt.Sprintf("and %d more", n))
}

func bullets(items []string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("* ")
		b.WriteString(line(it, "-"))
	}
	return b.String()
}

// appendProp adds an iotguard prop, skipping empty values, which OSCAL
// does not allow.
func appendProp(props []Property, name, value string) []Property {
	v := line(value, "")
	if v == "" {
		return props
	}
	return append(props, Property{Name: name, NS: NS, Value: v})
}

// line makes s a valid OSCAL single-line string: whitespace runs become one
// space, ends are trimmed; an empty result becomes def.
func line(s, def string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return def
	}
	return s
}

// text returns s trimmed, or def when empty.
func text(s, def string) string {
	if s = strings.TrimSpace(s); s == "" {
		return def
	}
	return s
}

// pathRef turns a file path into a relative URI reference, escaping what
// a URI cannot hold.
func pathRef(p string) string {
	p = strings.ReplaceAll(strings.TrimSpace(p), "\\", "/")
	if p == "" {
		return ""
	}
	return (&url.URL{Path: p}).String()
}

// countOf writes "1 asset" or "3 assets".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func fmtScore(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
