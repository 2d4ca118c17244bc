package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/sqlstore"
	"github.com/iotguard/iotguard/store"
)

func TestMain(m *testing.M) {
	// Real argon2id parameters cost 64 MiB and ~100 ms per hash; the
	// tests hash hundreds of passwords.
	PasswordParams = Argon2Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}
	os.Exit(m.Run())
}

var testCatalog = catalog.MustLoad()

// openStore opens a fresh SQLite store in a temporary folder.
func openStore(t testing.TB) *sqlstore.Store {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "iotguard.db"), sqlstore.Options{
		Catalog: testCatalog, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// principal is a test user with a token.
type principal struct {
	user   store.User
	role   store.Role // in its tenant; "" for none
	token  string
	passwd string
}

// tenantFx is one tenant with a member of each role and some data.
type tenantFx struct {
	tenant   store.Tenant
	members  map[store.Role]*principal
	solution store.Solution
	devices  []model.Device
	evidence store.EvidenceMeta
	// approved is an approved attestation of P16 (owned by IU, ISP and
	// ISD); s28 is a draft of S28 (IU only), s01 a draft of S01 (ISD/ISP).
	approved, s28, s01 store.Attestation
	assessment         store.AssessmentRecord
	findingIU          store.Finding // a finding on an IU control
	findingOther       store.Finding // a finding on controls IU does not own
}

// fixture is a server over a store with two tenants.
type fixture struct {
	t       *testing.T
	st      *sqlstore.Store
	srv     *Server
	ts      *httptest.Server
	a, b    *tenantFx
	root    *principal // platform admin, member of no tenant
	logs    *syncBuffer
	counter atomic.Int64
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, opt ...func(*Options)) *fixture {
	t.Helper()
	fx := &fixture{t: t, st: openStore(t), logs: &syncBuffer{}}
	o := Options{
		Logger:    slog.New(slog.NewJSONHandler(fx.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		LoginRate: LoginRate{PerIPPerMinute: 6000, PerIPBurst: 1000, PerAccountPerMinute: 6000, PerAccountBurst: 1000},
	}
	for _, f := range opt {
		f(&o)
	}
	fx.srv = newServer(fx.st, testCatalog, o)
	fx.ts = httptest.NewServer(fx.srv)
	t.Cleanup(fx.ts.Close)
	fx.root = fx.newUser("root@platform.test", true)
	fx.a = fx.newTenant("Tenant A")
	fx.b = fx.newTenant("Tenant B")
	return fx
}

var sysActor = store.Actor{Name: "test"}

func (fx *fixture) ctx() context.Context { return context.Background() }

func (fx *fixture) unique(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, fx.counter.Add(1))
}

// newUser creates a user with a password and a token.
func (fx *fixture) newUser(email string, platformAdmin bool) *principal {
	fx.t.Helper()
	pw := "correct horse battery " + email
	hash, err := HashPassword(pw)
	if err != nil {
		fx.t.Fatal(err)
	}
	u, err := fx.st.Platform().CreateUser(fx.ctx(), sysActor, store.User{Email: email, Name: email, PasswordHash: hash, PlatformAdmin: platformAdmin})
	if err != nil {
		fx.t.Fatal(err)
	}
	p := &principal{user: u, passwd: pw}
	p.token = fx.newToken(u)
	return p
}

func (fx *fixture) newToken(u store.User) string {
	fx.t.Helper()
	secret, _ := fx.newTokenID(u)
	return secret
}

func (fx *fixture) newTokenID(u store.User) (secret, id string) {
	fx.t.Helper()
	secret, hash := NewToken()
	exp := time.Now().Add(24 * time.Hour)
	tok, err := fx.st.Platform().CreateToken(fx.ctx(), sysActor, store.Token{UserID: u.ID, Name: "test", Hash: hash, ExpiresAt: &exp})
	if err != nil {
		fx.t.Fatal(err)
	}
	return secret, tok.ID
}

func (fx *fixture) newTenant(name string) *tenantFx {
	t := fx.t
	t.Helper()
	ctx := fx.ctx()
	pl := fx.st.Platform()
	ten, err := pl.CreateTenant(ctx, sysActor, store.Tenant{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	tf := &tenantFx{tenant: ten, members: map[store.Role]*principal{}}
	slug := strings.ToLower(strings.ReplaceAll(name, " ", ""))
	for _, r := range store.Roles {
		p := fx.newUser(string(r)+"@"+slug+".test", false)
		p.role = r
		if err := pl.SetMembership(ctx, sysActor, store.Membership{TenantID: ten.ID, UserID: p.user.ID, Role: r}); err != nil {
			t.Fatal(err)
		}
		tf.members[r] = p
	}
	ts := fx.st.Tenant(ten.ID)
	tf.solution, err = ts.CreateSolution(ctx, sysActor, store.Solution{Name: "Fleet of " + name})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		tf.devices = append(tf.devices, model.Device{ID: fmt.Sprintf("%s-dev-%02d", slug, i), Model: []string{"cam", "thermo"}[i%2],
			Zone: []string{"ot", "it"}[i%2], Site: "hq", Lifecycle: model.Active, Serial: fmt.Sprintf("SN%04d", i)})
	}
	i := 0
	if _, err := ts.ImportDevices(ctx, sysActor, tf.solution.ID, func() (model.Device, bool, error) {
		if i == len(tf.devices) {
			return model.Device{}, false, nil
		}
		i++
		return tf.devices[i-1], true, nil
	}, 100); err != nil {
		t.Fatal(err)
	}
	tf.evidence, err = ts.PutEvidence(ctx, sysActor, "policy.pdf", strings.NewReader("%PDF-1.4 policy of "+name), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	tf.approved = fx.attestation(tf, "P16", store.Approved)
	tf.s28 = fx.attestation(tf, "S28", store.Draft)
	tf.s01 = fx.attestation(tf, "S01", store.Draft)
	tf.assessment, err = ts.SaveAssessment(ctx, sysActor, tf.solution.ID, testAssessment(name, testNow.Add(-48*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	fs, _, err := ts.ListFindings(ctx, tf.solution.ID, store.FindingQuery{Page: store.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		switch f.Check {
		case "iu-check":
			tf.findingIU = f
		case "isp-check":
			tf.findingOther = f
		}
	}
	if tf.findingIU.ID == "" || tf.findingOther.ID == "" {
		t.Fatalf("fixture findings missing: %+v", fs)
	}
	return tf
}

// attestation creates an attestation through the store and moves it to
// the state wanted.
func (fx *fixture) attestation(tf *tenantFx, control string, state store.AttestationState) store.Attestation {
	fx.t.Helper()
	ctx := fx.ctx()
	ts := fx.st.Tenant(tf.tenant.ID)
	a, err := ts.SaveAttestation(ctx, sysActor, store.Attestation{SolutionID: tf.solution.ID, State: store.Draft, Attestation: model.Attestation{
		Control: control, Status: model.Implemented, Statement: "in place", Owner: "ops",
		Date: model.Timestamp{Time: testNow.AddDate(0, -1, 0)}, ReviewDue: model.Timestamp{Time: testNow.AddDate(1, 0, 0)},
		Evidence: []model.EvidenceFile{{Path: tf.evidence.Name, SHA256: tf.evidence.SHA256}},
	}})
	if err != nil {
		fx.t.Fatal(err)
	}
	if state == store.Draft {
		return a
	}
	if a, err = ts.SubmitAttestation(ctx, sysActor, a.ID); err != nil {
		fx.t.Fatal(err)
	}
	if state == store.Submitted {
		return a
	}
	exp := testNow.AddDate(1, 0, 0)
	a, err = ts.ReviewAttestation(ctx, store.Actor{UserID: tf.members[store.RoleAuditor].user.ID, Name: "auditor"}, a.ID, state == store.Approved, "reviewed", &exp)
	if err != nil {
		fx.t.Fatal(err)
	}
	return a
}

// testAssessment has one finding on an IU control (S26) and one on an
// ISP control (S03).
func testAssessment(org string, at time.Time) *model.Assessment {
	return &model.Assessment{
		SchemaVersion: "1", Tool: "iotguard", ToolVersion: "test", Solution: "fleet", Organization: org, AssessedAt: at,
		Summary: model.Summary{Score: 61.5, ByRole: map[model.Stakeholder]float64{model.IU: 40, model.ISP: 70},
			Controls: map[model.ControlStatus]int{model.Implemented: 3}, Findings: map[model.Severity]int{model.High: 2}, Devices: 5, Checks: 2},
		Controls: []model.ControlResult{
			{ID: "S26", Title: "Initial settings", Category: model.Security, Stakeholders: []model.Stakeholder{model.IU}, Automation: model.Automated,
				Status: model.NotImplemented, AutomatedStatus: model.NotImplemented, AttestedStatus: model.NotAssessed},
			{ID: "S03", Title: "Asset management", Category: model.Security, Stakeholders: []model.Stakeholder{model.ISP}, Automation: model.Automated,
				Status: model.Implemented, AutomatedStatus: model.Implemented, AttestedStatus: model.NotAssessed},
		},
		Checks: []model.CheckSummary{
			{ID: "iu-check", Controls: []string{"S26"}, Severity: model.High, Fail: 1},
			{ID: "isp-check", Controls: []string{"S03"}, Severity: model.High, Fail: 1},
		},
		Findings: []model.Finding{
			{Check: "iu-check", Title: "default password", Controls: []string{"S26"}, Severity: model.High, Status: model.Fail,
				AssetType: model.AssetDevice, Asset: "dev-01", Message: "default credentials"},
			{Check: "isp-check", Title: "unknown device", Controls: []string{"S03"}, Severity: model.High, Status: model.Fail,
				AssetType: model.AssetDevice, Asset: "dev-02", Message: "not in inventory"},
		},
	}
}

// request is one API call in a test.
type request struct {
	method, path string
	token        string
	body         []byte
	contentType  string
	header       map[string]string
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// decode zeroes v first: a reused variable must not keep fields that the
// response omits.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	reflect.ValueOf(v).Elem().SetZero()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// errorCode returns the error object's code.
func (r response) errorCode(t testing.TB) string {
	t.Helper()
	var eb ErrorBody
	r.decode(t, &eb)
	return eb.Error.Code
}

func (fx *fixture) do(req request) response {
	fx.t.Helper()
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequest(req.method, fx.ts.URL+req.path, body)
	if err != nil {
		fx.t.Fatal(err)
	}
	if req.token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.token)
	}
	switch {
	case req.contentType == "omit":
	case req.contentType != "":
		hr.Header.Set("Content-Type", req.contentType)
	case req.body != nil:
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	resp, err := fx.ts.Client().Do(hr)
	if err != nil {
		fx.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		fx.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// get, post... are shorthands for do.
func (fx *fixture) get(token, path string) response {
	fx.t.Helper()
	return fx.do(request{method: "GET", path: path, token: token})
}

func (fx *fixture) send(method, token, path string, v any) response {
	fx.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		fx.t.Fatal(err)
	}
	return fx.do(request{method: method, path: path, token: token, body: b})
}

func mustStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}

func (tf *tenantFx) path(parts ...string) string {
	return "/api/v1/tenants/" + tf.tenant.ID + strings.Join(parts, "")
}

func (tf *tenantFx) sol(parts ...string) string {
	return tf.path(append([]string{"/solutions/" + tf.solution.ID}, parts...)...)
}
