package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// reviewRequest is an auditor's decision on a submitted attestation.
type reviewRequest struct {
	Decision string `json:"decision"` // approve or reject
	Comment  string `json:"comment,omitempty"`
	// Expires is when an approval lapses (RFC 3339 or a date).
	Expires model.Timestamp `json:"expires,omitzero"`
}

const maxStatement = 20_000

// checkAttestation validates what a client may set on an attestation.
func (s *Server) checkAttestation(r *http.Request, a *model.Attestation) error {
	var details []string
	if s.cat.Control(a.Control) == nil {
		details = append(details, fmt.Sprintf("control: %q is not a control of the catalog (S01-S28, P01-P17)", a.Control))
	}
	if a.Status == "" {
		details = append(details, "status is required: one of "+strings.Join(names(model.ControlStatuses), ", "))
	}
	if a.Status == model.NotApplicable && strings.TrimSpace(a.Justification) == "" {
		details = append(details, "justification is required when status is not-applicable")
	}
	if len(a.Statement) > maxStatement || len(a.Justification) > maxStatement {
		details = append(details, fmt.Sprintf("statement and justification are limited to %d bytes", maxStatement))
	}
	for i, e := range a.Evidence {
		if !sha256Hex.MatchString(strings.ToLower(e.SHA256)) {
			details = append(details, fmt.Sprintf("evidence[%d].sha256: %q is not a SHA-256 digest", i, e.SHA256))
		}
	}
	if len(details) > 0 {
		return &apiError{status: http.StatusBadRequest, code: codeBadRequest, msg: "invalid attestation", details: details}
	}
	for _, e := range a.Evidence {
		if err := s.evidenceExists(r, e.SHA256); err != nil {
			return err
		}
	}
	return s.mayAttest(r, a.Control)
}

func (s *Server) listAttestations(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	p := q.page()
	state := store.AttestationState(q.enum("state", attestationStateNames()))
	if err := q.err(); err != nil {
		return err
	}
	if _, err := s.solution(r); err != nil {
		return err
	}
	items, next, err := s.tenant(r).ListAttestations(r.Context(), pathParam(r, "solution"), p)
	if err != nil {
		return fmt.Errorf("list attestations: %w", err)
	}
	// Filtering a page can make it shorter than the limit; the cursor
	// still moves on, so clients page until next is empty.
	items = filter(items, func(a store.Attestation) bool {
		return s.sees(r, a.Control) && (state == "" || a.State == state)
	})
	writeJSON(w, http.StatusOK, newList(items, next))
	return nil
}

func (s *Server) createAttestation(w http.ResponseWriter, r *http.Request) error {
	var in model.Attestation
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	sol, err := s.solution(r)
	if err != nil {
		return err
	}
	if err := s.checkAttestation(r, &in); err != nil {
		return err
	}
	a, err := s.tenant(r).SaveAttestation(r.Context(), actor(r), store.Attestation{SolutionID: sol.ID, Attestation: in, State: store.Draft})
	if err != nil {
		return fmt.Errorf("create attestation: %w", err)
	}
	w.Header().Set("Location", "/api/v1/tenants/"+pathParam(r, "tenant")+"/attestations/"+a.ID)
	writeAttestation(w, http.StatusCreated, a)
	return nil
}

// attestation loads the URL's attestation; one about a control the caller
// does not see is not found.
func (s *Server) attestation(r *http.Request) (store.Attestation, error) {
	a, err := s.tenant(r).GetAttestation(r.Context(), pathParam(r, "attestation"))
	if err != nil {
		return store.Attestation{}, fmt.Errorf("attestation: %w", err)
	}
	if !s.sees(r, a.Control) {
		return store.Attestation{}, notFound("attestation")
	}
	return a, nil
}

// writeAttestation sends the attestation with its version as ETag, for
// If-Match on the next edit.
func writeAttestation(w http.ResponseWriter, status int, a store.Attestation) {
	w.Header().Set("ETag", strconv.Quote(strconv.Itoa(a.Version)))
	writeJSON(w, status, a)
}

func (s *Server) getAttestation(w http.ResponseWriter, r *http.Request) error {
	a, err := s.attestation(r)
	if err != nil {
		return err
	}
	writeAttestation(w, http.StatusOK, a)
	return nil
}

// ifMatch reads the version from If-Match ("3", W/"3" or 3).
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, &apiError{status: http.StatusPreconditionRequired, code: codePrecondReq,
			msg: "If-Match with the attestation's version (its ETag) is required, so that concurrent edits are not lost"}
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil {
		return 0, badRequest("If-Match %q is not an attestation version", h)
	}
	return v, nil
}

var errStale = &apiError{status: http.StatusPreconditionFailed, code: codePrecondition,
	msg: "the attestation changed since you read it: fetch it again and re-apply your edit"}

// editAttestation replaces the editable fields of a draft or rejected
// attestation.
func (s *Server) editAttestation(w http.ResponseWriter, r *http.Request) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in model.Attestation
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	cur, err := s.attestation(r)
	if err != nil {
		return err
	}
	if err := s.mayAttest(r, cur.Control); err != nil {
		return err
	}
	if cur.Version != version {
		return errStale
	}
	if err := s.checkAttestation(r, &in); err != nil {
		return err
	}
	next := cur
	next.Attestation = in
	a, err := s.tenant(r).SaveAttestation(r.Context(), actor(r), next)
	if err != nil {
		return fmt.Errorf("edit attestation: %w", err)
	}
	writeAttestation(w, http.StatusOK, a)
	return nil
}

func (s *Server) submitAttestation(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.attestation(r)
	if err != nil {
		return err
	}
	if err := s.mayAttest(r, cur.Control); err != nil {
		return err
	}
	a, err := s.tenant(r).SubmitAttestation(r.Context(), actor(r), cur.ID)
	if err != nil {
		return fmt.Errorf("submit attestation: %w", err)
	}
	writeAttestation(w, http.StatusOK, a)
	return nil
}

// reviewAttestation is the auditor's decision. The route table lets only
// auditors here, not admins: whoever can edit data must not approve it.
func (s *Server) reviewAttestation(w http.ResponseWriter, r *http.Request) error {
	var req reviewRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var approve bool
	switch req.Decision {
	case "approve":
		approve = true
	case "reject":
		if strings.TrimSpace(req.Comment) == "" {
			return badRequest("a rejection needs a comment saying what to fix")
		}
	default:
		return badRequest("decision %q is not valid; use approve or reject", req.Decision)
	}
	if len(req.Comment) > maxStatement {
		return badRequest("comment is limited to %d bytes", maxStatement)
	}
	var expires *time.Time
	if req.Expires.Set() {
		if !req.Expires.After(s.now()) {
			return badRequest("expires must be in the future")
		}
		t := req.Expires.UTC()
		expires = &t
	}
	cur, err := s.attestation(r)
	if err != nil {
		return err
	}
	a, err := s.tenant(r).ReviewAttestation(r.Context(), actor(r), cur.ID, approve, req.Comment, expires)
	if err != nil {
		return fmt.Errorf("review attestation: %w", err)
	}
	writeAttestation(w, http.StatusOK, a)
	return nil
}
