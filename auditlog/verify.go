package auditlog

import (
	"crypto/ed25519"
	"fmt"
	"iter"
	"runtime"
	"sync"

	"github.com/iotguard/iotguard/store"
)

// Verifier checks an audit log against a trusted public key.
type Verifier struct {
	// PublicKey verifies the checkpoints and the witness.
	PublicKey ed25519.PublicKey
	// Witness is the latest checkpoint kept outside the database (the
	// <key>.head file); nil when there is none.
	Witness *store.Checkpoint
	// AllowUnsignedTail accepts records after the last checkpoint. It is
	// needed only when checkpoints are made every N > 1 transactions:
	// when every transaction signs its head, a record no checkpoint covers
	// was written by someone without the key.
	AllowUnsignedTail bool
}

// Verify is Verifier{pub, witness, false}.Verify: the strict check for a
// log whose every transaction is checkpointed.
func Verify(records iter.Seq2[store.AuditRecord, error], checkpoints iter.Seq2[store.Checkpoint, error], pub ed25519.PublicKey, witness *store.Checkpoint) (store.VerifyResult, error) {
	return Verifier{PublicKey: pub, Witness: witness}.Verify(records, checkpoints)
}

// Verify recomputes the chain over records (in seq order) and checks
// every checkpoint (in seq order) and the witness against it. A result
// that is not OK names the first bad sequence number and the problem; the
// error is for failures to read, not for tampering.
func (v Verifier) Verify(records iter.Seq2[store.AuditRecord, error], checkpoints iter.Seq2[store.Checkpoint, error]) (store.VerifyResult, error) {
	c := newChain(v)
	defer c.settle()
	nextCP, stop := iter.Pull2(checkpoints)
	defer stop()
	var (
		cp   store.Checkpoint
		have bool
	)
	pull := func() error {
		var err error
		cp, err, have = nextCP()
		if have && err != nil {
			return err
		}
		return nil
	}
	if err := pull(); err != nil {
		return store.VerifyResult{}, fmt.Errorf("read audit checkpoints: %w", err)
	}
	for r, err := range records {
		if err != nil {
			return store.VerifyResult{}, fmt.Errorf("read audit records: %w", err)
		}
		if !c.record(r) {
			return c.result(), nil
		}
		for have && cp.Seq <= c.lastSeq {
			if !c.checkpoint(cp) {
				return c.result(), nil
			}
			if err := pull(); err != nil {
				return store.VerifyResult{}, fmt.Errorf("read audit checkpoints: %w", err)
			}
		}
	}
	for have {
		if !c.beyondEnd(cp) {
			return c.result(), nil
		}
		if err := pull(); err != nil {
			return store.VerifyResult{}, fmt.Errorf("read audit checkpoints: %w", err)
		}
	}
	c.finish()
	return c.result(), nil
}

// chain is the verification state, fed one record or checkpoint at a
// time in sequence order; the first problem stops it.
type chain struct {
	v        Verifier
	prevHash string
	lastSeq  int64
	// signed is the highest seq a valid checkpoint vouches for.
	signed  int64
	records int64
	cps     int
	bad     bool
	badSeq  int64
	problem string
	sigs    *sigCheck
}

func newChain(v Verifier) *chain { return &chain{v: v, sigs: newSigCheck(v.PublicKey)} }

// settle waits for the signature checks in flight and makes the earliest
// bad signature the result if it comes before the problem found inline.
func (c *chain) settle() {
	seq, err := c.sigs.wait()
	if err != nil && (!c.bad || seq <= c.badSeq) {
		c.fail(seq, "%v", err)
	}
}

// sigCheck verifies checkpoint signatures on every CPU while the chain
// walk goes on: an Ed25519 verification costs far more than a SHA-256,
// and with a checkpoint per transaction there is one per record or so.
type sigCheck struct {
	pub  ed25519.PublicKey
	jobs chan store.Checkpoint
	wg   sync.WaitGroup
	once sync.Once

	mu     sync.Mutex
	badSeq int64
	err    error
}

func newSigCheck(pub ed25519.PublicKey) *sigCheck {
	s := &sigCheck{pub: pub, jobs: make(chan store.Checkpoint, 256)}
	for range runtime.GOMAXPROCS(0) {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for cp := range s.jobs {
				if err := VerifyCheckpoint(s.pub, cp); err != nil {
					s.mu.Lock()
					if s.err == nil || cp.Seq < s.badSeq {
						s.badSeq, s.err = cp.Seq, err
					}
					s.mu.Unlock()
				}
			}
		}()
	}
	return s
}

