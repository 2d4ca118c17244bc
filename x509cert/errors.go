package x509cert

import (
	"errors"

	"github.com/iotguard/iotguard/internal/inputerr"
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
type FormatError = inputerr.FormatError

func formatErr(name, path, format string, args ...any) *FormatError {
	return inputerr.New(ErrFormat, name, path, format, args...)
}
