// Command vulnbench compares iotguard's vulnerability matching with
// osv-scanner v2's offline matching on the same generated data in the
// same run: 200,000 OSV advisories written as osv-scanner's local
// database (<db>/osv-scalibr/<Ecosystem>/all.zip) and a CycloneDX 1.5
// SBOM of 10,000 components, about 5 % of them affected.
//
// It measures, as child processes (wall time, peak RSS from rusage):
// the iotguard index build (`iotguard vulndb import`), the iotguard scan
// with the index built (`iotguard vuln scan`), and osv-scanner
// (`osv-scanner scan source --offline ...`), each run several times
// (median reported), then compares the matches of both tools with each
// other and with the generator's oracle (the OSV schema's rules applied to
// version positions), explaining every difference.
//
//	cd bench && go run ./vulnbench [--advisories 200000] [--components 10000] [--seed 1] [--json] [--keep DIR]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

type config struct {
	advisories, components int
	seed                   int64
	jsonOut                bool
	keep, cache, osvBin    string
	markdown               string
	runs                   int
	edgeCases, skipOSV     bool
}

// genVersion changes whenever the generator's output changes, so a kept
// corpus of an older generator is rewritten.
const genVersion = "vulnbench-4"

func main() {
	if os.Getenv(runnerEnv) == "1" {
		runnerMain()
		return
	}
	var cfg config
	flag.IntVar(&cfg.advisories, "advisories", 200000, "OSV advisories to generate")
	flag.IntVar(&cfg.components, "components", 10000, "SBOM components to generate")
	flag.Int64Var(&cfg.seed, "seed", 1, "generator seed")
	flag.BoolVar(&cfg.jsonOut, "json", false, "print one JSON object with the figures on the last line")
	flag.StringVar(&cfg.keep, "keep", "", "write the corpus (OSV zips, SBOM, index) to `DIR` and keep it; reused when it matches")
	flag.StringVar(&cfg.cache, "cache", defaultCache(), "`DIR` for the iotguard and osv-scanner binaries")
	flag.StringVar(&cfg.osvBin, "osv-scanner", "", "osv-scanner v2 `binary` to use instead of building it")
	flag.StringVar(&cfg.markdown, "markdown", "", "also write the results as Markdown to `FILE`")
	flag.IntVar(&cfg.runs, "runs", 3, "runs of each measured phase (the median is reported)")
	flag.BoolVar(&cfg.edgeCases, "edge-cases", true, "include realistic inputs on which the tools are known to differ (distro binary packages with upstream=, debian-12.N distro qualifiers, non-normalised PyPI names in advisories)")
	flag.BoolVar(&cfg.skipOSV, "skip-osv-scanner", false, "measure iotguard only")
	flag.Parse()
	if err := bench(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "vulnbench:", err)
		os.Exit(1)
	}
}

func defaultCache() string {
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "iotguard-bench", "vulnbench")
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "vulnbench: "+format+"\n", args...)
}

type results struct {
	cfg        config
	machine    machine
	corpus     *corpus
	dbBytes    int64
	sbomBytes  int64
	idxBytes   int64
	build      phase
	scan       phase
	osv        phase
	osvSkipped string
	floor      int64 // peak RSS the runner reports for /bin/true: the floor of every RSS figure
	cmp        *comparison
	commands   []string
	dir        string
}

