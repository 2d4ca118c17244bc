// Package storetest is the conformance suite of store.Store: every
// implementation (package sqlstore on SQLite and on PostgreSQL) runs the
// same tests, so the backends cannot drift apart. It covers every method,
// tenant isolation for every TenantStore method, pagination, filters and
// sorting, the attestation and finding state machines, evidence limits
// and sniffing, token authentication, the audit records each change
// appends, and a restart.
package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iotguard/iotguard/store"
)

// Backend is what the suite needs from an implementation.
type Backend struct {
	// Open returns a store on a new, empty database whose clock is now.
	// The backend closes it (and drops the database) at test cleanup.
	Open func(t *testing.T, now func() time.Time) store.Store
	// Reopen closes s and opens the same database again, as a restart
	// does, with the same clock.
	Reopen func(t *testing.T, s store.Store) store.Store
}

// Run runs the conformance suite.
func Run(t *testing.T, b Backend) {
	t.Run("Tenants", func(t *testing.T) { testTenants(t, b) })
	t.Run("Users", func(t *testing.T) { testUsers(t, b) })
	t.Run("Memberships", func(t *testing.T) { testMemberships(t, b) })
	t.Run("Tokens", func(t *testing.T) { testTokens(t, b) })
	t.Run("Solutions", func(t *testing.T) { testSolutions(t, b) })
	t.Run("Devices", func(t *testing.T) { testDevices(t, b) })
	t.Run("DeviceListing", func(t *testing.T) { testDeviceListing(t, b) })
	t.Run("Evidence", func(t *testing.T) { testEvidence(t, b) })
	t.Run("Attestations", func(t *testing.T) { testAttestations(t, b) })
	t.Run("Assessments", func(t *testing.T) { testAssessments(t, b) })
	t.Run("FindingLifecycle", func(t *testing.T) { testFindingLifecycle(t, b) })
	t.Run("FindingQueries", func(t *testing.T) { testFindingQueries(t, b) })
	t.Run("SoA", func(t *testing.T) { testSoA(t, b) })
	t.Run("TenantIsolation", func(t *testing.T) { testIsolation(t, b) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, b) })
	t.Run("ConcurrentWrites", func(t *testing.T) { testConcurrentWrites(t, b) })
	t.Run("Restart", func(t *testing.T) { testRestart(t, b) })
}

// Clock is a settable clock for the store under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at a fixed time.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a fresh store with two tenants, A and B, each with a solution
// called "plant" (the same ID in both, which must not clash), and a user
// who is admin of A.
type env struct {
	st    store.Store
	clock *Clock
	by    store.Actor
	user  store.User
	a, b  store.TenantStore
	// tenant IDs
	ta, tb string
}

var ctx = context.Background()

func newEnv(t *testing.T, b Backend) *env {
	t.Helper()
	clk := NewClock()
	st := b.Open(t, clk.Now)
	e := &env{st: st, clock: clk, by: store.Actor{UserID: "", Name: "system"}}
	p := st.Platform()
	ta, err := p.CreateTenant(ctx, e.by, store.Tenant{ID: "tenant-a", Name: "Tenant A"})
	must(t, err)
	tb, err := p.CreateTenant(ctx, e.by, store.Tenant{ID: "tenant-b", Name: "Tenant B"})
	must(t, err)
	e.user, err = p.CreateUser(ctx, e.by, store.User{Email: "alice@example.com", Name: "Alice"})
	must(t, err)
	must(t, p.SetMembership(ctx, e.by, store.Membership{TenantID: ta.ID, UserID: e.user.ID, Role: store.RoleAdmin}))
	e.by = store.Actor{UserID: e.user.ID, Name: e.user.Email}
	e.ta, e.tb = ta.ID, tb.ID
	e.a, e.b = st.Tenant(ta.ID), st.Tenant(tb.ID)
	_, err = e.a.CreateSolution(ctx, e.by, store.Solution{ID: "plant", Name: "Plant A"})
	must(t, err)
	_, err = e.b.CreateSolution(ctx, e.by, store.Solution{ID: "plant", Name: "Plant B"})
	must(t, err)
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks that err is (wraps) want.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error = %v, want %v", what, err, want)
	}
}

func hashOf(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func ptr[T any](v T) *T { return &v }

// actions lists the actions of all audit records of a tenant, oldest first.
func actions(t *testing.T, st store.Store, tenantID string) []string {
	t.Helper()
	var out []string
	page := store.Page{Limit: 1000}
	for {
		recs, next, err := st.Audit().List(ctx, tenantID, page)
		must(t, err)
		for _, r := range recs {
			out = append(out, r.Action)
		}
		if next == "" {
			break
		}
		page.After = next
	}
	// List is newest first.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// verifyOK checks that the audit log verifies.
func verifyOK(t *testing.T, st store.Store) store.VerifyResult {
	t.Helper()
	res, err := st.Audit().Verify(ctx)
	must(t, err)
	if !res.OK {
		t.Fatalf("audit log does not verify: %+v", res)
	}
	return res
}

// collect pages through a list until the end, checking each page's size.
func collect[T any](t *testing.T, limit int, list func(p store.Page) ([]T, string, error)) []T {
	t.Helper()
	var all []T
	p := store.Page{Limit: limit}
	for i := 0; ; i++ {
		items, next, err := list(p)
		must(t, err)
		if len(items) > limit {
			t.Fatalf("page %d has %d items, limit %d", i, len(items), limit)
		}
		if next != "" && len(items) != limit {
			t.Fatalf("page %d has %d items and a next cursor, want a full page of %d", i, len(items), limit)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if i > 100000 {
			t.Fatal("pagination does not end")
		}
		p.After = next
	}
}

func name(i int) string { return fmt.Sprintf("%05d", i) }
