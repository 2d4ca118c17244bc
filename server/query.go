package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// MaxPageLimit is the largest page a list returns.
const MaxPageLimit = 1000

const defaultPageLimit = 50

// listBody is the envelope of every list response: the items and the
// cursor of the next page ("" on the last).
type listBody[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

func newList[T any](items []T, next string) listBody[T] {
	if items == nil {
		items = []T{} // an empty list is [], not null
	}
	return listBody[T]{Items: items, Next: next}
}

// queryValidator collects every problem with the query string, so the
// client learns about all of them at once.
type queryValidator struct {
	q       url.Values
	known   map[string]bool
	details []string
}

func newQuery(r *http.Request, known ...string) *queryValidator {
	v := &queryValidator{q: r.URL.Query(), known: map[string]bool{}}
	for _, k := range known {
		v.known[k] = true
	}
	return v
}

func (v *queryValidator) str(name string) string {
	v.known[name] = true
	return strings.TrimSpace(v.q.Get(name))
}

// enum reads a parameter that must be one of valid ("" when absent).
func (v *queryValidator) enum(name string, valid []string) string {
	s := v.str(name)
	if s == "" {
		return ""
	}
	for _, ok := range valid {
		if s == ok {
			return s
		}
	}
	v.details = append(v.details, name+": "+strconv.Quote(s)+" is not valid; use one of "+strings.Join(valid, ", "))
	return ""
}

// intIn reads an integer parameter within [lo, hi], def when absent.
func (v *queryValidator) intIn(name string, lo, hi, def int) int {
	s := v.str(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		v.details = append(v.details, name+": "+strconv.Quote(s)+" is not valid; use a whole number from "+strconv.Itoa(lo)+" to "+strconv.Itoa(hi))
		return def
	}
	return n
}

// page reads cursor and limit.
func (v *queryValidator) page() store.Page {
	return store.Page{After: v.str("cursor"), Limit: v.intIn("limit", 1, MaxPageLimit, defaultPageLimit)}
}

// err reports every problem found, and unknown parameters too: a typo in a
// filter must not silently return everything.
func (v *queryValidator) err() error {
	for name := range v.q {
		if !v.known[name] {
			v.details = append(v.details, name+": unknown query parameter")
		}
	}
	if len(v.details) == 0 {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, code: codeBadRequest, msg: "invalid query parameters", details: v.details}
}

// pathParam is a URL parameter, unescaped: device IDs may hold characters
// that clients percent-encode.
func pathParam(r *http.Request, name string) string {
	s := chi.URLParam(r, name)
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func names[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

var deviceSorts = []string{"id", "-id", "last_seen", "-last_seen", "model", "-model"}

func lifecycleNames() []string { return names(model.LifecycleStates) }
func severityNames() []string  { return names(model.Severities) }
func findingStateNames() []string {
	return names([]store.FindingState{store.Open, store.Acknowledged, store.RiskAccepted, store.Resolved})
}
func attestationStateNames() []string {
	return names([]store.AttestationState{store.Draft, store.Submitted, store.Approved, store.Rejected})
}
