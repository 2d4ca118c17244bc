package checks

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// deviceChecks run on every device of the inventory. They run concurrently
// on fleets of millions: no state, and no formatting on the pass path.
var deviceChecks = []engine.Check{
	inventoryRequiredFields{},
	firmwareDrift{},
	duplicateSerial{},
	duplicateMAC{},
	duplicateMQTTClientID{},
	sharedCertificate{},
	certificateValidity{},
	certificateSelfSigned{},
	certificateWeakKey{},
	certificateRevokedInUse{},
	defaultCredentials{},
	sharedCredentials{},
	insecureProtocols{},
	portsOutsideBaseline{},
	unauthenticatedVersionBanner{},
	staleActiveDevice{},
	decommissionedStillCredentialed{},
	decommissionedNotWiped{},
	exposedWithoutTamperProtection{},
	unacknowledgedTamperEvents{},
	supportPeriodEnded{},
	endOfSupportNotIsolated{},
	firmwareOutdated{},
	missingSecurityUpdate{},
	telemetrySilent{},
	clockSkew{},
	reusedDeviceIdentity{},
	safetyDeviceNotSegregated{},
	deviceInUnsuitableNetwork{},
	deviceOwnerMissing{},
}

// Reasons shared by several checks; constants so that the not-applicable
// path does not allocate.
const (
	naRetired       = "device is decommissioned or returned (rma)"
	naNotInService  = "device is not active or provisioned"
	naNoCertificate = "device has no certificate"
	naUnknownModel  = "device model is not declared"
	naNoFirmware    = "device firmware version is not recorded"
	naNoPorts       = "no listening ports observed on the device"
)

// inService reports whether the device is meant to be operating.
func inService(l model.Lifecycle) bool { return l == model.Active || l == model.Provisioned }

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// days converts a duration to whole days, rounding down.
func days(d time.Duration) int { return int(d.Hours() / 24) }

func daysDur(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// shortID abbreviates long identifiers such as fingerprints for messages;
// the evidence carries them in full.
func shortID(s string) string {
	r := []rune(s)
	if len(r) <= 24 {
		return s
	}
	return string(r[:4]) + "…" + string(r[len(r)-2:])
}

// containsFold reports whether s contains sub, ignoring ASCII case,
// without allocating.
func containsFold(s, sub string) bool {
	if isASCII(sub) {
		// A window of s that holds a multi-byte rune has fewer runes than
		// bytes and cannot fold to an ASCII sub of as many bytes, so
		// comparing ASCII case-insensitively byte by byte is the same test,
		// without EqualFold's call at every position.
	window:
		for i := 0; i+len(sub) <= len(s); i++ {
			for j := 0; j < len(sub); j++ {
				if lowerASCII(s[i+j]) != lowerASCII(sub[j]) {
					continue window
				}
			}
			return true
		}
		return false
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------- inventory

type inventoryRequiredFields struct{}

func (inventoryRequiredFields) Meta() engine.Meta {
	return engine.Meta{
		ID: "inventory-required-fields", Version: "1",
		Title:       "Inventory record is complete",
		Description: "Every device record names its ID, serial number, model, firmware version, owner (its own or its model's), site and life-cycle state, so that the asset can be found, attributed and managed.",
		Controls:    []string{"S03"}, Severity: model.Low, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory},
		Remediation: "Fill in the missing fields in the inventory or device registry (for example from the device's provisioning record), and make them mandatory at onboarding.",
	}
}

func (inventoryRequiredFields) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	// A device inherits its model's owner, as device-owner-missing accepts.
	owner := d.Owner
	if blank(owner) {
		if m := env.Model(d.Model); m != nil {
			owner = m.Owner
		}
	}
	fields := [...]struct{ name, value string }{
		{"id", d.ID}, {"serial", d.Serial}, {"model", d.Model}, {"firmware", d.Firmware},
		{"owner", owner}, {"site", d.Site}, {"lifecycle", string(d.Lifecycle)},
	}
	var missing []string
	for _, f := range fields {
		if blank(f.value) {
			missing = append(missing, f.name)
		}
	}
	if len(missing) == 0 {
		return engine.Pass()
	}
	return engine.Failf("inventory record lacks %s", strings.Join(missing, ", "))
}

type firmwareDrift struct{}

func (firmwareDrift) Meta() engine.Meta {
	return engine.Meta{
		ID: "firmware-drift", Version: "1",
		Title:       "Reported firmware differs from the inventory",
		Description: "The firmware version the device reports itself must match the version the inventory records; a difference means the inventory is wrong or the device was changed outside the update process.",
		Controls:    []string{"S03"}, Severity: model.Medium, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvTelemetry},
		Remediation: "Find out why the versions differ (unrecorded update, rollback, tampering), then correct the inventory or re-install the approved firmware.",
	}
}

func (firmwareDrift) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	if blank(d.ReportedFirmware) {
		return engine.NotApplicable("device has not reported a firmware version")
	}
	if blank(d.Firmware) {
		return engine.Failf("device reports firmware %s but the inventory records none", d.ReportedFirmware)
	}
	if sameVersion(d.ReportedFirmware, d.Firmware) {
		return engine.Pass()
	}
	return engine.Failf("device reports firmware %s but the inventory records %s", d.ReportedFirmware, d.Firmware)
}

// ---------------------------------------------------------------- identity

// duplicateResult fails when the identifier is carried by more than one
// device of the fleet.
func duplicateResult(env *engine.Env, keyspace, what, value, naReason string) engine.Result {
	if blank(value) {
		return engine.NotApplicable(naReason)
	}
	n := env.Index.CountCarried(keyspace, value)
	if n <= 1 {
		return engine.Pass()
	}
	return engine.Failf("%s %s is used by %d devices", what, shortID(value), n).
		WithEvidence("%s %s on %d devices", what, value, n)
}

type duplicateSerial struct{}

func (duplicateSerial) Meta() engine.Meta {
	return engine.Meta{
		ID: "duplicate-serial", Version: "1",
		Title:       "Serial number is unique",
		Description: "No two devices share a serial number: a duplicate means a cloned device, a copy-paste inventory error or a vendor that does not give devices unique identities.",
		Controls:    []string{"S03", "P07"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory},
		Remediation: "Inspect the devices that share the serial: correct the inventory, or quarantine the device that is a clone.",
	}
}

