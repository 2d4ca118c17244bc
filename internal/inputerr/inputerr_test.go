package inputerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

var (
	errKind  = errors.New("invalid test document")
	errLarge = errors.New("test document too large")
	errOther = errors.New("another importer's ErrFormat")
)

func TestFormatErrorMessage(t *testing.T) {
	tests := []struct {
		e    FormatError
		want string
	}{
		{FormatError{Name: "a.json", Msg: "bad"}, "a.json: bad"},
		{FormatError{Name: "a.json", Line: 3, Msg: "bad"}, "a.json:3: bad"},
		{FormatError{Name: "a.json", Line: 3, Col: 7, Path: "x[1].y", Msg: "bad"}, "a.json:3:7: x[1].y: bad"},
		{FormatError{Name: "a.json", Col: 7, Path: "x", Msg: "bad"}, "a.json: x: bad"}, // a column without a line is not shown
		// Without Escape the parts are printed as they are...
		{FormatError{Name: "evil\x1b[2J.json", Path: "p\n", Msg: "m\xff"}, "evil\x1b[2J.json: p\n: m\xff"},
		// ...with it they are escaped and cut.
		{FormatError{Name: "evil\x1b[2J.json", Path: "p\n", Msg: "m\xff", Escape: true}, `evil\x1b[2J.json: p\x0a: m\ufffd`},
		{FormatError{Name: strings.Repeat("n", 310), Msg: strings.Repeat("m", 2010), Escape: true},
			strings.Repeat("n", 300) + "...(10 bytes): " + strings.Repeat("m", 2000) + "...(10 bytes)"},
		{FormatError{Name: strings.Repeat("n", 310), Msg: "ok"}, strings.Repeat("n", 310) + ": ok"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v.Error() =\n%q, want\n%q", tt.e, got, tt.want)
		}
	}
}

func TestFormatErrorMatches(t *testing.T) {
	e := New(errKind, "a.json", "x", "%d problems", 2)
	if e.Error() != "a.json: x: 2 problems" {
		t.Errorf("New: %q", e)
	}
	var err error = fmt.Errorf("wrapped: %w", e)
	if !errors.Is(err, errKind) || errors.Is(err, errLarge) || errors.Is(err, errOther) {
		t.Errorf("New: matches kind %v, too large %v, other %v", errors.Is(err, errKind), errors.Is(err, errLarge), errors.Is(err, errOther))
	}
	var fe *FormatError
	if !errors.As(err, &fe) || fe != e {
		t.Errorf("errors.As does not find the FormatError")
	}
	if (&FormatError{Msg: "no kind"}).Is(nil) || errors.Is(&FormatError{Msg: "no kind"}, errKind) {
		t.Errorf("a FormatError without Kind matches")
	}

	big := TooLarge(errKind, errLarge, "big.json", 4<<20, " (test.MaxSize): split it")
	if got, want := big.Error(), "big.json: input is larger than the 4 MiB limit (test.MaxSize): split it"; got != want {
		t.Errorf("TooLarge: %q, want %q", got, want)
	}
	if !errors.Is(big, errKind) || !errors.Is(big, errLarge) || errors.Is(big, errOther) {
		t.Errorf("TooLarge does not match its kind and cause")
	}
	if errors.Unwrap(big) != errLarge || errors.Unwrap(e) != nil {
		t.Errorf("Unwrap")
	}
}

func TestPosition(t *testing.T) {
	data := []byte("ab\ncd\n\nxyz")
	tests := []struct {
		off       int64
		line, col int
	}{
		{-5, 1, 1}, {0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2},
		{6, 3, 1}, {7, 4, 1}, {9, 4, 3}, {10, 4, 4}, {99, 4, 4},
	}
	for _, tt := range tests {
		if line, col := Position(data, tt.off); line != tt.line || col != tt.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.col)
		}
	}
	if line, col := Position(nil, 3); line != 1 || col != 1 {
		t.Errorf("Position(nil) = %d:%d", line, col)
	}
}

type named string

