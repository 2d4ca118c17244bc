package rules

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/vercmp"
)

// Fleet holds the fleet statistics of the first pass, as solution rules see
// them in the variable fleet.
type Fleet struct {
	// Devices counts every device of the inventory.
	Devices int `yaml:"devices" json:"devices"`
	// Active counts devices in the active state.
	Active int `yaml:"active" json:"active"`
	// ActiveReporting counts active devices that sent telemetry within the
	// policy's gap.
	ActiveReporting int `yaml:"active_reporting" json:"active_reporting"`
	// ByModel counts devices per model ID.
	ByModel map[string]int `yaml:"by_model" json:"by_model"`
	// ByZone counts devices per network zone.
	ByZone map[string]int `yaml:"by_zone" json:"by_zone"`
	// ByLifecycle counts devices per life-cycle state.
	ByLifecycle map[string]int `yaml:"by_lifecycle" json:"by_lifecycle"`
	// SafetyByZone counts safety-critical devices per zone.
	SafetyByZone map[string]int `yaml:"safety_by_zone" json:"safety_by_zone"`
	// UnknownModels counts devices per undeclared model ID.
	UnknownModels map[string]int `yaml:"unknown_models" json:"unknown_models"`
}

// Scope is the kind of asset a rule evaluates.
type Scope string

// Rule scopes.
const (
	ScopeDevice   Scope = "device"
	ScopeModel    Scope = "model"
	ScopeService  Scope = "service"
	ScopeNetwork  Scope = "network"
	ScopeFlow     Scope = "flow"
	ScopeSolution Scope = "solution"
)

// Scopes lists the valid scopes.
var Scopes = []Scope{ScopeDevice, ScopeModel, ScopeService, ScopeNetwork, ScopeFlow, ScopeSolution}

// variable is one variable a scope declares.
type variable struct {
	name string
	// goType is the Go type behind the variable (nil for now).
	goType reflect.Type
	doc    string
}

var (
	tDevice   = reflect.TypeFor[model.Device]()
	tModel    = reflect.TypeFor[model.DeviceModel]()
	tService  = reflect.TypeFor[model.Service]()
	tNetwork  = reflect.TypeFor[model.Network]()
	tFlow     = reflect.TypeFor[model.DataFlow]()
	tSolution = reflect.TypeFor[model.Solution]()
	tPolicy   = reflect.TypeFor[model.Policy]()
	tFleet    = reflect.TypeFor[Fleet]()
	tTime     = reflect.TypeFor[model.Timestamp]()
	tBoolPtr  = reflect.TypeFor[*bool]()
)

// scopeVars lists each scope's variables, in documentation order.
var scopeVars = map[Scope][]variable{
	ScopeDevice: {
		{"device", tDevice, "the device, after imported evidence (certificates, scans, cloud registries) was merged into it"},
		{"model", tModel, "the device's model; every field empty when the model is not declared (has(model.id) is false)"},
		{"now", nil, "the assessment time"},
		{"policy", tPolicy, "the solution's policy thresholds, defaults applied"},
	},
	ScopeModel: {
		{"model", tModel, "the device model, with its support end completed from its SBOM"},
		{"now", nil, "the assessment time"},
		{"policy", tPolicy, "the solution's policy thresholds, defaults applied"},
	},
	ScopeService: {
		{"service", tService, "the service"},
		{"now", nil, "the assessment time"},
		{"policy", tPolicy, "the solution's policy thresholds, defaults applied"},
	},
	ScopeNetwork: {
		{"network", tNetwork, "the network zone"},
		{"now", nil, "the assessment time"},
		{"policy", tPolicy, "the solution's policy thresholds, defaults applied"},
	},
	ScopeFlow: {
		{"flow", tFlow, "the data flow"},
		{"now", nil, "the assessment time"},
		{"policy", tPolicy, "the solution's policy thresholds, defaults applied"},
	},
	ScopeSolution: {
		{"solution", tSolution, "the solution: organization, models, services, networks, flows, attestations (no devices)"},
		{"fleet", tFleet, "fleet statistics of the inventory"},
		{"now", nil, "the assessment time"},
		{"policy", tPolicy, "the solution's policy thresholds, defaults applied"},
	},
}

// rootTypes are the Go structs exposed to CEL; the types they reach are
// registered with them.
var rootTypes = []reflect.Type{tDevice, tModel, tService, tNetwork, tFlow, tSolution, tPolicy, tFleet}

