// Package fleetgen generates realistic, deterministic synthetic IoT fleets
// for iotguard: a solution (device models with firmware histories and
// SBOMs, services, per-site networks, personal-data flows, attestations)
// and up to 16 million devices with serials, MACs, IPs, MQTT client
// IDs, certificate metadata, observed ports, telemetry and life-cycle
// dates, all relative to a given time.
//
// Devices are streamed, never held: device i is a pure function of the
// options and i (each device draws from its own PCG stream
// seeded from the seed and its index), so batches and workers do not
// change the output, and memory stays flat as the fleet grows.
//
// A controlled share of devices carries one deliberate problem each (see
// Problem and Rates). Every problem makes its devices fail a documented
// set of built-in checks and no others, so Summary tells exactly how many
// devices each device check must find.
//
// fleetgen imports only the model package: writing the manifest itself is
// the manifest package's job, which Generate calls through
// Options.WriteManifest.
package fleetgen

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/iotguard/iotguard/model"
)

// Limits of the fleet size. The upper limit keeps MAC suffixes (24 bits)
// and per-site /16 address blocks unique.
const (
	MinDevices = 1
	MaxDevices = 16_000_000
)

// DevicesPerSite is the target number of devices per site; sites are
// capped at MaxSites (one /16 each under 10.0.0.0/8).
const (
	DevicesPerSite = 5000
	MaxSites       = 250
)

// DevicesFile is the name of the devices side file Generate writes.
const DevicesFile = "devices.jsonl"

// Options configure a fleet.
type Options struct {
	// Devices is the fleet size, MinDevices to MaxDevices.
	Devices int
	// Seed selects the fleet: the same seed, size and Now give the same
	// fleet, byte for byte.
	Seed uint64
	// Rates are the probabilities of each deliberate problem; nil means
	// DefaultRates().
	Rates Rates
	// Now is the time every date is relative to (last seen, telemetry,
	// certificate validity, firmware releases); zero means time.Now().
	// Assess the fleet within a few hours of Now: its devices' telemetry
	// goes stale after the policy's 24-hour gap.
	Now time.Time
	// Concurrency is the number of workers Generate encodes devices with;
	// zero means GOMAXPROCS. The output does not depend on it.
	Concurrency int
	// WriteManifest writes dir/iotguard.yaml for the solution, naming
	// devicesFile as its devices side file; Generate calls it last. The
	// command layer passes a function around manifest.Write.
	WriteManifest func(dir string, sol *model.Solution, devicesFile string) error
}

// Summary describes a generated fleet and its deliberate problems.
type Summary struct {
	Devices  int
	Seed     uint64
	Now      time.Time
	Sites    int
	Networks int
	Models   int
	// Problems counts the devices that carry each problem (both devices of
	// a pair); problems with rate 0 are absent.
	Problems map[Problem]int
	// Clean counts the devices without a deliberate problem.
	Clean int
	// Checks counts, per built-in device check ID, the devices that must
	// fail it: the sum over problems of the devices that carry one listing
	// the check. Device checks not listed must fail on no device.
	Checks map[string]int
	// Files and Bytes are what Generate wrote: every file, and the size of
	// the devices side file.
	Files []string
	Bytes int64
}

// modelInfo is one model as generated.
type modelInfo struct {
	spec     *modelSpec
	releases []string // firmware versions, oldest first
	owners   []string // device owner per site
}

// cumulative is one entry of a cumulative weight table over models.
type cumulative struct {
	upTo  int
	model int
}

// Generator produces one fleet. It is safe for concurrent use once made.
type Generator struct {
	n     int
	seed  uint64
	now   time.Time // to the second
	today time.Time // midnight UTC of now
	rates Rates

	sol    *model.Solution
	models []modelInfo
	byID   map[string]int

	regular  []cumulative   // model draw of devices without a problem
	eligible [][]cumulative // model draw per problem
	even     []threshold
	odd      []threshold

	sites    int
	perSite  int
	siteIDs  []string
	zones    [][numZones]string
	hostTail []string // "." + site + "." + domain, per site
	ipPrefix []string // "10.S.", per site

	files map[string][]byte
}

