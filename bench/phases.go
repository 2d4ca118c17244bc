package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/manifest"
	"github.com/iotguard/iotguard/model"
	iotreport "github.com/iotguard/iotguard/report"
	"github.com/iotguard/iotguard/rules"
	"github.com/iotguard/iotguard/sbom"
)

//go:embed rules/fleet.yaml
var celPack []byte

// result is what one phase measured, in one child process.
type result struct {
	Phase   string `json:"phase"`
	Devices int    `json:"devices"`
	NS      int64  `json:"ns"`      // wall time of the measured work
	CPUNS   int64  `json:"cpu_ns"`  // CPU time of the process during it (all threads, GC included)
	Mallocs uint64 `json:"mallocs"` // heap allocations during it
	Bytes   uint64 `json:"bytes"`   // bytes allocated during it
	// PeakRSS is the child process's peak resident set: VmHWM of
	// /proc/self/status, else ru_maxrss as the parent sees it.
	PeakRSS int64 `json:"peak_rss_bytes"`
	// Fails counts failing devices per check or rule.
	Fails map[string]int `json:"fails,omitempty"`
	// Errors counts error results (rules only; must be zero).
	Errors int `json:"errors,omitempty"`
	// SetupNS is the part of NS spent before the first device: loading
	// the manifest and its SBOMs (built-in assessment only).
	SetupNS int64 `json:"setup_ns,omitempty"`
}

// phaseOptions are what the parent passes to a child.
type phaseOptions struct {
	dir         string
	now         time.Time
	sample      int // devices the rule phases evaluate
	concurrency int
}

func (o phaseOptions) manifestPath() string { return filepath.Join(o.dir, "iotguard.yaml") }
func (o phaseOptions) devicesPath() string  { return filepath.Join(o.dir, "devices.jsonl") }
func (o phaseOptions) failsPath(engine string) string {
	return filepath.Join(o.dir, "bench-fails-"+engine+".json")
}

// phases are the child phases, in the order the parent runs them.
var phases = []string{"idle", "decode-goccy", "decode-goccy-strict", "decode-std", "decode-manifest", "builtin", "rules-go", "rules-cel", "rules-opa"}

// runPhase runs one phase in this (child) process.
func runPhase(ctx context.Context, name string, o phaseOptions) ([]result, error) {
	switch name {
	case "idle":
		return []result{{Phase: "idle"}}, nil
	case "decode-goccy":
		if err := checkDecoders(o.devicesPath(), 1000); err != nil {
			return nil, err
		}
		return one(measure(name, func() (int, error) {
			var d model.Device
			return eachLine(o.devicesPath(), func(b []byte) error {
				d = model.Device{}
				return gojson.UnmarshalOf(b, &d)
			})
		}))
	case "decode-goccy-strict":
		// As strict as iotguard's decoder (unknown fields are errors,
		// which needs goccy's Decoder), one Decoder per line as
		// iotguard's slow path makes one encoding/json Decoder per line.
		return one(measure(name, func() (int, error) {
			var d model.Device
			var rd bytes.Reader
			return eachLine(o.devicesPath(), func(b []byte) error {
				d = model.Device{}
				rd.Reset(b)
				dec := gojson.NewDecoder(&rd)
				dec.DisallowUnknownFields()
				return dec.Decode(&d)
			})
		}))
	case "decode-std":
		return one(measure(name, func() (int, error) {
			var d model.Device
			return eachLine(o.devicesPath(), func(b []byte) error {
				d = model.Device{}
				return json.Unmarshal(b, &d)
			})
		}))
	case "decode-manifest":
		return one(measure(name, func() (int, error) {
			l, err := manifest.Load(o.manifestPath())
			if err != nil {
				return 0, err
			}
			return l.Validate(ctx)
		}))
	case "builtin":
		return builtinPhase(ctx, o, false)
	case "builtin-report":
		return builtinPhase(ctx, o, true)
	case "rules-go", "rules-cel", "rules-opa":
		return rulesPhase(ctx, name, o)
	}
	return nil, fmt.Errorf("unknown phase %q", name)
}

func one(r result, err error) ([]result, error) {
	if err != nil {
		return nil, err
	}
	return []result{r}, nil
}

