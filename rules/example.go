package rules

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/iotguard/iotguard/internal/strictyaml"
	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

// Example is one example input of a rule and the result it must give.
type Example struct {
	// Kind is pass, fail or not_applicable: the list it was written in.
	Kind  string
	Index int
	// Want is the status the rule must return.
	Want         model.ResultStatus
	File         string
	Line, Column int
	vars         vars
}

// ExampleResult is the outcome of one example.
type ExampleResult struct {
	Rule         string
	Kind         string
	Index        int
	File         string
	Line, Column int
	Want, Got    model.ResultStatus
	// Message is the rule's message for the example: the rendered failure
	// message, the error, or the not-applicable reason.
	Message string
}

// OK reports whether the example gave the result it must give.
func (e ExampleResult) OK() bool { return e.Want == e.Got }

// String describes the result as file:line:col: rule: example: outcome.
func (e ExampleResult) String() string {
	s := fmt.Sprintf("%s:%d:%d: rule %s: examples.%s[%d]: ", e.File, e.Line, e.Column, e.Rule, e.Kind, e.Index)
	if e.OK() {
		s += "ok (" + string(e.Got) + ")"
	} else {
		s += fmt.Sprintf("expected %s, got %s", e.Want, e.Got)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Test runs every example of every rule: each pass example must pass, each
// fail example must fail and each not_applicable example must not apply.
func (s *Set) Test() []ExampleResult {
	var out []ExampleResult
	if s == nil {
		return out
	}
	for _, r := range s.Rules {
		for i := range r.Examples {
			ex := &r.Examples[i]
			v := ex.vars // a copy: evaluation never writes to it
			res := r.eval(&v)
			msg := res.Message
			if res.Status == model.Pass {
				msg = ""
			}
			out = append(out, ExampleResult{
				Rule: r.ID, Kind: ex.Kind, Index: ex.Index, File: ex.File, Line: ex.Line, Column: ex.Column,
				Want: ex.Want, Got: res.Status, Message: msg,
			})
		}
	}
	return out
}

// TestSummary counts the results that were and were not as expected.
func TestSummary(results []ExampleResult) (passed, failed int) {
	for _, r := range results {
		if r.OK() {
			passed++
		} else {
			failed++
		}
	}
	return passed, failed
}

// examples decodes a rule's examples into the variables of its scope.
func (l *loader) examples(fc *fileCtx, r *Rule, rf *ruleFile, node *yaml.Node, path string) {
	kinds := []struct {
		name string
		want model.ResultStatus
		n    int
	}{
		{"pass", model.Pass, len(rf.Examples.Pass)},
		{"fail", model.Fail, len(rf.Examples.Fail)},
		{"not_applicable", model.NotApplicableResult, len(rf.Examples.NotApplicable)},
	}
	for _, k := range kinds {
		list := mapValue(node, k.name)
		for j := 0; j < k.n; j++ {
			var en *yaml.Node
			if list != nil && list.Kind == yaml.SequenceNode && j < len(list.Content) {
				en = docRoot(list.Content[j])
			}
			epath := fmt.Sprintf("%s.%s[%d]", path, k.name, j)
			ex := Example{Kind: k.name, Index: j, Want: k.want, File: fc.name}
			ex.Line, ex.Column = fc.doc.Pos(epath)
			if en != nil {
				ex.Line, ex.Column = en.Line, en.Column
			}
			if l.decodeExample(fc, r.Scope, en, epath, &ex.vars) {
				r.Examples = append(r.Examples, ex)
			}
		}
	}
}

var exampleTime = func() time.Time { return time.Now().UTC() }

// decodeExample reads one example: a mapping of the scope's variables.
func (l *loader) decodeExample(fc *fileCtx, scope Scope, n *yaml.Node, path string, v *vars) bool {
	if n == nil || n.Kind != yaml.MappingNode {
		l.errs = append(l.errs, fc.errAt(n, path, "an example is a mapping of the %s scope's variables (%s)", scope, strings.Join(variableNames(scope), ", ")))
		return false
	}
	ok := true
	given := map[string]bool{}
	names := variableNames(scope)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		p := path + "." + k.Value
		if !contains(names, k.Value) {
			l.errs = append(l.errs, fc.errAt(k, p, "unknown variable %q%s; the %s scope has %s", k.Value, suggest.Hint(k.Value, names), scope, strings.Join(names, ", ")))
			ok = false
			continue
		}
		given[k.Value] = true
		decode := func(target any) bool {
			if _, err := strictyaml.DecodeNode(fc.name, val, target, p); err != nil {
				l.addErr(err)
				return false
			}
			return true
		}
		switch k.Value {
		case "now":
			if val.Kind != yaml.ScalarNode {
				l.errs = append(l.errs, fc.errAt(val, p, "now is a date or time (YYYY-MM-DD or RFC 3339)"))
				ok = false
				continue
			}
			ts, err := model.ParseTimestamp(val.Value)
			if err != nil {
				l.errs = append(l.errs, fc.errAt(val, p, "%v", err))
				ok = false
				continue
			}
			v.now = ts.Time
		case "device":
			v.device = &model.Device{}
			ok = decode(v.device) && ok
		case "model":
			v.model = &model.DeviceModel{}
			ok = decode(v.model) && ok
		case "service":
			v.service = &model.Service{}
			ok = decode(v.service) && ok
		case "network":
			v.network = &model.Network{}
			ok = decode(v.network) && ok
		case "flow":
			v.flow = &model.DataFlow{}
			ok = decode(v.flow) && ok
		case "solution":
			v.solution = &model.Solution{}
			ok = decode(v.solution) && ok
		case "fleet":
			v.fleet = &Fleet{}
			ok = decode(v.fleet) && ok
		case "policy":
			var p model.Policy
			if decode(&p) {
				p = p.WithDefaults()
				v.policy = &p
			} else {
				ok = false
			}
		}
	}
	// Variables not given take empty values, as the engine would show an
	// asset with nothing declared.
	if v.now.IsZero() {
		v.now = exampleTime()
	}
	if v.policy == nil {
		p := model.DefaultPolicy.WithDefaults()
		v.policy = &p
	}
	switch scope {
	case ScopeDevice:
		if v.device == nil {
			v.device = &model.Device{}
		}
		if v.model == nil {
			v.model = emptyModel
		}
	case ScopeModel:
		if v.model == nil {
			v.model = &model.DeviceModel{}
		}
	case ScopeService:
		if v.service == nil {
			v.service = &model.Service{}
		}
	case ScopeNetwork:
		if v.network == nil {
			v.network = &model.Network{}
		}
	case ScopeFlow:
		if v.flow == nil {
			v.flow = &model.DataFlow{}
		}
	case ScopeSolution:
		if v.solution == nil {
			v.solution = &model.Solution{}
		}
		if v.fleet == nil {
			v.fleet = &Fleet{}
		}
	}
	return ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
