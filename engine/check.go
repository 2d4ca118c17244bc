// Package engine runs checks over a solution and its streamed inventory and
// rolls the results up per control, stakeholder role and category.
//
// A check declares what it is (Meta) and implements one evaluation method
// for its scope. Checks never abort an assessment: a check that returns an
// error or panics records an error result for that asset and the run goes on.
package engine

import (
	"fmt"

	"github.com/iotguard/iotguard/model"
)

// Meta describes a check. IDs are stable: reports, suppressions and the
// server key on them. Bump Version when the logic changes what it finds.
type Meta struct {
	ID          string
	Version     string
	Title       string
	Description string
	// Controls are the catalog controls the check evidences.
	Controls []string
	// AnyControl marks a solution check whose results each name the
	// controls they evidence (e.g. attestation evidence); Controls is then
	// empty.
	AnyControl bool
	// Severity of a failure, unless a result overrides it.
	Severity model.Severity
	// Scope is the kind of asset the check evaluates.
	Scope model.AssetType
	// Inputs are the kinds of data the check reads.
	Inputs      []model.EvidenceKind
	Remediation string
}

// Check is implemented by every check; each also implements exactly one of
// the scope interfaces below, matching Meta().Scope.
type Check interface {
	Meta() Meta
}

// DeviceCheck evaluates one device. It runs concurrently on many devices
// and must not keep state between calls.
type DeviceCheck interface {
	Check
	CheckDevice(env *Env, d *model.Device) Result
}

// ModelCheck evaluates one device model.
type ModelCheck interface {
	Check
	CheckModel(env *Env, m *model.DeviceModel) Result
}

// ServiceCheck evaluates one service.
type ServiceCheck interface {
	Check
	CheckService(env *Env, s *model.Service) Result
}

// NetworkCheck evaluates one network zone.
type NetworkCheck interface {
	Check
	CheckNetwork(env *Env, n *model.Network) Result
}

// FlowCheck evaluates one data flow.
type FlowCheck interface {
	Check
	CheckFlow(env *Env, f *model.DataFlow) Result
}

// SolutionCheck evaluates the solution as a whole, using the fleet
// statistics and indexes of the first pass. Each result names its asset.
type SolutionCheck interface {
	Check
	CheckSolution(env *Env) []Result
}

// Result is the outcome of a check on one asset.
type Result struct {
	Status model.ResultStatus
	// Asset overrides the asset's ID (solution checks must set it).
	Asset string
	// AssetType overrides the check's scope for this result.
	AssetType model.AssetType
	Message   string
	// Evidence is what the check saw, e.g. "fingerprint 3f2a... on 4 devices".
	Evidence string
	// Severity overrides the check's severity (e.g. a known-exploited
	// vulnerability is raised to critical).
	Severity model.Severity
	// Controls overrides the check's controls, for generic checks such as
	// attestation evidence that apply to whichever control they examine.
	Controls []string
	// Remediation overrides the check's remediation.
	Remediation string
}

// Pass is a passing result.
func Pass() Result { return Result{Status: model.Pass} }

// Passf is a passing result with a message.
func Passf(format string, args ...any) Result {
	return Result{Status: model.Pass, Message: fmt.Sprintf(format, args...)}
}

// Failf is a failing result with a message.
func Failf(format string, args ...any) Result {
	return Result{Status: model.Fail, Message: fmt.Sprintf(format, args...)}
}

// NotApplicable says the check does not apply to the asset.
func NotApplicable(reason string) Result {
	return Result{Status: model.NotApplicableResult, Message: reason}
}

// Errorf records that the check could not decide.
func Errorf(format string, args ...any) Result {
	return Result{Status: model.Error, Message: fmt.Sprintf(format, args...)}
}

// WithEvidence returns r with evidence attached.
func (r Result) WithEvidence(format string, args ...any) Result {
	r.Evidence = fmt.Sprintf(format, args...)
	return r
}

// WithSeverity returns r with its severity overridden.
func (r Result) WithSeverity(s model.Severity) Result {
	r.Severity = s
	return r
}