func (duplicateSerial) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	return duplicateResult(env, engine.KeySerial, "serial number", d.Serial, "device has no serial number")
}

type duplicateMAC struct{}

func (duplicateMAC) Meta() engine.Meta {
	return engine.Meta{
		ID: "duplicate-mac", Version: "1",
		Title:       "MAC address is unique",
		Description: "No two devices share a MAC address: duplicates point to cloned or spoofed devices, or to inventory errors.",
		Controls:    []string{"P07"}, Severity: model.Medium, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvScan},
		Remediation: "Check which devices really use the address (switch and DHCP tables), correct the inventory and isolate any spoofing device.",
	}
}

func (duplicateMAC) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	return duplicateResult(env, engine.KeyMAC, "MAC address", d.MAC, "device has no MAC address")
}

type duplicateMQTTClientID struct{}

func (duplicateMQTTClientID) Meta() engine.Meta {
	return engine.Meta{
		ID: "duplicate-mqtt-client-id", Version: "1",
		Title:       "MQTT client ID is unique",
		Description: "No two devices connect with the same MQTT client ID: brokers disconnect one when the other connects, and a shared ID lets one device impersonate another.",
		Controls:    []string{"P07", "S16"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvConfig},
		Remediation: "Give each device its own client ID (for example its thing name or certificate subject) and have the broker policy bind the client ID to the device's credential.",
	}
}

func (duplicateMQTTClientID) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	return duplicateResult(env, engine.KeyClientID, "MQTT client ID", d.MQTTClientID, "device has no MQTT client ID")
}

type sharedCertificate struct{}

func (sharedCertificate) Meta() engine.Meta {
	return engine.Meta{
		ID: "shared-certificate", Version: "1",
		Title:       "Device certificate is not shared",
		Description: "Each device authenticates with its own certificate: a certificate (and so a private key) present on several devices means one compromised device exposes all of them and none can be revoked alone.",
		Controls:    []string{"S16", "P07"}, Severity: model.Critical, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvCert, model.EvInventory},
		Remediation: "Issue a unique key pair and certificate to every device sharing this one, then revoke the shared certificate.",
	}
}

func (sharedCertificate) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if d.Certificate == nil {
		return engine.NotApplicable(naNoCertificate)
	}
	return duplicateResult(env, engine.KeyCertificate, "certificate fingerprint", d.Certificate.Fingerprint, "device certificate has no fingerprint")
}

// ---------------------------------------------------------------- certificates

type certificateValidity struct{}

func (certificateValidity) Meta() engine.Meta {
	return engine.Meta{
		ID: "certificate-validity", Version: "1",
		Title:       "Device certificate is within its validity period",
		Description: "The device certificate is neither expired nor not yet valid; one that expires within the policy's warning period is reported at low severity so it can be renewed in time.",
		Controls:    []string{"S16"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvCert},
		Remediation: "Renew the certificate through the device's enrolment process (EST, SCEP, cloud provisioning) and automate renewal well before expiry.",
	}
}

func (certificateValidity) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if d.Lifecycle.Retired() {
		return engine.NotApplicable(naRetired)
	}
	c := d.Certificate
	if c == nil {
		return engine.NotApplicable(naNoCertificate)
	}
	if !c.NotBefore.Set() && !c.NotAfter.Set() {
		return engine.NotApplicable("certificate validity dates are not recorded")
	}
	now := env.Now
	switch {
	case c.NotAfter.Set() && c.NotAfter.Before(now):
		return engine.Failf("certificate expired on %s (%d days ago)", c.NotAfter, days(now.Sub(c.NotAfter.Time)))
	case c.NotBefore.Set() && c.NotBefore.After(now):
		return engine.Failf("certificate is not valid before %s (in %d days)", c.NotBefore, days(c.NotBefore.Sub(now)))
	case c.NotAfter.Set() && !c.NotAfter.After(now.Add(daysDur(env.Policy.CertExpiryWarningDays))):
		return engine.Failf("certificate expires on %s, in %d days (warning period %d days)",
			c.NotAfter, days(c.NotAfter.Sub(now)), env.Policy.CertExpiryWarningDays).WithSeverity(model.Low)
	}
	return engine.Pass()
}

type certificateSelfSigned struct{}

func (certificateSelfSigned) Meta() engine.Meta {
	return engine.Meta{
		ID: "certificate-self-signed", Version: "1",
		Title:       "Device certificate is issued by a CA",
		Description: "A self-signed device certificate cannot be revoked or validated against a trust anchor, so any key pair could claim the device's identity.",
		Controls:    []string{"S16"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvCert},
		Remediation: "Enrol the device with the fleet's device CA and replace the self-signed certificate; reject self-signed client certificates at the broker.",
	}
}

func (certificateSelfSigned) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	c := d.Certificate
	if c == nil {
		return engine.NotApplicable(naNoCertificate)
	}
	if c.SelfSigned {
		return engine.Failf("certificate is self-signed (subject %s)", c.Subject)
	}
	subject, issuer := strings.TrimSpace(c.Subject), strings.TrimSpace(c.Issuer)
	if subject != "" && strings.EqualFold(subject, issuer) {
		return engine.Failf("certificate is self-signed: subject and issuer are both %s", subject)
	}
	return engine.Pass()
}

type certificateWeakKey struct{}

func (certificateWeakKey) Meta() engine.Meta {
	return engine.Meta{
		ID: "certificate-weak-key", Version: "1",
		Title:       "Device certificate uses a strong key and signature",
		Description: "The certificate's key is at least the policy's minimum size (RSA and elliptic-curve separately) and its signature does not rely on MD5 or SHA-1.",
		Controls:    []string{"S16"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvCert},
		Remediation: "Re-key the device with at least RSA 2048 or ECDSA P-256 (or the policy's minimum) and have it re-issued with a SHA-256 or stronger signature.",
	}
}

