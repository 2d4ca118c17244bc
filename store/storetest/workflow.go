package storetest

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

func date(s string) model.Timestamp {
	t, err := model.ParseTimestamp(s)
	if err != nil {
		panic(err)
	}
	return t
}

func attestation(control string, status model.ControlStatus) model.Attestation {
	a := model.Attestation{
		Control:   control,
		Status:    status,
		Statement: "Statement for " + control,
		Owner:     "CISO",
		Date:      date("2026-02-01"),
		ReviewDue: date("2027-02-01"),
		Evidence:  []model.EvidenceFile{{Path: "policy.pdf", SHA256: strings.Repeat("ab", 32)}},
	}
	if status == model.NotApplicable {
		a.Justification = "No such equipment"
	}
	return a
}

func testAttestations(t *testing.T, b Backend) {
	e := newEnv(t, b)
	now := e.clock.Now()
	a, err := e.a.SaveAttestation(ctx, e.by, store.Attestation{SolutionID: "plant", Attestation: attestation("S01", model.Implemented)})
	must(t, err)
	want := store.Attestation{ID: a.ID, SolutionID: "plant", Attestation: attestation("S01", model.Implemented),
		State: store.Draft, Author: e.user.ID, UpdatedAt: now, Version: 1}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Fatalf("created attestation (-want +got):\n%s", diff)
	}
	got, err := e.a.GetAttestation(ctx, a.ID)
	must(t, err)
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("GetAttestation (-saved +got):\n%s", diff)
	}

	reviewer := store.Actor{UserID: "auditor-1", Name: "auditor@example.com"}
	expires := now.Add(90 * 24 * time.Hour)
	edit := func(version int, statement string) (store.Attestation, error) {
		att := attestation("S01", model.Implemented)
		att.Statement = statement
		return e.a.SaveAttestation(ctx, e.by, store.Attestation{ID: a.ID, Attestation: att, Version: version})
	}
	steps := []struct {
		name    string
		do      func() (store.Attestation, error)
		want    error
		state   store.AttestationState
		version int
	}{
		{"submit draft", func() (store.Attestation, error) { return e.a.SubmitAttestation(ctx, e.by, a.ID) }, nil, store.Submitted, 2},
		{"edit submitted", func() (store.Attestation, error) { return edit(2, "sneaky") }, store.ErrConflict, "", 0},
		{"submit twice", func() (store.Attestation, error) { return e.a.SubmitAttestation(ctx, e.by, a.ID) }, store.ErrConflict, "", 0},
		{"approve with a past expiry", func() (store.Attestation, error) {
			return e.a.ReviewAttestation(ctx, reviewer, a.ID, true, "ok", ptr(now.Add(-time.Hour)))
		}, store.ErrInvalid, "", 0},
		{"approve", func() (store.Attestation, error) {
			return e.a.ReviewAttestation(ctx, reviewer, a.ID, true, "evidence checked", &expires)
		}, nil, store.Approved, 3},
		{"review twice", func() (store.Attestation, error) {
			return e.a.ReviewAttestation(ctx, reviewer, a.ID, false, "changed my mind", nil)
		}, store.ErrConflict, "", 0},
		{"edit with a stale version", func() (store.Attestation, error) { return edit(2, "stale") }, store.ErrConflict, "", 0},
		{"edit approved: back to draft", func() (store.Attestation, error) { return edit(3, "revised policy") }, nil, store.Draft, 4},
		{"submit revision", func() (store.Attestation, error) { return e.a.SubmitAttestation(ctx, e.by, a.ID) }, nil, store.Submitted, 5},
		{"reject", func() (store.Attestation, error) {
			return e.a.ReviewAttestation(ctx, reviewer, a.ID, false, "evidence missing", nil)
		}, nil, store.Rejected, 6},
		{"submit rejected", func() (store.Attestation, error) { return e.a.SubmitAttestation(ctx, e.by, a.ID) }, store.ErrConflict, "", 0},
		{"edit rejected: back to draft", func() (store.Attestation, error) { return edit(6, "with evidence") }, nil, store.Draft, 7},
	}
	for _, s := range steps {
		e.clock.Advance(time.Minute)
		got, err := s.do()
		if s.want != nil {
			wantErr(t, s.name, err, s.want)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got.State != s.state || got.Version != s.version || !got.UpdatedAt.Equal(e.clock.Now()) {
			t.Errorf("%s: state %s version %d updated %v, want %s %d %v", s.name, got.State, got.Version, got.UpdatedAt, s.state, s.version, e.clock.Now())
		}
		stored, err := e.a.GetAttestation(ctx, a.ID)
		must(t, err)
		if diff := cmp.Diff(got, stored); diff != "" {
			t.Errorf("%s: stored (-returned +stored):\n%s", s.name, diff)
		}
		switch s.name {
		case "approve":
			if got.Reviewer != "auditor-1" || got.ReviewComment != "evidence checked" || got.ExpiresAt == nil || !got.ExpiresAt.Equal(expires) || got.ReviewedAt == nil {
				t.Errorf("approved attestation = %+v", got)
			}
		case "edit approved: back to draft":
			if got.ExpiresAt != nil || got.Statement != "revised policy" {
				t.Errorf("an edit keeps the approval's expiry or loses the statement: %+v", got)
			}
		case "reject":
			if got.ExpiresAt != nil || got.ReviewComment != "evidence missing" {
				t.Errorf("rejected attestation = %+v", got)
			}
		}
	}

	for _, tc := range []struct {
		name string
		a    store.Attestation
		want error
	}{
		{"unknown control", store.Attestation{SolutionID: "plant", Attestation: attestation("S99", model.Implemented)}, store.ErrInvalid},
		{"unknown status", store.Attestation{SolutionID: "plant", Attestation: attestation("S01", "great")}, store.ErrInvalid},
		{"not applicable without justification", store.Attestation{SolutionID: "plant", Attestation: func() model.Attestation {
			a := attestation("S04", model.NotApplicable)
			a.Justification = " "
			return a
		}()}, store.ErrInvalid},
		{"no solution", store.Attestation{Attestation: attestation("S01", model.Implemented)}, store.ErrInvalid},
		{"unknown solution", store.Attestation{SolutionID: "nope", Attestation: attestation("S01", model.Implemented)}, store.ErrNotFound},
		{"unknown ID", store.Attestation{ID: "nope", Attestation: attestation("S01", model.Implemented), Version: 1}, store.ErrNotFound},
		{"malformed evidence digest", store.Attestation{SolutionID: "plant", Attestation: func() model.Attestation {
			a := attestation("S01", model.Implemented)
			a.Evidence[0].SHA256 = "xyz"
			return a
		}()}, store.ErrInvalid},
	} {
		_, err := e.a.SaveAttestation(ctx, e.by, tc.a)
		wantErr(t, tc.name, err, tc.want)
	}
	_, err = e.a.GetAttestation(ctx, "nope")
	wantErr(t, "get unknown", err, store.ErrNotFound)
	_, err = e.a.SubmitAttestation(ctx, e.by, "nope")
	wantErr(t, "submit unknown", err, store.ErrNotFound)
	_, err = e.a.ReviewAttestation(ctx, reviewer, "nope", true, "", nil)
	wantErr(t, "review unknown", err, store.ErrNotFound)

	ids := []string{a.ID}
	for _, c := range []string{"S02", "S03", "S04", "P01"} {
		e.clock.Advance(time.Millisecond)
		x, err := e.a.SaveAttestation(ctx, e.by, store.Attestation{SolutionID: "plant", Attestation: attestation(c, model.PartiallyImplemented)})
		must(t, err)
		ids = append(ids, x.ID)
	}
	list := collect(t, 2, func(p store.Page) ([]store.Attestation, string, error) { return e.a.ListAttestations(ctx, "plant", p) })
	var gotIDs []string
	for _, x := range list {
		gotIDs = append(gotIDs, x.ID)
	}
	if diff := cmp.Diff(ids, gotIDs); diff != "" {
		t.Errorf("ListAttestations in creation order (-want +got):\n%s", diff)
	}
	_, _, err = e.a.ListAttestations(ctx, "nope", store.Page{})
	wantErr(t, "list of an unknown solution", err, store.ErrNotFound)

	wantActions := []string{"tenant.create", "membership.set", "solution.create",
		"attestation.create", "attestation.submit", "attestation.approve", "attestation.edit", "attestation.submit",
		"attestation.reject", "attestation.edit", "attestation.create", "attestation.create", "attestation.create", "attestation.create"}
	if diff := cmp.Diff(wantActions, actions(t, e.st, e.ta)); diff != "" {
		t.Errorf("audit actions (-want +got):\n%s", diff)
	}
	verifyOK(t, e.st)
}

