package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/iotguard/iotguard/store"
)

type tokenRequest struct {
	Name string `json:"name"`
	// ExpiresInDays defaults to 90; at most 366. Tokens always expire.
	ExpiresInDays int `json:"expires_in_days,omitempty"`
}

// meBody is the caller as the API sees it.
type meBody struct {
	User        store.User         `json:"user"`
	Memberships []store.Membership `json:"memberships"`
	TokenID     string             `json:"token_id"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p := caller(r)
	ms := p.Memberships
	if ms == nil {
		ms = []store.Membership{}
	}
	writeJSON(w, http.StatusOK, meBody{User: p.User, Memberships: ms, TokenID: p.Token.ID})
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	if err := newQuery(r).err(); err != nil {
		return err
	}
	toks, err := s.st.Platform().ListTokens(r.Context(), caller(r).User.ID)
	if err != nil {
		return fmt.Errorf("list tokens: %w", err)
	}
	writeJSON(w, http.StatusOK, newList(toks, ""))
	return nil
}

// createToken makes an API token for the caller, e.g. for a CI pipeline.
// The secret is in this response only; the store keeps its hash.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 100 {
		return badRequest("name is required (at most 100 characters): say what the token is for")
	}
	ttl := DefaultTokenTTL
	if req.ExpiresInDays != 0 {
		ttl = time.Duration(req.ExpiresInDays) * 24 * time.Hour
		if req.ExpiresInDays < 0 || ttl > MaxTokenTTL {
			return badRequest("expires_in_days must be from 1 to %d", int(MaxTokenTTL/(24*time.Hour)))
		}
	}
	p := caller(r)
	secret, hash := NewToken()
	exp := s.now().Add(ttl).UTC()
	tok, err := s.st.Platform().CreateToken(r.Context(), actor(r), store.Token{UserID: p.User.ID, Name: req.Name, Hash: hash, ExpiresAt: &exp})
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	writeJSON(w, http.StatusCreated, tokenCreated{Token: tok, Secret: secret})
	return nil
}

// revokeToken revokes one of the caller's own tokens; another user's
// token is not found, whoever asks.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.st.Platform().RevokeToken(r.Context(), actor(r), caller(r).User.ID, pathParam(r, "token")); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
