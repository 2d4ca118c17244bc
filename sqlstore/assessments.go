package sqlstore

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// gzipAbove is the report size from which reports are stored compressed.
const gzipAbove = 64 << 10

// controlState is what the SoA needs of one control of an assessment.
type controlState struct {
	Status    model.ControlStatus `json:"s"`
	Rationale string              `json:"r,omitempty"`
}

// Fingerprint identifies a finding across assessments: the SHA-256 of its
// check, asset and message, NUL-separated.
func Fingerprint(f model.Finding) string {
	h := sha256.New()
	h.Write([]byte(f.Check))
	h.Write([]byte{0})
	h.Write([]byte(f.Asset))
	h.Write([]byte{0})
	h.Write([]byte(f.Message))
	return hex.EncodeToString(h.Sum(nil))
}

// severityOrder sorts findings worst first.
func severityOrder(s model.Severity) int {
	if i := slices.Index(model.Severities, s); i >= 0 {
		return i
	}
	return len(model.Severities)
}

// controlsKey stores a finding's controls so one LIKE finds a control.
func controlsKey(ids []string) string { return "," + strings.Join(ids, ",") + "," }

// likeEscape escapes LIKE wildcards in a value (ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// encodeReport is the stored form of a report.
func encodeReport(a *model.Assessment) (encoding string, data []byte, err error) {
	raw, err := json.Marshal(a)
	if err != nil {
		return "", nil, fmt.Errorf("the assessment cannot be encoded: %w: %v", store.ErrInvalid, err)
	}
	// What is stored must read back: an empty status or severity, say,
	// marshals but does not unmarshal, and would fail every later read.
	if err := json.Unmarshal(raw, new(model.Assessment)); err != nil {
		return "", nil, fmt.Errorf("the assessment would not read back (%v): every check, control and finding needs a valid status and severity: %w", err, store.ErrInvalid)
	}
	if len(raw) < gzipAbove {
		return "json", raw, nil
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		return "", nil, fmt.Errorf("compress report: %w", err)
	}
	return "gzip", b.Bytes(), nil
}

