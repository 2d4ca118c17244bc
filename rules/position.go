package rules

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// scalarPos maps byte offsets of a YAML scalar's value (as decoded) to
// lines and columns of the file, so that an error inside an expression
// points at the failing token in the file. It walks the raw text beside the
// decoded value: quotes, indentation, escapes and folded line breaks are
// skipped; where the two cannot be aligned it falls back to the scalar's
// start.
type scalarPos struct {
	line, col int      // the scalar's start (1-based)
	pos       [][2]int // per byte of the value: line and column (1-based)
}

func newScalarPos(lines []string, n *yaml.Node) *scalarPos {
	sp := &scalarPos{line: n.Line, col: n.Column}
	if n.Line <= 0 || n.Line > len(lines) {
		return sp
	}
	value := n.Value
	li := n.Line - 1
	ci := byteIndex(lines[li], n.Column-1)
	style := n.Style
	switch {
	case style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// The content starts on the line after the header (| or >).
		li++
		ci = 0
	case style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0:
		ci++ // the opening quote
	}
	double := style&yaml.DoubleQuotedStyle != 0
	pos := make([][2]int, 0, len(value))
	at := func(li, ci int) [2]int {
		if li >= len(lines) {
			return [2]int{n.Line, n.Column}
		}
		return [2]int{li + 1, utf8.RuneCountInString(lines[li][:min(ci, len(lines[li]))]) + 1}
	}
	// raw returns the raw byte at the cursor, '\n' at the end of a line, or
	// 0 past the end of the file.
	raw := func() byte {
		if li >= len(lines) {
			return 0
		}
		if ci >= len(lines[li]) {
			return '\n'
		}
		return lines[li][ci]
	}
	advance := func() {
		if li >= len(lines) {
			return
		}
		if ci >= len(lines[li]) {
			li++
			ci = 0
			return
		}
		ci++
	}
	for k := 0; k < len(value); {
		c := value[k]
		skipped := 0
		for {
			r := raw()
			if r == 0 || skipped > 256 {
				// Lost: map the rest to the scalar's start.
				for len(pos) < len(value) {
					pos = append(pos, [2]int{n.Line, n.Column})
				}
				sp.pos = pos
				return sp
			}
			if double && r == '\\' {
				// An escape: find how many decoded bytes it makes.
				li0, ci0 := li, ci
				advance()
				e := raw()
				if e == '\n' { // escaped line break: produces nothing
					advance()
					for raw() == ' ' || raw() == '\t' {
						advance()
					}
					skipped++
					continue
				}
				width := 1
				hexLen := 0
				switch e {
				case 'x':
					hexLen = 2
				case 'u':
					hexLen = 4
				case 'U':
					hexLen = 8
				case 'N', '_':
					width = 2
				case 'L', 'P':
					width = 3
				}
				advance()
				if hexLen > 0 {
					var rv rune
					for i := 0; i < hexLen; i++ {
						rv = rv<<4 | rune(hexVal(raw()))
						advance()
					}
					width = utf8.RuneLen(rv)
					if width < 1 {
						width = 1
					}
				}
				for i := 0; i < width && k < len(value); i++ {
					pos = append(pos, at(li0, ci0))
					k++
				}
				break
			}
			if r == c || (c == ' ' && r == '\n') {
				pos = append(pos, at(li, ci))
				k++
				advance()
				if r == '\'' && style&yaml.SingleQuotedStyle != 0 && raw() == '\'' {
					advance() // '' stands for one quote
				}
				break
			}
			advance()
			skipped++
		}
	}
	sp.pos = pos
	return sp
}

func hexVal(b byte) int {
	switch {
	case '0' <= b && b <= '9':
		return int(b - '0')
	case 'a' <= b && b <= 'f':
		return int(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return int(b-'A') + 10
	}
	return 0
}

// at returns the file position of the value's byte offset off.
func (sp *scalarPos) at(off int) (line, col int) {
	if sp == nil {
		return 0, 0
	}
	if off >= 0 && off < len(sp.pos) {
		return sp.pos[off][0], sp.pos[off][1]
	}
	if len(sp.pos) > 0 && off >= len(sp.pos) {
		p := sp.pos[len(sp.pos)-1]
		return p[0], p[1] + 1
	}
	return sp.line, sp.col
}

// byteIndex returns the byte index of the rune at runeCol (0-based) in s.
func byteIndex(s string, runeCol int) int {
	if runeCol <= 0 {
		return 0
	}
	n := 0
	for i := range s {
		if n == runeCol {
			return i
		}
		n++
	}
	return len(s)
}

// offsetOf converts a CEL location (1-based line, 0-based column in runes
// of the expression) to a byte offset of the expression.
func offsetOf(expr string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(expr[off:], '\n')
		if i < 0 {
			return off
		}
		off += i + 1
	}
	end := strings.IndexByte(expr[off:], '\n')
	seg := expr[off:]
	if end >= 0 {
		seg = seg[:end]
	}
	return off + byteIndex(seg, col)
}

// splitLines splits a file into lines without their line terminators.
func splitLines(data []byte) []string {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return strings.Split(s, "\n")
}