// curveBits derives a key size from a curve name (P-256, secp384r1,
// prime256v1, brainpoolP512r1), or 0 when the name carries none.
func curveBits(curve string) int {
	n, in := 0, false
	for i := 0; i < len(curve); i++ {
		if isDigit(curve[i]) {
			n, in = n*10+int(curve[i]-'0'), true
			if n > 100000 {
				return 0
			}
			continue
		}
		if in {
			break
		}
	}
	switch {
	case n == 25519:
		return 256 // Curve25519 offers about the strength of P-256
	case n < 100:
		return 0
	}
	return n
}

// weakHash reports whether a signature algorithm name relies on a broken hash.
func weakHash(alg string) bool {
	var buf [64]byte
	if len(alg) <= len(buf) && isASCII(alg) {
		// The common case, lowered once rather than folded per position.
		b := buf[:len(alg)]
		for i := range b {
			b[i] = lowerASCII(alg[i])
		}
		return bytes.Contains(b, []byte("md2")) || bytes.Contains(b, []byte("md4")) || bytes.Contains(b, []byte("md5")) ||
			bytes.Contains(b, []byte("sha1")) || bytes.Contains(b, []byte("sha-1"))
	}
	for _, h := range [...]string{"md2", "md4", "md5", "sha1", "sha-1"} {
		if containsFold(alg, h) {
			return true
		}
	}
	return false
}

func (certificateWeakKey) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	c := d.Certificate
	if c == nil {
		return engine.NotApplicable(naNoCertificate)
	}
	if blank(c.KeyType) && c.KeyBits == 0 && blank(c.SignatureAlgorithm) {
		return engine.NotApplicable("certificate key information is not recorded")
	}
	kt := strings.TrimSpace(c.KeyType)
	var keyProblem string
	switch {
	case strings.EqualFold(kt, "rsa"):
		if c.KeyBits > 0 && c.KeyBits < env.Policy.MinRSABits {
			keyProblem = fmt.Sprintf("RSA key of %d bits (minimum %d)", c.KeyBits, env.Policy.MinRSABits)
		}
	case strings.EqualFold(kt, "ecdsa"), strings.EqualFold(kt, "ec"):
		bits := c.KeyBits
		if bits == 0 {
			bits = curveBits(c.Curve)
		}
		if bits > 0 && bits < env.Policy.MinECBits {
			keyProblem = fmt.Sprintf("elliptic-curve key of %d bits (minimum %d)", bits, env.Policy.MinECBits)
		}
	}
	sigWeak := weakHash(c.SignatureAlgorithm)
	if keyProblem == "" && !sigWeak {
		return engine.Pass()
	}
	var problems []string
	if keyProblem != "" {
		problems = append(problems, keyProblem)
	}
	if sigWeak {
		problems = append(problems, fmt.Sprintf("signature algorithm %s uses a broken hash", c.SignatureAlgorithm))
	}
	return engine.Failf("certificate has %s", strings.Join(problems, " and ")).
		WithEvidence("key_type=%s key_bits=%d curve=%s signature_algorithm=%s", c.KeyType, c.KeyBits, c.Curve, c.SignatureAlgorithm)
}

type certificateRevokedInUse struct{}

func (certificateRevokedInUse) Meta() engine.Meta {
	return engine.Meta{
		ID: "certificate-revoked-in-use", Version: "1",
		Title:       "No revoked certificate on an operating device",
		Description: "A device that is active or provisioned must not hold a revoked certificate: either the revocation was a mistake, or a device that should have been retired is still in service.",
		Controls:    []string{"S16", "S05"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvCert, model.EvInventory},
		Remediation: "Decide whether the device should operate: if so, enrol it with a new certificate; if not, mark it decommissioned and remove it from the network.",
	}
}

func (certificateRevokedInUse) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	c := d.Certificate
	if c == nil {
		return engine.NotApplicable(naNoCertificate)
	}
	if c.Revoked && inService(d.Lifecycle) {
		return engine.Failf("device is %s but its certificate %s is revoked", d.Lifecycle, shortID(c.Fingerprint))
	}
	return engine.Pass()
}

// ---------------------------------------------------------------- credentials

type defaultCredentials struct{}

func (defaultCredentials) Meta() engine.Meta {
	return engine.Meta{
		ID: "default-credentials", Version: "1",
		Title:       "Factory default credentials were changed",
		Description: "A device still using its factory default password can be taken over by anyone who reads the manual; botnets such as Mirai try these passwords first.",
		Controls:    []string{"S16", "S26"}, Severity: model.Critical, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Set a unique strong password (or disable password login in favour of certificates) on the device now, and make it part of onboarding.",
	}
}

func (defaultCredentials) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	switch d.Credentials {
	case "":
		return engine.NotApplicable("credential state is not recorded")
	case model.CredDefault:
		return engine.Failf("device still uses the factory default credentials")
	}
	return engine.Pass()
}

type sharedCredentials struct{}

func (sharedCredentials) Meta() engine.Meta {
	return engine.Meta{
		ID: "shared-credentials", Version: "1",
		Title:       "Device credentials are unique",
		Description: "A password shared by several devices lets whoever learns it from one device log in to all of them, and cannot be rotated on one device alone.",
		Controls:    []string{"S16"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Give the device its own credential (generated per device and kept in a secrets store) or switch it to certificate authentication.",
	}
}

func (sharedCredentials) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	switch d.Credentials {
	case "":
		return engine.NotApplicable("credential state is not recorded")
	case model.CredShared:
		return engine.Failf("device uses credentials shared with other devices")
	}
	return engine.Pass()
}

// ---------------------------------------------------------------- ports

// protoIs reports whether a port's protocol is want; an unrecorded
// protocol matches any.
func protoIs(p *model.Port, want string) bool {
	return p.Protocol == "" || strings.EqualFold(strings.TrimSpace(p.Protocol), want)
}

func snmpV3(version string) bool {
	v := strings.TrimSpace(version)
	return strings.EqualFold(v, "v3") || v == "3" || strings.EqualFold(v, "snmpv3")
}