func finding(check, asset, msg string, sev model.Severity, controls ...string) model.Finding {
	return model.Finding{Check: check, CheckVersion: "1", Title: check + " title", Controls: controls, Severity: sev,
		Status: model.Fail, AssetType: model.AssetDevice, Asset: asset, Message: msg, Remediation: "fix it"}
}

func checkSummary(id string, fail int) model.CheckSummary {
	return model.CheckSummary{ID: id, Version: "1", Title: id, Controls: []string{"S10"}, Severity: model.High,
		Scope: model.AssetDevice, Pass: 10, Fail: fail}
}

func newAssessment(at time.Time, checks []model.CheckSummary, findings ...model.Finding) *model.Assessment {
	score := 62.5
	return &model.Assessment{
		SchemaVersion: "1", Tool: "iotguard", ToolVersion: "0.9.0", Solution: "plant", Organization: "ACME",
		AssessedAt: at,
		Summary: model.Summary{Score: 62.5, Controls: map[model.ControlStatus]int{model.Implemented: 1, model.NotImplemented: 1},
			Findings: map[model.Severity]int{model.High: len(findings)}, ByRole: map[model.Stakeholder]float64{model.ISP: 50},
			ByCategory: map[model.Category]float64{model.Security: 62.5}, Devices: 3, Checks: len(checks)},
		Controls: []model.ControlResult{
			{ID: "S10", Title: "Security in connecting varied IoT devices", Category: model.Security, Stakeholders: []model.Stakeholder{model.ISD, model.ISP},
				Automation: model.Automated, Status: model.NotImplemented, Score: &score, AutomatedStatus: model.NotImplemented,
				AttestedStatus: model.NotAssessed, Checks: []string{"c1"}, Findings: 2, Rationale: "telnet open"},
			{ID: "S03", Title: "Asset management", Category: model.Security, Stakeholders: []model.Stakeholder{model.ISP},
				Automation: model.Automated, Status: model.NotApplicable, AutomatedStatus: model.NotApplicable,
				AttestedStatus: model.NotAssessed, Rationale: "no devices outside secured areas"},
			{ID: "S16", Title: "User and device authentication", Category: model.Security, Stakeholders: []model.Stakeholder{model.ISD, model.ISP},
				Automation: model.Automated, Status: model.PartiallyImplemented, Score: &score, AutomatedStatus: model.PartiallyImplemented,
				AttestedStatus: model.NotAssessed, Checks: []string{"c2"}, Findings: 1, Rationale: "default password"},
		},
		Checks:   checks,
		Findings: findings,
	}
}

