package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iotguard/iotguard/store"
)

// DefaultEvidenceMax is PutEvidence's size limit when the caller gives none.
const DefaultEvidenceMax = 32 << 20

// userRef is who did something, as the records that name a person store
// it (uploader, author, reviewer): the user ID, which outlives renames and
// e-mail changes, or the actor's name when there is no user.
func userRef(by store.Actor) string {
	if by.UserID != "" {
		return by.UserID
	}
	return by.Name
}

// evidenceName keeps only a file name a client gave: no folders, no
// control characters, at most 255 bytes.
func evidenceName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		return "evidence"
	}
	return name
}

func (t *tenantStore) PutEvidence(ctx context.Context, by store.Actor, name string, r io.Reader, maxSize int64) (store.EvidenceMeta, error) {
	actor, err := actorName(by)
	if err != nil {
		return store.EvidenceMeta{}, fmt.Errorf("put evidence: %w", err)
	}
	if maxSize <= 0 {
		maxSize = DefaultEvidenceMax
	}
	// Read one byte more than allowed: reading it proves the file is too
	// large without reading the rest.
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return store.EvidenceMeta{}, fmt.Errorf("put evidence: read: %w", err)
	}
	if int64(len(data)) > maxSize {
		return store.EvidenceMeta{}, fmt.Errorf("put evidence: larger than %d bytes: %w", maxSize, store.ErrTooLarge)
	}
	if len(data) == 0 {
		return store.EvidenceMeta{}, fmt.Errorf("put evidence: the file is empty: %w", store.ErrInvalid)
	}
	sum := sha256.Sum256(data)
	m := store.EvidenceMeta{
		SHA256: hex.EncodeToString(sum[:]),
		Name:   evidenceName(name),
		Size:   int64(len(data)),
		// Sniffed from the content, never taken from the client.
		MediaType:  http.DetectContentType(data[:min(len(data), 512)]),
		UploadedBy: userRef(by),
	}
	err = t.s.write(ctx, func(w *txw) error {
		m.UploadedAt = w.now
		n, err := w.q.exec(ctx, `INSERT INTO evidence (tenant_id, sha256, name, size, media_type, uploaded_by, uploaded_at, content)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, sha256) DO NOTHING`,
			t.id, m.SHA256, m.Name, m.Size, m.MediaType, m.UploadedBy, micros(m.UploadedAt), data)
		if isForeignKey(err) {
			return fmt.Errorf("tenant %q: %w", t.id, store.ErrNotFound)
		}
		if err != nil {
			return dbErr("insert evidence", err)
		}
		if n == 0 {
			// The tenant has this content already: keep the first upload.
			m, err = t.evidenceMeta(ctx, w.q, m.SHA256)
			return err
		}
		return w.audit(t.id, actor, "evidence.upload", "evidence", m.SHA256, nil, m)
	})
	if err != nil {
		return store.EvidenceMeta{}, fmt.Errorf("put evidence: %w", err)
	}
	return m, nil
}

const evidenceColumns = "sha256, name, size, media_type, uploaded_by, uploaded_at"

func scanEvidence(r rowScanner, extra ...any) (store.EvidenceMeta, error) {
	var (
		m  store.EvidenceMeta
		at int64
	)
	if err := r.Scan(append([]any{&m.SHA256, &m.Name, &m.Size, &m.MediaType, &m.UploadedBy, &at}, extra...)...); err != nil {
		return store.EvidenceMeta{}, err
	}
	m.UploadedAt = fromMicros(at)
	return m, nil
}

func (t *tenantStore) evidenceMeta(ctx context.Context, q querier, sum string) (store.EvidenceMeta, error) {
	m, err := scanEvidence(q.queryRow(ctx, "SELECT "+evidenceColumns+" FROM evidence WHERE tenant_id = ? AND sha256 = ?", t.id, sum))
	if isNoRows(err) {
		return store.EvidenceMeta{}, fmt.Errorf("evidence %s: %w", sum, store.ErrNotFound)
	}
	if err != nil {
		return store.EvidenceMeta{}, dbErr("get evidence", err)
	}
	return m, nil
}

// normalSHA256 checks a digest given by a client.
func normalSHA256(s string) (string, error) {
	s = strings.ToLower(s)
	if b, err := hex.DecodeString(s); err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("%q is not a SHA-256 (64 hex digits): %w", truncate(s, 70), store.ErrInvalid)
	}
	return s, nil
}

func (t *tenantStore) GetEvidence(ctx context.Context, sum string) (store.EvidenceMeta, io.ReadCloser, error) {
	sum, err := normalSHA256(sum)
	if err != nil {
		return store.EvidenceMeta{}, nil, fmt.Errorf("get evidence: %w", err)
	}
	var content []byte
	m, err := scanEvidence(t.s.b.queryRow(ctx, "SELECT "+evidenceColumns+", content FROM evidence WHERE tenant_id = ? AND sha256 = ?", t.id, sum), &content)
	if isNoRows(err) {
		return store.EvidenceMeta{}, nil, fmt.Errorf("get evidence %s: %w", sum, store.ErrNotFound)
	}
	if err != nil {
		return store.EvidenceMeta{}, nil, dbErr("get evidence", err)
	}
	return m, io.NopCloser(bytes.NewReader(content)), nil
}

func (t *tenantStore) ListEvidence(ctx context.Context, p store.Page) ([]store.EvidenceMeta, string, error) {
	n, err := limit(p)
	if err != nil {
		return nil, "", fmt.Errorf("list evidence: %w", err)
	}
	c, err := decodeCursor(p.After, "evidence")
	if err != nil {
		return nil, "", fmt.Errorf("list evidence: %w", err)
	}
	q := "SELECT " + evidenceColumns + " FROM evidence WHERE tenant_id = ?"
	args := []any{t.id}
	if c != nil {
		q += " AND (uploaded_at, sha256) < (?, ?)"
		args = append(args, c.Num, c.ID)
	}
	q += " ORDER BY uploaded_at DESC, sha256 DESC LIMIT ?"
	args = append(args, n+1)
	out, more, err := queryPage(ctx, t.s.b, "list evidence", q, args, n, func(r rowScanner) (store.EvidenceMeta, error) { return scanEvidence(r) })
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		last := out[n-1]
		next = cursor{Sort: "evidence", Num: micros(last.UploadedAt), ID: last.SHA256}.encode()
	}
	return out, next, nil
}
