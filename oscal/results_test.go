package oscal

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

func ptr(f float64) *float64 { return &f }

// resultsFixture is a small assessment with a control of each status, an
// attestation with evidence (one path with spaces) and one with problems,
// a not-applicable control, findings of several severities and a check
// with errors.
func resultsFixture() *model.Assessment {
	date, _ := model.ParseTimestamp("2026-01-15")
	cat := catalog.MustLoad()
	a := &model.Assessment{
		SchemaVersion: "1.0", Tool: "iotguard", ToolVersion: "1.2.3",
		Solution: "Acme Smart Building", Organization: "Acme Facilities Ltd",
		AssessedAt:        time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		FindingsTruncated: 2,
		Checks: []model.CheckSummary{
			{ID: "attestation-evidence", Version: "1", Title: "Attestation evidence is present, unchanged and reviewed",
				Description: "Evidence files exist and are unchanged.", Severity: model.High, Scope: model.AssetSolution,
				Inputs: []model.EvidenceKind{model.EvAttestation}, Remediation: "Re-attach the evidence.", Pass: 1, Fail: 1},
			{ID: "device-default-credentials", Version: "2", Title: "No device uses default credentials",
				Description: "Devices must not accept the factory default password.", Controls: []string{"S16", "S26"},
				Severity: model.Critical, Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvConfig},
				Remediation: "Set a unique password per device.", Pass: 8, Fail: 2},
			{ID: "scan-insecure-protocols", Version: "1", Title: "No insecure protocols are exposed", Controls: []string{"S10"},
				Severity: model.High, Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvScan},
				Error: 1, Errors: []string{"nmap file scans/a.xml: unexpected EOF"}},
			{ID: "service-logging", Version: "1", Title: "Services log security events", Controls: []string{"S12"},
				Severity: model.Medium, Scope: model.AssetService, Inputs: []model.EvidenceKind{model.EvConfig}, Pass: 2},
			{ID: "unused-check", Version: "1", Title: "A check with nothing to decide", Controls: []string{"S03"},
				Severity: model.Low, Scope: model.AssetFlow, NotApplicable: 3},
		},
		Findings: []model.Finding{
			{Check: "device-default-credentials", Title: "No device uses default credentials", Controls: []string{"S16", "S26"},
				Severity: model.Critical, Status: model.Fail, AssetType: model.AssetDevice, Asset: "cam-001",
				Message: "device accepts the factory default password", Remediation: "Set a unique password per device."},
			{Check: "device-default-credentials", Title: "No device uses default credentials", Controls: []string{"S16", "S26"},
				Severity: model.Critical, Status: model.Fail, AssetType: model.AssetDevice, Asset: "cam-002",
				Message: "device accepts the factory default password\nsecond line", Remediation: "Set a unique password per device."},
			{Check: "attestation-evidence", Title: "Attestation evidence is present, unchanged and reviewed", Controls: []string{"S02"},
				Severity: model.Medium, Status: model.Fail, AssetType: model.AssetSolution, Asset: "attestation S02",
				Message: "S02 attestation review was due on 2026-02-01 (28 days ago)"},
		},
	}
	results := map[string]model.ControlResult{
		"S01": {Status: model.Implemented, Score: ptr(100), AutomatedStatus: model.Implemented, AttestedStatus: model.Implemented,
			Checks: []string{"attestation-evidence"}, Rationale: "every automated check passes; attested implemented; the worse of the two decides",
			Attestation: &model.AttestationResult{Attestation: model.Attestation{Control: "S01", Status: model.Implemented,
				Statement: "The policy was approved.\nIt is reviewed yearly.", Owner: "CISO Office", Date: date,
				Evidence: []model.EvidenceFile{{Path: "evidence/iot security policy (v3).pdf", SHA256: "9f2c"}, {Path: `C:\docs\raci#1.xlsx`}}}}},
		"S02": {Status: model.PartiallyImplemented, Score: ptr(50), AutomatedStatus: model.PartiallyImplemented, AttestedStatus: model.PartiallyImplemented,
			Checks: []string{"attestation-evidence"}, Findings: 1, Rationale: "attested implemented with problems",
			Attestation: &model.AttestationResult{Attestation: model.Attestation{Control: "S02", Status: model.Implemented, Owner: "  "},
				Problems: []string{"S02 attestation review was due on 2026-02-01 (28 days ago)"}}},
		"S03": {Status: model.NotAssessed, Score: ptr(0), AutomatedStatus: model.NotAssessed, AttestedStatus: model.NotAssessed,
			Checks: []string{"unused-check"}, Rationale: "no automated check produced a result and nothing is attested"},
		"S09": {Status: model.NotApplicable, AutomatedStatus: model.NotAssessed, AttestedStatus: model.NotApplicable,
			Rationale: "attested not applicable: no safety functions",
			Attestation: &model.AttestationResult{Attestation: model.Attestation{Control: "S09", Status: model.NotApplicable,
				Justification: "No safety functions."}}},
		"S10": {Status: model.NotAssessed, Score: ptr(0), AutomatedStatus: model.NotAssessed, AttestedStatus: model.NotAssessed,
			Checks: []string{"scan-insecure-protocols"}, Rationale: "no automated check produced a result and nothing is attested"},
		"S12": {Status: model.Implemented, Score: ptr(100), AutomatedStatus: model.Implemented, AttestedStatus: model.NotAssessed,
			Checks: []string{"service-logging"}, Rationale: "every automated check passes"},
		"S16": {Status: model.NotImplemented, Score: ptr(0), AutomatedStatus: model.NotImplemented, AttestedStatus: model.NotAssessed,
			Checks: []string{"device-default-credentials"}, Findings: 2, Rationale: "automated checks fail: [device-default-credentials]"},
		"S26": {Status: model.PartiallyImplemented, Score: ptr(40), AutomatedStatus: model.PartiallyImplemented, AttestedStatus: model.NotAssessed,
			Checks: []string{"device-default-credentials"}, Findings: 2, Rationale: "automated checks fail: [device-default-credentials]"},
	}
	for _, id := range []string{"S01", "S02", "S03", "S09", "S10", "S12", "S16", "S26"} {
		ctl := cat.Control(id)
		r := results[id]
		r.ID, r.Title, r.Category, r.Stakeholders, r.Automation = ctl.ID, ctl.Title, ctl.Category, ctl.Stakeholders, ctl.Automation
		a.Controls = append(a.Controls, r)
	}
	a.Summary = model.Summary{Score: 36.3, Devices: 10, Checks: len(a.Checks),
		Controls: map[model.ControlStatus]int{model.Implemented: 2, model.PartiallyImplemented: 2, model.NotImplemented: 1, model.NotApplicable: 1, model.NotAssessed: 2},
		Findings: map[model.Severity]int{model.Critical: 2, model.Medium: 1}}
	return a
}

