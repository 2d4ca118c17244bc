package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
)

// Goals of the issue, measured on the project's 2-core machine.
const (
	goalBuiltinVsFloor = 2.0
	goalCELvsOPA       = 10.0
	goalGoVsOPA        = 50.0
	goalPeakRSS        = 1 << 30
)

// phaseLabels name the phases in the table.
var phaseLabels = map[string]string{
	"idle":                "idle child process (baseline RSS)",
	"decode-goccy":        "parse floor: goccy/go-json",
	"decode-goccy-strict": "parse: goccy/go-json, strict",
	"decode-std":          "parse: encoding/json",
	"decode-manifest":     "parse: iotguard manifest stream",
	"builtin":             "built-in assessment (full)",
	"builtin-report":      "built-in assessment + JSON report",
	"rules-go":            "10 rules: hand-written Go",
	"rules-cel":           "10 rules: CEL (iotguard)",
	"opa-convert":         "10 rules: OPA input conversion",
	"opa-eval":            "10 rules: OPA Rego eval",
	"opa-total":           "10 rules: OPA total",
}

type phaseJSON struct {
	Phase           string  `json:"phase"`
	Devices         int     `json:"devices"`
	DevicesPerS     float64 `json:"devices_per_s"`
	NSPerDevice     float64 `json:"ns_per_device"`
	CPUNSPerDevice  float64 `json:"cpu_ns_per_device"`
	AllocsPerDevice float64 `json:"allocs_per_device"`
	BytesPerDevice  float64 `json:"bytes_per_device"`
	PeakRSS         int64   `json:"peak_rss_bytes"`
	// Fails counts the devices failing each rule or built-in device check.
	Fails map[string]int `json:"fails,omitempty"`
	// NSPerDeviceRuns are the wall ns/device of every run, in run order.
	NSPerDeviceRuns []float64 `json:"ns_per_device_runs,omitempty"`
}

