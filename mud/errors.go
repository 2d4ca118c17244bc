package mud

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrFormat is matched (errors.Is) by every problem with the input itself:
// malformed JSON, wrong types, missing or invalid required parts, oversize
// input. Read errors do not match it.
var ErrFormat = errors.New("invalid MUD file")

// ErrTooLarge is matched by input larger than MaxSize (which also matches
// ErrFormat).
var ErrTooLarge = errors.New("MUD file too large")

// FormatError is a problem with the input, located by Line/Col (1-based, 0
// when unknown) and Path, a JSON path such as
// ietf-access-control-list:acls.acl[1].aces.ace[0].actions.forwarding.
type FormatError struct {
	Name string // file name as given to Parse
	Line int
	Col  int
	Path string
	Msg  string
	// Err is a more specific cause (ErrTooLarge) or nil.
	Err error
}

func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is makes errors.Is(err, ErrFormat) true for every FormatError.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

// Unwrap returns the specific cause, if any.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(name, path, format string, args ...any) *FormatError {
	return &FormatError{Name: name, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// maxShown bounds how much of a value from the file an error repeats.
const maxShown = 60

// quote shows a value from the input in an error: quoted, escaped and
// truncated, so hostile strings never reach a terminal verbatim.
func quote(s string) string {
	if len(s) > maxShown {
		cut := maxShown
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q...", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

// libMsg makes a library error message safe to show: control characters
// are escaped and the length is bounded, since such messages can embed
// input text.
func libMsg(err error) string {
	const maxLen = 200
	var b strings.Builder
	for _, r := range err.Error() {
		if b.Len() >= maxLen {
			b.WriteString("...")
			break
		}
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// jsonErr turns an encoding/json error into a located FormatError.
func jsonErr(name string, data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := position(data, se.Offset)
		msg := "malformed JSON: " + libMsg(se)
		if se.Offset >= int64(len(data)) {
			msg = "truncated JSON: the document ends before it is complete"
		}
		return &FormatError{Name: name, Line: line, Col: col, Msg: msg}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line, col := position(data, te.Offset)
		path := te.Field
		if path == "" {
			return &FormatError{Name: name, Line: line, Col: col, Msg: fmt.Sprintf("expected %s at the top level, found %s", describeType(te.Type), te.Value)}
		}
		return &FormatError{Name: name, Line: line, Col: col, Path: path, Msg: fmt.Sprintf("expected %s, found %s", describeType(te.Type), te.Value)}
	}
	return formatErr(name, "", "%s", libMsg(err))
}

// describeType names a Go type the way a JSON author thinks of it.
func describeType(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.String:
		if t.Name() == "Number" {
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
		return describeType(t.Elem())
	}
	return "a " + t.Kind().String()
}

// position converts a byte offset to a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// clean makes a single-line value from the input safe to store and print:
// invalid UTF-8 becomes U+FFFD, control and bidirectional-override
// characters are dropped (line breaks become spaces), and surrounding
// space is trimmed.
func clean(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		for _, r := range s {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				ok = false
				break
			}
		}
	}
	if ok {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
