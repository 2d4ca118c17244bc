package auditlog

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/iotguard/iotguard/store"
)

// The export is JSON lines, one object per line, each with a "type":
//
//	{"type":"header","format":"iotguard-audit-export","version":1,"key_id":"…","public_key":"<base64>","exported_at":"…"}
//	{"type":"record","record":{…store.AuditRecord…}}
//	{"type":"checkpoint","checkpoint":{…store.Checkpoint…}}   (right after the record it signs)
//	…
//	{"type":"end","records":N,"checkpoints":M,"head":{…the latest signed checkpoint…}}
//
// Lines stream, so an export of any size is written and verified in
// constant memory.
const (
	exportFormat  = "iotguard-audit-export"
	exportVersion = 1
	// maxExportLine bounds one line; records are a few hundred bytes.
	maxExportLine = 1 << 20
)

type exportLine struct {
	Type        string             `json:"type"`
	Format      string             `json:"format,omitempty"`
	Version     int                `json:"version,omitempty"`
	KeyID       string             `json:"key_id,omitempty"`
	PublicKey   string             `json:"public_key,omitempty"`
	ExportedAt  *time.Time         `json:"exported_at,omitempty"`
	Record      *store.AuditRecord `json:"record,omitempty"`
	Checkpoint  *store.Checkpoint  `json:"checkpoint,omitempty"`
	Records     int64              `json:"records,omitempty"`
	Checkpoints int                `json:"checkpoints,omitempty"`
	Head        *store.Checkpoint  `json:"head,omitempty"`
}

// Exporter writes an export.
type Exporter struct {
	PublicKey  ed25519.PublicKey
	ExportedAt time.Time
	// Witness is the latest checkpoint outside the database, if any; the
	// end line carries the later of it and the last checkpoint.
	Witness *store.Checkpoint
}

// Write writes records and checkpoints (each in seq order) as an export.
func (e Exporter) Write(w io.Writer, records iter.Seq2[store.AuditRecord, error], checkpoints iter.Seq2[store.Checkpoint, error]) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	at := e.ExportedAt.UTC()
	if err := enc.Encode(exportLine{Type: "header", Format: exportFormat, Version: exportVersion,
		KeyID: KeyID(e.PublicKey), PublicKey: base64.StdEncoding.EncodeToString(e.PublicKey), ExportedAt: &at}); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	nextCP, stop := iter.Pull2(checkpoints)
	defer stop()
	var (
		n    int64
		ncp  int
		head *store.Checkpoint
	)
	writeCP := func(cp store.Checkpoint) error {
		ncp++
		c := cp
		head = &c
		return enc.Encode(exportLine{Type: "checkpoint", Checkpoint: &cp})
	}
	cp, err, have := nextCP()
	if have && err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	for r, err := range records {
		if err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		if err := enc.Encode(exportLine{Type: "record", Record: &r}); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		n++
		for have && cp.Seq <= r.Seq {
			if err := writeCP(cp); err != nil {
				return fmt.Errorf("audit export: %w", err)
			}
			if cp, err, have = nextCP(); have && err != nil {
				return fmt.Errorf("audit export: %w", err)
			}
		}
	}
	for have {
		if err := writeCP(cp); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		if cp, err, have = nextCP(); have && err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
	}
	if e.Witness != nil && (head == nil || e.Witness.Seq > head.Seq) {
		head = e.Witness
	}
	if err := enc.Encode(exportLine{Type: "end", Records: n, Checkpoints: ncp, Head: head}); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	return nil
}

// ExportResult is the verification of an export.
type ExportResult struct {
	store.VerifyResult
	KeyID      string    `json:"key_id"`
	ExportedAt time.Time `json:"exported_at"`
	// Head is the latest signed checkpoint the export vouches for: the
	// auditor compares its seq and time with what they expect, since a
	// copy cut at an older checkpoint is itself a valid, shorter export.
	Head *store.Checkpoint `json:"head,omitempty"`
}

// ErrNotExport is input that is not an iotguard audit export.
var ErrNotExport = errors.New("not an iotguard audit export")

