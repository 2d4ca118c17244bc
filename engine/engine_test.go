package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

var testNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// dupSerial fails devices whose serial another device also has.
type dupSerial struct{}

func (dupSerial) Meta() Meta {
	return Meta{ID: "dup-serial", Version: "1", Title: "serials are unique", Controls: []string{"P07"},
		Severity: model.High, Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvInventory}, Remediation: "fix"}
}

func (dupSerial) CheckDevice(env *Env, d *model.Device) Result {
	if n := env.Index.Count(KeySerial, d.Serial); n > 1 {
		return Failf("serial %s on %d devices", d.Serial, n)
	}
	return Pass()
}

// panicky panics on one device: the run must go on and record an error.
type panicky struct{}

func (panicky) Meta() Meta {
	return Meta{ID: "panicky", Version: "1", Title: "never panics", Controls: []string{"S03"},
		Severity: model.Low, Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvInventory}, Remediation: "fix"}
}

func (panicky) CheckDevice(env *Env, d *model.Device) Result {
	if d.ID == "d-3" {
		panic("boom")
	}
	return Pass()
}

// modelSigned fails models without signed updates.
type modelSigned struct{}

func (modelSigned) Meta() Meta {
	return Meta{ID: "model-signed", Version: "1", Title: "updates signed", Controls: []string{"S15"},
		Severity: model.Critical, Scope: model.AssetModel, Inputs: []model.EvidenceKind{model.EvInventory}, Remediation: "sign"}
}

func (modelSigned) CheckModel(env *Env, m *model.DeviceModel) Result {
	if !m.Update.Signed {
		return Failf("model %s ships unsigned updates", m.ID)
	}
	return Pass()
}

func fleet(n int) SliceInventory {
	var inv SliceInventory
	for i := 0; i < n; i++ {
		serial := fmt.Sprintf("SN-%d", i)
		if i == 7 || i == 8 {
			serial = "SN-CLONE"
		}
		inv = append(inv, model.Device{ID: fmt.Sprintf("d-%d", i), Serial: serial, Model: "m1", Lifecycle: model.Active})
	}
	return inv
}

func testSolution() *model.Solution {
	return &model.Solution{Name: "t", Models: []model.DeviceModel{{ID: "m1", Update: model.UpdatePolicy{Signed: true}}}}
}

