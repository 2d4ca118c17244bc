package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/iotguard/iotguard/fleetgen"
	"github.com/iotguard/iotguard/manifest"
	"github.com/iotguard/iotguard/model"
)

const usage = `Usage: go run . --devices N [--seed S] [--json] [--dir DIR] [--keep] [--runs R]

Generates a synthetic fleet of N devices with iotguard's fleet generator and
measures, each phase in its own child process (so that its peak RSS is its
own): the parse floor (goccy/go-json, encoding/json, iotguard's manifest
decoder), iotguard's full built-in assessment, and ten per-device rules in
hand-written Go, in CEL through iotguard and in Rego through OPA, checking
that all three fail exactly the same devices. Prints a table and, with
--json, one JSON object on the last line.

Flags:
`

// options are the command line.
type options struct {
	devices     int
	seed        uint64
	now         string
	jsonOut     bool
	dir         string
	keep        bool
	runs        int
	sample      int
	concurrency int

	only    string // comma-separated phases to run; empty runs all
	phase   string // hidden: run one phase (child process)
	profile string // write CPU and heap profiles of each phase here
}

func main() {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&o.devices, "devices", 100_000, "fleet size")
	fs.Uint64Var(&o.seed, "seed", 1, "fleet generator seed")
	fs.StringVar(&o.now, "now", "2026-03-01T00:00:00Z", "time the fleet is generated and assessed at (fixed, so runs are reproducible)")
	fs.BoolVar(&o.jsonOut, "json", false, "print one JSON object with the figures on the last line")
	fs.StringVar(&o.dir, "dir", "", "folder for the fleet (default: a temporary folder); a fleet of the same size, seed and time generated there before is reused")
	fs.BoolVar(&o.keep, "keep", false, "keep the generated fleet (always kept with --dir)")
	fs.IntVar(&o.runs, "runs", 3, "run every phase this many times and report the median")
	fs.IntVar(&o.sample, "rule-sample", 200_000, "evaluate the ten rules on the first `n` devices (all when the fleet is smaller)")
	fs.IntVar(&o.concurrency, "concurrency", 0, "device-check workers of the built-in assessment (0: GOMAXPROCS, as iotguard assess)")
	fs.StringVar(&o.only, "phases", "", "run only these comma-separated `phases` (of "+strings.Join(phases, ", ")+", and builtin-report: the assessment and its JSON report, not run by default); the rules are compared only when all three rule phases run")
	fs.StringVar(&o.profile, "profile", "", "write CPU, final-heap and peak-heap profiles of every phase into `dir` (PHASE.cpu.pprof, PHASE.heap.pprof, PHASE.peakheap.pprof)")
	fs.StringVar(&o.phase, "phase", "", "internal: run one phase in this process")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if o.phase != "" {
		err = child(ctx, o)
	} else {
		err = run(ctx, o, os.Stdout, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		var mm *mismatchError
		if errors.As(err, &mm) {
			os.Exit(1)
		}
		os.Exit(3)
	}
}

// child runs one phase and prints its results as JSON.
func child(ctx context.Context, o options) error {
	now, err := model.ParseTimestamp(o.now)
	if err != nil {
		return err
	}
	if o.profile != "" {
		f, err := os.Create(filepath.Join(o.profile, o.phase+".cpu.pprof"))
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		stop := watchHeap(filepath.Join(o.profile, o.phase+".peakheap.pprof"))
		defer stop()
	}
	rs, err := runPhase(ctx, o.phase, phaseOptions{dir: o.dir, now: now.Time, sample: o.sample, concurrency: o.concurrency})
	if o.profile != "" {
		pprof.StopCPUProfile()
		f, ferr := os.Create(filepath.Join(o.profile, o.phase+".heap.pprof"))
		if ferr != nil {
			return ferr
		}
		defer f.Close()
		if ferr := pprof.Lookup("heap").WriteTo(f, 0); ferr != nil {
			return ferr
		}
	}
	if err != nil {
		return err
	}
	hwm := peakRSSSelf()
	for i := range rs {
		rs[i].PeakRSS = hwm
	}
	return json.NewEncoder(os.Stdout).Encode(rs)
}

// mismatchError says the three rule implementations disagree, or the
// assessment does not find what the generator planted.
type mismatchError struct{ msg string }

func (e *mismatchError) Error() string { return e.msg }

// marker records the fleet a folder holds, so that it can be reused.
type marker struct {
	Devices int       `json:"devices"`
	Seed    uint64    `json:"seed"`
	Now     time.Time `json:"now"`
	Bytes   int64     `json:"bytes"`
}

const markerFile = "bench-fleet.json"

