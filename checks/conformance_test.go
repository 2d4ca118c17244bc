package checks

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// conformanceCase is one data-driven test of one check: start from the
// baseline, edit it, evaluate the check on one asset, compare the outcome.
type conformanceCase struct {
	name string
	// edit breaks (or varies) the baseline; nil keeps it.
	edit func(s *model.Solution, devices *[]model.Device)
	// asset is the ID of the asset to evaluate (device, model, service,
	// network or flow ID; for solution checks the result's Asset). Empty
	// means the first asset of the check's scope.
	asset string
	want  model.ResultStatus
	// msg must appear in the result message (fail cases).
	msg string
	// severity, when set, is the expected severity of the result.
	severity model.Severity
	// evidence, when set, is imported evidence (SBOMs, scans, ...).
	evidence func() *model.Evidence
}

// inputs returns the baseline as the case edits it, and its evidence.
func (tc conformanceCase) inputs() (*model.Solution, []model.Device, *model.Evidence) {
	sol, devices := baseline()
	if tc.edit != nil {
		tc.edit(sol, &devices)
	}
	var ev *model.Evidence
	if tc.evidence != nil {
		ev = tc.evidence()
	}
	return sol, devices, ev
}

// allCases merges the case tables of every check file.
func allCases() map[string][]conformanceCase {
	out := map[string][]conformanceCase{}
	for _, m := range []map[string][]conformanceCase{attestationCases, deviceCases, modelCases, serviceCases, networkCases, flowCases, solutionCases, evidenceCases} {
		for id, cs := range m {
			if _, dup := out[id]; dup {
				panic("conformance cases for " + id + " defined twice")
			}
			out[id] = cs
		}
	}
	return out
}

// evaluate runs check c on the asset named by tc and returns its results.
func evaluate(t *testing.T, c engine.Check, sol *model.Solution, devices []model.Device, asset string, ev ...*model.Evidence) []engine.Result {
	t.Helper()
	env := engine.NewEnv(sol, now, testFiles)
	if len(ev) > 0 && ev[0] != nil {
		env = env.WithEvidence(ev[0])
		sol = env.Solution
	}
	// As the engine does: evidence merged into copies, index built once.
	prepared := make([]model.Device, len(devices))
	for i := range devices {
		prepared[i] = env.Prepare(&devices[i])
	}
	devices = prepared
	pick := func(n int, id func(int) string) int {
		if asset == "" {
			if n == 0 {
				t.Fatalf("no asset of scope %s in the case", c.Meta().Scope)
			}
			return 0
		}
		for i := 0; i < n; i++ {
			if id(i) == asset {
				return i
			}
		}
		t.Fatalf("asset %q not found for scope %s", asset, c.Meta().Scope)
		return -1
	}
	switch ck := c.(type) {
	case engine.DeviceCheck:
		i := pick(len(devices), func(i int) string { return devices[i].ID })
		return []engine.Result{ck.CheckDevice(env, &devices[i])}
	case engine.ModelCheck:
		i := pick(len(sol.Models), func(i int) string { return sol.Models[i].ID })
		return []engine.Result{ck.CheckModel(env, &sol.Models[i])}
	case engine.ServiceCheck:
		i := pick(len(sol.Services), func(i int) string { return sol.Services[i].ID })
		return []engine.Result{ck.CheckService(env, &sol.Services[i])}
	case engine.NetworkCheck:
		i := pick(len(sol.Networks), func(i int) string { return sol.Networks[i].ID })
		return []engine.Result{ck.CheckNetwork(env, &sol.Networks[i])}
	case engine.FlowCheck:
		i := pick(len(sol.Flows), func(i int) string { return sol.Flows[i].ID })
		return []engine.Result{ck.CheckFlow(env, &sol.Flows[i])}
	case engine.SolutionCheck:
		rs := ck.CheckSolution(env)
		if asset == "" {
			return rs
		}
		var out []engine.Result
		for _, r := range rs {
			if r.Asset == asset {
				out = append(out, r)
			}
		}
		return out
	}
	t.Fatalf("check %s implements no scope", c.Meta().ID)
	return nil
}

func describe(rs []engine.Result) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, fmt.Sprintf("%s[%s] %q", r.Status, r.Asset, r.Message))
	}
	return strings.Join(parts, "; ")
}

