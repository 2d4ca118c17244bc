package engine

import (
	"hash/maphash"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iotguard/iotguard/internal/fingerprint"
	"github.com/iotguard/iotguard/model"
)

// Env is what checks see: the solution (without its devices), the policy
// with defaults applied, lookups, the cross-device indexes and fleet
// statistics of the first pass, and the evidence files.
type Env struct {
	Solution *model.Solution
	Policy   model.Policy
	Now      time.Time
	// Files opens evidence files relative to the manifest; nil when there
	// are none.
	Files fs.FS

	models   map[string]*model.DeviceModel
	services map[string]*model.Service
	networks map[string]*model.Network

	Index *Index
	Fleet *FleetStats

	ev *evidenceIndex

	memoMu sync.Mutex
	memos  sync.Map // *MemoKey -> value
}

// MemoKey names a table that checks share for one run (see Env.Memo).
// Declare one per table, as a package variable.
type MemoKey struct{ name string }

// NewMemoKey returns a new key; name is for debugging.
func NewMemoKey(name string) *MemoKey { return &MemoKey{name: name} }

// Memo returns the run's value for key, calling build once, on first use,
// to make it. It is for what a check would otherwise compute again for
// every device although it depends only on the solution and the first
// pass (the verdict for each model and firmware version, say). build runs
// after the first pass, may read Fleet and the solution, and must return
// a value that is only read afterwards: the device workers share it. The
// lookup takes no lock.
func (e *Env) Memo(key *MemoKey, build func() any) any {
	if v, ok := e.memos.Load(key); ok {
		return v
	}
	e.memoMu.Lock()
	defer e.memoMu.Unlock()
	if v, ok := e.memos.Load(key); ok {
		return v
	}
	v := build()
	e.memos.Store(key, v)
	return v
}

// NewEnv prepares an environment for sol.
func NewEnv(sol *model.Solution, now time.Time, files fs.FS) *Env {
	e := &Env{
		Solution: sol,
		Policy:   sol.Policy.WithDefaults(),
		Now:      now,
		Files:    files,
		models:   map[string]*model.DeviceModel{},
		services: map[string]*model.Service{},
		networks: map[string]*model.Network{},
		Index:    NewIndex(),
		Fleet:    newFleetStats(),
		ev:       newEvidenceIndex(nil),
	}
	for i := range sol.Models {
		e.models[sol.Models[i].ID] = &sol.Models[i]
	}
	for i := range sol.Services {
		e.services[sol.Services[i].ID] = &sol.Services[i]
	}
	for i := range sol.Networks {
		e.networks[sol.Networks[i].ID] = &sol.Networks[i]
	}
	return e
}

// WithEvidence attaches imported evidence. Models without a declared
// support end take their SBOM's end-of-support (on a copy: the caller's
// solution is not changed).
func (e *Env) WithEvidence(ev *model.Evidence) *Env {
	e.ev = newEvidenceIndex(ev)
	if ev == nil {
		return e
	}
	sol := *e.Solution
	sol.Models = slices.Clone(sol.Models)
	e.Solution = &sol
	for i := range sol.Models {
		m := &sol.Models[i]
		e.models[m.ID] = m
		if m.Update.SupportEnd.Set() {
			continue
		}
		for _, sb := range e.ev.sbomByModel[m.ID] {
			if sb.EndOfSupport.Set() && (sb.Firmware == m.FirmwareVersion || !m.Update.SupportEnd.Set()) {
				m.Update.SupportEnd = sb.EndOfSupport
			}
		}
	}
	return e
}

// Evidence returns the imported evidence, or nil.
func (e *Env) Evidence() *model.Evidence { return e.ev.ev }

// SBOMs returns the SBOMs bound to a model.
func (e *Env) SBOMs(modelID string) []*model.SBOM { return e.ev.sbomByModel[modelID] }

// Vulnerabilities returns the advisory matches of one firmware of a model.
func (e *Env) Vulnerabilities(modelID, firmware string) []*model.VulnMatch {
	return e.ev.vulnsByKey[FirmwareKey(modelID, firmware)]
}

// MUD returns the MUD profile bound to a model, or nil.
func (e *Env) MUD(modelID string) *model.MUDProfile { return e.ev.mudByModel[modelID] }

