package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyPrincipal
	keyLogInfo
)

// logInfo is filled in by inner middleware for the request log line,
// which observe writes after the inner contexts are gone.
type logInfo struct {
	userID string
}

// withRequestID gives every request an ID for logs and error objects. A
// client's X-Request-ID is not trusted: it could forge log lines.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyRequestID, id)))
	})
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// securityHeaders sets the headers every API response carries. The API
// serves no HTML, so its CSP forbids everything; the UI will set its own.
// Responses are never cached: most carry tenant data for one caller.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// recorder captures the status and size of a response for metrics and logs.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines for long imports).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe counts and logs each request. It logs the method, the route
// pattern and the path, never headers or query strings: they are where
// tokens would be.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Add(1)
		rec := &recorder{ResponseWriter: w}
		info := &logInfo{}
		r = r.WithContext(context.WithValue(r.Context(), keyLogInfo, info))
		defer func() {
			s.metrics.inFlight.Add(-1)
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			pattern := chi.RouteContext(r.Context()).RoutePattern()
			if pattern == "" {
				pattern = "unmatched"
			}
			d := time.Since(start)
			s.metrics.observe(metricMethod(r.Method), pattern, rec.status, d)
			level := slog.LevelInfo
			if rec.status >= 500 {
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("request_id", requestID(r.Context())),
				slog.String("method", r.Method), slog.String("route", pattern), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes), slog.Duration("duration", d),
				slog.String("remote", clientIP(r)),
			}
			if info.userID != "" {
				attrs = append(attrs, slog.String("user", info.userID))
			}
			s.log.LogAttrs(r.Context(), level, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recoverer turns a panic into a 500 with a logged stack, so one bad
// request does not take the server down.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientIP is the peer address. X-Forwarded-For is not believed: anyone
// could set it to escape the login rate limit. Behind a reverse proxy the
// proxy should do its own rate limiting.
func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// metricMethod keeps the method label bounded: net/http accepts any token
// as a method, and each would otherwise become a new time series.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
