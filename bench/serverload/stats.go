package main

import (
	"math"
	"slices"
	"time"
)

// latencyStats are milliseconds.
type latencyStats struct {
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	Max  float64 `json:"max_ms"`
	Mean float64 `json:"mean_ms"`
}

// percentile is the nearest-rank percentile of sorted durations: the
// smallest value with at least p of the samples at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// latencies summarises durations (sorting them in place).
func latencies(ds []time.Duration) latencyStats {
	if len(ds) == 0 {
		return latencyStats{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return latencyStats{
		P50: ms(percentile(ds, 0.50)), P90: ms(percentile(ds, 0.90)), P99: ms(percentile(ds, 0.99)),
		Max: ms(ds[len(ds)-1]), Mean: ms(sum / time.Duration(len(ds))),
	}
}

// endpointResult is one endpoint's share of a phase.
type endpointResult struct {
	Requests int          `json:"requests"`
	RPS      float64      `json:"req_per_sec"`
	Latency  latencyStats `json:"latency"`
}

// mixResult is one measured phase.
type mixResult struct {
	Mix      string       `json:"mix"`
	Requests int          `json:"requests"`
	Seconds  float64      `json:"seconds"`
	RPS      float64      `json:"req_per_sec"`
	Latency  latencyStats `json:"latency"`
	Errors   int          `json:"errors"`
	// Failures are keyed by message, with a count and the first
	// request's ID.
	Failures map[string]*failure `json:"failures,omitempty"`
	// ByEndpoint splits the mixed phase by endpoint.
	ByEndpoint map[string]endpointResult `json:"by_endpoint,omitempty"`
	// NewConnections is how many connections the client opened during
	// the phase: the pool's first phase opens one per worker, later ones
	// none unless the server closed some.
	NewConnections int64    `json:"new_connections"`
	CPU            cpuUsage `json:"cpu"`
	// CPUPerRequest is the CPU milliseconds the server and its database
	// (PostgreSQL's backends) spent per request: on a shared, noisy
	// machine it varies far less than the throughput.
	CPUPerRequest float64 `json:"cpu_ms_per_request"`
	LoadAverage   float64 `json:"load_average_1m"`
}

func summarisePhase(m mix, ph phaseResult) mixResult {
	r := mixResult{Mix: m.Name, Requests: len(ph.samples), Seconds: ph.elapsed.Seconds(),
		Failures: ph.errors, NewConnections: ph.dials, CPU: ph.cpu}
	for _, f := range ph.errors {
		r.Errors += f.Count
	}
	if len(r.Failures) == 0 {
		r.Failures = nil
	}
	all := make([]time.Duration, len(ph.samples))
	var byKind [numKinds][]time.Duration
	for i, s := range ph.samples {
		all[i] = s.latency
		byKind[s.kind] = append(byKind[s.kind], s.latency)
	}
	if r.Seconds > 0 {
		r.RPS = float64(r.Requests) / r.Seconds
	}
	if r.RPS > 0 {
		r.CPUPerRequest = 1000 * (r.CPU.ServerCores + r.CPU.DBCores) / r.RPS
	}
	r.Latency = latencies(all)
	used := 0
	for _, w := range m.Weights {
		if w > 0 {
			used++
		}
	}
	if used > 1 {
		r.ByEndpoint = map[string]endpointResult{}
		for k, ds := range byKind {
			if len(ds) == 0 {
				continue
			}
			e := endpointResult{Requests: len(ds), Latency: latencies(ds)}
			if r.Seconds > 0 {
				e.RPS = float64(len(ds)) / r.Seconds
			}
			r.ByEndpoint[kind(k).String()] = e
		}
	}
	return r
}

// median of values; the mean of the middle two for an even count.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// summaryRow is one backend and mix over all runs: the median of each
// figure separately, and every error of every run.
type summaryRow struct {
	Mix    string       `json:"mix"`
	RPS    float64      `json:"req_per_sec"`
	Lat    latencyStats `json:"latency"`
	Errors int          `json:"errors"`
	// CPUPerRequest is the median of the runs' server and database CPU
	// milliseconds per request.
	CPUPerRequest float64 `json:"cpu_ms_per_request"`
	// RPSRuns are the runs' throughputs, to show the spread.
	RPSRuns []float64 `json:"req_per_sec_runs"`
	// ByEndpoint is the mixed phase per endpoint (medians).
	ByEndpoint map[string]endpointSummary `json:"by_endpoint,omitempty"`
}

// endpointSummary is one endpoint of the mixed phase over all runs.
type endpointSummary struct {
	RPS float64 `json:"req_per_sec"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
}

// backendSummary is one backend over all runs.
type backendSummary struct {
	Backend          string       `json:"backend"`
	Runs             int          `json:"runs"`
	ImportDevPerSec  float64      `json:"import_devices_per_sec"`
	ImportSeconds    float64      `json:"import_seconds"`
	ImportRuns       []float64    `json:"import_devices_per_sec_runs"`
	Mixes            []summaryRow `json:"mixes"`
	Errors           int          `json:"errors"`
	ServerPeakRSSMiB float64      `json:"server_peak_rss_mib"`
}

func summarise(backend string, runs []backendRun) backendSummary {
	s := backendSummary{Backend: backend}
	var imp, impSec, rss []float64
	for _, r := range runs {
		if r.Backend != backend {
			continue
		}
		s.Runs++
		imp = append(imp, r.Import.DevicesPerSec)
		impSec = append(impSec, r.Import.Seconds)
		rss = append(rss, float64(r.ServerPeakRSS)/(1<<20))
		s.Errors += r.Errors
	}
	s.ImportDevPerSec, s.ImportSeconds, s.ImportRuns = median(imp), median(impSec), imp
	s.ServerPeakRSSMiB = median(rss)
	for _, m := range mixes {
		row := summaryRow{Mix: m.Name}
		var p50, p90, p99, mx, mean, cpu []float64
		ends := map[string]*struct{ rps, p50, p99 []float64 }{}
		for _, r := range runs {
			if r.Backend != backend {
				continue
			}
			for _, mr := range r.Mixes {
				if mr.Mix != m.Name {
					continue
				}
				row.RPSRuns = append(row.RPSRuns, mr.RPS)
				p50 = append(p50, mr.Latency.P50)
				p90 = append(p90, mr.Latency.P90)
				p99 = append(p99, mr.Latency.P99)
				mx = append(mx, mr.Latency.Max)
				mean = append(mean, mr.Latency.Mean)
				cpu = append(cpu, mr.CPUPerRequest)
				row.Errors += mr.Errors
				for name, e := range mr.ByEndpoint {
					v := ends[name]
					if v == nil {
						v = &struct{ rps, p50, p99 []float64 }{}
						ends[name] = v
					}
					v.rps = append(v.rps, e.RPS)
					v.p50 = append(v.p50, e.Latency.P50)
					v.p99 = append(v.p99, e.Latency.P99)
				}
			}
		}
		if len(row.RPSRuns) == 0 {
			continue
		}
		row.RPS = median(row.RPSRuns)
		row.CPUPerRequest = median(cpu)
		row.Lat = latencyStats{P50: median(p50), P90: median(p90), P99: median(p99), Max: median(mx), Mean: median(mean)}
		if len(ends) > 0 {
			row.ByEndpoint = map[string]endpointSummary{}
			for name, v := range ends {
				row.ByEndpoint[name] = endpointSummary{RPS: median(v.rps), P50: median(v.p50), P99: median(v.p99)}
			}
		}
		s.Mixes = append(s.Mixes, row)
	}
	return s
}