// UnmatchedHosts returns the scanned hosts that no inventory device
// matched (by MAC, IP or hostname) in the first pass.
func (e *Env) UnmatchedHosts() []*model.ScanHost {
	var out []*model.ScanHost
	for i, h := range e.ev.hosts {
		if !e.ev.hostSeen[i] {
			out = append(out, h)
		}
	}
	return out
}

// UnmatchedCloud returns the cloud registry things that no inventory
// device matched (by ID) in the first pass.
func (e *Env) UnmatchedCloud() []*model.CloudThing {
	var out []*model.CloudThing
	if e.ev.ev == nil {
		return out
	}
	for i := range e.ev.ev.Cloud {
		if !e.ev.cloudSeen[i] {
			out = append(out, &e.ev.ev.Cloud[i])
		}
	}
	return out
}

// Prepare is the first pass's work on one device: merge the evidence into
// a copy (recording which scan hosts and cloud things it matched), add it
// to the index and statistics, and return the copy.
func (e *Env) Prepare(d *model.Device) model.Device {
	dv := *d
	e.ev.enrich(&dv, e.ev.hostSeen, e.ev.cloudSeen)
	e.Observe(&dv)
	return dv
}

// Enrich merges imported evidence into a copy of a device, as the engine
// does before checking it; tests and previews use it.
func (e *Env) Enrich(d model.Device) model.Device {
	e.ev.enrich(&d, nil, nil)
	return d
}

// Model returns the device model with the given ID, or nil.
func (e *Env) Model(id string) *model.DeviceModel { return e.models[id] }

// Service returns the service with the given ID, or nil.
func (e *Env) Service(id string) *model.Service { return e.services[id] }

// Network returns the network zone with the given ID, or nil.
func (e *Env) Network(id string) *model.Network { return e.networks[id] }

// DaysSince returns whole days from t to now.
func (e *Env) DaysSince(t model.Timestamp) int { return int(e.Now.Sub(t.Time).Hours() / 24) }

// Keyspaces of the cross-device index.
const (
	KeyCertificate = "certificate"
	KeySerial      = "serial"
	KeyClientID    = "mqtt_client_id"
	KeyMAC         = "mac"
)

// keyspaceIndex numbers the keyspaces; -1 for an unknown one.
func keyspaceIndex(k string) int {
	switch k {
	case KeyCertificate:
		return 0
	case KeySerial:
		return 1
	case KeyClientID:
		return 2
	case KeyMAC:
		return 3
	}
	return -1
}

// Index counts identifiers across the fleet so that duplicates are found in
// one pass. It keeps 64-bit hashes, not the identifiers: 8 bytes per
// identifier up to fingerprint.DefaultLimit of them (8 MiB), then sorted
// runs in a temporary file, merged when the index is frozen into the
// identifiers that repeat. So its memory stays flat however large the
// fleet. Two different identifiers colliding has a probability of about
// n²/2⁶⁵ (3·10⁻⁸ for a million) and would only ever cause a false duplicate
// that the finding's evidence lets a person see.
//
// Add (and Want) during the first pass; Freeze before the concurrent second
// pass (the first Count freezes too). Count answers exactly for the
// identifiers the fleet's devices carry and for values registered with
// Want; Close removes the temporary file.
type Index struct {
	seed   maphash.Seed
	set    *fingerprint.Multiset
	err    error // the first spill error, reported by Err
	mu     sync.Mutex
	frozen atomic.Bool
}

// NewIndex returns an empty index.
func NewIndex() *Index { return newIndex(0) }

// newIndex returns an index that keeps up to limit hashes in memory.
func newIndex(limit int) *Index {
	return &Index{seed: maphash.MakeSeed(), set: fingerprint.New(limit)}
}

// normBytes marks the bytes that normalising an identifier changes.
var normBytes = func() (t [256]uint8) {
	for _, c := range ":-. " {
		t[c] |= normSeparator
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= normUpper
	}
	return t
}()

const (
	normSeparator = 1 << iota // dropped in MACs and fingerprints
	normUpper                 // lower-cased in MACs, fingerprints and serials
)

// Masks for the word-at-a-time scan of needsNorm.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
	low7Bits = 0x7f7f7f7f7f7f7f7f
)

