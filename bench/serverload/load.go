package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// kind is one endpoint under load.
type kind int

const (
	kindList   kind = iota // device list, default sort, cursor walking
	kindFilter             // filtered list: model/zone, lifecycle=active, sort=-last_seen
	kindDetail             // one device by ID
	numKinds
)

var kindNames = [numKinds]string{"list", "filter", "detail"}

func (k kind) String() string { return kindNames[k] }

// mix is one measured phase: the share of each kind of request.
type mix struct {
	Name    string
	Weights [numKinds]int
}

// mixes are run in this order. The mixed phase is what a UI does:
// browsing pages, narrowing with filters, opening devices.
var mixes = []mix{
	{"list", [numKinds]int{1, 0, 0}},
	{"filter", [numKinds]int{0, 1, 0}},
	{"detail", [numKinds]int{0, 0, 1}},
	{"mixed", [numKinds]int{4, 2, 4}},
}

// Page sizes of the load: the list alternates between two common UI
// sizes; filtered lists use the API's default.
var listLimits = []int{50, 100}

const filterLimit = 50

// maxFilterPages bounds how many pages of one filter a connection reads
// before it draws another filter.
const maxFilterPages = 3

// target is the server and the data under load.
type target struct {
	base, token  string
	devicesPath  string // /api/v1/tenants/T/solutions/S/devices
	fleet        *fleet
	cursors      []string
	totalDevices int
}

// loader drives one target with a fixed number of connections.
type loader struct {
	t       *target
	conns   int
	timeout time.Duration
	seed    uint64
	client  *http.Client
	dials   atomic.Int64
}

func newLoader(t *target, conns int, timeout time.Duration, seed uint64) *loader {
	l := &loader{t: t, conns: conns, timeout: timeout, seed: seed}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		// One connection per worker, kept alive between requests and
		// between phases: connection setup is not what is measured.
		MaxConnsPerHost:     conns,
		MaxIdleConnsPerHost: conns,
		MaxIdleConns:        conns,
		IdleConnTimeout:     5 * time.Minute,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			l.dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
	}
	l.client = &http.Client{Transport: tr, Timeout: timeout}
	return l
}

func (l *loader) close() { l.client.CloseIdleConnections() }

// sample is one measured request.
type sample struct {
	kind    kind
	latency time.Duration
}

// failure counts one kind of error and keeps its first occurrence.
type failure struct {
	Count     int    `json:"count"`
	Kind      string `json:"endpoint"`
	RequestID string `json:"request_id,omitempty"`
}

// worker is one connection's request loop.
type worker struct {
	l   *loader
	r   *rand.Rand
	buf bytes.Buffer

	listCursor  string
	filter      filter
	filterNext  string
	filterPages int

	samples []sample
	errors  map[string]*failure
}

// phaseResult is what the workers of one phase measured.
type phaseResult struct {
	samples []sample
	errors  map[string]*failure
	elapsed time.Duration
	dials   int64
	cpu     cpuUsage
}

// runPhase runs m for warmup (not measured) then duration, on l.conns
// workers. A request is measured when it starts after the warm-up; no
// request starts after the end, and the ones in flight are waited for.
func (l *loader) runPhase(ctx context.Context, m mix, warmup, duration time.Duration, phaseSeed uint64, serverPID int, db string) (phaseResult, error) {
	total := 0
	for _, w := range m.Weights {
		total += w
	}
	if total == 0 {
		return phaseResult{}, fmt.Errorf("mix %s has no requests", m.Name)
	}
	t0 := time.Now()
	measureFrom := t0.Add(warmup)
	end := measureFrom.Add(duration)
	dials0 := l.dials.Load()

	workers := make([]*worker, l.conns)
	lastDone := make([]time.Time, l.conns)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{l: l, r: rand.New(rand.NewPCG(l.seed, phaseSeed<<20|uint64(i))), errors: map[string]*failure{}}
		if n := len(l.t.cursors); n > 0 {
			w.listCursor = l.t.cursors[w.r.IntN(n)]
		}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				k := w.pick(m.Weights, total)
				start := time.Now()
				if !start.Before(end) {
					return
				}
				rid, err := w.do(ctx, k)
				done := time.Now()
				if start.Before(measureFrom) {
					// Not measured, but an error is an error.
					if err != nil {
						w.fail(k, fmt.Errorf("during the warm-up: %w", err), rid)
					}
					continue
				}
				lastDone[i] = done
				w.samples = append(w.samples, sample{kind: k, latency: done.Sub(start)})
				if err != nil {
					w.fail(k, err, rid)
				}
			}
		}()
	}

	// CPU is read at the start and end of the measured window.
	var cpu0 cpuSnapshot
	select {
	case <-time.After(time.Until(measureFrom)):
		cpu0 = snapshotCPU(serverPID, db)
	case <-ctx.Done():
	}
	wg.Wait()
	cpu1 := snapshotCPU(serverPID, db)
	if err := ctx.Err(); err != nil {
		return phaseResult{}, err
	}

	res := phaseResult{errors: map[string]*failure{}, dials: l.dials.Load() - dials0, cpu: cpu1.since(cpu0)}
	last := measureFrom
	for i, w := range workers {
		res.samples = append(res.samples, w.samples...)
		for msg, f := range w.errors {
			if g, ok := res.errors[msg]; ok {
				g.Count += f.Count
			} else {
				res.errors[msg] = f
			}
		}
		if lastDone[i].After(last) {
			last = lastDone[i]
		}
	}
	res.elapsed = last.Sub(measureFrom)
	return res, nil
}