// insecureProtocol names the insecure protocol a port exposes, or "".
// When the scanner identified the service, the service decides; the port
// number is only a fallback for unidentified services, so that e.g. SSH
// moved to port 23 is not called Telnet.
func insecureProtocol(p *model.Port) string {
	svc := strings.TrimSpace(p.Service)
	if svc == "" {
		switch {
		case p.Port == 23 && protoIs(p, "tcp"):
			return "Telnet"
		case p.Port == 21 && protoIs(p, "tcp") && !p.TLS:
			return "FTP"
		case p.Port == 80 && protoIs(p, "tcp") && p.Admin && !p.TLS:
			return "HTTP admin interface without TLS"
		case p.Port == 1883 && protoIs(p, "tcp") && !p.TLS:
			return "MQTT without TLS"
		case p.Port == 5683 && protoIs(p, "udp") && !p.TLS:
			return "CoAP without DTLS"
		case p.Port == 161 && protoIs(p, "udp") && !snmpV3(p.Version):
			return "SNMP v1/v2c"
		}
		return ""
	}
	switch {
	case strings.EqualFold(svc, "telnet"):
		return "Telnet"
	case strings.EqualFold(svc, "ftp") && !p.TLS:
		return "FTP"
	case strings.EqualFold(svc, "http") && p.Admin && !p.TLS:
		return "HTTP admin interface without TLS"
	case strings.EqualFold(svc, "mqtt") && !p.TLS:
		return "MQTT without TLS"
	case strings.EqualFold(svc, "coap") && !p.TLS:
		return "CoAP without DTLS"
	case strings.EqualFold(svc, "snmp") && !snmpV3(p.Version):
		return "SNMP v1/v2c"
	}
	return ""
}

func portLabel(p *model.Port) string {
	proto := strings.ToLower(strings.TrimSpace(p.Protocol))
	if proto == "" {
		proto = "port"
	}
	return fmt.Sprintf("%s/%d", proto, p.Port)
}

type insecureProtocols struct{}

func (insecureProtocols) Meta() engine.Meta {
	return engine.Meta{
		ID: "insecure-protocols", Version: "1",
		Title:       "No insecure protocols exposed",
		Description: "The device exposes no cleartext or obsolete protocols: Telnet, FTP, HTTP administration without TLS, MQTT without TLS, CoAP without DTLS, or SNMP v1/v2c.",
		Controls:    []string{"S10", "S26"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvScan},
		Remediation: "Disable the listed services, or replace each with its secure form (SSH, SFTP, HTTPS, MQTT over TLS on 8883, CoAP over DTLS on 5684, SNMPv3 with authPriv).",
	}
}

func (insecureProtocols) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	if len(d.Ports) == 0 {
		return engine.NotApplicable(naNoPorts)
	}
	bad := false
	for i := range d.Ports {
		if insecureProtocol(&d.Ports[i]) != "" {
			bad = true
			break
		}
	}
	if !bad {
		return engine.Pass()
	}
	var list []string
	for i := range d.Ports {
		p := &d.Ports[i]
		if what := insecureProtocol(p); what != "" {
			list = append(list, portLabel(p)+" ("+what+")")
		}
	}
	return engine.Failf("insecure protocols listening: %s", strings.Join(list, ", "))
}

type portsOutsideBaseline struct{}

func (portsOutsideBaseline) Meta() engine.Meta {
	return engine.Meta{
		ID: "ports-outside-baseline", Version: "1",
		Title:       "Listening ports match the model's baseline",
		Description: "Every port observed open on the device is one its model declares; an extra port is an unneeded service, a debug leftover or a sign of compromise.",
		Controls:    []string{"S11", "S26"}, Severity: model.Medium, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvScan, model.EvConfig},
		Remediation: "Close the undeclared ports (disable the service or firewall it); if a port is legitimately needed, add it to the model's declared ports after review.",
	}
}

func declaredPort(m *model.DeviceModel, p *model.Port) bool {
	for i := range m.Ports {
		q := &m.Ports[i]
		if q.Port != p.Port {
			continue
		}
		if p.Protocol == "" || q.Protocol == "" || strings.EqualFold(strings.TrimSpace(p.Protocol), strings.TrimSpace(q.Protocol)) {
			return true
		}
	}
	return false
}

func (portsOutsideBaseline) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if len(d.Ports) == 0 {
		return engine.NotApplicable(naNoPorts)
	}
	m := env.Model(d.Model)
	if m == nil {
		return engine.NotApplicable(naUnknownModel)
	}
	if len(m.Ports) == 0 {
		return engine.NotApplicable("the device's model declares no ports")
	}
	extra := 0
	for i := range d.Ports {
		if !declaredPort(m, &d.Ports[i]) {
			extra++
		}
	}
	if extra == 0 {
		return engine.Pass()
	}
	var list, declared []string
	for i := range d.Ports {
		p := &d.Ports[i]
		if !declaredPort(m, p) {
			l := portLabel(p)
			if p.Service != "" {
				l += " (" + p.Service + ")"
			}
			list = append(list, l)
		}
	}
	for i := range m.Ports {
		declared = append(declared, portLabel(&m.Ports[i]))
	}
	return engine.Failf("ports not declared by model %s: %s", m.ID, strings.Join(list, ", ")).
		WithEvidence("declared: %s", strings.Join(declared, ", "))
}

// hasVersionNumber reports whether s contains digits, a dot and a digit,
// as in "OpenSSH_7.4" or "lighttpd/1.4.35".
func hasVersionNumber(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if isDigit(s[i]) && s[i+1] == '.' && isDigit(s[i+2]) {
			return true
		}
	}
	return false
}

type unauthenticatedVersionBanner struct{}

func (unauthenticatedVersionBanner) Meta() engine.Meta {
	return engine.Meta{
		ID: "unauthenticated-version-banner", Version: "1",
		Title:       "No software versions disclosed before authentication",
		Description: "Services that show their software version to unauthenticated clients tell attackers which known vulnerabilities to try.",
		Controls:    []string{"S24"}, Severity: model.Low, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvScan},
		Remediation: "Configure the service to omit version details from its banner or server header (e.g. server_tokens off, a generic SSH banner), or require authentication first.",
	}
}

