// Package demo builds iotguard's sample solution: Northwind Smart Buildings,
// an invented operator of about 2,000 devices (cameras, thermostats, door
// controllers, gateways, environmental sensors and a few meeting-room
// speakers) in three buildings, with cloud services, personal-data flows,
// attestations with evidence files, and a set of deliberate, realistic
// problems that the built-in checks must find.
//
// The sample comes with other tools' evidence files, as a real solution
// would (Sample.Evidence, written next to the manifest by iotguard demo
// --write-manifest): CycloneDX and SPDX SBOMs of the firmware in service, a
// small vulnerability database (OSV, NVD and CISA KEV records), MUD
// profiles, an nmap scan, device certificates with their CA and CRL, and
// AWS IoT and Azure IoT Hub exports. They carry deliberate problems of
// their own that the evidence checks must find.
//
// The sample is generated, not stored: Generate is deterministic for a given
// time and every date in it is relative to that time, so the demo shows the
// same posture whenever it runs. The exceptions are the certificates
// (real X.509 files, committed, valid 2025-2045) and the vulnerability
// records, which carry their real publication dates.
package demo

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"math/rand/v2"
	"time"

	"github.com/iotguard/iotguard/model"
)

// evidenceFS holds the evidence files the attestations reference, under
// evidence/, so that attestation paths are relative to the manifest folder.
//
//go:embed evidence
var evidenceFS embed.FS

// Sample is the demo solution.
type Sample struct {
	Solution *model.Solution
	Devices  []model.Device
	// Evidence holds the evidence files, by path relative to the manifest
	// folder: the files the attestations reference (such as
	// "evidence/S01-iot-security-policy.md") and the other tools' files
	// the solution's evidence section and models name (SBOMs, MUD
	// profiles, vulnerability database, certificates and CRL, nmap scan,
	// AWS IoT and Azure IoT Hub exports).
	Evidence fs.FS
	// Problems are the deliberate problems, one entry per (check, asset).
	Problems []Problem
}

// Problem is one deliberate problem and where the checks must find it.
type Problem struct {
	// Check is the ID of the check expected to find it.
	Check string
	// Asset is the asset the finding is on: a device, model, service,
	// network or flow ID, or a solution check's asset ("attestation S06",
	// "identifier serial from model:thermo-t500", "fleet telemetry",
	// "firmware cam-x200@4.2.0", "sbom evidence/sboms/door-dc2-3.2.7.cdx.json"
	// (evidence files are named by their path relative to the manifest),
	// "host 10.20.80.240", "aws-iot mall-door-bench-01", or a cloud audit's
	// resource "DEVICE_CERTIFICATE:<fingerprint>").
	Asset string
	// What says, for people, what is wrong; devices with the same problem
	// share it.
	What string
}

// Seed of the demo's random generator: a fixed PCG seed keeps the sample
// identical from run to run.
const (
	seed1 = 0x4e57_5342_2026_0001 // "NWSB"
	seed2 = 0x2740_0000_0000_0045
)

// Generate builds the sample with every date relative to now.
func Generate(now time.Time) *Sample {
	now = now.UTC().Truncate(time.Second)
	g := &gen{
		now:   now,
		today: now.Truncate(24 * time.Hour),
		rng:   rand.New(rand.NewPCG(seed1, seed2)),
	}
	g.sol = g.solution()
	g.fleet()
	g.assignCertificates()
	g.injectDeviceProblems()
	g.declaredProblems()
	files := g.evidence()
	return &Sample{Solution: g.sol, Devices: g.devices, Evidence: files, Problems: g.problems}
}

// EvidenceFiles returns the sample's evidence files by path (relative to
// the manifest folder), for writing next to a manifest.
func (s *Sample) EvidenceFiles() map[string][]byte {
	out := map[string][]byte{}
	err := fs.WalkDir(s.Evidence, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(s.Evidence, path)
		if err != nil {
			return err
		}
		out[path] = b
		return nil
	})
	if err != nil {
		// The files are embedded or generated in memory; failing to read
		// them is a defect that the tests catch.
		panic(err)
	}
	return out
}

// EvidenceFiles returns the evidence files of a sample generated now (the
// generated ones carry dates relative to the time of generation). Prefer
// Sample.EvidenceFiles on the sample being written.
func EvidenceFiles() map[string][]byte { return Generate(time.Now()).EvidenceFiles() }

// evidence pins an embedded evidence file by its current SHA-256.
func evidence(name string) model.EvidenceFile {
	path := "evidence/" + name
	b, err := evidenceFS.ReadFile(path)
	if err != nil {
		panic("demo: evidence file " + path + " is not embedded")
	}
	return model.EvidenceFile{Path: path, SHA256: sha256Hex(b)}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// gen is the state of one generation.
type gen struct {
	now   time.Time // the assessment time, to the second
	today time.Time // midnight UTC of now: dates are whole days before or after it
	rng   *rand.Rand

	sol      *model.Solution
	devices  []model.Device
	used     map[string]bool // devices that already carry an injected problem
	problems []Problem

	seq    map[string]int // device number per site and kind
	serial map[string]int // serial number per model
	mac    map[string]int // MAC suffix per vendor
	ip     map[string]int // host number per site and zone
}

// day is midnight n days before today (n < 0: after).
func (g *gen) day(n int) model.Timestamp {
	return model.Timestamp{Time: g.today.AddDate(0, 0, -n)}
}

// ago is d before now.
func (g *gen) ago(d time.Duration) model.Timestamp {
	return model.Timestamp{Time: g.now.Add(-d)}
}

func (g *gen) problem(check, asset, what string) {
	g.problems = append(g.problems, Problem{Check: check, Asset: asset, What: what})
}

func boolp(b bool) *bool { return &b }
