package server

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// assessmentDetail is a stored assessment with its full report.
type assessmentDetail struct {
	Record     store.AssessmentRecord `json:"record"`
	Assessment *model.Assessment      `json:"assessment"`
}

// posturePoint is the score of one assessment.
type posturePoint struct {
	AssessmentID string                        `json:"assessment_id"`
	AssessedAt   time.Time                     `json:"assessed_at"`
	Score        float64                       `json:"score"`
	ByRole       map[model.Stakeholder]float64 `json:"by_role,omitempty"`
	ByCategory   map[model.Category]float64    `json:"by_category,omitempty"`
	Controls     map[model.ControlStatus]int   `json:"controls,omitempty"`
	Findings     map[model.Severity]int        `json:"findings,omitempty"`
}

type postureBody struct {
	SolutionID string         `json:"solution_id"`
	Role       string         `json:"role,omitempty"` // set when scores are one stakeholder's
	Points     []posturePoint `json:"points"`
}

// pushAssessment stores the JSON report of `iotguard assess`, typically
// from a CI pipeline, and moves the findings through their lifecycle.
func (s *Server) pushAssessment(w http.ResponseWriter, r *http.Request) error {
	var a model.Assessment
	if err := decodeJSON(r, &a); err != nil {
		return err
	}
	if a.AssessedAt.IsZero() {
		return badRequest("assessed_at is required: push the JSON report of iotguard assess")
	}
	if a.AssessedAt.After(s.now().Add(24 * time.Hour)) {
		return badRequest("assessed_at %s is in the future", a.AssessedAt.Format(time.RFC3339))
	}
	sol, err := s.solution(r)
	if err != nil {
		return err
	}
	rec, err := s.tenant(r).SaveAssessment(r.Context(), actor(r), sol.ID, &a)
	if err != nil {
		return fmt.Errorf("save assessment: %w", err)
	}
	w.Header().Set("Location", "/api/v1/tenants/"+pathParam(r, "tenant")+"/assessments/"+rec.ID)
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

func (s *Server) listAssessments(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	p := q.page()
	if err := q.err(); err != nil {
		return err
	}
	if _, err := s.solution(r); err != nil {
		return err
	}
	recs, next, err := s.tenant(r).ListAssessments(r.Context(), pathParam(r, "solution"), p)
	if err != nil {
		return fmt.Errorf("list assessments: %w", err)
	}
	writeJSON(w, http.StatusOK, newList(recs, next))
	return nil
}

// getAssessment returns the full report; iu gets it scoped to IU's
// controls, as `iotguard assess --role IU` would have written it.
func (s *Server) getAssessment(w http.ResponseWriter, r *http.Request) error {
	rec, a, err := s.tenant(r).GetAssessment(r.Context(), pathParam(r, "assessment"))
	if err != nil {
		return fmt.Errorf("assessment: %w", err)
	}
	if s.role(r) == store.RoleIU {
		a = engine.Scope(a, model.IU)
	}
	writeJSON(w, http.StatusOK, assessmentDetail{Record: rec, Assessment: a})
	return nil
}

// posture is the score over time, oldest first, from the latest
// assessments. iu gets IU's role score only.
func (s *Server) posture(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	limit := q.intIn("limit", 1, MaxPageLimit, defaultPostureAssessment)
	if err := q.err(); err != nil {
		return err
	}
	sol, err := s.solution(r)
	if err != nil {
		return err
	}
	recs, _, err := s.tenant(r).ListAssessments(r.Context(), sol.ID, store.Page{Limit: limit})
	if err != nil {
		return fmt.Errorf("posture: %w", err)
	}
	iu := s.role(r) == store.RoleIU
	body := postureBody{SolutionID: sol.ID, Points: make([]posturePoint, 0, len(recs))}
	if iu {
		body.Role = string(model.IU)
	}
	for _, rec := range recs {
		pt := posturePoint{AssessmentID: rec.ID, AssessedAt: rec.AssessedAt, Score: rec.Summary.Score}
		if iu {
			pt.Score = rec.Summary.ByRole[model.IU]
		} else {
			pt.ByRole, pt.ByCategory = rec.Summary.ByRole, rec.Summary.ByCategory
			pt.Controls, pt.Findings = rec.Summary.Controls, rec.Summary.Findings
		}
		body.Points = append(body.Points, pt)
	}
	sortPoints(body.Points)
	writeJSON(w, http.StatusOK, body)
	return nil
}

// sortPoints orders by assessment time: the store lists newest first, a
// chart wants time running left to right.
func sortPoints(ps []posturePoint) {
	slices.SortStableFunc(ps, func(a, b posturePoint) int { return a.AssessedAt.Compare(b.AssessedAt) })
}

func (s *Server) soa(w http.ResponseWriter, r *http.Request) error {
	if err := newQuery(r).err(); err != nil {
		return err
	}
	sol, err := s.solution(r)
	if err != nil {
		return err
	}
	entries, err := s.tenant(r).SoA(r.Context(), sol.ID)
	if err != nil {
		return fmt.Errorf("statement of applicability: %w", err)
	}
	entries = filter(entries, func(e store.SoAEntry) bool { return s.sees(r, e.Control) })
	writeJSON(w, http.StatusOK, entries)
	return nil
}