func decodeReport(encoding string, data []byte) (*model.Assessment, error) {
	var r io.Reader = bytes.NewReader(data)
	if encoding == "gzip" {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("decompress report: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	var a model.Assessment
	if err := json.NewDecoder(r).Decode(&a); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	return &a, nil
}

// existingFinding is the part of a stored finding the lifecycle needs.
type existingFinding struct {
	id, check, state, reason string
	until                    *int64
	reopened                 int
}

// findingChange is one lifecycle transition, for the audit digest.
type findingChange struct {
	ID   string `json:"id"`
	From string `json:"from"`
	To   string `json:"to"`
}

// SaveAssessment stores the report and moves the solution's findings
// through their lifecycle:
//   - a finding of the report that is new is open; a resolved one is
//     re-opened (Reopened+1); a risk acceptance that has expired opens it
//     again; acknowledged and accepted findings otherwise stay as they are;
//   - a stored finding absent from the report is resolved, but only when
//     the report can vouch for its absence: its check ran (is in the
//     report's check list, or the report lists no checks), and, when the
//     report dropped findings beyond its limit (FindingsTruncated > 0),
//     that check failed on nothing. Otherwise it is left as it was: a
//     finding cut from a truncated report, or one of a check that did not
//     run (a report scoped to one role), is not evidence of a fix.
func (t *tenantStore) SaveAssessment(ctx context.Context, by store.Actor, solutionID string, a *model.Assessment) (store.AssessmentRecord, error) {
	actor, err := actorName(by)
	if err != nil {
		return store.AssessmentRecord{}, fmt.Errorf("save assessment: %w", err)
	}
	if a == nil {
		return store.AssessmentRecord{}, fmt.Errorf("save assessment: no assessment: %w", store.ErrInvalid)
	}
	if err := checkText("tool version", a.ToolVersion, 256); err != nil {
		return store.AssessmentRecord{}, fmt.Errorf("save assessment: %w", err)
	}
	encoding, report, err := encodeReport(a)
	if err != nil {
		return store.AssessmentRecord{}, fmt.Errorf("save assessment: %w", err)
	}
	summary, err := json.Marshal(a.Summary)
	if err != nil {
		return store.AssessmentRecord{}, fmt.Errorf("save assessment: summary: %w: %v", store.ErrInvalid, err)
	}
	controls := make(map[string]controlState, len(a.Controls))
	for _, c := range a.Controls {
		cs := controlState{Status: c.Status}
		if c.Status == model.NotApplicable {
			cs.Rationale = c.Rationale
		}
		controls[c.ID] = cs
	}
	controlJSON, err := json.Marshal(controls)
	if err != nil {
		return store.AssessmentRecord{}, fmt.Errorf("save assessment: %w: %v", store.ErrInvalid, err)
	}
	reportSum := sha256.Sum256(report)

	// The report's findings by fingerprint (a repeated one counts once).
	type incoming struct {
		f    model.Finding
		data string
	}
	byFP := make(map[string]incoming, len(a.Findings))
	order := make([]string, 0, len(a.Findings))
	for _, f := range a.Findings {
		if err := checkText("finding check", f.Check, 256); err != nil {
			return store.AssessmentRecord{}, fmt.Errorf("save assessment: %w", err)
		}
		if err := checkText("finding asset", f.Asset, 1024); err != nil {
			return store.AssessmentRecord{}, fmt.Errorf("save assessment: %w", err)
		}
		data, err := json.Marshal(f)
		if err != nil {
			return store.AssessmentRecord{}, fmt.Errorf("save assessment: finding: %w: %v", store.ErrInvalid, err)
		}
		fp := Fingerprint(f)
		if _, dup := byFP[fp]; !dup {
			order = append(order, fp)
		}
		byFP[fp] = incoming{f, string(data)}
	}
	// Which checks can vouch that their findings are gone.
	ran := map[string]bool{}
	for _, c := range a.Checks {
		ran[c.ID] = !(a.FindingsTruncated > 0 && c.Fail+c.Error > 0)
	}
	vouches := func(check string) bool {
		if len(a.Checks) == 0 {
			return a.FindingsTruncated == 0
		}
		return ran[check]
	}

	var rec store.AssessmentRecord
	err = t.s.write(ctx, func(w *txw) error {
		if err := t.lockSolution(ctx, w.q, solutionID); err != nil {
			return err
		}
		rec = store.AssessmentRecord{
			ID: newID(w.now), SolutionID: solutionID, ReceivedAt: w.now,
			AssessedAt: a.AssessedAt.UTC().Truncate(time.Microsecond), ToolVersion: a.ToolVersion, SubmittedBy: userRef(by),
		}
		if rec.AssessedAt.IsZero() {
			rec.AssessedAt = w.now
		}
		if err := json.Unmarshal(summary, &rec.Summary); err != nil {
			return fmt.Errorf("summary: %w", err)
		}
		if _, err := w.q.exec(ctx, `INSERT INTO assessments (tenant_id, id, solution_id, assessed_at, received_at, tool_version, summary,
			control_status, submitted_by, report_encoding, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.id, rec.ID, solutionID, micros(rec.AssessedAt), micros(rec.ReceivedAt), rec.ToolVersion, string(summary),
			string(controlJSON), rec.SubmittedBy, encoding, report); err != nil {
			return dbErr("insert assessment", err)
		}
		if err := w.audit(t.id, actor, "assessment.save", "assessment", rec.ID, nil, struct {
			Record       store.AssessmentRecord `json:"record"`
			ReportSHA256 string                 `json:"report_sha256"`
		}{rec, hex.EncodeToString(reportSum[:])}); err != nil {
			return err
		}

		existing, err := t.solutionFindings(ctx, w.q, solutionID)
		if err != nil {
			return err
		}
		seen := micros(rec.AssessedAt)
		now := micros(w.now)
		var changes []findingChange
		for _, fp := range order {
			in := byFP[fp]
			f := in.f
			old, ok := existing[fp]
			if !ok {
				id := newID(w.now)
				if _, err := w.q.exec(ctx, `INSERT INTO findings (tenant_id, id, solution_id, fingerprint, check_id, asset, severity, severity_order,
					controls, state, data, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					t.id, id, solutionID, fp, f.Check, f.Asset, string(f.Severity), severityOrder(f.Severity),
					controlsKey(f.Controls), string(store.Open), in.data, seen, seen); err != nil {
					return dbErr("insert finding", err)
				}
				changes = append(changes, findingChange{id, "", string(store.Open)})
				continue
			}
			state, reason, until, reopened := old.state, old.reason, old.until, old.reopened
			switch {
			case state == string(store.Resolved):
				state, reason, until, reopened = string(store.Open), "", nil, reopened+1
			case state == string(store.RiskAccepted) && (until == nil || *until <= now):
				state, reason, until = string(store.Open), "", nil
			}
			if state != old.state {
				changes = append(changes, findingChange{old.id, old.state, state})
			}
			if _, err := w.q.exec(ctx, `UPDATE findings SET severity = ?, severity_order = ?, controls = ?, state = ?, data = ?, reason = ?,
				accepted_until = ?, last_seen = ?, reopened = ? WHERE tenant_id = ? AND id = ?`,
				string(f.Severity), severityOrder(f.Severity), controlsKey(f.Controls), state, in.data, reason,
				until, seen, reopened, t.id, old.id); err != nil {
				return dbErr("update finding", err)
			}
		}
		for fp, old := range existing {
			if _, present := byFP[fp]; present || old.state == string(store.Resolved) || !vouches(old.check) {
				continue
			}
			if _, err := w.q.exec(ctx, "UPDATE findings SET state = ? WHERE tenant_id = ? AND id = ?", string(store.Resolved), t.id, old.id); err != nil {
				return dbErr("resolve finding", err)
			}
			changes = append(changes, findingChange{old.id, old.state, string(store.Resolved)})
		}
		if len(changes) > 0 {
			slices.SortFunc(changes, func(x, y findingChange) int { return strings.Compare(x.ID, y.ID) })
			return w.audit(t.id, actor, "finding.sync", "assessment", rec.ID, nil, changes)
		}
		return nil
	})
	if err != nil {
		return store.AssessmentRecord{}, fmt.Errorf("save assessment: %w", err)
	}
	return rec, nil
}

// solutionFindings reads the lifecycle state of a solution's findings.
func (t *tenantStore) solutionFindings(ctx context.Context, q querier, solutionID string) (map[string]existingFinding, error) {
	rows, err := q.query(ctx, "SELECT fingerprint, id, check_id, state, reason, accepted_until, reopened FROM findings WHERE tenant_id = ? AND solution_id = ?", t.id, solutionID)
	if err != nil {
		return nil, dbErr("read findings", err)
	}
	defer rows.Close()
	out := map[string]existingFinding{}
	for rows.Next() {
		var (
			fp string
			e  existingFinding
		)
		if err := rows.Scan(&fp, &e.id, &e.check, &e.state, &e.reason, &e.until, &e.reopened); err != nil {
			return nil, dbErr("read findings", err)
		}
		out[fp] = e
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("read findings", err)
	}
	return out, nil
}

const assessmentColumns = "id, solution_id, assessed_at, received_at, tool_version, summary, submitted_by"

func scanAssessment(r rowScanner, extra ...any) (store.AssessmentRecord, error) {
	var (
		rec                store.AssessmentRecord
		assessed, received int64
		summary            string
	)
	if err := r.Scan(append([]any{&rec.ID, &rec.SolutionID, &assessed, &received, &rec.ToolVersion, &summary, &rec.SubmittedBy}, extra...)...); err != nil {
		return store.AssessmentRecord{}, err
	}
	rec.AssessedAt, rec.ReceivedAt = fromMicros(assessed), fromMicros(received)
	if err := json.Unmarshal([]byte(summary), &rec.Summary); err != nil {
		return store.AssessmentRecord{}, fmt.Errorf("decode summary of %s: %w", rec.ID, err)
	}
	return rec, nil
}

func (t *tenantStore) ListAssessments(ctx context.Context, solutionID string, p store.Page) ([]store.AssessmentRecord, string, error) {
	n, err := limit(p)
	if err != nil {
		return nil, "", fmt.Errorf("list assessments: %w", err)
	}
	c, err := decodeCursor(p.After, "assessments")
	if err != nil {
		return nil, "", fmt.Errorf("list assessments: %w", err)
	}
	if _, err := t.getSolution(ctx, t.s.b, solutionID); err != nil {
		return nil, "", fmt.Errorf("list assessments: %w", err)
	}
	q := "SELECT " + assessmentColumns + " FROM assessments WHERE tenant_id = ? AND solution_id = ?"
	args := []any{t.id, solutionID}
	if c != nil {
		q += " AND (assessed_at, id) < (?, ?)"
		args = append(args, c.Num, c.ID)
	}
	q += " ORDER BY assessed_at DESC, id DESC LIMIT ?"
	args = append(args, n+1)
	out, more, err := queryPage(ctx, t.s.b, "list assessments", q, args, n, func(r rowScanner) (store.AssessmentRecord, error) { return scanAssessment(r) })
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		last := out[n-1]
		next = cursor{Sort: "assessments", Num: micros(last.AssessedAt), ID: last.ID}.encode()
	}
	return out, next, nil
}

func (t *tenantStore) GetAssessment(ctx context.Context, id string) (store.AssessmentRecord, *model.Assessment, error) {
	var (
		encoding string
		report   []byte
	)
	rec, err := scanAssessment(t.s.b.queryRow(ctx, "SELECT "+assessmentColumns+", report_encoding, report FROM assessments WHERE tenant_id = ? AND id = ?", t.id, id), &encoding, &report)
	if isNoRows(err) {
		return store.AssessmentRecord{}, nil, fmt.Errorf("assessment %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.AssessmentRecord{}, nil, dbErr("get assessment", err)
	}
	a, err := decodeReport(encoding, report)
	if err != nil {
		return store.AssessmentRecord{}, nil, dbErr("get assessment "+id, err)
	}
	return rec, a, nil
}