func TestDescribeType(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{"", "a string"},
		{named(""), "a string"},
		{json.Number(""), "a number"},
		{true, "true or false"},
		{0, "a number"},
		{uint8(0), "a number"},
		{0.5, "a number"},
		{[]string{}, "an array"},
		{[2]int{}, "an array"},
		{map[string]any{}, "an object"},
		{struct{ A string }{}, "an object"}, // anonymous: not its Go syntax
		{&struct{ A int }{}, "an object"},
		{new(bool), "true or false"},
		{make(chan int), "a chan"},
	}
	for _, tt := range tests {
		if got := DescribeType(reflect.TypeOf(tt.v)); got != tt.want {
			t.Errorf("DescribeType(%T) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := DescribeType(nil); got != "a value" {
		t.Errorf("DescribeType(nil) = %q", got)
	}
}

func TestDescribeJSON(t *testing.T) {
	tests := map[string]string{
		"":         "nothing",
		"  \n":     "nothing",
		` {"a":1}`: "an object",
		"[1]":      "an array",
		`"secret"`: "a string",
		"true":     "a boolean",
		"false":    "a boolean",
		"null":     "null",
		"-1.5e3":   "a number",
		"\t42\n":   "a number",
	}
	for in, want := range tests {
		if got := DescribeJSON([]byte(in)); got != want {
			t.Errorf("DescribeJSON(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJoinPath(t *testing.T) {
	for _, tt := range [][3]string{{"", "", ""}, {"", "a", "a"}, {"a", "", "a"}, {"a[1]", "b.c", "a[1].b.c"}} {
		if got := JoinPath(tt[0], tt[1]); got != tt[2] {
			t.Errorf("JoinPath(%q, %q) = %q", tt[0], tt[1], got)
		}
	}
}

type doc struct {
	Name  string `json:"name"`
	Ports []struct {
		Number int `json:"number"`
	} `json:"ports"`
}

func decode(data string) error {
	var d doc
	return json.Unmarshal([]byte(data), &d)
}

func TestJSONError(t *testing.T) {
	// The column is json's offset, just past the offending byte
	// (DecodeError steps back onto it).
	tests := []struct{ in, want string }{
		{"{\n  \"name\": \"a\",,\n}", `f.json:2:16: malformed JSON: invalid character ',' looking for beginning of object key string`},
		{`{"name": "a"`, "f.json:1:13: truncated JSON: the document ends before it is complete"},
		{"[1]", "f.json:1:2: expected an object at the top level, found array"},
		{"{\"ports\": [\n{\"number\": \"80\"}]}", "f.json:2:16: ports.number: expected a number, found string"},
	}
	for _, tt := range tests {
		err := JSONError(errKind, "f.json", []byte(tt.in), decode(tt.in))
		if err.Error() != tt.want {
			t.Errorf("JSONError(%q) =\n%q, want\n%q", tt.in, err, tt.want)
		}
		if !errors.Is(err, errKind) || err.Escape {
			t.Errorf("JSONError(%q): kind %v, escape %v", tt.in, errors.Is(err, errKind), err.Escape)
		}
	}
	err := JSONError(errKind, "f.json", nil, errors.New("json: odd \x1b"))
	if err.Error() != `f.json: json: odd \u001b` {
		t.Errorf("JSONError(other) = %q", err)
	}
}

func TestDecodeError(t *testing.T) {
	tests := []struct{ in, want string }{
		{" \n", "f.json: the file is empty: expected a test document"},
		{"{\n  \"name\": \"a\",,\n}", `f.json:2:15: invalid JSON: invalid character ',' looking for beginning of object key string (look for a missing comma, quote or brace)`},
		{`{"name": "a"`, "f.json:1:12: the JSON ends early (truncated file?)"},
		{"{\"ports\": [\n{\"number\": \"80\"}]}", "f.json: ports.number: expected a number, got a JSON string"},
	}
	for _, tt := range tests {
		err := DecodeError(errKind, "f.json", []byte(tt.in), decode(tt.in), "a test document")
		if err.Error() != tt.want {
			t.Errorf("DecodeError(%q) =\n%q, want\n%q", tt.in, err, tt.want)
		}
		var fe *FormatError
		if !errors.Is(err, errKind) || !errors.As(err, &fe) || !fe.Escape {
			t.Errorf("DecodeError(%q) is not an escaped FormatError of its kind: %#v", tt.in, err)
		}
	}
	err := DecodeError(errKind, "evil\x1b.json", []byte("{"), io.ErrUnexpectedEOF, "x")
	if err.Error() != `evil\x1b.json: the JSON ends early (truncated file?)` {
		t.Errorf("DecodeError(ErrUnexpectedEOF) = %q", err)
	}
}

func TestValueError(t *testing.T) {
	in := `{"ports": [{"number": true}]}`
	err := ValueError(errKind, "f.json", "things[2]", decode(in))
	if err.Error() != "f.json: things[2].ports.number: expected a number, got a JSON bool" {
		t.Errorf("ValueError(type) = %q", err)
	}
	fe := New(errOther, "g.json", "p", "already located")
	if got := ValueError(errKind, "f.json", "x", fmt.Errorf("in UnmarshalJSON: %w", fe)); got != error(fe) {
		t.Errorf("ValueError does not pass a FormatError through: %v", got)
	}
	err = ValueError(errKind, "f.json", "x", errors.New("json: cannot do \x1b that"))
	if err.Error() != `f.json: x: cannot do \x1b that` || !errors.Is(err, errKind) {
		t.Errorf("ValueError(other) = %q", err)
	}
}
