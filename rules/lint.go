package rules

import (
	"github.com/iotguard/iotguard/internal/strictyaml"
)

// Lint loads rule packs as Load does and then checks what makes a rule
// hard to trust even though it compiles: every rule needs at least one pass
// and one fail example, a message, and an expression that reads the asset
// of its scope. The set is returned even when lint problems were found;
// the error lists every problem (load errors, then lint problems) with
// file, line, column and field path.
func Lint(paths ...string) (*Set, error) { return LintWith(Options{}, paths...) }

// LintWith is Lint with options.
func LintWith(opt Options, paths ...string) (*Set, error) {
	set, err := LoadWith(opt, paths...)
	if err != nil {
		return nil, err
	}
	if es := set.lint(); len(es) > 0 {
		return set, es
	}
	return set, nil
}

// asset names the variable that holds a scope's asset.
var assetVar = map[Scope]string{
	ScopeDevice: "device", ScopeModel: "model", ScopeService: "service",
	ScopeNetwork: "network", ScopeFlow: "flow", ScopeSolution: "solution",
}

func (s *Set) lint() strictyaml.Errors {
	var es strictyaml.Errors
	for _, r := range s.Rules {
		at := func(format string, args ...any) {
			e := &strictyaml.Error{File: r.File, Line: r.Line, Column: r.Column, Path: "rule " + r.ID}
			e.Msg = sprintf(format, args...)
			es = append(es, e)
		}
		var pass, fail int
		for _, ex := range r.Examples {
			switch ex.Kind {
			case "pass":
				pass++
			case "fail":
				fail++
			}
		}
		if pass == 0 {
			at("no pass example: add one under examples.pass that the rule must accept")
		}
		if fail == 0 {
			at("no fail example: add one under examples.fail that the rule must reject")
		}
		if r.msg == nil {
			at("no message: say what failed, e.g. message: '%s {{%s.id}} ...'", assetVar[r.Scope], assetVar[r.Scope])
		}
		reads := r.reads[assetVar[r.Scope]] || (r.Scope == ScopeDevice && r.reads["model"]) || (r.Scope == ScopeSolution && r.reads["fleet"])
		if !reads {
			at("the expression never reads %s: is the scope %q right?", assetVar[r.Scope], r.Scope)
		}
	}
	return es
}
