package storetest

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/auditlog"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

func testAudit(t *testing.T, b Backend) {
	e := newEnv(t, b)
	res0 := verifyOK(t, e.st)

	// A failed change appends nothing.
	_, err := e.a.CreateSolution(ctx, e.by, store.Solution{ID: "plant", Name: "dup"})
	wantErr(t, "duplicate solution", err, store.ErrConflict)
	if res := verifyOK(t, e.st); res.Records != res0.Records {
		t.Errorf("a failed change appended %d records", res.Records-res0.Records)
	}

	e.clock.Advance(time.Second)
	att, err := e.a.SaveAttestation(ctx, e.by, store.Attestation{SolutionID: "plant", Attestation: attestation("S01", model.Implemented)})
	must(t, err)
	e.clock.Advance(time.Second)
	edited := attestation("S01", model.PartiallyImplemented)
	att2, err := e.a.SaveAttestation(ctx, e.by, store.Attestation{ID: att.ID, Attestation: edited, Version: 1})
	must(t, err)

	recs, next, err := e.st.Audit().List(ctx, e.ta, store.Page{Limit: 2})
	must(t, err)
	if len(recs) != 2 || next == "" {
		t.Fatalf("List = %d records, next %q", len(recs), next)
	}
	edit, create := recs[0], recs[1]
	wantEdit := store.AuditRecord{Seq: edit.Seq, TenantID: e.ta, Actor: "alice@example.com (" + e.user.ID + ")", At: e.clock.Now(),
		Action: "attestation.edit", ObjectType: "attestation", ObjectID: att.ID,
		BeforeSHA256: digest(t, att), AfterSHA256: digest(t, att2), PrevHash: create.Hash, Hash: edit.Hash}
	if diff := cmp.Diff(wantEdit, edit); diff != "" {
		t.Errorf("edit record (-want +got):\n%s", diff)
	}
	if create.Action != "attestation.create" || create.BeforeSHA256 != "" || create.AfterSHA256 != digest(t, att) || create.Seq != edit.Seq-1 {
		t.Errorf("create record = %+v", create)
	}
	if got := auditlog.Hash(create.Hash, edit); got != edit.Hash {
		t.Errorf("record hash %s, recomputed %s", edit.Hash, got)
	}

	all := collect(t, 3, func(p store.Page) ([]store.AuditRecord, string, error) { return e.st.Audit().List(ctx, e.ta, p) })
	for i := 1; i < len(all); i++ {
		if all[i].Seq >= all[i-1].Seq {
			t.Errorf("List is not newest first at %d", i)
		}
	}
	platform, _, err := e.st.Audit().List(ctx, "", store.Page{})
	must(t, err)
	if len(platform) != 1 || platform[0].Action != "user.create" || platform[0].TenantID != "" {
		t.Errorf("platform records = %+v", platform)
	}
	_, _, err = e.st.Audit().List(ctx, e.ta, store.Page{After: "bogus"})
	wantErr(t, "bad cursor", err, store.ErrInvalid)

	res := verifyOK(t, e.st)
	if res.Records != res0.Records+2 || res.Checkpoints < 1 || res.FirstBadSeq != 0 || res.Problem != "" {
		t.Errorf("Verify = %+v", res)
	}
	cp, err := e.st.Audit().Checkpoint(ctx)
	must(t, err)
	if cp.Seq != res.Records || cp.Hash != edit.Hash || cp.KeyID == "" || cp.Signature == "" {
		t.Errorf("Checkpoint = %+v, want the head %d %s", cp, res.Records, edit.Hash)
	}
	again, err := e.st.Audit().Checkpoint(ctx)
	must(t, err)
	if diff := cmp.Diff(cp, again); diff != "" {
		t.Errorf("a second checkpoint of the same head differs (-first +second):\n%s", diff)
	}

	var buf bytes.Buffer
	must(t, e.st.Audit().Export(ctx, &buf))
	pub := exportKey(t, buf.Bytes())
	if auditlog.KeyID(pub) != cp.KeyID {
		t.Errorf("export key %s, checkpoints signed by %s", auditlog.KeyID(pub), cp.KeyID)
	}
	vr, err := auditlog.VerifyExport(bytes.NewReader(buf.Bytes()), pub)
	must(t, err)
	if !vr.OK || vr.Records != res.Records || vr.Head == nil || vr.Head.Seq != res.Records {
		t.Errorf("VerifyExport = %+v", vr)
	}
	verifyOK(t, e.st)
}

func digest(t *testing.T, v any) string {
	t.Helper()
	d, err := auditlog.Digest(v)
	must(t, err)
	return d
}

// exportKey reads the public key from an export's header line.
func exportKey(t *testing.T, export []byte) ed25519.PublicKey {
	t.Helper()
	line, _, _ := bufio.NewReader(bytes.NewReader(export)).ReadLine()
	var h struct {
		PublicKey string `json:"public_key"`
	}
	must(t, json.Unmarshal(line, &h))
	pub, err := base64.StdEncoding.DecodeString(h.PublicKey)
	must(t, err)
	return pub
}

