package rules

import (
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"

	"github.com/iotguard/iotguard/model"
)

// vars is the activation of one evaluation: the variables of the rule's
// scope. It is built on the stack of the calling goroutine for each
// evaluation and never shared, so rules are safe to evaluate concurrently.
// Objects are handed to CEL as pointers; cel-go's native types read their
// fields in place, without copying.
type vars struct {
	device   *model.Device
	model    *model.DeviceModel
	service  *model.Service
	network  *model.Network
	flow     *model.DataFlow
	solution *model.Solution
	fleet    *Fleet
	policy   *model.Policy
	now      time.Time
}

// ResolveName implements interpreter.Activation.
func (v *vars) ResolveName(name string) (any, bool) {
	switch name {
	case "device":
		return v.device, v.device != nil
	case "model":
		return v.model, v.model != nil
	case "service":
		return v.service, v.service != nil
	case "network":
		return v.network, v.network != nil
	case "flow":
		return v.flow, v.flow != nil
	case "solution":
		return v.solution, v.solution != nil
	case "fleet":
		return v.fleet, v.fleet != nil
	case "policy":
		return v.policy, v.policy != nil
	case "now":
		return types.Timestamp{Time: v.now}, true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (v *vars) Parent() interpreter.Activation { return nil }

// emptyModel is what `model` is for a device whose model is not declared.
// It is never written to.
var emptyModel = &model.DeviceModel{}