// Organisation of the synthetic operator.
const (
	orgName   = "Halden Property Services"
	orgDomain = "halden.example"
	orgTenant = "hps"
	deviceCA  = "CN=Halden Device CA G3,O=Halden Property Services"
)

// New prepares a generator; it validates the options.
func New(opt Options) (*Generator, error) {
	if opt.Devices < MinDevices || opt.Devices > MaxDevices {
		return nil, fmt.Errorf("fleet size %d is out of range: generate %d to %d devices", opt.Devices, MinDevices, MaxDevices)
	}
	rates := opt.Rates
	if rates == nil {
		rates = DefaultRates()
	}
	if err := rates.Validate(); err != nil {
		return nil, err
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	g := &Generator{
		n: opt.Devices, seed: opt.Seed, now: now, today: now.Truncate(24 * time.Hour),
		rates: rates, byID: map[string]int{},
	}
	g.even, g.odd = drawTable(rates)
	g.layoutSites()
	g.buildModels()
	g.buildSolution()
	g.buildTables()
	return g, nil
}

// Solution returns the generated solution (without devices). Callers must
// not modify it.
func (g *Generator) Solution() *model.Solution { return g.sol }

// Len returns the number of devices.
func (g *Generator) Len() int { return g.n }

// Now returns the time the fleet is relative to.
func (g *Generator) Now() time.Time { return g.now }

// Files returns the files the solution references, by path relative to
// the manifest's folder: a CycloneDX SBOM per model and firmware
// (sboms/MODEL-VERSION.cdx.json) and the attestations' evidence
// (evidence/*.md). They are small and deterministic.
func (g *Generator) Files() map[string][]byte {
	out := make(map[string][]byte, len(g.files))
	for k, v := range g.files {
		out[k] = v
	}
	return out
}

// SBOMs returns the SBOM files only, by path.
func (g *Generator) SBOMs() map[string][]byte {
	out := map[string][]byte{}
	for k, v := range g.files {
		if len(k) > 6 && k[:6] == "sboms/" {
			out[k] = v
		}
	}
	return out
}

// Devices streams every device, in index order, to fn. The device is
// reused between calls: fn must not keep d, but may keep what d points to
// (certificate, ports, settings), which is never reused. It implements
// the engine's Inventory.
func (g *Generator) Devices(ctx context.Context, fn func(d *model.Device) error) error {
	return g.DeviceRange(ctx, 0, g.n, fn)
}

// DeviceRange streams devices from (inclusive) to to (exclusive).
func (g *Generator) DeviceRange(ctx context.Context, from, to int, fn func(d *model.Device) error) error {
	if from < 0 || to > g.n || from > to {
		return fmt.Errorf("device range [%d, %d) is outside the fleet of %d", from, to, g.n)
	}
	b := newBuilder(g)
	var d model.Device
	for i := from; i < to; i++ {
		if (i-from)%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b.device(i, &d)
		if err := fn(&d); err != nil {
			return err
		}
	}
	return nil
}

// Device returns device i.
func (g *Generator) Device(i int) model.Device {
	var d model.Device
	newBuilder(g).device(i, &d)
	return d
}

// Summary counts the deliberate problems without building the devices:
// a fraction of a second for millions.
func (g *Generator) Summary() *Summary {
	s := &Summary{
		Devices: g.n, Seed: g.seed, Now: g.now, Sites: g.sites,
		Networks: len(g.sol.Networks), Models: len(g.sol.Models),
		Problems: map[Problem]int{}, Checks: map[string]int{},
	}
	counts := make([]int, len(problems))
	for i := 0; i < g.n; i++ {
		p, _ := g.problemOf(i)
		if p < 0 {
			s.Clean++
			continue
		}
		counts[p]++
	}
	for i, c := range counts {
		if c == 0 && g.rates[problems[i].Name] == 0 {
			continue
		}
		s.Problems[problems[i].Name] = c
		for _, ck := range problems[i].Checks {
			s.Checks[ck] += c
		}
	}
	return s
}

// ProblemOf returns the deliberate problem device i carries, or "".
func (g *Generator) ProblemOf(i int) Problem {
	if i < 0 || i >= g.n {
		return ""
	}
	if p, _ := g.problemOf(i); p >= 0 {
		return problems[p].Name
	}
	return ""
}

// problemOf returns the index of device i's problem (-1 for none) and
// whether the device is the second of a pair its predecessor started.
// Pairs start at even devices only, so deciding needs at most the
// previous device's draw, never a chain.
func (g *Generator) problemOf(i int) (p int, partner bool) {
	if i%2 == 1 {
		if q := pick(g.even, g.problemDraw(i-1)); q >= 0 && problems[q].Pair {
			return q, true
		}
		return pick(g.odd, g.problemDraw(i)), false
	}
	q := pick(g.even, g.problemDraw(i))
	if q >= 0 && problems[q].Pair && i+1 >= g.n {
		return -1, false // the last device has no partner
	}
	return q, false
}

// Stream constants: each kind of draw has its own, so that changing one
// does not shift the others.
const (
	streamProblem = 0x70726f626c656d73 // "problems"
	streamDevice  = 0x6465766963657321 // "devices!"
	streamModel   = 0x6d6f64656c732121 // "models!!"
)

func (g *Generator) problemDraw(i int) uint64 {
	return hash2(g.seed^streamProblem, uint64(i))
}

// splitmix64 finaliser: a bijective, well-mixing 64-bit hash.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func hash2(a, b uint64) uint64 { return splitmix(a ^ splitmix(b)) }

// rng draws from a PCG stream; the helpers are defined here (not Rand's
// methods) so that the values are fixed by this package alone.
type rng struct{ pcg rand.PCG }

func (r *rng) seed(a, b uint64) { r.pcg.Seed(a, b) }

func (r *rng) u64() uint64 { return r.pcg.Uint64() }

// intn returns a number in [0, n).
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.pcg.Uint64(), uint64(n))
	return int(hi)
}

