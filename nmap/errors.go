package nmap

import (
	"encoding/xml"
	"errors"
	"strings"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/safetext"
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
type FormatError = inputerr.FormatError

// xmlErr locates an encoding/xml error; line is the decoder's position
// when the error was returned.
func xmlErr(name string, line int, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := safetext.LibMsg(errors.New(se.Msg))
		if strings.Contains(msg, "unexpected EOF") {
			return &FormatError{Name: name, Line: se.Line, Msg: "truncated XML: the file ends inside an element (was the scan interrupted?)", Kind: ErrFormat}
		}
		return &FormatError{Name: name, Line: se.Line, Msg: "malformed XML: " + msg, Kind: ErrFormat}
	}
	msg := safetext.LibMsg(err)
	if strings.Contains(msg, "unexpected EOF") {
		msg = "truncated XML: the file ends inside an element (was the scan interrupted?)"
	}
	return &FormatError{Name: name, Line: line, Msg: msg, Kind: ErrFormat}
}