func mustRun(t *testing.T, sol *model.Solution, inv Inventory, opt Options, checks ...Check) *model.Assessment {
	t.Helper()
	reg, err := NewRegistry(checks...)
	if err != nil {
		t.Fatal(err)
	}
	opt.Now = testNow
	a, err := Run(context.Background(), catalog.MustLoad(), reg, sol, inv, opt)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func control(a *model.Assessment, id string) model.ControlResult {
	for _, c := range a.Controls {
		if c.ID == id {
			return c
		}
	}
	panic("no control " + id)
}

func TestDuplicatesFoundAcrossBatchesAndWorkers(t *testing.T) {
	for _, workers := range []int{1, 2, 8} {
		a := mustRun(t, testSolution(), fleet(1000), Options{Concurrency: workers}, dupSerial{})
		var assets []string
		for _, f := range a.Findings {
			assets = append(assets, f.Asset)
		}
		if diff := cmp.Diff([]string{"d-7", "d-8"}, assets); diff != "" {
			t.Errorf("workers=%d findings (-want +got):\n%s", workers, diff)
		}
		if a.Checks[0].Pass != 998 || a.Checks[0].Fail != 2 {
			t.Errorf("workers=%d tally %+v", workers, a.Checks[0])
		}
		if a.Summary.Devices != 1000 {
			t.Errorf("devices = %d", a.Summary.Devices)
		}
	}
}

// parallelFleet hands devices to fn from several goroutines, as a
// JSON-lines inventory does in the second pass.
type parallelFleet struct {
	SliceInventory
	workers int
	calls   atomic.Int32
}

func (p *parallelFleet) Workers() int { return p.workers }

func (p *parallelFleet) DevicesParallel(ctx context.Context, transient bool, fn func(int, *model.Device) error) error {
	p.calls.Add(1)
	var wg sync.WaitGroup
	errs := make([]error, p.workers)
	for w := 0; w < p.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch []byte
			for i := w; i < len(p.SliceInventory); i += p.workers {
				d := p.SliceInventory[i] // fn may change it
				if transient {
					scratch = transientStrings(&d, scratch[:0])
				}
				if err := fn(w, &d); err != nil {
					errs[w] = err
					return
				}
				// As an inventory that reuses its memory: whatever kept a
				// transient string now sees it changed.
				for j := range scratch {
					scratch[j] = '#'
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// transientStrings makes d's strings views of buf, as a transient decoder
// does, and returns buf.
func transientStrings(d *model.Device, buf []byte) []byte {
	fields := []*string{&d.ID, &d.Serial, &d.Model, &d.Firmware, &d.MAC, &d.Zone, &d.MQTTClientID, &d.PreviousIdentity}
	if d.Certificate != nil {
		c := *d.Certificate
		d.Certificate = &c
		fields = append(fields, &c.Fingerprint)
	}
	need := 0
	for _, f := range fields {
		need += len(*f)
	}
	if cap(buf) < need {
		buf = make([]byte, 0, need)
	}
	for _, f := range fields {
		if *f == "" {
			continue
		}
		start := len(buf)
		buf = append(buf, *f...)
		*f = unsafe.String(&buf[start], len(*f))
	}
	return buf
}

// The second pass over a parallel inventory gives the same assessment as
// over a sequential one: tallies, kept findings, progress to the end.
func TestParallelInventoryGivesTheSameAssessment(t *testing.T) {
	checks := []Check{dupSerial{}, lowEvery{}, panicky{}, modelSigned{}}
	want := mustRun(t, testSolution(), fleet(3000), Options{MaxFindings: 100}, checks...)
	inv := &parallelFleet{SliceInventory: fleet(3000), workers: 3}
	var last int
	var progressMu sync.Mutex
	got := mustRun(t, testSolution(), inv, Options{MaxFindings: 100, Progress: func(phase string, n int) {
		progressMu.Lock()
		defer progressMu.Unlock()
		if phase == "check" {
			if n < last {
				t.Errorf("progress went back from %d to %d", last, n)
			}
			last = n
		}
	}}, checks...)
	if inv.calls.Load() != 2 {
		t.Fatalf("DevicesParallel called %d times, want twice (both passes)", inv.calls.Load())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parallel differs from sequential (-sequential +parallel):\n%s", diff)
	}
	if last != 3000 {
		t.Errorf("last progress %d, want 3000", last)
	}
	// An explicit concurrency keeps the engine's own workers.
	inv.calls.Store(0)
	mustRun(t, testSolution(), inv, Options{Concurrency: 2}, checks...)
	if inv.calls.Load() != 0 {
		t.Errorf("DevicesParallel used although Concurrency was set")
	}
}

// A parallel first pass gathers the same statistics, index and evidence
// matches as the sequential one.
func TestParallelFirstPassMatchesSequential(t *testing.T) {
	devices := fleet(5000)
	for i := range devices {
		d := &devices[i]
		d.MAC = fmt.Sprintf("00:11:22:33:%02x:%02x", i/256, i%256)
		d.Zone = fmt.Sprintf("z%d", i%7)
		d.Firmware = fmt.Sprintf("1.%d", i%3)
		d.MQTTClientID = fmt.Sprintf("c-%d", i%4000) // 1000 repeated
		if i%5 == 0 {
			d.Lifecycle = model.Decommissioned
		}
		if i%11 == 0 {
			d.Model = "unknown"
		}
		if i%13 == 0 {
			d.PreviousIdentity = "fp-old"
		}
		d.Certificate = &model.Certificate{Fingerprint: fmt.Sprintf("fp-%d", i%4999)}
	}
	ev := &model.Evidence{
		Scans: []model.Scan{{Hosts: []model.ScanHost{{MAC: "00:11:22:33:00:05"}, {MAC: "ff:ff:ff:ff:ff:ff"}, {Hostnames: []string{"nowhere"}}}}},
		Cloud: []model.CloudThing{{Name: "d-42"}, {Name: "ghost"}},
	}
	sequential := NewEnv(testSolution(), testNow, nil).WithEvidence(ev)
	for i := range devices {
		sequential.Prepare(&devices[i])
	}
	sequential.Index.Freeze()
	parallel := NewEnv(testSolution(), testNow, nil).WithEvidence(ev)
	n, err := prepareParallel(context.Background(), parallel, &parallelFleet{SliceInventory: devices, workers: 3}, nil)
	if err != nil || n != len(devices) {
		t.Fatalf("prepareParallel = %d, %v", n, err)
	}
	parallel.Index.Freeze()
	if diff := cmp.Diff(sequential.Fleet, parallel.Fleet); diff != "" {
		t.Errorf("fleet statistics differ (-sequential +parallel):\n%s", diff)
	}
	if diff := cmp.Diff(sequential.UnmatchedHosts(), parallel.UnmatchedHosts()); diff != "" || len(parallel.UnmatchedHosts()) != 2 {
		t.Errorf("unmatched hosts differ (-sequential +parallel):\n%s", diff)
	}
	if diff := cmp.Diff(sequential.UnmatchedCloud(), parallel.UnmatchedCloud()); diff != "" || len(parallel.UnmatchedCloud()) != 1 {
		t.Errorf("unmatched cloud things differ (-sequential +parallel):\n%s", diff)
	}
	for _, q := range []struct{ keyspace, value string }{
		{KeySerial, "SN-CLONE"}, {KeySerial, "SN-1"}, {KeyClientID, "c-5"}, {KeyClientID, "c-4500"}, {KeyMAC, "00:11:22:33:00:05"},
		{KeyCertificate, "fp-0"}, {KeyCertificate, "fp-17"}, {KeyCertificate, "fp-old"},
	} {
		want, got := sequential.Index.Count(q.keyspace, q.value), parallel.Index.Count(q.keyspace, q.value)
		if want != got {
			t.Errorf("Count(%s, %s): sequential %d, parallel %d", q.keyspace, q.value, want, got)
		}
	}
	if c := parallel.Index.Count(KeyCertificate, "fp-0"); c != 2 {
		t.Errorf("fp-0 on %d devices, want 2", c)
	}
}

func TestPanickingCheckRecordsErrorAndRunCompletes(t *testing.T) {
	a := mustRun(t, testSolution(), fleet(10), Options{}, panicky{}, dupSerial{})
	var pc model.CheckSummary
	for _, c := range a.Checks {
		if c.ID == "panicky" {
			pc = c
		}
	}
	if pc.Error != 1 || pc.Pass != 9 {
		t.Fatalf("panicky tally %+v, want 1 error 9 pass", pc)
	}
	if len(pc.Errors) != 1 || !strings.Contains(pc.Errors[0], "panicky failed") {
		t.Errorf("error messages %v", pc.Errors)
	}
	if len(a.Controls) != 45 {
		t.Errorf("%d controls rolled up", len(a.Controls))
	}
}

func TestRollUpWorseWins(t *testing.T) {
	files := fstest.MapFS{"ev/p.pdf": {Data: []byte("x")}}
	const sumX = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
	sol := testSolution()
	sol.Models[0].Update.Signed = false
	sol.Attestations = []model.Attestation{
		// Attested implemented, but the automated check fails: automation wins.
		{Control: "S15", Status: model.Implemented, Date: model.Timestamp{Time: testNow}, Evidence: []model.EvidenceFile{{Path: "ev/p.pdf", SHA256: sumX}}},
		// Attestation-only control with good evidence.
		{Control: "S01", Status: model.Implemented, Date: model.Timestamp{Time: testNow}, Evidence: []model.EvidenceFile{{Path: "ev/p.pdf", SHA256: sumX}}},
		// Evidence changed: the attestation is downgraded.
		{Control: "S06", Status: model.Implemented, Date: model.Timestamp{Time: testNow}, Evidence: []model.EvidenceFile{{Path: "ev/p.pdf", SHA256: strings.Repeat("0", 64)}}},
		// Not applicable with justification.
		{Control: "S09", Status: model.NotApplicable, Justification: "no safety functions", Date: model.Timestamp{Time: testNow}},
		// Not applicable, but a check on the control fails: the check decides.
		{Control: "P07", Status: model.NotApplicable, Justification: "we think so", Date: model.Timestamp{Time: testNow}},
	}
	a := mustRun(t, sol, fleet(20), Options{Files: files}, AttestationEvidence{}, modelSigned{}, dupSerial{})

	tests := []struct {
		id     string
		status model.ControlStatus
		score  float64
		hasNil bool
	}{
		{"S15", model.NotImplemented, 0, false},
		{"S01", model.Implemented, 100, false},
		{"S06", model.PartiallyImplemented, 50, false},
		{"S09", model.NotApplicable, 0, true},
		{"S20", model.NotAssessed, 0, false},
	}
	for _, tc := range tests {
		c := control(a, tc.id)
		if c.Status != tc.status {
			t.Errorf("%s status %s, want %s (%s)", tc.id, c.Status, tc.status, c.Rationale)
		}
		if tc.hasNil != (c.Score == nil) || (c.Score != nil && *c.Score != tc.score) {
			t.Errorf("%s score %v, want %v", tc.id, c.Score, tc.score)
		}
	}
	p07 := control(a, "P07")
	if p07.Status != model.PartiallyImplemented || !strings.Contains(p07.Rationale, "automated checks fail") {
		t.Errorf("P07 = %s (%s): a failing check must beat a not-applicable attestation", p07.Status, p07.Rationale)
	}
	s06 := control(a, "S06")
	if s06.Attestation == nil || len(s06.Attestation.Problems) == 0 || !strings.Contains(s06.Attestation.Problems[0], "changed") {
		t.Errorf("S06 attestation problems %+v", s06.Attestation)
	}
	if a.Summary.Controls[model.NotApplicable] != 1 {
		t.Errorf("not-applicable count %d", a.Summary.Controls[model.NotApplicable])
	}
	// The S15 finding is critical and sorts first.
	if a.Findings[0].Check != "model-signed" || a.Findings[0].Severity != model.Critical {
		t.Errorf("first finding %+v", a.Findings[0])
	}
}

func TestPartialControlNeedsAttestation(t *testing.T) {
	// S02 is partial: passing checks alone make it partially implemented.
	a := mustRun(t, testSolution(), fleet(3), Options{}, scopedCheck{id: "owner", control: "S02"})
	c := control(a, "S02")
	if c.Status != model.PartiallyImplemented || *c.Score != 50 {
		t.Errorf("S02 %s %v (%s)", c.Status, *c.Score, c.Rationale)
	}
	// S03 is automated: passing checks suffice.
	a = mustRun(t, testSolution(), fleet(3), Options{}, scopedCheck{id: "inv", control: "S03"})
	if c := control(a, "S03"); c.Status != model.Implemented || *c.Score != 100 {
		t.Errorf("S03 %s %v", c.Status, *c.Score)
	}
}

type scopedCheck struct{ id, control string }

func (s scopedCheck) Meta() Meta {
	return Meta{ID: s.id, Version: "1", Title: "t", Controls: []string{s.control}, Severity: model.Low,
		Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvInventory}, Remediation: "r"}
}
func (scopedCheck) CheckDevice(*Env, *model.Device) Result { return Pass() }

func TestScoreNeverRoundsAwayAFailure(t *testing.T) {
	// 2 of 1000 devices fail a high check: the pass rate is 99.8% but the
	// penalty keeps the score visibly below 100.
	a := mustRun(t, testSolution(), fleet(1000), Options{}, dupSerial{})
	c := control(a, "P07")
	if c.Status != model.PartiallyImplemented || *c.Score > 75 {
		t.Errorf("P07 %s %v", c.Status, *c.Score)
	}
}

func TestScopeToRole(t *testing.T) {
	a := mustRun(t, testSolution(), fleet(20), Options{}, dupSerial{}, modelSigned{})
	iu := Scope(a, model.IU)
	if len(iu.Controls) != 7 {
		t.Errorf("IU scope has %d controls, want 7", len(iu.Controls))
	}
	if _, ok := iu.Summary.ByRole[model.IU]; !ok || len(iu.Summary.ByRole) != 1 {
		t.Errorf("IU scope scores roles %v, want IU only", iu.Summary.ByRole)
	}
	for _, f := range iu.Findings {
		t.Errorf("IU scope kept finding on %v", f.Controls)
	}
	isd := Scope(a, model.ISD)
	if len(isd.Findings) != 2 { // P07 is ISD's
		t.Errorf("ISD findings %d, want 2", len(isd.Findings))
	}
}

func TestRegistryRejectsBadChecks(t *testing.T) {
	bad := scopedCheck{id: "Bad ID", control: "S03"}
	if _, err := NewRegistry(bad); err == nil {
		t.Error("bad ID accepted")
	}
	if _, err := NewRegistry(dupSerial{}, dupSerial{}); err == nil {
		t.Error("duplicate accepted")
	}
}

type failingInventory struct{}

func (failingInventory) Devices(context.Context, func(*model.Device) error) error {
	return errors.New("devices.jsonl:3: bad line")
}

func TestInventoryErrorFailsTheRun(t *testing.T) {
	reg, _ := NewRegistry(dupSerial{})
	_, err := Run(context.Background(), catalog.MustLoad(), reg, testSolution(), failingInventory{}, Options{Now: testNow})
	if err == nil || !strings.Contains(err.Error(), "devices.jsonl:3") {
		t.Errorf("err = %v", err)
	}
}

func TestCancelledRunStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	reg, _ := NewRegistry(dupSerial{})
	if _, err := Run(ctx, catalog.MustLoad(), reg, testSolution(), fleet(5000), Options{Now: testNow}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestIndexNormalisesPerKeyspace(t *testing.T) {
	x := NewIndex()
	x.Add(KeyMAC, "AA:BB:CC:00:00:01")
	x.Add(KeyCertificate, "3F:2A:9C")
	x.Add(KeySerial, "SN-001")
	x.Add(KeyClientID, "Cam-1")
	tests := []struct {
		keyspace, value string
		want            int
	}{
		{KeyMAC, "aa-bb-cc-00-00-01", 1},
		{KeyMAC, "aabbcc000001", 1},
		{KeyCertificate, "3f2a9c", 1},
		{KeySerial, "sn-001", 1},
		{KeySerial, "SN001", 0},   // serial separators matter
		{KeyClientID, "cam-1", 0}, // MQTT client IDs are case-sensitive
		{KeyClientID, "Cam-1", 1},
		{KeyClientID, "", 0},
	}
	for _, tc := range tests {
		if got := x.Count(tc.keyspace, tc.value); got != tc.want {
			t.Errorf("Count(%s, %q) = %d, want %d", tc.keyspace, tc.value, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { x.Count(KeySerial, "SN-001") }); n != 0 {
		t.Errorf("Count allocates %v times", n)
	}
}

// Identifiers longer than the hashing buffer normalise the same way, and
// CountCarried agrees with Count for what devices carry.
func TestIndexLongIdentifiersAndCountCarried(t *testing.T) {
	x := NewIndex()
	long := strings.Repeat("AB:", 100) + "CD" // 302 bytes, 202 after stripping
	x.Add(KeyCertificate, long)
	x.Add(KeyCertificate, strings.ToLower(strings.ReplaceAll(long, ":", "-")))
	x.Add(KeyCertificate, strings.Repeat("ab", 100)+"ce")
	x.Add(KeySerial, "SN-1")
	x.Add(KeySerial, " sn-1\t")
	x.Add(KeySerial, "SN-2")
	for _, tc := range []struct {
		keyspace, value string
		want            int
	}{
		{KeyCertificate, long, 2},
		{KeyCertificate, strings.Repeat("ab", 100) + "cd", 2},
		{KeyCertificate, strings.Repeat("ab", 100) + "ce", 1},
		{KeySerial, "sn-1", 2},
		{KeySerial, "SN-2", 1},
	} {
		if got := x.Count(tc.keyspace, tc.value); got != tc.want {
			t.Errorf("Count(%s, %.20q) = %d, want %d", tc.keyspace, tc.value, got, tc.want)
		}
		if got := x.CountCarried(tc.keyspace, tc.value); got != tc.want {
			t.Errorf("CountCarried(%s, %.20q) = %d, want %d", tc.keyspace, tc.value, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { x.CountCarried(KeySerial, "SN-2") }); n != 0 {
		t.Errorf("CountCarried allocates %v times", n)
	}
}

// Memo builds a run's table once, however many workers ask at once.
func TestMemoBuildsOnce(t *testing.T) {
	env := NewEnv(testSolution(), time.Now(), nil)
	key, other := NewMemoKey("a"), NewMemoKey("b")
	var builds atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if v := env.Memo(key, func() any { builds.Add(1); return 42 }); v != 42 {
					t.Errorf("Memo = %v, want 42", v)
				}
			}
		}()
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("built %d times, want once", n)
	}
	if v := env.Memo(other, func() any { return "b" }); v != "b" {
		t.Errorf("second key = %v, want its own value", v)
	}
	if v := NewEnv(testSolution(), time.Now(), nil).Memo(key, func() any { return 7 }); v != 7 {
		t.Errorf("a new run sees %v, want its own value", v)
	}
}

// lowEvery fails every device with low severity, except cloned serials
// which the dupSerial check reports as high.
type lowEvery struct{}

func (lowEvery) Meta() Meta {
	return Meta{ID: "low-every", Version: "1", Title: "t", Controls: []string{"S03"}, Severity: model.Low,
		Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvInventory}, Remediation: "r"}
}
func (lowEvery) CheckDevice(_ *Env, d *model.Device) Result { return Failf("low on %s", d.ID) }

func TestMaxFindingsKeepsMostSevereAndCountsAll(t *testing.T) {
	for _, workers := range []int{1, 3} {
		a := mustRun(t, testSolution(), fleet(500), Options{MaxFindings: 10, Concurrency: workers}, lowEvery{}, dupSerial{})
		if len(a.Findings) != 10 || a.FindingsTruncated != 492 {
			t.Fatalf("workers=%d: kept %d, truncated %d; want 10 and 492", workers, len(a.Findings), a.FindingsTruncated)
		}
		// The two high findings survive; the rest are the first low ones in order.
		if a.Findings[0].Check != "dup-serial" || a.Findings[1].Check != "dup-serial" || a.Findings[2].Asset != "d-0" {
			t.Errorf("workers=%d: kept %v, %v, %v", workers, a.Findings[0].Asset, a.Findings[1].Asset, a.Findings[2].Asset)
		}
		if a.Summary.Findings[model.Low] != 500 || a.Summary.Findings[model.High] != 2 {
			t.Errorf("summary counts %v, want every failure counted", a.Summary.Findings)
		}
		if c := control(a, "S03"); c.Findings != 500 {
			t.Errorf("S03 findings %d, want 500", c.Findings)
		}
	}
}

// The bounded set of findings keeps exactly the first ones in report
// order, whatever order they arrive in.
func TestKeptFindingsAreTheFirstInReportOrder(t *testing.T) {
	sevs := []model.Severity{model.Low, model.Medium, model.High, model.Critical}
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		var all []model.Finding
		k := &keptFindings{max: 1 + r.IntN(60)}
		for i := 0; i < 300; i++ {
			f := model.Finding{Severity: sevs[r.IntN(len(sevs))], Check: fmt.Sprintf("c%d", r.IntN(5)),
				Asset: fmt.Sprintf("d-%d", r.IntN(100)), Message: fmt.Sprintf("m%d", i)}
			all = append(all, f)
			k.keep(f)
		}
		sortFindings(all)
		var got []model.Finding
		for _, f := range k.h {
			got = append(got, *f)
		}
		sortFindings(got)
		if diff := cmp.Diff(all[:k.max], got); diff != "" {
			t.Fatalf("seed %d, limit %d: kept (-want +got):\n%s", seed, k.max, diff)
		}
		if k.dropped != 300-k.max {
			t.Errorf("seed %d: dropped %d, want %d", seed, k.dropped, 300-k.max)
		}
	}
}

// needsNorm's word-at-a-time scan agrees with looking at each byte.
func TestNeedsNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("0123456789abcdefzAZ@[:-. \x00\x7f\x80\xc1\xda\xff`{9/")
	for i := 0; i < 50000; i++ {
		b := make([]byte, r.IntN(40))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		for _, mask := range []uint8{normSeparator, normUpper, normSeparator | normUpper} {
			want := false
			for _, c := range b {
				want = want || normBytes[c]&mask != 0
			}
			if got := needsNorm(string(b), mask); got != want {
				t.Fatalf("needsNorm(%q, %b) = %v, want %v", b, mask, got, want)
			}
		}
	}
}