// TestConformance runs every case of every check.
func TestConformance(t *testing.T) {
	cases := allCases()
	for _, c := range All() {
		id := c.Meta().ID
		for _, tc := range cases[id] {
			t.Run(id+"/"+tc.name, func(t *testing.T) {
				sol, devices, ev := tc.inputs()
				rs := evaluate(t, c, sol, devices, tc.asset, ev)
				if len(rs) == 0 {
					t.Fatalf("no result")
				}
				var match *engine.Result
				for i := range rs {
					r := &rs[i]
					if tc.want == model.Fail && r.Status == model.Fail {
						match = r
						break
					}
					if tc.want != model.Fail && r.Status != tc.want {
						t.Fatalf("got %s, want every result %s", describe(rs), tc.want)
					}
					match = r
				}
				if match == nil {
					t.Fatalf("got %s, want a %s", describe(rs), tc.want)
				}
				if tc.msg != "" && !strings.Contains(match.Message, tc.msg) {
					t.Errorf("message %q lacks %q", match.Message, tc.msg)
				}
				if tc.severity != "" {
					sev := match.Severity
					if sev == "" {
						sev = c.Meta().Severity
					}
					if sev != tc.severity {
						t.Errorf("severity %s, want %s", sev, tc.severity)
					}
				}
			})
		}
	}
}

// TestEveryCheckHasPassAndFailCases is the rule that no check ships
// without a test that it can fail and a test that it can pass.
func TestEveryCheckHasPassAndFailCases(t *testing.T) {
	cases := allCases()
	known := map[string]bool{}
	for _, c := range All() {
		id := c.Meta().ID
		known[id] = true
		var pass, fail bool
		for _, tc := range cases[id] {
			pass = pass || tc.want == model.Pass
			fail = fail || tc.want == model.Fail
		}
		if !pass || !fail {
			t.Errorf("check %s needs at least one pass and one fail case (pass=%v fail=%v)", id, pass, fail)
		}
	}
	var stray []string
	for id := range cases {
		if !known[id] {
			stray = append(stray, id)
		}
	}
	sort.Strings(stray)
	if len(stray) > 0 {
		t.Errorf("cases for unknown checks: %v", stray)
	}
}

// TestBaselinePassesEveryCheck keeps the baseline honest: it must be a
// solution with nothing wrong, or fail cases prove nothing.
func TestBaselinePassesEveryCheck(t *testing.T) {
	for _, c := range All() {
		sol, devices := baseline()
		var rs []engine.Result
		switch c.Meta().Scope {
		case model.AssetDevice:
			for _, d := range devices {
				rs = append(rs, evaluate(t, c, sol, devices, d.ID)...)
			}
		case model.AssetSolution:
			rs = evaluate(t, c, sol, devices, "")
		default:
			rs = evaluate(t, c, sol, devices, "")
		}
		for _, r := range rs {
			if r.Status != model.Pass && r.Status != model.NotApplicableResult {
				t.Errorf("%s on the baseline: %s %q", c.Meta().ID, r.Status, r.Message)
			}
		}
	}
}

// TestRegistry checks the metadata of every built-in check and that the
// catalog's automated and partial controls are all covered.
func TestRegistry(t *testing.T) {
	reg := Builtin()
	if n := len(reg.Checks()); n < 30 {
		t.Errorf("%d built-in checks, want at least 30", n)
	}
	covered := map[string]bool{}
	for _, c := range reg.Checks() {
		m := c.Meta()
		if m.Description == "" || len(m.Inputs) == 0 {
			t.Errorf("check %s needs a description and inputs", m.ID)
		}
		for _, id := range m.Controls {
			covered[id] = true
		}
	}
	for _, id := range []string{"S03", "S10", "S12", "S13", "S14", "S15", "S16", "S22", "S26", "S27", "P07", "P13", // automated
		"S02", "S04", "S05", "S07", "S08", "S09", "S11", "S17", "S18", "S19", "S23", "S24", "S25", // partial security
		"P01", "P02", "P03", "P04", "P05", "P06", "P08", "P09", "P10", "P16"} { // partial privacy
		if !covered[id] {
			t.Errorf("no built-in check evidences %s", id)
		}
	}
}

// newTestEnv is an environment with evidence at the conformance time.
func newTestEnv(sol *model.Solution, ev *model.Evidence) *engine.Env {
	return engine.NewEnv(sol, now, testFiles).WithEvidence(ev)
}
