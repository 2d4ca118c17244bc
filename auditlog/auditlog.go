// Package auditlog is the tamper-evidence of iotguard's audit log, with no
// SQL in it: the canonical form of a record, the SHA-256 hash chain over
// those forms, Ed25519-signed checkpoints of the chain head, the witness
// file kept outside the database, verification that names the first bad
// record, and the export an auditor verifies offline.
//
// The threat it answers (docs/server.md, "Audit log"): someone who can
// write to the database but not to the signing key's folder. Such a person
// can recompute SHA-256, so the chain alone only proves order; the signed
// checkpoints prove which heads iotguard itself produced, and the witness,
// which lives next to the key, proves how far the chain reached even when
// both the newest records and the newest checkpoints are deleted.
package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/iotguard/iotguard/store"
)

// canonicalRecord fixes the fields and their order (alphabetical, as
// RFC 8785 sorts keys) of a record's canonical form. Hash and PrevHash
// are left out: the hash is what is computed, and the previous hash is
// chained in front of the canonical bytes.
type canonicalRecord struct {
	Action       string `json:"action"`
	Actor        string `json:"actor"`
	AfterSHA256  string `json:"after_sha256"`
	At           string `json:"at"`
	BeforeSHA256 string `json:"before_sha256"`
	ObjectID     string `json:"object_id"`
	ObjectType   string `json:"object_type"`
	Seq          int64  `json:"seq"`
	TenantID     string `json:"tenant_id"`
	V            int    `json:"v"`
}

// FormatTime is the one text form of a time in canonical records and
// checkpoints: UTC, RFC 3339 with up to nanoseconds, trailing zeros cut.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Canonical returns the deterministic byte form of r that is hashed: a
// JSON object with keys in lexicographic order, no insignificant space,
// strings escaped by encoding/json without HTML escaping, and the time in
// FormatTime's form. Every field except Hash and PrevHash is included,
// empty or not, so no field can be dropped unnoticed.
func Canonical(r store.AuditRecord) []byte {
	return marshalCanonical(canonicalRecord{
		Action:       r.Action,
		Actor:        r.Actor,
		AfterSHA256:  r.AfterSHA256,
		At:           FormatTime(r.At),
		BeforeSHA256: r.BeforeSHA256,
		ObjectID:     r.ObjectID,
		ObjectType:   r.ObjectType,
		Seq:          r.Seq,
		TenantID:     r.TenantID,
		V:            1,
	})
}

func marshalCanonical(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only strings and integers are encoded: this cannot fail.
		panic(fmt.Sprintf("auditlog: canonical form: %v", err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// Hash chains r to the record before it: the lowercase hex SHA-256 of
// prev (the previous record's Hash, "" for the first record) followed by
// r's canonical form.
func Hash(prev string, r store.AuditRecord) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(Canonical(r))
	return hex.EncodeToString(h.Sum(nil))
}

// Digest is the lowercase hex SHA-256 of an object's JSON form, for a
// record's BeforeSHA256 and AfterSHA256. Go's encoding/json writes struct
// fields in declaration order and map keys sorted, so one value always
// has one digest.
func Digest(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit digest: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// canonicalCheckpoint is what a checkpoint signature covers. Type
// separates these signatures from anything else the key might sign.
type canonicalCheckpoint struct {
	At    string `json:"at"`
	Hash  string `json:"hash"`
	KeyID string `json:"key_id"`
	Seq   int64  `json:"seq"`
	Type  string `json:"type"`
}

const checkpointType = "iotguard.audit.checkpoint.v1"

// CanonicalCheckpoint returns the bytes a checkpoint's signature covers.
func CanonicalCheckpoint(c store.Checkpoint) []byte {
	return marshalCanonical(canonicalCheckpoint{
		At:    FormatTime(c.At),
		Hash:  c.Hash,
		KeyID: c.KeyID,
		Seq:   c.Seq,
		Type:  checkpointType,
	})
}

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])[:16]
}

// Sign makes a checkpoint of the chain head (seq, hash) at time at.
func Sign(key ed25519.PrivateKey, seq int64, hash string, at time.Time) store.Checkpoint {
	c := store.Checkpoint{
		Seq:   seq,
		Hash:  hash,
		At:    at.UTC(),
		KeyID: KeyID(key.Public().(ed25519.PublicKey)),
	}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, CanonicalCheckpoint(c)))
	return c
}

// ErrBadSignature is a checkpoint whose signature does not verify with the
// trusted key.
var ErrBadSignature = errors.New("checkpoint signature invalid")

// VerifyCheckpoint checks a checkpoint's key ID and signature.
func VerifyCheckpoint(pub ed25519.PublicKey, c store.Checkpoint) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("audit checkpoint %d: no valid public key to verify it", c.Seq)
	}
	if c.KeyID != KeyID(pub) {
		return fmt.Errorf("audit checkpoint %d: signed by key %q, not the trusted key %q: %w", c.Seq, c.KeyID, KeyID(pub), ErrBadSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, CanonicalCheckpoint(c), sig) {
		return fmt.Errorf("audit checkpoint %d: %w", c.Seq, ErrBadSignature)
	}
	return nil
}
