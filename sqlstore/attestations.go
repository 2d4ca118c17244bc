package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// The review workflow, enforced here whatever the caller's role:
//
//	draft --submit--> submitted --review--> approved | rejected
//	rejected --edit--> draft;  approved --edit--> draft (re-review)
//
// A submitted attestation cannot be edited: the reviewer must see what was
// submitted. Who may review (auditors only) is the server's rule.

const attestationColumns = "id, solution_id, data, state, author, reviewer, review_comment, reviewed_at, expires_at, updated_at, version"

func scanAttestation(r rowScanner) (store.Attestation, error) {
	var (
		a                 store.Attestation
		data, state       string
		reviewed, expires *int64
		updated           int64
	)
	if err := r.Scan(&a.ID, &a.SolutionID, &data, &state, &a.Author, &a.Reviewer, &a.ReviewComment, &reviewed, &expires, &updated, &a.Version); err != nil {
		return store.Attestation{}, err
	}
	if err := json.Unmarshal([]byte(data), &a.Attestation); err != nil {
		return store.Attestation{}, fmt.Errorf("decode attestation %s: %w", a.ID, err)
	}
	a.State = store.AttestationState(state)
	a.ReviewedAt, a.ExpiresAt = fromMicrosPtr(reviewed), fromMicrosPtr(expires)
	a.UpdatedAt = fromMicros(updated)
	return a, nil
}

// validateAttestation checks what an author states.
func (s *Store) validateAttestation(a *model.Attestation) error {
	if s.cat.Control(a.Control) == nil {
		return fmt.Errorf("control %q is not in the catalog: %w", a.Control, store.ErrInvalid)
	}
	if !slices.Contains(model.ControlStatuses, a.Status) {
		return fmt.Errorf("status %q: use one of %v: %w", a.Status, model.ControlStatuses, store.ErrInvalid)
	}
	if a.Status == model.NotApplicable && strings.TrimSpace(a.Justification) == "" {
		return fmt.Errorf("a not-applicable attestation needs a justification: %w", store.ErrInvalid)
	}
	for _, f := range []struct{ name, v string }{{"statement", a.Statement}, {"justification", a.Justification}, {"owner", a.Owner}} {
		if err := checkText(f.name, f.v, 64<<10); err != nil {
			return err
		}
	}
	if len(a.Evidence) > 1000 {
		return fmt.Errorf("more than 1000 evidence files: %w", store.ErrInvalid)
	}
	for _, e := range a.Evidence {
		if e.SHA256 != "" {
			if _, err := normalSHA256(e.SHA256); err != nil {
				return fmt.Errorf("evidence %q: %w", truncate(e.Path, 64), err)
			}
		}
		if err := checkText("evidence path", e.Path, 1024); err != nil {
			return err
		}
	}
	return nil
}