func bannerLeaks(p *model.Port) bool {
	return (p.Authenticated == nil || !*p.Authenticated) && hasVersionNumber(p.Banner)
}

func (unauthenticatedVersionBanner) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	if len(d.Ports) == 0 {
		return engine.NotApplicable(naNoPorts)
	}
	leak := false
	for i := range d.Ports {
		if bannerLeaks(&d.Ports[i]) {
			leak = true
			break
		}
	}
	if !leak {
		return engine.Pass()
	}
	var list []string
	for i := range d.Ports {
		p := &d.Ports[i]
		if bannerLeaks(p) {
			b := p.Banner
			if len(b) > 60 {
				b = b[:60] + "…"
			}
			list = append(list, fmt.Sprintf("%s %q", portLabel(p), b))
		}
	}
	return engine.Failf("version banner shown without authentication on %s", strings.Join(list, ", "))
}

// ---------------------------------------------------------------- life cycle

type staleActiveDevice struct{}

func (staleActiveDevice) Meta() engine.Meta {
	return engine.Meta{
		ID: "stale-active-device", Version: "1",
		Title:       "Operating devices have been seen recently",
		Description: "A device recorded as active or provisioned that has not been seen within the policy's period is probably unused, lost or stolen, yet keeps its access.",
		Controls:    []string{"S27"}, Severity: model.Medium, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvTelemetry},
		Remediation: "Locate the device; if it is no longer used, decommission it (revoke its certificate and credentials, remove it from the network) and update the inventory.",
	}
}

func (staleActiveDevice) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if !inService(d.Lifecycle) {
		return engine.NotApplicable(naNotInService)
	}
	if !d.LastSeen.Set() {
		return engine.Failf("device is %s but has never been seen", d.Lifecycle)
	}
	age := env.Now.Sub(d.LastSeen.Time)
	if age <= daysDur(env.Policy.StaleDeviceDays) {
		return engine.Pass()
	}
	return engine.Failf("device is %s but was last seen %d days ago, on %s (limit %d days)",
		d.Lifecycle, days(age), d.LastSeen, env.Policy.StaleDeviceDays)
}

type decommissionedStillCredentialed struct{}

func (decommissionedStillCredentialed) Meta() engine.Meta {
	return engine.Meta{
		ID: "decommissioned-still-credentialed", Version: "1",
		Title:       "Retired devices have lost their access",
		Description: "A decommissioned or returned device has its certificate revoked and no longer connects after its decommissioning date.",
		Controls:    []string{"S05", "S27"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvCert, model.EvTelemetry},
		Remediation: "Revoke the device's certificate and credentials, block it at the broker and network, and investigate any connection made after decommissioning.",
	}
}

func (decommissionedStillCredentialed) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	if !d.Lifecycle.Retired() {
		return engine.NotApplicable("device is not decommissioned or returned")
	}
	certLive := d.Certificate != nil && !d.Certificate.Revoked
	seenAfter := d.Decommissioned.Set() && d.LastSeen.Set() && d.LastSeen.After(d.Decommissioned.Time)
	if !certLive && !seenAfter {
		return engine.Pass()
	}
	var problems []string
	if certLive {
		problems = append(problems, fmt.Sprintf("its certificate %s is not revoked", shortID(d.Certificate.Fingerprint)))
	}
	if seenAfter {
		problems = append(problems, fmt.Sprintf("it was seen on %s, %d days after it was decommissioned on %s",
			d.LastSeen, days(d.LastSeen.Sub(d.Decommissioned.Time)), d.Decommissioned))
	}
	return engine.Failf("device is %s but %s", d.Lifecycle, strings.Join(problems, " and "))
}

type decommissionedNotWiped struct{}

func (decommissionedNotWiped) Meta() engine.Meta {
	return engine.Meta{
		ID: "decommissioned-not-wiped", Version: "1",
		Title:       "Retired devices were wiped",
		Description: "A decommissioned or returned device has a recorded wipe of its data, keys and credentials before it is disposed of, returned or re-used.",
		Controls:    []string{"S05"}, Severity: model.Medium, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory},
		Remediation: "Factory-reset or securely erase the device (or have the disposal contractor certify destruction) and record the wipe in the inventory.",
	}
}

func (decommissionedNotWiped) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	if !d.Lifecycle.Retired() {
		return engine.NotApplicable("device is not decommissioned or returned")
	}
	if d.Wiped {
		return engine.Pass()
	}
	return engine.Failf("device is %s but no wipe is recorded", d.Lifecycle)
}

// ---------------------------------------------------------------- physical

type exposedWithoutTamperProtection struct{}

func (exposedWithoutTamperProtection) Meta() engine.Meta {
	return engine.Meta{
		ID: "exposed-without-tamper-protection", Version: "1",
		Title:       "Exposed devices resist physical attack",
		Description: "A device in an unattended, outdoor or public location has tamper detection on, its storage encrypted and its debug interfaces disabled, so that physical access does not yield its keys or data.",
		Controls:    []string{"S04"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvConfig},
		Remediation: "Enable tamper detection and storage encryption and disable debug ports (JTAG, UART) on the device, or move it to a secured location or a hardened model.",
	}
}

func (exposedWithoutTamperProtection) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if d.Location == "" {
		return engine.NotApplicable("device location class is not recorded")
	}
	if !d.Location.Exposed() {
		return engine.NotApplicable("device is in a secured location")
	}
	m := env.Model(d.Model)
	// Device settings override the model's hardening; storage encryption
	// is only known from the model.
	tamper, tamperKnown := d.Settings["tamper_detection"]
	debug, debugKnown := d.Settings["debug_port"]
	var encrypted, encKnown bool
	if m != nil {
		if !tamperKnown {
			tamper, tamperKnown = m.Hardening.TamperDetection, true
		}
		if !debugKnown {
			debug, debugKnown = m.Hardening.DebugInterfacesEnabled, true
		}
		encrypted, encKnown = m.Hardening.StorageEncryption, true
	}
	noTamper, noEnc, debugOn := tamperKnown && !tamper, encKnown && !encrypted, debugKnown && debug
	if !noTamper && !noEnc && !debugOn {
		if m == nil {
			return engine.NotApplicable(naUnknownModel + ": its hardening cannot be assessed")
		}
		return engine.Pass()
	}
	var problems []string
	if noTamper {
		problems = append(problems, "tamper detection off")
	}
	if noEnc {
		problems = append(problems, "storage encryption off")
	}
	if debugOn {
		problems = append(problems, "debug interfaces enabled")
	}
	return engine.Failf("device in a location classed %s has %s", d.Location, strings.Join(problems, ", "))
}

