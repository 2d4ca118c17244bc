package nmap

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrFormat is matched (errors.Is) by every problem with the input itself:
// malformed or truncated XML, entity declarations, a root other than
// <nmaprun>, unreadable addresses or port numbers, oversize input. Read
// errors do not match it.
var ErrFormat = errors.New("invalid nmap XML")

// ErrTooLarge is matched by input larger than MaxSize (which also matches
// ErrFormat).
var ErrTooLarge = errors.New("nmap XML too large")

// FormatError is a problem with the input, located by Line (1-based, 0
// when unknown) and Path, the element it concerns (e.g. host[3].ports.port[2]).
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

// xmlErr locates an encoding/xml error; line is the decoder's position
// when the error was returned.
func xmlErr(name string, line int, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := libMsg(errors.New(se.Msg))
		if strings.Contains(msg, "unexpected EOF") {
			return &FormatError{Name: name, Line: se.Line, Msg: "truncated XML: the file ends inside an element (was the scan interrupted?)"}
		}
		return &FormatError{Name: name, Line: se.Line, Msg: "malformed XML: " + msg}
	}
	msg := libMsg(err)
	if strings.Contains(msg, "unexpected EOF") {
		msg = "truncated XML: the file ends inside an element (was the scan interrupted?)"
	}
	return &FormatError{Name: name, Line: line, Msg: msg}
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