// VerifyExport verifies an export offline against a public key obtained
// from a trusted channel (never the one inside the export). Tampering
// gives a result that is not OK, naming the first bad record; the error
// is for input that cannot be read as an export at all.
func VerifyExport(r io.Reader, trusted ed25519.PublicKey) (ExportResult, error) {
	var res ExportResult
	if len(trusted) != ed25519.PublicKeySize {
		return res, errors.New("verify audit export: a trusted Ed25519 public key is required")
	}
	br := bufio.NewReaderSize(r, 64<<10)
	lineNo := 0
	next := func() (exportLine, bool, error) {
		var l exportLine
		b, err := readLine(br)
		if err == io.EOF {
			return l, false, nil
		}
		lineNo++
		if err != nil {
			return l, false, fmt.Errorf("verify audit export: line %d: %w", lineNo, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			return l, false, fmt.Errorf("verify audit export: line %d: %w: %v", lineNo, ErrNotExport, err)
		}
		if dec.More() {
			return l, false, fmt.Errorf("verify audit export: line %d: %w: more than one object on the line", lineNo, ErrNotExport)
		}
		return l, true, nil
	}

	h, ok, err := next()
	if err != nil {
		return res, err
	}
	if !ok || h.Type != "header" || h.Format != exportFormat {
		return res, fmt.Errorf("verify audit export: %w: no header line", ErrNotExport)
	}
	if h.Version != exportVersion {
		return res, fmt.Errorf("verify audit export: version %d, this iotguard reads version %d", h.Version, exportVersion)
	}
	res.KeyID = h.KeyID
	if h.ExportedAt != nil {
		res.ExportedAt = *h.ExportedAt
	}
	c := newChain(Verifier{PublicKey: trusted})
	defer c.settle()
	done := func() (ExportResult, error) {
		res.VerifyResult = c.result()
		return res, nil
	}
	if pub, err := base64.StdEncoding.DecodeString(h.PublicKey); err != nil || !bytes.Equal(pub, trusted) || h.KeyID != KeyID(trusted) {
		c.fail(0, "the export names key %q, not the trusted key %q", h.KeyID, KeyID(trusted))
		return done()
	}
	var lastCP *store.Checkpoint
	for {
		l, ok, err := next()
		if err != nil {
			return res, err
		}
		if !ok {
			c.fail(c.lastSeq+1, "the export ends after record %d without its end line: truncated", c.lastSeq)
			return done()
		}
		switch {
		case l.Type == "record" && l.Record != nil:
			if !c.record(*l.Record) {
				return done()
			}
		case l.Type == "checkpoint" && l.Checkpoint != nil:
			if l.Checkpoint.Seq > c.lastSeq {
				c.beyondEnd(*l.Checkpoint)
				return done()
			}
			if !c.checkpoint(*l.Checkpoint) {
				return done()
			}
			lastCP = l.Checkpoint
		case l.Type == "end":
			return finishExport(c, l, lastCP, next, done)
		default:
			return res, fmt.Errorf("verify audit export: line %d: %w: unexpected %q line", lineNo, ErrNotExport, l.Type)
		}
	}
}

func finishExport(c *chain, end exportLine, lastCP *store.Checkpoint, next func() (exportLine, bool, error), done func() (ExportResult, error)) (ExportResult, error) {
	if _, more, err := next(); err != nil || more {
		c.fail(c.lastSeq+1, "lines follow the end line: appended")
		return done()
	}
	if end.Records != c.records || end.Checkpoints != c.cps {
		c.fail(c.lastSeq+1, "the end line counts %d records and %d checkpoints, the export holds %d and %d", end.Records, end.Checkpoints, c.records, c.cps)
		return done()
	}
	if end.Head == nil && c.records > 0 {
		c.fail(c.lastSeq+1, "the end line has no signed head")
		return done()
	}
	if h := end.Head; h != nil {
		switch {
		case lastCP != nil && h.Seq == lastCP.Seq:
			if !bytes.Equal(CanonicalCheckpoint(*h), CanonicalCheckpoint(*lastCP)) || h.Signature != lastCP.Signature {
				c.fail(h.Seq, "the end line's head differs from checkpoint %d", h.Seq)
				return done()
			}
		case lastCP != nil && h.Seq < lastCP.Seq:
			c.fail(h.Seq, "the end line's head %d is older than checkpoint %d", h.Seq, lastCP.Seq)
			return done()
		default:
			// A head beyond the last checkpoint is the witness: it must
			// be genuine and the records must reach it.
			c.v.Witness = h
			if h.Seq == c.lastSeq {
				if err := VerifyCheckpoint(c.v.PublicKey, *h); err != nil {
					c.fail(h.Seq, "witness: %v", err)
					return done()
				}
				if h.Hash != c.prevHash {
					c.fail(c.signed+1, "record %d differs from the witness: rewritten", h.Seq)
					return done()
				}
				c.signed = h.Seq
			}
		}
	}
	c.finish()
	res, err := done()
	res.Head = end.Head
	return res, err
}

// readLine reads one line without its newline, refusing lines longer
// than maxExportLine so hostile input cannot exhaust memory.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				return line, nil
			}
			return nil, err
		}
		line = append(line, chunk...)
		if len(line) > maxExportLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxExportLine)
		}
		if !isPrefix {
			return line, nil
		}
	}
}