func bench(cfg config) error {
	res := &results{cfg: cfg, machine: readMachine()}
	// The runner starts first, while this process is small (see runner).
	rn, err := startRunner()
	if err != nil {
		return err
	}
	defer rn.close()
	if m, _, _, err := rn.measure("", "true"); err == nil {
		res.floor = m.maxRSS
	}
	mainDir, err := filepath.Abs("..")
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(mainDir, "cmd", "iotguard")); err != nil {
		return fmt.Errorf("run from the bench module (cd bench && go run ./vulnbench): %w", err)
	}
	if err := os.MkdirAll(cfg.cache, 0o755); err != nil {
		return err
	}

	t0 := time.Now()
	c := generate(cfg)
	res.corpus = c
	logf("generated %d advisories (%d withdrawn, %d alias twins) over %d packages, %d components (%d expected matches) in %s",
		len(c.advs), c.withdrawn, c.twins, len(c.pkgs), len(c.comps), len(c.expectedSet()), time.Since(t0).Round(time.Millisecond))
	logf("edge inputs: %s", c.edgeCounts())

	dir := cfg.keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "vulnbench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	res.dir = dir
	dbDir := filepath.Join(dir, "osv-db")
	sbomPath := filepath.Join(dir, "fleet.cdx.json")
	idxPath := filepath.Join(dir, "vulndb.idx")
	stamp := fmt.Sprintf("%s advisories=%d components=%d seed=%d edge=%v\n", genVersion, cfg.advisories, cfg.components, cfg.seed, cfg.edgeCases)
	stampPath := filepath.Join(dir, "stamp")
	var zips []string
	for _, e := range ecosystems {
		zips = append(zips, filepath.Join(dbDir, "osv-scalibr", e.name, "all.zip"))
	}
	if old, err := os.ReadFile(stampPath); err == nil && string(old) == stamp {
		logf("reusing the corpus in %s", dir)
	} else {
		t0 = time.Now()
		os.Remove(stampPath)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if zips, err = c.writeDB(dbDir); err != nil {
			return err
		}
		if err := c.writeSBOM(sbomPath); err != nil {
			return err
		}
		if err := os.WriteFile(stampPath, []byte(stamp), 0o644); err != nil {
			return err
		}
		logf("wrote the OSV database and SBOM to %s in %s", dir, time.Since(t0).Round(time.Millisecond))
	}
	for _, z := range zips {
		res.dbBytes += fileSize(z)
	}
	res.sbomBytes = fileSize(sbomPath)

	logf("building iotguard")
	iotguard, err := buildIotguard(mainDir, cfg.cache)
	if err != nil {
		return err
	}
	osvBin := ""
	if cfg.skipOSV {
		res.osvSkipped = "skipped (--skip-osv-scanner)"
	} else if osvBin, err = ensureOSVScanner(cfg.cache, cfg.osvBin, logf); err != nil {
		res.osvSkipped = "could not be built: " + err.Error()
		logf("osv-scanner %s", res.osvSkipped)
		osvBin = ""
	}

	osvOut := filepath.Join(dir, "osv-scanner.json")
	importArgs := append([]string{"vulndb", "import", "--db", idxPath}, zips...)
	scanArgs := []string{"vuln", "scan", "--sbom", sbomPath, "--vulndb", idxPath, "--format", "json"}
	osvArgs := []string{"scan", "source", "--offline", "--offline-vulnerabilities", "--local-db-path", dbDir,
		"--format", "json", "--output-file", osvOut, "-L", sbomPath}
	res.commands = []string{
		"iotguard " + strings.Join(importArgs, " "),
		"iotguard " + strings.Join(scanArgs, " "),
	}
	if osvBin != "" {
		res.commands = append(res.commands, "osv-scanner "+strings.Join(osvArgs, " "))
	}
	res.build = phase{tool: "iotguard", name: "index build (vulndb import)"}
	res.scan = phase{tool: "iotguard", name: "scan, index built (vuln scan)"}
	res.osv = phase{tool: "osv-scanner " + osvScannerVersion, name: "scan (offline, local zips)"}
	var iotSet, osvSet matchSet
	var unmapped []string
	for round := 1; round <= cfg.runs; round++ {
		os.Remove(idxPath)
		m, so, se, err := rn.measure(dir, iotguard, importArgs...)
		if err != nil || m.exit != 0 {
			return fmt.Errorf("iotguard vulndb import: exit %d %v\n%s", m.exit, err, lastLines(string(se), 10))
		}
		res.build.runs = append(res.build.runs, m)
		logf("round %d: iotguard vulndb import %s, %s: %s", round, fmtDur(m.wall), fmtMiB(m.maxRSS), strings.TrimSpace(string(so)))
		res.idxBytes = fileSize(idxPath)

		m, so, se, err = rn.measure(dir, iotguard, scanArgs...)
		if err != nil || m.exit != 0 {
			return fmt.Errorf("iotguard vuln scan: exit %d %v\n%s", m.exit, err, lastLines(string(se), 10))
		}
		res.scan.runs = append(res.scan.runs, m)
		set, um, err := c.parseIotguard(so)
		if err != nil {
			return err
		}
		if iotSet != nil && len(set) != len(iotSet) {
			logf("WARNING: iotguard reported %d matches in this round, %d before", len(set), len(iotSet))
		}
		iotSet, unmapped = set, um
		res.scan.matches = len(set)
		logf("round %d: iotguard vuln scan %s, %s, %d matches", round, fmtDur(m.wall), fmtMiB(m.maxRSS), len(set))

		if osvBin == "" {
			continue
		}
		os.Remove(osvOut)
		m, _, se, err = rn.measure(dir, osvBin, osvArgs...)
		data, rerr := os.ReadFile(osvOut)
		if err != nil || (m.exit != 0 && m.exit != 1) || rerr != nil {
			res.osv.err = fmt.Sprintf("exit %d %v %v: %s", m.exit, err, rerr, lastLines(string(se), 10))
			logf("osv-scanner failed: %s", res.osv.err)
			osvBin = ""
			continue
		}
		res.osv.runs = append(res.osv.runs, m)
		set, um, err = c.parseOSVScanner(data)
		if err != nil {
			return err
		}
		if osvSet != nil && len(set) != len(osvSet) {
			logf("WARNING: osv-scanner reported %d matches in this round, %d before", len(set), len(osvSet))
		}
		osvSet = set
		unmapped = append(unmapped, um...)
		res.osv.matches = len(set)
		logf("round %d: osv-scanner %s, %s, %d matches (exit %d)", round, fmtDur(m.wall), fmtMiB(m.maxRSS), len(set), m.exit)
	}
	if res.osv.err != "" && res.osvSkipped == "" {
		res.osvSkipped = "failed: " + res.osv.err
	}
	res.cmp = c.compare(iotSet, osvSet)
	res.cmp.unmapped = unmapped
	res.machine.loadAfter = readLoad()
	res.print(os.Stdout)
	if cfg.markdown != "" {
		if err := os.WriteFile(cfg.markdown, []byte(res.markdownText()), 0o644); err != nil {
			return err
		}
	}
	if cfg.jsonOut {
		data, _ := json.Marshal(res.figures())
		fmt.Println(string(data))
	}
	return nil
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// figures are the machine-readable results (--json).
func (r *results) figures() map[string]any {
	b, s, o := r.build.median(), r.scan.median(), r.osv.median()
	f := map[string]any{
		"advisories":               len(r.corpus.advs),
		"components":               len(r.corpus.comps),
		"seed":                     r.cfg.seed,
		"runs":                     r.cfg.runs,
		"iotguard_build_s":         round3(b.wall.Seconds()),
		"iotguard_build_rss_bytes": b.maxRSS,
		"iotguard_build_cpu_s":     round3(b.cpu.Seconds()),
		"iotguard_scan_cpu_s":      round3(s.cpu.Seconds()),
		"iotguard_scan_s":          round3(s.wall.Seconds()),
		"iotguard_scan_rss_bytes":  s.maxRSS,
		"matches_iotguard":         r.cmp.iotguard,
		"matches_expected":         r.cmp.expected,
		"index_bytes":              r.idxBytes,
		"osv_db_bytes":             r.dbBytes,
		"unexplained":              r.cmp.unexplained,
	}
	if len(r.osv.runs) > 0 {
		f["osv_scanner_s"] = round3(o.wall.Seconds())
		f["osv_scanner_rss_bytes"] = o.maxRSS
		f["osv_scanner_cpu_s"] = round3(o.cpu.Seconds())
		f["speedup_scan_cpu"] = round3(o.cpu.Seconds() / s.cpu.Seconds())
		f["speedup_scan"] = round3(o.wall.Seconds() / s.wall.Seconds())
		f["speedup_including_build"] = round3(o.wall.Seconds() / (b.wall + s.wall).Seconds())
		f["memory_ratio"] = round3(float64(s.maxRSS) / float64(o.maxRSS))
		f["matches_osv_scanner"] = r.cmp.osv
		f["agreements"] = r.cmp.agree
		f["disagreements"] = r.cmp.disagreements
	} else {
		f["osv_scanner"] = r.osvSkipped
	}
	return f
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

func (r *results) rows() [][]string {
	rows := [][]string{{"tool", "phase", "wall (median)", "wall (all runs)", "CPU user+sys (median)", "peak RSS", "matches"}}
	add := func(p *phase, matches string) {
		m := p.median()
		rows = append(rows, []string{p.tool, p.name, fmtDur(m.wall), p.spread(), fmtDur(m.cpu), fmtMiB(m.maxRSS), matches})
	}
	add(&r.build, "")
	add(&r.scan, fmt.Sprint(r.cmp.iotguard))
	if len(r.osv.runs) > 0 {
		add(&r.osv, fmt.Sprint(r.cmp.osv))
	} else {
		rows = append(rows, []string{"osv-scanner " + osvScannerVersion, r.osvSkipped, "", "", "", "", ""})
	}
	rows = append(rows, []string{"OSV rules", "generator's oracle", "", "", "", "", fmt.Sprint(r.cmp.expected)})
	return rows
}

type goal struct {
	what, value string
	met         bool
}

func (r *results) goals() []goal {
	if len(r.osv.runs) == 0 {
		return nil
	}
	b, s, o := r.build.median(), r.scan.median(), r.osv.median()
	speed := o.wall.Seconds() / s.wall.Seconds()
	incl := o.wall.Seconds() / (b.wall + s.wall).Seconds()
	mem := float64(s.maxRSS) / float64(o.maxRSS)
	return []goal{
		{"scan with the index built at least 100x faster than osv-scanner", fmt.Sprintf("%.0fx wall (%.0fx in CPU time)", speed, o.cpu.Seconds()/s.cpu.Seconds()), speed >= 100},
		{"scan peak RSS at most 1/5 of osv-scanner's", fmt.Sprintf("%.3f (1/%.0f)", mem, 1/mem), mem <= 0.2},
		{"index build + scan faster than osv-scanner", fmt.Sprintf("%.1fx wall (%.1fx in CPU time)", incl, o.cpu.Seconds()/(b.cpu+s.cpu).Seconds()), incl > 1},
		{"every difference in the matches explained", fmt.Sprintf("%d disagreements, %d unexplained", r.cmp.disagreements, r.cmp.unexplained), r.cmp.unexplained == 0},
	}
}

func (r *results) print(w *os.File) {
	c := r.corpus
	fmt.Fprintf(w, "\nvulnbench: %d OSV advisories (%d withdrawn, %d alias twins; %.0f MB of zips), SBOM of %d components (%.1f MB), seed %d, %d runs per phase\n",
		len(c.advs), c.withdrawn, c.twins, float64(r.dbBytes)/1e6, len(c.comps), float64(r.sbomBytes)/1e6, r.cfg.seed, r.cfg.runs)
	fmt.Fprintf(w, "edge inputs: %s\n", c.edgeCounts())
	fmt.Fprintf(w, "machine: %s\n\n", r.machine)
	rows := r.rows()
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	for _, row := range rows {
		for i, cell := range row {
			fmt.Fprintf(w, "%-*s  ", widths[i], cell)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\nindex %.1f MB; RSS floor of the measuring runner (/bin/true) %s\n", float64(r.idxBytes)/1e6, fmtMiB(r.floor))
	for _, g := range r.goals() {
		mark := "MET    "
		if !g.met {
			mark = "NOT MET"
		}
		fmt.Fprintf(w, "goal %s %s: %s\n", mark, g.what, g.value)
	}
	r.cmp.print(w)
}

// machine describes where the benchmark ran.
type machine struct {
	cpus                            int
	model, goVersion, date, kernel  string
	loadBefore, loadAfter, memTotal string
}

func readMachine() machine {
	m := machine{cpus: runtime.NumCPU(), date: time.Now().UTC().Format("2006-01-02 15:04 MST"), loadBefore: readLoad()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.model = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		m.memTotal = strings.Join(strings.Fields(strings.TrimPrefix(line, "MemTotal:")), " ")
	}
	if out, err := exec.Command("go", "version").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(data))
	}
	return m
}

func readLoad() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (m machine) String() string {
	return fmt.Sprintf("%d CPUs (%s), %s memory, Linux %s, %s, load average %s before / %s after, %s",
		m.cpus, m.model, m.memTotal, m.kernel, m.goVersion, m.loadBefore, m.loadAfter, m.date)
}
