package mud

import (
	"errors"

	"github.com/iotguard/iotguard/internal/inputerr"
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
type FormatError = inputerr.FormatError

func formatErr(name, path, format string, args ...any) *FormatError {
	return inputerr.New(ErrFormat, name, path, format, args...)
}

// jsonErr turns an encoding/json error into a FormatError located by line,
// column and, for a value of the wrong type, its JSON path.
func jsonErr(name string, data []byte, err error) error {
	return inputerr.JSONError(ErrFormat, name, data, err)
}
