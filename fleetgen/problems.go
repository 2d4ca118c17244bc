package fleetgen

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Problem names one kind of deliberate problem a generated device can
// carry. Its name is what `--rate NAME=P` uses.
type Problem string

// The deliberate problems. Each one makes its devices fail exactly the
// built-in checks listed in its ProblemInfo, and no other device check.
const (
	// Identity: pairs of devices (the device and the next one).
	SharedCertificate Problem = "shared-certificate"
	DuplicateClientID Problem = "duplicate-client-id"
	ClonedDevice      Problem = "cloned-device"

	// Certificates.
	ExpiredCertificate      Problem = "expired-certificate"
	ExpiringCertificate     Problem = "expiring-certificate"
	SelfSignedCertificate   Problem = "self-signed-certificate"
	WeakKey                 Problem = "weak-key"
	RevokedCertificateInUse Problem = "revoked-certificate-in-use"
	ReusedIdentity          Problem = "reused-identity"

	// Credentials.
	DefaultCredentials Problem = "default-credentials"
	SharedCredentials  Problem = "shared-credentials"

	// Listening services.
	TelnetOpen     Problem = "telnet-open"
	MQTTPlaintext  Problem = "mqtt-plaintext"
	UndeclaredPort Problem = "undeclared-port"
	VersionBanner  Problem = "version-banner"
	LegacyTLS      Problem = "legacy-tls"
	WeakCiphers    Problem = "weak-ciphers"

	// Life cycle.
	StaleDevice                     Problem = "stale-device"
	DecommissionedStillCredentialed Problem = "decommissioned-still-credentialed"
	DecommissionedNotWiped          Problem = "decommissioned-not-wiped"
	RetiredEnabledInCloud           Problem = "retired-enabled-in-cloud"

	// Physical security.
	OutdoorWithoutTamper Problem = "outdoor-without-tamper"
	TamperEvents         Problem = "tamper-events"

	// Updates and support.
	OutdatedFirmware        Problem = "outdated-firmware"
	MissingSecurityUpdate   Problem = "missing-security-update"
	FirmwareDrift           Problem = "firmware-drift"
	EndOfSupport            Problem = "end-of-support"
	EndOfSupportNotIsolated Problem = "end-of-support-not-isolated"
	SafetyNotSegregated     Problem = "safety-not-segregated"
	UnsuitableNetwork       Problem = "unsuitable-network"
	SilentTelemetry         Problem = "silent-telemetry"
	ClockSkew               Problem = "clock-skew"
	IncompleteRecord        Problem = "incomplete-record"
)

// ProblemInfo documents one problem.
type ProblemInfo struct {
	Name Problem
	// Description says, for people, what the affected devices look like.
	Description string
	// Default is the default rate: the probability that a device carries
	// the problem.
	Default float64
	// Pair problems affect two consecutive devices (i and i+1, i even):
	// the rate is still the share of devices affected.
	Pair bool
	// Checks are the IDs of the built-in device checks that fail on every
	// device with the problem (and on no device without one).
	Checks []string
}

// need says what a problem requires of the device's model and state.
type need struct {
	cert      bool // the model issues device certificates
	password  bool // the model has password logins (credentials unique by default)
	tls       bool // the model has a TLS port
	outdoor   bool // the model is built for exposed locations
	gateway   bool // gateways only
	safety    bool // safety-critical models only
	nonSafety bool // no safety-critical model
	legacy    bool // the end-of-support model
	retired   bool // the device is decommissioned (or returned)
}

type problemDef struct {
	ProblemInfo
	need need
}