func testAssessments(t *testing.T, b Backend) {
	e := newEnv(t, b)
	t0 := e.clock.Now().Add(-time.Hour)
	var recs []store.AssessmentRecord
	var sent []*model.Assessment
	for i := 0; i < 5; i++ {
		a := newAssessment(t0.Add(time.Duration(i)*time.Minute), []model.CheckSummary{checkSummary("c1", 1)},
			finding("c1", "dev-1", "telnet open", model.High, "S10"))
		rec, err := e.a.SaveAssessment(ctx, e.by, "plant", a)
		must(t, err)
		want := store.AssessmentRecord{ID: rec.ID, SolutionID: "plant", AssessedAt: a.AssessedAt, ReceivedAt: e.clock.Now(),
			ToolVersion: "0.9.0", Summary: a.Summary, SubmittedBy: e.user.ID}
		if diff := cmp.Diff(want, rec); diff != "" {
			t.Fatalf("saved record (-want +got):\n%s", diff)
		}
		recs = append(recs, rec)
		sent = append(sent, a)
	}
	// An assessment that would not read back is refused, not stored: a
	// finding without a severity marshals, but fails to unmarshal.
	bad := newAssessment(t0, nil, finding("c1", "dev-2", "no severity", "", "S10"))
	if _, err := e.a.SaveAssessment(ctx, e.by, "plant", bad); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("assessment with a finding without severity: got %v, want ErrInvalid", err)
	}
	list := collect(t, 2, func(p store.Page) ([]store.AssessmentRecord, string, error) {
		return e.a.ListAssessments(ctx, "plant", p)
	})
	if len(list) != 5 {
		t.Fatalf("ListAssessments has %d, want 5", len(list))
	}
	for i, r := range list {
		if diff := cmp.Diff(recs[4-i], r); diff != "" {
			t.Errorf("ListAssessments[%d] is not the newest-first record (-want +got):\n%s", i, diff)
		}
	}
	rec, report, err := e.a.GetAssessment(ctx, recs[2].ID)
	must(t, err)
	if diff := cmp.Diff(recs[2], rec); diff != "" {
		t.Errorf("GetAssessment record (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sent[2], report); diff != "" {
		t.Errorf("GetAssessment report (-sent +got):\n%s", diff)
	}

	// A large report (stored compressed) comes back whole.
	var many []model.Finding
	for i := 0; i < 3000; i++ {
		many = append(many, finding("c1", fmt.Sprintf("dev-%04d", i), "telnet open on port 23 with a long explanation "+strings.Repeat("x", 40), model.High, "S10"))
	}
	big := newAssessment(e.clock.Now(), []model.CheckSummary{checkSummary("c1", 3000)}, many...)
	bigRec, err := e.a.SaveAssessment(ctx, e.by, "plant", big)
	must(t, err)
	_, report, err = e.a.GetAssessment(ctx, bigRec.ID)
	must(t, err)
	if diff := cmp.Diff(big, report); diff != "" {
		t.Errorf("large report (-sent +got):\n%s", diff)
	}
	fs, _, err := e.a.ListFindings(ctx, "plant", store.FindingQuery{Page: store.Page{Limit: 1000}})
	must(t, err)
	if len(fs) != 1000 {
		t.Errorf("findings after the large report: %d on the first page, want 1000", len(fs))
	}

	noTime := newAssessment(time.Time{}, nil)
	r, err := e.a.SaveAssessment(ctx, e.by, "plant", noTime)
	must(t, err)
	if !r.AssessedAt.Equal(e.clock.Now()) {
		t.Errorf("an assessment without a time is dated %v, want the receipt time", r.AssessedAt)
	}

	_, err = e.a.SaveAssessment(ctx, e.by, "plant", nil)
	wantErr(t, "nil assessment", err, store.ErrInvalid)
	nan := newAssessment(e.clock.Now(), nil)
	nan.Summary.Score = math.NaN()
	_, err = e.a.SaveAssessment(ctx, e.by, "plant", nan)
	wantErr(t, "NaN score", err, store.ErrInvalid)
	_, err = e.a.SaveAssessment(ctx, e.by, "nope", newAssessment(e.clock.Now(), nil))
	wantErr(t, "unknown solution", err, store.ErrNotFound)
	_, _, err = e.a.GetAssessment(ctx, "nope")
	wantErr(t, "unknown assessment", err, store.ErrNotFound)
	_, _, err = e.a.ListAssessments(ctx, "nope", store.Page{})
	wantErr(t, "list of an unknown solution", err, store.ErrNotFound)
	verifyOK(t, e.st)
}

