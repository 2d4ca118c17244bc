package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

var backendTitles = map[string]string{
	"sqlite":   "SQLite",
	"postgres": "PostgreSQL",
}

func title(backend string) string {
	if t, ok := backendTitles[backend]; ok {
		return t
	}
	return backend
}

func runsNote(n int) string {
	if n == 1 {
		return "1 run"
	}
	return fmt.Sprintf("median of %d runs", n)
}

// writeText prints a table per backend: the medians, then every run.
func writeText(w io.Writer, rep *report) {
	m := rep.Machine
	fmt.Fprintf(w, "\niotguard server load: %d devices, %d connections, %s per mix (after %s warm-up), loopback\n",
		rep.Settings.Devices, rep.Settings.Conns, rep.Settings.Duration, rep.Settings.Warmup)
	fmt.Fprintf(w, "machine: %d CPUs (%s), %s, %s, load average %.2f → %.2f, %s\n",
		m.CPUs, m.CPUModel, m.Kernel, m.Go, m.LoadAvgStart, m.LoadAvgEnd, m.Date)
	if m.PostgreSQL != "" {
		fmt.Fprintf(w, "PostgreSQL %s (autovacuum %s)%s\n", m.PostgreSQL, m.PGAutovacuum, vacuumNote(rep.Settings.PGVacuum))
	}
	for _, s := range rep.Summary {
		fmt.Fprintf(w, "\n%s (%s): import %.0f devices/s (%.1f s)\n", title(s.Backend), runsNote(s.Runs), s.ImportDevPerSec, s.ImportSeconds)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "endpoint\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\terrors\tCPU ms/req\t")
		for _, r := range s.Mixes {
			fmt.Fprintf(tw, "%s\t%.0f\t%.1f\t%.1f\t%.1f\t%.0f\t%d\t%.2f\t\n", r.Mix, r.RPS, r.Lat.P50, r.Lat.P90, r.Lat.P99, r.Lat.Max, r.Errors, r.CPUPerRequest)
			for _, name := range sortedKeys(r.ByEndpoint) {
				e := r.ByEndpoint[name]
				fmt.Fprintf(tw, "%s: %s\t%.0f\t%.1f\t\t%.1f\t\t\t\n", r.Mix, name, e.RPS, e.P50, e.P99)
			}
		}
		tw.Flush()
	}
	if len(rep.Runs) > len(rep.Summary) {
		fmt.Fprintln(w, "\nevery run:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "run\tbackend\timport dev/s\tendpoint\treq/s\tp50 ms\tp99 ms\terrors\tCPU ms/req\tserver cores\tpostgres cores\tclient cores\tmachine busy\tload\t")
		for _, r := range rep.Runs {
			for _, mr := range r.Mixes {
				fmt.Fprintf(tw, "%d\t%s\t%.0f\t%s\t%.0f\t%.1f\t%.1f\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f%%\t%.1f\t\n", r.Run, r.Backend, r.Import.DevicesPerSec,
					mr.Mix, mr.RPS, mr.Latency.P50, mr.Latency.P99, mr.Errors, mr.CPUPerRequest, mr.CPU.ServerCores, mr.CPU.DBCores, mr.CPU.ClientCores, 100*mr.CPU.MachineBusy, mr.LoadAverage)
			}
		}
		tw.Flush()
	}
	if rep.TotalErrors == 0 {
		fmt.Fprintln(w, "\nzero errors: every request answered 2xx with the stored data")
	} else {
		fmt.Fprintf(w, "\n%d ERRORS (see above and the per-run failures in --json)\n", rep.TotalErrors)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// writeMarkdownFile writes the result tables for docs/bench/server.md.
func writeMarkdownFile(path string, rep *report) error {
	var b strings.Builder
	writeMarkdown(&b, rep)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeMarkdown(w io.Writer, rep *report) {
	m := rep.Machine
	fmt.Fprintf(w, "Command: `%s`\n\n", rep.Command)
	fmt.Fprintf(w, "Machine: %d CPUs (%s), %s, %s; PostgreSQL %s; load average %.2f at the start, %.2f at the end; %s.\n\n",
		m.CPUs, m.CPUModel, m.Kernel, m.Go, orNA(m.PostgreSQL), m.LoadAvgStart, m.LoadAvgEnd, m.Date)
	if m.PostgreSQL != "" {
		fmt.Fprintf(w, "PostgreSQL autovacuum: %s%s.\n\n", m.PGAutovacuum, vacuumNote(rep.Settings.PGVacuum))
	}
	for _, s := range rep.Summary {
		fmt.Fprintf(w, "**%s** (%s): import of %d devices %.0f devices/s (%.1f s; runs: %s devices/s); server peak RSS %.0f MiB.\n\n",
			title(s.Backend), runsNote(s.Runs), rep.Settings.Devices, s.ImportDevPerSec, s.ImportSeconds, joinFloats(s.ImportRuns, "%.0f"), s.ServerPeakRSSMiB)
		fmt.Fprintln(w, "| endpoint | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | CPU ms/req | req/s of each run |")
		fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|--:|--:|---|")
		for _, r := range s.Mixes {
			fmt.Fprintf(w, "| %s | %.0f | %.1f | %.1f | %.1f | %.0f | %d | %.2f | %s |\n", r.Mix, r.RPS, r.Lat.P50, r.Lat.P90, r.Lat.P99, r.Lat.Max, r.Errors, r.CPUPerRequest, joinFloats(r.RPSRuns, "%.0f"))
			for _, name := range sortedKeys(r.ByEndpoint) {
				e := r.ByEndpoint[name]
				fmt.Fprintf(w, "| %s: %s | %.0f | %.1f | | %.1f | | | | |\n", r.Mix, name, e.RPS, e.P50, e.P99)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "Every run, with CPU use during the measured window: CPU ms/req is the server's and PostgreSQL's CPU time per request; cores are CPUs kept busy on average; machine busy counts every process on the machine:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| run | backend | endpoint | req/s | p50 ms | p99 ms | errors | CPU ms/req | server cores | postgres cores | client cores | machine busy | load 1m |")
	fmt.Fprintln(w, "|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
	for _, r := range rep.Runs {
		for _, mr := range r.Mixes {
			fmt.Fprintf(w, "| %d | %s | %s | %.0f | %.1f | %.1f | %d | %.2f | %.2f | %.2f | %.2f | %.0f %% | %.1f |\n", r.Run, title(r.Backend), mr.Mix,
				mr.RPS, mr.Latency.P50, mr.Latency.P99, mr.Errors, mr.CPUPerRequest, mr.CPU.ServerCores, mr.CPU.DBCores, mr.CPU.ClientCores, 100*mr.CPU.MachineBusy, mr.LoadAverage)
		}
	}
	fmt.Fprintln(w)
}

func orNA(s string) string {
	if s == "" {
		return "not used"
	}
	return s
}

func joinFloats(v []float64, format string) string {
	parts := make([]string, len(v))
	for i, f := range v {
		parts[i] = fmt.Sprintf(format, f)
	}
	return strings.Join(parts, ", ")
}

// writeJSONLine prints the report as one JSON object on one line.
func writeJSONLine(w io.Writer, rep *report) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func vacuumNote(vacuum bool) string {
	if vacuum {
		return "; the benchmark runs VACUUM (ANALYZE) devices after each import, as autovacuum would"
	}
	return "; no VACUUM or ANALYZE after the import (--pg-vacuum=false)"
}