func (t *tenantStore) SaveAttestation(ctx context.Context, by store.Actor, a store.Attestation) (store.Attestation, error) {
	actor, err := actorName(by)
	if err != nil {
		return store.Attestation{}, fmt.Errorf("save attestation: %w", err)
	}
	if err := t.s.validateAttestation(&a.Attestation); err != nil {
		return store.Attestation{}, fmt.Errorf("save attestation: %w", err)
	}
	if a.ID == "" && a.SolutionID == "" {
		return store.Attestation{}, fmt.Errorf("save attestation: a solution is required: %w", store.ErrInvalid)
	}
	data, err := json.Marshal(a.Attestation)
	if err != nil {
		return store.Attestation{}, fmt.Errorf("save attestation: %w: %v", store.ErrInvalid, err)
	}
	// Return what a later read returns: dates keep the precision their
	// JSON form keeps.
	a.Attestation = model.Attestation{}
	if err := json.Unmarshal(data, &a.Attestation); err != nil {
		return store.Attestation{}, fmt.Errorf("save attestation: %w: %v", store.ErrInvalid, err)
	}
	var out store.Attestation
	err = t.s.write(ctx, func(w *txw) error {
		if a.ID == "" {
			out = store.Attestation{
				ID: newID(w.now), SolutionID: a.SolutionID, Attestation: a.Attestation,
				State: store.Draft, Author: userRef(by), UpdatedAt: w.now, Version: 1,
			}
			if _, err := w.q.exec(ctx, `INSERT INTO attestations (tenant_id, id, solution_id, control, state, data, author, updated_at, version)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				t.id, out.ID, out.SolutionID, out.Control, string(out.State), string(data), out.Author, micros(out.UpdatedAt), out.Version); err != nil {
				if isForeignKey(err) {
					return fmt.Errorf("solution %q: %w", a.SolutionID, store.ErrNotFound)
				}
				return dbErr("insert attestation", err)
			}
			return w.audit(t.id, actor, "attestation.create", "attestation", out.ID, nil, out)
		}
		before, err := t.getAttestation(ctx, w.q, a.ID, true)
		if err != nil {
			return err
		}
		if a.SolutionID != "" && a.SolutionID != before.SolutionID {
			return fmt.Errorf("attestation %s belongs to solution %q; it cannot move: %w", a.ID, before.SolutionID, store.ErrInvalid)
		}
		if before.State == store.Submitted {
			return fmt.Errorf("attestation %s is submitted for review and cannot be edited: %w", a.ID, store.ErrConflict)
		}
		if a.Version != before.Version {
			return fmt.Errorf("attestation %s is at version %d, not %d: %w", a.ID, before.Version, a.Version, store.ErrConflict)
		}
		out = before
		out.Attestation = a.Attestation
		// Editing an approved or rejected attestation starts a new review;
		// an approval never survives a change of what was approved.
		out.State = store.Draft
		out.ExpiresAt = nil
		out.UpdatedAt = w.now
		out.Version = before.Version + 1
		if err := t.updateAttestation(ctx, w.q, out, before.Version, string(data)); err != nil {
			return err
		}
		return w.audit(t.id, actor, "attestation.edit", "attestation", out.ID, before, out)
	})
	if err != nil {
		return store.Attestation{}, fmt.Errorf("save attestation: %w", err)
	}
	return out, nil
}

// updateAttestation writes a, if the stored version is still version.
func (t *tenantStore) updateAttestation(ctx context.Context, q querier, a store.Attestation, version int, data string) error {
	if data == "" {
		b, err := json.Marshal(a.Attestation)
		if err != nil {
			return fmt.Errorf("%w: %v", store.ErrInvalid, err)
		}
		data = string(b)
	}
	n, err := q.exec(ctx, `UPDATE attestations SET control = ?, state = ?, data = ?, reviewer = ?, review_comment = ?, reviewed_at = ?,
		expires_at = ?, updated_at = ?, version = ? WHERE tenant_id = ? AND id = ? AND version = ?`,
		a.Control, string(a.State), data, a.Reviewer, a.ReviewComment, microsPtr(a.ReviewedAt),
		microsPtr(a.ExpiresAt), micros(a.UpdatedAt), a.Version, t.id, a.ID, version)
	if err != nil {
		return dbErr("update attestation", err)
	}
	if n == 0 {
		return fmt.Errorf("attestation %s changed meanwhile: %w", a.ID, store.ErrConflict)
	}
	return nil
}

func (t *tenantStore) getAttestation(ctx context.Context, q querier, id string, lock bool) (store.Attestation, error) {
	sql := "SELECT " + attestationColumns + " FROM attestations WHERE tenant_id = ? AND id = ?"
	if lock {
		sql += forUpdate(q)
	}
	a, err := scanAttestation(q.queryRow(ctx, sql, t.id, id))
	if isNoRows(err) {
		return store.Attestation{}, fmt.Errorf("attestation %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Attestation{}, dbErr("get attestation", err)
	}
	return a, nil
}

func (t *tenantStore) SubmitAttestation(ctx context.Context, by store.Actor, id string) (store.Attestation, error) {
	return t.transition(ctx, by, id, "submit", func(a *store.Attestation, now time.Time) (string, error) {
		if a.State != store.Draft {
			return "", fmt.Errorf("attestation %s is %s; only drafts are submitted: %w", id, a.State, store.ErrConflict)
		}
		a.State = store.Submitted
		return "attestation.submit", nil
	})
}

func (t *tenantStore) ReviewAttestation(ctx context.Context, by store.Actor, id string, approve bool, comment string, expires *time.Time) (store.Attestation, error) {
	if err := checkText("review comment", comment, 64<<10); err != nil {
		return store.Attestation{}, fmt.Errorf("review attestation: %w", err)
	}
	expires = truncPtr(expires)
	return t.transition(ctx, by, id, "review", func(a *store.Attestation, now time.Time) (string, error) {
		if a.State != store.Submitted {
			return "", fmt.Errorf("attestation %s is %s; only submitted ones are reviewed: %w", id, a.State, store.ErrConflict)
		}
		a.Reviewer, a.ReviewComment, a.ReviewedAt = userRef(by), comment, &now
		if !approve {
			a.State, a.ExpiresAt = store.Rejected, nil
			return "attestation.reject", nil
		}
		if expires != nil && !expires.After(now) {
			return "", fmt.Errorf("the approval would expire at %s, which is not in the future: %w", expires.Format(time.RFC3339), store.ErrInvalid)
		}
		a.State, a.ExpiresAt = store.Approved, expires
		return "attestation.approve", nil
	})
}

// transition applies one workflow step to an attestation and logs it.
func (t *tenantStore) transition(ctx context.Context, by store.Actor, id, what string, step func(a *store.Attestation, now time.Time) (string, error)) (store.Attestation, error) {
	actor, err := actorName(by)
	if err != nil {
		return store.Attestation{}, fmt.Errorf("%s attestation: %w", what, err)
	}
	var out store.Attestation
	err = t.s.write(ctx, func(w *txw) error {
		before, err := t.getAttestation(ctx, w.q, id, true)
		if err != nil {
			return err
		}
		out = before
		action, err := step(&out, w.now)
		if err != nil {
			return err
		}
		out.UpdatedAt = w.now
		out.Version = before.Version + 1
		if err := t.updateAttestation(ctx, w.q, out, before.Version, ""); err != nil {
			return err
		}
		return w.audit(t.id, actor, action, "attestation", id, before, out)
	})
	if err != nil {
		return store.Attestation{}, fmt.Errorf("%s attestation: %w", what, err)
	}
	return out, nil
}

func (t *tenantStore) GetAttestation(ctx context.Context, id string) (store.Attestation, error) {
	return t.getAttestation(ctx, t.s.b, id, false)
}

func (t *tenantStore) ListAttestations(ctx context.Context, solutionID string, p store.Page) ([]store.Attestation, string, error) {
	n, err := limit(p)
	if err != nil {
		return nil, "", fmt.Errorf("list attestations: %w", err)
	}
	c, err := decodeCursor(p.After, "attestations")
	if err != nil {
		return nil, "", fmt.Errorf("list attestations: %w", err)
	}
	if _, err := t.getSolution(ctx, t.s.b, solutionID); err != nil {
		return nil, "", fmt.Errorf("list attestations: %w", err)
	}
	q := "SELECT " + attestationColumns + " FROM attestations WHERE tenant_id = ? AND solution_id = ?"
	args := []any{t.id, solutionID}
	if c != nil {
		q += " AND id > ?"
		args = append(args, c.ID)
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, n+1)
	out, more, err := queryPage(ctx, t.s.b, "list attestations", q, args, n, scanAttestation)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		next = cursor{Sort: "attestations", ID: out[n-1].ID}.encode()
	}
	return out, next, nil
}