// findingByAsset finds a solution's finding by check and asset.
func findingsByKey(t *testing.T, ts store.TenantStore) map[string]store.Finding {
	t.Helper()
	all := collect(t, 1000, func(p store.Page) ([]store.Finding, string, error) {
		return ts.ListFindings(ctx, "plant", store.FindingQuery{Page: p})
	})
	out := map[string]store.Finding{}
	for _, f := range all {
		out[f.Check+"/"+f.Asset] = f
	}
	return out
}

func testFindingLifecycle(t *testing.T, b Backend) {
	e := newEnv(t, b)
	f1 := finding("c1", "dev-1", "telnet open", model.High, "S10")
	f2 := finding("c1", "dev-2", "telnet open", model.High, "S10")
	f3 := finding("c2", "dev-1", "default password", model.Critical, "S16", "S26")
	f4 := finding("c3", "dev-3", "certificate expired", model.Medium, "S16")
	checks := func(c1, c2, c3 int) []model.CheckSummary {
		return []model.CheckSummary{checkSummary("c1", c1), checkSummary("c2", c2), checkSummary("c3", c3)}
	}
	type state struct {
		s        store.FindingState
		reopened int
		reason   string
	}
	expect := func(step string, want map[string]state) {
		t.Helper()
		got := findingsByKey(t, e.a)
		if len(got) != len(want) {
			t.Errorf("%s: %d findings, want %d", step, len(got), len(want))
		}
		for k, w := range want {
			g, ok := got[k]
			if !ok {
				t.Errorf("%s: finding %s missing", step, k)
				continue
			}
			if g.State != w.s || g.Reopened != w.reopened || g.Reason != w.reason {
				t.Errorf("%s: %s is %s (reopened %d, reason %q), want %s (%d, %q)", step, k, g.State, g.Reopened, g.Reason, w.s, w.reopened, w.reason)
			}
		}
	}

	t1 := e.clock.Now()
	_, err := e.a.SaveAssessment(ctx, e.by, "plant", newAssessment(t1, checks(2, 1, 0), f1, f2, f3))
	must(t, err)
	expect("first assessment", map[string]state{"c1/dev-1": {store.Open, 0, ""}, "c1/dev-2": {store.Open, 0, ""}, "c2/dev-1": {store.Open, 0, ""}})
	got := findingsByKey(t, e.a)
	first := got["c2/dev-1"]
	if diff := cmp.Diff(f3, first.Finding); diff != "" {
		t.Errorf("stored finding (-reported +stored):\n%s", diff)
	}
	if !first.FirstSeen.Equal(t1) || !first.LastSeen.Equal(t1) || first.SolutionID != "plant" {
		t.Errorf("finding = %+v", first)
	}

	_, err = e.a.UpdateFinding(ctx, e.by, got["c1/dev-1"].ID, store.Acknowledged, "ticket 42", nil)
	must(t, err)
	until := e.clock.Now().Add(time.Hour)
	accepted, err := e.a.UpdateFinding(ctx, e.by, got["c1/dev-2"].ID, store.RiskAccepted, "compensating firewall", &until)
	must(t, err)
	if accepted.State != store.RiskAccepted || accepted.AcceptedUntil == nil || !accepted.AcceptedUntil.Equal(until) {
		t.Errorf("risk-accepted finding = %+v", accepted)
	}

	e.clock.Advance(10 * time.Minute)
	t2 := e.clock.Now()
	_, err = e.a.SaveAssessment(ctx, e.by, "plant", newAssessment(t2, checks(2, 0, 1), f1, f2, f4))
	must(t, err)
	expect("second assessment", map[string]state{
		"c1/dev-1": {store.Acknowledged, 0, "ticket 42"},
		"c1/dev-2": {store.RiskAccepted, 0, "compensating firewall"},
		"c2/dev-1": {store.Resolved, 0, ""},
		"c3/dev-3": {store.Open, 0, ""},
	})

	e.clock.Advance(2 * time.Hour) // the risk acceptance lapses
	t3 := e.clock.Now()
	_, err = e.a.SaveAssessment(ctx, e.by, "plant", newAssessment(t3, checks(1, 1, 0), f2, f3))
	must(t, err)
	expect("third assessment", map[string]state{
		"c1/dev-1": {store.Resolved, 0, "ticket 42"},
		"c1/dev-2": {store.Open, 0, ""},
		"c2/dev-1": {store.Open, 1, ""},
		"c3/dev-3": {store.Resolved, 0, ""},
	})
	got = findingsByKey(t, e.a)
	if f := got["c2/dev-1"]; !f.FirstSeen.Equal(t1) || !f.LastSeen.Equal(t3) {
		t.Errorf("re-opened finding first/last seen = %v/%v, want %v/%v", f.FirstSeen, f.LastSeen, t1, t3)
	}
	if f := got["c1/dev-2"]; f.AcceptedUntil != nil {
		t.Errorf("lapsed acceptance keeps its expiry: %+v", f)
	}

	// A truncated report vouches only for checks that failed nothing; a
	// report without c1 (scoped to a role) says nothing about c1.
	truncated := newAssessment(e.clock.Now(), []model.CheckSummary{checkSummary("c1", 3), checkSummary("c2", 0)})
	truncated.FindingsTruncated = 3
	_, err = e.a.SaveAssessment(ctx, e.by, "plant", truncated)
	must(t, err)
	scoped := newAssessment(e.clock.Now(), []model.CheckSummary{checkSummary("c3", 0)})
	_, err = e.a.SaveAssessment(ctx, e.by, "plant", scoped)
	must(t, err)
	expect("truncated and scoped reports", map[string]state{
		"c1/dev-1": {store.Resolved, 0, "ticket 42"},
		"c1/dev-2": {store.Open, 0, ""},
		"c2/dev-1": {store.Resolved, 1, ""},
		"c3/dev-3": {store.Resolved, 0, ""},
	})

	var syncs, saves int
	for _, a := range actions(t, e.st, e.ta) {
		switch a {
		case "finding.sync":
			syncs++
		case "assessment.save":
			saves++
		}
	}
	if saves != 5 || syncs != 4 {
		t.Errorf("%d assessment.save and %d finding.sync records, want 5 and 4 (the scoped report changed nothing)", saves, syncs)
	}
	verifyOK(t, e.st)
}

