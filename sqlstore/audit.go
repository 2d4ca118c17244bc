package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"strconv"

	"github.com/iotguard/iotguard/auditlog"
	"github.com/iotguard/iotguard/store"
)

// auditLog reads, verifies, exports and checkpoints the chain that every
// write appends to (see write.go).
type auditLog struct{ s *Store }

// auditChunk is how many records or checkpoints one query reads: verifying
// and exporting run in constant memory whatever the log's length.
const auditChunk = 5000

// ErrHeadNotSigned is a write refused because the chain's last record is
// not covered by a checkpoint although every transaction signs its head:
// someone appended or changed records without the key. Appending after
// them would make the next checkpoint vouch for them.
var ErrHeadNotSigned = fmt.Errorf("%w: the last record is not covered by a signed checkpoint: records were written without the key; run `iotguard audit verify`", store.ErrTampered)

// checkHeadSigned is the fail-closed check of strict mode (CheckpointEvery 1).
func checkHeadSigned(ctx context.Context, q querier, seq int64, hash string) error {
	var (
		cpSeq  int64
		cpHash string
	)
	err := q.queryRow(ctx, "SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1").Scan(&cpSeq, &cpHash)
	if err != nil && !isNoRows(err) {
		return dbErr("read audit checkpoints", err)
	}
	if cpSeq != seq || cpHash != hash {
		return fmt.Errorf("sqlstore: %w", ErrHeadNotSigned)
	}
	return nil
}

// records streams the chain in seq order within q's snapshot. seq and at
// are scanned loosely: a value of the wrong type (possible in SQLite after
// hand edits) makes that record fail its hash, not the whole read.
func records(ctx context.Context, q querier) iter.Seq2[store.AuditRecord, error] {
	return func(yield func(store.AuditRecord, error) bool) {
		after := int64(math.MinInt64)
		for {
			batch, err := readRecords(ctx, q, "WHERE seq > ? ORDER BY seq LIMIT ?", after, auditChunk)
			if err != nil {
				yield(store.AuditRecord{}, err)
				return
			}
			for _, r := range batch {
				if !yield(r, nil) {
					return
				}
			}
			if len(batch) < auditChunk {
				return
			}
			after = batch[len(batch)-1].Seq
		}
	}
}

