package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iotguard/iotguard/store"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	fx := newFixture(t)
	admin := fx.a.members[store.RoleAdmin].token
	for _, r := range []response{
		fx.get("", "/healthz"),
		fx.get("", "/api/v1/me"),
		fx.get(admin, fx.a.path("/solutions")),
		fx.get(admin, "/api/v1/nothing"),
		fx.get(admin, fx.a.path("/evidence/"+fx.a.evidence.SHA256)),
	} {
		for k, v := range map[string]string{
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cache-Control": "no-store",
		} {
			if got := r.header.Get(k); got != v {
				t.Errorf("%d response: %s %q, want %q", r.status, k, got, v)
			}
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
			t.Errorf("CSP %q", csp)
		}
	}
}

func TestLoginAndTokens(t *testing.T) {
	fx := newFixture(t)
	v := fx.a.members[store.RoleViewer]
	mustStatus(t, fx.send("POST", "", "/api/v1/login", loginRequest{Email: v.user.Email, Password: "wrong password!"}), 401)
	mustStatus(t, fx.send("POST", "", "/api/v1/login", loginRequest{Email: "nobody@example.test", Password: "wrong password!"}), 401)
	mustStatus(t, fx.send("POST", "", "/api/v1/login", loginRequest{Email: v.user.Email}), 400)
	r := fx.send("POST", "", "/api/v1/login", loginRequest{Email: strings.ToUpper(v.user.Email), Password: v.passwd})
	mustStatus(t, r, 201)
	var tc tokenCreated
	r.decode(t, &tc)
	if !strings.HasPrefix(tc.Secret, TokenPrefix) || len(tc.Secret) != len(TokenPrefix)+43 || tc.ExpiresAt == nil {
		t.Fatalf("login token %+v", tc)
	}
	if d := time.Until(*tc.ExpiresAt); d > DefaultLoginTokenTTL || d < DefaultLoginTokenTTL-time.Minute {
		t.Errorf("login token lives %s", d)
	}

	// Create a token with the login token, list, revoke.
	r = fx.send("POST", tc.Secret, "/api/v1/tokens", tokenRequest{Name: "ci pipeline", ExpiresInDays: 30})
	mustStatus(t, r, 201)
	var ci tokenCreated
	r.decode(t, &ci)
	mustStatus(t, fx.send("POST", tc.Secret, "/api/v1/tokens", tokenRequest{Name: "x", ExpiresInDays: 400}), 400)
	mustStatus(t, fx.send("POST", tc.Secret, "/api/v1/tokens", tokenRequest{}), 400)
	r = fx.get(ci.Secret, "/api/v1/tokens")
	mustStatus(t, r, 200)
	if bytes.Contains(r.body, []byte(ci.Secret)) || bytes.Contains(r.body, []byte(`"hash"`)) {
		t.Errorf("token list shows secrets: %s", r.body)
	}
	var me meBody
	r = fx.get(ci.Secret, "/api/v1/me")
	mustStatus(t, r, 200)
	r.decode(t, &me)
	if me.User.ID != v.user.ID || me.TokenID != ci.ID || len(me.Memberships) != 1 {
		t.Errorf("me %+v", me)
	}
	mustStatus(t, fx.do(request{method: "DELETE", path: "/api/v1/tokens/" + ci.ID, token: tc.Secret}), 204)
	mustStatus(t, fx.get(ci.Secret, "/api/v1/me"), 401)
	// Revoking again changes nothing.
	mustStatus(t, fx.do(request{method: "DELETE", path: "/api/v1/tokens/" + ci.ID, token: tc.Secret}), 204)
	mustStatus(t, fx.do(request{method: "DELETE", path: "/api/v1/tokens/no-such-token", token: tc.Secret}), 404)
}

func TestExpiredTokenIsRejected(t *testing.T) {
	now := time.Now()
	fx := newFixture(t, func(o *Options) { o.Now = func() time.Time { return now } })
	v := fx.a.members[store.RoleViewer]
	mustStatus(t, fx.get(v.token, "/api/v1/me"), 200)
	now = now.Add(48 * time.Hour) // fixture tokens live 24 hours
	mustStatus(t, fx.get(v.token, "/api/v1/me"), 401)
}

func TestLoginRateLimit(t *testing.T) {
	now := time.Now()
	fx := newFixture(t, func(o *Options) {
		o.Now = func() time.Time { return now }
		o.LoginRate = LoginRate{PerIPPerMinute: 60, PerIPBurst: 10, PerAccountPerMinute: 1, PerAccountBurst: 3}
	})
	v := fx.a.members[store.RoleViewer]
	bad := loginRequest{Email: v.user.Email, Password: "guess guess guess"}
	for range 3 {
		mustStatus(t, fx.send("POST", "", "/api/v1/login", bad), 401)
	}
	// The account is locked for a while, even with the right password.
	r := fx.send("POST", "", "/api/v1/login", loginRequest{Email: v.user.Email, Password: v.passwd})
	mustStatus(t, r, 429)
	if r.header.Get("Retry-After") == "" || r.errorCode(t) != codeRateLimited {
		t.Errorf("429 without Retry-After or code: %v", r)
	}
	// Another account from the same address still works, until the
	// address's bucket is empty too.
	other := fx.a.members[store.RoleAuditor]
	mustStatus(t, fx.send("POST", "", "/api/v1/login", loginRequest{Email: other.user.Email, Password: other.passwd}), 201)
	for i := range 10 {
		r = fx.send("POST", "", "/api/v1/login", loginRequest{Email: "spray" + string(rune('a'+i)) + "@example.test", Password: "guess guess guess"})
	}
	mustStatus(t, r, 429)
	// Time refills the buckets.
	now = now.Add(2 * time.Minute)
	mustStatus(t, fx.send("POST", "", "/api/v1/login", loginRequest{Email: v.user.Email, Password: v.passwd}), 201)
}

