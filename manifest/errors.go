package manifest

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/internal/strictyaml"
)

// ErrInput is matched (errors.Is) by every problem with the manifest or its
// side files: malformed syntax, unknown fields, wrong types, missing or
// invalid values, oversize files. I/O failures (a manifest that cannot be
// read at all, a disk error) do not match it. The CLI exits 2 on ErrInput.
var ErrInput = errors.New("invalid manifest input")

// Problem is one input problem: file, line, column, field path, message.
type Problem = strictyaml.Error

// MaxProblems bounds how many problems one load reports.
const MaxProblems = strictyaml.MaxErrors

// InputError lists the problems found in a manifest or a devices side file.
// It matches ErrInput.
type InputError struct {
	Problems []*Problem
	// Omitted counts problems found beyond MaxProblems and not listed.
	Omitted int
}

func (e *InputError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "\n(%d more problems not shown: fix these and run again)", e.Omitted)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInput }

// problems collects positioned problems up to MaxProblems.
type problems struct {
	list    []*Problem
	omitted int
	paths   map[string]bool // file + path of each problem
}

func (ps *problems) add(p *Problem) {
	if p == nil {
		return
	}
	if p.Path != "" {
		if ps.paths == nil {
			ps.paths = map[string]bool{}
		}
		ps.paths[p.File+"\x00"+p.Path] = true
	}
	if len(ps.list) >= MaxProblems {
		ps.omitted++
		return
	}
	ps.list = append(ps.list, p)
}

// has reports whether a problem at path was already recorded.
func (ps *problems) has(file, path string) bool { return ps.paths[file+"\x00"+path] }

func (ps *problems) full() bool { return len(ps.list) >= MaxProblems }

// addErr adds the problems of a strictyaml error (or any error, unpositioned).
func (ps *problems) addErr(file string, err error) {
	var es strictyaml.Errors
	var e *strictyaml.Error
	var ie *InputError
	switch {
	case err == nil:
	case errors.As(err, &ie):
		for _, p := range ie.Problems {
			ps.add(p)
		}
		ps.omitted += ie.Omitted
	case errors.As(err, &es):
		for _, p := range es {
			ps.add(p)
		}
	case errors.As(err, &e):
		ps.add(e)
	default:
		ps.add(&Problem{File: file, Msg: err.Error()})
	}
}

// err returns the collected problems sorted by position, or nil.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if a.File != b.File {
			return false
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	for _, p := range ps.list {
		sanitize(p)
	}
	return &InputError{Problems: ps.list, Omitted: ps.omitted}
}

// maxMsg bounds the length of one message.
const maxMsg = 2000

// sanitize makes a problem safe to print: control characters in the file
// name, path and message are escaped and overlong parts truncated.
func sanitize(p *Problem) {
	p.File = safetext.Escape(p.File, 300)
	p.Path = safetext.Escape(p.Path, 300)
	p.Msg = safetext.Escape(p.Msg, maxMsg)
}

// inputErr makes a one-problem InputError.
func inputErr(file string, line, col int, path, format string, args ...any) *InputError {
	p := &Problem{File: file, Line: line, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)}
	sanitize(p)
	return &InputError{Problems: []*Problem{p}}
}

// maxShown is how many characters of a user value a message shows.
const maxShown = 60

// q quotes a user-supplied value for a message: control characters are
// escaped and long values truncated, so hostile strings cannot break or
// flood the output.
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

// list joins names for a message, showing at most n of them.
func list(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(" and %d more", len(names)-n)
}