func exportResults(t *testing.T, a *model.Assessment, opt ResultsOptions) ([]byte, *ResultsDocument) {
	t.Helper()
	doc := ExportResults(a, catalog.MustLoad(), opt)
	var buf bytes.Buffer
	if err := WriteResults(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), doc
}

func TestResultsAreValidOSCAL(t *testing.T) {
	data, _ := exportResults(t, resultsFixture(), ResultsOptions{PlanHref: "iotguard.yaml"})
	validateOSCAL(t, data)

	scoped := resultsFixture()
	scoped.Role = model.ISP
	scoped.Organization = ""
	scoped.Solution = "  multi\nline  "
	scoped.Checks[0].Description = ""
	scoped.Checks[0].Version = ""
	data, _ = exportResults(t, scoped, ResultsOptions{Version: "v 2"})
	validateOSCAL(t, data)
}

func TestResultsEmptyAssessmentIsValid(t *testing.T) {
	data, doc := exportResults(t, &model.Assessment{AssessedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}, ResultsOptions{})
	validateOSCAL(t, data)
	if doc.AssessmentResults.Results[0].ReviewedControls.ControlSelections[0].IncludeAll == nil {
		t.Error("an assessment without controls should select all controls")
	}
}

// TestSchemaRejectsInvalid guards against a validator that accepts
// anything.
func TestSchemaRejectsInvalid(t *testing.T) {
	data, _ := exportResults(t, resultsFixture(), ResultsOptions{})
	bad := strings.Replace(string(data), `"state": "not-satisfied"`, `"state": "failed"`, 1)
	sch := oscalSchema(t)
	var inst any
	if err := json.Unmarshal([]byte(bad), &inst); err != nil {
		t.Fatal(err)
	}
	if sch.Validate(inst) == nil {
		t.Error("the OSCAL schema accepted an objective state outside its enum")
	}
}

