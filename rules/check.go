package rules

import (
	"sync"

	"cel.dev/cel-go/common/types"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// Checks returns one engine check per rule, of the rule's scope, so that
// rules run in the same engine as the built-in checks and their results
// read the same in every report.
func (s *Set) Checks() []engine.Check {
	if s == nil {
		return nil
	}
	out := make([]engine.Check, 0, len(s.Rules))
	for _, r := range s.Rules {
		out = append(out, r.Check())
	}
	return out
}

// Check returns the rule as an engine check of its scope.
func (r *Rule) Check() engine.Check {
	switch r.Scope {
	case ScopeDevice:
		return deviceCheck{r}
	case ScopeModel:
		return modelCheck{r}
	case ScopeService:
		return serviceCheck{r}
	case ScopeNetwork:
		return networkCheck{r}
	case ScopeFlow:
		return flowCheck{r}
	}
	return solutionCheck{r}
}

// Meta describes the rule as an engine check.
func (r *Rule) Meta() engine.Meta {
	m := r.meta
	m.Controls = append([]string(nil), m.Controls...)
	m.Inputs = append([]model.EvidenceKind(nil), m.Inputs...)
	return m
}

type deviceCheck struct{ r *Rule }
type modelCheck struct{ r *Rule }
type serviceCheck struct{ r *Rule }
type networkCheck struct{ r *Rule }
type flowCheck struct{ r *Rule }
type solutionCheck struct{ r *Rule }

func (c deviceCheck) Meta() engine.Meta   { return c.r.Meta() }
func (c modelCheck) Meta() engine.Meta    { return c.r.Meta() }
func (c serviceCheck) Meta() engine.Meta  { return c.r.Meta() }
func (c networkCheck) Meta() engine.Meta  { return c.r.Meta() }
func (c flowCheck) Meta() engine.Meta     { return c.r.Meta() }
func (c solutionCheck) Meta() engine.Meta { return c.r.Meta() }

// varsPool recycles activations: device rules run once per device and
// rule, and an activation per evaluation would be garbage.
var varsPool = sync.Pool{New: func() any { return new(vars) }}

func getVars(env *engine.Env) *vars {
	v := varsPool.Get().(*vars)
	v.policy = &env.Policy
	v.now = env.Now
	return v
}

func putVars(v *vars) {
	*v = vars{}
	varsPool.Put(v)
}

func (c deviceCheck) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	v := getVars(env)
	v.device = d
	v.model = env.Model(d.Model)
	if v.model == nil {
		v.model = emptyModel
	}
	r := c.r.eval(v)
	putVars(v)
	return r
}

func (c modelCheck) CheckModel(env *engine.Env, m *model.DeviceModel) engine.Result {
	v := getVars(env)
	v.model = m
	r := c.r.eval(v)
	putVars(v)
	return r
}

func (c serviceCheck) CheckService(env *engine.Env, s *model.Service) engine.Result {
	v := getVars(env)
	v.service = s
	r := c.r.eval(v)
	putVars(v)
	return r
}

func (c networkCheck) CheckNetwork(env *engine.Env, n *model.Network) engine.Result {
	v := getVars(env)
	v.network = n
	r := c.r.eval(v)
	putVars(v)
	return r
}

func (c flowCheck) CheckFlow(env *engine.Env, f *model.DataFlow) engine.Result {
	v := getVars(env)
	v.flow = f
	r := c.r.eval(v)
	putVars(v)
	return r
}

func (c solutionCheck) CheckSolution(env *engine.Env) []engine.Result {
	v := getVars(env)
	v.solution = env.Solution
	v.fleet = FleetOf(env.Fleet)
	r := c.r.eval(v)
	putVars(v)
	r.Asset = "solution"
	return []engine.Result{r}
}

// FleetOf converts the engine's fleet statistics to what rules see.
func FleetOf(f *engine.FleetStats) *Fleet {
	out := &Fleet{}
	if f == nil {
		return out
	}
	out.Devices, out.Active, out.ActiveReporting = f.Devices, f.Active, f.ActiveReporting
	out.ByModel = cloneCounts(f.ByModel)
	out.ByZone = cloneCounts(f.ByZone)
	out.SafetyByZone = cloneCounts(f.SafetyByZone)
	out.UnknownModels = cloneCounts(f.UnknownModels)
	out.ByLifecycle = map[string]int{}
	for k, n := range f.ByLifecycle {
		out.ByLifecycle[string(k)] = n
	}
	return out
}

func cloneCounts(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, n := range m {
		out[k] = n
	}
	return out
}

// Reasons and messages that do not depend on the asset are constants, so
// that passing and not-applicable results do not allocate.
const naWhen = "the rule's when condition is false"

// eval runs the rule on one activation: not-applicable when `when` is
// false, pass when the expression is true, fail (with the rendered
// message) when it is false, error when either cannot be evaluated.
func (r *Rule) eval(v *vars) engine.Result {
	if r.when != nil {
		out, _, err := r.when.Eval(v)
		if err != nil {
			return engine.Result{Status: model.Error, Message: "rule " + r.ID + ": when: " + err.Error()}
		}
		b, ok := out.(types.Bool)
		if !ok {
			return engine.Result{Status: model.Error, Message: "rule " + r.ID + ": when: the condition is " + out.Type().TypeName() + ", not bool"}
		}
		if !b {
			return engine.Result{Status: model.NotApplicableResult, Message: naWhen}
		}
	}
	out, _, err := r.prg.Eval(v)
	if err != nil {
		return engine.Result{Status: model.Error, Message: "rule " + r.ID + ": " + err.Error()}
	}
	b, ok := out.(types.Bool)
	if !ok {
		return engine.Result{Status: model.Error, Message: "rule " + r.ID + ": the expression is " + out.Type().TypeName() + ", not bool"}
	}
	if b {
		return engine.Result{Status: model.Pass}
	}
	return engine.Result{Status: model.Fail, Message: r.failMessage(v)}
}

func (r *Rule) failMessage(v *vars) string {
	if r.msg == nil {
		return r.Title
	}
	return r.msg.render(v)
}
