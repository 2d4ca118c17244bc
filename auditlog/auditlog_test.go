package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/store"
)

var (
	seed    = bytes.Repeat([]byte{7}, ed25519.SeedSize)
	testKey = ed25519.NewKeyFromSeed(seed)
	testPub = testKey.Public().(ed25519.PublicKey)
	t0      = time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)
)

// makeChain builds n records with a checkpoint of every head, as a store
// that signs every transaction does, and the witness of the last one.
func makeChain(n int) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
	var (
		recs []store.AuditRecord
		cps  []store.Checkpoint
		prev string
	)
	for i := 1; i <= n; i++ {
		r := store.AuditRecord{Seq: int64(i), TenantID: "acme", Actor: "alice", At: t0.Add(time.Duration(i) * time.Second),
			Action: "solution.create", ObjectType: "solution", ObjectID: "s" + string(rune('a'+i%26)), AfterSHA256: strings.Repeat("a", 64), PrevHash: prev}
		r.Hash = Hash(prev, r)
		prev = r.Hash
		recs = append(recs, r)
		cps = append(cps, Sign(testKey, r.Seq, r.Hash, r.At))
	}
	var w *store.Checkpoint
	if n > 0 {
		w = &cps[len(cps)-1]
	}
	return recs, cps, w
}

func seq2[T any](s []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range s {
			if !yield(v, nil) {
				return
			}
		}
	}
}

// rehash recomputes the chain from index i on, as an attacker who knows
// SHA-256 but not the key can.
func rehash(recs []store.AuditRecord, from int) {
	prev := ""
	if from > 0 {
		prev = recs[from-1].Hash
	}
	for i := from; i < len(recs); i++ {
		recs[i].PrevHash = prev
		recs[i].Hash = Hash(prev, recs[i])
		prev = recs[i].Hash
	}
}

func TestCanonicalIsStable(t *testing.T) {
	r := store.AuditRecord{Seq: 1, Actor: "a<b>&c", At: time.Date(2026, 3, 1, 11, 0, 0, 500, time.FixedZone("CET", 3600)), Action: "x", Hash: "ignored", PrevHash: "ignored"}
	want := `{"action":"x","actor":"a<b>&c","after_sha256":"","at":"2026-03-01T10:00:00.0000005Z","before_sha256":"","object_id":"","object_type":"","seq":1,"tenant_id":"","v":1}`
	if got := string(Canonical(r)); got != want {
		t.Errorf("Canonical =\n%s\nwant\n%s", got, want)
	}
	sum := sha256.Sum256(append([]byte("prev"), want...))
	if got := Hash("prev", r); got != hex.EncodeToString(sum[:]) {
		t.Errorf("Hash = %s, want SHA-256(prev || canonical)", got)
	}
}

func TestVerifyDetectsEveryTamperKind(t *testing.T) {
	otherKey := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	for _, tc := range []struct {
		name        string
		tamper      func(recs []store.AuditRecord, cps []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint)
		allowTail   bool
		wantBad     int64
		wantProblem string
	}{
		{name: "intact"},
		{name: "edited", wantBad: 4, wantProblem: "edited", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			r[3].Action = "solution.delete"
			return r, c, w
		}},
		{name: "edited and the chain rehashed", wantBad: 4, wantProblem: "rewritten", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			r[3].Actor = "mallory"
			rehash(r, 3)
			return r, c, w
		}},
		{name: "deleted", wantBad: 5, wantProblem: "missing", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			return slices.Delete(r, 4, 5), c, w
		}},
		{name: "deleted, renumbered and rehashed", wantBad: 5, wantProblem: "rewritten", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			r = slices.Delete(r, 4, 5)
			for i := 4; i < len(r); i++ {
				r[i].Seq--
			}
			rehash(r, 4)
			return r, c, w
		}},
		{name: "inserted at the end with a valid hash", wantBad: 9, wantProblem: "not covered by a signed checkpoint", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			f := r[7]
			f.Seq, f.Action = 9, "forged"
			r = append(r, f)
			rehash(r, 8)
			return r, c, w
		}},
		{name: "inserted at the end, unsigned tails allowed", allowTail: true, tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			f := r[7]
			f.Seq = 9
			r = append(r, f)
			rehash(r, 8)
			return r, c, w
		}},
		{name: "inserted in the middle, shifted and rehashed", wantBad: 3, wantProblem: "rewritten", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			f := r[2]
			f.Action = "forged"
			r = slices.Insert(r, 2, f)
			for i := range r {
				r[i].Seq = int64(i + 1)
			}
			rehash(r, 2)
			return r, c, w
		}},
		{name: "inserted in the middle with its own seq", wantBad: 3, wantProblem: "appears again", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			f := r[2]
			f.Action = "forged"
			return slices.Insert(r, 3, f), c, w
		}},
		{name: "reordered", wantBad: 3, wantProblem: "does not link", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			r[2], r[5] = r[5], r[2]
			r[2].Seq, r[5].Seq = 3, 6
			return r, c, w
		}},
		{name: "truncated records, checkpoints kept", wantBad: 7, wantProblem: "truncated", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			return r[:6], c, w
		}},
		{name: "truncated records and checkpoints: the witness tells", wantBad: 7, wantProblem: "witness", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			return r[:6], c[:6], w
		}},
		{name: "truncated records and checkpoints, no witness: undetectable", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			return r[:6], c[:6], nil
		}},
		{name: "checkpoint signature forged", wantBad: 5, wantProblem: "signature invalid", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			c[4].Hash = strings.Repeat("0", 64)
			return r, c, w
		}},
		{name: "checkpoint by another key", wantBad: 2, wantProblem: "not the trusted key", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			c[1] = Sign(otherKey, c[1].Seq, c[1].Hash, c[1].At)
			return r, c, w
		}},
		{name: "rewritten chain re-signed by another key", wantBad: 1, wantProblem: "not the trusted key", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			r[0].Actor = "mallory"
			rehash(r, 0)
			for i := range c {
				c[i] = Sign(otherKey, r[i].Seq, r[i].Hash, r[i].At)
			}
			return r, c, nil
		}},
		{name: "witness forged", wantBad: 8, wantProblem: "witness", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			f := *w
			f.At = f.At.Add(time.Hour)
			return r, c, &f
		}},
		{name: "history rewritten after the witness's head", wantBad: 1, wantProblem: "witness", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			r[0].Actor = "mallory"
			rehash(r, 0)
			return r, nil, w
		}},
		{name: "empty log", tamper: func(r []store.AuditRecord, c []store.Checkpoint, w *store.Checkpoint) ([]store.AuditRecord, []store.Checkpoint, *store.Checkpoint) {
			return nil, nil, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, cps, w := makeChain(8)
			if tc.tamper != nil {
				recs, cps, w = tc.tamper(recs, cps, w)
			}
			v := Verifier{PublicKey: testPub, Witness: w, AllowUnsignedTail: tc.allowTail}
			res, err := v.Verify(seq2(recs), seq2(cps))
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != (tc.wantBad == 0) || res.FirstBadSeq != tc.wantBad || !strings.Contains(res.Problem, tc.wantProblem) {
				t.Errorf("Verify = %+v, want first bad %d with %q", res, tc.wantBad, tc.wantProblem)
			}
			if res.OK && res.Records != int64(len(recs)) {
				t.Errorf("Records = %d, want %d", res.Records, len(recs))
			}
		})
	}
}

func TestVerifyReportsReadErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	bad := func(yield func(store.AuditRecord, error) bool) { yield(store.AuditRecord{}, boom) }
	if _, err := Verify(bad, seq2[store.Checkpoint](nil), testPub, nil); !errors.Is(err, boom) {
		t.Errorf("error = %v, want the read error", err)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "audit.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %o, want 600", info.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.Equal(k2) {
		t.Error("loading the key again gives another key")
	}
	pub, err := ReadPublicKeyFile(PublicKeyPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(k1.Public()) {
		t.Error("the .pub file holds another key")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a key readable by others is accepted: %v", err)
	}

	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"raw seed", seed, true},
		{"hex seed", []byte(hex.EncodeToString(seed) + "\n"), true},
		{"short", []byte("abc"), false},
		{"wrong PEM type", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), false},
	} {
		k, err := ParsePrivateKey(tc.data)
		if (err == nil) != tc.ok || (tc.ok && !k.Equal(testKey)) {
			t.Errorf("%s: key %v, error %v", tc.name, k != nil, err)
		}
	}
	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"PEM", MarshalPublicKey(testPub), true},
		{"raw", testPub, true},
		{"hex", []byte(hex.EncodeToString(testPub)), true},
		{"base64", []byte("  " + b64(testPub) + "\n"), true},
		{"garbage", []byte("not a key"), false},
	} {
		p, err := ParsePublicKey(tc.data)
		if (err == nil) != tc.ok || (tc.ok && !p.Equal(testPub)) {
			t.Errorf("%s: key %v, error %v", tc.name, p != nil, err)
		}
	}

	wpath := WitnessPath(path)
	if w, err := ReadWitness(wpath); w != nil || err != nil {
		t.Errorf("missing witness = %v, %v; want nil, nil", w, err)
	}
	cp := Sign(testKey, 42, strings.Repeat("f", 64), t0)
	if err := WriteWitness(wpath, cp); err != nil {
		t.Fatal(err)
	}
	got, err := ReadWitness(wpath)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cp, *got); diff != "" {
		t.Errorf("witness round trip (-wrote +read):\n%s", diff)
	}
	if err := VerifyCheckpoint(testPub, *got); err != nil {
		t.Error(err)
	}
}

func TestVerifyCheckpointRejectsBadInput(t *testing.T) {
	cp := Sign(testKey, 1, "h", t0)
	for name, c := range map[string]store.Checkpoint{
		"bad base64":       {Seq: 1, Hash: "h", At: t0, KeyID: cp.KeyID, Signature: "!!!"},
		"short signature":  {Seq: 1, Hash: "h", At: t0, KeyID: cp.KeyID, Signature: b64([]byte("short"))},
		"other seq":        {Seq: 2, Hash: "h", At: t0, KeyID: cp.KeyID, Signature: cp.Signature},
		"other time":       {Seq: 1, Hash: "h", At: t0.Add(time.Nanosecond), KeyID: cp.KeyID, Signature: cp.Signature},
		"other key ID tag": {Seq: 1, Hash: "h", At: t0, KeyID: "0000000000000000", Signature: cp.Signature},
	} {
		if err := VerifyCheckpoint(testPub, c); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: error %v, want ErrBadSignature", name, err)
		}
	}
	if err := VerifyCheckpoint(nil, cp); err == nil {
		t.Error("verifying without a key succeeds")
	}
}

// BenchmarkVerify measures verification per record, with a checkpoint of
// every record (the default): one SHA-256 and one Ed25519 verification.
func BenchmarkVerify(b *testing.B) {
	recs, cps, w := makeChain(10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Verify(seq2(recs), seq2(cps), testPub, w)
		if err != nil || !res.OK {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}