func (s *sigCheck) submit(cp store.Checkpoint) { s.jobs <- cp }

// wait ends the checks and returns the earliest bad signature, if any.
func (s *sigCheck) wait() (int64, error) {
	s.once.Do(func() {
		close(s.jobs)
		s.wg.Wait()
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.badSeq, s.err
}

func (c *chain) fail(seq int64, format string, args ...any) bool {
	c.bad, c.badSeq, c.problem = true, seq, fmt.Sprintf(format, args...)
	return false
}

// record checks one record; false means stop.
func (c *chain) record(r store.AuditRecord) bool {
	want := c.lastSeq + 1
	switch {
	case r.Seq > want:
		return c.fail(want, "record %d is missing (the next record is %d): deleted", want, r.Seq)
	case r.Seq < want:
		return c.fail(r.Seq, "record %d appears again after record %d: inserted or reordered", r.Seq, c.lastSeq)
	case r.PrevHash != c.prevHash:
		return c.fail(r.Seq, "record %d does not link to record %d (prev_hash differs): records deleted, inserted or reordered", r.Seq, c.lastSeq)
	case Hash(c.prevHash, r) != r.Hash:
		return c.fail(r.Seq, "record %d does not match its hash: edited", r.Seq)
	}
	c.prevHash, c.lastSeq = r.Hash, r.Seq
	c.records++
	if w := c.v.Witness; w != nil && w.Seq == r.Seq {
		if err := VerifyCheckpoint(c.v.PublicKey, *w); err != nil {
			return c.fail(w.Seq, "witness: %v", err)
		}
		if w.Hash != r.Hash {
			return c.fail(c.signed+1, "record %d differs from the witness signed at %s: records after %d were rewritten", r.Seq, FormatTime(w.At), c.signed)
		}
		c.signed = r.Seq
	}
	return true
}

// checkpoint checks a checkpoint of the record just fed; false means stop.
// One that matches the chain has its signature checked in the background;
// one that does not is checked here, to say which problem it is.
func (c *chain) checkpoint(cp store.Checkpoint) bool {
	if cp.Seq == c.lastSeq && cp.Hash == c.prevHash {
		c.sigs.submit(cp)
		c.signed = cp.Seq
		c.cps++
		return true
	}
	if err := VerifyCheckpoint(c.v.PublicKey, cp); err != nil {
		return c.fail(cp.Seq, "%v", err)
	}
	if cp.Seq != c.lastSeq {
		return c.fail(cp.Seq, "checkpoint %d has no record %d before it", cp.Seq, cp.Seq)
	}
	if cp.Hash != c.prevHash {
		return c.fail(c.signed+1, "record %d differs from its signed checkpoint: records %d to %d were rewritten", cp.Seq, c.signed+1, cp.Seq)
	}
	c.signed = cp.Seq
	c.cps++
	return true
}

// beyondEnd handles a checkpoint past the last record: a signed one means
// the chain was cut short.
func (c *chain) beyondEnd(cp store.Checkpoint) bool {
	if err := VerifyCheckpoint(c.v.PublicKey, cp); err != nil {
		return c.fail(cp.Seq, "%v", err)
	}
	return c.fail(c.lastSeq+1, "the chain ends at record %d but a signed checkpoint covers record %d: truncated", c.lastSeq, cp.Seq)
}

// finish applies the checks that need the whole chain.
func (c *chain) finish() bool {
	if w := c.v.Witness; w != nil && w.Seq > c.lastSeq {
		if err := VerifyCheckpoint(c.v.PublicKey, *w); err != nil {
			return c.fail(w.Seq, "witness: %v", err)
		}
		return c.fail(c.lastSeq+1, "the chain ends at record %d but the witness signed at %s covers record %d: truncated", c.lastSeq, FormatTime(w.At), w.Seq)
	}
	if !c.v.AllowUnsignedTail && c.lastSeq > c.signed {
		return c.fail(c.signed+1, "records %d to %d are not covered by a signed checkpoint: appended without the key", c.signed+1, c.lastSeq)
	}
	return true
}

func (c *chain) result() store.VerifyResult {
	c.settle()
	r := store.VerifyResult{OK: !c.bad, Records: c.records, Checkpoints: c.cps}
	if c.bad {
		r.FirstBadSeq, r.Problem = c.badSeq, c.problem
	}
	return r
}
