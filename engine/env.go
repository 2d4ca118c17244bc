package engine

import (
	"hash/maphash"
	"io/fs"
	"time"

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
	KeyDeviceID    = "device_id"
)

// Index counts identifiers across the fleet so that duplicates are found in
// one pass. It keeps 64-bit hashes, not the identifiers: a million devices
// cost a few tens of megabytes. Two different identifiers colliding has a
// probability of about n²/2⁶⁵ (3·10⁻⁸ for a million) and would only ever
// cause a false duplicate that the finding's evidence lets a person see.
type Index struct {
	seed   maphash.Seed
	counts map[string]map[uint64]uint32
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{seed: maphash.MakeSeed(), counts: map[string]map[uint64]uint32{}}
}

// key hashes value as keyspace compares it: MAC addresses and certificate
// fingerprints ignore case and separators (aa:bb and AA-BB are the same),
// serials ignore case, MQTT client IDs and device IDs are case-sensitive as
// brokers treat them; surrounding blanks never count. It does not allocate: it runs on every device.
func (x *Index) key(keyspace, value string) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
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
	for i := start; i < end; i++ {
		c := value[i]
		if strip && (c == ':' || c == '-' || c == '.' || c == ' ') {
			continue
		}
		if fold && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h.WriteByte(c)
	}
	return h.Sum64()
}

// Add counts one occurrence of value in keyspace; empty values are ignored.
func (x *Index) Add(keyspace, value string) {
	if value == "" {
		return
	}
	m := x.counts[keyspace]
	if m == nil {
		m = map[uint64]uint32{}
		x.counts[keyspace] = m
	}
	m[x.key(keyspace, value)]++
}

// Count returns how many devices carry value in keyspace.
func (x *Index) Count(keyspace, value string) int {
	if value == "" {
		return 0
	}
	return int(x.counts[keyspace][x.key(keyspace, value)])
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
}

func newFleetStats() *FleetStats {
	return &FleetStats{
		ByLifecycle:   map[model.Lifecycle]int{},
		ByModel:       map[string]int{},
		ByZone:        map[string]int{},
		SafetyByZone:  map[string]int{},
		UnknownModels: map[string]int{},
	}
}

// Observe adds one device to the index and statistics. Run calls it in its
// first pass; tests call it to set up an environment.
func (e *Env) Observe(d *model.Device) {
	x := e.Index
	x.Add(KeyDeviceID, d.ID)
	x.Add(KeySerial, d.Serial)
	x.Add(KeyClientID, d.MQTTClientID)
	x.Add(KeyMAC, d.MAC)
	if d.Certificate != nil {
		x.Add(KeyCertificate, d.Certificate.Fingerprint)
	}
	f := e.Fleet
	f.Devices++
	f.ByLifecycle[d.Lifecycle]++
	f.ByModel[d.Model]++
	if e.models[d.Model] == nil {
		f.UnknownModels[d.Model]++
	}
	if d.Zone != "" {
		f.ByZone[d.Zone]++
	}
	if d.SafetyCritical || (e.models[d.Model] != nil && e.models[d.Model].SafetyCritical) {
		f.SafetyByZone[d.Zone]++
	}
	if d.Lifecycle == model.Active {
		f.Active++
		gap := time.Duration(e.Policy.TelemetryMaxGapHours) * time.Hour
		if d.LastTelemetry.Set() && e.Now.Sub(d.LastTelemetry.Time) <= gap {
			f.ActiveReporting++
		}
	}
}
