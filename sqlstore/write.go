package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/iotguard/iotguard/auditlog"
	"github.com/iotguard/iotguard/store"
)

// auditLockID is the PostgreSQL advisory lock that serialises appends to
// the audit chain (the chain is global: one sequence for all tenants).
const auditLockID int64 = 0x696f74_6775617264 // "iotguard"

// txw is a write transaction in progress: the changes go through q, and
// the audit records collected in recs are appended, chained and signed
// just before commit, in the same transaction.
type txw struct {
	q    querier
	now  time.Time
	recs []store.AuditRecord
}

// precomputed is a digest already made (of a device batch), used as is.
type precomputed string

// audit records one change. before and after are the object's states
// (nil for none); their JSON digests go to the log, not the objects.
func (w *txw) audit(tenantID, actor, action, objectType, objectID string, before, after any) error {
	r := store.AuditRecord{
		TenantID:   tenantID,
		Actor:      actor,
		At:         w.now,
		Action:     action,
		ObjectType: objectType,
		ObjectID:   objectID,
	}
	var err error
	if r.BeforeSHA256, err = digest(before); err != nil {
		return err
	}
	if r.AfterSHA256, err = digest(after); err != nil {
		return err
	}
	w.recs = append(w.recs, r)
	return nil
}

func digest(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case precomputed:
		return string(v), nil
	}
	return auditlog.Digest(v)
}

// write runs fn in a write transaction and appends its audit records in
// that transaction. A PostgreSQL transaction that lost a race with another
// (deadlock) is run again, so fn must only read its inputs, never consume
// a stream.
func (s *Store) write(ctx context.Context, fn func(w *txw) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var cp *store.Checkpoint
		err = s.b.writeTx(ctx, func(q querier) error {
			w := &txw{q: q, now: s.now()}
			if err := fn(w); err != nil {
				return err
			}
			var err error
			cp, err = s.appendAudit(ctx, w)
			return err
		})
		if err == nil {
			if cp != nil {
				s.updateWitness(*cp)
			}
			return nil
		}
		if !isRetryable(err) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return err
}

// appendAudit chains w's records after the current head and, every
// CheckpointEvery records, signs the new head. It returns the checkpoint
// made, if any.
func (s *Store) appendAudit(ctx context.Context, w *txw) (*store.Checkpoint, error) {
	if len(w.recs) == 0 {
		return nil, nil
	}
	q := w.q
	if q.dialect() == dialectPostgres {
		// Taken last in the transaction, after every row lock the change
		// needed, so it is held only for the append and commit.
		if _, err := q.exec(ctx, "SELECT pg_advisory_xact_lock(?)", auditLockID); err != nil {
			return nil, dbErr("lock audit log", err)
		}
	}
	var (
		seq  int64
		hash string
	)
	err := q.queryRow(ctx, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").Scan(&seq, &hash)
	if err != nil && !isNoRows(err) {
		return nil, dbErr("read audit head", err)
	}
	if s.opt.CheckpointEvery <= 1 && seq > 0 {
		if err := checkHeadSigned(ctx, q, seq, hash); err != nil {
			return nil, err
		}
	}
	for i := range w.recs {
		r := &w.recs[i]
		r.Seq, r.PrevHash = seq+1, hash
		r.Hash = auditlog.Hash(hash, *r)
		if _, err := q.exec(ctx, `INSERT INTO audit_log (seq, tenant_id, actor, at, action, object_type, object_id, before_sha256, after_sha256, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Seq, r.TenantID, r.Actor, micros(r.At), r.Action, r.ObjectType, r.ObjectID, r.BeforeSHA256, r.AfterSHA256, r.PrevHash, r.Hash); err != nil {
			return nil, dbErr("append audit record", err)
		}
		seq, hash = r.Seq, r.Hash
	}
	if every := int64(s.opt.CheckpointEvery); every > 1 {
		var last int64
		if err := q.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM audit_checkpoints").Scan(&last); err != nil {
			return nil, dbErr("read audit checkpoints", err)
		}
		if seq-last < every {
			return nil, nil
		}
	}
	cp := auditlog.Sign(s.key, seq, hash, w.now)
	if err := insertCheckpoint(ctx, q, cp); err != nil {
		return nil, err
	}
	return &cp, nil
}

func insertCheckpoint(ctx context.Context, q querier, cp store.Checkpoint) error {
	if _, err := q.exec(ctx, "INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?)",
		cp.Seq, cp.Hash, micros(cp.At), cp.KeyID, cp.Signature); err != nil {
		return dbErr("write audit checkpoint", err)
	}
	return nil
}

// updateWitness writes a committed checkpoint to the witness file, unless
// the file already holds a later one (another process may share the key).
// It runs after commit: a witness ahead of the database would look like
// truncation. A failure is logged and reported by Ping, but does not undo
// the committed change.
func (s *Store) updateWitness(cp store.Checkpoint) {
	s.witnessMu.Lock()
	defer s.witnessMu.Unlock()
	if cp.Seq <= s.witnessSeq {
		return
	}
	path := auditlog.WitnessPath(s.keyFile)
	if cur, err := auditlog.ReadWitness(path); err == nil && cur != nil && cur.Seq >= cp.Seq {
		s.witnessSeq = cur.Seq
		return
	}
	if err := auditlog.WriteWitness(path, cp); err != nil {
		s.witnessErr = fmt.Errorf("audit witness %s not updated to checkpoint %d: %w", path, cp.Seq, err)
		s.log.Error("audit witness not updated", "path", path, "seq", cp.Seq, "error", err)
		return
	}
	s.witnessSeq, s.witnessErr = cp.Seq, nil
}