// testConcurrentWrites runs writers in parallel: every change is kept and
// the chain, one global sequence, still verifies.
func testConcurrentWrites(t *testing.T, b Backend) {
	e := newEnv(t, b)
	res0 := verifyOK(t, e.st)
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts := e.a
			if w%2 == 1 {
				ts = e.b
			}
			for i := 0; i < each; i++ {
				if _, err := ts.CreateSolution(ctx, e.by, store.Solution{ID: fmt.Sprintf("w%d-%d", w, i), Name: "parallel"}); err != nil {
					errs <- err
				}
				if _, err := ts.PutEvidence(ctx, e.by, "f", bytes.NewReader([]byte(fmt.Sprintf("w%d-%d", w, i))), 100); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	res := verifyOK(t, e.st)
	if res.Records != res0.Records+workers*each*2 {
		t.Errorf("%d records after the parallel writes, want %d", res.Records, res0.Records+workers*each*2)
	}
}

// testRestart closes and reopens the store: everything is still there,
// the chain verifies, and new changes continue it.
func testRestart(t *testing.T, b Backend) {
	e := newEnv(t, b)
	p := e.st.Platform()
	tok, err := p.CreateToken(ctx, e.by, store.Token{UserID: e.user.ID, Name: "ci", Hash: hashOf("secret")})
	must(t, err)
	_, err = e.a.ImportDevices(ctx, e.by, "plant", stream(devices(0, 30)), 7)
	must(t, err)
	ev, err := e.a.PutEvidence(ctx, e.by, "p.pdf", bytes.NewReader([]byte("%PDF-1.7 evidence")), 1000)
	must(t, err)
	att, err := e.a.SaveAttestation(ctx, e.by, store.Attestation{SolutionID: "plant", Attestation: attestation("S01", model.Implemented)})
	must(t, err)
	_, err = e.a.SubmitAttestation(ctx, e.by, att.ID)
	must(t, err)
	att, err = e.a.ReviewAttestation(ctx, e.by, att.ID, true, "ok", ptr(e.clock.Now().Add(time.Hour)))
	must(t, err)
	rec, err := e.a.SaveAssessment(ctx, e.by, "plant", newAssessment(e.clock.Now(), nil, finding("c1", "dev-1", "telnet", model.High, "S10")))
	must(t, err)

	type snapshot struct {
		Tenants   []store.Tenant
		User      store.User
		Members   []store.Membership
		Tokens    []store.Token
		Solution  store.Solution
		Devices   store.DevicePage
		Evidence  []store.EvidenceMeta
		Atts      []store.Attestation
		Records   []store.AssessmentRecord
		Report    *model.Assessment
		Findings  []store.Finding
		SoA       []store.SoAEntry
		Audit     []store.AuditRecord
		VerifyRes store.VerifyResult
	}
	take := func(st store.Store) snapshot {
		var s snapshot
		var err error
		a := st.Tenant(e.ta)
		s.Tenants, err = st.Platform().ListTenants(ctx, e.user.ID)
		must(t, err)
		s.User, err = st.Platform().GetUser(ctx, e.user.ID)
		must(t, err)
		s.Members, err = st.Platform().ListMembers(ctx, e.ta)
		must(t, err)
		s.Tokens, err = st.Platform().ListTokens(ctx, e.user.ID)
		must(t, err)
		s.Solution, err = a.GetSolution(ctx, "plant")
		must(t, err)
		s.Devices, err = a.ListDevices(ctx, "plant", store.DeviceQuery{Page: store.Page{Limit: 1000}})
		must(t, err)
		s.Evidence, _, err = a.ListEvidence(ctx, store.Page{})
		must(t, err)
		s.Atts, _, err = a.ListAttestations(ctx, "plant", store.Page{})
		must(t, err)
		s.Records, _, err = a.ListAssessments(ctx, "plant", store.Page{})
		must(t, err)
		_, s.Report, err = a.GetAssessment(ctx, rec.ID)
		must(t, err)
		s.Findings, _, err = a.ListFindings(ctx, "plant", store.FindingQuery{})
		must(t, err)
		s.SoA, err = a.SoA(ctx, "plant")
		must(t, err)
		s.Audit, _, err = st.Audit().List(ctx, e.ta, store.Page{Limit: 1000})
		must(t, err)
		s.VerifyRes = verifyOK(t, st)
		return s
	}
	before := take(e.st)
	if before.Solution.Devices != 30 || len(before.Tokens) != 1 || before.Tokens[0].ID != tok.ID || len(before.Evidence) != 1 || before.Evidence[0].SHA256 != ev.SHA256 {
		t.Fatalf("before the restart: %+v", before)
	}

	st := b.Reopen(t, e.st)
	after := take(st)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("data after a restart (-before +after):\n%s", diff)
	}
	pr, err := st.Platform().Authenticate(ctx, hashOf("secret"), e.clock.Now().Add(time.Hour))
	must(t, err)
	if pr.User.ID != e.user.ID {
		t.Errorf("token after restart resolves to %+v", pr.User)
	}
	_, err = st.Tenant(e.ta).CreateSolution(ctx, e.by, store.Solution{ID: "after-restart", Name: "new"})
	must(t, err)
	res := verifyOK(t, st)
	if res.Records != before.VerifyRes.Records+1 {
		t.Errorf("records after a change following the restart = %d, want %d", res.Records, before.VerifyRes.Records+1)
	}
}
