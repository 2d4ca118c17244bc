package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// AttestationCheckID is the ID of the built-in check on attestation
// evidence; the roll-up reads its findings as attestation problems.
const AttestationCheckID = "attestation-evidence"

// AttestationEvidence checks every attestation: its evidence files exist
// and still have the SHA-256 recorded for them, and its review is not
// overdue. It is what automation can say about controls that only people
// can decide.
type AttestationEvidence struct{}

// Meta implements Check.
func (AttestationEvidence) Meta() Meta {
	return Meta{
		ID: AttestationCheckID, Version: "1", Title: "Attestation evidence is present, unchanged and reviewed",
		Description: "Every attestation's evidence files exist, match the SHA-256 recorded in the manifest, " +
			"and the attestation was reviewed within the policy's interval.",
		AnyControl: true, Severity: model.High, Scope: model.AssetSolution, Inputs: []model.EvidenceKind{model.EvAttestation},
		Remediation: "Restore or re-attach the evidence, record its current SHA-256 (sha256sum FILE), and have the owner review the attestation.",
	}
}

// CheckSolution implements SolutionCheck.
func (AttestationEvidence) CheckSolution(env *Env) []Result {
	var out []Result
	for i := range env.Solution.Attestations {
		at := &env.Solution.Attestations[i]
		asset := "attestation " + at.Control
		var rs []Result
		fail := func(sev model.Severity, format string, args ...any) {
			r := Failf(format, args...).WithSeverity(sev)
			rs = append(rs, r)
		}
		if at.Status == model.NotApplicable {
			if strings.TrimSpace(at.Justification) == "" {
				fail(model.Medium, "%s is attested not applicable without a justification", at.Control)
			}
		} else if len(at.Evidence) == 0 && at.Status != model.NotImplemented {
			fail(model.Low, "%s is attested %s with no evidence file attached", at.Control, at.Status)
		}
		for _, ev := range at.Evidence {
			if msg, sev := verifyEvidence(env.Files, ev); msg != "" {
				fail(sev, "%s", msg)
			}
		}
		switch {
		case at.ReviewDue.Set() && env.Now.After(at.ReviewDue.Time):
			fail(model.Medium, "%s attestation review was due on %s (%d days ago)", at.Control, at.ReviewDue, env.DaysSince(at.ReviewDue))
		case !at.ReviewDue.Set() && at.Date.Set() && env.DaysSince(at.Date) > env.Policy.AttestationReviewDays:
			fail(model.Medium, "%s attestation dated %s is older than the %d-day review interval", at.Control, at.Date, env.Policy.AttestationReviewDays)
		case !at.ReviewDue.Set() && !at.Date.Set():
			fail(model.Low, "%s attestation has neither a date nor a review date", at.Control)
		}
		if len(rs) == 0 {
			rs = append(rs, Passf("%s attestation evidence verified", at.Control))
		}
		for _, r := range rs {
			r.Asset = asset
			r.Controls = []string{at.Control}
			out = append(out, r)
		}
	}
	return out
}

// verifyEvidence returns a problem and its severity, or "" when the file
// is present and unchanged.
func verifyEvidence(files fs.FS, ev model.EvidenceFile) (string, model.Severity) {
	if files == nil {
		return fmt.Sprintf("evidence %s cannot be checked: no evidence folder was given", ev.Path), model.Low
	}
	f, err := files.Open(ev.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("evidence file %s is missing", ev.Path), model.High
	}
	if err != nil {
		return fmt.Sprintf("evidence file %s cannot be read: %v", ev.Path, err), model.High
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Sprintf("evidence file %s cannot be read: %v", ev.Path, err), model.High
	}
	sum := hex.EncodeToString(h.Sum(nil))
	switch {
	case ev.SHA256 == "":
		return fmt.Sprintf("evidence file %s has no recorded SHA-256 (it is %s): record it so changes are detected", ev.Path, sum), model.Low
	case !strings.EqualFold(ev.SHA256, sum):
		return fmt.Sprintf("evidence file %s changed since it was attested: recorded SHA-256 %s, now %s", ev.Path, ev.SHA256, sum), model.High
	}
	return "", ""
}