// report is the JSON object printed with --json.
type report struct {
	Devices    int    `json:"devices"`
	Seed       uint64 `json:"seed"`
	Now        string `json:"now"`
	FleetBytes int64  `json:"fleet_bytes"`
	RuleSample int    `json:"rule_sample"`
	Runs       int    `json:"runs"`
	Go         string `json:"go"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPUs       int    `json:"cpus"`
	CPUModel   string `json:"cpu_model,omitempty"`

	DecodeNS         float64 `json:"decode_ns_per_device"`
	DecodeStdNS      float64 `json:"decode_std_ns_per_device"`
	DecodeManifestNS float64 `json:"decode_manifest_ns_per_device"`
	BuiltinNS        float64 `json:"builtin_ns_per_device"`
	// BuiltinSetupNS is the built-in assessment's setup (manifest and
	// SBOMs, before the first device), in all; BuiltinAfterSetupVsFloor
	// is the rest of it per device against the floor.
	BuiltinSetupNS           int64   `json:"builtin_setup_ns"`
	BuiltinAfterSetupVsFloor float64 `json:"builtin_after_setup_vs_floor"`
	GoNS                     float64 `json:"go_ns_per_device"`
	CELNS                    float64 `json:"cel_ns_per_device"`
	OPANS                    float64 `json:"opa_ns_per_device"`
	OPAConvertNS             float64 `json:"opa_convert_ns_per_device"`
	OPATotalNS               float64 `json:"opa_total_ns_per_device"`
	PeakRSS                  int64   `json:"peak_rss_bytes"`
	MaxPeakRSS               int64   `json:"max_peak_rss_bytes"`

	BuiltinVsFloor         float64 `json:"builtin_vs_floor"`
	BuiltinVsStdFloor      float64 `json:"builtin_vs_std_floor"`
	BuiltinVsManifestFloor float64 `json:"builtin_vs_manifest_floor"`
	CELvsOPA               float64 `json:"cel_vs_opa_speedup"`
	CELvsOPATotal          float64 `json:"cel_vs_opa_total_speedup"`
	GoVsOPA                float64 `json:"go_vs_opa_speedup"`
	GoVsOPATotal           float64 `json:"go_vs_opa_total_speedup"`
	GoVsCEL                float64 `json:"go_vs_cel_speedup"`

	// The same figures from CPU time (all threads of the process, GC
	// included) rather than wall time: steadier on a busy machine.
	CPU cpuFigures `json:"cpu"`

	RulesIdentical   bool            `json:"rules_identical"`
	BuiltinAsPlanted bool            `json:"builtin_matches_generator"`
	Goals            map[string]bool `json:"goals"`
	Phases           []phaseJSON     `json:"phases"`
}

type cpuFigures struct {
	DecodeNS       float64 `json:"decode_ns_per_device"`
	DecodeStdNS    float64 `json:"decode_std_ns_per_device"`
	BuiltinNS      float64 `json:"builtin_ns_per_device"`
	GoNS           float64 `json:"go_ns_per_device"`
	CELNS          float64 `json:"cel_ns_per_device"`
	OPANS          float64 `json:"opa_ns_per_device"`
	OPATotalNS     float64 `json:"opa_total_ns_per_device"`
	BuiltinVsFloor float64 `json:"builtin_vs_floor"`
	CELvsOPA       float64 `json:"cel_vs_opa_speedup"`
	GoVsOPA        float64 `json:"go_vs_opa_speedup"`
}

func perDevice(r result) phaseJSON {
	p := phaseJSON{Phase: r.Phase, Devices: r.Devices, PeakRSS: r.PeakRSS, Fails: r.Fails}
	if r.Devices > 0 {
		n := float64(r.Devices)
		p.NSPerDevice = float64(r.NS) / n
		p.CPUNSPerDevice = float64(r.CPUNS) / n
		p.AllocsPerDevice = float64(r.Mallocs) / n
		p.BytesPerDevice = float64(r.Bytes) / n
		if r.NS > 0 {
			p.DevicesPerS = n / (float64(r.NS) / 1e9)
		}
	}
	return p
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func buildReport(o options, fleet *marker, order []string, runs map[string][]result, med map[string]result, builtinOK bool) *report {
	ns := func(p string) float64 { return perDevice(med[p]).NSPerDevice }
	r := &report{
		Devices: o.devices, Seed: o.seed, Now: o.now, FleetBytes: fleet.Bytes, RuleSample: o.sample, Runs: o.runs,
		Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), CPUModel: cpuModel(),
		DecodeNS: ns("decode-goccy"), DecodeStdNS: ns("decode-std"), DecodeManifestNS: ns("decode-manifest"),
		BuiltinNS: ns("builtin"), GoNS: ns("rules-go"), CELNS: ns("rules-cel"),
		OPANS: ns("opa-eval"), OPAConvertNS: ns("opa-convert"), OPATotalNS: ns("opa-total"),
		PeakRSS:          med["builtin"].PeakRSS,
		BuiltinAsPlanted: builtinOK,
	}
	for _, p := range order {
		j := perDevice(med[p])
		for _, x := range runs[p] {
			j.NSPerDeviceRuns = append(j.NSPerDeviceRuns, perDevice(x).NSPerDevice)
		}
		r.Phases = append(r.Phases, j)
		r.MaxPeakRSS = max(r.MaxPeakRSS, med[p].PeakRSS)
	}
	r.BuiltinVsFloor = ratio(r.BuiltinNS, r.DecodeNS)
	if b := med["builtin"]; b.Devices > 0 {
		r.BuiltinSetupNS = b.SetupNS
		r.BuiltinAfterSetupVsFloor = ratio(float64(b.NS-b.SetupNS)/float64(b.Devices), r.DecodeNS)
	}
	r.BuiltinVsStdFloor = ratio(r.BuiltinNS, r.DecodeStdNS)
	r.BuiltinVsManifestFloor = ratio(r.BuiltinNS, r.DecodeManifestNS)
	r.CELvsOPA = ratio(r.OPANS, r.CELNS)
	r.CELvsOPATotal = ratio(r.OPATotalNS, r.CELNS)
	r.GoVsOPA = ratio(r.OPANS, r.GoNS)
	r.GoVsOPATotal = ratio(r.OPATotalNS, r.GoNS)
	r.GoVsCEL = ratio(r.CELNS, r.GoNS)
	cpu := func(p string) float64 { return perDevice(med[p]).CPUNSPerDevice }
	c := &r.CPU
	c.DecodeNS, c.DecodeStdNS, c.BuiltinNS = cpu("decode-goccy"), cpu("decode-std"), cpu("builtin")
	c.GoNS, c.CELNS, c.OPANS, c.OPATotalNS = cpu("rules-go"), cpu("rules-cel"), cpu("opa-eval"), cpu("opa-total")
	c.BuiltinVsFloor, c.CELvsOPA, c.GoVsOPA = ratio(c.BuiltinNS, c.DecodeNS), ratio(c.OPANS, c.CELNS), ratio(c.OPANS, c.GoNS)
	// Goals whose phases did not run are left out.
	r.Goals = map[string]bool{}
	if r.BuiltinVsFloor > 0 {
		r.Goals["builtin_within_2x_of_floor"] = r.BuiltinVsFloor <= goalBuiltinVsFloor
	}
	if r.CELvsOPA > 0 {
		r.Goals["cel_10x_faster_than_opa"] = r.CELvsOPA >= goalCELvsOPA
	}
	if r.GoVsOPA > 0 {
		r.Goals["go_50x_faster_than_opa"] = r.GoVsOPA >= goalGoVsOPA
	}
	if r.PeakRSS > 0 {
		r.Goals["peak_rss_under_1gib"] = r.PeakRSS < goalPeakRSS
	}
	return r
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func printTable(w io.Writer, r *report, order []string, med map[string]result) {
	fmt.Fprintf(w, "\niotguard fleet benchmark: %d devices (%.1f MB of JSON lines), seed %d, rules on %d devices; median of %d runs\n",
		r.Devices, float64(r.FleetBytes)/1e6, r.Seed, r.RuleSample, r.Runs)
	fmt.Fprintf(w, "%s %s/%s, %d CPUs%s\n\n", r.Go, r.OS, r.Arch, r.CPUs, cpuSuffix(r.CPUModel))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tdevices\tdevices/s\tns/device\tCPU ns/device\tallocs/device\tbytes/device\tpeak RSS\t")
	for _, p := range order {
		j := perDevice(med[p])
		label := phaseLabels[p]
		if label == "" {
			label = p
		}
		if j.Devices == 0 {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t%s\t\n", label, mib(j.PeakRSS))
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t%.1f\t%.0f\t%s\t\n", label, j.Devices, j.DevicesPerS, j.NSPerDevice,
			j.CPUNSPerDevice, j.AllocsPerDevice, j.BytesPerDevice, mib(j.PeakRSS))
	}
	tw.Flush()
	mark := func(goal string) string {
		ok, measured := r.Goals[goal]
		switch {
		case !measured:
			return "not measured"
		case ok:
			return "met"
		}
		return "NOT met"
	}
	fmt.Fprintf(w, "\nbuilt-in assessment / parse floor: %.2fx goccy/go-json, %.2fx encoding/json, %.2fx manifest stream (goal <= %.0fx of the fastest decoder: %s)\n",
		r.BuiltinVsFloor, r.BuiltinVsStdFloor, r.BuiltinVsManifestFloor, goalBuiltinVsFloor, mark("builtin_within_2x_of_floor"))
	if r.BuiltinSetupNS > 0 {
		fmt.Fprintf(w, "  of which setup (manifest and SBOMs, before the first device) %.1f ms; the rest per device / parse floor: %.2fx\n",
			float64(r.BuiltinSetupNS)/1e6, r.BuiltinAfterSetupVsFloor)
	}
	fmt.Fprintf(w, "CEL vs OPA: %.1fx faster (OPA eval only), %.1fx (with input conversion) (goal >= %.0fx: %s)\n",
		r.CELvsOPA, r.CELvsOPATotal, goalCELvsOPA, mark("cel_10x_faster_than_opa"))
	fmt.Fprintf(w, "Go vs OPA: %.1fx faster (OPA eval only), %.1fx (with input conversion) (goal >= %.0fx: %s); Go vs CEL: %.1fx\n",
		r.GoVsOPA, r.GoVsOPATotal, goalGoVsOPA, mark("go_50x_faster_than_opa"), r.GoVsCEL)
	fmt.Fprintf(w, "from CPU time instead: built-in / floor %.2fx, CEL vs OPA %.1fx, Go vs OPA %.1fx\n",
		r.CPU.BuiltinVsFloor, r.CPU.CELvsOPA, r.CPU.GoVsOPA)
	fmt.Fprintf(w, "peak RSS of the built-in assessment: %s (goal < 1 GiB: %s)\n", mib(r.PeakRSS), mark("peak_rss_under_1gib"))
	fmt.Fprintf(w, "Go, CEL and OPA fail the same devices for every rule: %v; built-in checks fail exactly the devices the generator planted: %v\n",
		r.RulesIdentical, r.BuiltinAsPlanted)
}

func cpuSuffix(m string) string {
	if m == "" {
		return ""
	}
	return " (" + m + ")"
}

// cpuModel reads the CPU model from /proc/cpuinfo, where there is one.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
