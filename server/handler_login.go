package server

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/iotguard/iotguard/store"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// tokenCreated is the only response that ever carries a token secret.
type tokenCreated struct {
	store.Token
	Secret string `json:"token"`
}

var errBadLogin = &apiError{status: http.StatusUnauthorized, code: codeUnauthenticated, msg: "wrong e-mail or password"}

// login exchanges e-mail and password for a short-lived token. Both the
// client IP and the account are rate-limited, so neither spraying one
// password over many accounts nor guessing one account's password from
// many addresses gets far. Unknown accounts, disabled users and wrong
// passwords give the same answer after the same work.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if ok, wait := s.ipRate.allow(clientIP(r)); !ok {
		return rateLimited(w, wait)
	}
	var req loginRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	email := normaliseEmail(req.Email)
	if email == "" || req.Password == "" {
		return badRequest("email and password are required")
	}
	if len(req.Password) > MaxPasswordLen {
		return errBadLogin
	}
	if ok, wait := s.accRate.allow(email); !ok {
		return rateLimited(w, wait)
	}
	u, err := s.st.Platform().GetUserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("login: %w", err)
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = dummyHash()
	}
	match, verr := VerifyPassword(hash, req.Password)
	if err != nil || u.PasswordHash == "" || u.Disabled || verr != nil || !match {
		s.log.InfoContext(r.Context(), "login failed", "request_id", requestID(r.Context()), "remote", clientIP(r))
		return errBadLogin
	}
	secret, tokHash := NewToken()
	exp := s.now().Add(s.opt.LoginTokenTTL).UTC()
	tok, err := s.st.Platform().CreateToken(r.Context(), store.Actor{UserID: u.ID, Name: u.Email},
		store.Token{UserID: u.ID, Name: "login " + s.now().UTC().Format(time.RFC3339), Hash: tokHash, ExpiresAt: &exp})
	if err != nil {
		return fmt.Errorf("login token: %w", err)
	}
	writeJSON(w, http.StatusCreated, tokenCreated{Token: tok, Secret: secret})
	return nil
}

func rateLimited(w http.ResponseWriter, wait time.Duration) error {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return &apiError{status: http.StatusTooManyRequests, code: codeRateLimited, msg: "too many login attempts; retry later"}
}

func normaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
