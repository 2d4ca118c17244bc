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

var findingStates = []store.FindingState{store.Open, store.Acknowledged, store.RiskAccepted, store.Resolved}

const findingColumns = "id, solution_id, data, state, reason, accepted_until, first_seen, last_seen, reopened"

func scanFinding(r rowScanner, extra ...any) (store.Finding, error) {
	var (
		f           store.Finding
		data, state string
		until       *int64
		first, last int64
	)
	if err := r.Scan(append([]any{&f.ID, &f.SolutionID, &data, &state, &f.Reason, &until, &first, &last, &f.Reopened}, extra...)...); err != nil {
		return store.Finding{}, err
	}
	if err := json.Unmarshal([]byte(data), &f.Finding); err != nil {
		return store.Finding{}, fmt.Errorf("decode finding %s: %w", f.ID, err)
	}
	f.State = store.FindingState(state)
	f.AcceptedUntil = fromMicrosPtr(until)
	f.FirstSeen, f.LastSeen = fromMicros(first), fromMicros(last)
	return f, nil
}

// ListFindings lists a solution's findings, worst severity first.
func (t *tenantStore) ListFindings(ctx context.Context, solutionID string, fq store.FindingQuery) ([]store.Finding, string, error) {
	n, err := limit(fq.Page)
	if err != nil {
		return nil, "", fmt.Errorf("list findings: %w", err)
	}
	if fq.State != "" && !slices.Contains(findingStates, fq.State) {
		return nil, "", fmt.Errorf("list findings: state %q: use one of %v: %w", fq.State, findingStates, store.ErrInvalid)
	}
	if fq.Severity != "" && !slices.Contains(model.Severities, fq.Severity) {
		return nil, "", fmt.Errorf("list findings: severity %q: use one of %v: %w", fq.Severity, model.Severities, store.ErrInvalid)
	}
	c, err := decodeCursor(fq.After, "findings")
	if err != nil {
		return nil, "", fmt.Errorf("list findings: %w", err)
	}
	if _, err := t.getSolution(ctx, t.s.b, solutionID); err != nil {
		return nil, "", fmt.Errorf("list findings: %w", err)
	}
	q := "SELECT " + findingColumns + ", severity_order FROM findings WHERE tenant_id = ? AND solution_id = ?"
	args := []any{t.id, solutionID}
	for _, f := range []struct{ col, v string }{{"state", string(fq.State)}, {"severity", string(fq.Severity)}, {"check_id", fq.Check}, {"asset", fq.Asset}} {
		if f.v != "" {
			q += " AND " + f.col + " = ?"
			args = append(args, f.v)
		}
	}
	if fq.Control != "" {
		q += ` AND controls LIKE ? ESCAPE '\'`
		args = append(args, "%,"+likeEscape(fq.Control)+",%")
	}
	if c != nil {
		q += " AND (severity_order, id) > (?, ?)"
		args = append(args, c.Num, c.ID)
	}
	q += " ORDER BY severity_order, id LIMIT ?"
	args = append(args, n+1)
	var orders []int64 // the sort key of each row, for the cursor
	out, more, err := queryPage(ctx, t.s.b, "list findings", q, args, n, func(r rowScanner) (store.Finding, error) {
		var ord int64
		f, err := scanFinding(r, &ord)
		orders = append(orders, ord)
		return f, err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		next = cursor{Sort: "findings", Num: orders[n-1], ID: out[n-1].ID}.encode()
	}
	return out, next, nil
}

func (t *tenantStore) GetFinding(ctx context.Context, id string) (store.Finding, error) {
	return t.getFinding(ctx, t.s.b, id, false)
}

func (t *tenantStore) getFinding(ctx context.Context, q querier, id string, lock bool) (store.Finding, error) {
	sql := "SELECT " + findingColumns + " FROM findings WHERE tenant_id = ? AND id = ?"
	if lock {
		sql += forUpdate(q)
	}
	f, err := scanFinding(q.queryRow(ctx, sql, t.id, id))
	if isNoRows(err) {
		return store.Finding{}, fmt.Errorf("finding %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Finding{}, dbErr("get finding", err)
	}
	return f, nil
}

// UpdateFinding sets a finding's state by hand. Risk acceptance needs a
// reason and an expiry in the future; for other states the reason is a
// comment and the expiry is cleared.
func (t *tenantStore) UpdateFinding(ctx context.Context, by store.Actor, id string, state store.FindingState, reason string, until *time.Time) (store.Finding, error) {
	actor, err := actorName(by)
	if err != nil {
		return store.Finding{}, fmt.Errorf("update finding: %w", err)
	}
	if !slices.Contains(findingStates, state) {
		return store.Finding{}, fmt.Errorf("update finding: state %q: use one of %v: %w", state, findingStates, store.ErrInvalid)
	}
	reason = strings.TrimSpace(reason)
	if err := checkText("reason", reason, 64<<10); err != nil {
		return store.Finding{}, fmt.Errorf("update finding: %w", err)
	}
	until = truncPtr(until)
	if state != store.RiskAccepted {
		until = nil
	}
	var out store.Finding
	err = t.s.write(ctx, func(w *txw) error {
		if state == store.RiskAccepted {
			if reason == "" || until == nil {
				return fmt.Errorf("accepting a risk needs a reason and an expiry: %w", store.ErrInvalid)
			}
			if !until.After(w.now) {
				return fmt.Errorf("the risk acceptance would expire at %s, which is not in the future: %w", until.Format(time.RFC3339), store.ErrInvalid)
			}
		}
		before, err := t.getFinding(ctx, w.q, id, true)
		if err != nil {
			return err
		}
		out = before
		out.State, out.Reason, out.AcceptedUntil = state, reason, until
		if _, err := w.q.exec(ctx, "UPDATE findings SET state = ?, reason = ?, accepted_until = ? WHERE tenant_id = ? AND id = ?",
			string(state), reason, microsPtr(until), t.id, id); err != nil {
			return dbErr("update finding", err)
		}
		return w.audit(t.id, actor, "finding.update", "finding", id, before, out)
	})
	if err != nil {
		return store.Finding{}, fmt.Errorf("update finding: %w", err)
	}
	return out, nil
}

// SoA is the Statement of Applicability, one entry per catalog control:
//   - Applicable is false when the latest assessment found the control not
//     applicable, or an approved, unexpired attestation says it is not;
//     Justification is the attestation's, else the assessment's rationale.
//   - Status is the latest assessment's; for a control the assessment does
//     not cover, the approved attestation's; else not-assessed.
//   - Findings counts the control's findings that are not resolved (open,
//     acknowledged or risk-accepted).
func (t *tenantStore) SoA(ctx context.Context, solutionID string) ([]store.SoAEntry, error) {
	var out []store.SoAEntry
	err := t.s.b.readTx(ctx, func(q querier) error {
		if _, err := t.getSolution(ctx, q, solutionID); err != nil {
			return err
		}
		latest := map[string]controlState{}
		var cs string
		err := q.queryRow(ctx, "SELECT control_status FROM assessments WHERE tenant_id = ? AND solution_id = ? ORDER BY assessed_at DESC, id DESC LIMIT 1",
			t.id, solutionID).Scan(&cs)
		if err != nil && !isNoRows(err) {
			return dbErr("read latest assessment", err)
		}
		if err == nil {
			if err := json.Unmarshal([]byte(cs), &latest); err != nil {
				return dbErr("decode latest assessment", err)
			}
		}

		approved := map[string]*store.Attestation{}
		rows, err := q.query(ctx, "SELECT "+attestationColumns+" FROM attestations WHERE tenant_id = ? AND solution_id = ? AND state = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY reviewed_at, id",
			t.id, solutionID, string(store.Approved), micros(t.s.now()))
		if err != nil {
			return dbErr("read attestations", err)
		}
		for rows.Next() {
			a, err := scanAttestation(rows)
			if err != nil {
				rows.Close()
				return dbErr("read attestations", err)
			}
			approved[a.Control] = &a // the latest review wins
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return dbErr("read attestations", err)
		}

		counts := map[string]int{}
		rows, err = q.query(ctx, "SELECT controls FROM findings WHERE tenant_id = ? AND solution_id = ? AND state <> ?", t.id, solutionID, string(store.Resolved))
		if err != nil {
			return dbErr("count findings", err)
		}
		for rows.Next() {
			var controls string
			if err := rows.Scan(&controls); err != nil {
				rows.Close()
				return dbErr("count findings", err)
			}
			for _, c := range strings.Split(strings.Trim(controls, ","), ",") {
				if c != "" {
					counts[c]++
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return dbErr("count findings", err)
		}

		out = make([]store.SoAEntry, 0, len(t.s.cat.Controls))
		for _, ctl := range t.s.cat.Controls {
			e := store.SoAEntry{Control: ctl.ID, Title: ctl.Title, Applicable: true, Status: model.NotAssessed, Findings: counts[ctl.ID]}
			st, assessed := latest[ctl.ID]
			att := approved[ctl.ID]
			e.Attestation = att
			switch {
			case att != nil && att.Status == model.NotApplicable:
				e.Applicable, e.Justification = false, att.Justification
			case assessed && st.Status == model.NotApplicable:
				e.Applicable, e.Justification = false, st.Rationale
			}
			switch {
			case !e.Applicable:
				e.Status = model.NotApplicable
			case assessed:
				e.Status = st.Status
			case att != nil:
				e.Status = att.Status
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("statement of applicability: %w", err)
	}
	return out, nil
}
