// Package inputerr is how the importers (awsiot, azureiot, mud, nmap, sbom,
// x509cert) report problems with their input: one FormatError type that
// matches the importer's own sentinel (its ErrFormat), the standard
// oversize error, and locators for encoding/json errors that describe Go
// types in a JSON author's words. Package safetext makes the input's text
// safe to repeat in the messages.
//
// Every importer keeps its exported names (ErrFormat, ErrTooLarge,
// FormatError as an alias of this package's type, MaxSize), so callers
// match errors.Is(err, sbom.ErrFormat) as before.
package inputerr

import (
	"fmt"
	"strings"

	"github.com/iotguard/iotguard/internal/safetext"
)

// FormatError is a problem with the input itself, located by Line and Col
// where the format allows and by Path, which says where in the document
// (a JSON path such as things[2].attributes, a tag or element name, a PEM
// block). It matches Kind, the importer's sentinel, and unwraps to Err.
type FormatError struct {
	Name string // file name as given to Parse
	Line int    // 1-based, 0 when unknown
	Col  int    // 1-based byte column, 0 when unknown
	Path string // "" for the whole document
	Msg  string
	// Err is a more specific cause (the importer's ErrTooLarge) or nil.
	Err error
	// Kind is the importer's ErrFormat; errors.Is matches it.
	Kind error
	// Escape makes Error escape control characters and invalid UTF-8 in
	// Name, Path and Msg and cut them (safetext.Escape), for importers whose
	// messages repeat raw input or library text. Without it they are
	// printed as they are, and the importer cleans what it puts in them
	// (safetext.Quote, LibMsg, Clean).
	Escape bool
}

// Longest Name or Path, and Msg, that Error shows when Escape is set.
const (
	maxShownName = 300
	maxShownMsg  = 2000
)

func (e *FormatError) Error() string {
	name, path, msg := e.Name, e.Path, e.Msg
	if e.Escape {
		name, path, msg = safetext.Escape(name, maxShownName), safetext.Escape(path, maxShownName), safetext.Escape(msg, maxShownMsg)
	}
	var b strings.Builder
	b.WriteString(name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if path != "" {
		b.WriteString(path)
		b.WriteString(": ")
	}
	b.WriteString(msg)
	return b.String()
}

// Is makes errors.Is(err, Kind) true, so that every FormatError of an
// importer matches its ErrFormat.
func (e *FormatError) Is(target error) bool { return e.Kind != nil && target == e.Kind }

// Unwrap returns the specific cause, if any.
func (e *FormatError) Unwrap() error { return e.Err }

// New returns a FormatError of kind about the value at path, with a
// formatted message.
func New(kind error, name, path, format string, args ...any) *FormatError {
	return &FormatError{Name: name, Path: path, Msg: fmt.Sprintf(format, args...), Kind: kind}
}

// Escaped sets e.Escape and returns e.
func Escaped(e *FormatError) *FormatError {
	e.Escape = true
	return e
}

// TooLarge is the error for input over an importer's size limit (in bytes,
// shown in MiB). It matches kind and cause (the importer's ErrFormat and
// ErrTooLarge). The message is "input is larger than the N MiB limit"
// followed by detail, which names the limit and says what to do, e.g.
// " (mud.MaxSize): split ...".
func TooLarge(kind, cause error, name string, limit int64, detail string) *FormatError {
	return &FormatError{
		Name: name,
		Msg:  fmt.Sprintf("input is larger than the %d MiB limit", limit>>20) + detail,
		Err:  cause,
		Kind: kind,
	}
}