// measure times fn and counts its allocations; fn returns the number of
// devices it handled.
func measure(name string, fn func() (int, error)) (result, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0, start := cpuTime(), time.Now()
	n, err := fn()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	runtime.ReadMemStats(&after)
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", name, err)
	}
	return result{Phase: name, Devices: n, NS: elapsed.Nanoseconds(), CPUNS: cpu.Nanoseconds(),
		Mallocs: after.Mallocs - before.Mallocs, Bytes: after.TotalAlloc - before.TotalAlloc}, nil
}

// eachLine calls fn with every non-blank line of a JSON-lines file, as
// manifest's reader does (64 KiB buffer, lines valid until the next call).
func eachLine(path string, fn func([]byte) error) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	var long []byte
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return n, err
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			if ferr := fn(line); ferr != nil {
				return n, fmt.Errorf("line %d: %w", n+1, ferr)
			}
			n++
		}
		if err == io.EOF {
			return n, nil
		}
	}
}

// checkDecoders checks that goccy/go-json decodes the first lines into the
// same devices as encoding/json, so that the floor decodes the same thing.
func checkDecoders(path string, lines int) error {
	i := 0
	errStop := errors.New("stop")
	_, err := eachLine(path, func(b []byte) error {
		var a, c model.Device
		if err := json.Unmarshal(b, &a); err != nil {
			return err
		}
		if err := gojson.UnmarshalOf(b, &c); err != nil {
			return err
		}
		if !reflect.DeepEqual(a, c) {
			return fmt.Errorf("goccy/go-json and encoding/json decode device %s differently", a.ID)
		}
		if i++; i == lines {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// builtinPhase is iotguard's full built-in assessment as `iotguard assess`
// runs it, without writing the report: load the manifest, read the SBOMs
// it names, stream the side file twice (index, then checks on
// GOMAXPROCS workers) and roll up. Findings are capped at the CLI's
// default of 100,000; counts stay exact.
//
// With report, it also writes the JSON report to a file (through a
// buffered writer, as iotguard assess -o report.json does through its
// atomic file writer): the whole `iotguard assess --format json` in one
// process, whose peak RSS compares with the CLI's.
func builtinPhase(ctx context.Context, o phaseOptions, withReport bool) ([]result, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	var as *model.Assessment
	var setup time.Duration
	r, err := measure("builtin", func() (int, error) {
		start := time.Now()
		l, err := manifest.Load(o.manifestPath())
		if err != nil {
			return 0, err
		}
		ev, err := loadSBOMs(l)
		if err != nil {
			return 0, err
		}
		setup = time.Since(start)
		as, err = engine.Run(ctx, cat, checks.Builtin(), l.Solution, l.Inventory, engine.Options{
			Now: o.now, Files: l.Files, Concurrency: o.concurrency, MaxFindings: 100_000, Evidence: ev, ToolVersion: "bench",
		})
		if err != nil {
			return 0, err
		}
		if withReport {
			if err := writeReport(filepath.Join(o.dir, "bench-report.json"), as, cat); err != nil {
				return 0, err
			}
		}
		return as.Summary.Devices, nil
	})
	if withReport {
		r.Phase = "builtin-report"
	}
	if err != nil {
		return nil, err
	}
	r.SetupNS = setup.Nanoseconds()
	r.Fails = map[string]int{}
	for _, c := range as.Checks {
		if c.Scope == model.AssetDevice {
			r.Fails[c.ID] = c.Fail
		}
		if c.Error > 0 {
			return nil, fmt.Errorf("builtin: check %s had %d errors: %v", c.ID, c.Error, c.Errors)
		}
	}
	return []result{r}, nil
}

func writeReport(path string, as *model.Assessment, cat *catalog.Catalog) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := iotreport.Render(w, "json", as, iotreport.Options{Catalog: cat}); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadSBOMs reads the SBOMs the manifest names, as iotguard assess does;
// generated fleets name no other evidence that the importers read.
func loadSBOMs(l *manifest.Loaded) (*model.Evidence, error) {
	e := l.Evidence
	if e == nil || e.Empty() {
		return nil, nil
	}
	if len(e.VulnDB)+len(e.Certificates)+len(e.TrustedCAs)+len(e.CRLs)+len(e.Nmap)+len(e.MUD)+len(e.AWS)+len(e.Azure) > 0 {
		return nil, errors.New("the manifest names evidence other than SBOMs, which the benchmark does not load")
	}
	ev := &model.Evidence{}
	paths := make([]string, len(e.SBOMs))
	for i, f := range e.SBOMs {
		paths[i] = f.Path
	}
	sboms, err := sbom.ParseFiles(paths, 0)
	if err != nil {
		return nil, err
	}
	for i, sb := range sboms {
		manifest.BindSBOM(sb, e.SBOMs[i], l.Solution)
		ev.SBOMs = append(ev.SBOMs, *sb)
	}
	return ev, nil
}

// loadSample decodes the first n devices into memory.
func loadSample(path string, n int) ([]model.Device, error) {
	devs := make([]model.Device, 0, n)
	errStop := errors.New("stop")
	_, err := eachLine(path, func(b []byte) error {
		if len(devs) == n {
			return errStop
		}
		devs = append(devs, model.Device{})
		return gojson.Unmarshal(b, &devs[len(devs)-1])
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return devs, nil
}

// ruleFails are the devices (indexes into the sample) that fail each rule.
type ruleFails map[string][]int

// rulesPhase runs the ten rules one way on the sample, device by device on
// one goroutine, and writes the failing devices for the parent to compare.
func rulesPhase(ctx context.Context, name string, o phaseOptions) ([]result, error) {
	l, err := manifest.Load(o.manifestPath())
	if err != nil {
		return nil, err
	}
	devs, err := loadSample(o.devicesPath(), o.sample)
	if err != nil {
		return nil, err
	}
	env := engine.NewEnv(l.Solution, o.now, nil)
	warm := min(len(devs), 1000)
	fails := ruleFails{}
	var out []result
	errs := 0

	switch name {
	case "rules-go", "rules-cel":
		var cks []engine.DeviceCheck
		if name == "rules-go" {
			cks = goRules()
		} else {
			set, err := rules.Parse("rules/fleet.yaml", celPack, rules.Options{})
			if err != nil {
				return nil, err
			}
			for _, c := range set.Checks() {
				cks = append(cks, c.(engine.DeviceCheck))
			}
		}
		ids := make([]string, len(cks))
		idx := make([][]int, len(cks))
		for i, c := range cks {
			ids[i] = c.Meta().ID
		}
		for i := 0; i < warm; i++ {
			for _, c := range cks {
				c.CheckDevice(env, &devs[i])
			}
		}
		r, err := measure(name, func() (int, error) {
			for i := range devs {
				d := &devs[i]
				for k, c := range cks {
					switch c.CheckDevice(env, d).Status {
					case model.Fail:
						idx[k] = append(idx[k], i)
					case model.Error:
						errs++
					}
				}
			}
			return len(devs), nil
		})
		if err != nil {
			return nil, err
		}
		for k, id := range ids {
			fails[id] = idx[k]
		}
		r.Errors = errs
		out = append(out, r)

	case "rules-opa":
		opa, err := newOPA(ctx, l.Solution, env.Policy, o.now)
		if err != nil {
			return nil, err
		}
		record := func(i int) func(string) {
			return func(id string) { fails[id] = append(fails[id], i) }
		}
		for i := 0; i < warm; i++ {
			if err := opa.eval(ctx, deviceInput(&devs[i]), func(string) {}); err != nil {
				return nil, err
			}
		}
		conv, err := measure("opa-convert", func() (int, error) {
			for i := range devs {
				runtime.KeepAlive(deviceInput(&devs[i]))
			}
			return len(devs), nil
		})
		if err != nil {
			return nil, err
		}
		total, err := measure("opa-total", func() (int, error) {
			for i := range devs {
				if err := opa.eval(ctx, deviceInput(&devs[i]), record(i)); err != nil {
					return i, err
				}
			}
			return len(devs), nil
		})
		if err != nil {
			return nil, err
		}
		eval := total
		eval.Phase = "opa-eval"
		eval.NS -= conv.NS
		eval.CPUNS -= conv.CPUNS
		eval.Mallocs -= min(conv.Mallocs, eval.Mallocs)
		eval.Bytes -= min(conv.Bytes, eval.Bytes)
		out = append(out, conv, eval, total)
	}

	counts := map[string]int{}
	for id, is := range fails {
		slices.Sort(is)
		counts[id] = len(is)
	}
	for i := range out {
		out[i].Fails = counts
	}
	data, err := json.Marshal(fails)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(o.failsPath(strings.TrimPrefix(name, "rules-")), data, 0o644); err != nil {
		return nil, err
	}
	return out, nil
}
