package storetest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// testIsolation calls every TenantStore method through tenant B's handle
// on tenant A's objects: each must be not found (or an empty list), and
// tenant A's data must be unchanged afterwards.
func testIsolation(t *testing.T, b Backend) {
	e := newEnv(t, b)
	a, other := e.a, e.b
	_, err := a.CreateSolution(ctx, e.by, store.Solution{ID: "only-a", Name: "A only"})
	must(t, err)
	_, err = a.ImportDevices(ctx, e.by, "only-a", stream(devices(0, 10)), 5)
	must(t, err)
	_, err = a.ImportDevices(ctx, e.by, "plant", stream(devices(0, 10)), 5)
	must(t, err)
	secret := []byte("tenant A's secret evidence")
	ev, err := a.PutEvidence(ctx, e.by, "a.txt", bytes.NewReader(secret), 1<<20)
	must(t, err)
	att, err := a.SaveAttestation(ctx, e.by, store.Attestation{SolutionID: "only-a", Attestation: attestation("S01", model.Implemented)})
	must(t, err)
	submitted, err := a.SaveAttestation(ctx, e.by, store.Attestation{SolutionID: "only-a", Attestation: attestation("S02", model.Implemented)})
	must(t, err)
	_, err = a.SubmitAttestation(ctx, e.by, submitted.ID)
	must(t, err)
	rec, err := a.SaveAssessment(ctx, e.by, "only-a", newAssessment(e.clock.Now(), nil, finding("c1", "dev-1", "telnet open", model.High, "S10")))
	must(t, err)
	fs, _, err := a.ListFindings(ctx, "only-a", store.FindingQuery{})
	must(t, err)
	if len(fs) != 1 {
		t.Fatalf("tenant A has %d findings, want 1", len(fs))
	}
	fid := fs[0].ID
	soaBefore, err := a.SoA(ctx, "only-a")
	must(t, err)
	before := len(actions(t, e.st, e.ta))

	by := e.by
	future := e.clock.Now().Add(time.Hour)
	notFound := []struct {
		name string
		call func() error
	}{
		{"GetSolution", func() error { _, err := other.GetSolution(ctx, "only-a"); return err }},
		{"ImportDevices", func() error {
			_, err := other.ImportDevices(ctx, by, "only-a", stream(devices(100, 101)), 1)
			return err
		}},
		{"ListDevices", func() error { _, err := other.ListDevices(ctx, "only-a", store.DeviceQuery{}); return err }},
		{"GetDevice", func() error { _, err := other.GetDevice(ctx, "only-a", "dev-00001"); return err }},
		{"GetDevice in a solution of the same ID", func() error { _, err := other.GetDevice(ctx, "plant", "dev-00001"); return err }},
		{"GetEvidence", func() error { _, _, err := other.GetEvidence(ctx, ev.SHA256); return err }},
		{"SaveAttestation create", func() error {
			_, err := other.SaveAttestation(ctx, by, store.Attestation{SolutionID: "only-a", Attestation: attestation("S03", model.Implemented)})
			return err
		}},
		{"SaveAttestation edit", func() error {
			_, err := other.SaveAttestation(ctx, by, store.Attestation{ID: att.ID, Attestation: attestation("S01", model.NotImplemented), Version: att.Version})
			return err
		}},
		{"SubmitAttestation", func() error { _, err := other.SubmitAttestation(ctx, by, att.ID); return err }},
		{"ReviewAttestation", func() error {
			_, err := other.ReviewAttestation(ctx, by, submitted.ID, true, "", &future)
			return err
		}},
		{"GetAttestation", func() error { _, err := other.GetAttestation(ctx, att.ID); return err }},
		{"ListAttestations", func() error { _, _, err := other.ListAttestations(ctx, "only-a", store.Page{}); return err }},
		{"SaveAssessment", func() error {
			_, err := other.SaveAssessment(ctx, by, "only-a", newAssessment(e.clock.Now(), nil))
			return err
		}},
		{"ListAssessments", func() error { _, _, err := other.ListAssessments(ctx, "only-a", store.Page{}); return err }},
		{"GetAssessment", func() error { _, _, err := other.GetAssessment(ctx, rec.ID); return err }},
		{"ListFindings", func() error { _, _, err := other.ListFindings(ctx, "only-a", store.FindingQuery{}); return err }},
		{"GetFinding", func() error { _, err := other.GetFinding(ctx, fid); return err }},
		{"UpdateFinding", func() error {
			_, err := other.UpdateFinding(ctx, by, fid, store.Acknowledged, "", nil)
			return err
		}},
		{"SoA", func() error { _, err := other.SoA(ctx, "only-a"); return err }},
	}
	for _, tc := range notFound {
		wantErr(t, "tenant B "+tc.name+" on tenant A's object", tc.call(), store.ErrNotFound)
	}

	// Lists of tenant B hold none of tenant A's objects.
	sols, _, err := other.ListSolutions(ctx, store.Page{})
	must(t, err)
	if len(sols) != 1 || sols[0].Name != "Plant B" {
		t.Errorf("tenant B's solutions = %+v", sols)
	}
	evs, _, err := other.ListEvidence(ctx, store.Page{})
	must(t, err)
	if len(evs) != 0 {
		t.Errorf("tenant B sees evidence %+v", evs)
	}
	for _, what := range []string{"attestations", "assessments", "findings", "devices"} {
		var n int
		switch what {
		case "attestations":
			l, _, err := other.ListAttestations(ctx, "plant", store.Page{})
			must(t, err)
			n = len(l)
		case "assessments":
			l, _, err := other.ListAssessments(ctx, "plant", store.Page{})
			must(t, err)
			n = len(l)
		case "findings":
			l, _, err := other.ListFindings(ctx, "plant", store.FindingQuery{})
			must(t, err)
			n = len(l)
		case "devices":
			p, err := other.ListDevices(ctx, "plant", store.DeviceQuery{})
			must(t, err)
			n = len(p.Devices) + p.Total
		}
		if n != 0 {
			t.Errorf("tenant B's solution of the same ID lists %d %s", n, what)
		}
	}
	recs, _, err := e.st.Audit().List(ctx, e.tb, store.Page{Limit: 1000})
	must(t, err)
	for _, r := range recs {
		if r.TenantID != e.tb || r.ObjectID == "only-a" || r.ObjectID == att.ID || r.ObjectID == ev.SHA256 {
			t.Errorf("tenant B's audit list shows %+v", r)
		}
	}

	// The same evidence uploaded by B is B's own copy, not a link to A's.
	evB, err := other.PutEvidence(ctx, by, "b.txt", bytes.NewReader(secret), 1<<20)
	must(t, err)
	if evB.Name != "b.txt" {
		t.Errorf("tenant B's upload of the same content = %+v, want its own record", evB)
	}

	// Tenant A is untouched: nothing above changed its data or its log
	// (B's upload is logged under B).
	if got := len(actions(t, e.st, e.ta)); got != before {
		t.Errorf("tenant A's audit log grew from %d to %d records", before, got)
	}
	after, err := a.GetAttestation(ctx, att.ID)
	must(t, err)
	if after.Version != att.Version || after.State != store.Draft {
		t.Errorf("tenant A's attestation changed: %+v", after)
	}
	f, err := a.GetFinding(ctx, fid)
	must(t, err)
	if f.State != store.Open {
		t.Errorf("tenant A's finding changed: %+v", f)
	}
	sub, err := a.GetAttestation(ctx, submitted.ID)
	must(t, err)
	if sub.State != store.Submitted {
		t.Errorf("tenant A's submitted attestation was reviewed by B: %+v", sub)
	}
	page, err := a.ListDevices(ctx, "only-a", store.DeviceQuery{})
	must(t, err)
	if page.Total != 10 {
		t.Errorf("tenant A's solution has %d devices, want 10", page.Total)
	}
	soaAfter, err := a.SoA(ctx, "only-a")
	must(t, err)
	if fmt.Sprint(soaBefore) != fmt.Sprint(soaAfter) {
		t.Errorf("tenant A's SoA changed")
	}
	_, rc, err := a.GetEvidence(ctx, strings.ToLower(ev.SHA256))
	must(t, err)
	rc.Close()
	verifyOK(t, e.st)
}
