package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

func ids[T any](items []T, id func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func devID(d model.Device) string { return d.ID }

func TestDevicesImportListFilterSortPage(t *testing.T) {
	fx := newFixture(t)
	isp := fx.a.members[store.RoleISP].token
	var jl strings.Builder
	for i := range 30 {
		fmt.Fprintf(&jl, `{"id":"bulk-%02d","model":"%s","zone":"%s","site":"s%d","lifecycle":"%s","last_seen":"2026-05-%02d"}`+"\n",
			i, []string{"cam", "gw"}[i%2], []string{"ot", "it", "dmz"}[i%3], i%2, []string{"active", "provisioned"}[i%2], i%28+1)
	}
	r := fx.do(request{method: "POST", path: fx.a.sol("/devices"), token: isp, body: []byte(jl.String()), contentType: "application/x-ndjson"})
	mustStatus(t, r, 200)
	var res importResult
	r.decode(t, &res)
	if res.Imported != 30 {
		t.Fatalf("imported %d, want 30", res.Imported)
	}

	csv := "id,model,zone,lifecycle,certificate.key_bits,settings.telnet\ncsv-1,cam,ot,active,2048,true\ncsv-2,gw,it,rma,,false\n"
	r = fx.do(request{method: "POST", path: fx.a.sol("/devices"), token: isp, body: []byte(csv), contentType: "text/csv"})
	mustStatus(t, r, 200)

	r = fx.get(isp, fx.a.sol("/devices/csv-1"))
	mustStatus(t, r, 200)
	var d model.Device
	r.decode(t, &d)
	want := model.Device{ID: "csv-1", Model: "cam", Zone: "ot", Lifecycle: model.Active,
		Certificate: &model.Certificate{KeyBits: 2048}, Settings: map[string]bool{"telnet": true}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("CSV device (-want +got):\n%s", diff)
	}

	tests := []struct {
		query string
		want  []string
		total int
	}{
		{"model=gw&zone=it&sort=id", []string{"bulk-01", "bulk-07", "bulk-13", "bulk-19", "bulk-25", "csv-2"}, 6},
		{"q=bulk-2&sort=-id&limit=3", []string{"bulk-29", "bulk-28", "bulk-27"}, 10},
		{"lifecycle=rma", []string{"csv-2"}, 1},
		{"site=s1&model=cam", []string{}, 0},
	}
	for _, tt := range tests {
		r := fx.get(isp, fx.a.sol("/devices?"+tt.query))
		mustStatus(t, r, 200)
		var p devicePage
		r.decode(t, &p)
		if diff := cmp.Diff(tt.want, ids(p.Items, devID)); diff != "" || p.Total != tt.total {
			t.Errorf("%s: total %d (want %d), ids (-want +got):\n%s", tt.query, p.Total, tt.total, diff)
		}
	}

	// Paging with the cursor visits every device once, in order.
	var seen []string
	next := ""
	for range 20 {
		q := url.Values{"limit": {"7"}, "sort": {"id"}}
		if next != "" {
			q.Set("cursor", next)
		}
		r := fx.get(isp, fx.a.sol("/devices?"+q.Encode()))
		mustStatus(t, r, 200)
		var p devicePage
		r.decode(t, &p)
		seen = append(seen, ids(p.Items, devID)...)
		if next = p.Next; next == "" {
			break
		}
	}
	// 30 + 2 imported here, 5 from the fixture.
	if len(seen) != 37 || seen[0] != "bulk-00" || seen[31] != "csv-2" || seen[36] != "tenanta-dev-04" {
		t.Errorf("paging saw %d devices: %v", len(seen), seen)
	}
}

func TestDeviceQueryValidation(t *testing.T) {
	fx := newFixture(t)
	r := fx.get(fx.a.members[store.RoleViewer].token, fx.a.sol("/devices?sort=color&lifecycle=dead&limit=5000&colour=red"))
	mustStatus(t, r, 400)
	var eb ErrorBody
	r.decode(t, &eb)
	got := strings.Join(eb.Error.Details, "\n")
	for _, w := range []string{"sort: \"color\" is not valid; use one of id, -id, last_seen", "lifecycle: \"dead\"", "provisioned, active", "limit: \"5000\"", "colour: unknown query parameter"} {
		if !strings.Contains(got, w) {
			t.Errorf("details lack %q:\n%s", w, got)
		}
	}
	if eb.Error.Code != codeBadRequest || eb.Error.RequestID == "" {
		t.Errorf("error object %+v", eb.Error)
	}
}

func TestDeviceImportErrors(t *testing.T) {
	fx := newFixture(t, func(o *Options) { o.ImportBatch = 2 })
	tok := fx.a.members[store.RoleAdmin].token
	tests := []struct {
		name, body, ct string
		status         int
		msg            string
		imported       string
	}{
		{"unknown field", `{"id":"x1","model":"cam"}` + "\n" + `{"id":"x2","modle":"cam"}`, "application/x-ndjson", 400, `line 2: unknown field "modle"`, ""},
		{"missing model, no content type", `{"id":"y1"}`, "omit", 400, "line 1: model is required", ""},
		{"bad lifecycle", "id,model,lifecycle\nz1,cam,active\nz2,cam,active\nz3,cam,gone\n", "text/csv", 400, `line 4: lifecycle: "gone" is not a valid lifecycle state`, "2 devices were imported"},
		{"unknown column", "id,model,colour\n", "text/csv", 400, "CSV header: unknown columns", ""},
		{"ports in CSV", "id,model,ports\n", "text/csv", 400, "CSV header", ""},
		{"wrong type", "{}", "application/xml", 415, "not accepted", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fx.do(request{method: "POST", path: fx.a.sol("/devices"), token: tok, body: []byte(tt.body), contentType: tt.ct})
			mustStatus(t, r, tt.status)
			var eb ErrorBody
			r.decode(t, &eb)
			if !strings.Contains(eb.Error.Message, tt.msg) || !strings.Contains(strings.Join(eb.Error.Details, "\n"), tt.imported) {
				t.Errorf("error %+v lacks %q / %q", eb.Error, tt.msg, tt.imported)
			}
		})
	}
}

