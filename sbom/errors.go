package sbom

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/safetext"
)

// ErrFormat is matched (errors.Is) by every problem with the input itself:
// unknown format or spec version, malformed syntax, wrong types, missing
// required parts, oversize input. Read errors do not match it.
var ErrFormat = errors.New("invalid SBOM")

// ErrTooLarge is matched by input larger than MaxSize (which also matches
// ErrFormat).
var ErrTooLarge = errors.New("SBOM too large")

// FormatError is a problem with the input, located where the format
// allows: Line (1-based, 0 when unknown) and Path (a JSON-style path such
// as components[3].licenses, or a tag name).
type FormatError = inputerr.FormatError

func formatErr(name, path, format string, args ...any) *FormatError {
	return inputerr.New(ErrFormat, name, path, format, args...)
}

// jsonErr turns an encoding/json error into a located FormatError.
// Syntax errors come from a top-level decode, so their offset is exact;
// type errors are located by their field path only, because offsets are
// relative to a sub-document when a library's UnmarshalJSON decodes.
func jsonErr(name string, data []byte, err error) error {
	e := inputerr.JSONError(ErrFormat, name, data, err)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		e.Line, e.Col = 0, 0
	}
	return e
}

// xmlErr locates an encoding/xml error; line is the decoder's position
// when the error was returned.
func xmlErr(name string, line int, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if se.Msg == "unexpected EOF" {
			return &FormatError{Name: name, Line: se.Line, Msg: "truncated XML: the document ends before it is complete", Kind: ErrFormat}
		}
		return &FormatError{Name: name, Line: se.Line, Msg: "malformed XML: " + safetext.LibMsg(errors.New(se.Msg)), Kind: ErrFormat}
	}
	return &FormatError{Name: name, Line: line, Msg: strings.TrimPrefix(safetext.LibMsg(err), "xml: "), Kind: ErrFormat}
}