type unacknowledgedTamperEvents struct{}

func (unacknowledgedTamperEvents) Meta() engine.Meta {
	return engine.Meta{
		ID: "unacknowledged-tamper-events", Version: "1",
		Title:       "No unacknowledged tamper alarms",
		Description: "Every tamper alarm raised by a device has been investigated and acknowledged; an open alarm may mean the device was opened or moved.",
		Controls:    []string{"S04"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvTelemetry},
		Remediation: "Inspect the device on site, treat it as compromised until shown otherwise (re-key it if opened), then acknowledge the alarms with the outcome.",
	}
}

func (unacknowledgedTamperEvents) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	if d.TamperEvents <= 0 {
		return engine.Pass()
	}
	return engine.Failf("%d tamper alarms not acknowledged", d.TamperEvents)
}

// ---------------------------------------------------------------- updates

// supportEnded reports whether the model's declared support period is over.
func supportEnded(env *engine.Env, m *model.DeviceModel) bool {
	return m != nil && m.Update.SupportEnd.Set() && m.Update.SupportEnd.Before(env.Now)
}

// supportPrecondition returns a not-applicable result when the support
// period cannot be judged for the device, or ok.
func supportPrecondition(d *model.Device, m *model.DeviceModel) (engine.Result, bool) {
	switch {
	case !inService(d.Lifecycle):
		return engine.NotApplicable(naNotInService), false
	case m == nil:
		return engine.NotApplicable(naUnknownModel), false
	case !m.Update.SupportEnd.Set():
		return engine.NotApplicable("the device's model declares no support end date"), false
	}
	return engine.Result{}, true
}

type supportPeriodEnded struct{}

func (supportPeriodEnded) Meta() engine.Meta {
	return engine.Meta{
		ID: "support-period-ended", Version: "1",
		Title:       "Operating devices are within their support period",
		Description: "A device in service whose model is past its declared end of support receives no more security updates.",
		Controls:    []string{"S15", "S25"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory},
		Remediation: "Plan the device's replacement with a supported model, negotiate extended support with the vendor, or isolate it until it is replaced.",
	}
}

func (supportPeriodEnded) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	m := env.Model(d.Model)
	if r, ok := supportPrecondition(d, m); !ok {
		return r
	}
	if !supportEnded(env, m) {
		return engine.Pass()
	}
	return engine.Failf("device is %s but support for model %s ended on %s (%d days ago)",
		d.Lifecycle, m.ID, m.Update.SupportEnd, days(env.Now.Sub(m.Update.SupportEnd.Time)))
}

// zoneIsolationProblem describes why the device's zone does not isolate it
// (unknown, not segregated, reachable from the internet), or "".
func zoneIsolationProblem(env *engine.Env, zone string) string {
	if blank(zone) {
		return "has no network zone recorded"
	}
	n := env.Network(zone)
	if n == nil {
		return "is in zone " + zone + ", which is not declared"
	}
	if n.Segregated && !n.InternetInbound {
		return ""
	}
	var problems []string
	if !n.Segregated {
		problems = append(problems, "is not segregated")
	}
	if n.InternetInbound {
		problems = append(problems, "allows inbound connections from the internet")
	}
	return "is in zone " + zone + ", which " + strings.Join(problems, " and ")
}

type endOfSupportNotIsolated struct{}

func (endOfSupportNotIsolated) Meta() engine.Meta {
	return engine.Meta{
		ID: "end-of-support-not-isolated", Version: "1",
		Title:       "Unsupported devices are isolated",
		Description: "A device past its model's end of support, until it is replaced, sits in a declared, segregated zone that the internet cannot reach.",
		Controls:    []string{"S19", "S22"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvConfig},
		Remediation: "Move the device to a segregated zone without inbound internet access and with a tight egress allow-list, or retire it.",
	}
}

func (endOfSupportNotIsolated) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	m := env.Model(d.Model)
	if r, ok := supportPrecondition(d, m); !ok {
		return r
	}
	if !supportEnded(env, m) {
		return engine.NotApplicable("the device's model is still supported")
	}
	if p := zoneIsolationProblem(env, d.Zone); p != "" {
		return engine.Failf("device past end of support (model %s, %s) %s", m.ID, m.Update.SupportEnd, p)
	}
	return engine.Pass()
}

// latestFirmware returns the model's latest firmware version and its
// release date (zero when unknown).
func latestFirmware(m *model.DeviceModel) (string, model.Timestamp) {
	if m.FirmwareReleased.Set() {
		return m.FirmwareVersion, m.FirmwareReleased
	}
	var best *model.FirmwareRelease
	for i := range m.Firmware {
		r := &m.Firmware[i]
		if !r.Released.Set() {
			continue
		}
		if !blank(m.FirmwareVersion) && sameVersion(r.Version, m.FirmwareVersion) {
			return r.Version, r.Released
		}
		if best == nil || r.Released.After(best.Released.Time) {
			best = r
		}
	}
	if best == nil || !blank(m.FirmwareVersion) {
		// The declared latest version has no known date: do not guess.
		return m.FirmwareVersion, model.Timestamp{}
	}
	return best.Version, best.Released
}

// releaseDate returns when the model released version v (zero if unknown).
func releaseDate(m *model.DeviceModel, v string) model.Timestamp {
	for i := range m.Firmware {
		if sameVersion(m.Firmware[i].Version, v) {
			return m.Firmware[i].Released
		}
	}
	if sameVersion(m.FirmwareVersion, v) {
		return m.FirmwareReleased
	}
	return model.Timestamp{}
}

type firmwareOutdated struct{}