// prepareFleet generates the fleet into dir, or reuses the one there.
func prepareFleet(ctx context.Context, dir string, opt fleetgen.Options, log io.Writer) (*marker, error) {
	want := marker{Devices: opt.Devices, Seed: opt.Seed, Now: opt.Now}
	if data, err := os.ReadFile(filepath.Join(dir, markerFile)); err == nil {
		var have marker
		if json.Unmarshal(data, &have) == nil && have.Devices == want.Devices && have.Seed == want.Seed && have.Now.Equal(want.Now) {
			if st, err := os.Stat(filepath.Join(dir, fleetgen.DevicesFile)); err == nil && st.Size() == have.Bytes {
				fmt.Fprintf(log, "bench: reusing the fleet of %d devices in %s\n", have.Devices, dir)
				return &have, nil
			}
		}
		// A fleet this benchmark wrote before, of another size: replace it.
		for _, p := range []string{"iotguard.yaml", fleetgen.DevicesFile, "sboms", "evidence", markerFile} {
			os.RemoveAll(filepath.Join(dir, p))
		}
	} else if _, err := os.Stat(filepath.Join(dir, "iotguard.yaml")); err == nil {
		return nil, fmt.Errorf("%s holds a manifest that this benchmark did not generate: give an empty folder", dir)
	}
	fmt.Fprintf(log, "bench: generating %d devices (seed %d) in %s\n", opt.Devices, opt.Seed, dir)
	start := time.Now()
	opt.WriteManifest = func(dir string, sol *model.Solution, devicesFile string) error {
		return manifest.Write(dir, sol, nil, manifest.WriteOptions{DevicesFile: devicesFile, DevicesWritten: true,
			Header: fmt.Sprintf("Synthetic fleet for the benchmark: %d devices, seed %d", opt.Devices, opt.Seed)})
	}
	sum, err := fleetgen.Generate(ctx, dir, opt, nil)
	if err != nil {
		return nil, err
	}
	want.Bytes = sum.Bytes
	fmt.Fprintf(log, "bench: generated %.1f MB of JSON lines in %s\n", float64(sum.Bytes)/1e6, time.Since(start).Round(time.Millisecond))
	data, _ := json.Marshal(want)
	if err := os.WriteFile(filepath.Join(dir, markerFile), data, 0o644); err != nil {
		return nil, err
	}
	return &want, nil
}