// Cost limits. The compile-time estimate assumes at most maxListSize
// elements in every list and map of an asset, at most maxSolutionListSize
// in the solution's own lists (models, services, networks, flows,
// attestations) and the fleet's counts, and strings of at most
// maxStringSize bytes. Each part of a rule (when, expression, each message
// placeholder) must stay within its scope's limit.
const (
	// MaxCost is the largest worst-case cost estimated at compile time
	// that a rule of a per-asset scope may have, and the runtime limit of
	// one evaluation.
	MaxCost = 1_000_000
	// MaxSolutionCost is the same for solution rules, which see every
	// model, service and flow at once.
	MaxSolutionCost = 100_000_000

	maxListSize         = 64
	maxSolutionListSize = 1_000
	maxStringSize       = 256
)

func costLimit(s Scope) uint64 {
	if s == ScopeSolution {
		return MaxSolutionCost
	}
	return MaxCost
}

// envs holds one CEL environment per scope, built once.
var (
	envOnce sync.Once
	envs    map[Scope]*cel.Env
	envErr  error
)

func scopeEnv(s Scope) (*cel.Env, error) {
	envOnce.Do(func() {
		envs = map[Scope]*cel.Env{}
		base, err := baseEnv()
		if err != nil {
			envErr = err
			return
		}
		for _, sc := range Scopes {
			var opts []cel.EnvOption
			for _, v := range scopeVars[sc] {
				opts = append(opts, cel.Variable(v.name, celTypeOf(v.goType)))
			}
			if sc == ScopeDevice {
				opts = append(opts, cel.Macros(settingMacro))
			}
			e, err := base.Extend(opts...)
			if err != nil {
				envErr = fmt.Errorf("rules: building the %s environment: %w", sc, err)
				return
			}
			envs[sc] = e
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	return envs[s], nil
}

// celTypeOf returns the CEL type declared for a Go type of the model.
func celTypeOf(t reflect.Type) *cel.Type {
	if t == nil || t == tTime {
		return cel.TimestampType
	}
	switch t.Kind() {
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Bool {
			return types.NewNullableType(types.BoolType)
		}
		return celTypeOf(t.Elem())
	case reflect.Struct:
		return cel.ObjectType(typeName(t))
	case reflect.Slice:
		return cel.ListType(celTypeOf(t.Elem()))
	case reflect.Map:
		return cel.MapType(celTypeOf(t.Key()), celTypeOf(t.Elem()))
	case reflect.String:
		return cel.StringType
	case reflect.Bool:
		return cel.BoolType
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cel.IntType
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return cel.UintType
	case reflect.Float32, reflect.Float64:
		return cel.DoubleType
	}
	return cel.DynType
}

// typeName is the CEL name of a model struct, as cel-go's native types
// name it: the package's last element and the type's name.
func typeName(t reflect.Type) string {
	p := t.PkgPath()
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p + "." + t.Name()
}

// jsonName is a field's name in CEL: its JSON tag name.
func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}

// baseEnv declares the model's types, the extension libraries and the
// functions and macros common to every scope.
func baseEnv() (*cel.Env, error) {
	typeArgs := []any{ext.ParseStructTag("json")}
	for _, t := range rootTypes {
		typeArgs = append(typeArgs, t)
	}
	e, err := cel.NewEnv(
		ext.NativeTypes(typeArgs...),
		ext.Strings(),
		ext.Sets(),
		ext.Lists(),
		cel.DefaultUTCTimeZone(true),
		cel.Macros(daysSinceMacro, daysUntilMacro),
		cel.Function("days_between",
			cel.Overload("days_between_timestamp_timestamp", []*cel.Type{cel.TimestampType, cel.TimestampType}, cel.IntType,
				cel.BinaryBinding(daysBetween))),
		cel.Function("version_compare",
			cel.Overload("version_compare_string_string", []*cel.Type{cel.StringType, cel.StringType}, cel.IntType,
				cel.BinaryBinding(versionCompare))),
		cel.Function("host",
			cel.Overload("host_string", []*cel.Type{cel.StringType}, cel.StringType,
				cel.UnaryBinding(hostOf))),
		cel.Function("tld",
			cel.Overload("tld_string", []*cel.Type{cel.StringType}, cel.StringType,
				cel.UnaryBinding(tldOf))),
		cel.Function("device_setting",
			cel.Overload("device_setting_device_model_string",
				[]*cel.Type{cel.ObjectType(typeName(tDevice)), cel.ObjectType(typeName(tModel)), cel.StringType}, cel.BoolType,
				cel.FunctionBinding(deviceSetting))),
	)
	if err != nil {
		return nil, fmt.Errorf("rules: building the CEL environment: %w", err)
	}
	// Timestamps of the model (model.Timestamp) are CEL timestamps; the
	// provider below overrides cel-go's native view of them, which would
	// be an object.
	p := &provider{Provider: e.CELTypeProvider(), fields: timestampFields()}
	return e.Extend(cel.CustomTypeProvider(p))
}

// Macros that need the assessment time expand to calls with `now`.
var (
	daysSinceMacro = cel.GlobalMacro("days_since", 1, func(eh cel.MacroExprFactory, _ ast.Expr, args []ast.Expr) (ast.Expr, *cel.Error) {
		return eh.NewCall("days_between", args[0], eh.NewIdent("now")), nil
	})
	daysUntilMacro = cel.GlobalMacro("days_until", 1, func(eh cel.MacroExprFactory, _ ast.Expr, args []ast.Expr) (ast.Expr, *cel.Error) {
		return eh.NewCall("days_between", eh.NewIdent("now"), args[0]), nil
	})
	settingMacro = cel.GlobalMacro("setting", 1, func(eh cel.MacroExprFactory, _ ast.Expr, args []ast.Expr) (ast.Expr, *cel.Error) {
		return eh.NewCall("device_setting", eh.NewIdent("device"), eh.NewIdent("model"), args[0]), nil
	})
)

// functionNames are the names a rule may call, for "did you mean" hints.
var functionNames = []string{
	"days_since", "days_until", "days_between", "version_compare", "host", "tld", "setting", "device_setting",
	"has", "all", "exists", "exists_one", "map", "filter", "size", "matches", "contains", "startsWith", "endsWith",
	"timestamp", "duration", "string", "int", "double", "lowerAscii", "upperAscii", "split", "join", "trim",
	"replace", "substring", "indexOf", "lastIndexOf", "format", "sets.contains", "sets.intersects", "sets.equivalent",
	"distinct", "flatten", "sort", "slice", "first", "last",
}

// provider overrides the fields whose Go type is model.Timestamp so that
// they read as CEL timestamps.
type provider struct {
	types.Provider
	// fields maps "type.field" to its override.
	fields map[string]*types.FieldType
}

func (p *provider) FindStructFieldType(structType, fieldName string) (*types.FieldType, bool) {
	if ft, ok := p.fields[structType+"."+fieldName]; ok {
		return ft, true
	}
	return p.Provider.FindStructFieldType(structType, fieldName)
}

// epoch is what an unset timestamp reads as: timestamp(0), as in protobuf
// and cel-go's native types.
var epoch = time.Unix(0, 0).UTC()

// timestampFields builds the overrides for every model.Timestamp field of
// the exposed types.
func timestampFields() map[string]*types.FieldType {
	out := map[string]*types.FieldType{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			if t.Kind() == reflect.Map {
				walk(t.Key())
			}
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == tTime || seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Type == tTime {
				out[typeName(t)+"."+jsonName(f)] = timestampField(t, f)
				continue
			}
			if f.Type == tBoolPtr {
				out[typeName(t)+"."+jsonName(f)] = optionalBoolField(t, f)
				continue
			}
			walk(f.Type)
		}
	}
	for _, t := range rootTypes {
		walk(t)
	}
	return out
}

func timestampField(st reflect.Type, f reflect.StructField) *types.FieldType {
	ptrType := reflect.PointerTo(st)
	get := func(obj any) (model.Timestamp, bool) {
		v := reflect.ValueOf(obj)
		switch v.Type() {
		case ptrType:
			if v.IsNil() {
				return model.Timestamp{}, true
			}
			return *(*model.Timestamp)(v.Elem().Field(f.Index[0]).Addr().UnsafePointer()), true
		case st:
			return v.Field(f.Index[0]).Interface().(model.Timestamp), true
		}
		return model.Timestamp{}, false
	}
	return &types.FieldType{
		Type: cel.TimestampType,
		IsSet: func(obj any) bool {
			ts, _ := get(obj)
			return ts.Set()
		},
		GetFrom: func(obj any) (any, error) {
			ts, ok := get(obj)
			if !ok {
				return nil, fmt.Errorf("no such field %q on %T", jsonName(f), obj)
			}
			if !ts.Set() {
				return types.Timestamp{Time: epoch}, nil
			}
			return types.Timestamp{Time: ts.Time}, nil
		},
	}
}

// optionalBoolField reads a *bool field as a nullable bool: null when the
// value is unknown (cel-go's native types would read false).
func optionalBoolField(st reflect.Type, f reflect.StructField) *types.FieldType {
	ptrType := reflect.PointerTo(st)
	get := func(obj any) (*bool, bool) {
		v := reflect.ValueOf(obj)
		switch v.Type() {
		case ptrType:
			if v.IsNil() {
				return nil, true
			}
			return v.Elem().Field(f.Index[0]).Interface().(*bool), true
		case st:
			return v.Field(f.Index[0]).Interface().(*bool), true
		}
		return nil, false
	}
	return &types.FieldType{
		Type: types.NewNullableType(types.BoolType),
		IsSet: func(obj any) bool {
			b, _ := get(obj)
			return b != nil
		},
		GetFrom: func(obj any) (any, error) {
			b, ok := get(obj)
			if !ok {
				return nil, fmt.Errorf("no such field %q on %T", jsonName(f), obj)
			}
			if b == nil {
				return types.NullValue, nil
			}
			return types.Bool(*b), nil
		},
	}
}

// Functions.

func daysBetween(a, b ref.Val) ref.Val {
	ta, ok1 := a.(types.Timestamp)
	tb, ok2 := b.(types.Timestamp)
	if !ok1 || !ok2 {
		return types.NewErr("days_between: expected two timestamps")
	}
	return types.Int(int64(tb.Sub(ta.Time).Hours() / 24))
}

func deviceSetting(args ...ref.Val) ref.Val {
	if len(args) != 3 {
		return types.NewErr("setting: expected one name")
	}
	d, _ := args[0].Value().(*model.Device)
	m, _ := args[1].Value().(*model.DeviceModel)
	name, _ := args[2].(types.String)
	if d == nil {
		return types.NewErr("setting: no device")
	}
	v, _ := d.Setting(m, string(name))
	return types.Bool(v)
}

// versionCompare orders two versions as vercmp's generic scheme does:
// numeric runs compare as numbers, so 1.10 is after 1.9.
func versionCompare(a, b ref.Val) ref.Val {
	sa, ok1 := a.(types.String)
	sb, ok2 := b.(types.String)
	if !ok1 || !ok2 {
		return types.NewErr("version_compare: expected two strings")
	}
	return types.Int(vercmp.Compare("", string(sa), string(sb)))
}

// hostOf returns the host name of an endpoint, a URL or a flow end
// ("external:api.example.com:443" -> "api.example.com"), lower-cased.
func hostOf(v ref.Val) ref.Val {
	s, ok := v.(types.String)
	if !ok {
		return types.NewErr("host: expected a string")
	}
	return types.String(host(string(s)))
}

func host(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else if i := strings.IndexByte(s, ':'); i >= 0 {
		switch strings.ToLower(s[:i]) {
		case "external", "service", "zone", "model":
			s = s[i+1:]
		}
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i >= 0 {
			return strings.ToLower(s[1:i])
		}
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && strings.Count(s, ":") == 1 {
		s = s[:i]
	}
	return strings.TrimSuffix(strings.ToLower(s), ".")
}

// tldOf returns the last label of an endpoint's host ("api.example.cn" ->
// "cn"), or "" for an IP address or a bare name.
func tldOf(v ref.Val) ref.Val {
	s, ok := v.(types.String)
	if !ok {
		return types.NewErr("tld: expected a string")
	}
	h := host(string(s))
	i := strings.LastIndexByte(h, '.')
	if i < 0 || strings.Contains(h, ":") {
		return types.String("")
	}
	label := h[i+1:]
	if label == "" || (label[0] >= '0' && label[0] <= '9') {
		return types.String("")
	}
	return types.String(label)
}

// variableNames lists a scope's variables, sorted.
func variableNames(s Scope) []string {
	var out []string
	for _, v := range scopeVars[s] {
		out = append(out, v.name)
	}
	sort.Strings(out)
	return out
}