func readRecords(ctx context.Context, q querier, where string, args ...any) ([]store.AuditRecord, error) {
	rows, err := q.query(ctx, "SELECT seq, tenant_id, actor, at, action, object_type, object_id, before_sha256, after_sha256, prev_hash, hash FROM audit_log "+where, args...)
	if err != nil {
		return nil, dbErr("read audit log", err)
	}
	defer rows.Close()
	var out []store.AuditRecord
	for rows.Next() {
		var (
			r       store.AuditRecord
			seq, at any
		)
		if err := rows.Scan(&seq, &r.TenantID, &r.Actor, &at, &r.Action, &r.ObjectType, &r.ObjectID, &r.BeforeSHA256, &r.AfterSHA256, &r.PrevHash, &r.Hash); err != nil {
			return nil, dbErr("read audit log", err)
		}
		var ok1, ok2 bool
		r.Seq, ok1 = asInt64(seq)
		var us int64
		us, ok2 = asInt64(at)
		r.At = fromMicros(us)
		if !ok1 || !ok2 {
			r.Hash = "unreadable: " + r.Hash
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("read audit log", err)
	}
	return out, nil
}

func asInt64(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case int32:
		return int64(v), true
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	case []byte:
		n, err := strconv.ParseInt(string(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// checkpoints streams the checkpoints in seq order within q's snapshot.
func checkpoints(ctx context.Context, q querier) iter.Seq2[store.Checkpoint, error] {
	return func(yield func(store.Checkpoint, error) bool) {
		after := int64(math.MinInt64)
		for {
			batch, err := readCheckpoints(ctx, q, "WHERE seq > ? ORDER BY seq LIMIT ?", after, auditChunk)
			if err != nil {
				yield(store.Checkpoint{}, err)
				return
			}
			for _, c := range batch {
				if !yield(c, nil) {
					return
				}
			}
			if len(batch) < auditChunk {
				return
			}
			after = batch[len(batch)-1].Seq
		}
	}
}

func readCheckpoints(ctx context.Context, q querier, where string, args ...any) ([]store.Checkpoint, error) {
	rows, err := q.query(ctx, "SELECT seq, hash, at, key_id, signature FROM audit_checkpoints "+where, args...)
	if err != nil {
		return nil, dbErr("read audit checkpoints", err)
	}
	defer rows.Close()
	var out []store.Checkpoint
	for rows.Next() {
		var (
			c       store.Checkpoint
			seq, at any
		)
		if err := rows.Scan(&seq, &c.Hash, &at, &c.KeyID, &c.Signature); err != nil {
			return nil, dbErr("read audit checkpoints", err)
		}
		var ok1, ok2 bool
		c.Seq, ok1 = asInt64(seq)
		var us int64
		us, ok2 = asInt64(at)
		c.At = fromMicros(us)
		if !ok1 || !ok2 {
			c.Signature = "unreadable"
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("read audit checkpoints", err)
	}
	return out, nil
}

func (l auditLog) verifier() (auditlog.Verifier, error) {
	w, err := auditlog.ReadWitness(auditlog.WitnessPath(l.s.keyFile))
	if err != nil {
		return auditlog.Verifier{}, err
	}
	return auditlog.Verifier{PublicKey: l.s.PublicKey(), Witness: w, AllowUnsignedTail: l.s.opt.CheckpointEvery > 1}, nil
}

// Verify checks the whole chain, the checkpoints and the witness on one
// snapshot. The witness is read before the snapshot starts: it is written
// after each commit, so everything it vouches for is in the snapshot.
func (l auditLog) Verify(ctx context.Context) (store.VerifyResult, error) {
	v, err := l.verifier()
	if err != nil {
		return store.VerifyResult{Problem: err.Error()}, nil
	}
	var res store.VerifyResult
	err = l.s.b.readTx(ctx, func(q querier) error {
		var err error
		if res, err = v.Verify(records(ctx, q), checkpoints(ctx, q)); err != nil || !res.OK {
			return err
		}
		// Rows the ordered walk cannot see: a NULL or repeated seq (only
		// possible after someone changed the table's constraints).
		var n int64
		if err := q.queryRow(ctx, "SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil {
			return dbErr("count audit log", err)
		}
		if n != res.Records {
			var dup *int64
			if err := q.queryRow(ctx, "SELECT MIN(seq) FROM (SELECT seq FROM audit_log GROUP BY seq HAVING COUNT(*) > 1) d").Scan(&dup); err != nil {
				return dbErr("find repeated audit records", err)
			}
			res.OK = false
			if dup != nil {
				res.FirstBadSeq = *dup
			}
			res.Problem = fmt.Sprintf("the table holds %d records but the chain has %d: records with a repeated or missing seq were inserted", n, res.Records)
		}
		return nil
	})
	if err != nil {
		return store.VerifyResult{}, fmt.Errorf("verify audit log: %w", err)
	}
	return res, nil
}

// Export writes the log, its checkpoints and the public key as JSON lines
// (see auditlog.Exporter) from one snapshot.
func (l auditLog) Export(ctx context.Context, w io.Writer) error {
	if l.s.opt.CheckpointEvery > 1 {
		// Sign the head so the export verifies strictly.
		if _, err := l.s.checkpoint(ctx); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("export audit log: %w", err)
		}
	}
	v, err := l.verifier()
	if err != nil {
		return fmt.Errorf("export audit log: %w", err)
	}
	e := auditlog.Exporter{PublicKey: v.PublicKey, ExportedAt: l.s.now(), Witness: v.Witness}
	if err := l.s.b.readTx(ctx, func(q querier) error {
		return e.Write(w, records(ctx, q), checkpoints(ctx, q))
	}); err != nil {
		return fmt.Errorf("export audit log: %w", err)
	}
	return nil
}

// Checkpoint signs the current head, or returns the checkpoint that
// already signs it. With CheckpointEvery 1 every head is signed when it is
// written, so an unsigned head is refused (ErrHeadNotSigned) rather than
// signed: signing it would vouch for records written without the key.
func (l auditLog) Checkpoint(ctx context.Context) (store.Checkpoint, error) {
	return l.s.checkpoint(ctx)
}

func (s *Store) checkpoint(ctx context.Context) (store.Checkpoint, error) {
	var (
		cp   store.Checkpoint
		made bool
	)
	err := s.b.writeTx(ctx, func(q querier) error {
		if q.dialect() == dialectPostgres {
			if _, err := q.exec(ctx, "SELECT pg_advisory_xact_lock(?)", auditLockID); err != nil {
				return dbErr("lock audit log", err)
			}
		}
		head, err := readRecords(ctx, q, "ORDER BY seq DESC LIMIT 1")
		if err != nil {
			return err
		}
		if len(head) == 0 {
			return fmt.Errorf("the audit log is empty: %w", store.ErrNotFound)
		}
		last, err := readCheckpoints(ctx, q, "ORDER BY seq DESC LIMIT 1")
		if err != nil {
			return err
		}
		if len(last) == 1 && last[0].Seq == head[0].Seq && last[0].Hash == head[0].Hash {
			cp = last[0]
			return nil
		}
		if s.opt.CheckpointEvery <= 1 {
			return ErrHeadNotSigned
		}
		cp = auditlog.Sign(s.key, head[0].Seq, head[0].Hash, s.now())
		made = true
		return insertCheckpoint(ctx, q, cp)
	})
	if err != nil {
		return store.Checkpoint{}, fmt.Errorf("sqlstore: audit checkpoint: %w", err)
	}
	if made {
		s.updateWitness(cp)
	}
	return cp, nil
}

// List returns a tenant's audit records, newest first; tenantID "" lists
// the platform records (users and tokens), which belong to no tenant.
func (l auditLog) List(ctx context.Context, tenantID string, p store.Page) ([]store.AuditRecord, string, error) {
	n, err := limit(p)
	if err != nil {
		return nil, "", fmt.Errorf("list audit records: %w", err)
	}
	c, err := decodeCursor(p.After, "audit")
	if err != nil {
		return nil, "", fmt.Errorf("list audit records: %w", err)
	}
	where := "WHERE tenant_id = ?"
	args := []any{tenantID}
	if c != nil {
		where += " AND seq < ?"
		args = append(args, c.Num)
	}
	args = append(args, n+1)
	out, err := readRecords(ctx, l.s.b, where+" ORDER BY seq DESC LIMIT ?", args...)
	if err != nil {
		return nil, "", fmt.Errorf("list audit records: %w", err)
	}
	if out == nil {
		out = []store.AuditRecord{}
	}
	next := ""
	if len(out) > n {
		out = out[:n]
		next = cursor{Sort: "audit", Num: out[n-1].Seq, ID: "-"}.encode()
	}
	return out, next, nil
}
