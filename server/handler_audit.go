package server

import (
	"fmt"
	"net/http"
)

// listAudit lists the audit records of the URL's tenant.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	p := q.page()
	if err := q.err(); err != nil {
		return err
	}
	recs, next, err := s.st.Audit().List(r.Context(), pathParam(r, "tenant"), p)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	writeJSON(w, http.StatusOK, newList(recs, next))
	return nil
}

// verifyAudit recomputes the whole chain. The answer names the first bad
// record's sequence number and the total count, which reveals how busy
// the platform is but no tenant's data; that is why tenant admins and
// auditors may call it and not only platform admins.
func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	res, err := s.st.Audit().Verify(r.Context())
	if err != nil {
		return fmt.Errorf("verify audit log: %w", err)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// exportAudit streams the whole log with its checkpoints and public key.
// It holds every tenant's records, so only a platform admin may take it.
func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="iotguard-audit-`+s.now().UTC().Format("20060102T150405Z")+`.json"`)
	rw := &firstWrite{ResponseWriter: w}
	if err := s.st.Audit().Export(r.Context(), rw); err != nil {
		if !rw.wrote {
			return fmt.Errorf("export audit log: %w", err)
		}
		// Part of the export is sent: cut the connection so the client
		// sees a truncated download rather than a complete-looking file.
		s.log.ErrorContext(r.Context(), "audit export interrupted", "request_id", requestID(r.Context()), "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// firstWrite remembers whether anything was written, so an error before
// the first byte can still be answered with an error object.
type firstWrite struct {
	http.ResponseWriter
	wrote bool
}

func (f *firstWrite) Write(b []byte) (int, error) {
	f.wrote = true
	return f.ResponseWriter.Write(b)
}
