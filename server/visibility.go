package server

import (
	"net/http"
	"slices"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// What a role sees and edits below the route level, where it depends on
// the data: the controls an ISO/IEC 27400 stakeholder owns.

// stakeholder maps a tenant role to the stakeholder whose controls it
// owns; admin, auditor and viewer own none.
func stakeholder(role store.Role) model.Stakeholder {
	switch role {
	case store.RoleISP:
		return model.ISP
	case store.RoleISD:
		return model.ISD
	case store.RoleIU:
		return model.IU
	}
	return ""
}

func (s *Server) role(r *http.Request) store.Role {
	return caller(r).RoleIn(pathParam(r, "tenant"))
}

// owns reports whether the stakeholder owns the control.
func (s *Server) owns(st model.Stakeholder, control string) bool {
	c := s.cat.Control(control)
	return c != nil && c.HasStakeholder(st)
}

// sees reports whether the caller may read data about a control: iu sees
// only the controls IU owns, every other role sees all.
func (s *Server) sees(r *http.Request, control string) bool {
	if s.role(r) != store.RoleIU {
		return true
	}
	return s.owns(model.IU, control)
}

// seesAny is sees for data that evidences several controls (a finding).
func (s *Server) seesAny(r *http.Request, controls []string) bool {
	if s.role(r) != store.RoleIU {
		return true
	}
	return slices.ContainsFunc(controls, func(c string) bool { return s.owns(model.IU, c) })
}

// mayAttest decides whether the caller may write an attestation for a
// control: admins for any, isp, isd and iu for the controls their
// stakeholder owns. The route table has already excluded other roles.
func (s *Server) mayAttest(r *http.Request, control string) error {
	role := s.role(r)
	if role == store.RoleAdmin {
		return nil
	}
	if st := stakeholder(role); st != "" && s.owns(st, control) {
		return nil
	}
	return forbidden("role %s may only attest controls that %s owns; %s is not one of them", role, stakeholder(role), control)
}

// filter keeps the items the caller sees.
func filter[T any](items []T, keep func(T) bool) []T {
	out := items[:0:0]
	for _, it := range items {
		if keep(it) {
			out = append(out, it)
		}
	}
	return out
}
