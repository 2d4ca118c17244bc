package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/iotguard/iotguard/store"
)

type solutionRequest struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

func (s *Server) listSolutions(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	p := q.page()
	if err := q.err(); err != nil {
		return err
	}
	sols, next, err := s.tenant(r).ListSolutions(r.Context(), p)
	if err != nil {
		return fmt.Errorf("list solutions: %w", err)
	}
	writeJSON(w, http.StatusOK, newList(sols, next))
	return nil
}

func (s *Server) createSolution(w http.ResponseWriter, r *http.Request) error {
	var req solutionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 200 {
		return badRequest("name is required (at most 200 characters)")
	}
	if len(req.Description) > 10_000 {
		return badRequest("description is longer than 10000 characters")
	}
	sol, err := s.tenant(r).CreateSolution(r.Context(), actor(r), store.Solution{Name: req.Name, Description: req.Description})
	if err != nil {
		return fmt.Errorf("create solution: %w", err)
	}
	w.Header().Set("Location", "/api/v1/tenants/"+pathParam(r, "tenant")+"/solutions/"+sol.ID)
	writeJSON(w, http.StatusCreated, sol)
	return nil
}

func (s *Server) getSolution(w http.ResponseWriter, r *http.Request) error {
	sol, err := s.solution(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sol)
	return nil
}

// solution loads the URL's solution, so that a sub-resource of a missing
// (or another tenant's) solution is a 404 before anything else happens.
func (s *Server) solution(r *http.Request) (store.Solution, error) {
	sol, err := s.tenant(r).GetSolution(r.Context(), pathParam(r, "solution"))
	if err != nil {
		return store.Solution{}, fmt.Errorf("solution: %w", err)
	}
	return sol, nil
}