// needsNorm reports whether s holds a byte that normalising changes:
// mask's separators or upper-case letters. It looks at eight bytes at a
// time, since identifiers (64-character fingerprints) are read for every
// device in both passes.
func needsNorm(s string, mask uint8) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		var hit uint64
		if mask&normSeparator != 0 {
			for _, c := range [...]uint64{':', '-', '.', ' '} {
				v := w ^ (lowBits * c)
				hit |= (v - lowBits) &^ v
			}
		}
		if mask&normUpper != 0 {
			// A byte between 'A'-1 and 'Z'+1, exclusive (Bit Twiddling
			// Hacks' hasbetween); bytes with the high bit set never are.
			x := w & low7Bits
			hit |= (lowBits*(127+'Z'+1) - x) &^ w & (x + lowBits*(127-('A'-1)))
		}
		if hit&highBits != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if normBytes[s[i]]&mask != 0 {
			return true
		}
	}
	return false
}

// key hashes value as keyspace compares it: MAC addresses and certificate
// fingerprints ignore case and separators (aa:bb and AA-BB are the same),
// serials ignore case, MQTT client IDs are case-sensitive as brokers treat
// them; surrounding blanks never count. It does not allocate: it runs on
// every device.
func (x *Index) key(keyspace, value string) uint64 {
	fold, strip := false, false
	switch keyspace {
	case KeyMAC, KeyCertificate:
		fold, strip = true, true
	case KeySerial:
		fold = true
	}
	start, end := 0, len(value)
	for start < end && (value[start] == ' ' || value[start] == '\t') {
		start++
	}
	for end > start && (value[end-1] == ' ' || value[end-1] == '\t') {
		end--
	}
	// Most identifiers are already in normal form (lower-case hex, no
	// separators): hashed as they are. maphash gives the same hash for the
	// same bytes however they are passed or split.
	var mask uint8
	if strip {
		mask |= normSeparator
	}
	if fold {
		mask |= normUpper
	}
	if mask == 0 || !needsNorm(value[start:end], mask) {
		return maphash.String(x.seed, value[start:end])
	}
	// Otherwise the normalised bytes go through a buffer on the stack,
	// hashed in one call: one call per byte was a tenth of the duplicate
	// checks.
	var buf [128]byte
	var h *maphash.Hash
	n := 0
	for i := start; i < end; i++ {
		c := value[i]
		if strip && (c == ':' || c == '-' || c == '.' || c == ' ') {
			continue
		}
		if fold && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if n == len(buf) {
			if h == nil {
				h = new(maphash.Hash)
				h.SetSeed(x.seed)
			}
			h.Write(buf[:])
			n = 0
		}
		buf[n] = c
		n++
	}
	if h == nil {
		return maphash.Bytes(x.seed, buf[:n])
	}
	h.Write(buf[:n])
	return h.Sum64()
}

// Add counts one occurrence of value in keyspace; empty values are ignored.
// Adding after the index is frozen panics: it is a programming error.
func (x *Index) Add(keyspace, value string) {
	if value == "" {
		return
	}
	if x.frozen.Load() {
		panic("engine: index added to after it was frozen")
	}
	if err := x.set.Add(x.hash(keyspace, value)); err != nil && x.err == nil {
		x.err = err
	}
}

// addHashes is Add and Want for hashes a worker computed; workers may call
// it concurrently.
func (x *Index) addHashes(adds, wants []uint64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.frozen.Load() {
		panic("engine: index added to after it was frozen")
	}
	for _, h := range adds {
		if err := x.set.Add(h); err != nil && x.err == nil {
			x.err = err
		}
	}
	for _, h := range wants {
		x.set.Want(h)
	}
}

// Want registers a value that Count will be asked about although no device
// may carry it (a device's previous certificate, say): a large index keeps
// exact counts only of repeated identifiers and of these.
func (x *Index) Want(keyspace, value string) {
	if value == "" {
		return
	}
	if x.frozen.Load() {
		panic("engine: index asked for a value after it was frozen")
	}
	x.set.Want(x.hash(keyspace, value))
}

// hash is key salted with the keyspace, so that one set holds them all.
func (x *Index) hash(keyspace, value string) uint64 {
	k := keyspaceIndex(keyspace)
	if k < 0 {
		panic("engine: unknown index keyspace " + keyspace)
	}
	return x.key(keyspace, value) + uint64(k)*0x9e3779b97f4a7c15
}

