package server

import (
	"context"
	"net/http"
	"time"
)

// statusBody answers the health endpoints.
type statusBody struct {
	Status string `json:"status"`
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, statusBody{Status: "ok"})
	return nil
}

// readyz pings the database with a short deadline, so a load balancer
// stops sending traffic while the database is away.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "readiness check failed", "err", err)
		return &apiError{status: http.StatusServiceUnavailable, code: codeUnavailable, msg: "the database does not answer"}
	}
	writeJSON(w, http.StatusOK, statusBody{Status: "ready"})
	return nil
}

// openAPI serves the document built from the route table at start-up.
// It is public and the same for everyone, so it may be cached briefly.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(s.openapi)
	return nil
}
