package sqlstore

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iotguard/iotguard/store"
)

// platformStore is tenants, users, memberships and tokens: the data above
// tenants. Its audit records carry the tenant they concern, if any.
type platformStore struct{ s *Store }

// lastUsedEvery is how stale a token's LastUsedAt may get: authentication
// writes it at most this often, not on every request.
const lastUsedEvery = time.Minute

func (p platformStore) CreateTenant(ctx context.Context, by store.Actor, t store.Tenant) (store.Tenant, error) {
	actor, err := actorName(by)
	if err != nil {
		return store.Tenant{}, fmt.Errorf("create tenant: %w", err)
	}
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return store.Tenant{}, fmt.Errorf("create tenant: a name is required: %w", store.ErrInvalid)
	}
	if err := checkText("tenant name", t.Name, 256); err != nil {
		return store.Tenant{}, fmt.Errorf("create tenant: %w", err)
	}
	err = p.s.write(ctx, func(w *txw) error {
		if t.ID == "" {
			t.ID = newID(w.now)
		} else if err := checkID("tenant", t.ID); err != nil {
			return err
		}
		t.CreatedAt = w.now
		if _, err := w.q.exec(ctx, "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)", t.ID, t.Name, micros(t.CreatedAt)); err != nil {
			if isUnique(err) {
				return fmt.Errorf("tenant %q exists: %w", t.ID, store.ErrConflict)
			}
			return dbErr("insert tenant", err)
		}
		return w.audit(t.ID, actor, "tenant.create", "tenant", t.ID, nil, t)
	})
	if err != nil {
		return store.Tenant{}, fmt.Errorf("create tenant: %w", err)
	}
	return t, nil
}

func (p platformStore) ListTenants(ctx context.Context, userID string) ([]store.Tenant, error) {
	rows, err := p.s.b.query(ctx, `SELECT t.id, t.name, t.created_at FROM tenants t
		JOIN memberships m ON m.tenant_id = t.id WHERE m.user_id = ? ORDER BY t.id`, userID)
	if err != nil {
		return nil, dbErr("list tenants", err)
	}
	defer rows.Close()
	out := []store.Tenant{}
	for rows.Next() {
		var (
			t  store.Tenant
			at int64
		)
		if err := rows.Scan(&t.ID, &t.Name, &at); err != nil {
			return nil, dbErr("list tenants", err)
		}
		t.CreatedAt = fromMicros(at)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("list tenants", err)
	}
	return out, nil
}