// TestNoSecretInLogs captures every log line during logins, token
// creation, bootstrap and authenticated calls and looks for the secrets.
func TestNoSecretInLogs(t *testing.T) {
	fx := newFixture(t)
	v := fx.a.members[store.RoleViewer]
	r := fx.send("POST", "", "/api/v1/login", loginRequest{Email: v.user.Email, Password: v.passwd})
	mustStatus(t, r, 201)
	var tc tokenCreated
	r.decode(t, &tc)
	mustStatus(t, fx.send("POST", "", "/api/v1/login", loginRequest{Email: v.user.Email, Password: "wrong " + v.passwd}), 401)
	r = fx.send("POST", tc.Secret, "/api/v1/tokens", tokenRequest{Name: "ci"})
	mustStatus(t, r, 201)
	var ci tokenCreated
	r.decode(t, &ci)
	mustStatus(t, fx.get(ci.Secret, "/api/v1/me"), 200)
	mustStatus(t, fx.get(ci.Secret+"x", "/api/v1/me"), 401)
	mustStatus(t, fx.send("POST", fx.a.members[store.RoleAdmin].token, fx.a.path("/members"),
		memberRequest{Email: "new@example.test", Role: store.RoleViewer, Password: "member password 123"}), 201)

	logs := fx.logs.String()
	if !strings.Contains(logs, `"route":"/api/v1/login"`) || !strings.Contains(logs, `"user":"`+v.user.ID+`"`) {
		t.Fatalf("the requests were not logged:\n%s", logs)
	}
	for _, secret := range []string{v.passwd, "wrong " + v.passwd, tc.Secret, ci.Secret, "member password 123", "Bearer", v.token} {
		if strings.Contains(logs, secret) {
			t.Errorf("a secret is in the log: %q", secret)
		}
	}
}

func TestMetrics(t *testing.T) {
	fx := newFixture(t)
	fx.get("", "/healthz")
	fx.get(fx.a.members[store.RoleViewer].token, fx.a.sol("/devices"))
	fx.get(fx.a.members[store.RoleViewer].token, fx.a.sol("/devices"))
	r := fx.get("", "/metrics")
	mustStatus(t, r, 200)
	body := string(r.body)
	for _, want := range []string{
		`iotguard_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`iotguard_http_requests_total{method="GET",route="/api/v1/tenants/{tenant}/solutions/{solution}/devices",status="200"} 2`,
		`iotguard_http_request_duration_seconds_count{method="GET",route="/api/v1/tenants/{tenant}/solutions/{solution}/devices"} 2`,
		`le="+Inf"} 2`,
		"# TYPE iotguard_http_requests_in_flight gauge\niotguard_http_requests_in_flight 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, fx.a.tenant.ID) {
		t.Error("metrics carry raw paths")
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestReadyz(t *testing.T) {
	fx := newFixture(t)
	mustStatus(t, fx.get("", "/readyz"), 200)
	fx.st.Close()
	r := fx.get("", "/readyz")
	mustStatus(t, r, 503)
}

func TestAuditEndpoints(t *testing.T) {
	fx := newFixture(t)
	auditor := fx.a.members[store.RoleAuditor].token
	r := fx.get(auditor, "/api/v1/audit/verify")
	mustStatus(t, r, 200)
	var vr store.VerifyResult
	r.decode(t, &vr)
	if !vr.OK || vr.Records == 0 {
		t.Errorf("verify %+v", vr)
	}
	r = fx.get(auditor, fx.a.path("/audit?limit=1000"))
	mustStatus(t, r, 200)
	var l listBody[store.AuditRecord]
	r.decode(t, &l)
	if len(l.Items) == 0 {
		t.Fatal("no audit records for tenant A")
	}
	for _, rec := range l.Items {
		if rec.TenantID != fx.a.tenant.ID {
			t.Errorf("tenant A's audit shows a record of %q", rec.TenantID)
		}
	}
	r = fx.get(fx.root.token, "/api/v1/audit/export")
	mustStatus(t, r, 200)
	if !strings.Contains(r.header.Get("Content-Disposition"), "attachment") || len(r.body) == 0 {
		t.Errorf("export: %v", r.header)
	}
}

func TestRunShutsDownGracefully(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, slog.New(slog.NewTextHandler(io.Discard, nil))) }()

	resc := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			resc <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resc <- string(b)
	}()
	<-started
	cancel() // shutdown begins with a request in flight
	time.Sleep(100 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("still accepting connections after shutdown began")
	}
	close(release)
	if got := <-resc; got != "done" {
		t.Errorf("in-flight request got %q", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
}

func TestRunFailsOnBadAddress(t *testing.T) {
	err := Run(context.Background(), "256.0.0.1:99999", http.NotFoundHandler(), nil)
	if err == nil {
		t.Fatal("no error")
	}
	var oe *net.OpError
	if !errors.As(err, &oe) && !strings.Contains(err.Error(), "listen") {
		t.Errorf("error %v", err)
	}
}