// Device IDs come from other systems and may hold "/", "%" or spaces;
// path parameters are unescaped exactly once.
func TestDeviceIDsInPaths(t *testing.T) {
	fx := newFixture(t)
	admin := fx.a.members[store.RoleAdmin].token
	weird := []string{"rack/1", "50%off", "a%41", "with space", "ünï"}
	var body strings.Builder
	for _, id := range weird {
		fmt.Fprintf(&body, `{"id":%q,"model":"cam"}`+"\n", id)
	}
	mustStatus(t, fx.do(request{method: "POST", path: fx.a.sol("/devices"), token: admin, body: []byte(body.String()), contentType: "application/x-ndjson"}), 200)
	for _, id := range weird {
		r := fx.get(admin, fx.a.sol("/devices/"+url.PathEscape(id)))
		mustStatus(t, r, 200)
		var d model.Device
		r.decode(t, &d)
		if d.ID != id {
			t.Errorf("asked for %q, got %q", id, d.ID)
		}
	}
	r := fx.get(admin, fx.a.sol("/devices/"+url.PathEscape("no/such device")))
	mustStatus(t, r, 404)
	if r.errorCode(t) != codeNotFound {
		t.Errorf("code %q", r.errorCode(t))
	}
}

func TestEvidenceUploadDownload(t *testing.T) {
	fx := newFixture(t)
	isd := fx.a.members[store.RoleISD].token
	tests := []struct {
		name, file, content string
		raw                 bool
		wantType            string
	}{
		{"pdf", "report.pdf", "%PDF-1.7\nreport", false, "application/pdf"},
		{"html is never inline", "page.html", "<!DOCTYPE html><html><script>alert(1)</script></html>", false, "application/octet-stream"},
		{"svg is never inline", "logo.svg", `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, true, "application/octet-stream"},
		{"text", "notes.txt", "plain notes\n", true, "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			if tt.raw {
				r = fx.do(request{method: "POST", path: fx.a.path("/evidence?name=" + url.QueryEscape(tt.file)), token: isd,
					body: []byte(tt.content), contentType: "text/html"})
			} else {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				w, _ := mw.CreateFormFile("file", "../../"+tt.file)
				w.Write([]byte(tt.content))
				mw.Close()
				r = fx.do(request{method: "POST", path: fx.a.path("/evidence"), token: isd, body: buf.Bytes(), contentType: mw.FormDataContentType()})
			}
			mustStatus(t, r, 201)
			var meta store.EvidenceMeta
			r.decode(t, &meta)
			if meta.Name != tt.file || meta.Size != int64(len(tt.content)) {
				t.Errorf("meta %+v", meta)
			}
			d := fx.get(isd, fx.a.path("/evidence/"+meta.SHA256))
			mustStatus(t, d, 200)
			if string(d.body) != tt.content {
				t.Errorf("downloaded %q", d.body)
			}
			h := d.header
			checks := map[string]string{
				"Content-Type":            tt.wantType,
				"Content-Disposition":     "attachment; filename=" + tt.file,
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": "default-src 'none'; sandbox",
				"Cache-Control":           "no-store",
			}
			for k, v := range checks {
				if h.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, h.Get(k), v)
				}
			}
		})
	}
	r := fx.get(isd, fx.a.path("/evidence/not-a-digest"))
	mustStatus(t, r, 400)
	r = fx.get(isd, fx.a.path("/evidence/"+strings.Repeat("ab", 32)))
	mustStatus(t, r, 404)
	r = fx.get(isd, fx.a.path("/evidence?limit=2"))
	mustStatus(t, r, 200)
	var l listBody[store.EvidenceMeta]
	r.decode(t, &l)
	if len(l.Items) != 2 || l.Next == "" {
		t.Errorf("evidence page: %d items, next %q", len(l.Items), l.Next)
	}
}

func TestSizeLimits(t *testing.T) {
	fx := newFixture(t, func(o *Options) { o.MaxBody = 1024; o.MaxEvidence = 2048; o.MaxImport = 4096 })
	admin := fx.a.members[store.RoleAdmin].token
	big := strings.Repeat("x", 5000)
	tests := []struct {
		name string
		req  request
	}{
		{"json", request{method: "POST", path: fx.a.path("/solutions"), token: admin, body: []byte(`{"name":"` + big + `"}`)}},
		{"evidence", request{method: "POST", path: fx.a.path("/evidence?name=big.bin"), token: admin, body: []byte(strings.Repeat(big, 2)), contentType: "application/octet-stream"}},
		{"import", request{method: "POST", path: fx.a.sol("/devices"), token: admin, contentType: "application/x-ndjson",
			body: []byte(strings.Repeat(`{"id":"d`+strings.Repeat("1", 40)+`","model":"cam"}`+"\n", 200))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fx.do(tt.req)
			mustStatus(t, r, 413)
			if r.errorCode(t) != codeTooLarge {
				t.Errorf("code %q", r.errorCode(t))
			}
		})
	}
}

func TestAttestationWorkflow(t *testing.T) {
	fx := newFixture(t)
	a := fx.a
	isp, iu, auditor, admin := a.members[store.RoleISP].token, a.members[store.RoleIU].token, a.members[store.RoleAuditor].token, a.members[store.RoleAdmin].token
	in := model.Attestation{Control: "S03", Status: model.Implemented, Statement: "inventory reconciled daily", Owner: "ops",
		Evidence: []model.EvidenceFile{{Path: "policy.pdf", SHA256: a.evidence.SHA256}}}

	// iu may not attest an ISP control; isp may.
	mustStatus(t, fx.send("POST", iu, a.sol("/attestations"), in), 403)
	r := fx.send("POST", isp, a.sol("/attestations"), in)
	mustStatus(t, r, 201)
	var at store.Attestation
	r.decode(t, &at)
	if at.State != store.Draft {
		t.Fatalf("state %s", at.State)
	}
	path := a.path("/attestations/" + at.ID)
	etag := r.header.Get("ETag")

	// Editing needs If-Match, and a stale one fails.
	in.Statement = "inventory reconciled hourly"
	mustStatus(t, fx.send("PUT", isp, path, in), 428)
	r = fx.do(request{method: "PUT", path: path, token: isp, body: mustMarshal(t, in), header: map[string]string{"If-Match": `"999"`}})
	mustStatus(t, r, 412)
	r = fx.do(request{method: "PUT", path: path, token: isp, body: mustMarshal(t, in), header: map[string]string{"If-Match": etag}})
	mustStatus(t, r, 200)
	r.decode(t, &at)
	if at.Statement != in.Statement {
		t.Errorf("statement %q", at.Statement)
	}

	// Evidence must exist in the tenant.
	bad := in
	bad.Evidence = []model.EvidenceFile{{Path: "x", SHA256: strings.Repeat("0", 64)}}
	mustStatus(t, fx.do(request{method: "PUT", path: path, token: isp, body: mustMarshal(t, bad), header: map[string]string{"If-Match": r.header.Get("ETag")}}), 400)

	// Review only after submission, and only by an auditor.
	approve := reviewRequest{Decision: "approve", Expires: model.Timestamp{Time: time.Now().AddDate(1, 0, 0)}}
	mustStatus(t, fx.send("POST", auditor, path+"/review", approve), 409)
	mustStatus(t, fx.send("POST", isp, path+"/submit", nil), 200)
	mustStatus(t, fx.send("POST", admin, path+"/review", approve), 403)
	mustStatus(t, fx.send("POST", auditor, path+"/review", reviewRequest{Decision: "reject"}), 400)
	mustStatus(t, fx.send("POST", auditor, path+"/review", reviewRequest{Decision: "maybe", Comment: "?"}), 400)
	r = fx.send("POST", auditor, path+"/review", approve)
	mustStatus(t, r, 200)
	r.decode(t, &at)
	if at.State != store.Approved || at.ExpiresAt == nil {
		t.Errorf("after approval: %+v", at)
	}
	// Editing an approved attestation withdraws the approval: the change
	// needs a new review.
	r = fx.do(request{method: "PUT", path: path, token: isp, body: mustMarshal(t, in), header: map[string]string{"If-Match": r.header.Get("ETag")}})
	mustStatus(t, r, 200)
	r.decode(t, &at)
	if at.State != store.Draft {
		t.Errorf("after editing an approved attestation: %+v", at)
	}
	// A submitted one waits for its review.
	mustStatus(t, fx.send("POST", isp, path+"/submit", nil), 200)
	r = fx.do(request{method: "PUT", path: path, token: isp, body: mustMarshal(t, in), header: map[string]string{"If-Match": strconv.Quote(strconv.Itoa(at.Version + 1))}})
	if r.status != 409 && r.status != 412 {
		t.Errorf("editing a submitted attestation: %v", r)
	}

	// iu sees only attestations of IU's controls.
	r = fx.get(iu, a.sol("/attestations?limit=1000"))
	mustStatus(t, r, 200)
	var l listBody[store.Attestation]
	r.decode(t, &l)
	for _, x := range l.Items {
		if !testCatalog.Control(x.Control).HasStakeholder(model.IU) {
			t.Errorf("iu sees an attestation of %s", x.Control)
		}
	}
	if len(l.Items) == 0 {
		t.Error("iu sees no attestation at all")
	}
	mustStatus(t, fx.get(iu, path), 404)
	mustStatus(t, fx.get(iu, a.path("/attestations/"+a.s28.ID)), 200)

	// The state filter.
	r = fx.get(admin, a.sol("/attestations?state=approved"))
	mustStatus(t, r, 200)
	r.decode(t, &l)
	for _, x := range l.Items {
		if x.State != store.Approved {
			t.Errorf("state filter let %s through", x.State)
		}
	}
	mustStatus(t, fx.get(admin, a.sol("/attestations?state=done")), 400)

	// Unknown control, not-applicable without justification.
	mustStatus(t, fx.send("POST", admin, a.sol("/attestations"), model.Attestation{Control: "S99", Status: model.Implemented}), 400)
	mustStatus(t, fx.send("POST", admin, a.sol("/attestations"), model.Attestation{Control: "S01", Status: model.NotApplicable}), 400)
	mustStatus(t, fx.do(request{method: "POST", path: a.sol("/attestations"), token: admin, body: []byte(`{"control":"S01","status":"done"}`)}), 400)
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAssessmentsFindingsPosture(t *testing.T) {
	fx := newFixture(t)
	a := fx.a
	isd, iu, viewer := a.members[store.RoleISD].token, a.members[store.RoleIU].token, a.members[store.RoleViewer].token

	second := testAssessment("A", testNow.Add(-time.Hour))
	second.Summary.Score = 75
	second.Summary.ByRole[model.IU] = 55
	second.Findings = second.Findings[1:] // the IU finding is gone: resolved
	r := fx.send("POST", isd, a.sol("/assessments"), second)
	mustStatus(t, r, 201)
	var rec store.AssessmentRecord
	r.decode(t, &rec)
	if rec.Summary.Score != 75 || rec.SolutionID != a.solution.ID {
		t.Errorf("record %+v", rec)
	}
	mustStatus(t, fx.send("POST", isd, a.sol("/assessments"), model.Assessment{}), 400)
	mustStatus(t, fx.do(request{method: "POST", path: a.sol("/assessments"), token: isd, body: []byte(`{"assessed_at":"2026-01-01T00:00:00Z","extra":1}`)}), 400)

	// History, newest first.
	r = fx.get(viewer, a.sol("/assessments"))
	mustStatus(t, r, 200)
	var hist listBody[store.AssessmentRecord]
	r.decode(t, &hist)
	if got := ids(hist.Items, func(x store.AssessmentRecord) string { return x.ID }); !cmp.Equal(got, []string{rec.ID, a.assessment.ID}) {
		t.Errorf("history %v", got)
	}

	// Posture over time, oldest first; iu sees IU's score.
	var pos postureBody
	r = fx.get(viewer, a.sol("/posture"))
	mustStatus(t, r, 200)
	r.decode(t, &pos)
	if len(pos.Points) != 2 || pos.Points[0].Score != 61.5 || pos.Points[1].Score != 75 || pos.Role != "" {
		t.Errorf("posture %+v", pos)
	}
	r = fx.get(iu, a.sol("/posture"))
	mustStatus(t, r, 200)
	pos = postureBody{}
	r.decode(t, &pos)
	if len(pos.Points) != 2 || pos.Points[0].Score != 40 || pos.Points[1].Score != 55 || pos.Role != "IU" || pos.Points[0].ByRole != nil {
		t.Errorf("iu posture %+v", pos)
	}

	// The full report; iu gets it scoped.
	var det assessmentDetail
	r = fx.get(iu, a.path("/assessments/"+rec.ID))
	mustStatus(t, r, 200)
	r.decode(t, &det)
	for _, c := range det.Assessment.Controls {
		if c.ID != "S26" {
			t.Errorf("iu sees control %s", c.ID)
		}
	}

	// Findings: filters, iu filtering, lifecycle.
	var fl listBody[store.Finding]
	r = fx.get(viewer, a.sol("/findings?state=resolved"))
	mustStatus(t, r, 200)
	r.decode(t, &fl)
	if got := ids(fl.Items, func(f store.Finding) string { return f.ID }); !cmp.Equal(got, []string{a.findingIU.ID}) {
		t.Errorf("resolved findings %v", got)
	}
	r = fx.get(viewer, a.sol("/findings?severity=high&control=S03"))
	mustStatus(t, r, 200)
	r.decode(t, &fl)
	if got := ids(fl.Items, func(f store.Finding) string { return f.ID }); !cmp.Equal(got, []string{a.findingOther.ID}) {
		t.Errorf("S03 findings %v", got)
	}
	mustStatus(t, fx.get(viewer, a.sol("/findings?severity=urgent")), 400)
	r = fx.get(iu, a.sol("/findings"))
	mustStatus(t, r, 200)
	r.decode(t, &fl)
	if got := ids(fl.Items, func(f store.Finding) string { return f.ID }); !cmp.Equal(got, []string{a.findingIU.ID}) {
		t.Errorf("iu findings %v", got)
	}
	mustStatus(t, fx.get(iu, a.path("/findings/"+a.findingOther.ID)), 404)

	fpath := a.path("/findings/" + a.findingOther.ID)
	mustStatus(t, fx.send("PATCH", isd, fpath, findingPatch{State: store.RiskAccepted}), 400)
	mustStatus(t, fx.send("PATCH", isd, fpath, findingPatch{State: store.RiskAccepted, Reason: "compensating control", Until: model.Timestamp{Time: testNow.AddDate(-1, 0, 0)}}), 400)
	mustStatus(t, fx.send("PATCH", isd, fpath, findingPatch{State: "ignored"}), 400)
	r = fx.send("PATCH", isd, fpath, findingPatch{State: store.RiskAccepted, Reason: "compensating control", Until: model.Timestamp{Time: time.Now().AddDate(0, 3, 0)}})
	mustStatus(t, r, 200)
	var f store.Finding
	r.decode(t, &f)
	if f.State != store.RiskAccepted || f.Reason != "compensating control" || f.AcceptedUntil == nil {
		t.Errorf("finding %+v", f)
	}

	// The SoA: every control for the viewer, IU's for iu.
	var soa []store.SoAEntry
	r = fx.get(viewer, a.sol("/soa"))
	mustStatus(t, r, 200)
	r.decode(t, &soa)
	if len(soa) != len(testCatalog.Controls) {
		t.Errorf("SoA has %d entries, want %d", len(soa), len(testCatalog.Controls))
	}
	r = fx.get(iu, a.sol("/soa"))
	mustStatus(t, r, 200)
	r.decode(t, &soa)
	if len(soa) == 0 || len(soa) >= len(testCatalog.Controls) {
		t.Errorf("iu SoA has %d entries", len(soa))
	}
	for _, e := range soa {
		if !testCatalog.Control(e.Control).HasStakeholder(model.IU) {
			t.Errorf("iu SoA has %s", e.Control)
		}
	}
}

func TestSolutionsAndTenants(t *testing.T) {
	fx := newFixture(t)
	admin := fx.a.members[store.RoleAdmin].token
	for i := range 3 {
		mustStatus(t, fx.send("POST", admin, fx.a.path("/solutions"), solutionRequest{Name: "sol " + strconv.Itoa(i)}), 201)
	}
	mustStatus(t, fx.send("POST", admin, fx.a.path("/solutions"), solutionRequest{Name: "  "}), 400)
	r := fx.get(admin, fx.a.path("/solutions?limit=2"))
	mustStatus(t, r, 200)
	var l listBody[store.Solution]
	r.decode(t, &l)
	if len(l.Items) != 2 || l.Next == "" {
		t.Fatalf("page 1: %+v", l)
	}
	// Four solutions with the fixture's: two full pages, then none.
	var all []string
	for next := ""; ; next = l.Next {
		r = fx.get(admin, fx.a.path("/solutions?limit=2&cursor="+url.QueryEscape(next)))
		mustStatus(t, r, 200)
		l = listBody[store.Solution]{}
		r.decode(t, &l)
		all = append(all, ids(l.Items, func(s store.Solution) string { return s.Name })...)
		if l.Next == "" {
			break
		}
	}
	if len(all) != 4 {
		t.Errorf("pages held %v", all)
	}

	// A platform admin creates a tenant for an existing user.
	r = fx.send("POST", fx.root.token, "/api/v1/tenants", tenantRequest{Name: "Client C", AdminEmail: fx.a.members[store.RoleViewer].user.Email})
	mustStatus(t, r, 201)
	var ten store.Tenant
	r.decode(t, &ten)
	mustStatus(t, fx.send("POST", fx.root.token, "/api/v1/tenants", tenantRequest{Name: "D", AdminEmail: "nobody@example.test"}), 400)
	r = fx.get(fx.a.members[store.RoleViewer].token, "/api/v1/tenants")
	var tl listBody[store.Tenant]
	r.decode(t, &tl)
	if got := ids(tl.Items, func(x store.Tenant) string { return x.ID }); len(got) != 2 {
		t.Errorf("viewer's tenants %v", got)
	}
	// The platform admin itself sees no tenant data.
	mustStatus(t, fx.get(fx.root.token, "/api/v1/tenants/"+ten.ID+"/solutions"), 404)
}

func TestMembers(t *testing.T) {
	fx := newFixture(t)
	admin := fx.a.members[store.RoleAdmin]
	r := fx.send("POST", admin.token, fx.a.path("/members"), memberRequest{Email: "New.Person@Example.test", Role: store.RoleISP, Password: "a long enough password"})
	mustStatus(t, r, 201)
	var m member
	r.decode(t, &m)
	if m.Email != "new.person@example.test" || m.Role != store.RoleISP {
		t.Errorf("member %+v", m)
	}
	// The new member can log in and act as isp.
	r = fx.send("POST", "", "/api/v1/login", loginRequest{Email: "new.person@example.test", Password: "a long enough password"})
	mustStatus(t, r, 201)
	var tc tokenCreated
	r.decode(t, &tc)
	mustStatus(t, fx.do(request{method: "POST", path: fx.a.sol("/devices"), token: tc.Secret, body: []byte(`{"id":"m1","model":"cam"}`), contentType: "application/x-ndjson"}), 200)

	tests := []struct {
		name   string
		req    memberRequest
		status int
	}{
		{"short password", memberRequest{Email: "p@example.test", Role: store.RoleViewer, Password: "short"}, 400},
		{"no password for a new user", memberRequest{Email: "q@example.test", Role: store.RoleViewer}, 400},
		{"password for an existing user", memberRequest{Email: fx.b.members[store.RoleViewer].user.Email, Role: store.RoleViewer, Password: "a long enough password"}, 400},
		{"bad role", memberRequest{Email: "r@example.test", Role: "owner", Password: "a long enough password"}, 400},
		{"existing user of another tenant", memberRequest{Email: fx.b.members[store.RoleViewer].user.Email, Role: store.RoleAuditor}, 201},
	}
	for _, tt := range tests {
		if r := fx.send("POST", admin.token, fx.a.path("/members"), tt.req); r.status != tt.status {
			t.Errorf("%s: %v, want %d", tt.name, r, tt.status)
		}
	}
	r = fx.get(admin.token, fx.a.path("/members"))
	mustStatus(t, r, 200)
	var ml listBody[member]
	r.decode(t, &ml)
	if len(ml.Items) != len(store.Roles)+2 {
		t.Errorf("%d members", len(ml.Items))
	}
	// Self-demotion and self-removal are refused; others' work.
	mustStatus(t, fx.send("PUT", admin.token, fx.a.path("/members/"+admin.user.ID), roleRequest{Role: store.RoleViewer}), 409)
	mustStatus(t, fx.do(request{method: "DELETE", path: fx.a.path("/members/" + admin.user.ID), token: admin.token}), 409)
	mustStatus(t, fx.send("PUT", admin.token, fx.a.path("/members/"+m.UserID), roleRequest{Role: "root"}), 400)
	mustStatus(t, fx.send("PUT", admin.token, fx.a.path("/members/"+fx.b.members[store.RoleAdmin].user.ID), roleRequest{Role: store.RoleViewer}), 404)
	mustStatus(t, fx.do(request{method: "DELETE", path: fx.a.path("/members/" + m.UserID), token: admin.token}), 204)
	mustStatus(t, fx.get(tc.Secret, fx.a.path("/solutions")), 404)
}

func TestErrorsAreConsistent(t *testing.T) {
	fx := newFixture(t)
	admin := fx.a.members[store.RoleAdmin].token
	tests := []struct {
		name   string
		req    request
		status int
		code   string
	}{
		{"no route", request{method: "GET", path: "/api/v1/nothing", token: admin}, 404, codeNotFound},
		{"method", request{method: "DELETE", path: "/api/v1/tenants", token: admin}, 405, codeMethod},
		{"syntax", request{method: "POST", path: fx.a.path("/solutions"), token: admin, body: []byte(`{"name":`)}, 400, codeBadRequest},
		{"type", request{method: "POST", path: fx.a.path("/solutions"), token: admin, body: []byte(`{"name":5}`)}, 400, codeBadRequest},
		{"two values", request{method: "POST", path: fx.a.path("/solutions"), token: admin, body: []byte(`{"name":"a"}{}`)}, 400, codeBadRequest},
		{"empty", request{method: "POST", path: fx.a.path("/solutions"), token: admin, body: []byte(``), contentType: "application/json"}, 400, codeBadRequest},
		{"media type", request{method: "POST", path: fx.a.path("/solutions"), token: admin, body: []byte(`name=a`), contentType: "application/x-www-form-urlencoded"}, 415, codeUnsupported},
		{"missing solution", request{method: "GET", path: fx.a.path("/solutions/nope/devices"), token: admin}, 404, codeNotFound},
		{"bad scheme", request{method: "GET", path: "/api/v1/me", header: map[string]string{"Authorization": "Basic YTpi"}}, 401, codeUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fx.do(tt.req)
			mustStatus(t, r, tt.status)
			var eb ErrorBody
			r.decode(t, &eb)
			if eb.Error.Code != tt.code || eb.Error.Message == "" || eb.Error.RequestID != r.header.Get("X-Request-ID") {
				t.Errorf("error object %+v", eb.Error)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// TestDeviceImportStreams shows that an import is stored while its body is
// still arriving: whole batches are committed before the client has sent
// the rest, so no inventory is ever held in memory.
func TestDeviceImportStreams(t *testing.T) {
	fx := newFixture(t, func(o *Options) { o.ImportBatch = 10 })
	admin := fx.a.members[store.RoleAdmin].token
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", fx.ts.URL+fx.a.sol("/devices"), pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/x-ndjson")
	done := make(chan response, 1)
	go func() {
		resp, err := fx.ts.Client().Do(req)
		if err != nil {
			done <- response{status: -1, body: []byte(err.Error())}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- response{status: resp.StatusCode, body: b}
	}()
	write := func(from, to int) {
		for i := from; i < to; i++ {
			fmt.Fprintf(pw, `{"id":"stream-%03d","model":"cam"}`+"\n", i)
		}
	}
	write(0, 25)
	total := func() int {
		r := fx.get(admin, fx.a.sol("/devices?q=stream-&limit=1"))
		var p devicePage
		r.decode(t, &p)
		return p.Total
	}
	deadline := time.Now().Add(10 * time.Second)
	for total() < 20 {
		if time.Now().After(deadline) {
			t.Fatal("no batch was stored while the body was still open")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := total(); n != 20 {
		t.Errorf("%d devices stored mid-stream, want 2 whole batches (20)", n)
	}
	write(25, 40)
	pw.Close()
	r := <-done
	mustStatus(t, r, 200)
	if n := total(); n != 40 {
		t.Errorf("%d devices after the import", n)
	}
}
