// Package checks holds iotguard's built-in checks. Each check is a small
// type with a Meta and one evaluation method; Builtin lists them all in an
// explicit registry. Checks are declared apart from the engine that runs
// them, and tested by data-driven conformance cases (conformance_test.go).
package checks

import (
	"github.com/iotguard/iotguard/engine"
)

// All returns every built-in check, in a stable order.
func All() []engine.Check {
	var out []engine.Check
	out = append(out, engine.AttestationEvidence{})
	for _, group := range [][]engine.Check{deviceChecks, modelChecks, serviceChecks, networkChecks, flowChecks, solutionChecks, evidenceChecks} {
		out = append(out, group...)
	}
	return out
}

// Builtin returns a registry of every built-in check.
func Builtin() *engine.Registry {
	r, err := engine.NewRegistry(All()...)
	if err != nil {
		// The registry is fixed at build time and tested; a failure here is
		// a programming error.
		panic(err)
	}
	return r
}
