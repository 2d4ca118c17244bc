package server

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the histogram's upper bounds in seconds, from a fast
// cached read to a large import.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// metrics is a hand-written Prometheus registry: request counts by route
// and status, a latency histogram by route and the requests in flight.
// Labels are route patterns, never raw paths, so cardinality stays bounded.
type metrics struct {
	inFlight atomic.Int64
	mu       sync.Mutex
	requests map[reqKey]uint64
	latency  map[string]*histogram // by route
}

type reqKey struct {
	method, route string
	status        int
}

type histogram struct {
	method  string
	counts  []uint64 // per bucket, not cumulative
	sum     float64
	samples uint64
}

func newMetrics() *metrics {
	return &metrics{requests: map[reqKey]uint64{}, latency: map[string]*histogram{}}
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqKey{method, route, status}]++
	key := method + " " + route
	h := m.latency[key]
	if h == nil {
		h = &histogram{method: method, counts: make([]uint64, len(latencyBuckets))}
		m.latency[key] = h
	}
	for i, b := range latencyBuckets {
		if sec <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.samples++
}

// write renders the text exposition format (version 0.0.4).
func (m *metrics) write(w io.Writer) error {
	var b strings.Builder
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b reqKey) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		if c := strings.Compare(a.method, b.method); c != 0 {
			return c
		}
		return a.status - b.status
	})
	b.WriteString("# HELP iotguard_http_requests_total HTTP requests by method, route pattern and status.\n")
	b.WriteString("# TYPE iotguard_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "iotguard_http_requests_total{method=%s,route=%s,status=\"%d\"} %d\n",
			quoteLabel(k.method), quoteLabel(k.route), k.status, m.requests[k])
	}
	routes := make([]string, 0, len(m.latency))
	for k := range m.latency {
		routes = append(routes, k)
	}
	slices.Sort(routes)
	b.WriteString("# HELP iotguard_http_request_duration_seconds HTTP request latency by method and route pattern.\n")
	b.WriteString("# TYPE iotguard_http_request_duration_seconds histogram\n")
	for _, key := range routes {
		h := m.latency[key]
		route := strings.TrimPrefix(key, h.method+" ")
		labels := "method=" + quoteLabel(h.method) + ",route=" + quoteLabel(route)
		var cum uint64
		for i, bound := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "iotguard_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, strconv.FormatFloat(bound, 'g', -1, 64), cum)
		}
		fmt.Fprintf(&b, "iotguard_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, h.samples)
		fmt.Fprintf(&b, "iotguard_http_request_duration_seconds_sum{%s} %s\n", labels, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(&b, "iotguard_http_request_duration_seconds_count{%s} %d\n", labels, h.samples)
	}
	m.mu.Unlock()
	b.WriteString("# HELP iotguard_http_requests_in_flight HTTP requests being served.\n")
	b.WriteString("# TYPE iotguard_http_requests_in_flight gauge\n")
	fmt.Fprintf(&b, "iotguard_http_requests_in_flight %d\n", m.inFlight.Load())
	_, err := io.WriteString(w, b.String())
	return err
}

// quoteLabel escapes a label value as the exposition format requires.
func quoteLabel(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	// A failed write means the scraper went away; there is no one to tell.
	_ = s.metrics.write(w)
	return nil
}