func testFindingQueries(t *testing.T, b Backend) {
	e := newEnv(t, b)
	var fs []model.Finding
	sevs := []model.Severity{model.Low, model.Critical, model.Medium, model.High, model.Info}
	for i := 0; i < 25; i++ {
		fs = append(fs, finding(fmt.Sprintf("c%d", i%3), fmt.Sprintf("dev-%02d", i), "problem", sevs[i%5], []string{"S10", "S16", "S_1"}[i%3]))
	}
	_, err := e.a.SaveAssessment(ctx, e.by, "plant", newAssessment(e.clock.Now(), nil, fs...))
	must(t, err)
	all := collect(t, 4, func(p store.Page) ([]store.Finding, string, error) {
		return e.a.ListFindings(ctx, "plant", store.FindingQuery{Page: p})
	})
	if len(all) != 25 {
		t.Fatalf("%d findings, want 25", len(all))
	}
	rank := map[model.Severity]int{model.Critical: 0, model.High: 1, model.Medium: 2, model.Low: 3, model.Info: 4}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if rank[a.Severity] > rank[b.Severity] || (a.Severity == b.Severity && a.ID >= b.ID) {
			t.Errorf("findings not worst first then by ID at %d: %s %s, %s %s", i, a.Severity, a.ID, b.Severity, b.ID)
		}
	}
	_, err = e.a.UpdateFinding(ctx, e.by, all[0].ID, store.Acknowledged, "", nil)
	must(t, err)

	for _, tc := range []struct {
		name string
		q    store.FindingQuery
		keep func(f store.Finding) bool
	}{
		{"state", store.FindingQuery{State: store.Acknowledged}, func(f store.Finding) bool { return f.ID == all[0].ID }},
		{"severity", store.FindingQuery{Severity: model.High}, func(f store.Finding) bool { return f.Severity == model.High }},
		{"control", store.FindingQuery{Control: "S16"}, func(f store.Finding) bool { return f.Controls[0] == "S16" }},
		// "_" is a LIKE wildcard: it must match itself only.
		{"control with a wildcard", store.FindingQuery{Control: "S_1"}, func(f store.Finding) bool { return f.Controls[0] == "S_1" }},
		{"check", store.FindingQuery{Check: "c2"}, func(f store.Finding) bool { return f.Check == "c2" }},
		{"asset", store.FindingQuery{Asset: "dev-07"}, func(f store.Finding) bool { return f.Asset == "dev-07" }},
		{"combined", store.FindingQuery{Check: "c1", Severity: model.Medium}, func(f store.Finding) bool { return f.Check == "c1" && f.Severity == model.Medium }},
	} {
		var want []string
		for _, f := range all {
			if tc.keep(f) {
				want = append(want, f.ID)
			}
		}
		got := collect(t, 2, func(p store.Page) ([]store.Finding, string, error) {
			q := tc.q
			q.Page = p
			return e.a.ListFindings(ctx, "plant", q)
		})
		var ids []string
		for _, f := range got {
			ids = append(ids, f.ID)
		}
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}

	id := all[1].ID
	future := e.clock.Now().Add(24 * time.Hour)
	for _, tc := range []struct {
		name   string
		state  store.FindingState
		reason string
		until  *time.Time
		want   error
	}{
		{"unknown state", "fixed", "", nil, store.ErrInvalid},
		{"accept without reason", store.RiskAccepted, " ", &future, store.ErrInvalid},
		{"accept without expiry", store.RiskAccepted, "ok", nil, store.ErrInvalid},
		{"accept with a past expiry", store.RiskAccepted, "ok", ptr(e.clock.Now().Add(-time.Second)), store.ErrInvalid},
	} {
		_, err := e.a.UpdateFinding(ctx, e.by, id, tc.state, tc.reason, tc.until)
		wantErr(t, tc.name, err, tc.want)
	}
	f, err := e.a.UpdateFinding(ctx, e.by, id, store.RiskAccepted, "vendor patch due", &future)
	must(t, err)
	stored, err := e.a.GetFinding(ctx, id)
	must(t, err)
	if diff := cmp.Diff(f, stored); diff != "" {
		t.Errorf("GetFinding after update (-returned +stored):\n%s", diff)
	}
	f, err = e.a.UpdateFinding(ctx, e.by, id, store.Open, "re-check", &future)
	must(t, err)
	if f.AcceptedUntil != nil || f.State != store.Open {
		t.Errorf("re-opened finding keeps an expiry: %+v", f)
	}
	_, err = e.a.GetFinding(ctx, "nope")
	wantErr(t, "get unknown", err, store.ErrNotFound)
	_, err = e.a.UpdateFinding(ctx, e.by, "nope", store.Open, "", nil)
	wantErr(t, "update unknown", err, store.ErrNotFound)
	for _, q := range []store.FindingQuery{{State: "nope"}, {Severity: "huge"}, {Page: store.Page{After: "x"}}} {
		_, _, err := e.a.ListFindings(ctx, "plant", q)
		wantErr(t, fmt.Sprintf("query %+v", q), err, store.ErrInvalid)
	}
	_, _, err = e.a.ListFindings(ctx, "nope", store.FindingQuery{})
	wantErr(t, "list of an unknown solution", err, store.ErrNotFound)
	verifyOK(t, e.st)
}

