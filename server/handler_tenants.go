package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/iotguard/iotguard/store"
)

type tenantRequest struct {
	Name string `json:"name"`
	// AdminEmail names an existing user to become the tenant's first
	// admin; by default the caller is.
	AdminEmail string `json:"admin_email,omitempty"`
}

func (s *Server) listTenants(w http.ResponseWriter, r *http.Request) error {
	if err := newQuery(r).err(); err != nil {
		return err
	}
	ts, err := s.st.Platform().ListTenants(r.Context(), caller(r).User.ID)
	if err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	writeJSON(w, http.StatusOK, newList(ts, ""))
	return nil
}

// createTenant is for platform admins. The platform-admin flag gives no
// access to tenant data, so a tenant needs a first admin to be usable.
func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) error {
	var req tenantRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 200 {
		return badRequest("name is required (at most 200 characters)")
	}
	adminID := caller(r).User.ID
	if req.AdminEmail != "" {
		u, err := s.st.Platform().GetUserByEmail(r.Context(), normaliseEmail(req.AdminEmail))
		if errors.Is(err, store.ErrNotFound) {
			return badRequest("admin_email: no user has the e-mail %q", req.AdminEmail)
		}
		if err != nil {
			return fmt.Errorf("create tenant: %w", err)
		}
		adminID = u.ID
	}
	t, err := s.st.Platform().CreateTenant(r.Context(), actor(r), store.Tenant{Name: req.Name})
	if err != nil {
		return fmt.Errorf("create tenant: %w", err)
	}
	if err := s.st.Platform().SetMembership(r.Context(), actor(r), store.Membership{TenantID: t.ID, UserID: adminID, Role: store.RoleAdmin}); err != nil {
		return fmt.Errorf("create tenant %s: first admin: %w", t.ID, err)
	}
	w.Header().Set("Location", "/api/v1/tenants/"+t.ID)
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) getTenant(w http.ResponseWriter, r *http.Request) error {
	t, err := s.st.Platform().GetTenant(r.Context(), pathParam(r, "tenant"))
	if err != nil {
		return fmt.Errorf("get tenant: %w", err)
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// tenant returns the store confined to the URL's tenant; authorize has
// checked that the caller is a member.
func (s *Server) tenant(r *http.Request) store.TenantStore {
	return s.st.Tenant(pathParam(r, "tenant"))
}
