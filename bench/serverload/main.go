// Command serverload is iotguard's server load benchmark on loopback.
//
// It builds the iotguard binary, starts `iotguard serve` as a child
// process on a free loopback port (an SQLite file, and a fresh PostgreSQL
// database), stores a fleetgen fleet through the device import API, then
// drives the device list, filtered list and device detail endpoints with
// a fixed number of concurrent keep-alive connections and reports
// throughput, latency percentiles and errors. Every request that is not a
// 2xx, fails in transport, or answers something other than what was
// stored counts as an error: the goal is zero.
//
//	cd bench && go run ./serverload [--devices 100000] [--conns 200] [--duration 30s]
//	    [--backend sqlite|postgres|both] [--pg postgres://postgres@127.0.0.1:5432/postgres]
//	    [--runs 1] [--json] [--markdown FILE]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
)

const usage = `Usage: go run ./serverload [flags]

Builds iotguard, starts "iotguard serve" on a free 127.0.0.1 port for each
backend (an SQLite file; a fresh PostgreSQL database created with psql and
dropped afterwards), imports --devices fleetgen devices through the API,
then runs --conns concurrent keep-alive connections for --duration against
each endpoint mix (list with cursor walking, filtered list, device detail,
and a mix of the three). Prints a table per backend and, with --json, one
JSON object on the last line. Exits with status 3 when any request failed.

Flags:
`

// exitErrors is the exit status when the benchmark ran but some requests
// failed: the figures are printed, but a script must not take them for a
// clean run.
const exitErrors = 3

// config is the command line.
type config struct {
	devices  int
	conns    int
	duration time.Duration
	warmup   time.Duration
	backends []string
	pgURL    string
	runs     int
	seed     uint64
	jsonOut  bool
	markdown string
	keep     bool
	bin      string
	timeout  time.Duration
	pgVacuum bool
	args     []string // as given, for the report
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "serverload:", err)
		return 2
	}
	rep, err := benchmark(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "serverload:", err)
		return 1
	}
	writeText(stdout, rep)
	if cfg.markdown != "" {
		if err := writeMarkdownFile(cfg.markdown, rep); err != nil {
			fmt.Fprintln(stderr, "serverload:", err)
			return 1
		}
	}
	if cfg.jsonOut {
		if err := writeJSONLine(stdout, rep); err != nil {
			fmt.Fprintln(stderr, "serverload:", err)
			return 1
		}
	}
	if rep.TotalErrors > 0 {
		return exitErrors
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := config{args: args}
	var backend string
	fs := flag.NewFlagSet("serverload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.devices, "devices", 100_000, "devices to import (fleetgen, seed --seed)")
	fs.IntVar(&cfg.conns, "conns", 200, "concurrent client connections (one request in flight on each)")
	fs.DurationVar(&cfg.duration, "duration", 30*time.Second, "measured time per endpoint mix")
	fs.DurationVar(&cfg.warmup, "warmup", 5*time.Second, "unmeasured load before each endpoint mix")
	fs.StringVar(&backend, "backend", "both", "sqlite, postgres or both")
	fs.StringVar(&cfg.pgURL, "pg", "postgres://postgres@127.0.0.1:5432/postgres", "PostgreSQL `URL` of a database to run CREATE/DROP DATABASE from (the benchmark uses a fresh database beside it)")
	fs.BoolVar(&cfg.pgVacuum, "pg-vacuum", true, "run VACUUM (ANALYZE) on the devices table after a PostgreSQL import, as autovacuum would soon after a bulk load (use --pg-vacuum=false to measure the server right after the import, without planner statistics, as on a PostgreSQL with autovacuum off)")
	fs.IntVar(&cfg.runs, "runs", 1, "repeat everything (fresh database, import, load) this many times and report the median")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the fleet and of the request sequence")
	fs.BoolVar(&cfg.jsonOut, "json", false, "print one JSON object with every figure on the last line")
	fs.StringVar(&cfg.markdown, "markdown", "", "also write the result tables as Markdown to `file`")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary folder (binary, SQLite files, server logs) and the PostgreSQL databases")
	fs.StringVar(&cfg.bin, "iotguard", "", "use this iotguard `binary` instead of building ../cmd/iotguard")
	fs.DurationVar(&cfg.timeout, "request-timeout", 60*time.Second, "a load request slower than this fails (and counts as an error)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q: all options are flags (see -h)", fs.Args())
	}
	switch backend {
	case "sqlite", "postgres":
		cfg.backends = []string{backend}
	case "both":
		cfg.backends = []string{"sqlite", "postgres"}
	default:
		return cfg, fmt.Errorf("--backend %q: use sqlite, postgres or both", backend)
	}
	switch {
	case cfg.devices < 1 || cfg.devices > 16_000_000:
		return cfg, fmt.Errorf("--devices %d: use 1 to 16000000", cfg.devices)
	case cfg.conns < 1 || cfg.conns > 10_000:
		return cfg, fmt.Errorf("--conns %d: use 1 to 10000", cfg.conns)
	case cfg.duration <= 0:
		return cfg, fmt.Errorf("--duration %s: must be positive", cfg.duration)
	case cfg.warmup < 0:
		return cfg, fmt.Errorf("--warmup %s: must not be negative", cfg.warmup)
	case cfg.runs < 1:
		return cfg, fmt.Errorf("--runs %d: must be at least 1", cfg.runs)
	case cfg.timeout <= 0:
		return cfg, fmt.Errorf("--request-timeout %s: must be positive", cfg.timeout)
	}
	if slices.Contains(cfg.backends, "postgres") {
		if _, err := databaseURL(cfg.pgURL, "postgres"); err != nil {
			return cfg, fmt.Errorf("--pg: %w", err)
		}
	}
	return cfg, nil
}
