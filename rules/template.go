package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"gopkg.in/yaml.v3"

	"github.com/iotguard/iotguard/internal/strictyaml"
	"github.com/iotguard/iotguard/model"
)

// template is a message with {{expression}} placeholders, each a CEL
// expression over the rule's variables, compiled once and evaluated only
// when the rule fails.
type template struct {
	parts []templatePart
}

type templatePart struct {
	text string
	prg  cel.Program // nil for literal text
}

// compileTemplate parses a message template. "{{" opens a placeholder and
// "}}" closes it; a literal "{{" is written "{{'{{'}}".
func (c *compiler) compileTemplate(src string, node *yaml.Node, path string, errs *strictyaml.Errors) *template {
	t := &template{}
	ok := true
	rest := src
	off := 0
	for rest != "" {
		i := strings.Index(rest, "{{")
		if i < 0 {
			t.parts = append(t.parts, templatePart{text: rest})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, templatePart{text: rest[:i]})
		}
		j := closing(rest[i+2:])
		if j < 0 {
			*errs = append(*errs, c.errInValue(node, off+i, path, "the placeholder opened here is not closed with }}"))
			return nil
		}
		expr := rest[i+2 : i+2+j]
		if strings.TrimSpace(expr) == "" {
			*errs = append(*errs, c.errInValue(node, off+i, path, "empty placeholder {{}}: write a CEL expression inside, e.g. {{device.id}}"))
			ok = false
		} else if a := c.compileAt(expr, node, off+i+2, path, errs); a != nil {
			prg, err := c.program(a)
			if err != nil {
				*errs = append(*errs, c.errInValue(node, off+i, path, "%v", err))
				ok = false
			} else {
				t.parts = append(t.parts, templatePart{text: expr, prg: prg})
			}
		} else {
			ok = false
		}
		rest = rest[i+2+j+2:]
		off += i + 2 + j + 2
	}
	if !ok {
		return nil
	}
	return t
}

// closing finds the "}}" that closes a placeholder, skipping "}}" inside
// CEL string literals, or -1.
func closing(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == '\\' {
				i++
			} else if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '}' && i+1 < len(s) && s[i+1] == '}':
			return i
		}
	}
	return -1
}

// errInValue is an error at byte offset off of node's value.
func (c *compiler) errInValue(node *yaml.Node, off int, path, format string, args ...any) *strictyaml.Error {
	e := c.fc.errAt(node, path, format, args...)
	if node != nil {
		e.Line, e.Column = newScalarPos(c.fc.lines, node).at(off)
	}
	return e
}

// render evaluates the template; a placeholder that fails to evaluate
// shows its error instead of a value.
func (t *template) render(v *vars) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.prg == nil {
			b.WriteString(p.text)
			continue
		}
		out, _, err := p.prg.Eval(v)
		if err != nil {
			b.WriteString("<" + err.Error() + ">")
			continue
		}
		writeValue(&b, out)
	}
	return b.String()
}

// writeValue formats a CEL value for a message: strings as they are,
// timestamps as dates (or RFC 3339 times), unset timestamps as "never",
// lists comma-separated.
func writeValue(b *strings.Builder, v ref.Val) {
	switch x := v.(type) {
	case types.String:
		b.WriteString(string(x))
	case types.Int:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case types.Uint:
		b.WriteString(strconv.FormatUint(uint64(x), 10))
	case types.Double:
		b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 64))
	case types.Bool:
		b.WriteString(strconv.FormatBool(bool(x)))
	case types.Timestamp:
		if x.Time.Equal(epoch) {
			b.WriteString("never")
		} else {
			b.WriteString(model.Timestamp{Time: x.Time.UTC()}.String())
		}
	case types.Duration:
		b.WriteString(x.Duration.Round(time.Second).String())
	case types.Null:
		b.WriteString("null")
	case traits.Lister:
		it := x.Iterator()
		first := true
		for it.HasNext() == types.True {
			if !first {
				b.WriteString(", ")
			}
			first = false
			writeValue(b, it.Next())
		}
	default:
		if s, ok := v.ConvertToType(types.StringType).(types.String); ok {
			b.WriteString(string(s))
			return
		}
		b.WriteString(v.Type().TypeName())
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
