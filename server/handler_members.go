package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/iotguard/iotguard/store"
)

// member is a membership with the user's e-mail and name, for display.
type member struct {
	UserID string     `json:"user_id"`
	Email  string     `json:"email"`
	Name   string     `json:"name,omitempty"`
	Role   store.Role `json:"role"`
}

type memberRequest struct {
	Email string     `json:"email"`
	Name  string     `json:"name,omitempty"`
	Role  store.Role `json:"role"`
	// Password is required when the e-mail has no user yet.
	Password string `json:"password,omitempty"`
}

type roleRequest struct {
	Role store.Role `json:"role"`
}

func validRole(r store.Role) error {
	if !slices.Contains(store.Roles, r) {
		return badRequest("role %q is not valid; use one of %s", r, strings.Join(names(store.Roles), ", "))
	}
	return nil
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	if err := newQuery(r).err(); err != nil {
		return err
	}
	ms, err := s.st.Platform().ListMembers(r.Context(), pathParam(r, "tenant"))
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	out := make([]member, 0, len(ms))
	for _, m := range ms {
		u, err := s.st.Platform().GetUser(r.Context(), m.UserID)
		if err != nil {
			return fmt.Errorf("list members: user %s: %w", m.UserID, err)
		}
		out = append(out, member{UserID: u.ID, Email: u.Email, Name: u.Name, Role: m.Role})
	}
	writeJSON(w, http.StatusOK, newList(out, ""))
	return nil
}

// addMember adds a user by e-mail, creating the user when the e-mail is
// new. A new user needs a password, since tokens are only ever created by
// their own user.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request) error {
	var req memberRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.Email = normaliseEmail(req.Email)
	if !strings.Contains(req.Email, "@") || len(req.Email) > 254 {
		return badRequest("email must be an e-mail address")
	}
	if err := validRole(req.Role); err != nil {
		return err
	}
	pl := s.st.Platform()
	u, err := pl.GetUserByEmail(r.Context(), req.Email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if req.Password == "" {
			return badRequest("password is required for a new user (%d to %d characters)", MinPasswordLen, MaxPasswordLen)
		}
		hash, herr := HashPassword(req.Password)
		if herr != nil {
			return herr
		}
		u, err = pl.CreateUser(r.Context(), actor(r), store.User{Email: req.Email, Name: strings.TrimSpace(req.Name), PasswordHash: hash})
		if err != nil {
			return fmt.Errorf("add member: create user: %w", err)
		}
	case err != nil:
		return fmt.Errorf("add member: %w", err)
	case req.Password != "":
		// An admin of one tenant must not reset the password of a user
		// who may belong to other tenants.
		return badRequest("password is only accepted for a new user; %s already has an account", req.Email)
	}
	tenantID := pathParam(r, "tenant")
	if err := pl.SetMembership(r.Context(), actor(r), store.Membership{TenantID: tenantID, UserID: u.ID, Role: req.Role}); err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	w.Header().Set("Location", "/api/v1/tenants/"+tenantID+"/members/"+u.ID)
	writeJSON(w, http.StatusCreated, member{UserID: u.ID, Email: u.Email, Name: u.Name, Role: req.Role})
	return nil
}

// memberOf finds a member of the URL's tenant; a user who is not a member
// is not found, whether or not the account exists.
func (s *Server) memberOf(r *http.Request, userID string) (store.User, store.Role, error) {
	ms, err := s.st.Platform().ListMembers(r.Context(), pathParam(r, "tenant"))
	if err != nil {
		return store.User{}, "", fmt.Errorf("members: %w", err)
	}
	for _, m := range ms {
		if m.UserID == userID {
			u, err := s.st.Platform().GetUser(r.Context(), userID)
			if err != nil {
				return store.User{}, "", fmt.Errorf("member %s: %w", userID, err)
			}
			return u, m.Role, nil
		}
	}
	return store.User{}, "", notFound("member")
}

// errSelfDemotion keeps an admin from locking the tenant out by accident.
var errSelfDemotion = &apiError{status: http.StatusConflict, code: codeConflict,
	msg: "you cannot remove or demote yourself; another admin must do it"}

func (s *Server) setMemberRole(w http.ResponseWriter, r *http.Request) error {
	var req roleRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := validRole(req.Role); err != nil {
		return err
	}
	userID := pathParam(r, "user")
	u, _, err := s.memberOf(r, userID)
	if err != nil {
		return err
	}
	if userID == caller(r).User.ID && req.Role != store.RoleAdmin {
		return errSelfDemotion
	}
	if err := s.st.Platform().SetMembership(r.Context(), actor(r), store.Membership{TenantID: pathParam(r, "tenant"), UserID: userID, Role: req.Role}); err != nil {
		return fmt.Errorf("set role: %w", err)
	}
	writeJSON(w, http.StatusOK, member{UserID: u.ID, Email: u.Email, Name: u.Name, Role: req.Role})
	return nil
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	userID := pathParam(r, "user")
	if _, _, err := s.memberOf(r, userID); err != nil {
		return err
	}
	if userID == caller(r).User.ID {
		return errSelfDemotion
	}
	if err := s.st.Platform().RemoveMembership(r.Context(), actor(r), pathParam(r, "tenant"), userID); err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