func pickModel(t []cumulative, r *rng) int {
	x := r.intn(t[len(t)-1].upTo)
	for _, c := range t {
		if x < c.upTo {
			return c.model
		}
	}
	return t[len(t)-1].model
}

// layoutSites sizes the sites: one per DevicesPerSite devices, at most
// MaxSites; devices fill sites in index order.
func (g *Generator) layoutSites() {
	g.sites = (g.n + DevicesPerSite - 1) / DevicesPerSite
	g.sites = max(1, min(g.sites, MaxSites))
	g.perSite = (g.n + g.sites - 1) / g.sites
	g.siteIDs = make([]string, g.sites)
	g.zones = make([][numZones]string, g.sites)
	g.hostTail = make([]string, g.sites)
	g.ipPrefix = make([]string, g.sites)
	for s := range g.sites {
		id := "site-" + pad(s+1, 3)
		g.siteIDs[s] = id
		for z := range numZones {
			g.zones[s][z] = id + "-" + zoneSuffix[z]
		}
		g.hostTail[s] = "." + id + "." + orgDomain
		g.ipPrefix[s] = "10." + strconv.Itoa(s+1) + "."
	}
}

// buildTables prepares the weighted model draws.
func (g *Generator) buildTables() {
	for mi := range g.models {
		if w := g.models[mi].spec.weight; w > 0 && !g.models[mi].spec.legacy {
			g.regular = append(g.regular, cumulative{last(g.regular) + w, mi})
		}
	}
	g.eligible = make([][]cumulative, len(problems))
	for p := range problems {
		var t []cumulative
		for mi := range g.models {
			s := g.models[mi].spec
			if !s.satisfies(problems[p].need) {
				continue
			}
			t = append(t, cumulative{last(t) + max(s.weight, 1), mi})
		}
		if len(t) == 0 {
			panic("fleetgen: no model can carry problem " + string(problems[p].Name))
		}
		g.eligible[p] = t
	}
}

func last(t []cumulative) int {
	if len(t) == 0 {
		return 0
	}
	return t[len(t)-1].upTo
}

// pad writes n in decimal with at least width digits.
func pad(n, width int) string {
	var b [20]byte
	return string(appendPadded(b[:0], n, width))
}

func appendPadded(b []byte, n, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n >= 10 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	tmp[i] = byte('0' + n)
	for k := len(tmp) - i; k < width; k++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// errNoManifestWriter is returned by Generate without a WriteManifest.
var errNoManifestWriter = errors.New("fleetgen: Options.WriteManifest is required to write iotguard.yaml (pass a function around manifest.Write)")