func (firmwareOutdated) Meta() engine.Meta {
	return engine.Meta{
		ID: "firmware-outdated", Version: "1",
		Title:       "Firmware is not far behind the latest release",
		Description: "The device's firmware was released no more than the policy's maximum lag before the model's latest firmware, so the device gets fixes in reasonable time.",
		Controls:    []string{"S15"}, Severity: model.Medium, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory},
		Remediation: "Update the device to the model's latest firmware through the managed update channel, and find out why automatic updates did not reach it.",
	}
}

func (firmwareOutdated) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if d.Lifecycle.Retired() {
		return engine.NotApplicable(naRetired)
	}
	return byFirmware(env, firmwareOutdatedMemo, d, firmwareOutdatedVerdict)
}

var firmwareOutdatedMemo = engine.NewMemoKey("firmware-outdated")

// byFirmware returns the verdict of a check that, for a device in service,
// depends only on its model and firmware version: computed once per pair
// of the fleet (the first pass counted them) rather than per device, since
// comparing versions against every release of the model was the most
// costly of the device checks.
func byFirmware(env *engine.Env, key *engine.MemoKey, d *model.Device, verdict func(*engine.Env, *model.Device) engine.Result) engine.Result {
	table := env.Memo(key, func() any {
		t := make(map[engine.FirmwareRef]engine.Result, len(env.Fleet.ByFirmware))
		for fw := range env.Fleet.ByFirmware {
			t[fw] = verdict(env, &model.Device{Model: fw.Model, Firmware: fw.Firmware})
		}
		return t
	}).(map[engine.FirmwareRef]engine.Result)
	if r, ok := table[engine.FirmwareRef{Model: d.Model, Firmware: d.Firmware}]; ok {
		return r
	}
	return verdict(env, d)
}

// firmwareOutdatedVerdict is the check for a device in service; it reads
// only the device's model and firmware.
func firmwareOutdatedVerdict(env *engine.Env, d *model.Device) engine.Result {
	m := env.Model(d.Model)
	if m == nil {
		return engine.NotApplicable(naUnknownModel)
	}
	if blank(d.Firmware) {
		return engine.NotApplicable(naNoFirmware)
	}
	latest, latestDate := latestFirmware(m)
	if !latestDate.Set() {
		return engine.NotApplicable("release date of the model's latest firmware is unknown")
	}
	have := releaseDate(m, d.Firmware)
	if !have.Set() {
		return engine.NotApplicable("release date of the device's firmware is unknown")
	}
	lag := latestDate.Sub(have.Time)
	if lag <= daysDur(env.Policy.FirmwareMaxLagDays) {
		return engine.Pass()
	}
	return engine.Failf("firmware %s (released %s) is %d days behind the latest %s (released %s); limit %d days",
		d.Firmware, have, days(lag), latest, latestDate, env.Policy.FirmwareMaxLagDays)
}

type missingSecurityUpdate struct{}

func (missingSecurityUpdate) Meta() engine.Meta {
	return engine.Meta{
		ID: "missing-security-update", Version: "1",
		Title:       "Security updates are installed within the patch SLA",
		Description: "A firmware release that fixes security issues and is newer than the device's firmware has been installed within the policy's high-severity patch deadline.",
		Controls:    []string{"S22", "S15"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvVuln},
		Remediation: "Install the security release (or a later one) on the device now; if it cannot be updated, isolate it and record the accepted risk.",
	}
}

func (missingSecurityUpdate) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if d.Lifecycle.Retired() {
		return engine.NotApplicable(naRetired)
	}
	return byFirmware(env, missingSecurityUpdateMemo, d, missingSecurityUpdateVerdict)
}

var missingSecurityUpdateMemo = engine.NewMemoKey("missing-security-update")

// missingSecurityUpdateVerdict is the check for a device in service; it
// reads only the device's model and firmware.
func missingSecurityUpdateVerdict(env *engine.Env, d *model.Device) engine.Result {
	m := env.Model(d.Model)
	if m == nil {
		return engine.NotApplicable(naUnknownModel)
	}
	if blank(d.Firmware) {
		return engine.NotApplicable(naNoFirmware)
	}
	sla := daysDur(env.Policy.PatchSLADays.High)
	var oldest *model.FirmwareRelease
	overdue := 0
	for i := range m.Firmware {
		r := &m.Firmware[i]
		if !r.Security || !r.Released.Set() || !env.Now.After(r.Released.Add(sla)) {
			continue
		}
		if compareVersions(r.Version, d.Firmware) <= 0 {
			continue
		}
		overdue++
		if oldest == nil || r.Released.Before(oldest.Released.Time) {
			oldest = r
		}
	}
	if oldest == nil {
		return engine.Pass()
	}
	more := ""
	if overdue > 1 {
		more = fmt.Sprintf(" (%d overdue security releases in all)", overdue)
	}
	return engine.Failf("security release %s (released %s) is not installed: device runs %s, %d days past the %d-day patch deadline%s",
		oldest.Version, oldest.Released, d.Firmware, days(env.Now.Sub(oldest.Released.Add(sla))), env.Policy.PatchSLADays.High, more)
}

// ---------------------------------------------------------------- monitoring

type telemetrySilent struct{}

func (telemetrySilent) Meta() engine.Meta {
	return engine.Meta{
		ID: "telemetry-silent", Version: "1",
		Title:       "Active devices send security telemetry",
		Description: "Every active device has sent security telemetry within the policy's maximum gap, so that attacks on it would be seen.",
		Controls:    []string{"S12"}, Severity: model.Low, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvTelemetry},
		Remediation: "Check the device's monitoring agent and its connection to the collector, and alert on devices that stop reporting.",
	}
}

func (telemetrySilent) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if d.Lifecycle != model.Active {
		return engine.NotApplicable("device is not active")
	}
	if !d.LastTelemetry.Set() {
		return engine.Failf("active device has never sent security telemetry")
	}
	gap := env.Now.Sub(d.LastTelemetry.Time)
	if gap <= time.Duration(env.Policy.TelemetryMaxGapHours)*time.Hour {
		return engine.Pass()
	}
	return engine.Failf("active device last sent security telemetry %d hours ago, on %s (limit %d hours)",
		int(gap.Hours()), d.LastTelemetry, env.Policy.TelemetryMaxGapHours)
}

