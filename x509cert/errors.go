package x509cert

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrFormat is matched (errors.Is) by every problem with the input itself:
// data that is neither PEM nor DER, malformed or truncated PEM blocks,
// certificates and CRLs that do not parse, oversize input. Read errors do
// not match it.
var ErrFormat = errors.New("invalid certificate input")

// ErrTooLarge is matched by input larger than MaxSize (which also matches
// ErrFormat).
var ErrTooLarge = errors.New("certificate input too large")

// FormatError is a problem with the input, located by Line (1-based, the
// line of the PEM block's BEGIN; 0 for DER or when unknown) and Path,
// which names the block (e.g. "PEM block 2 (CERTIFICATE)") or DER offset.
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
