package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

type findingPatch struct {
	State  store.FindingState `json:"state"`
	Reason string             `json:"reason,omitempty"`
	// Until is when a risk acceptance lapses (RFC 3339 or a date).
	Until model.Timestamp `json:"until,omitzero"`
}

func (s *Server) listFindings(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	fq := store.FindingQuery{
		Page:     q.page(),
		State:    store.FindingState(q.enum("state", findingStateNames())),
		Severity: model.Severity(q.enum("severity", severityNames())),
		Control:  q.str("control"),
		Check:    q.str("check"),
		Asset:    q.str("asset"),
	}
	if err := q.err(); err != nil {
		return err
	}
	if _, err := s.solution(r); err != nil {
		return err
	}
	items, next, err := s.tenant(r).ListFindings(r.Context(), pathParam(r, "solution"), fq)
	if err != nil {
		return fmt.Errorf("list findings: %w", err)
	}
	items = filter(items, func(f store.Finding) bool { return s.seesAny(r, f.Controls) })
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (s *Server) finding(r *http.Request) (store.Finding, error) {
	f, err := s.tenant(r).GetFinding(r.Context(), pathParam(r, "finding"))
	if err != nil {
		return store.Finding{}, fmt.Errorf("finding: %w", err)
	}
	if !s.seesAny(r, f.Controls) {
		return store.Finding{}, notFound("finding")
	}
	return f, nil
}

func (s *Server) getFinding(w http.ResponseWriter, r *http.Request) error {
	f, err := s.finding(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// updateFinding moves a finding through its lifecycle. Accepting a risk
// needs a reason and an expiry, so that no acceptance is forever.
func (s *Server) updateFinding(w http.ResponseWriter, r *http.Request) error {
	var req findingPatch
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var details []string
	switch req.State {
	case store.Open, store.Acknowledged, store.Resolved:
		if req.Until.Set() {
			details = append(details, "until is only for risk-accepted")
		}
	case store.RiskAccepted:
		if strings.TrimSpace(req.Reason) == "" {
			details = append(details, "reason is required to accept a risk")
		}
		if !req.Until.Set() || !req.Until.After(s.now()) {
			details = append(details, "until is required to accept a risk and must be in the future")
		}
	default:
		details = append(details, fmt.Sprintf("state %q is not valid; use one of %s", req.State, strings.Join(findingStateNames(), ", ")))
	}
	if len(req.Reason) > maxStatement {
		details = append(details, fmt.Sprintf("reason is limited to %d bytes", maxStatement))
	}
	if len(details) > 0 {
		return &apiError{status: http.StatusBadRequest, code: codeBadRequest, msg: "invalid finding update", details: details}
	}
	cur, err := s.finding(r)
	if err != nil {
		return err
	}
	var until *time.Time
	if req.Until.Set() {
		t := req.Until.UTC()
		until = &t
	}
	f, err := s.tenant(r).UpdateFinding(r.Context(), actor(r), cur.ID, req.State, req.Reason, until)
	if err != nil {
		return fmt.Errorf("update finding: %w", err)
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}
