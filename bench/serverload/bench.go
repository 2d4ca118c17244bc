package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/iotguard/iotguard/apiclient"
)

var selfPID = os.Getpid()

// machine describes where the figures come from.
type machine struct {
	CPUs           int     `json:"cpus"`
	CPUModel       string  `json:"cpu_model"`
	Kernel         string  `json:"kernel"`
	Go             string  `json:"go"`
	Date           string  `json:"date"`
	LoadAvgStart   float64 `json:"load_average_1m_start"`
	LoadAvgEnd     float64 `json:"load_average_1m_end"`
	PostgreSQL     string  `json:"postgresql,omitempty"`
	PGAutovacuum   string  `json:"postgresql_autovacuum,omitempty"`
	SQLiteDriver   string  `json:"sqlite_driver"`
	ClientInSameVM bool    `json:"client_on_same_machine"`
}

// settings are the benchmark's parameters, as reported.
type settings struct {
	Devices      int      `json:"devices"`
	Conns        int      `json:"conns"`
	Duration     string   `json:"duration"`
	Warmup       string   `json:"warmup"`
	Runs         int      `json:"runs"`
	Seed         uint64   `json:"seed"`
	Backends     []string `json:"backends"`
	ListLimits   []int    `json:"list_limits"`
	FilterLimit  int      `json:"filter_limit"`
	MixedWeights string   `json:"mixed_weights"`
	PGVacuum     bool     `json:"pg_vacuum_after_import"`
}

// backendRun is one backend in one run: a fresh database, the import,
// the walk and every phase.
type backendRun struct {
	Run     int          `json:"run"`
	Backend string       `json:"backend"`
	Import  importResult `json:"import"`
	// VacuumSeconds is the VACUUM (ANALYZE) after a PostgreSQL import
	// (--pg-vacuum), which stands in for autovacuum.
	VacuumSeconds float64     `json:"vacuum_seconds,omitempty"`
	Walk          walkResult  `json:"walk"`
	Mixes         []mixResult `json:"mixes"`
	// StoreBytes is the database's size after the load (SQLite file and
	// WAL; pg_database_size).
	StoreBytes int64 `json:"store_bytes"`
	// ServerStatuses are the server's own counts of GET requests to the
	// device routes by status, from /metrics (including the walk).
	ServerStatuses map[string]int64 `json:"server_statuses"`
	ServerLog      logSummary       `json:"server_log"`
	ServerPeakRSS  int64            `json:"server_peak_rss_bytes"`
	Errors         int              `json:"errors"`
}

// report is everything one invocation measured.
type report struct {
	Command     string           `json:"command"`
	Machine     machine          `json:"machine"`
	Settings    settings         `json:"settings"`
	Runs        []backendRun     `json:"runs"`
	Summary     []backendSummary `json:"summary"`
	TotalErrors int              `json:"total_errors"`
}

