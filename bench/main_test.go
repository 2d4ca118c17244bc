package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/iotguard/iotguard/fleetgen"
	"github.com/iotguard/iotguard/model"
)

// TestHarness runs the whole benchmark on 200 devices, once, and checks
// the table, the JSON keys and that the three rule implementations agreed.
// It builds the harness binary, since phases run in child processes.
func TestHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the harness")
	}
	exe := t.TempDir() + "/bench"
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(exe, "--devices", "200", "--runs", "1", "--json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("harness: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "Go, CEL and OPA fail the same devices for all 10 rules") {
		t.Errorf("no agreement line on stderr:\n%s", stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if !strings.Contains(stdout.String(), "parse floor: goccy/go-json") || !strings.Contains(stdout.String(), "10 rules: OPA Rego eval") {
		t.Errorf("table missing:\n%s", stdout.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, lines[len(lines)-1])
	}
	for _, k := range []string{"decode_ns_per_device", "builtin_ns_per_device", "cel_ns_per_device", "opa_ns_per_device",
		"go_ns_per_device", "peak_rss_bytes", "builtin_vs_floor", "cel_vs_opa_speedup", "go_vs_opa_speedup",
		"go", "os", "arch", "cpus", "devices"} {
		v, ok := got[k]
		if !ok {
			t.Errorf("JSON has no %s", k)
			continue
		}
		if f, isNum := v.(float64); isNum && f <= 0 && k != "peak_rss_bytes" {
			t.Errorf("%s = %v, want > 0", k, v)
		}
	}
	if got["devices"] != 200.0 || got["rules_identical"] != true || got["builtin_matches_generator"] != true {
		t.Errorf("devices %v, rules_identical %v, builtin_matches_generator %v", got["devices"], got["rules_identical"], got["builtin_matches_generator"])
	}
}

// TestRulesAgree runs the three rule implementations in process on a
// generated fleet with problems at high rates, so that every rule fails
// some devices, and on hand-made edge cases.
func TestRulesAgree(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	rates := fleetgen.DefaultRates()
	for _, p := range fleetgen.Problems() {
		rates[p.Name] = 0.02
	}
	if _, err := prepareFleet(context.Background(), dir, fleetgen.Options{Devices: 3000, Seed: 3, Now: now, Rates: rates}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	// Edge cases after the fleet: an undeclared model, unset and future
	// timestamps, a certificate without dates, settings that override.
	f, err := os.OpenFile(dir+"/devices.jsonl", os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	day := func(n int) model.Timestamp { return model.Timestamp{Time: now.AddDate(0, 0, n)} }
	edge := []model.Device{
		{ID: "e1", Model: "no-such-model", Location: model.Outdoor, Zone: "x-safety", Lifecycle: model.Active},
		{ID: "e2", Model: "cam-x200", Zone: "site-001-guest", Location: model.Public, Settings: map[string]bool{"tamper_detection": false, "telnet": true}},
		{ID: "e3", Model: "cam-x200", Zone: "a-safety", Lifecycle: model.Active, LastSeen: day(-31), Certificate: &model.Certificate{KeyType: "rsa"}},
		{ID: "e4", Model: "cam-x200", Zone: "a-safety", Lifecycle: model.Active, LastSeen: day(-30), Certificate: &model.Certificate{NotAfter: day(31)}},
		{ID: "e5", Model: "cam-x200", Zone: "a-safety", Lifecycle: model.Active, LastSeen: day(5), Certificate: &model.Certificate{NotAfter: day(30)}},
		{ID: "e6", Model: "cam-x200", Firmware: "4.0.0", ClockSkewSeconds: -301, Ports: []model.Port{{Port: 2323, Service: "telnet"}}},
		{ID: "e7", Model: "cam-x200", Firmware: "9.9.9", ClockSkewSeconds: 300, Location: model.Unattended, Settings: map[string]bool{"tamper_detection": true}},
	}
	for _, d := range edge {
		b, _ := json.Marshal(d)
		f.Write(append(b, '\n'))
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	n := 3000 + len(edge)
	o := phaseOptions{dir: dir, now: now, sample: n}
	for _, eng := range []string{"rules-go", "rules-cel", "rules-opa"} {
		rs, err := rulesPhase(context.Background(), eng, o)
		if err != nil {
			t.Fatalf("%s: %v", eng, err)
		}
		if rs[0].Errors != 0 {
			t.Errorf("%s: %d error results", eng, rs[0].Errors)
		}
	}
	var log bytes.Buffer
	if err := compareRules(options{dir: dir, sample: n}, &log); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(o.failsPath("go"))
	if err != nil {
		t.Fatal(err)
	}
	var fails ruleFails
	if err := json.Unmarshal(data, &fails); err != nil {
		t.Fatal(err)
	}
	for _, c := range goRules() {
		var edgeFails []string
		for _, i := range fails[c.Meta().ID] {
			if i >= 3000 {
				edgeFails = append(edgeFails, edge[i-3000].ID)
			}
		}
		t.Logf("%s: %d failures, edge cases %v", c.Meta().ID, len(fails[c.Meta().ID]), edgeFails)
		if len(fails[c.Meta().ID]) == 0 {
			t.Errorf("rule %s fails no device of the test fleet", c.Meta().ID)
		}
	}
}

// TestDeviceInputMatchesReflection checks the hand-written OPA input
// conversion against the reflective one on devices with every field set.
func TestDeviceInputMatchesReflection(t *testing.T) {
	g, err := fleetgen.New(fleetgen.Options{Devices: 500, Seed: 5, Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	devs := []model.Device{{
		ID: "x", Certificate: &model.Certificate{Trusted: &yes, NotAfter: model.Timestamp{Time: time.Unix(1e9, 0)}},
		Ports:    []model.Port{{Port: 23, Authenticated: &yes, TLSVersions: []model.TLSVersion{"1.0"}, WeakCiphers: []string{"RC4"}}},
		Settings: map[string]bool{"telnet": true}, Decommissioned: model.Timestamp{Time: time.Unix(2e9, 0)},
	}, {}}
	g.Devices(context.Background(), func(d *model.Device) error { devs = append(devs, *d); return nil })
	for i := range devs {
		want := ast.NewObject(ast.Item(ast.StringTerm("device"), ast.NewTerm(toAST(reflect.ValueOf(&devs[i])))))
		if got := deviceInput(&devs[i]); got.Compare(want) != 0 {
			t.Fatalf("device %q:\n got %v\nwant %v", devs[i].ID, got, want)
		}
	}
}

// TestCompareRulesMismatch checks that a disagreement is reported as a
// mismatchError (exit status 1) naming the rule and the first device.
func TestCompareRulesMismatch(t *testing.T) {
	dir := t.TempDir()
	write := func(eng string, f ruleFails) {
		data, _ := json.Marshal(f)
		if err := os.WriteFile(phaseOptions{dir: dir}.failsPath(eng), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go", ruleFails{"r1": {1, 5}, "r2": nil})
	write("cel", ruleFails{"r1": {1, 5}, "r2": nil})
	write("opa", ruleFails{"r1": {1, 4}})
	err := compareRules(options{dir: dir, sample: 10}, &bytes.Buffer{})
	var mm *mismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "rule r1: Go fails 2 devices, opa fails 2; first difference at sample device 4") {
		t.Fatalf("got %v", err)
	}
}
