package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/iotguard/iotguard/store"
)

// TokenPrefix marks iotguard tokens so that secret scanners can find
// leaked ones; the 43 characters after it are 256 random bits.
const TokenPrefix = "igt_"

// NewToken returns a fresh token secret and the hash the store keeps.
func NewToken() (secret string, hash []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+
		// crashes the program rather than returning an error).
		panic(err)
	}
	secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashToken(secret)
}

// HashToken is the SHA-256 of a token secret, as stored and looked up.
// A fast hash is right here: the secret has 256 bits of entropy, so
// nothing is gained by slowing guessers down.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// authenticator recognises one kind of credential. It returns (nil, nil)
// when the request carries none of its kind, so the next one is tried.
type authenticator func(r *http.Request) (*store.Principal, error)

// errBadCredentials means credentials were presented but are not valid.
var errBadCredentials = errors.New("invalid credentials")

// bearer authenticates "Authorization: Bearer <token>".
func (s *Server) bearer(r *http.Request) (*store.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return nil, errBadCredentials
	}
	secret = strings.TrimSpace(secret)
	if len(secret) > 256 {
		return nil, errBadCredentials
	}
	// The lookup is by hash, so timing reveals nothing about the secret.
	p, err := s.st.Platform().Authenticate(r.Context(), HashToken(secret), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return &p, nil
}

// authenticate runs the authenticators in order.
func (s *Server) authenticate(r *http.Request) (*store.Principal, error) {
	for _, a := range s.authenticators {
		p, err := a(r)
		if err != nil || p != nil {
			return p, err
		}
	}
	return nil, nil
}

// authorize enforces the route's row of the permission matrix: 401
// without valid credentials, 404 for a tenant the caller is not a member
// of (existence does not leak), 403 for a member whose role is not allowed.
func (s *Server) authorize(rt *route) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if rt.Access == public {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := s.authenticate(r)
			if errors.Is(err, errBadCredentials) || (err == nil && p == nil) {
				s.writeError(w, r, errUnauthenticated)
				return
			}
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			if info, ok := r.Context().Value(keyLogInfo).(*logInfo); ok {
				info.userID = p.User.ID
			}
			ctx := context.WithValue(r.Context(), keyPrincipal, p)
			if err := allowed(rt, p, pathParam(r, "tenant")); err != nil {
				s.writeError(w, r.WithContext(ctx), err)
				return
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// allowed decides a route for a principal; tenantID is the {tenant} of
// the URL. It is a pure function of the matrix, so tests can call it too.
func allowed(rt *route, p *store.Principal, tenantID string) error {
	switch rt.Access {
	case public, user:
		return nil
	case platformAdmin:
		if !p.User.PlatformAdmin {
			return forbidden("only a platform admin may do this")
		}
		return nil
	case auditVerifier:
		if p.User.PlatformAdmin {
			return nil
		}
		for _, m := range p.Memberships {
			if m.Role == store.RoleAdmin || m.Role == store.RoleAuditor {
				return nil
			}
		}
		return forbidden("only a platform admin, or an admin or auditor of a tenant, may verify the audit log")
	}
	role := p.RoleIn(tenantID)
	if role == "" {
		return notFound("tenant")
	}
	if !slices.Contains(rt.Roles, role) {
		return forbidden("role %s may not %s %s", role, rt.Method, rt.Pattern)
	}
	return nil
}

func principalFrom(ctx context.Context) *store.Principal {
	p, _ := ctx.Value(keyPrincipal).(*store.Principal)
	return p
}

// caller is the authenticated principal of a request that passed authorize.
func caller(r *http.Request) *store.Principal { return principalFrom(r.Context()) }

// actor is how the caller appears in the audit log.
func actor(r *http.Request) store.Actor {
	p := caller(r)
	return store.Actor{UserID: p.User.ID, Name: p.User.Email}
}