// pick draws the next request kind by the mix's weights.
func (w *worker) pick(weights [numKinds]int, total int) kind {
	x := w.r.IntN(total)
	for k, wt := range weights {
		if x < wt {
			return kind(k)
		}
		x -= wt
	}
	return numKinds - 1
}

// fail records an error under its message; the first request ID of each
// message lets it be found in the server log.
func (w *worker) fail(k kind, err error, requestID string) {
	msg := err.Error()
	if f, ok := w.errors[msg]; ok {
		f.Count++
		return
	}
	w.errors[msg] = &failure{Count: 1, Kind: k.String(), RequestID: requestID}
}

// errCheck is a 2xx response whose content is not what was stored.
var errCheck = errors.New("wrong answer")

// do sends one request of kind k and checks the answer; it returns the
// server's request ID (for errors) and an error for a transport failure,
// a status other than 2xx, or a wrong answer.
func (w *worker) do(ctx context.Context, k kind) (string, error) {
	t := w.l.t
	switch k {
	case kindList:
		limit := listLimits[w.r.IntN(len(listLimits))]
		q := "?limit=" + strconv.Itoa(limit)
		if w.listCursor != "" {
			q += "&cursor=" + url.QueryEscape(w.listCursor)
		}
		var p pageShape
		rid, err := w.get(ctx, t.devicesPath+q, &p)
		if err != nil {
			return rid, err
		}
		if err := p.check(limit, t.totalDevices); err != nil {
			return rid, err
		}
		// At the end of the list, start again at the first page.
		w.listCursor = p.Next
		return rid, nil

	case kindFilter:
		if w.filterPages == 0 {
			w.filter = t.fleet.randomFilter(w.r)
			w.filterNext = ""
			w.filterPages = 1 + w.r.IntN(maxFilterPages)
		}
		v := url.Values{}
		v.Set("lifecycle", "active")
		v.Set("sort", "-last_seen")
		v.Set("limit", strconv.Itoa(filterLimit))
		if w.filter.Model != "" {
			v.Set("model", w.filter.Model)
		}
		if w.filter.Zone != "" {
			v.Set("zone", w.filter.Zone)
		}
		if w.filterNext != "" {
			v.Set("cursor", w.filterNext)
		}
		var p pageShape
		rid, err := w.get(ctx, t.devicesPath+"?"+v.Encode(), &p)
		w.filterPages--
		if err != nil {
			w.filterPages = 0
			return rid, err
		}
		if err := p.check(filterLimit, t.fleet.expect[w.filter]); err != nil {
			w.filterPages = 0
			return rid, fmt.Errorf("%w (filter model=%q zone=%q)", err, w.filter.Model, w.filter.Zone)
		}
		w.filterNext = p.Next
		if p.Next == "" {
			w.filterPages = 0
		}
		return rid, nil

	default:
		id := t.fleet.ids[w.r.IntN(len(t.fleet.ids))]
		var d struct {
			ID string `json:"id"`
		}
		rid, err := w.get(ctx, t.devicesPath+"/"+url.PathEscape(id), &d)
		if err != nil {
			return rid, err
		}
		if d.ID != id {
			return rid, fmt.Errorf("%w: asked for device %q, got %q", errCheck, id, d.ID)
		}
		return rid, nil
	}
}

