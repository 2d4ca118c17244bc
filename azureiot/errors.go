package azureiot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrFormat is matched (errors.Is) by every problem with the document
// itself: malformed JSON, an unknown document kind, wrong types or missing
// parts, oversize input. I/O failures do not match it.
var ErrFormat = errors.New("invalid Azure IoT Hub document")

// ErrTooLarge is matched (errors.Is) when the input exceeds MaxSize; such
// errors match ErrFormat too.
var ErrTooLarge = errors.New("input too large")

// FormatError is one problem with a document, positioned by line and
// column (for JSON syntax errors) or by JSON path (for values). It matches
// ErrFormat. Messages never quote secrets and escape control characters.
type FormatError struct {
	File   string
	Line   int    // 1-based, 0 when unknown
	Column int    // 1-based byte column, 0 when unknown
	Path   string // JSON path such as things[2].attributes, "" for the document
	Msg    string
	kind   error // an extra sentinel the error matches, e.g. ErrTooLarge
}

func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString(safe(e.File, 300))
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(safe(e.Path, 300))
		b.WriteString(": ")
	}
	b.WriteString(safe(e.Msg, 2000))
	return b.String()
}

// Is makes errors.Is(err, ErrFormat) true, and ErrTooLarge for oversize
// input.
func (e *FormatError) Is(target error) bool {
	return target == ErrFormat || (e.kind != nil && target == e.kind)
}

func formatErr(file, path, format string, args ...any) *FormatError {
	return &FormatError{File: file, Path: path, Msg: fmt.Sprintf(format, args...)}
}

// syntaxErr positions a JSON decoding error of the whole document.
func syntaxErr(file string, data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if len(bytes.TrimSpace(data)) == 0 {
			return formatErr(file, "", "the file is empty: expected Azure IoT Hub device twins or an export (JSON lines)")
		}
		off := int(se.Offset)
		msg := strings.TrimPrefix(se.Error(), "json: ")
		if msg == "unexpected end of JSON input" {
			msg = "the JSON ends early (truncated file?)"
		} else {
			msg = "invalid JSON: " + msg + " (look for a missing comma, quote or brace)"
		}
		line, col := position(data, off-1)
		return &FormatError{File: file, Line: line, Column: col, Msg: msg}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return formatErr(file, "", "the JSON ends early (truncated file?)")
	}
	return typeErr(file, "", err)
}

// typeErr names the JSON path of a value of the wrong type; prefix is the
// path of the value that was decoded.
func typeErr(file, prefix string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := joinPath(prefix, te.Field)
		return formatErr(file, path, "expected %s, got a JSON %s", describeType(te.Type.String()), te.Value)
	}
	var fe *FormatError
	if errors.As(err, &fe) {
		return fe
	}
	return formatErr(file, prefix, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

func joinPath(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

// describeType turns a Go type into words for a message.
func describeType(t string) string {
	switch {
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map[") || strings.Contains(t, "."):
		return "an object"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint") || strings.HasPrefix(t, "float"):
		return "a number"
	}
	return t
}

// position returns the 1-based line and byte column of offset off.
func position(data []byte, off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(data) {
		off = len(data)
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = off - bytes.LastIndexByte(before, '\n')
	return line, col
}

// describeJSON names the kind of a raw JSON value, never its content.
func describeJSON(b json.RawMessage) string {
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

// maxShown is how many bytes of a user value a message shows.
const maxShown = 60

// q quotes a user-supplied value for a message: control characters are
// escaped and long values truncated, so hostile strings cannot break or
// flood the output. Never call it on a value that may be a secret.
func q(s string) string {
	if len(s) > maxShown {
		cut := maxShown
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + fmt.Sprintf("...(%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// safe escapes control characters and invalid UTF-8 and truncates s to
// about n bytes.
func safe(s string, n int) string {
	clean := len(s) <= n && utf8.ValidString(s)
	for i := 0; clean && i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			clean = false
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= n {
			fmt.Fprintf(&b, "...(%d bytes)", len(s)-i)
			break
		}
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