type clockSkew struct{}

func (clockSkew) Meta() engine.Meta {
	return engine.Meta{
		ID: "clock-skew", Version: "1",
		Title:       "Device clock is accurate",
		Description: "The device's clock is within the policy's tolerance of true time, so its logs can be correlated and certificate validity is judged correctly.",
		Controls:    []string{"S12"}, Severity: model.Low, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvTelemetry},
		Remediation: "Configure the device to synchronise its clock with an authenticated time source (NTS or NTP from a trusted server) and check that it can reach it.",
	}
}

func (clockSkew) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	skew := d.ClockSkewSeconds
	if skew < 0 {
		skew = -skew
	}
	if skew <= env.Policy.MaxClockSkewSeconds {
		return engine.Pass()
	}
	return engine.Failf("device clock is off by %+d seconds (tolerance %d)", d.ClockSkewSeconds, env.Policy.MaxClockSkewSeconds)
}

// ---------------------------------------------------------------- re-use

type reusedDeviceIdentity struct{}

func (reusedDeviceIdentity) Meta() engine.Meta {
	return engine.Meta{
		ID: "reused-device-identity", Version: "1",
		Title:       "Re-used devices got a new identity",
		Description: "A device that was re-used (re-sold, re-assigned, refurbished) no longer presents the certificate it had before, and no device in the fleet does.",
		Controls:    []string{"S17"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvCert},
		Remediation: "Issue the re-used device a new key pair and certificate, revoke the previous certificate, and remove it from any device still presenting it.",
	}
}

func (reusedDeviceIdentity) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	prev := strings.TrimSpace(d.PreviousIdentity)
	if prev == "" {
		return engine.NotApplicable("device has no previous identity")
	}
	if d.Certificate != nil && strings.EqualFold(strings.TrimSpace(d.Certificate.Fingerprint), prev) {
		return engine.Failf("device was re-used but still presents its previous certificate %s", shortID(prev)).
			WithEvidence("previous identity %s", prev)
	}
	if n := env.Index.Count(engine.KeyCertificate, prev); n > 0 {
		return engine.Failf("previous identity %s of this re-used device is still the certificate of %d other device(s)", shortID(prev), n).
			WithEvidence("previous identity %s", prev)
	}
	return engine.Pass()
}

// ---------------------------------------------------------------- networks

type safetyDeviceNotSegregated struct{}

func (safetyDeviceNotSegregated) Meta() engine.Meta {
	return engine.Meta{
		ID: "safety-device-not-segregated", Version: "1",
		Title:       "Safety-critical devices are segregated",
		Description: "A device whose failure could harm people or property sits in a declared zone that is firewalled from other zones and unreachable from the internet.",
		Controls:    []string{"S09"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvConfig},
		Remediation: "Move the device to a dedicated, segregated safety zone with no inbound internet access, and declare that zone in the solution.",
	}
}

func (safetyDeviceNotSegregated) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if !d.SafetyCritical {
		if m := env.Model(d.Model); m == nil || !m.SafetyCritical {
			return engine.NotApplicable("device is not safety-critical")
		}
	}
	if p := zoneIsolationProblem(env, d.Zone); p != "" {
		return engine.Failf("safety-critical device %s", p)
	}
	return engine.Pass()
}

// unsuitablePurpose reports zone purposes not meant for IoT devices.
func unsuitablePurpose(p string) bool {
	p = strings.TrimSpace(p)
	return strings.EqualFold(p, "guest") || strings.EqualFold(p, "corporate") || strings.EqualFold(p, "public")
}

func weakWiFi(s string) bool {
	s = strings.TrimSpace(s)
	return strings.EqualFold(s, "open") || strings.EqualFold(s, "wep")
}

type deviceInUnsuitableNetwork struct{}

func (deviceInUnsuitableNetwork) Meta() engine.Meta {
	return engine.Meta{
		ID: "device-in-unsuitable-network", Version: "1",
		Title:       "Device is in a suitable network zone",
		Description: "Every device is in a declared zone meant for IoT, not in a guest, corporate or public network, and not on open or WEP Wi-Fi.",
		Controls:    []string{"S14"}, Severity: model.Medium, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvConfig},
		Remediation: "Move the device to a declared IoT zone with WPA2/WPA3 or wired access, and record the zone in the inventory.",
	}
}

func (deviceInUnsuitableNetwork) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if blank(d.Zone) {
		return engine.Failf("device has no network zone recorded")
	}
	n := env.Network(d.Zone)
	if n == nil {
		return engine.Failf("device is in zone %s, which is not declared", d.Zone)
	}
	badPurpose, badWiFi := unsuitablePurpose(n.Purpose), weakWiFi(n.WiFiSecurity)
	if !badPurpose && !badWiFi {
		return engine.Pass()
	}
	var problems []string
	if badPurpose {
		problems = append(problems, "is a "+n.Purpose+" network")
	}
	if badWiFi {
		problems = append(problems, "uses "+n.WiFiSecurity+" Wi-Fi")
	}
	return engine.Failf("device is in zone %s, which %s", d.Zone, strings.Join(problems, " and "))
}

// ---------------------------------------------------------------- ownership

type deviceOwnerMissing struct{}

func (deviceOwnerMissing) Meta() engine.Meta {
	return engine.Meta{
		ID: "device-owner-missing", Version: "1",
		Title:       "Every device has an owner",
		Description: "Someone is responsible for each device's security: its own owner, or failing that its model's owner.",
		Controls:    []string{"S02"}, Severity: model.Low, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory},
		Remediation: "Record an owning team for the device, or for its model so that all its devices inherit it.",
	}
}

func (deviceOwnerMissing) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	if !blank(d.Owner) {
		return engine.Pass()
	}
	m := env.Model(d.Model)
	if m != nil && !blank(m.Owner) {
		return engine.Pass()
	}
	if m == nil {
		return engine.Failf("device has no owner and its model %s is not declared", d.Model)
	}
	return engine.Failf("neither the device nor its model %s has an owner", m.ID)
}
