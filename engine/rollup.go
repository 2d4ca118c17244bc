package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

// Scoring, documented in docs/assessment.md:
//
//   - A check's score on a control is its pass rate (0-100) less a penalty
//     when anything failed (critical 40, high 25, medium 10, low 5, info 0),
//     so that a few failing devices in a large fleet are never rounded away.
//   - The automated score is the severity-weighted mean of its checks.
//   - An attestation scores 100 (implemented), 50 (partially) or 0 (not
//     implemented); problems with its evidence or review lower it one step.
//   - Status and score take the worse of the two halves; a partial control
//     with passing checks but no attestation is at best partially
//     implemented, scoring half its automated score.
//   - Not-assessed controls score 0 in the role, category and overall means;
//     not-applicable controls are left out of them.
var penalty = map[model.Severity]float64{model.Critical: 40, model.High: 25, model.Medium: 10, model.Low: 5, model.Info: 0}

func weight(s model.Severity) float64 { return float64(s.Rank() + 1) }

var statusRank = map[model.ControlStatus]int{model.Implemented: 3, model.PartiallyImplemented: 2, model.NotImplemented: 1}

func worse(a, b model.ControlStatus) model.ControlStatus {
	if statusRank[a] <= statusRank[b] {
		return a
	}
	return b
}

