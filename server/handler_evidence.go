package server

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/iotguard/iotguard/store"
)

func (s *Server) listEvidence(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	p := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.tenant(r).ListEvidence(r.Context(), p)
	if err != nil {
		return fmt.Errorf("list evidence: %w", err)
	}
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

// uploadEvidence stores a file from a multipart form (field "file") or a
// raw body with ?name=. The client's Content-Type for the file is ignored:
// the store sniffs the type, and downloads never trust it either.
func (s *Server) uploadEvidence(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	name := q.str("name")
	if err := q.err(); err != nil {
		return err
	}
	body := io.Reader(r.Body)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		part, err := filePart(r, params["boundary"])
		if err != nil {
			return err
		}
		defer part.Close()
		body = part
		if name == "" {
			name = part.FileName()
		}
	}
	name = cleanFileName(name)
	if name == "" {
		return badRequest("the file needs a name: a multipart filename or ?name=")
	}
	meta, err := s.tenant(r).PutEvidence(r.Context(), actor(r), name, body, s.opt.MaxEvidence)
	if err != nil {
		return fmt.Errorf("store evidence: %w", err)
	}
	w.Header().Set("Location", "/api/v1/tenants/"+pathParam(r, "tenant")+"/evidence/"+meta.SHA256)
	writeJSON(w, http.StatusCreated, meta)
	return nil
}

// filePart finds the "file" part of a multipart body without buffering
// the body: the part is read as a stream.
func filePart(r *http.Request, boundary string) (*multipart.Part, error) {
	if boundary == "" {
		return nil, badRequest("multipart body without a boundary")
	}
	mr := multipart.NewReader(r.Body, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, badRequest("the multipart body has no part named \"file\"")
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, err
			}
			return nil, badRequest("the multipart body is not valid: %v", err)
		}
		if part.FormName() == "file" {
			return part, nil
		}
		part.Close()
	}
}

// cleanFileName keeps the base name, without control characters or
// quotes, so it is safe in Content-Disposition and in logs.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == '/' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	if len(name) > 255 {
		name = name[:255]
	}
	return strings.ToValidUTF8(name, "")
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// downloadEvidence serves a file as an attachment with nosniff and a
// sandboxing CSP. Only types that browsers never execute keep their
// sniffed type; HTML, SVG, XML and anything unknown go out as
// application/octet-stream, so evidence can never run script in the
// API's origin.
func (s *Server) downloadEvidence(w http.ResponseWriter, r *http.Request) error {
	sum := strings.ToLower(pathParam(r, "sha256"))
	if !sha256Hex.MatchString(sum) {
		return badRequest("%q is not a SHA-256 digest (64 hexadecimal digits)", pathParam(r, "sha256"))
	}
	meta, rc, err := s.tenant(r).GetEvidence(r.Context(), sum)
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", downloadType(meta.MediaType))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": meta.Name}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Length", strconv.FormatInt(meta.Size, 10))
	h.Set("ETag", `"`+meta.SHA256+`"`)
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		// The status is sent; all we can do is log and drop the connection.
		s.log.WarnContext(r.Context(), "evidence download interrupted", "request_id", requestID(r.Context()), "err", err)
	}
	return nil
}

// safeDownloadTypes are served as sniffed; everything else is
// application/octet-stream.
var safeDownloadTypes = map[string]bool{
	"application/pdf": true, "application/json": true, "application/zip": true, "application/gzip": true,
	"application/x-gzip": true, "text/plain": true, "text/csv": true,
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
}

func downloadType(sniffed string) string {
	mt, params, err := mime.ParseMediaType(sniffed)
	if err != nil || !safeDownloadTypes[mt] {
		return "application/octet-stream"
	}
	if cs, ok := params["charset"]; ok && strings.HasPrefix(mt, "text/") {
		return mime.FormatMediaType(mt, map[string]string{"charset": cs})
	}
	return mt
}

// evidenceExists checks that an attestation's evidence is stored in the
// tenant, so an approved attestation never points at nothing.
func (s *Server) evidenceExists(r *http.Request, sum string) error {
	_, rc, err := s.tenant(r).GetEvidence(r.Context(), strings.ToLower(sum))
	if errors.Is(err, store.ErrNotFound) {
		return badRequest("evidence %s is not stored in this tenant: upload it first", sum)
	}
	if err != nil {
		return fmt.Errorf("evidence %s: %w", sum, err)
	}
	return rc.Close()
}
