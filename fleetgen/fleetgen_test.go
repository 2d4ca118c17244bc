package fleetgen_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/fleetgen"
	"github.com/iotguard/iotguard/manifest"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/sbom"
)

var testNow = time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)

func newGen(t testing.TB, opt fleetgen.Options) *fleetgen.Generator {
	t.Helper()
	if opt.Now.IsZero() {
		opt.Now = testNow
	}
	g, err := fleetgen.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func jsonl(t testing.TB, g *fleetgen.Generator, workers int) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := g.WriteJSONL(context.Background(), &buf, workers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteJSONL reported %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

func collect(t testing.TB, g *fleetgen.Generator) []model.Device {
	t.Helper()
	var out []model.Device
	if err := g.Devices(context.Background(), func(d *model.Device) error {
		out = append(out, *d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// The same seed gives the same bytes whatever the number of workers, and
// the bytes are those manifest.WriteJSONL writes for the same devices.
func TestDeterministic(t *testing.T) {
	const n = 6000 // several blocks, an uneven last one
	a := jsonl(t, newGen(t, fleetgen.Options{Devices: n, Seed: 42}), 1)
	b := jsonl(t, newGen(t, fleetgen.Options{Devices: n, Seed: 42}), 3)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed, different output with 1 and 3 workers")
	}
	if lines := bytes.Count(a, []byte("\n")); lines != n {
		t.Fatalf("%d lines, want %d", lines, n)
	}

	g := newGen(t, fleetgen.Options{Devices: n, Seed: 42})
	devs := collect(t, g)
	var ref bytes.Buffer
	if err := manifest.WriteJSONL(&ref, devs); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, ref.Bytes()) {
		t.Fatal("WriteJSONL differs from manifest.WriteJSONL of the streamed devices")
	}

	// Device i does not depend on where a batch starts.
	for _, i := range []int{0, 1, 2047, 2048, 4097, n - 1} {
		d := g.Device(i)
		if d.ID != devs[i].ID || d.Serial != devs[i].Serial || d.MAC != devs[i].MAC || d.Firmware != devs[i].Firmware {
			t.Fatalf("Device(%d) = %s, stream gave %s", i, d.ID, devs[i].ID)
		}
	}
	var mid []model.Device
	if err := g.DeviceRange(context.Background(), 2999, 3010, func(d *model.Device) error {
		mid = append(mid, *d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var x, y bytes.Buffer
	manifest.WriteJSONL(&x, mid)
	manifest.WriteJSONL(&y, devs[2999:3010])
	if !bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Fatal("DeviceRange differs from the full stream")
	}

	c := jsonl(t, newGen(t, fleetgen.Options{Devices: n, Seed: 43}), 0)
	if bytes.Equal(a, c) {
		t.Fatal("different seeds, same output")
	}
	// A different seed changes most devices, not just a few.
	la, lc := bytes.Split(a, []byte("\n")), bytes.Split(c, []byte("\n"))
	same := 0
	for i := range la {
		if bytes.Equal(la[i], lc[i]) {
			same++
		}
	}
	if same > n/100 {
		t.Fatalf("%d of %d devices identical across seeds", same, n)
	}
}

func TestOptionsValidated(t *testing.T) {
	for _, opt := range []fleetgen.Options{
		{Devices: 0},
		{Devices: fleetgen.MaxDevices + 1},
		{Devices: 10, Rates: fleetgen.Rates{"no-such-problem": 0.1}},
		{Devices: 10, Rates: fleetgen.Rates{fleetgen.TelnetOpen: 1.5}},
		{Devices: 10, Rates: fleetgen.Rates{fleetgen.TelnetOpen: 0.6, fleetgen.ClockSkew: 0.6}},
	} {
		if _, err := fleetgen.New(opt); err == nil {
			t.Errorf("New(%+v) accepted", opt)
		}
	}
	r := fleetgen.Rates{}
	for _, ok := range []string{"telnet-open=0.05", "clock-skew=2%"} {
		if err := r.Set(ok); err != nil {
			t.Errorf("Set(%q): %v", ok, err)
		}
	}
	if r[fleetgen.TelnetOpen] != 0.05 || math.Abs(r[fleetgen.ClockSkew]-0.02) > 1e-12 {
		t.Errorf("Set parsed %v", r)
	}
	for _, bad := range []string{"telnet-open", "nope=0.1", "telnet-open=x", "telnet-open=2", "telnet-open=-1%"} {
		if err := r.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	if _, err := fleetgen.Generate(context.Background(), t.TempDir(), fleetgen.Options{Devices: 10}, nil); err == nil {
		t.Error("Generate without WriteManifest accepted")
	}
}

// checkFleet streams a fleet, checks every device is valid and identifiers
// are unique except where a problem duplicates them, and returns the
// problems it sees per device.
func checkFleet(t *testing.T, g *fleetgen.Generator) map[fleetgen.Problem]int {
	t.Helper()
	sol := g.Solution()
	models := map[string]*model.DeviceModel{}
	for i := range sol.Models {
		models[sol.Models[i].ID] = &sol.Models[i]
	}
	zones := map[string]bool{}
	for _, n := range sol.Networks {
		zones[n.ID] = true
	}
	ids := make(map[string]bool, g.Len())
	serials := map[string]int{}
	macs := map[string]int{}
	clients := map[string]int{}
	fps := map[string]int{}
	ips := map[string]bool{}
	seen := map[fleetgen.Problem]int{}
	i := 0
	err := g.Devices(context.Background(), func(d *model.Device) error {
		p := g.ProblemOf(i)
		if p != "" {
			seen[p]++
		}
		i++
		m := models[d.Model]
		switch {
		case m == nil:
			t.Fatalf("device %s: model %q not declared", d.ID, d.Model)
		case ids[d.ID]:
			t.Fatalf("device ID %s repeated", d.ID)
		case !zones[d.Zone]:
			t.Fatalf("device %s: zone %q not declared", d.ID, d.Zone)
		case d.Site == "" || d.Lifecycle == "" || d.Location == "" || d.Firmware == "":
			t.Fatalf("device %s lacks site, life cycle, location or firmware: %+v", d.ID, d)
		}
		ids[d.ID] = true
		a, err := netip.ParseAddr(d.IP)
		if err != nil || !netip.MustParsePrefix("10.0.0.0/8").Contains(a) || ips[d.IP] {
			t.Fatalf("device %s: IP %q invalid or repeated", d.ID, d.IP)
		}
		ips[d.IP] = true
		known := false
		for _, r := range m.Firmware {
			known = known || r.Version == d.Firmware
		}
		if !known {
			t.Fatalf("device %s runs firmware %s, not in model %s's history", d.ID, d.Firmware, m.ID)
		}
		if d.Serial != "" {
			serials[d.Serial]++
		}
		macs[d.MAC]++
		clients[d.MQTTClientID]++
		if d.Certificate != nil {
			if len(d.Certificate.Fingerprint) != 64 {
				t.Fatalf("device %s: fingerprint %q", d.ID, d.Certificate.Fingerprint)
			}
			fps[d.Certificate.Fingerprint]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dups := func(m map[string]int) int {
		n := 0
		for _, c := range m {
			if c > 1 {
				n += c
			}
		}
		return n
	}
	for _, c := range []struct {
		what string
		got  int
		want fleetgen.Problem
	}{
		{"serial", dups(serials), fleetgen.ClonedDevice},
		{"MAC", dups(macs), fleetgen.ClonedDevice},
		{"MQTT client ID", dups(clients), fleetgen.DuplicateClientID},
		{"certificate", dups(fps), fleetgen.SharedCertificate},
	} {
		if c.got != seen[c.want] {
			t.Errorf("%d devices share a %s, want %d (%s)", c.got, c.what, seen[c.want], c.want)
		}
	}
	return seen
}

func TestSmallFleet(t *testing.T) {
	g := newGen(t, fleetgen.Options{Devices: 10, Seed: 7})
	s := g.Summary()
	seen := checkFleet(t, g)
	total := 0
	for p, n := range s.Problems {
		if seen[p] != n {
			t.Errorf("%s: summary %d, devices %d", p, n, seen[p])
		}
		total += n
	}
	if total+s.Clean != 10 || s.Sites != 1 || s.Networks != 5 || s.Models < 8 || s.Models > 20 {
		t.Errorf("summary %+v", s)
	}

	// Every problem at once on ten devices: pairs start at even devices
	// only, and the last device never starts one.
	r := fleetgen.Rates{}
	for _, p := range fleetgen.Problems() {
		r[p.Name] = 1.0 / float64(len(fleetgen.Problems()))
	}
	for seed := uint64(0); seed < 20; seed++ {
		g := newGen(t, fleetgen.Options{Devices: 9, Seed: seed, Rates: r})
		seen := checkFleet(t, g)
		s := g.Summary()
		for _, p := range fleetgen.Problems() {
			if s.Problems[p.Name] != seen[p.Name] {
				t.Errorf("seed %d %s: summary %d, devices %d", seed, p.Name, s.Problems[p.Name], seen[p.Name])
			}
			if p.Pair && seen[p.Name]%2 != 0 {
				t.Errorf("seed %d: pair problem %s on %d devices", seed, p.Name, seen[p.Name])
			}
		}
		// Only the last device may be clean: when it drew a pair.
		for i := 0; i < 8; i++ {
			if g.ProblemOf(i) == "" {
				t.Errorf("seed %d: device %d is clean with rates adding up to 1", seed, i)
			}
		}
	}
}

func TestLargeFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 devices")
	}
	const n = 100_000
	g := newGen(t, fleetgen.Options{Devices: n, Seed: 2026})
	seen := checkFleet(t, g)
	s := g.Summary()
	for p, c := range s.Problems {
		if seen[p] != c {
			t.Errorf("%s: summary %d, devices %d", p, c, seen[p])
		}
	}
	if s.Sites != n/fleetgen.DevicesPerSite {
		t.Errorf("%d sites for %d devices", s.Sites, n)
	}
}

// Each problem's share of devices is its rate, within five standard
// deviations (pairs count twice, so their variance doubles).
func TestRatesHonoured(t *testing.T) {
	const n = 1_000_000
	g := newGen(t, fleetgen.Options{Devices: n, Seed: 99})
	s := g.Summary()
	rates := fleetgen.DefaultRates()
	expectClean := 1 - rates.Total()
	for _, p := range fleetgen.Problems() {
		r := rates[p.Name]
		sd := math.Sqrt(r * (1 - r) / n)
		if p.Pair {
			sd *= math.Sqrt2
		}
		got := float64(s.Problems[p.Name]) / n
		if math.Abs(got-r) > 5*sd+1e-9 {
			t.Errorf("%s: share %.5f, rate %.5f (5 sd = %.5f)", p.Name, got, r, 5*sd)
		}
	}
	if got := float64(s.Clean) / n; math.Abs(got-expectClean) > 0.002 {
		t.Errorf("clean share %.4f, want %.4f", got, expectClean)
	}

	// Raising one rate raises that problem alone.
	r := fleetgen.DefaultRates()
	r[fleetgen.TelnetOpen] = 0.1
	s2 := newGen(t, fleetgen.Options{Devices: n, Seed: 99, Rates: r}).Summary()
	if got := float64(s2.Problems[fleetgen.TelnetOpen]) / n; math.Abs(got-0.1) > 0.002 {
		t.Errorf("telnet-open share %.4f with rate 0.1", got)
	}
}

// The built-in checks find exactly the deliberate problems: every device
// check fails on as many devices as Summary says, and none errs.
func TestAssessmentMatchesSummary(t *testing.T) {
	if testing.Short() {
		t.Skip("assesses 20,000 devices")
	}
	for _, tc := range []struct {
		name  string
		rates fleetgen.Rates
	}{
		{"default rates", nil},
		{"no problems", fleetgen.Rates{}},
		{"five times the defaults", func() fleetgen.Rates {
			r := fleetgen.DefaultRates()
			for k := range r {
				r[k] *= 5
			}
			return r
		}()},
	} {
		// IndexMemory 997: the cross-device index spills 80 runs to disk
		// and merges them, and must find exactly the same duplicates.
		for _, mem := range []int{0, 997} {
			t.Run(fmt.Sprintf("%s, index memory %d", tc.name, mem), func(t *testing.T) {
				assessMatchesSummary(t, tc.rates, mem)
			})
		}
	}
}

func assessMatchesSummary(t *testing.T, rates fleetgen.Rates, indexMemory int) {
	t.Helper()
	g := newGen(t, fleetgen.Options{Devices: 20_000, Seed: 11, Rates: rates})
	sum := g.Summary()
	a, err := engine.Run(context.Background(), catalog.MustLoad(), checks.Builtin(), g.Solution(), g, engine.Options{Now: testNow, IndexMemory: indexMemory})
	if err != nil {
		t.Fatal(err)
	}
	if a.Summary.Devices != 20_000 {
		t.Errorf("assessed %d devices", a.Summary.Devices)
	}
	for _, c := range a.Checks {
		if c.Error > 0 {
			t.Errorf("%s: %d errors: %v", c.ID, c.Error, c.Errors)
		}
		if c.Scope != model.AssetDevice {
			continue
		}
		if want := sum.Checks[c.ID]; c.Fail != want {
			t.Errorf("%s: %d devices fail, summary expects %d", c.ID, c.Fail, want)
		}
	}
	known := map[string]bool{}
	for _, c := range a.Checks {
		known[c.ID] = true
	}
	for _, id := range fleetgen.DeviceChecks() {
		if !known[id] {
			t.Errorf("problem table names check %s, which is not built in", id)
		}
	}
}

// Generate writes a folder the manifest package loads and validates, with
// SBOMs the sbom package reads and evidence matching its digests.
func TestGenerateFolder(t *testing.T) {
	dir := t.TempDir()
	var calls []int
	opt := fleetgen.Options{
		Devices: 3000, Seed: 5, Now: testNow,
		WriteManifest: func(dir string, sol *model.Solution, devicesFile string) error {
			return manifest.Write(dir, sol, nil, manifest.WriteOptions{DevicesFile: devicesFile, Header: "synthetic fleet"})
		},
	}
	sum, err := fleetgen.Generate(context.Background(), dir, opt, func(done int) { calls = append(calls, done) })
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 || calls[len(calls)-1] != 3000 {
		t.Errorf("progress calls %v", calls)
	}
	data, err := os.ReadFile(filepath.Join(dir, fleetgen.DevicesFile))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(data)) != sum.Bytes {
		t.Errorf("devices file has %d bytes, summary says %d", len(data), sum.Bytes)
	}
	g := newGen(t, fleetgen.Options{Devices: 3000, Seed: 5})
	if !bytes.Equal(data, jsonl(t, g, 1)) {
		t.Error("devices file differs from WriteJSONL")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	l, err := manifest.Load(filepath.Join(dir, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	n, err := l.Validate(context.Background())
	if err != nil || n != 3000 {
		t.Fatalf("Validate: %d devices, %v", n, err)
	}
	if len(l.Solution.Models) != sum.Models || len(l.Solution.Networks) != sum.Networks {
		t.Errorf("manifest has %d models and %d networks, summary %d and %d", len(l.Solution.Models), len(l.Solution.Networks), sum.Models, sum.Networks)
	}
	if len(l.Evidence.SBOMs) == 0 {
		t.Fatal("no SBOM evidence resolved")
	}
	for _, f := range l.Evidence.SBOMs {
		sb, err := sbom.ParseFile(f.Path)
		if err != nil {
			t.Fatalf("SBOM %s: %v", f.Path, err)
		}
		if sb.SubjectVersion == "" || !strings.Contains(f.Path, "-"+sb.SubjectVersion+".cdx.json") || len(sb.Components) < 3 {
			t.Errorf("SBOM %s: subject version %q, %d components", f.Path, sb.SubjectVersion, len(sb.Components))
		}
		for _, c := range sb.Components {
			if c.Supplier == "" || c.PURL == "" || len(c.Licenses) == 0 || c.Version == "" {
				t.Errorf("SBOM %s: incomplete component %+v", f.Path, c)
			}
		}
	}
	for _, at := range l.Solution.Attestations {
		for _, ev := range at.Evidence {
			b, err := os.ReadFile(filepath.Join(dir, ev.Path))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if hex.EncodeToString(sum[:]) != ev.SHA256 {
				t.Errorf("evidence %s digest differs", ev.Path)
			}
		}
	}

	// Assessing the loaded folder gives the same device failures.
	a, err := engine.Run(context.Background(), catalog.MustLoad(), checks.Builtin(), l.Solution, l.Inventory, engine.Options{Now: testNow, Files: l.Files})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.Checks {
		if c.Scope == model.AssetDevice && c.Fail != sum.Checks[c.ID] {
			t.Errorf("%s: %d devices fail in the loaded fleet, summary expects %d", c.ID, c.Fail, sum.Checks[c.ID])
		}
		if c.ID == engine.AttestationCheckID && c.Fail > 0 {
			t.Errorf("attestation evidence fails: %d", c.Fail)
		}
	}
}

func TestGenerateCancelled(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	called := false
	opt := fleetgen.Options{Devices: 50_000, Seed: 1, Now: testNow,
		WriteManifest: func(string, *model.Solution, string) error { called = true; return nil }}
	_, err := fleetgen.Generate(ctx, dir, opt, func(done int) {
		if done > 10_000 {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("cancelled generation succeeded")
	}
	if called {
		t.Error("manifest written for a cancelled fleet")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*devices*")); len(m) > 0 {
		t.Errorf("left %v", m)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) > 0 {
		t.Errorf("left %v", m)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n > 0 {
		return 0, io.ErrShortWrite
	}
	w.n++
	return len(p), nil
}

func TestWriteJSONLError(t *testing.T) {
	g := newGen(t, fleetgen.Options{Devices: 20_000, Seed: 1})
	if _, err := g.WriteJSONL(context.Background(), &failWriter{}, 2, nil); err == nil {
		t.Fatal("write error not reported")
	}
}

// BenchmarkGenerate measures building and encoding devices (devices/s).
func BenchmarkGenerate(b *testing.B) {
	g := newGen(b, fleetgen.Options{Devices: 200_000, Seed: 1})
	b.ResetTimer()
	var bytesOut int64
	for range b.N {
		n, err := g.WriteJSONL(context.Background(), io.Discard, 0, nil)
		if err != nil {
			b.Fatal(err)
		}
		bytesOut = n
	}
	b.ReportMetric(float64(g.Len()*b.N)/b.Elapsed().Seconds(), "devices/s")
	b.SetBytes(bytesOut)
}

// BenchmarkDevices measures building devices without encoding them.
func BenchmarkDevices(b *testing.B) {
	g := newGen(b, fleetgen.Options{Devices: 200_000, Seed: 1})
	b.ResetTimer()
	for range b.N {
		if err := g.Devices(context.Background(), func(*model.Device) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.Len()*b.N)/b.Elapsed().Seconds(), "devices/s")
}
