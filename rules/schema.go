package rules

import (
	"reflect"
	"sort"
	"strings"

	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
)

// fieldType returns the Go type of a struct's field named as CEL names
// it, looking through pointers, or nil.
func fieldType(t reflect.Type, name string) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == tTime {
		return nil
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && jsonName(f) == name {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			return ft
		}
	}
	return nil
}

// structFieldNames lists the CEL field names of a struct, sorted.
func structFieldNames(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && jsonName(f) != "-" {
			out = append(out, jsonName(f))
		}
	}
	sort.Strings(out)
	return out
}

// allFieldNames lists every field name of every exposed type.
func allFieldNames() []string {
	seen := map[string]bool{}
	var out []string
	visited := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == tTime || visited[t] {
			return
		}
		visited[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if n := jsonName(f); !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
			walk(f.Type)
		}
	}
	for _, t := range rootTypes {
		walk(t)
	}
	sort.Strings(out)
	return out
}

// Field describes one field of a type exposed to rules, for documentation
// and tooling.
type Field struct {
	Name string
	// Type is the CEL type, e.g. string, list(model.Port), timestamp.
	Type string
}

// Fields lists the fields of the type behind a scope variable (device,
// model, service, network, flow, solution, fleet, policy) or of a type
// reached from one (e.g. "device.certificate"), sorted by name.
func Fields(path string) []Field {
	parts := strings.Split(path, ".")
	var t reflect.Type
	for _, vs := range scopeVars {
		for _, v := range vs {
			if v.name == parts[0] {
				t = v.goType
			}
		}
	}
	for _, p := range parts[1:] {
		if t == nil {
			return nil
		}
		t = fieldType(t, p)
		for t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
	}
	if t == nil {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []Field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		out = append(out, Field{Name: jsonName(f), Type: celTypeOf(f.Type).String()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Variables lists a scope's variables with their CEL types and meaning.
func Variables(s Scope) []Variable {
	var out []Variable
	for _, v := range scopeVars[s] {
		out = append(out, Variable{Name: v.name, Type: celTypeOf(v.goType).String(), Doc: v.doc})
	}
	return out
}

// Variable is one variable of a scope.
type Variable struct {
	Name, Type, Doc string
}

// sizeEstimator bounds the sizes of lists, maps and strings read from the
// variables, so that the cost of a rule can be estimated at compile time.
type sizeEstimator struct{ scope Scope }

// EstimateCallCost bounds the results of conversions to string and of
// iotguard's string functions, which cel-go leaves unbounded.
func (e sizeEstimator) EstimateCallCost(function, overloadID string, target *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	switch overloadID {
	case "list_join", "list_join_string":
		// Lists built by map() or filter() lose their element sizes.
		n := uint64(maxListSize)
		if e.scope == ScopeSolution {
			n = maxSolutionListSize
		}
		return &cost.CallEstimate{CostEstimate: cost.Estimate{Min: 1, Max: 1 + n*maxStringSize/10}, ResultSize: &cost.SizeEstimate{Min: 0, Max: n * (maxStringSize + 8)}}
	case "int64_to_string", "uint64_to_string", "double_to_string", "bool_to_string",
		"timestamp_to_string", "duration_to_string":
		return &cost.CallEstimate{CostEstimate: cost.Estimate{Min: 1, Max: 1}, ResultSize: &cost.SizeEstimate{Min: 1, Max: 40}}
	case "host_string", "tld_string":
		return &cost.CallEstimate{CostEstimate: cost.Estimate{Min: 1, Max: 1 + maxStringSize/10}, ResultSize: &cost.SizeEstimate{Min: 0, Max: maxStringSize}}
	}
	return nil
}

func (e sizeEstimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	path := n.Path()
	if len(path) == 0 {
		return nil
	}
	t := n.Type()
	if t == nil {
		return nil
	}
	// The solution's own lists (models, flows...) and the fleet's counts
	// may be long; lists inside one asset are short.
	listMax := uint64(maxListSize)
	if (path[0] == "solution" || path[0] == "fleet") && len(path) <= 2 {
		listMax = maxSolutionListSize
	}
	switch t.Kind() {
	case types.ListKind, types.MapKind:
		return &cost.SizeEstimate{Min: 0, Max: listMax}
	case types.StringKind, types.BytesKind:
		return &cost.SizeEstimate{Min: 0, Max: maxStringSize}
	}
	return nil
}