func statusFromScore(score float64, allPass bool) model.ControlStatus {
	switch {
	case allPass:
		return model.Implemented
	case score <= 0:
		return model.NotImplemented
	default:
		return model.PartiallyImplemented
	}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func rollUp(a *model.Assessment, cat *catalog.Catalog, sol *model.Solution, metas []Meta, all *collector) {
	attest := map[string]*model.Attestation{}
	for i := range sol.Attestations {
		attest[sol.Attestations[i].Control] = &sol.Attestations[i]
	}
	// Findings per control come from the tallies, which count every
	// failure even when the report keeps only the most severe findings.
	findingsPer := map[string]int{}
	for i, m := range metas {
		if m.AnyControl {
			for id, t := range all.dynamic[i] {
				findingsPer[id] += t.fail
			}
			continue
		}
		for _, id := range m.Controls {
			findingsPer[id] += all.tallies[i].fail
		}
	}
	// Problems that the attestation evidence check found, per control.
	problems := map[string][]string{}
	for _, f := range a.Findings {
		if f.Check == AttestationCheckID {
			for _, id := range f.Controls {
				problems[id] = append(problems[id], f.Message)
			}
		}
	}

	for _, ctl := range cat.Controls {
		cr := model.ControlResult{
			ID: ctl.ID, Title: ctl.Title, Category: ctl.Category,
			Stakeholders: slices.Clone(ctl.Stakeholders), Automation: ctl.Automation,
			Findings: findingsPer[ctl.ID], Checks: []string{},
		}
		// Automated half.
		var sum, wsum float64
		allPass, assessed := true, false
		var failing []string
		for i, m := range metas {
			var t *tally
			switch {
			case m.AnyControl:
				t = all.dynamic[i][ctl.ID]
			case slices.Contains(m.Controls, ctl.ID):
				t = &all.tallies[i]
			}
			if t == nil {
				continue
			}
			if m.AnyControl {
				// Attestation evidence feeds the attested half (as problems),
				// not the automated one.
				if t.pass+t.fail+t.errs > 0 {
					cr.Checks = append(cr.Checks, m.ID)
				}
				continue
			}
			cr.Checks = append(cr.Checks, m.ID)
			if t.pass+t.fail == 0 {
				continue
			}
			assessed = true
			s := 100 * float64(t.pass) / float64(t.pass+t.fail)
			if t.fail > 0 {
				allPass = false
				s = math.Max(0, s-penalty[t.worst])
				failing = append(failing, m.ID)
			}
			sum += s * weight(m.Severity)
			wsum += weight(m.Severity)
		}
		cr.AutomatedStatus = model.NotAssessed
		var autoScore float64
		if assessed {
			autoScore = sum / wsum
			cr.AutomatedStatus = statusFromScore(autoScore, allPass)
		}

		// Attested half.
		cr.AttestedStatus = model.NotAssessed
		var attScore float64
		if at := attest[ctl.ID]; at != nil {
			ar := &model.AttestationResult{Attestation: *at, Problems: problems[ctl.ID]}
			cr.Attestation = ar
			switch at.Status {
			case model.Implemented:
				attScore = 100
			case model.PartiallyImplemented:
				attScore = 50
			}
			cr.AttestedStatus = at.Status
			if len(ar.Problems) > 0 && at.Status != model.NotApplicable {
				switch at.Status {
				case model.Implemented:
					cr.AttestedStatus, attScore = model.PartiallyImplemented, 50
				case model.PartiallyImplemented:
					cr.AttestedStatus, attScore = model.NotImplemented, 0
				}
			}
		}

		// Combine: the worse wins.
		var score float64
		switch {
		case cr.AttestedStatus == model.NotApplicable && (!assessed || allPass):
			cr.Status = model.NotApplicable
			cr.Rationale = "attested not applicable: " + cr.Attestation.Justification
		case cr.AttestedStatus == model.NotApplicable:
			cr.Status, score = cr.AutomatedStatus, autoScore
			cr.Rationale = fmt.Sprintf("attested not applicable, but automated checks fail (%s), so they decide", strings.Join(failing, ", "))
		case !assessed && cr.AttestedStatus == model.NotAssessed:
			cr.Status = model.NotAssessed
			cr.Rationale = "no automated check produced a result and nothing is attested"
		case !assessed:
			cr.Status, score = cr.AttestedStatus, attScore
			cr.Rationale = "decided by attestation only"
		case cr.AttestedStatus == model.NotAssessed && ctl.Automation == model.Automated:
			cr.Status, score = cr.AutomatedStatus, autoScore
			cr.Rationale = automatedRationale(failing)
		case cr.AttestedStatus == model.NotAssessed:
			cr.Status = worse(cr.AutomatedStatus, model.PartiallyImplemented)
			score = autoScore / 2
			cr.Rationale = automatedRationale(failing) + "; the rest of this control needs an attestation, which is missing"
		default:
			cr.Status = worse(cr.AutomatedStatus, cr.AttestedStatus)
			score = math.Min(autoScore, attScore)
			cr.Rationale = automatedRationale(failing) + fmt.Sprintf("; attested %s; the worse of the two decides", cr.AttestedStatus)
		}
		if cr.Status != model.NotApplicable {
			s := round1(score)
			cr.Score = &s
		}
		a.Controls = append(a.Controls, cr)
	}
	a.Summary = summarize(a.Controls, failureCounts(a.Checks, a.Findings, nil))
}

// failureCounts counts failures per severity: from each check's full
// counts, and for checks that name controls per finding (whose findings
// are always kept) from the findings, restricted to owned controls when
// owned is given.
func failureCounts(checks []model.CheckSummary, findings []model.Finding, owned map[string]bool) map[model.Severity]int {
	out := map[model.Severity]int{}
	perResult := map[string]bool{}
	for _, c := range checks {
		if c.PerResultControls {
			perResult[c.ID] = true
			continue
		}
		if owned != nil && !intersects(c.Controls, owned) {
			continue
		}
		for sev, n := range c.FailuresBySeverity {
			out[sev] += n
		}
	}
	for _, f := range findings {
		if perResult[f.Check] && (owned == nil || intersects(f.Controls, owned)) {
			out[f.Severity]++
		}
	}
	return out
}

func intersects(ids []string, set map[string]bool) bool {
	for _, id := range ids {
		if set[id] {
			return true
		}
	}
	return false
}

func automatedRationale(failing []string) string {
	if len(failing) == 0 {
		return "every automated check passes"
	}
	return fmt.Sprintf("automated checks fail: %s", strings.Join(failing, ", "))
}

// summarize computes the counts and the role, category and overall scores.
func summarize(controls []model.ControlResult, failures map[model.Severity]int) model.Summary {
	s := model.Summary{
		Controls:   map[model.ControlStatus]int{},
		Findings:   map[model.Severity]int{},
		ByRole:     map[model.Stakeholder]float64{},
		ByCategory: map[model.Category]float64{},
	}
	for _, st := range model.ControlStatuses {
		s.Controls[st] = 0
	}
	for _, sv := range model.Severities {
		s.Findings[sv] = 0
	}
	for sev, n := range failures {
		s.Findings[sev] += n
	}
	type acc struct{ sum, n float64 }
	roles := map[model.Stakeholder]*acc{}
	cats := map[model.Category]*acc{}
	var total acc
	for _, c := range controls {
		s.Controls[c.Status]++
		if c.Score == nil {
			continue
		}
		total.sum += *c.Score
		total.n++
		for _, r := range c.Stakeholders {
			if roles[r] == nil {
				roles[r] = &acc{}
			}
			roles[r].sum += *c.Score
			roles[r].n++
		}
		if cats[c.Category] == nil {
			cats[c.Category] = &acc{}
		}
		cats[c.Category].sum += *c.Score
		cats[c.Category].n++
	}
	if total.n > 0 {
		s.Score = round1(total.sum / total.n)
	}
	for r, x := range roles {
		s.ByRole[r] = round1(x.sum / x.n)
	}
	for c, x := range cats {
		s.ByCategory[c] = round1(x.sum / x.n)
	}
	return s
}

// Scope restricts an assessment to the controls one stakeholder owns and
// the findings on them, recomputing the summary.
func Scope(a *model.Assessment, role model.Stakeholder) *model.Assessment {
	out := *a
	out.Role = role
	out.Controls = nil
	owned := map[string]bool{}
	for _, c := range a.Controls {
		if slices.Contains(c.Stakeholders, role) {
			out.Controls = append(out.Controls, c)
			owned[c.ID] = true
		}
	}
	out.Findings = nil
	for _, f := range a.Findings {
		for _, id := range f.Controls {
			if owned[id] {
				out.Findings = append(out.Findings, f)
				break
			}
		}
	}
	out.Checks = nil
	for _, c := range a.Checks {
		if c.Controls == nil {
			out.Checks = append(out.Checks, c)
			continue
		}
		for _, id := range c.Controls {
			if owned[id] {
				out.Checks = append(out.Checks, c)
				break
			}
		}
	}
	devices := a.Summary.Devices
	out.Summary = summarize(out.Controls, failureCounts(a.Checks, a.Findings, owned))
	// Other roles' scores over this role's controls would mislead.
	for r := range out.Summary.ByRole {
		if r != role {
			delete(out.Summary.ByRole, r)
		}
	}
	out.Summary.Devices, out.Summary.Checks = devices, len(out.Checks)
	return &out
}