func (p platformStore) GetTenant(ctx context.Context, id string) (store.Tenant, error) {
	t := store.Tenant{ID: id}
	var at int64
	err := p.s.b.queryRow(ctx, "SELECT name, created_at FROM tenants WHERE id = ?", id).Scan(&t.Name, &at)
	if isNoRows(err) {
		return store.Tenant{}, fmt.Errorf("tenant %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Tenant{}, dbErr("get tenant", err)
	}
	t.CreatedAt = fromMicros(at)
	return t, nil
}

// emailKey is the form e-mail addresses are unique in.
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func (p platformStore) CreateUser(ctx context.Context, by store.Actor, u store.User) (store.User, error) {
	actor, err := actorName(by)
	if err != nil {
		return store.User{}, fmt.Errorf("create user: %w", err)
	}
	u.Email = strings.TrimSpace(u.Email)
	if at := strings.IndexByte(u.Email, '@'); at < 1 || at == len(u.Email)-1 || strings.ContainsAny(u.Email, " \t\r\n<>") {
		return store.User{}, fmt.Errorf("create user: %q is not an e-mail address: %w", truncate(u.Email, 64), store.ErrInvalid)
	}
	for _, f := range []struct{ name, v string }{{"e-mail", u.Email}, {"user name", u.Name}, {"password hash", u.PasswordHash}} {
		if err := checkText(f.name, f.v, 320); err != nil {
			return store.User{}, fmt.Errorf("create user: %w", err)
		}
	}
	err = p.s.write(ctx, func(w *txw) error {
		if u.ID == "" {
			u.ID = newID(w.now)
		} else if err := checkID("user", u.ID); err != nil {
			return err
		}
		u.CreatedAt = w.now
		if _, err := w.q.exec(ctx, `INSERT INTO users (id, email, email_key, name, password_hash, platform_admin, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Email, emailKey(u.Email), u.Name, u.PasswordHash, u.PlatformAdmin, u.Disabled, micros(u.CreatedAt)); err != nil {
			if isUnique(err) {
				return fmt.Errorf("a user with this e-mail or ID exists: %w", store.ErrConflict)
			}
			return dbErr("insert user", err)
		}
		return w.audit("", actor, "user.create", "user", u.ID, nil, u)
	})
	if err != nil {
		return store.User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

const userColumns = "id, email, name, password_hash, platform_admin, disabled, created_at"

func scanUser(r rowScanner) (store.User, error) {
	var (
		u  store.User
		at int64
	)
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.PlatformAdmin, &u.Disabled, &at); err != nil {
		return store.User{}, err
	}
	u.CreatedAt = fromMicros(at)
	return u, nil
}

func (p platformStore) GetUser(ctx context.Context, id string) (store.User, error) {
	u, err := scanUser(p.s.b.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if isNoRows(err) {
		return store.User{}, fmt.Errorf("user %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.User{}, dbErr("get user", err)
	}
	return u, nil
}

func (p platformStore) GetUserByEmail(ctx context.Context, email string) (store.User, error) {
	u, err := scanUser(p.s.b.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email_key = ?", emailKey(email)))
	if isNoRows(err) {
		return store.User{}, fmt.Errorf("user: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.User{}, dbErr("get user", err)
	}
	return u, nil
}

func (p platformStore) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := p.s.b.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, dbErr("count users", err)
	}
	return n, nil
}

func (p platformStore) SetMembership(ctx context.Context, by store.Actor, m store.Membership) error {
	actor, err := actorName(by)
	if err != nil {
		return fmt.Errorf("set membership: %w", err)
	}
	if !slices.Contains(store.Roles, m.Role) {
		return fmt.Errorf("set membership: role %q: use one of %v: %w", m.Role, store.Roles, store.ErrInvalid)
	}
	err = p.s.write(ctx, func(w *txw) error {
		var before *store.Membership
		var old string
		err := w.q.queryRow(ctx, "SELECT role FROM memberships WHERE tenant_id = ? AND user_id = ?", m.TenantID, m.UserID).Scan(&old)
		switch {
		case err == nil:
			if store.Role(old) == m.Role {
				return nil // no change, nothing to log
			}
			before = &store.Membership{TenantID: m.TenantID, UserID: m.UserID, Role: store.Role(old)}
			_, err = w.q.exec(ctx, "UPDATE memberships SET role = ? WHERE tenant_id = ? AND user_id = ?", string(m.Role), m.TenantID, m.UserID)
		case isNoRows(err):
			_, err = w.q.exec(ctx, "INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, ?)", m.TenantID, m.UserID, string(m.Role))
		}
		if isForeignKey(err) {
			return fmt.Errorf("tenant %q or user %q: %w", m.TenantID, m.UserID, store.ErrNotFound)
		}
		if err != nil {
			return dbErr("write membership", err)
		}
		var b any
		if before != nil {
			b = before
		}
		return w.audit(m.TenantID, actor, "membership.set", "membership", m.UserID, b, m)
	})
	if err != nil {
		return fmt.Errorf("set membership: %w", err)
	}
	return nil
}

func (p platformStore) RemoveMembership(ctx context.Context, by store.Actor, tenantID, userID string) error {
	actor, err := actorName(by)
	if err != nil {
		return fmt.Errorf("remove membership: %w", err)
	}
	err = p.s.write(ctx, func(w *txw) error {
		var role string
		err := w.q.queryRow(ctx, "SELECT role FROM memberships WHERE tenant_id = ? AND user_id = ?", tenantID, userID).Scan(&role)
		if isNoRows(err) {
			return fmt.Errorf("user %q in tenant %q: %w", userID, tenantID, store.ErrNotFound)
		}
		if err != nil {
			return dbErr("read membership", err)
		}
		if _, err := w.q.exec(ctx, "DELETE FROM memberships WHERE tenant_id = ? AND user_id = ?", tenantID, userID); err != nil {
			return dbErr("delete membership", err)
		}
		before := store.Membership{TenantID: tenantID, UserID: userID, Role: store.Role(role)}
		return w.audit(tenantID, actor, "membership.remove", "membership", userID, before, nil)
	})
	if err != nil {
		return fmt.Errorf("remove membership: %w", err)
	}
	return nil
}

func (p platformStore) ListMembers(ctx context.Context, tenantID string) ([]store.Membership, error) {
	return p.s.memberships(ctx, p.s.b, "tenant_id", tenantID)
}

func (s *Store) memberships(ctx context.Context, q querier, column, value string) ([]store.Membership, error) {
	rows, err := q.query(ctx, "SELECT tenant_id, user_id, role FROM memberships WHERE "+column+" = ? ORDER BY tenant_id, user_id", value)
	if err != nil {
		return nil, dbErr("list memberships", err)
	}
	defer rows.Close()
	out := []store.Membership{}
	for rows.Next() {
		var m store.Membership
		var role string
		if err := rows.Scan(&m.TenantID, &m.UserID, &role); err != nil {
			return nil, dbErr("list memberships", err)
		}
		m.Role = store.Role(role)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("list memberships", err)
	}
	return out, nil
}

func (p platformStore) CreateToken(ctx context.Context, by store.Actor, t store.Token) (store.Token, error) {
	actor, err := actorName(by)
	if err != nil {
		return store.Token{}, fmt.Errorf("create token: %w", err)
	}
	if len(t.Hash) != sha256.Size {
		return store.Token{}, fmt.Errorf("create token: the hash must be the %d-byte SHA-256 of the secret: %w", sha256.Size, store.ErrInvalid)
	}
	t.Name = strings.TrimSpace(t.Name)
	if err := checkText("token name", t.Name, 256); err != nil {
		return store.Token{}, fmt.Errorf("create token: %w", err)
	}
	t.ExpiresAt = truncPtr(t.ExpiresAt)
	t.RevokedAt, t.LastUsedAt = nil, nil
	err = p.s.write(ctx, func(w *txw) error {
		t.ID = newID(w.now)
		t.CreatedAt = w.now
		if t.ExpiresAt != nil && !t.ExpiresAt.After(w.now) {
			return fmt.Errorf("the expiry is in the past: %w", store.ErrInvalid)
		}
		if _, err := w.q.exec(ctx, "INSERT INTO tokens (id, user_id, name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
			t.ID, t.UserID, t.Name, t.Hash, micros(t.CreatedAt), microsPtr(t.ExpiresAt)); err != nil {
			if isForeignKey(err) {
				return fmt.Errorf("user %q: %w", t.UserID, store.ErrNotFound)
			}
			if isUnique(err) {
				return fmt.Errorf("token exists: %w", store.ErrConflict)
			}
			return dbErr("insert token", err)
		}
		return w.audit("", actor, "token.create", "token", t.ID, nil, t)
	})
	if err != nil {
		return store.Token{}, fmt.Errorf("create token: %w", err)
	}
	return t, nil
}

const tokenColumns = "id, user_id, name, hash, created_at, expires_at, revoked_at, last_used_at"

func scanToken(r rowScanner, extra ...any) (store.Token, error) {
	var (
		t                  store.Token
		created            int64
		exp, rev, lastUsed *int64
	)
	dest := append([]any{&t.ID, &t.UserID, &t.Name, &t.Hash, &created, &exp, &rev, &lastUsed}, extra...)
	if err := r.Scan(dest...); err != nil {
		return store.Token{}, err
	}
	t.CreatedAt = fromMicros(created)
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = fromMicrosPtr(exp), fromMicrosPtr(rev), fromMicrosPtr(lastUsed)
	return t, nil
}

func (p platformStore) Authenticate(ctx context.Context, tokenHash []byte, now time.Time) (store.Principal, error) {
	unknown := fmt.Errorf("authenticate: token: %w", store.ErrNotFound)
	if len(tokenHash) != sha256.Size {
		return store.Principal{}, unknown
	}
	var u store.User
	var created int64
	t, err := scanToken(p.s.b.queryRow(ctx, "SELECT t."+strings.ReplaceAll(tokenColumns, ", ", ", t.")+
		", u.id, u.email, u.name, u.password_hash, u.platform_admin, u.disabled, u.created_at FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?", tokenHash),
		&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.PlatformAdmin, &u.Disabled, &created)
	if isNoRows(err) {
		return store.Principal{}, unknown
	}
	if err != nil {
		return store.Principal{}, dbErr("authenticate", err)
	}
	u.CreatedAt = fromMicros(created)
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) || u.Disabled {
		return store.Principal{}, unknown
	}
	ms, err := p.s.memberships(ctx, p.s.b, "user_id", u.ID)
	if err != nil {
		return store.Principal{}, err
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedEvery {
		// Not audited: it records use, not a change of anyone's rights,
		// and logging every request would flood the chain.
		at := now.UTC().Truncate(time.Microsecond)
		if _, err := p.s.writer().exec(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
			micros(at), t.ID, micros(at.Add(-lastUsedEvery))); err != nil {
			return store.Principal{}, dbErr("record token use", err)
		}
		t.LastUsedAt = &at
	}
	return store.Principal{User: u, Token: t, Memberships: ms}, nil
}

func (p platformStore) ListTokens(ctx context.Context, userID string) ([]store.Token, error) {
	rows, err := p.s.b.query(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, dbErr("list tokens", err)
	}
	defer rows.Close()
	out := []store.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, dbErr("list tokens", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("list tokens", err)
	}
	return out, nil
}

func (p platformStore) RevokeToken(ctx context.Context, by store.Actor, userID, tokenID string) error {
	actor, err := actorName(by)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	err = p.s.write(ctx, func(w *txw) error {
		t, err := scanToken(w.q.queryRow(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = ? AND user_id = ?"+forUpdate(w.q), tokenID, userID))
		if isNoRows(err) {
			return fmt.Errorf("token %q: %w", tokenID, store.ErrNotFound)
		}
		if err != nil {
			return dbErr("read token", err)
		}
		if t.RevokedAt != nil {
			return nil // already revoked: nothing changes
		}
		before := t
		t.RevokedAt = &w.now
		if _, err := w.q.exec(ctx, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND user_id = ?", micros(w.now), tokenID, userID); err != nil {
			return dbErr("revoke token", err)
		}
		return w.audit("", actor, "token.revoke", "token", t.ID, before, t)
	})
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// forUpdate locks the rows a read-modify-write reads, on PostgreSQL; on
// SQLite the single writer already serialises writes.
func forUpdate(q querier) string {
	if q.dialect() == dialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// writer is where writes outside write() go (token use).
func (s *Store) writer() querier {
	if b, ok := s.b.(*sqliteBackend); ok {
		return sqliteQ{b.w}
	}
	return s.b
}
