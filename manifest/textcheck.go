package manifest

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

var textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()

// checkText walks node alongside type t and runs UnmarshalText on every
// scalar bound for a type that implements it (dates, enums), so that a bad
// value is reported at its line and column with its field path. yaml.v3
// itself returns these errors without a position. A bad value is replaced
// by null in the tree, so decoding and later checks can go on. Structural
// problems (unknown fields, wrong kinds) are left to strictyaml.
func checkText(file string, n *yaml.Node, t reflect.Type, path string, ps *problems) {
	if n == nil || ps.full() {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			checkText(file, n.Content[0], t, path, ps)
		}
		return
	case yaml.AliasNode:
		if n.Alias != nil {
			checkText(file, n.Alias, t, path, ps)
		}
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	info := typeInfoOf(t)
	if info.text {
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			return
		}
		v := reflect.New(t).Interface().(encoding.TextUnmarshaler)
		if err := v.UnmarshalText([]byte(n.Value)); err != nil {
			msg := err.Error()
			if t == reflect.TypeOf(model.ControlStatus("")) {
				// not-assessed is a roll-up status, not something to attest.
				msg = fmt.Sprintf("%s is not a valid attestation status%s: use one of %s", q(n.Value), suggest.Hint(n.Value, strs(attestationStatuses)), statusNames())
			}
			ps.add(&Problem{File: file, Line: n.Line, Column: n.Column, Path: path, Msg: msg})
			// Decode the rest: the bad value reads as unset, and later
			// checks skip the path already reported.
			n.Tag, n.Value, n.Style = "!!null", "", 0
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if f, ok := info.fields[k.Value]; ok {
				checkText(file, n.Content[i+1], f, joinPath(path, k.Value), ps)
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkText(file, n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value), ps)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, c := range n.Content {
			checkText(file, c, t.Elem(), path+"["+strconv.Itoa(i)+"]", ps)
		}
	}
}

// typeInfo is what checkText needs of a type, worked out once: a
// manifest has thousands of nodes of a few dozen types.
type typeInfo struct {
	text   bool                    // *T is an encoding.TextUnmarshaler
	fields map[string]reflect.Type // a struct's fields by YAML name
}

var typeInfos sync.Map // reflect.Type -> *typeInfo

func typeInfoOf(t reflect.Type) *typeInfo {
	if v, ok := typeInfos.Load(t); ok {
		return v.(*typeInfo)
	}
	info := &typeInfo{text: reflect.PointerTo(t).Implements(textUnmarshaler)}
	if t.Kind() == reflect.Struct {
		info.fields = map[string]reflect.Type{}
		for i := t.NumField() - 1; i >= 0; i-- { // the first of two same names wins, as in fieldByYAML
			f := t.Field(i)
			if name, ok := yamlName(f); ok {
				info.fields[name] = f.Type
			}
		}
	}
	v, _ := typeInfos.LoadOrStore(t, info)
	return v.(*typeInfo)
}

// yamlName is the name a field has in YAML: its yaml tag, else its
// lower-cased name; false for unexported and skipped fields.
func yamlName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	switch tag {
	case "-":
		return "", false
	case "":
		return strings.ToLower(f.Name), true
	}
	return tag, true
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// minAliasBudget is how many values YAML aliases (*name) may add to a
// document when expanded, at least; a larger document may grow to twice
// its size. This stops "billion laughs" documents, small on disk but huge
// once walked.
const minAliasBudget = 100_000

// checkExpansion refuses documents whose aliases expand beyond the budget.
func checkExpansion(file string, top *yaml.Node) error {
	const huge = 1 << 40
	memo := map[*yaml.Node]int{}
	var size func(n *yaml.Node, depth int) int
	size = func(n *yaml.Node, depth int) int {
		if n == nil {
			return 0
		}
		if s, ok := memo[n]; ok {
			return s
		}
		if depth > 10_000 {
			return huge
		}
		s := 1
		if n.Kind == yaml.AliasNode {
			s += size(n.Alias, depth+1)
		}
		for _, c := range n.Content {
			s = min(s+size(c, depth+1), huge)
		}
		memo[n] = s
		return s
	}
	expanded := size(top, 0)
	unique := len(memo)
	if budget := max(unique, minAliasBudget); expanded-unique > budget {
		return inputErr(file, top.Line, top.Column, "", "the document grows too large when its YAML aliases (*name) are expanded (more than %d extra values): write the repeated parts out or move devices to a side file", budget)
	}
	return nil
}

// maxKeyLen bounds the length of a mapping key (field or setting name).
const maxKeyLen = 200

// checkKeys reports mapping keys that cannot be names: not plain scalars,
// longer than maxKeyLen, or holding control characters. It runs before
// strict decoding so that hostile keys never reach other messages.
func checkKeys(file string, n *yaml.Node, path string, ps *problems) {
	if n == nil || ps.full() {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			checkKeys(file, c, path, ps)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			checkKeys(file, c, fmt.Sprintf("%s[%d]", path, i), ps)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			switch {
			case k.Kind != yaml.ScalarNode:
				ps.add(&Problem{File: file, Line: k.Line, Column: k.Column, Path: path, Msg: "a key must be a plain name, not a list or mapping"})
				continue
			case len(k.Value) > maxKeyLen:
				ps.add(&Problem{File: file, Line: k.Line, Column: k.Column, Path: path, Msg: fmt.Sprintf("key %s is longer than %d characters: no field has such a name", q(k.Value), maxKeyLen)})
				continue
			case hasControl(k.Value):
				ps.add(&Problem{File: file, Line: k.Line, Column: k.Column, Path: path, Msg: fmt.Sprintf("key %s contains control characters: remove them", q(k.Value))})
				continue
			}
			checkKeys(file, n.Content[i+1], joinPath(path, k.Value), ps)
		}
	}
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// expandMerges replaces YAML merge keys (<<: *base) by the merged fields
// that the mapping does not set itself, so that strict decoding sees, and
// checks, every field: yaml.v3 would otherwise drop unknown fields of a
// merged mapping without a word.
func expandMerges(n *yaml.Node, depth int) {
	if n == nil || depth > 10_000 {
		return
	}
	for _, c := range n.Content {
		expandMerges(c, depth+1)
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	hasMerge := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		if isMergeKey(n.Content[i]) {
			hasMerge = true
			break
		}
	}
	if !hasMerge {
		return
	}
	var own, merged []*yaml.Node
	set := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !isMergeKey(n.Content[i]) {
			own = append(own, n.Content[i], n.Content[i+1])
			set[n.Content[i].Value] = true
		}
	}
	add := func(m *yaml.Node) {
		for m != nil && m.Kind == yaml.AliasNode {
			m = m.Alias
		}
		if m == nil || m.Kind != yaml.MappingNode {
			return
		}
		expandMerges(m, depth+1)
		for i := 0; i+1 < len(m.Content); i += 2 {
			if k := m.Content[i].Value; !set[k] {
				set[k] = true
				merged = append(merged, m.Content[i], m.Content[i+1])
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !isMergeKey(n.Content[i]) {
			continue
		}
		v := n.Content[i+1]
		for v != nil && v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		if v == nil {
			continue
		}
		if v.Kind == yaml.SequenceNode {
			for _, m := range v.Content {
				add(m)
			}
		} else {
			add(v)
		}
	}
	n.Content = append(own, merged...)
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "")
}
