package awsiot

import (
	"errors"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/safetext"
)

// ErrFormat is matched (errors.Is) by every problem with the document
// itself: malformed JSON, an unknown document kind, wrong types or missing
// parts, oversize input. I/O failures do not match it.
var ErrFormat = errors.New("invalid AWS IoT document")

// ErrTooLarge is matched (errors.Is) when the input exceeds MaxSize; such
// errors match ErrFormat too.
var ErrTooLarge = errors.New("input too large")

// FormatError is one problem with a document, positioned by line and
// column (for JSON syntax errors) or by JSON path (for values). It matches
// ErrFormat. Messages never quote secrets and escape control characters
// (Escape is set).
type FormatError = inputerr.FormatError

func formatErr(file, path, format string, args ...any) *FormatError {
	return inputerr.Escaped(inputerr.New(ErrFormat, file, path, format, args...))
}

// syntaxErr positions a JSON decoding error of the whole document.
func syntaxErr(file string, data []byte, err error) error {
	return inputerr.DecodeError(ErrFormat, file, data, err, "an AWS IoT JSON document")
}

// typeErr names the JSON path of a value of the wrong type; prefix is the
// path of the value that was decoded.
func typeErr(file, prefix string, err error) error {
	return inputerr.ValueError(ErrFormat, file, prefix, err)
}

// keyPath appends a map key to a path, quoting keys that are not plain
// identifiers.
func keyPath(prefix, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	if plain && len(key) <= safetext.MaxShown {
		return inputerr.JoinPath(prefix, key)
	}
	return prefix + "[" + safetext.QuoteWithSize(key) + "]"
}