// Freeze ends the first pass: the index is sorted (or its runs merged) for
// lookups, and later Adds panic.
func (x *Index) Freeze() {
	if x.frozen.Load() {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.frozen.Load() {
		return
	}
	if err := x.set.Finish(); err != nil && x.err == nil {
		x.err = err
	}
	x.frozen.Store(true)
}

// Err reports a failure to spill the index to disk or to read it back;
// counts are not to be trusted after one.
func (x *Index) Err() error { return x.err }

// Close removes the index's temporary file, if it made one.
func (x *Index) Close() error { return x.set.Close() }

// Count returns how many devices carry value in keyspace. For a value that
// no device carries it returns 0 only if the value was registered with
// Want, or the index is small enough to have stayed in memory.
func (x *Index) Count(keyspace, value string) int {
	if value == "" || keyspaceIndex(keyspace) < 0 {
		return 0
	}
	x.Freeze()
	n, _ := x.set.Count(x.hash(keyspace, value))
	return n
}

// CountCarried returns how many devices carry value in keyspace, for a
// value that a device of the fleet carries (the device being checked,
// say): 1 unless it repeats. It is answered from the repeated identifiers
// alone, without a search of all of them.
func (x *Index) CountCarried(keyspace, value string) int {
	if value == "" || keyspaceIndex(keyspace) < 0 {
		return 0
	}
	x.Freeze()
	return x.set.CountAdded(x.hash(keyspace, value))
}

// FirmwareRef names one firmware version of one model.
type FirmwareRef struct{ Model, Firmware string }

// String writes the reference as reports name the asset: model@firmware.
func (r FirmwareRef) String() string { return FirmwareKey(r.Model, r.Firmware) }

// SortedFirmware returns the keys of ByFirmware in order.
func (f *FleetStats) SortedFirmware() []FirmwareRef {
	out := make([]FirmwareRef, 0, len(f.ByFirmware))
	for k := range f.ByFirmware {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b FirmwareRef) int {
		if a.Model != b.Model {
			return strings.Compare(a.Model, b.Model)
		}
		return strings.Compare(a.Firmware, b.Firmware)
	})
	return out
}

// FleetStats are aggregates of the first pass over the inventory.
type FleetStats struct {
	Devices int
	// ByLifecycle counts devices per life-cycle state.
	ByLifecycle map[model.Lifecycle]int
	// ByModel counts devices per model ID.
	ByModel map[string]int
	// ByZone counts devices per network zone.
	ByZone map[string]int
	// SafetyByZone counts safety-critical devices per zone.
	SafetyByZone map[string]int
	// Active is the number of devices in the active state.
	Active int
	// ActiveReporting is the number of active devices that sent telemetry
	// within the policy's gap.
	ActiveReporting int
	// UnknownModels counts devices whose model is not declared.
	UnknownModels map[string]int
	// ByFirmware counts devices in service per model and firmware.
	ByFirmware map[FirmwareRef]int
}

func newFleetStats() *FleetStats {
	return &FleetStats{
		ByLifecycle:   map[model.Lifecycle]int{},
		ByModel:       map[string]int{},
		ByZone:        map[string]int{},
		SafetyByZone:  map[string]int{},
		UnknownModels: map[string]int{},
		ByFirmware:    map[FirmwareRef]int{},
	}
}

// Observe adds one device to the index and statistics. Run calls it in its
// first pass; tests call it to set up an environment.
func (e *Env) Observe(d *model.Device) {
	x := e.Index
	for _, id := range carried(d) {
		x.Add(id.keyspace, id.value)
	}
	// The re-used identity check asks how many devices still present the
	// device's previous certificate.
	x.Want(KeyCertificate, d.PreviousIdentity)
	e.Fleet.observe(e, d, own)
}

// identifier is one value of one keyspace of the index.
type identifier struct{ keyspace, value string }

// carried returns the identifiers a device adds to the index; a value
// may be empty.
func carried(d *model.Device) [4]identifier {
	ids := [4]identifier{{KeySerial, d.Serial}, {KeyClientID, d.MQTTClientID}, {KeyMAC, d.MAC}, {KeyCertificate, ""}}
	if d.Certificate != nil {
		ids[3].value = d.Certificate.Fingerprint
	}
	return ids
}