// run is the parent: generate, run every phase in child processes, check,
// report.
func run(ctx context.Context, o options, stdout, log io.Writer) error {
	if o.devices < fleetgen.MinDevices || o.devices > fleetgen.MaxDevices {
		return fmt.Errorf("--devices must be %d to %d", fleetgen.MinDevices, fleetgen.MaxDevices)
	}
	if o.runs < 1 || o.sample < 1 || o.concurrency < 0 {
		return errors.New("--runs and --rule-sample must be at least 1, --concurrency not negative")
	}
	now, err := model.ParseTimestamp(o.now)
	if err != nil {
		return fmt.Errorf("--now: %w", err)
	}
	o.now = now.Time.UTC().Format(time.RFC3339)
	dir := o.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "iotguard-bench-"); err != nil {
			return err
		}
		if !o.keep {
			defer os.RemoveAll(dir)
		} else {
			fmt.Fprintf(log, "bench: keeping the fleet in %s\n", dir)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if o.profile != "" {
		if o.profile, err = filepath.Abs(o.profile); err != nil {
			return err
		}
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	genOpt := fleetgen.Options{Devices: o.devices, Seed: o.seed, Now: now.Time}
	gen, err := fleetgen.New(genOpt)
	if err != nil {
		return err
	}
	fleet, err := prepareFleet(ctx, dir, genOpt, log)
	if err != nil {
		return err
	}
	o.dir = dir
	o.sample = min(o.sample, o.devices)
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	selected := phases
	if o.only != "" {
		selected = nil
		for _, p := range strings.Split(o.only, ",") {
			if !slices.Contains(phases, p) && p != "builtin-report" {
				return fmt.Errorf("--phases: unknown phase %q; phases are %s", p, strings.Join(phases, ", "))
			}
			selected = append(selected, p)
		}
	}
	compare := slices.Contains(selected, "rules-go") && slices.Contains(selected, "rules-cel") && slices.Contains(selected, "rules-opa")

	// Every phase runs o.runs times, the runs interleaved so that a noisy
	// moment of the machine does not hit one phase only.
	all := map[string][]result{}
	var order []string
	for r := 1; r <= o.runs; r++ {
		for _, p := range selected {
			fmt.Fprintf(log, "bench: run %d/%d: %s\n", r, o.runs, p)
			rs, err := runChild(ctx, exe, p, o, log)
			if err != nil {
				return err
			}
			for _, x := range rs {
				if _, ok := all[x.Phase]; !ok {
					order = append(order, x.Phase)
				}
				all[x.Phase] = append(all[x.Phase], x)
			}
		}
		if r == 1 && compare {
			if err := compareRules(o, log); err != nil {
				return err
			}
		}
	}
	med := map[string]result{}
	for p, rs := range all {
		med[p] = median(rs)
	}
	builtinOK := false
	if b, ok := med["builtin"]; ok {
		builtinOK = verifyBuiltin(gen.Summary(), b, log)
	}

	rep := buildReport(o, fleet, order, all, med, builtinOK)
	rep.RulesIdentical = compare
	printTable(stdout, rep, order, med)
	if o.jsonOut {
		data, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", data)
	}
	return nil
}

// runChild runs one phase in a child process of this binary and returns
// its results with the child's peak RSS.
func runChild(ctx context.Context, exe, phase string, o options, log io.Writer) ([]result, error) {
	args := []string{"--phase", phase, "--dir", o.dir, "--now", o.now,
		"--rule-sample", fmt.Sprint(o.sample), "--concurrency", fmt.Sprint(o.concurrency)}
	if o.profile != "" {
		args = append(args, "--profile", o.profile)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, log
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("phase %s: %w", phase, err)
	}
	var rs []result
	if err := json.Unmarshal(out.Bytes(), &rs); err != nil {
		return nil, fmt.Errorf("phase %s: reading its result: %w", phase, err)
	}
	// The child reports its own high-water mark (VmHWM). ru_maxrss is
	// the fallback only: on Linux a child started with vfork and exec
	// inherits the parent's RSS in it, which would hide small phases.
	rss := maxRSS(cmd.ProcessState)
	for i := range rs {
		if rs[i].PeakRSS == 0 {
			rs[i].PeakRSS = rss
		}
	}
	return rs, nil
}

// median returns, field by field, the median of the runs (the lower
// middle one for an even count).
func median(rs []result) result {
	pick := func(get func(result) int64) int64 {
		vs := make([]int64, len(rs))
		for i, r := range rs {
			vs[i] = get(r)
		}
		sort.Slice(vs, func(i, j int) bool { return vs[i] < vs[j] })
		return vs[(len(vs)-1)/2]
	}
	m := rs[0]
	m.NS = pick(func(r result) int64 { return r.NS })
	m.CPUNS = pick(func(r result) int64 { return r.CPUNS })
	m.Mallocs = uint64(pick(func(r result) int64 { return int64(r.Mallocs) }))
	m.Bytes = uint64(pick(func(r result) int64 { return int64(r.Bytes) }))
	m.PeakRSS = pick(func(r result) int64 { return r.PeakRSS })
	m.SetupNS = pick(func(r result) int64 { return r.SetupNS })
	return m
}

// compareRules checks that Go, CEL and OPA fail exactly the same devices
// for every rule.
func compareRules(o options, log io.Writer) error {
	read := func(engine string) (ruleFails, error) {
		data, err := os.ReadFile(filepath.Join(o.dir, "bench-fails-"+engine+".json"))
		if err != nil {
			return nil, err
		}
		var f ruleFails
		return f, json.Unmarshal(data, &f)
	}
	goF, err := read("go")
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for id := range goF {
		ids[id] = true
	}
	var problems []string
	total := 0
	for _, eng := range []string{"cel", "opa"} {
		f, err := read(eng)
		if err != nil {
			return err
		}
		for id := range f {
			if !ids[id] {
				problems = append(problems, fmt.Sprintf("%s reports rule %s, which the Go rules do not have", eng, id))
			}
		}
		for id := range ids {
			a, b := goF[id], f[id]
			if !equalInts(a, b) {
				problems = append(problems, fmt.Sprintf("rule %s: Go fails %d devices, %s fails %d; first difference at sample device %d",
					id, len(a), eng, len(b), firstDiff(a, b)))
			}
		}
	}
	for _, is := range goF {
		total += len(is)
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return &mismatchError{"the rule implementations disagree:\n  " + strings.Join(problems, "\n  ")}
	}
	fmt.Fprintf(log, "bench: Go, CEL and OPA fail the same devices for all %d rules (%d failures on %d devices)\n", len(ids), total, o.sample)
	return nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func firstDiff(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return min(a[i], b[i])
		}
	}
	if len(a) > len(b) {
		return a[len(b)]
	}
	if len(b) > len(a) {
		return b[len(a)]
	}
	return -1
}

// verifyBuiltin compares the failures of each built-in device check with
// what the generator planted.
func verifyBuiltin(sum *fleetgen.Summary, r result, log io.Writer) bool {
	ok := true
	for id, n := range r.Fails {
		if want := sum.Checks[id]; n != want {
			fmt.Fprintf(log, "bench: warning: built-in check %s failed %d devices; the generator planted %d\n", id, n, want)
			ok = false
		}
	}
	return ok
}

// watchHeap writes a heap profile to path each time the live heap reaches
// a new high (checked every 200 ms), so that the profile shows what the
// heap held at its peak rather than at the end.
func watchHeap(path string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak+peak/20 {
				peak = v
				if f, err := os.Create(path); err == nil {
					pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}