// pageShape is what the load checks of a device page. Items are decoded
// into empty structs: counted, not built, so the client spends its CPU
// on sending requests rather than on decoding devices.
type pageShape struct {
	Items []struct{} `json:"items"`
	Next  string     `json:"next"`
	Total int        `json:"total"`
}

// check verifies a page against what was imported: the total, and a full
// page whenever there is a next one.
func (p *pageShape) check(limit, wantTotal int) error {
	switch {
	case p.Total != wantTotal:
		return fmt.Errorf("%w: total %d, want %d", errCheck, p.Total, wantTotal)
	case len(p.Items) > limit:
		return fmt.Errorf("%w: %d items on a page of %d", errCheck, len(p.Items), limit)
	case p.Next != "" && len(p.Items) != limit:
		return fmt.Errorf("%w: %d items on a page of %d with a next page", errCheck, len(p.Items), limit)
	case p.Next == "" && len(p.Items) == 0 && wantTotal > 0:
		return fmt.Errorf("%w: an empty last page", errCheck)
	}
	return nil
}

// get sends GET path and decodes a 2xx JSON answer into out.
func (w *worker) get(ctx context.Context, path string, out any) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", w.l.t.base+path, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+w.l.t.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "iotguard-serverload")
	resp, err := w.l.client.Do(req)
	if err != nil {
		// The error names the URL (no secret: the token is a header),
		// which would make every message unique; keep its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("transport: %w", err)
	}
	defer resp.Body.Close()
	rid := resp.Header.Get("X-Request-ID")
	w.buf.Reset()
	if _, err := io.Copy(&w.buf, resp.Body); err != nil {
		return rid, fmt.Errorf("transport: reading the body: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(w.buf.Bytes(), &e)
		return rid, fmt.Errorf("status %d %s: %s", resp.StatusCode, e.Error.Code, e.Error.Message)
	}
	if err := json.Unmarshal(w.buf.Bytes(), out); err != nil {
		return rid, fmt.Errorf("%w: the body is not the expected JSON: %v", errCheck, err)
	}
	return rid, nil
}

// cpuSnapshot is the CPU time used so far by the server, by this process
// and by the whole machine.
type cpuSnapshot struct {
	at                  time.Time
	server, self, db    time.Duration
	machBusy, machTotal int64
	ok                  bool
}

// snapshotCPU reads the CPU time of the server process, of this process,
// of the PostgreSQL backends of database db (when not empty) and of the
// machine.
func snapshotCPU(serverPID int, db string) cpuSnapshot {
	s := cpuSnapshot{at: time.Now()}
	var err1, err2, err3, err4 error
	s.server, err1 = processCPU(serverPID)
	s.self, err2 = processCPU(selfPID)
	if db != "" {
		s.db, err4 = databaseCPU(db)
	}
	s.machBusy, s.machTotal, err3 = machineCPU()
	s.ok = err1 == nil && err2 == nil && err3 == nil && err4 == nil
	return s
}

// cpuUsage is CPU use over a window, in cores (1.0 = one CPU busy).
// Machine is the share of all CPUs busy with anything: the server, the
// client, PostgreSQL, and whatever else runs on the shared machine.
type cpuUsage struct {
	ServerCores float64 `json:"server_cores"`
	// DBCores are PostgreSQL's backends for the server (SQLite runs
	// inside the server process).
	DBCores     float64 `json:"db_cores"`
	ClientCores float64 `json:"client_cores"`
	MachineBusy float64 `json:"machine_busy"`
}

func (s cpuSnapshot) since(from cpuSnapshot) cpuUsage {
	if !s.ok || !from.ok || !s.at.After(from.at) {
		return cpuUsage{}
	}
	wall := s.at.Sub(from.at).Seconds()
	u := cpuUsage{
		ServerCores: (s.server - from.server).Seconds() / wall,
		DBCores:     (s.db - from.db).Seconds() / wall,
		ClientCores: (s.self - from.self).Seconds() / wall,
	}
	if d := s.machTotal - from.machTotal; d > 0 {
		u.MachineBusy = float64(s.machBusy-from.machBusy) / float64(d)
	}
	return u
}