// observe adds one device to the statistics. intern turns a device's
// string into one the statistics may keep as a map key: the identity for
// devices that own their strings; a copy, made once per distinct value,
// for transient ones (see observer).
func (f *FleetStats) observe(e *Env, d *model.Device, intern func(string) string) {
	f.Devices++
	f.ByLifecycle[d.Lifecycle]++ // an enum's value, never a decoded string
	mdl := intern(d.Model)
	f.ByModel[mdl]++
	if !d.Lifecycle.Retired() {
		f.ByFirmware[FirmwareRef{mdl, intern(d.Firmware)}]++
	}
	m := e.models[d.Model]
	if m == nil {
		f.UnknownModels[mdl]++
	}
	if d.Zone != "" {
		f.ByZone[intern(d.Zone)]++
	}
	if d.SafetyCritical || (m != nil && m.SafetyCritical) {
		f.SafetyByZone[intern(d.Zone)]++
	}
	if d.Lifecycle == model.Active {
		f.Active++
		gap := time.Duration(e.Policy.TelemetryMaxGapHours) * time.Hour
		if d.LastTelemetry.Set() && e.Now.Sub(d.LastTelemetry.Time) <= gap {
			f.ActiveReporting++
		}
	}
}

func own(s string) string { return s }

// merge adds o's counts to f's.
func (f *FleetStats) merge(o *FleetStats) {
	f.Devices += o.Devices
	f.Active += o.Active
	f.ActiveReporting += o.ActiveReporting
	for k, n := range o.ByLifecycle {
		f.ByLifecycle[k] += n
	}
	for k, n := range o.ByFirmware {
		f.ByFirmware[k] += n
	}
	for _, p := range [][2]map[string]int{{f.ByModel, o.ByModel}, {f.ByZone, o.ByZone}, {f.SafetyByZone, o.SafetyByZone}, {f.UnknownModels, o.UnknownModels}} {
		for k, n := range p[1] {
			p[0][k] += n
		}
	}
}

// observer is one worker's share of a parallel first pass: statistics and
// evidence matches of its own, merged when the pass ends, and identifier
// hashes handed to the shared index a batch at a time.
type observer struct {
	env                 *Env
	fleet               *FleetStats
	adds, wants         []uint64
	hostSeen, cloudSeen []bool
	// keys holds a copy of each distinct string the statistics count:
	// devices are transient, and assigning to a map entry replaces its
	// key with the string given, so every key given must be a copy.
	keys map[string]string
}

func newObserver(e *Env) *observer {
	return &observer{env: e, fleet: newFleetStats(), keys: map[string]string{},
		hostSeen: make([]bool, len(e.ev.hostSeen)), cloudSeen: make([]bool, len(e.ev.cloudSeen))}
}

// intern returns this worker's copy of s.
func (o *observer) intern(s string) string {
	if k, ok := o.keys[s]; ok {
		return k
	}
	k := strings.Clone(s)
	o.keys[k] = k
	return k
}

// prepare is Env.Prepare on this worker's share; d is changed in place.
func (o *observer) prepare(d *model.Device) {
	o.env.ev.enrich(d, o.hostSeen, o.cloudSeen)
	x := o.env.Index
	for _, id := range carried(d) {
		if id.value != "" {
			o.adds = append(o.adds, x.hash(id.keyspace, id.value))
		}
	}
	if d.PreviousIdentity != "" {
		o.wants = append(o.wants, x.hash(KeyCertificate, d.PreviousIdentity))
	}
	o.fleet.observe(o.env, d, o.intern)
	if len(o.adds) >= 4096 {
		o.flush()
	}
}

// flush hands the hashes gathered so far to the index.
func (o *observer) flush() {
	o.env.Index.addHashes(o.adds, o.wants)
	o.adds, o.wants = o.adds[:0], o.wants[:0]
}

// finish flushes and merges this worker's share into the environment.
func (o *observer) finish() {
	o.flush()
	o.env.Fleet.merge(o.fleet)
	for i, seen := range o.hostSeen {
		o.env.ev.hostSeen[i] = o.env.ev.hostSeen[i] || seen
	}
	for i, seen := range o.cloudSeen {
		o.env.ev.cloudSeen[i] = o.env.ev.cloudSeen[i] || seen
	}
}
