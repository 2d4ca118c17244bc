package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iotguard/iotguard/model"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p50 of 1..100", hundred, 0.50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 0.99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 1, 100 * time.Millisecond},
		{"p0 is the min", hundred, 0, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestLatencies(t *testing.T) {
	ds := []time.Duration{4 * time.Millisecond, 1 * time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	got := latencies(ds)
	want := latencyStats{P50: 2, P90: 4, P99: 4, Max: 4, Mean: 2.5}
	if got != want {
		t.Errorf("latencies = %+v, want %+v", got, want)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{5}, 5},
		{[]float64{9, 1, 5}, 5},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		in := append([]float64(nil), tt.in...)
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if !reflect.DeepEqual(in, tt.in) {
			t.Errorf("median reordered its input: %v", tt.in)
		}
	}
}

func TestSummariseMedians(t *testing.T) {
	run := func(n int, backend string, rps, p99 float64, errs int) backendRun {
		return backendRun{Run: n, Backend: backend, Errors: errs,
			Import: importResult{DevicesPerSec: rps * 10, Seconds: 1},
			Mixes: []mixResult{{Mix: "detail", RPS: rps, Latency: latencyStats{P99: p99}, Errors: errs},
				{Mix: "mixed", RPS: rps, ByEndpoint: map[string]endpointResult{"list": {RPS: rps / 2, Latency: latencyStats{P50: p99 / 2}}}}}}
	}
	runs := []backendRun{
		run(1, "sqlite", 100, 9, 0), run(1, "postgres", 50, 1, 0),
		run(2, "sqlite", 300, 3, 2), run(2, "postgres", 50, 1, 0),
		run(3, "sqlite", 200, 5, 0), run(3, "postgres", 50, 1, 0),
	}
	s := summarise("sqlite", runs)
	if s.Runs != 3 || s.Errors != 2 || s.ImportDevPerSec != 2000 {
		t.Errorf("summary = %+v, want 3 runs, 2 errors, import 2000/s", s)
	}
	if len(s.Mixes) != 2 {
		t.Fatalf("mixes = %+v, want detail and mixed", s.Mixes)
	}
	d := s.Mixes[0]
	if d.Mix != "detail" || d.RPS != 200 || d.Lat.P99 != 5 || d.Errors != 2 || !reflect.DeepEqual(d.RPSRuns, []float64{100, 300, 200}) {
		t.Errorf("detail row = %+v", d)
	}
	if got, want := s.Mixes[1].ByEndpoint["list"], (endpointSummary{RPS: 100, P50: 2.5}); got != want {
		t.Errorf("mixed list = %+v, want %+v", got, want)
	}
}

func TestSummarisePhase(t *testing.T) {
	ph := phaseResult{
		samples: []sample{{kindList, 10 * time.Millisecond}, {kindDetail, 2 * time.Millisecond}, {kindDetail, 4 * time.Millisecond}},
		errors:  map[string]*failure{"status 503 unavailable: x": {Count: 2, Kind: "detail"}},
		elapsed: 2 * time.Second,
	}
	r := summarisePhase(mixes[3], ph)
	if r.Requests != 3 || r.RPS != 1.5 || r.Errors != 2 {
		t.Errorf("result = %+v, want 3 requests, 1.5 req/s, 2 errors", r)
	}
	if got := r.ByEndpoint["detail"]; got.Requests != 2 || got.Latency.P50 != 2 {
		t.Errorf("detail = %+v", got)
	}
	if _, ok := r.ByEndpoint["filter"]; ok {
		t.Errorf("an endpoint without requests is listed: %+v", r.ByEndpoint)
	}
	if single := summarisePhase(mixes[0], ph); single.ByEndpoint != nil {
		t.Errorf("a single-endpoint phase is split: %+v", single.ByEndpoint)
	}
}

func TestPageCheck(t *testing.T) {
	items := func(n int) []struct{} { return make([]struct{}, n) }
	tests := []struct {
		name  string
		p     pageShape
		limit int
		total int
		ok    bool
	}{
		{"full page with next", pageShape{Items: items(50), Next: "c", Total: 100}, 50, 100, true},
		{"short last page", pageShape{Items: items(3), Total: 100}, 50, 100, true},
		{"wrong total", pageShape{Items: items(50), Next: "c", Total: 99}, 50, 100, false},
		{"short page with next", pageShape{Items: items(49), Next: "c", Total: 100}, 50, 100, false},
		{"over the limit", pageShape{Items: items(51), Total: 100}, 50, 100, false},
		{"empty last page", pageShape{Total: 100}, 50, 100, false},
		{"empty list", pageShape{Total: 0}, 50, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.check(tt.limit, tt.total)
			if (err == nil) != tt.ok {
				t.Errorf("check = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, errCheck) {
				t.Errorf("check error %v is not errCheck", err)
			}
		})
	}
}

func TestFleetFilters(t *testing.T) {
	f := newFleet(4)
	for _, d := range []model.Device{
		{ID: "a", Model: "m1", Zone: "z1", Lifecycle: model.Active},
		{ID: "b", Model: "m1", Zone: "z2", Lifecycle: model.Active},
		{ID: "c", Model: "m2", Zone: "z1", Lifecycle: model.Active},
		{ID: "d", Model: "m1", Zone: "z1", Lifecycle: model.Decommissioned},
	} {
		if err := f.add(&d); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(f.ids, []string{"a", "b", "c", "d"}) {
		t.Errorf("ids = %v", f.ids)
	}
	want := map[filter]int{
		{Model: "m1"}: 2, {Model: "m2"}: 1, {Zone: "z1"}: 2, {Zone: "z2"}: 1,
		{Model: "m1", Zone: "z1"}: 1, {Model: "m1", Zone: "z2"}: 1, {Model: "m2", Zone: "z1"}: 1,
	}
	if !reflect.DeepEqual(f.expect, want) {
		t.Errorf("expect = %v, want %v", f.expect, want)
	}
	// Every drawn filter matches at least one active device.
	r := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		if fl := f.randomFilter(r); f.expect[fl] == 0 {
			t.Fatalf("randomFilter drew %+v, which matches nothing", fl)
		}
	}
}

func TestPick(t *testing.T) {
	w := &worker{r: rand.New(rand.NewPCG(1, 1))}
	var counts [numKinds]int
	for range 10000 {
		counts[w.pick(mixes[3].Weights, 10)]++
	}
	// 40/20/40 within a generous margin.
	if counts[kindList] < 3700 || counts[kindList] > 4300 || counts[kindFilter] < 1700 || counts[kindFilter] > 2300 {
		t.Errorf("mixed counts = %v, want about 4000/2000/4000", counts)
	}
	for range 100 {
		if k := w.pick(mixes[2].Weights, 1); k != kindDetail {
			t.Fatalf("detail mix picked %v", k)
		}
	}
}

func TestDatabaseURL(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"postgres://postgres@127.0.0.1:5432/postgres", "postgres://postgres@127.0.0.1:5432/bench", true},
		{"postgresql://u:secret@db:5432/x?sslmode=disable", "postgresql://u:secret@db:5432/bench?sslmode=disable", true},
		{"postgres://127.0.0.1", "postgres://127.0.0.1/bench", true},
		{"/tmp/iotguard.db", "", false},
		{"mysql://root@127.0.0.1/x", "", false},
		{"postgres:///x", "", false},
	}
	for _, tt := range tests {
		got, err := databaseURL(tt.in, "bench")
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("databaseURL(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestParseStatuses(t *testing.T) {
	in := `# HELP iotguard_http_requests_total HTTP requests by method, route pattern and status.
# TYPE iotguard_http_requests_total counter
iotguard_http_requests_total{method="GET",route="/api/v1/tenants/{tenant}/solutions/{solution}/devices",status="200"} 1500
iotguard_http_requests_total{method="GET",route="/api/v1/tenants/{tenant}/solutions/{solution}/devices/{device}",status="200"} 500
iotguard_http_requests_total{method="GET",route="/api/v1/tenants/{tenant}/solutions/{solution}/devices/{device}",status="503"} 2
iotguard_http_requests_total{method="POST",route="/api/v1/tenants/{tenant}/solutions/{solution}/devices",status="200"} 1
iotguard_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1
iotguard_http_request_duration_seconds_bucket{method="GET",route="/api/v1/me",le="0.005"} 1
`
	got, err := parseStatuses(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"200": 2000, "503": 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
}

func TestSummariseLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.log")
	log := `{"time":"t","level":"INFO","msg":"request","status":200}
{"time":"t","level":"ERROR","msg":"request","status":500}
not json: a stack trace
{"time":"t","level":"WARN","msg":"sqlite: PRAGMA optimize failed"}
`
	if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := summariseLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Lines != 4 || s.Errors != 1 || s.Warnings != 1 || len(s.Samples) != 2 {
		t.Errorf("summary = %+v, want 4 lines, 1 error, 1 warning, 2 samples", s)
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args     []string
		backends []string
		ok       bool
	}{
		{nil, []string{"sqlite", "postgres"}, true},
		{[]string{"--backend", "sqlite", "--pg", "not a url"}, []string{"sqlite"}, true},
		{[]string{"--backend", "postgres"}, []string{"postgres"}, true},
		{[]string{"--backend", "mysql"}, nil, false},
		{[]string{"--backend", "postgres", "--pg", "/tmp/x.db"}, nil, false},
		{[]string{"--conns", "0"}, nil, false},
		{[]string{"--runs", "0"}, nil, false},
		{[]string{"--duration", "-1s"}, nil, false},
		{[]string{"extra"}, nil, false},
	}
	for _, tt := range tests {
		cfg, err := parseFlags(tt.args, io.Discard)
		if (err == nil) != tt.ok {
			t.Errorf("parseFlags(%q) error = %v, want ok %v", tt.args, err, tt.ok)
			continue
		}
		if tt.ok && !reflect.DeepEqual(cfg.backends, tt.backends) {
			t.Errorf("parseFlags(%q) backends = %v, want %v", tt.args, cfg.backends, tt.backends)
		}
	}
	cfg, _ := parseFlags(nil, io.Discard)
	if cfg.devices != 100_000 || cfg.conns != 200 || cfg.duration != 30*time.Second {
		t.Errorf("defaults = %d devices, %d conns, %s; the issue asks for 100000, 200", cfg.devices, cfg.conns, cfg.duration)
	}
}

// TestEndToEnd builds iotguard and runs the whole benchmark on a small
// fleet against SQLite (and PostgreSQL when psql reaches the default
// server), checking the JSON and that no request failed.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds iotguard and starts servers")
	}
	args := []string{"--devices", "300", "--conns", "8", "--duration", "1s", "--warmup", "200ms", "--json", "--backend", "sqlite",
		"--markdown", filepath.Join(t.TempDir(), "server.md")}
	if _, err := psql(context.Background(), "postgres://postgres@127.0.0.1:5432/postgres", "SELECT 1"); err == nil {
		args[len(args)-3] = "both"
	} else if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is required under CI=true: %v", err)
	} else {
		t.Logf("PostgreSQL not reachable, SQLite only: %v", err)
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build iotguard with")
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var rep report
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last line is not the JSON report: %v\n%s", err, stdout.String())
	}
	if rep.TotalErrors != 0 || len(rep.Runs) == 0 {
		t.Fatalf("report: %d errors, %d runs", rep.TotalErrors, len(rep.Runs))
	}
	for _, r := range rep.Runs {
		if r.Import.Devices != 300 || r.Walk.Pages != 3 || len(r.Mixes) != len(mixes) {
			t.Errorf("%s: import %+v, walk %+v, %d mixes", r.Backend, r.Import, r.Walk, len(r.Mixes))
		}
		for _, m := range r.Mixes {
			if m.Requests == 0 || m.RPS <= 0 || m.Latency.P50 <= 0 || m.Latency.P99 < m.Latency.P50 {
				t.Errorf("%s %s: %+v", r.Backend, m.Mix, m)
			}
		}
		if r.ServerStatuses["200"] == 0 || len(r.ServerStatuses) != 1 {
			t.Errorf("%s: the server counted %v", r.Backend, r.ServerStatuses)
		}
		if r.ServerLog.Errors != 0 {
			t.Errorf("%s: server log errors: %v", r.Backend, r.ServerLog.Samples)
		}
	}
	if !strings.Contains(stdout.String(), "zero errors") {
		t.Errorf("the table does not say zero errors:\n%s", stdout.String())
	}
}
