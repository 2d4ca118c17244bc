package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iotguard/iotguard/store"
)

func testTenants(t *testing.T, b Backend) {
	clk := NewClock()
	st := b.Open(t, clk.Now)
	p := st.Platform()
	sys := store.Actor{Name: "system"}

	gen, err := p.CreateTenant(ctx, sys, store.Tenant{Name: "  Generated  "})
	must(t, err)
	if gen.ID == "" || gen.Name != "Generated" || !gen.CreatedAt.Equal(clk.Now()) {
		t.Errorf("generated tenant = %+v", gen)
	}
	acme, err := p.CreateTenant(ctx, sys, store.Tenant{ID: "acme", Name: "ACME"})
	must(t, err)
	got, err := p.GetTenant(ctx, "acme")
	must(t, err)
	if diff := cmp.Diff(acme, got); diff != "" {
		t.Errorf("GetTenant (-created +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name string
		by   store.Actor
		t    store.Tenant
		want error
	}{
		{"duplicate ID", sys, store.Tenant{ID: "acme", Name: "Other"}, store.ErrConflict},
		{"no name", sys, store.Tenant{ID: "x"}, store.ErrInvalid},
		{"bad ID", sys, store.Tenant{ID: "../x", Name: "X"}, store.ErrInvalid},
		{"NUL in name", sys, store.Tenant{Name: "a\x00b"}, store.ErrInvalid},
		{"no actor", store.Actor{}, store.Tenant{Name: "X"}, store.ErrInvalid},
	} {
		_, err := p.CreateTenant(ctx, tc.by, tc.t)
		wantErr(t, tc.name, err, tc.want)
	}
	_, err = p.GetTenant(ctx, "nope")
	wantErr(t, "GetTenant unknown", err, store.ErrNotFound)

	u, err := p.CreateUser(ctx, sys, store.User{Email: "bob@example.com"})
	must(t, err)
	none, err := p.ListTenants(ctx, u.ID)
	must(t, err)
	if len(none) != 0 {
		t.Errorf("ListTenants of a user without memberships = %v", none)
	}
	must(t, p.SetMembership(ctx, sys, store.Membership{TenantID: "acme", UserID: u.ID, Role: store.RoleViewer}))
	mine, err := p.ListTenants(ctx, u.ID)
	must(t, err)
	if diff := cmp.Diff([]store.Tenant{acme}, mine); diff != "" {
		t.Errorf("ListTenants (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"tenant.create", "tenant.create", "membership.set"}, append(actions(t, st, gen.ID), actions(t, st, "acme")...)); diff != "" {
		t.Errorf("audit actions (-want +got):\n%s", diff)
	}
	verifyOK(t, st)
}

func testUsers(t *testing.T, b Backend) {
	clk := NewClock()
	st := b.Open(t, clk.Now)
	p := st.Platform()
	sys := store.Actor{Name: "system"}

	n, err := p.CountUsers(ctx)
	must(t, err)
	if n != 0 {
		t.Errorf("CountUsers on an empty store = %d", n)
	}
	u, err := p.CreateUser(ctx, sys, store.User{Email: " Alice@Example.com ", Name: "Alice", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", PlatformAdmin: true})
	must(t, err)
	if u.ID == "" || u.Email != "Alice@Example.com" || !u.CreatedAt.Equal(clk.Now()) {
		t.Errorf("created user = %+v", u)
	}
	got, err := p.GetUser(ctx, u.ID)
	must(t, err)
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("GetUser (-created +got):\n%s", diff)
	}
	if got.PasswordHash != u.PasswordHash {
		t.Errorf("password hash not kept")
	}
	byEmail, err := p.GetUserByEmail(ctx, "ALICE@example.COM")
	must(t, err)
	if byEmail.ID != u.ID {
		t.Errorf("GetUserByEmail found %q, want %q", byEmail.ID, u.ID)
	}
	_, err = p.CreateUser(ctx, sys, store.User{Email: "alice@EXAMPLE.com"})
	wantErr(t, "e-mail differing only in case", err, store.ErrConflict)
	for _, email := range []string{"", "alice", "@example.com", "alice@", "a b@example.com"} {
		_, err = p.CreateUser(ctx, sys, store.User{Email: email})
		wantErr(t, "e-mail "+email, err, store.ErrInvalid)
	}
	_, err = p.GetUser(ctx, "nope")
	wantErr(t, "GetUser unknown", err, store.ErrNotFound)
	_, err = p.GetUserByEmail(ctx, "nobody@example.com")
	wantErr(t, "GetUserByEmail unknown", err, store.ErrNotFound)
	n, err = p.CountUsers(ctx)
	must(t, err)
	if n != 1 {
		t.Errorf("CountUsers = %d, want 1", n)
	}
	if diff := cmp.Diff([]string{"user.create"}, actions(t, st, "")); diff != "" {
		t.Errorf("platform audit actions (-want +got):\n%s", diff)
	}
}

func testMemberships(t *testing.T, b Backend) {
	e := newEnv(t, b)
	p := e.st.Platform()
	bob, err := p.CreateUser(ctx, e.by, store.User{Email: "bob@example.com"})
	must(t, err)

	wantErr(t, "invalid role", p.SetMembership(ctx, e.by, store.Membership{TenantID: e.ta, UserID: bob.ID, Role: "root"}), store.ErrInvalid)
	wantErr(t, "unknown tenant", p.SetMembership(ctx, e.by, store.Membership{TenantID: "nope", UserID: bob.ID, Role: store.RoleIU}), store.ErrNotFound)
	wantErr(t, "unknown user", p.SetMembership(ctx, e.by, store.Membership{TenantID: e.ta, UserID: "nope", Role: store.RoleIU}), store.ErrNotFound)

	must(t, p.SetMembership(ctx, e.by, store.Membership{TenantID: e.ta, UserID: bob.ID, Role: store.RoleIU}))
	must(t, p.SetMembership(ctx, e.by, store.Membership{TenantID: e.ta, UserID: bob.ID, Role: store.RoleAuditor}))
	must(t, p.SetMembership(ctx, e.by, store.Membership{TenantID: e.ta, UserID: bob.ID, Role: store.RoleAuditor})) // no change
	must(t, p.SetMembership(ctx, e.by, store.Membership{TenantID: e.tb, UserID: bob.ID, Role: store.RoleViewer}))

	members, err := p.ListMembers(ctx, e.ta)
	must(t, err)
	want := []store.Membership{
		{TenantID: e.ta, UserID: e.user.ID, Role: store.RoleAdmin},
		{TenantID: e.ta, UserID: bob.ID, Role: store.RoleAuditor},
	}
	sortMembers := cmpopts.SortSlices(func(x, y store.Membership) bool { return x.UserID < y.UserID })
	if diff := cmp.Diff(want, members, sortMembers); diff != "" {
		t.Errorf("ListMembers (-want +got):\n%s", diff)
	}
	tenants, err := p.ListTenants(ctx, bob.ID)
	must(t, err)
	if len(tenants) != 2 {
		t.Errorf("bob's tenants = %v, want both", tenants)
	}

	must(t, p.RemoveMembership(ctx, e.by, e.ta, bob.ID))
	wantErr(t, "remove again", p.RemoveMembership(ctx, e.by, e.ta, bob.ID), store.ErrNotFound)
	members, err = p.ListMembers(ctx, e.ta)
	must(t, err)
	if diff := cmp.Diff(want[:1], members); diff != "" {
		t.Errorf("ListMembers after removal (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"tenant.create", "membership.set", "solution.create", "membership.set", "membership.set", "membership.remove"}, actions(t, e.st, e.ta)); diff != "" {
		t.Errorf("tenant A audit actions (-want +got):\n%s", diff)
	}
	verifyOK(t, e.st)
}

func testTokens(t *testing.T, b Backend) {
	e := newEnv(t, b)
	p := e.st.Platform()
	now := e.clock.Now()

	for _, tc := range []struct {
		name string
		tok  store.Token
		want error
	}{
		{"short hash", store.Token{UserID: e.user.ID, Name: "x", Hash: []byte("short")}, store.ErrInvalid},
		{"unknown user", store.Token{UserID: "nope", Name: "x", Hash: hashOf("s0")}, store.ErrNotFound},
		{"expiry in the past", store.Token{UserID: e.user.ID, Name: "x", Hash: hashOf("s0"), ExpiresAt: ptr(now.Add(-time.Second))}, store.ErrInvalid},
	} {
		_, err := p.CreateToken(ctx, e.by, tc.tok)
		wantErr(t, tc.name, err, tc.want)
	}

	ci, err := p.CreateToken(ctx, e.by, store.Token{UserID: e.user.ID, Name: "ci", Hash: hashOf("secret-ci")})
	must(t, err)
	short, err := p.CreateToken(ctx, e.by, store.Token{UserID: e.user.ID, Name: "short", Hash: hashOf("secret-short"), ExpiresAt: ptr(now.Add(time.Hour))})
	must(t, err)
	_, err = p.CreateToken(ctx, e.by, store.Token{UserID: e.user.ID, Name: "dup", Hash: hashOf("secret-ci")})
	wantErr(t, "same secret twice", err, store.ErrConflict)

	pr, err := p.Authenticate(ctx, hashOf("secret-ci"), now)
	must(t, err)
	if pr.User.ID != e.user.ID || pr.Token.ID != ci.ID || pr.RoleIn(e.ta) != store.RoleAdmin || pr.RoleIn(e.tb) != "" {
		t.Errorf("principal = %+v", pr)
	}
	if pr.Token.LastUsedAt == nil || !pr.Token.LastUsedAt.Equal(now) {
		t.Errorf("LastUsedAt = %v, want %v", pr.Token.LastUsedAt, now)
	}
	// Within a minute the last use is not written again.
	_, err = p.Authenticate(ctx, hashOf("secret-ci"), now.Add(30*time.Second))
	must(t, err)
	// tokens lists a user's tokens by ID (IDs made at the same instant
	// sort in no particular order).
	tokens := func() map[string]store.Token {
		t.Helper()
		toks, err := p.ListTokens(ctx, e.user.ID)
		must(t, err)
		m := map[string]store.Token{}
		for _, tk := range toks {
			m[tk.ID] = tk
		}
		if len(m) != 2 {
			t.Fatalf("ListTokens = %+v, want 2 tokens", toks)
		}
		return m
	}
	if tk := tokens()[ci.ID]; tk.LastUsedAt == nil || !tk.LastUsedAt.Equal(now) || tk.Name != "ci" {
		t.Fatalf("token after a use within a minute = %+v", tk)
	}
	later := now.Add(2 * time.Minute)
	_, err = p.Authenticate(ctx, hashOf("secret-ci"), later)
	must(t, err)
	if tk := tokens()[ci.ID]; !tk.LastUsedAt.Equal(later) {
		t.Errorf("LastUsedAt after two minutes = %v, want %v", tk.LastUsedAt, later)
	}

	_, err = p.Authenticate(ctx, hashOf("unknown"), now)
	wantErr(t, "unknown token", err, store.ErrNotFound)
	_, err = p.Authenticate(ctx, []byte("x"), now)
	wantErr(t, "malformed hash", err, store.ErrNotFound)
	_, err = p.Authenticate(ctx, hashOf("secret-short"), now.Add(59*time.Minute))
	must(t, err)
	_, err = p.Authenticate(ctx, hashOf("secret-short"), now.Add(time.Hour))
	wantErr(t, "expired token", err, store.ErrNotFound)

	mallory, err := p.CreateUser(ctx, e.by, store.User{Email: "mallory@example.com"})
	must(t, err)
	wantErr(t, "revoke another user's token", p.RevokeToken(ctx, e.by, mallory.ID, ci.ID), store.ErrNotFound)
	must(t, p.RevokeToken(ctx, e.by, e.user.ID, ci.ID))
	must(t, p.RevokeToken(ctx, e.by, e.user.ID, ci.ID)) // idempotent
	wantErr(t, "revoke unknown", p.RevokeToken(ctx, e.by, e.user.ID, "nope"), store.ErrNotFound)
	_, err = p.Authenticate(ctx, hashOf("secret-ci"), later)
	wantErr(t, "revoked token", err, store.ErrNotFound)
	if toks := tokens(); toks[ci.ID].RevokedAt == nil || toks[short.ID].RevokedAt != nil {
		t.Errorf("tokens after revocation = %+v", toks)
	}

	disabled, err := p.CreateUser(ctx, e.by, store.User{Email: "gone@example.com", Disabled: true})
	must(t, err)
	_, err = p.CreateToken(ctx, e.by, store.Token{UserID: disabled.ID, Name: "t", Hash: hashOf("secret-gone")})
	must(t, err)
	_, err = p.Authenticate(ctx, hashOf("secret-gone"), now)
	wantErr(t, "disabled user", err, store.ErrNotFound)

	if diff := cmp.Diff([]string{"user.create", "token.create", "token.create", "user.create", "token.revoke", "user.create", "token.create"}, actions(t, e.st, "")); diff != "" {
		t.Errorf("platform audit actions (-want +got):\n%s", diff)
	}
	verifyOK(t, e.st)
}
