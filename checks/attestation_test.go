package checks

import (
	"testing/fstest"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// testFiles are the evidence files the conformance cases can reference.
var testFiles = fstest.MapFS{
	"evidence/policy.pdf": {Data: []byte("IoT security policy v3, approved 2026-03-01")},
}

// sha256 of "IoT security policy v3, approved 2026-03-01".
const policySHA = "6d318694fa1b4fc574e8974ab41b0a240bda8167f8bc690320ae57f72321bda8"

func withAttestation(a model.Attestation) func(*model.Solution, *[]model.Device) {
	return func(s *model.Solution, _ *[]model.Device) { s.Attestations = append(s.Attestations, a) }
}

func goodPolicyAttestation() model.Attestation {
	return model.Attestation{
		Control: "S01", Status: model.Implemented, Statement: "Policy approved by the board",
		Owner: "CISO", Date: ts("2026-03-01"), ReviewDue: ts("2027-03-01"),
		Evidence: []model.EvidenceFile{{Path: "evidence/policy.pdf", SHA256: policySHA}},
	}
}

var attestationCases = map[string][]conformanceCase{
	engine.AttestationCheckID: {
		{name: "evidence verified", edit: withAttestation(goodPolicyAttestation()), want: model.Pass},
		{name: "evidence missing", edit: func(s *model.Solution, d *[]model.Device) {
			a := goodPolicyAttestation()
			a.Evidence[0].Path = "evidence/gone.pdf"
			withAttestation(a)(s, d)
		}, want: model.Fail, msg: "is missing", severity: model.High},
		{name: "evidence changed", edit: func(s *model.Solution, d *[]model.Device) {
			a := goodPolicyAttestation()
			a.Evidence[0].SHA256 = "00" + policySHA[2:]
			withAttestation(a)(s, d)
		}, want: model.Fail, msg: "changed since it was attested", severity: model.High},
		{name: "review overdue", edit: func(s *model.Solution, d *[]model.Device) {
			a := goodPolicyAttestation()
			a.ReviewDue = ts("2026-06-01")
			withAttestation(a)(s, d)
		}, want: model.Fail, msg: "review was due", severity: model.Medium},
		{name: "old without review date", edit: func(s *model.Solution, d *[]model.Device) {
			a := goodPolicyAttestation()
			a.Date, a.ReviewDue = ts("2024-01-01"), model.Timestamp{}
			withAttestation(a)(s, d)
		}, want: model.Fail, msg: "older than the 365-day review interval"},
		{name: "implemented without evidence", edit: func(s *model.Solution, d *[]model.Device) {
			a := goodPolicyAttestation()
			a.Evidence = nil
			withAttestation(a)(s, d)
		}, want: model.Fail, msg: "no evidence file attached", severity: model.Low},
		{name: "not applicable without justification", edit: withAttestation(model.Attestation{
			Control: "S09", Status: model.NotApplicable, Date: ts("2026-10-01")}),
			want: model.Fail, msg: "without a justification"},
		{name: "not applicable with justification", edit: withAttestation(model.Attestation{
			Control: "S09", Status: model.NotApplicable, Date: ts("2026-10-01"), Justification: "No device affects physical safety."}),
			want: model.Pass},
	},
}