func testSoA(t *testing.T, b Backend) {
	e := newEnv(t, b)
	approve := func(control string, status model.ControlStatus, expires time.Time) store.Attestation {
		a, err := e.a.SaveAttestation(ctx, e.by, store.Attestation{SolutionID: "plant", Attestation: attestation(control, status)})
		must(t, err)
		_, err = e.a.SubmitAttestation(ctx, e.by, a.ID)
		must(t, err)
		a, err = e.a.ReviewAttestation(ctx, e.by, a.ID, true, "ok", &expires)
		must(t, err)
		return a
	}
	now := e.clock.Now()
	s01 := approve("S01", model.Implemented, now.Add(30*24*time.Hour))
	s28 := approve("S28", model.NotApplicable, now.Add(30*24*time.Hour))
	approve("S02", model.Implemented, now.Add(time.Hour)) // lapses below
	approve("S10", model.Implemented, now.Add(30*24*time.Hour))
	_, err := e.a.SaveAttestation(ctx, e.by, store.Attestation{SolutionID: "plant", Attestation: attestation("S06", model.Implemented)})
	must(t, err)
	_, err = e.a.SaveAssessment(ctx, e.by, "plant", newAssessment(now.Add(-48*time.Hour), nil))
	must(t, err)
	_, err = e.a.SaveAssessment(ctx, e.by, "plant", newAssessment(now, []model.CheckSummary{checkSummary("c1", 2), checkSummary("c2", 1)},
		finding("c1", "dev-1", "telnet open", model.High, "S10"),
		finding("c1", "dev-2", "telnet open", model.High, "S10"),
		finding("c2", "dev-1", "default password", model.Critical, "S16", "S26")))
	must(t, err)
	e.clock.Advance(2 * time.Hour)

	soa, err := e.a.SoA(ctx, "plant")
	must(t, err)
	if len(soa) != 45 {
		t.Fatalf("SoA has %d entries, want one per catalog control (45)", len(soa))
	}
	by := map[string]store.SoAEntry{}
	for _, s := range soa {
		by[s.Control] = s
	}
	type want struct {
		applicable    bool
		justification string
		status        model.ControlStatus
		attestation   string
		findings      int
	}
	for control, w := range map[string]want{
		"S01": {true, "", model.Implemented, s01.ID, 0},
		"S02": {true, "", model.NotAssessed, "", 0},
		"S03": {false, "no devices outside secured areas", model.NotApplicable, "", 0},
		"S06": {true, "", model.NotAssessed, "", 0},
		"S10": {true, "", model.NotImplemented, "approved", 2},
		"S16": {true, "", model.PartiallyImplemented, "", 1},
		"S26": {true, "", model.NotAssessed, "", 1},
		"S28": {false, "No such equipment", model.NotApplicable, s28.ID, 0},
		"P17": {true, "", model.NotAssessed, "", 0},
	} {
		g := by[control]
		att := ""
		if g.Attestation != nil {
			att = g.Attestation.ID
			if w.attestation == "approved" {
				att = "approved"
			}
			if g.Attestation.State != store.Approved {
				t.Errorf("%s: SoA shows a %s attestation", control, g.Attestation.State)
			}
		}
		if g.Applicable != w.applicable || g.Justification != w.justification || g.Status != w.status || att != w.attestation || g.Findings != w.findings {
			t.Errorf("SoA %s = applicable %v %q status %s attestation %q findings %d, want %+v", control, g.Applicable, g.Justification, g.Status, att, g.Findings, w)
		}
		if g.Title == "" {
			t.Errorf("SoA %s has no title", control)
		}
	}
	_, err = e.a.SoA(ctx, "nope")
	wantErr(t, "SoA of an unknown solution", err, store.ErrNotFound)
	empty, err := e.b.SoA(ctx, "plant")
	must(t, err)
	for _, s := range empty {
		if !s.Applicable || s.Status != model.NotAssessed || s.Attestation != nil || s.Findings != 0 {
			t.Errorf("tenant B's SoA shows tenant A's data: %+v", s)
		}
	}
}