// problems is the fixed table of problems, in a stable order (reports,
// summaries and the random draw all follow it).
var problems = []problemDef{
	{ProblemInfo{SharedCertificate, "two devices restored from one cloned image present the same certificate", 0.002, true, []string{"shared-certificate"}}, need{cert: true}},
	{ProblemInfo{DuplicateClientID, "two devices were configured with the same MQTT client ID", 0.002, true, []string{"duplicate-mqtt-client-id"}}, need{}},
	{ProblemInfo{ClonedDevice, "a cloned device carries another device's serial number and MAC address", 0.001, true, []string{"duplicate-serial", "duplicate-mac"}}, need{}},

	{ProblemInfo{ExpiredCertificate, "the device certificate expired 1-200 days ago", 0.005, false, []string{"certificate-validity"}}, need{cert: true}},
	{ProblemInfo{ExpiringCertificate, "the device certificate expires within the 30-day warning period", 0.01, false, []string{"certificate-validity"}}, need{cert: true}},
	{ProblemInfo{SelfSignedCertificate, "the device certificate was self-signed by hand", 0.002, false, []string{"certificate-self-signed"}}, need{cert: true}},
	{ProblemInfo{WeakKey, "the device certificate has an RSA-1024 key", 0.005, false, []string{"certificate-weak-key"}}, need{cert: true}},
	{ProblemInfo{RevokedCertificateInUse, "an active device still uses a revoked certificate", 0.001, false, []string{"certificate-revoked-in-use"}}, need{cert: true}},
	{ProblemInfo{ReusedIdentity, "a re-used device still presents its previous certificate", 0.001, false, []string{"reused-device-identity"}}, need{cert: true}},

	{ProblemInfo{DefaultCredentials, "the factory default password was never changed", 0.01, false, []string{"default-credentials"}}, need{password: true}},
	{ProblemInfo{SharedCredentials, "the device shares the installer's password with other devices", 0.005, false, []string{"shared-credentials"}}, need{password: true}},

	{ProblemInfo{TelnetOpen, "telnet (23/tcp) was left enabled after a support session", 0.003, false, []string{"insecure-protocols", "ports-outside-baseline"}}, need{}},
	{ProblemInfo{MQTTPlaintext, "a gateway runs its local MQTT broker on 1883/tcp without TLS", 0.003, false, []string{"insecure-protocols", "ports-outside-baseline"}}, need{gateway: true}},
	{ProblemInfo{UndeclaredPort, "an undeclared HTTP port (8080/tcp) is open", 0.005, false, []string{"ports-outside-baseline"}}, need{}},
	{ProblemInfo{VersionBanner, "a declared port shows its software version before authentication", 0.005, false, []string{"unauthenticated-version-banner"}}, need{}},
	{ProblemInfo{LegacyTLS, "a TLS port still accepts TLS 1.0 and 1.1", 0.005, false, []string{"device-tls-minimum"}}, need{tls: true}},
	{ProblemInfo{WeakCiphers, "a TLS port accepts 3DES and RC4 cipher suites", 0.003, false, []string{"weak-tls-ciphers"}}, need{tls: true}},

	{ProblemInfo{StaleDevice, "an active device has not been seen for 91-400 days", 0.01, false, []string{"stale-active-device", "telemetry-silent"}}, need{}},
	{ProblemInfo{DecommissionedStillCredentialed, "a decommissioned device's certificate was never revoked", 0.003, false, []string{"decommissioned-still-credentialed"}}, need{cert: true, retired: true}},
	{ProblemInfo{DecommissionedNotWiped, "a decommissioned or returned device was not wiped", 0.002, false, []string{"decommissioned-not-wiped"}}, need{retired: true}},
	{ProblemInfo{RetiredEnabledInCloud, "a decommissioned device is still enabled in the cloud registry", 0.002, false, []string{"decommissioned-enabled-in-cloud"}}, need{retired: true}},

	{ProblemInfo{OutdoorWithoutTamper, "an outdoor device had tamper detection switched off", 0.003, false, []string{"exposed-without-tamper-protection"}}, need{outdoor: true}},
	{ProblemInfo{TamperEvents, "tamper alarms were raised and never acknowledged", 0.002, false, []string{"unacknowledged-tamper-events"}}, need{}},

	{ProblemInfo{OutdatedFirmware, "the device runs firmware more than 180 days behind the latest, missing security releases", 0.02, false, []string{"firmware-outdated", "missing-security-update"}}, need{}},
	{ProblemInfo{MissingSecurityUpdate, "the device has not installed a security release that is past the 30-day patch deadline", 0.01, false, []string{"missing-security-update"}}, need{}},
	{ProblemInfo{FirmwareDrift, "the firmware the device reports differs from the inventory", 0.005, false, []string{"firmware-drift"}}, need{}},
	{ProblemInfo{EndOfSupport, "the device is a model past its end of support (kept in an isolated zone)", 0.01, false, []string{"support-period-ended"}}, need{legacy: true}},
	{ProblemInfo{EndOfSupportNotIsolated, "an unsupported device sits in a flat, unsegregated zone", 0.002, false, []string{"support-period-ended", "end-of-support-not-isolated"}}, need{legacy: true}},
	{ProblemInfo{SafetyNotSegregated, "a safety-critical door controller sits in the unsegregated building zone", 0.002, false, []string{"safety-device-not-segregated"}}, need{safety: true}},
	{ProblemInfo{UnsuitableNetwork, "the device joined the guest network", 0.003, false, []string{"device-in-unsuitable-network"}}, need{nonSafety: true}},
	{ProblemInfo{SilentTelemetry, "the device stopped sending security telemetry 1-30 days ago", 0.02, false, []string{"telemetry-silent"}}, need{}},
	{ProblemInfo{ClockSkew, "the device clock is off by 7-60 minutes", 0.01, false, []string{"clock-skew"}}, need{}},
	{ProblemInfo{IncompleteRecord, "the inventory record has no serial number", 0.003, false, []string{"inventory-required-fields"}}, need{}},
}

