// Package server is iotguard's HTTP API: JSON under /api/v1 over a
// store.Store, with bearer-token authentication, a per-tenant permission
// matrix, consistent error objects, size limits, security headers and
// Prometheus metrics.
//
// Handlers stay thin: they parse and validate the request, check what the
// role may see, call the store and write JSON. Everything about who may
// call which route lives in one table (routes.go), from which the router,
// the OpenAPI document, docs/server.md's permission matrix and the matrix
// test are built.
package server

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/store"
)

// Default request body limits. Evidence and assessments get more than
// plain JSON; device imports are streamed, so their limit only bounds the
// total a single request may push.
const (
	DefaultMaxBody           = 1 << 20   // 1 MiB for JSON requests
	DefaultMaxEvidence       = 25 << 20  // 25 MiB per evidence file
	DefaultMaxAssessment     = 64 << 20  // 64 MiB for an assessment report
	DefaultMaxImport         = 512 << 20 // 512 MiB for one device import
	DefaultImportBatch       = 1000      // devices per transaction
	DefaultLoginTokenTTL     = 12 * time.Hour
	DefaultTokenTTL          = 90 * 24 * time.Hour
	MaxTokenTTL              = 366 * 24 * time.Hour
	defaultPostureAssessment = 100
)

// Options configure the handler. Zero values take the defaults above.
type Options struct {
	Logger *slog.Logger
	// MaxBody limits JSON request bodies.
	MaxBody int64
	// MaxEvidence limits one evidence upload.
	MaxEvidence int64
	// MaxAssessment limits one pushed assessment.
	MaxAssessment int64
	// MaxImport limits one device import request.
	MaxImport int64
	// ImportBatch is the number of devices stored per transaction.
	ImportBatch int
	// LoginRate limits login attempts per client IP and per account.
	LoginRate LoginRate
	// LoginTokenTTL is how long a token from /api/v1/login lives.
	LoginTokenTTL time.Duration
	// Now is the clock, for tests.
	Now func() time.Time
}

// LoginRate is a token bucket: Burst attempts at once, refilled at
// PerMinute. Both the client IP and the account have their own bucket.
type LoginRate struct {
	PerIPPerMinute      float64
	PerIPBurst          int
	PerAccountPerMinute float64
	PerAccountBurst     int
}

// DefaultLoginRate allows a person who mistypes a few times to go on,
// and slows a guesser to a handful of tries a minute per account.
var DefaultLoginRate = LoginRate{PerIPPerMinute: 10, PerIPBurst: 20, PerAccountPerMinute: 5, PerAccountBurst: 5}

// Server holds what the handlers share.
type Server struct {
	st      store.Store
	cat     *catalog.Catalog
	opt     Options
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	ipRate  *limiter
	accRate *limiter
	openapi []byte
	// authenticators are tried in order; the first that recognises the
	// request's credentials decides. The web UI adds a cookie session
	// authenticator (with CSRF checks on unsafe methods) here.
	authenticators []authenticator
	router         chi.Router
}

// New returns the API handler over st.
func New(st store.Store, cat *catalog.Catalog, opt Options) http.Handler {
	return newServer(st, cat, opt)
}

func newServer(st store.Store, cat *catalog.Catalog, opt Options) *Server {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.MaxBody <= 0 {
		opt.MaxBody = DefaultMaxBody
	}
	if opt.MaxEvidence <= 0 {
		opt.MaxEvidence = DefaultMaxEvidence
	}
	if opt.MaxAssessment <= 0 {
		opt.MaxAssessment = DefaultMaxAssessment
	}
	if opt.MaxImport <= 0 {
		opt.MaxImport = DefaultMaxImport
	}
	if opt.ImportBatch <= 0 {
		opt.ImportBatch = DefaultImportBatch
	}
	if opt.LoginRate == (LoginRate{}) {
		opt.LoginRate = DefaultLoginRate
	}
	if opt.LoginTokenTTL <= 0 {
		opt.LoginTokenTTL = DefaultLoginTokenTTL
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Server{st: st, cat: cat, opt: opt, log: opt.Logger, now: opt.Now, metrics: newMetrics()}
	s.ipRate = newLimiter(opt.LoginRate.PerIPPerMinute, opt.LoginRate.PerIPBurst, opt.Now)
	s.accRate = newLimiter(opt.LoginRate.PerAccountPerMinute, opt.LoginRate.PerAccountBurst, opt.Now)
	s.authenticators = []authenticator{s.bearer}
	s.openapi = mustJSON(openAPIDocument())
	s.router = s.routes()
	return s
}

// ServeHTTP serves the API. The router always matches the escaped path,
// so that path parameters are unescaped exactly once (pathParam): a device
// ID may contain "/" or "%".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawPath == "" {
		u := *r.URL
		u.RawPath = u.EscapedPath()
		r2 := *r
		r2.URL = &u
		r = &r2
	}
	s.router.ServeHTTP(w, r)
}

// routes builds the router from the route table.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(withRequestID, securityHeaders, s.observe, s.recoverer)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &apiError{status: http.StatusNotFound, code: codeNotFound, msg: "no such endpoint: see /api/v1/openapi.json"})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &apiError{status: http.StatusMethodNotAllowed, code: codeMethod, msg: r.Method + " is not allowed here"})
	})
	for i := range routes {
		rt := &routes[i]
		r.With(s.limitBody(rt), s.authorize(rt)).Method(rt.Method, rt.Pattern, s.handle(rt))
	}
	return r
}

// handle adapts a handlerFunc, sending its error to writeError.
func (s *Server) handle(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.h(s, w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// limitBody caps the request body at the route's limit; reading past it
// fails with *http.MaxBytesError, which writeError answers with 413.
func (s *Server) limitBody(rt *route) func(http.Handler) http.Handler {
	// Routes without a body still get the JSON limit: nothing reads it,
	// but a client must not be able to make the server drain gigabytes.
	limit := s.opt.MaxBody
	switch rt.Body {
	case bodyEvidence:
		// Room for the multipart envelope around the file.
		limit = s.opt.MaxEvidence + 64<<10
	case bodyAssessment:
		limit = s.opt.MaxAssessment
	case bodyImport:
		limit = s.opt.MaxImport
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > limit {
				s.writeError(w, r, &http.MaxBytesError{Limit: limit})
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			next.ServeHTTP(w, r)
		})
	}
}
