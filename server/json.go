package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// writeJSON writes v as the response body. Encoding errors after the
// header is sent cannot be reported to the client; the status recorder
// still counts the response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// decodeJSON reads one JSON object into v. Unknown fields are errors, so
// a misspelt field is reported instead of silently ignored. The body's
// size is already limited by the route's MaxBytesReader.
func decodeJSON(r *http.Request, v any) error {
	if err := requireMediaType(r, "application/json"); err != nil {
		return err
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("the request body holds more than one JSON value")
	}
	return nil
}

// jsonError turns a decoding error into a 400 naming the field, or passes
// a size-limit error through for the 413 mapping.
func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return badRequest("the request body is empty; a JSON object is expected")
	case errors.As(err, &se):
		return badRequest("the request body is not valid JSON (at byte %d): %v", se.Offset, se)
	case errors.As(err, &te):
		if te.Field != "" {
			return badRequest("field %q must be %s, not JSON %s", te.Field, te.Type.String(), te.Value)
		}
		return badRequest("the request body must be a JSON %s, not %s", te.Type.String(), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return badRequest("the request body is not valid: %v", err)
}

// requireMediaType checks the Content-Type header; a missing header is
// accepted as the expected type, since curl users often omit it.
func requireMediaType(r *http.Request, want ...string) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return unsupported(ct, want)
	}
	for _, w := range want {
		if mt == w {
			return nil
		}
	}
	return unsupported(mt, want)
}

func unsupported(got string, want []string) *apiError {
	return &apiError{status: http.StatusUnsupportedMediaType, code: codeUnsupported,
		msg: fmt.Sprintf("content type %q is not accepted here: use %s", got, strings.Join(want, " or "))}
}