func TestResultsAreStable(t *testing.T) {
	a, _ := exportResults(t, resultsFixture(), ResultsOptions{})
	b, _ := exportResults(t, resultsFixture(), ResultsOptions{})
	if !bytes.Equal(a, b) {
		t.Error("two exports of the same assessment differ")
	}
	later := resultsFixture()
	later.AssessedAt = later.AssessedAt.Add(time.Hour)
	_, d1 := exportResults(t, resultsFixture(), ResultsOptions{})
	_, d2 := exportResults(t, later, ResultsOptions{})
	if d1.AssessmentResults.UUID == d2.AssessmentResults.UUID {
		t.Error("assessments at different times share a document UUID")
	}
}

func TestResultsContent(t *testing.T) {
	a := resultsFixture()
	data, doc := exportResults(t, a, ResultsOptions{})
	ar := doc.AssessmentResults
	if ar.Metadata.OSCALVersion != Version || ar.Metadata.LastModified != "2026-03-01T10:00:00Z" {
		t.Errorf("metadata = %+v", ar.Metadata)
	}
	if len(ar.Results) != 1 {
		t.Fatalf("%d results, want 1", len(ar.Results))
	}
	res := ar.Results[0]
	if res.Start != "2026-03-01T10:00:00Z" {
		t.Errorf("start = %s", res.Start)
	}

	// import-ap points at a back-matter resource.
	if ar.BackMatter == nil || len(ar.BackMatter.Resources) == 0 || ar.ImportAP.Href != "#"+ar.BackMatter.Resources[0].UUID {
		t.Errorf("import-ap %q does not point at a back-matter resource", ar.ImportAP.Href)
	}

	// Reviewed controls: every control, lower case.
	var ids []string
	for _, s := range res.ReviewedControls.ControlSelections[0].IncludeControls {
		ids = append(ids, s.ControlID)
	}
	if got := strings.Join(ids, ","); got != "s01,s02,s03,s09,s10,s12,s16,s26" {
		t.Errorf("reviewed controls = %s", got)
	}

	// Observations: one per check that ran, one per attestation.
	obs := map[string]Observation{}
	for _, o := range res.Observations {
		obs[o.UUID] = o
	}
	methods := map[string]string{}
	for _, o := range res.Observations {
		methods[o.Title] = strings.Join(o.Methods, ",")
	}
	wantMethods := map[string]string{
		"Attestation evidence is present, unchanged and reviewed": "EXAMINE",
		"No device uses default credentials":                      "TEST",
		"No insecure protocols are exposed":                       "TEST",
		"Services log security events":                            "TEST",
		"Attestation of S01":                                      "EXAMINE",
		"Attestation of S02":                                      "EXAMINE",
		"Attestation of S09":                                      "EXAMINE",
	}
	if len(methods) != len(wantMethods) {
		t.Errorf("observations = %v, want %v (no observation for checks that decided nothing)", methods, wantMethods)
	}
	for title, m := range wantMethods {
		if methods[title] != m {
			t.Errorf("observation %q methods = %q, want %q", title, methods[title], m)
		}
	}
	var s01 *Observation
	for i := range res.Observations {
		if res.Observations[i].Title == "Attestation of S01" {
			s01 = &res.Observations[i]
		}
	}
	if s01 == nil || len(s01.RelevantEvidence) != 2 || s01.RelevantEvidence[0].Href != "evidence/iot%20security%20policy%20%28v3%29.pdf" {
		t.Errorf("S01 attestation evidence = %+v", s01)
	}

	// Risks: for the critical check only (the attestation finding is medium).
	risks := map[string]Risk{}
	for _, r := range res.Risks {
		risks[r.UUID] = r
	}
	if len(res.Risks) != 1 || PropValue(res.Risks[0].Props, "check") != "device-default-credentials" {
		t.Errorf("risks = %+v, want one for device-default-credentials", res.Risks)
	}

	// Findings: one per control with the right state and target.
	want := map[string]struct{ state, reason, impl string }{
		"s01": {"satisfied", "pass", "implemented"},
		"s02": {"not-satisfied", "fail", "partial"},
		"s03": {"not-satisfied", "other", ""},
		"s09": {"satisfied", "other", "not-applicable"},
		"s10": {"not-satisfied", "other", ""},
		"s12": {"satisfied", "pass", "implemented"},
		"s16": {"not-satisfied", "fail", ""},
		"s26": {"not-satisfied", "fail", "partial"},
	}
	if len(res.Findings) != len(a.Controls) {
		t.Fatalf("%d findings, want one per control (%d)", len(res.Findings), len(a.Controls))
	}
	catalogParts := catalogPartIDs(t)
	seen := map[string]bool{ar.UUID: true, res.UUID: true}
	for _, f := range res.Findings {
		id := strings.TrimSuffix(f.Target.TargetID, "_obj")
		w, ok := want[id]
		if !ok || f.Target.Type != "objective-id" {
			t.Errorf("finding target %s %s unexpected", f.Target.Type, f.Target.TargetID)
			continue
		}
		if !catalogParts[f.Target.TargetID] {
			t.Errorf("target %s is not a part of the exported catalog", f.Target.TargetID)
		}
		impl := ""
		if f.Target.ImplementationStatus != nil {
			impl = f.Target.ImplementationStatus.State
		}
		if f.Target.Status.State != w.state || f.Target.Status.Reason != w.reason || impl != w.impl {
			t.Errorf("%s: state %s reason %s impl %q, want %+v", id, f.Target.Status.State, f.Target.Status.Reason, impl, w)
		}
		if PropValue(f.Props, "status") == "" {
			t.Errorf("%s: no status prop", id)
		}
		if (PropValue(f.Props, "score") == "") != (id == "s09") {
			t.Errorf("%s: score prop %q", id, PropValue(f.Props, "score"))
		}
		for _, ro := range f.RelatedObservations {
			if _, ok := obs[ro.ObservationUUID]; !ok {
				t.Errorf("%s: related observation %s does not exist", id, ro.ObservationUUID)
			}
		}
		for _, rr := range f.RelatedRisks {
			if _, ok := risks[rr.RiskUUID]; !ok {
				t.Errorf("%s: related risk %s does not exist", id, rr.RiskUUID)
			}
		}
		if (id == "s16" || id == "s26") != (len(f.RelatedRisks) == 1) {
			t.Errorf("%s: %d related risks", id, len(f.RelatedRisks))
		}
		if seen[f.UUID] {
			t.Errorf("UUID %s repeated", f.UUID)
		}
		seen[f.UUID] = true
	}
	for _, o := range res.Observations {
		if seen[o.UUID] {
			t.Errorf("UUID %s repeated", o.UUID)
		}
		seen[o.UUID] = true
	}
	if !strings.Contains(res.Remarks, "2 less severe") {
		t.Errorf("truncated findings not mentioned: %q", res.Remarks)
	}
	if !strings.Contains(string(data), `"ns": "`+NS+`"`) {
		t.Error("no props in the iotguard namespace")
	}
}

func catalogPartIDs(t *testing.T) map[string]bool {
	t.Helper()
	doc := ExportCatalog(catalog.MustLoad().Controls, CatalogOptions{})
	ids := map[string]bool{}
	var walk func(ps []Part)
	walk = func(ps []Part) {
		for _, p := range ps {
			ids[p.ID] = true
			walk(p.Parts)
		}
	}
	for _, g := range doc.Catalog.Groups {
		for _, c := range g.Controls {
			walk(c.Parts)
		}
	}
	return ids
}
