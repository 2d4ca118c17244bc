package demo

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// now is a fixed assessment time with a time of day, so that day
// boundaries are exercised.
var now = time.Date(2026, 11, 30, 14, 37, 12, 0, time.UTC)

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := Generate(now), Generate(now)
	if diff := cmp.Diff(a, b, cmpopts.IgnoreFields(Sample{}, "Evidence")); diff != "" {
		t.Fatalf("two samples for the same time differ (-first +second):\n%s", diff)
	}
}

func TestFleetSize(t *testing.T) {
	s := Generate(now)
	if n := len(s.Devices); n < 1800 || n > 2200 {
		t.Errorf("%d devices, want 1,800-2,200", n)
	}
	kindOf := map[string]string{}
	for _, m := range s.Solution.Models {
		kindOf[m.ID] = m.Kind
	}
	perKind := map[string]int{}
	ids := map[string]bool{}
	for _, d := range s.Devices {
		if ids[d.ID] {
			t.Errorf("device ID %s used twice", d.ID)
		}
		ids[d.ID] = true
		k, ok := kindOf[d.Model]
		if !ok {
			t.Errorf("device %s has undeclared model %q", d.ID, d.Model)
		}
		perKind[k]++
	}
	for _, k := range []string{"camera", "thermostat", "door-controller", "gateway", "sensor"} {
		if perKind[k] == 0 {
			t.Errorf("no %s devices", k)
		}
	}
	t.Logf("%d devices: %v", len(s.Devices), perKind)
}

// key is where a finding lands.
type key struct{ check, asset string }

// assess runs the full built-in assessment on the sample, as the demo
// command does.
func assess(t *testing.T, s *Sample, at time.Time) *model.Assessment {
	t.Helper()
	a, err := engine.Run(context.Background(), catalog.MustLoad(), checks.Builtin(), s.Solution,
		engine.SliceInventory(s.Devices), engine.Options{Now: at, Files: s.Evidence})
	if err != nil {
		t.Fatalf("assessment: %v", err)
	}
	return a
}

// TestProblemsAreFound is the demo's contract: every deliberate problem is
// found by the check it names, on the asset it names; nothing else is found
// (the healthy part of the fleet is healthy); no check errors.
func TestProblemsAreFound(t *testing.T) {
	// Dates are relative to the assessment time: the same problems must be
	// found on any day, at any time of day.
	for _, at := range []time.Time{now, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 23, 59, 59, 999, time.UTC), time.Now()} {
		t.Run(at.Format(time.RFC3339), func(t *testing.T) {
			s := Generate(at)
			a := assess(t, s, at)

			found := map[key][]string{}
			for _, f := range a.Findings {
				found[key{f.Check, f.Asset}] = append(found[key{f.Check, f.Asset}], f.Message)
			}
			expected := map[key]bool{}
			var missing []string
			for _, p := range s.Problems {
				k := key{p.Check, p.Asset}
				if expected[k] {
					t.Errorf("problem %s on %s listed twice", p.Check, p.Asset)
				}
				expected[k] = true
				if found[k] == nil {
					missing = append(missing, fmt.Sprintf("%s on %s (%s)", p.Check, p.Asset, p.What))
				}
			}
			if len(missing) > 0 {
				t.Errorf("%d deliberate problems not found:\n  %s", len(missing), strings.Join(missing, "\n  "))
			}

			var surprise []string
			surpriseChecks := map[string]bool{}
			listedChecks := map[string]bool{}
			for _, p := range s.Problems {
				listedChecks[p.Check] = true
			}
			for k, msgs := range found {
				if !expected[k] {
					surprise = append(surprise, fmt.Sprintf("%s on %s: %s", k.check, k.asset, msgs[0]))
				}
				if !listedChecks[k.check] {
					surpriseChecks[k.check] = true
				}
			}
			sort.Strings(surprise)
			if len(surpriseChecks) > 0 {
				t.Errorf("checks fired that no problem names: %v", sortedKeys(surpriseChecks))
			}
			if len(surprise) > 0 {
				t.Errorf("%d findings are not deliberate problems (the healthy fleet must be healthy):\n  %s",
					len(surprise), strings.Join(surprise, "\n  "))
			}

			for _, c := range a.Checks {
				if c.Error > 0 {
					t.Errorf("check %s errored %d times: %v", c.ID, c.Error, c.Errors)
				}
			}
		})
	}
}

