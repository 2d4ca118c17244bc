// Package strictyaml decodes YAML (and JSON, its subset) into Go structs
// strictly: unknown fields, wrong types and duplicate keys are errors that
// name the file, line, column and field path and suggest the nearest valid
// field. It also remembers where each field path sits, so later semantic
// validation can point at the same place.
package strictyaml

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/iotguard/iotguard/internal/suggest"
)

// MaxErrors bounds how many problems one decode reports.
const MaxErrors = 25

// Error is one problem at a position in a file.
type Error struct {
	File   string
	Line   int
	Column int
	Path   string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
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

// Errors is a list of problems found in one document.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Doc is a decoded document with the position of every field path.
type Doc struct {
	File string
	pos  map[string][2]int
}

// Pos returns the line and column of a field path such as
// "devices[3].model", or of its nearest recorded parent.
func (d *Doc) Pos(path string) (line, col int) {
	if d == nil {
		return 0, 0
	}
	for p := path; ; {
		if lc, ok := d.pos[p]; ok {
			return lc[0], lc[1]
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			if lc, ok := d.pos[""]; ok {
				return lc[0], lc[1]
			}
			return 0, 0
		}
		p = p[:i]
	}
}

// Errorf makes an Error positioned at path.
func (d *Doc) Errorf(path, format string, args ...any) *Error {
	line, col := d.Pos(path)
	file := ""
	if d != nil {
		file = d.File
	}
	return &Error{File: file, Line: line, Column: col, Path: path, Msg: fmt.Sprintf(format, args...)}
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// Decode parses data as YAML into v, which must be a pointer to a struct.
func Decode(file string, data []byte, v any) (*Doc, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, syntaxError(file, err)
	}
	doc := &Doc{File: file, pos: map[string][2]int{}}
	if root.Kind == 0 {
		return doc, Errors{{File: file, Line: 1, Msg: "the document is empty"}}
	}
	w := &walker{doc: doc}
	w.walk(&root, reflect.TypeOf(v), "")
	if len(w.errs) > 0 {
		return doc, w.errs
	}
	if err := root.Decode(v); err != nil {
		return doc, syntaxError(file, err)
	}
	return doc, nil
}

// DecodeNode is Decode for an already parsed node, used for streams of
// documents or for parts of a larger document.
func DecodeNode(file string, node *yaml.Node, v any, basePath string) (*Doc, error) {
	doc := &Doc{File: file, pos: map[string][2]int{}}
	w := &walker{doc: doc}
	w.walk(node, reflect.TypeOf(v), basePath)
	if len(w.errs) > 0 {
		return doc, w.errs
	}
	if err := node.Decode(v); err != nil {
		return doc, syntaxError(file, err)
	}
	return doc, nil
}

func syntaxError(file string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var es Errors
		for _, m := range te.Errors {
			es = append(es, lineError(file, m))
		}
		return es
	}
	return Errors{lineError(file, err.Error())}
}

func lineError(file, msg string) *Error {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: n, Msg: m[2]}
	}
	return &Error{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

type walker struct {
	doc  *Doc
	errs Errors
}

func (w *walker) fail(n *yaml.Node, path, format string, args ...any) {
	if len(w.errs) >= MaxErrors {
		return
	}
	w.errs = append(w.errs, &Error{File: w.doc.File, Line: n.Line, Column: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

var (
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	textType        = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	timeType        = reflect.TypeOf(time.Time{})
	durationType    = reflect.TypeOf(time.Duration(0))
)

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return fmt.Sprintf("the string %q", truncate(n.Value))
		case "!!null":
			return "null"
		default:
			return fmt.Sprintf("%s %s", strings.TrimPrefix(n.Tag, "!!"), truncate(n.Value))
		}
	}
	return "an alias"
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) > 0 {
			w.walk(n.Content[0], t, path)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias != nil {
			w.walk(n.Alias, t, path)
		}
		return
	}
	w.doc.pos[path] = [2]int{n.Line, n.Column}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType) {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	switch {
	case t == timeType:
		if n.Kind != yaml.ScalarNode {
			w.fail(n, path, "expected a date or time (YYYY-MM-DD or RFC 3339), got %s", kindName(n))
		}
		return
	case t == durationType:
		if n.Kind != yaml.ScalarNode {
			w.fail(n, path, "expected a duration such as 90d or 24h, got %s", kindName(n))
		}
		return
	case reflect.PointerTo(t).Implements(textType):
		if n.Kind != yaml.ScalarNode {
			w.fail(n, path, "expected a scalar value, got %s", kindName(n))
			return
		}
		// Validate here, where the position is known; the decoder itself
		// would report the error without one.
		v := reflect.New(t).Interface().(encoding.TextUnmarshaler)
		if err := v.UnmarshalText([]byte(n.Value)); err != nil {
			w.fail(n, path, "%v", err)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		w.walkStruct(n, t, path)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.fail(n, path, "expected a mapping, got %s", kindName(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := join(path, k.Value)
			w.walk(n.Content[i+1], t.Elem(), p)
			w.doc.pos[p] = [2]int{k.Line, k.Column}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			w.fail(n, path, "expected a list, got %s", kindName(n))
			return
		}
		for i, c := range n.Content {
			w.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.fail(n, path, "expected a string, got %s", kindName(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			w.fail(n, path, "expected true or false, got %s", kindName(n))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			w.fail(n, path, "expected a whole number, got %s", kindName(n))
		}
	case reflect.Float32, reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			w.fail(n, path, "expected a number, got %s", kindName(n))
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

type fieldInfo struct {
	typ reflect.Type
}

// fieldTables holds, per struct type, its fields by YAML name and the
// names sorted (for messages): worked out once per type rather than for
// every mapping of a document (a manifest has hundreds of one type).
var fieldTables sync.Map // reflect.Type -> *fieldTable

type fieldTable struct {
	known map[string]fieldInfo
	names []string
}

// structFields returns t's fields by YAML name and their sorted names;
// callers must not change them.
func structFields(t reflect.Type) (map[string]fieldInfo, []string) {
	if v, ok := fieldTables.Load(t); ok {
		ft := v.(*fieldTable)
		return ft.known, ft.names
	}
	ft := &fieldTable{known: map[string]fieldInfo{}}
	fields(t, ft.known)
	for k := range ft.known {
		ft.names = append(ft.names, k)
	}
	sort.Strings(ft.names)
	v, _ := fieldTables.LoadOrStore(t, ft)
	ft = v.(*fieldTable)
	return ft.known, ft.names
}

// fields maps the YAML names of a struct's fields (inline ones flattened)
// to their types.
func fields(t reflect.Type, out map[string]fieldInfo) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				fields(ft, out)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = fieldInfo{typ: f.Type}
	}
}

func (w *walker) walkStruct(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "expected a mapping, got %s", kindName(n))
		return
	}
	known, names := structFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "<<" {
			continue
		}
		fi, ok := known[k.Value]
		if !ok {
			w.fail(k, join(path, k.Value), "unknown field %q%s; valid fields here: %s",
				k.Value, suggest.Hint(k.Value, names), strings.Join(names, ", "))
			continue
		}
		p := join(path, k.Value)
		w.doc.pos[p] = [2]int{k.Line, k.Column}
		w.walk(v, fi.typ, p)
		w.doc.pos[p] = [2]int{k.Line, k.Column}
	}
}