func benchmark(ctx context.Context, cfg config, progress io.Writer) (*report, error) {
	rep := &report{
		Command: strings.TrimSpace("go run ./serverload " + strings.Join(cfg.args, " ")),
		Machine: machine{CPUs: runtime.NumCPU(), CPUModel: cpuModel(), Kernel: kernel(), Go: runtime.Version(),
			Date: time.Now().UTC().Format(time.RFC3339), SQLiteDriver: "modernc.org/sqlite (WAL, synchronous=FULL)", ClientInSameVM: true},
		Settings: settings{Devices: cfg.devices, Conns: cfg.conns, Duration: cfg.duration.String(), Warmup: cfg.warmup.String(),
			Runs: cfg.runs, Seed: cfg.seed, Backends: cfg.backends, ListLimits: listLimits, FilterLimit: filterLimit,
			MixedWeights: mixWeights("mixed"), PGVacuum: cfg.pgVacuum},
	}
	rep.Machine.LoadAvgStart, _ = loadAverage()
	dir, err := os.MkdirTemp("", "iotguard-serverload-")
	if err != nil {
		return nil, err
	}
	if cfg.keep {
		fmt.Fprintf(progress, "keeping %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := cfg.bin
	if bin == "" {
		fmt.Fprintln(progress, "building iotguard...")
		if bin, err = buildIotguard(ctx, dir, progress); err != nil {
			return nil, err
		}
	}
	for _, b := range cfg.backends {
		if b == "postgres" {
			rep.Machine.PostgreSQL = pgVersion(ctx, cfg.pgURL)
			rep.Machine.PGAutovacuum, _ = psql(ctx, cfg.pgURL, "SHOW autovacuum")
		}
	}
	// Backends alternate within each run, so that a noisy minute on the
	// shared machine does not land on one backend's runs only.
	for r := 1; r <= cfg.runs; r++ {
		for _, b := range cfg.backends {
			br, err := runBackend(ctx, cfg, bin, dir, b, r, progress)
			if err != nil {
				return nil, fmt.Errorf("run %d, %s: %w", r, b, err)
			}
			rep.Runs = append(rep.Runs, br)
			rep.TotalErrors += br.Errors
		}
	}
	for _, b := range cfg.backends {
		rep.Summary = append(rep.Summary, summarise(b, rep.Runs))
	}
	rep.Machine.LoadAvgEnd, _ = loadAverage()
	return rep, nil
}

func mixWeights(name string) string {
	for _, m := range mixes {
		if m.Name != name {
			continue
		}
		var parts []string
		for k, w := range m.Weights {
			parts = append(parts, fmt.Sprintf("%s %d", kind(k), w))
		}
		return strings.Join(parts, ", ")
	}
	return ""
}

// runBackend runs one backend once, from an empty database to the last
// phase, and stops the server.
func runBackend(ctx context.Context, cfg config, bin, dir, backend string, run int, progress io.Writer) (res backendRun, err error) {
	res = backendRun{Run: run, Backend: backend}
	rdir := filepath.Join(dir, fmt.Sprintf("run%d-%s", run, backend))
	if err := os.MkdirAll(rdir, 0o700); err != nil {
		return res, err
	}
	var dsn string
	var pg *pgDatabase
	switch backend {
	case "sqlite":
		dsn = filepath.Join(rdir, "iotguard.db")
	case "postgres":
		if pg, err = createPGDatabase(ctx, cfg.pgURL); err != nil {
			return res, err
		}
		defer func() {
			if cfg.keep {
				fmt.Fprintf(progress, "  keeping PostgreSQL database %s (drop it with: psql -c 'DROP DATABASE %s')\n", pg.name, pg.name)
				return
			}
			if derr := pg.drop(ctx); derr != nil {
				err = errors.Join(err, fmt.Errorf("dropping %s: %w", pg.name, derr))
			}
		}()
		dsn = pg.dsn
	}
	token := newAdminToken()
	srv, err := startServer(ctx, bin, rdir, dsn, token)
	if err != nil {
		return res, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = srv.stop()
		}
	}()
	fmt.Fprintf(progress, "run %d/%d %s: server on %s\n", run, cfg.runs, backend, srv.base)

	c := apiclient.New(srv.base, token)
	c.HTTP = &http.Client{}
	c.UserAgent = "iotguard-serverload"
	me, err := c.Me(ctx)
	if err != nil {
		return res, err
	}
	if len(me.Memberships) == 0 {
		return res, errors.New("the bootstrap admin is a member of no tenant")
	}
	tenant := me.Memberships[0].TenantID
	sol, err := c.CreateSolution(ctx, tenant, "serverload", "load benchmark fleet (fleetgen)")
	if err != nil {
		return res, err
	}

	f, imp, err := importFleet(ctx, c, tenant, sol.ID, cfg.devices, cfg.seed)
	if err != nil {
		return res, err
	}
	res.Import = imp
	fmt.Fprintf(progress, "  import: %d devices in %.1f s = %.0f devices/s\n", imp.Devices, imp.Seconds, imp.DevicesPerSec)
	if pg != nil && cfg.pgVacuum {
		// What autovacuum does within a minute or two of a bulk load on a
		// default PostgreSQL: without it the planner has no statistics
		// and index-only scans visit the heap (see docs/bench/server.md).
		start := time.Now()
		if _, err := psql(ctx, pg.dsn, "VACUUM (ANALYZE) devices"); err != nil {
			return res, err
		}
		res.VacuumSeconds = time.Since(start).Seconds()
		fmt.Fprintf(progress, "  VACUUM (ANALYZE) devices: %.1f s\n", res.VacuumSeconds)
	}
	cursors, walk, err := walkAll(ctx, c, tenant, sol.ID, f)
	if err != nil {
		return res, err
	}
	res.Walk = walk
	fmt.Fprintf(progress, "  walk: %d pages of 100 in %.1f s, every device listed once, in order\n", walk.Pages, walk.Seconds)

	t := &target{
		base: srv.base, token: token, fleet: f, cursors: cursors, totalDevices: len(f.ids),
		devicesPath: "/api/v1/tenants/" + url.PathEscape(tenant) + "/solutions/" + url.PathEscape(sol.ID) + "/devices",
	}
	l := newLoader(t, cfg.conns, cfg.timeout, cfg.seed)
	defer l.close()
	for i, m := range mixes {
		db := ""
		if pg != nil {
			db = pg.name
		}
		ph, err := l.runPhase(ctx, m, cfg.warmup, cfg.duration, uint64(run)<<8|uint64(i), srv.pid(), db)
		if err != nil {
			return res, err
		}
		mr := summarisePhase(m, ph)
		mr.LoadAverage, _ = loadAverage()
		res.Mixes = append(res.Mixes, mr)
		res.Errors += mr.Errors
		fmt.Fprintf(progress, "  %-6s %8.0f req/s  p50 %7.1f ms  p99 %7.1f ms  errors %d  (%.2f CPU ms/request; cores: server %.2f, postgres %.2f, client %.2f; machine %.0f%% busy, load %.1f)\n",
			m.Name, mr.RPS, mr.Latency.P50, mr.Latency.P99, mr.Errors, mr.CPUPerRequest, mr.CPU.ServerCores, mr.CPU.DBCores, mr.CPU.ClientCores, 100*mr.CPU.MachineBusy, mr.LoadAverage)
		for msg, fl := range mr.Failures {
			fmt.Fprintf(progress, "    %d× %s: %s (first request %s)\n", fl.Count, fl.Kind, msg, fl.RequestID)
		}
	}
	if res.ServerStatuses, err = serverStatuses(ctx, srv.base); err != nil {
		return res, err
	}
	res.StoreBytes = storeSize(ctx, backend, dsn, pg)
	l.close()
	stopped = true
	if err := srv.stop(); err != nil {
		return res, fmt.Errorf("the server did not shut down cleanly: %w", err)
	}
	res.ServerPeakRSS = srv.peakRSS()
	if res.ServerLog, err = summariseLog(srv.logPath); err != nil {
		return res, fmt.Errorf("reading the server log: %w", err)
	}
	for status, n := range res.ServerStatuses {
		if !strings.HasPrefix(status, "2") {
			fmt.Fprintf(progress, "  the server counted %d device requests with status %s\n", n, status)
		}
	}
	if res.ServerLog.Errors+res.ServerLog.Warnings > 0 {
		fmt.Fprintf(progress, "  server log: %d errors, %d warnings; first: %s\n", res.ServerLog.Errors, res.ServerLog.Warnings, strings.Join(res.ServerLog.Samples, "\n    "))
	}
	// The log holds one line per request; on a long run it is large.
	if !cfg.keep {
		_ = os.Remove(srv.logPath)
	}
	return res, nil
}

// storeSize is the database's size on disk; 0 when it cannot be read.
func storeSize(ctx context.Context, backend, dsn string, pg *pgDatabase) int64 {
	if backend == "postgres" {
		v, err := psql(ctx, pg.admin, "SELECT pg_database_size('"+pg.name+"')")
		if err != nil {
			return 0
		}
		var n int64
		_, _ = fmt.Sscan(v, &n)
		return n
	}
	var n int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if st, err := os.Stat(dsn + suffix); err == nil {
			n += st.Size()
		}
	}
	return n
}