func TestEveryCheckHasAProblem(t *testing.T) {
	listed := map[string]bool{}
	for _, p := range Generate(now).Problems {
		listed[p.Check] = true
	}
	var unused []string
	for _, id := range checks.Builtin().IDs() {
		if !listed[id] {
			unused = append(unused, id)
		}
	}
	// Not a requirement that every check fires, but the demo is meant to
	// show them all: say which do not.
	if len(unused) > 0 {
		t.Logf("built-in checks no deliberate problem exercises: %v", unused)
	}
	if len(listed) < len(checks.Builtin().IDs())*3/4 {
		t.Errorf("problems exercise %d checks, want most of the %d built-in ones", len(listed), len(checks.Builtin().IDs()))
	}
}

func TestControlStatuses(t *testing.T) {
	s := Generate(now)
	a := assess(t, s, now)
	per := map[model.ControlStatus][]string{}
	for _, c := range a.Controls {
		per[c.Status] = append(per[c.Status], c.ID)
	}
	for _, st := range model.ControlStatuses {
		if len(per[st]) == 0 {
			t.Errorf("no control is %s", st)
		}
		t.Logf("%s: %v", st, per[st])
	}
	t.Logf("score %.1f, findings %v", a.Summary.Score, a.Summary.Findings)
}

func TestEvidence(t *testing.T) {
	s := Generate(now)
	files := EvidenceFiles()
	if len(files) == 0 {
		t.Fatal("no evidence files")
	}
	for path, b := range files {
		got, err := fs.ReadFile(s.Evidence, path)
		if err != nil || string(got) != string(b) {
			t.Errorf("EvidenceFiles()[%s] differs from Sample.Evidence (%v)", path, err)
		}
	}
	// Every evidence reference resolves and matches, except the two
	// deliberate evidence problems.
	var mismatched, absent []string
	for _, at := range s.Solution.Attestations {
		for _, ev := range at.Evidence {
			b, ok := files[ev.Path]
			switch {
			case !ok:
				absent = append(absent, at.Control)
			case sha256Hex(b) != ev.SHA256:
				mismatched = append(mismatched, at.Control)
			}
		}
	}
	if diff := cmp.Diff([]string{"S06"}, mismatched); diff != "" {
		t.Errorf("attestations whose evidence changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"S21"}, absent); diff != "" {
		t.Errorf("attestations whose evidence is missing (-want +got):\n%s", diff)
	}
}

func TestProblemAssetsExist(t *testing.T) {
	s := Generate(now)
	assets := map[string]bool{}
	for _, d := range s.Devices {
		assets[d.ID] = true
	}
	for _, m := range s.Solution.Models {
		assets[m.ID] = true
	}
	for _, x := range s.Solution.Services {
		assets[x.ID] = true
	}
	for _, n := range s.Solution.Networks {
		assets[n.ID] = true
	}
	for _, f := range s.Solution.Flows {
		assets[f.ID] = true
	}
	for _, p := range s.Problems {
		if p.What == "" {
			t.Errorf("problem %s on %s has no description", p.Check, p.Asset)
		}
		if !assets[p.Asset] && !strings.Contains(p.Asset, " ") && p.Asset != "organization" {
			t.Errorf("problem %s names unknown asset %q", p.Check, p.Asset)
		}
	}
}

func TestRunsQuickly(t *testing.T) {
	start := time.Now()
	s := Generate(now)
	gen := time.Since(start)
	assess(t, s, now)
	total := time.Since(start)
	t.Logf("generate %v, generate+assess %v", gen, total)
	if total > 3*time.Second {
		t.Errorf("generating and assessing the demo took %v, want well under a few seconds", total)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