// problemIndex maps a problem name to its index in problems.
var problemIndex = func() map[Problem]int {
	m := make(map[Problem]int, len(problems))
	for i, p := range problems {
		m[p.Name] = i
	}
	return m
}()

// Problems documents every problem, in a stable order.
func Problems() []ProblemInfo {
	out := make([]ProblemInfo, len(problems))
	for i, p := range problems {
		out[i] = p.ProblemInfo
		out[i].Checks = append([]string(nil), p.Checks...)
	}
	return out
}

// DeviceChecks lists the IDs of the built-in device checks that some
// problem targets, sorted.
func DeviceChecks() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range problems {
		for _, c := range p.Checks {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Rates gives the probability that a device carries each problem. A nil
// Rates means DefaultRates; in a non-nil Rates a missing problem has rate
// 0, so Rates{} generates a fleet without deliberate problems. Every rate
// is in [0, 1] and they add up to at most 1: a device carries at most one
// problem.
type Rates map[Problem]float64

// DefaultRates returns the documented default rates (0.1%-2% each, 17.5%
// of devices with a problem in all).
func DefaultRates() Rates {
	r := make(Rates, len(problems))
	for _, p := range problems {
		r[p.Name] = p.Default
	}
	return r
}

// Total is the share of devices expected to carry some problem.
func (r Rates) Total() float64 {
	t := 0.0
	for _, v := range r {
		t += v
	}
	return t
}

// Validate reports unknown problems and rates out of range.
func (r Rates) Validate() error {
	names := make([]string, 0, len(r))
	for p := range r {
		names = append(names, string(p))
	}
	sort.Strings(names)
	for _, n := range names {
		p := Problem(n)
		v := r[p]
		if _, ok := problemIndex[p]; !ok {
			return fmt.Errorf("unknown problem %q: problems are %s", n, problemNames())
		}
		if math.IsNaN(v) || v < 0 || v > 1 {
			return fmt.Errorf("rate of %s is %v: use a probability between 0 and 1", n, v)
		}
	}
	if t := r.Total(); t > 1+1e-9 {
		return fmt.Errorf("the rates add up to %.4g: a device carries at most one problem, so they must add up to 1 or less", t)
	}
	return nil
}

// Set parses one NAME=P assignment (P a probability such as 0.01, or a
// percentage such as 1%) into r, as a command-line flag would give it.
func (r Rates) Set(assignment string) error {
	name, val, ok := strings.Cut(assignment, "=")
	if !ok {
		return fmt.Errorf("%q is not NAME=RATE (for example telnet-open=0.01 or telnet-open=1%%)", assignment)
	}
	p := Problem(strings.TrimSpace(name))
	if _, ok := problemIndex[p]; !ok {
		return fmt.Errorf("unknown problem %q: problems are %s", name, problemNames())
	}
	val = strings.TrimSpace(val)
	scale := 1.0
	if s, found := strings.CutSuffix(val, "%"); found {
		val, scale = s, 0.01
	}
	v, err := strconv.ParseFloat(val, 64)
	if err != nil || math.IsNaN(v) || v*scale < 0 || v*scale > 1 {
		return fmt.Errorf("rate %q of %s is not a probability between 0 and 1 (or a percentage)", val, name)
	}
	r[p] = v * scale
	return nil
}

func problemNames() string {
	names := make([]string, len(problems))
	for i, p := range problems {
		names[i] = string(p.Name)
	}
	return strings.Join(names, ", ")
}

// threshold is one step of a cumulative distribution over problems.
type threshold struct {
	upTo    uint64 // the draw is below this (scaled to 2^64)
	problem int
}

// drawTable turns rates into cumulative thresholds. Even devices may start
// a pair; odd devices draw single problems only, with their rates scaled
// up by 1/(1-P) (P: the pair rates' sum) because a share P of odd devices
// is taken by the pairs their even neighbour starts. Each problem's share
// of devices then equals its rate.
func drawTable(r Rates) (even, odd []threshold) {
	pairSum := 0.0
	for _, p := range problems {
		if p.Pair {
			pairSum += r[p.Name]
		}
	}
	oddScale := 0.0
	if pairSum < 1 {
		oddScale = 1 / (1 - pairSum)
	}
	const two64 = 18446744073709551616.0
	var ce, co float64
	for i, p := range problems {
		v := r[p.Name]
		if v <= 0 {
			continue
		}
		ce += v
		even = append(even, threshold{scaled(ce, two64), i})
		if !p.Pair {
			co += v * oddScale
			odd = append(odd, threshold{scaled(co, two64), i})
		}
	}
	return even, odd
}

func scaled(f, two64 float64) uint64 {
	if f >= 1 {
		return math.MaxUint64
	}
	return uint64(f * two64)
}

func pick(t []threshold, u uint64) int {
	// Few entries: a linear scan beats a binary search.
	for _, s := range t {
		if u < s.upTo {
			return s.problem
		}
	}
	return -1
}
