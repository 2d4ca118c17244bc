package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/iotguard/iotguard/store"
)

// Error codes of the API's error objects. Clients switch on the code; the
// message is for people.
const (
	codeBadRequest      = "bad_request"
	codeUnauthenticated = "unauthenticated"
	codeForbidden       = "forbidden"
	codeNotFound        = "not_found"
	codeMethod          = "method_not_allowed"
	codeConflict        = "conflict"
	codePrecondition    = "precondition_failed"
	codePrecondReq      = "precondition_required"
	codeTooLarge        = "too_large"
	codeUnsupported     = "unsupported_media_type"
	codeRateLimited     = "rate_limited"
	codeInternal        = "internal"
	codeUnavailable     = "unavailable"
)

// ErrorBody is the error object every failing response carries.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code, a message and, for
// validation errors, one detail per problem.
type ErrorDetail struct {
	Code      string   `json:"code"`
	Message   string   `json:"message"`
	Details   []string `json:"details,omitempty"`
	RequestID string   `json:"request_id,omitempty"`
}

// apiError is an error that already knows its HTTP status and code;
// handlers return it for problems they detect themselves.
type apiError struct {
	status  int
	code    string
	msg     string
	details []string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: codeBadRequest, msg: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) *apiError {
	return &apiError{status: http.StatusForbidden, code: codeForbidden, msg: fmt.Sprintf(format, args...)}
}

func notFound(what string) *apiError {
	return &apiError{status: http.StatusNotFound, code: codeNotFound, msg: what + " not found"}
}

var errUnauthenticated = &apiError{status: http.StatusUnauthorized, code: codeUnauthenticated,
	msg: "a valid bearer token is required (Authorization: Bearer <token>)"}

// statusClientClosed is nginx's convention for a client that went away;
// it is only logged and counted, the client never sees it.
const statusClientClosed = 499

// classify maps an error to its status and error object. It is the one
// place where store errors become HTTP statuses, so every handler answers
// the same way for the same failure.
func classify(err error) (int, ErrorDetail) {
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae.status, ErrorDetail{Code: ae.code, Message: ae.msg, Details: ae.details}
	case errors.As(err, &mbe), errors.Is(err, store.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, ErrorDetail{Code: codeTooLarge, Message: tooLargeMessage(err, mbe)}
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, ErrorDetail{Code: codeNotFound, Message: err.Error()}
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, ErrorDetail{Code: codeConflict, Message: err.Error()}
	case errors.Is(err, store.ErrInvalid):
		return http.StatusBadRequest, ErrorDetail{Code: codeBadRequest, Message: err.Error()}
	case errors.Is(err, store.ErrTampered):
		return http.StatusServiceUnavailable, ErrorDetail{Code: codeUnavailable,
			Message: "changes are refused: the audit log fails verification; an administrator must run iotguard audit verify"}
	case errors.Is(err, context.Canceled):
		return statusClientClosed, ErrorDetail{Code: codeUnavailable, Message: "request cancelled"}
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, ErrorDetail{Code: codeUnavailable, Message: "the request took too long"}
	}
	// Anything else is our fault; its text may name tables or files, so
	// the client gets a generic message and the log gets the detail.
	return http.StatusInternalServerError, ErrorDetail{Code: codeInternal, Message: "internal server error"}
}

func tooLargeMessage(err error, mbe *http.MaxBytesError) string {
	if mbe != nil {
		return fmt.Sprintf("the request body is larger than the limit of %d bytes for this endpoint", mbe.Limit)
	}
	return err.Error()
}

// writeError answers with the error object for err and logs server-side
// failures with their full text.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, detail := classify(err)
	detail.RequestID = requestID(r.Context())
	if status >= 500 && status != http.StatusServiceUnavailable {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("request_id", detail.RequestID),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if status == statusClientClosed {
		// Nobody is listening; the status is for the metrics and the log.
		w.WriteHeader(status)
		return
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="iotguard"`)
	}
	writeJSON(w, status, ErrorBody{Error: detail})
}
