package inputerr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/iotguard/iotguard/internal/safetext"
)

// The importers word JSON problems in two ways, kept as they were: mud and
// sbom say "malformed JSON" and "truncated JSON" (JSONError); awsiot and
// azureiot, whose input is often hand-trimmed CLI output, add hints such
// as "look for a missing comma" and escape every message (DecodeError,
// ValueError).

// JSONError turns an encoding/json error of a whole document into a
// FormatError of kind: syntax errors and type errors are located by line
// and column (from the error's offset into data), type errors also by
// field path.
func JSONError(kind error, name string, data []byte, err error) *FormatError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := Position(data, se.Offset)
		msg := "malformed JSON: " + safetext.LibMsg(se)
		if se.Offset >= int64(len(data)) {
			msg = "truncated JSON: the document ends before it is complete"
		}
		return &FormatError{Name: name, Line: line, Col: col, Msg: msg, Kind: kind}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line, col := Position(data, te.Offset)
		e := &FormatError{Name: name, Line: line, Col: col, Path: te.Field, Kind: kind}
		if te.Field == "" {
			e.Msg = fmt.Sprintf("expected %s at the top level, found %s", DescribeType(te.Type), te.Value)
		} else {
			e.Msg = fmt.Sprintf("expected %s, found %s", DescribeType(te.Type), te.Value)
		}
		return e
	}
	return New(kind, name, "", "%s", safetext.LibMsg(err))
}

// DecodeError positions an encoding/json error of a whole document. want
// completes the message for an empty file: "the file is empty: expected
// " + want. Errors other than syntax errors and early ends go to
// ValueError.
func DecodeError(kind error, name string, data []byte, err error, want string) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if len(bytes.TrimSpace(data)) == 0 {
			return Escaped(New(kind, name, "", "the file is empty: expected %s", want))
		}
		msg := strings.TrimPrefix(se.Error(), "json: ")
		if msg == "unexpected end of JSON input" {
			msg = "the JSON ends early (truncated file?)"
		} else {
			msg = "invalid JSON: " + msg + " (look for a missing comma, quote or brace)"
		}
		line, col := Position(data, se.Offset-1)
		return &FormatError{Name: name, Line: line, Col: col, Msg: msg, Kind: kind, Escape: true}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return Escaped(New(kind, name, "", "the JSON ends early (truncated file?)"))
	}
	return ValueError(kind, name, "", err)
}

// ValueError names the JSON path of a value of the wrong type; prefix is
// the path of the value that was decoded. A FormatError passes through;
// other errors keep their text, without the "json: " prefix.
func ValueError(kind error, name, prefix string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return Escaped(New(kind, name, JoinPath(prefix, te.Field), "expected %s, got a JSON %s", DescribeType(te.Type), te.Value))
	}
	var fe *FormatError
	if errors.As(err, &fe) {
		return fe
	}
	return Escaped(New(kind, name, prefix, "%s", strings.TrimPrefix(err.Error(), "json: ")))
}

// JoinPath appends a field to a JSON path.
func JoinPath(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

// DescribeType names a Go type the way a JSON author thinks of it: "a
// string", "an array", "an object" (named or anonymous struct, map)...
func DescribeType(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.String:
		if t.Name() == "Number" { // json.Number
			return "a number"
		}
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return DescribeType(t.Elem())
	}
	return "a " + t.Kind().String()
}

// DescribeJSON names the kind of a raw JSON value, never its content.
func DescribeJSON(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// Position returns the 1-based line and byte column of offset off in data
// (clamped to data).
func Position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
