package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/iotguard/iotguard/store"
)

// tenantStore is one tenant's data. Every query it runs has
// "tenant_id = ?" bound to its tenant (and child rows reference parents
// through (tenant_id, id)), so another tenant's rows are never read,
// changed or counted: they are simply not found.
type tenantStore struct {
	s  *Store
	id string
}

var _ store.TenantStore = (*tenantStore)(nil)

func (t *tenantStore) CreateSolution(ctx context.Context, by store.Actor, sol store.Solution) (store.Solution, error) {
	actor, err := actorName(by)
	if err != nil {
		return store.Solution{}, fmt.Errorf("create solution: %w", err)
	}
	sol.Name = strings.TrimSpace(sol.Name)
	if sol.Name == "" {
		return store.Solution{}, fmt.Errorf("create solution: a name is required: %w", store.ErrInvalid)
	}
	if err := checkText("solution name", sol.Name, 256); err != nil {
		return store.Solution{}, fmt.Errorf("create solution: %w", err)
	}
	if err := checkText("solution description", sol.Description, 4096); err != nil {
		return store.Solution{}, fmt.Errorf("create solution: %w", err)
	}
	sol.Devices = 0
	err = t.s.write(ctx, func(w *txw) error {
		if sol.ID == "" {
			sol.ID = newID(w.now)
		} else if err := checkID("solution", sol.ID); err != nil {
			return err
		}
		sol.CreatedAt = w.now
		if _, err := w.q.exec(ctx, "INSERT INTO solutions (tenant_id, id, name, description, created_at) VALUES (?, ?, ?, ?, ?)",
			t.id, sol.ID, sol.Name, sol.Description, micros(sol.CreatedAt)); err != nil {
			if isUnique(err) {
				return fmt.Errorf("solution %q exists: %w", sol.ID, store.ErrConflict)
			}
			if isForeignKey(err) {
				return fmt.Errorf("tenant %q: %w", t.id, store.ErrNotFound)
			}
			return dbErr("insert solution", err)
		}
		return w.audit(t.id, actor, "solution.create", "solution", sol.ID, nil, sol)
	})
	if err != nil {
		return store.Solution{}, fmt.Errorf("create solution: %w", err)
	}
	return sol, nil
}

const solutionColumns = "id, name, description, created_at, device_count"

func scanSolution(r rowScanner) (store.Solution, error) {
	var (
		s  store.Solution
		at int64
	)
	if err := r.Scan(&s.ID, &s.Name, &s.Description, &at, &s.Devices); err != nil {
		return store.Solution{}, err
	}
	s.CreatedAt = fromMicros(at)
	return s, nil
}

func (t *tenantStore) GetSolution(ctx context.Context, id string) (store.Solution, error) {
	return t.getSolution(ctx, t.s.b, id)
}

func (t *tenantStore) getSolution(ctx context.Context, q querier, id string) (store.Solution, error) {
	s, err := scanSolution(q.queryRow(ctx, "SELECT "+solutionColumns+" FROM solutions WHERE tenant_id = ? AND id = ?", t.id, id))
	if isNoRows(err) {
		return store.Solution{}, fmt.Errorf("solution %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Solution{}, dbErr("get solution", err)
	}
	return s, nil
}

// lockSolution checks that a solution exists in the tenant and, on
// PostgreSQL, locks it: changes to one solution's devices and findings
// happen one at a time.
func (t *tenantStore) lockSolution(ctx context.Context, q querier, id string) error {
	var one int
	err := q.queryRow(ctx, "SELECT 1 FROM solutions WHERE tenant_id = ? AND id = ?"+forUpdate(q), t.id, id).Scan(&one)
	if isNoRows(err) {
		return fmt.Errorf("solution %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return dbErr("read solution", err)
	}
	return nil
}

func (t *tenantStore) ListSolutions(ctx context.Context, p store.Page) ([]store.Solution, string, error) {
	n, err := limit(p)
	if err != nil {
		return nil, "", fmt.Errorf("list solutions: %w", err)
	}
	c, err := decodeCursor(p.After, "solutions")
	if err != nil {
		return nil, "", fmt.Errorf("list solutions: %w", err)
	}
	q := "SELECT " + solutionColumns + " FROM solutions WHERE tenant_id = ?"
	args := []any{t.id}
	if c != nil {
		q += " AND id > ?"
		args = append(args, c.ID)
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, n+1)
	out, more, err := queryPage(ctx, t.s.b, "list solutions", q, args, n, scanSolution)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		next = cursor{Sort: "solutions", ID: out[n-1].ID}.encode()
	}
	return out, next, nil
}
