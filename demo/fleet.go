package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iotguard/iotguard/model"
)

// site is one of Northwind's buildings.
type site struct {
	code  string // device ID prefix
	octet int    // second octet of the site's addresses
}

var (
	hq    = site{code: "hq", octet: 10}
	depot = site{code: "depot", octet: 20}
	mall  = site{code: "mall", octet: 30}
)

// kindInfo is how devices of a model are named and owned.
type kindInfo struct {
	short   string // device ID infix
	serial  string // vendor serial prefix
	oui     string // vendor MAC prefix
	owner   func(site) string
	healthy []string // firmware versions a healthy device may run, newest first
	cert    bool     // devices carry an identity certificate
	creds   model.CredentialState
}

func siteTeam(prefix string) func(site) string {
	return func(s site) string { return prefix + "-" + s.code }
}

func team(name string) func(site) string { return func(site) string { return name } }

var kinds = map[string]kindInfo{
	camX200: {short: "cam", serial: "VOX2", oui: "3c:ef:8c", owner: team("security-ops"), healthy: []string{"4.2.1", "4.2.0"}, cert: true, creds: model.CredUnique},
	camV90:  {short: "ycam", serial: "VOV9", oui: "3c:ef:8c", owner: team("security-ops"), healthy: []string{"5.4.8"}, cert: true, creds: model.CredUnique},
	thermo:  {short: "tst", serial: "CLT5", oui: "70:b3:d5", owner: siteTeam("facilities"), healthy: []string{"2.4.1", "2.4.0"}, cert: true, creds: model.CredUnique},
	doorDC4: {short: "door", serial: "PSD4", oui: "00:1b:c5", owner: team("security-ops"), healthy: []string{"7.1.3", "7.1.0"}, cert: true, creds: model.CredUnique},
	doorDC2: {short: "door", serial: "PSD2", oui: "00:1b:c5", owner: team("security-ops"), healthy: []string{"3.2.7"}, cert: true, creds: model.CredUnique},
	gateway: {short: "gw", serial: "SNEG", oui: "d8:3a:dd", owner: team("platform-team"), healthy: []string{"3.1.2", "3.1.0"}, cert: true, creds: model.CredUnique},
	sensor:  {short: "env", serial: "AES3", oui: "24:0a:c4", owner: siteTeam("facilities"), healthy: []string{"2.0.0"}, creds: model.CredNone},
	speaker: {short: "spk", serial: "SAM1", oui: "94:9f:3e", owner: team("workplace-it"), healthy: []string{"12.6", "12.4"}, cert: true, creds: model.CredNone},
}

// group is a batch of devices of one model in one site and zone.
type group struct {
	site  site
	model string
	zone  string
	n     int
	// locations are drawn with these weights (percent, summing to 100).
	locations []weighted
	// fixed disables the random decommissioned and provisioned devices:
	// groups whose every device carries a problem stay all active.
	fixed bool
}

type weighted struct {
	loc model.LocationClass
	pct int
}

var (
	indoors   = []weighted{{model.Secured, 100}}
	doorLocs  = []weighted{{model.Secured, 50}, {model.Unattended, 50}}
	hqCams    = []weighted{{model.Secured, 85}, {model.Public, 10}, {model.Outdoor, 5}}
	depotCams = []weighted{{model.Secured, 60}, {model.Outdoor, 40}}
	mallCams  = []weighted{{model.Public, 60}, {model.Secured, 25}, {model.Outdoor, 15}}
	mallSens  = []weighted{{model.Public, 50}, {model.Secured, 50}}
)

// fleetPlan is the whole estate: 1,988 devices.
var fleetPlan = []group{
	{site: hq, model: camX200, zone: zoneCameras, n: 300, locations: hqCams},
	{site: hq, model: thermo, zone: zoneBuilding, n: 260, locations: indoors},
	{site: hq, model: doorDC4, zone: zoneAccess, n: 120, locations: doorLocs},
	{site: hq, model: gateway, zone: zoneBuilding, n: 24, locations: indoors},
	{site: hq, model: sensor, zone: zoneBuilding, n: 420, locations: indoors},
	{site: hq, model: speaker, zone: zoneBuilding, n: 16, locations: indoors, fixed: true},

	{site: depot, model: camX200, zone: zoneCameras, n: 80, locations: depotCams},
	{site: depot, model: camV90, zone: zoneQuarantine, n: 8, locations: indoors, fixed: true},
	{site: depot, model: camV90, zone: zoneLegacy, n: 8, locations: indoors, fixed: true},
	{site: depot, model: thermo, zone: zoneBuilding, n: 40, locations: indoors},
	{site: depot, model: doorDC2, zone: zoneDepotAcc, n: 12, locations: indoors, fixed: true},
	{site: depot, model: gateway, zone: zoneBuilding, n: 8, locations: indoors, fixed: true},
	{site: depot, model: sensor, zone: zoneBuilding, n: 120, locations: indoors},

	{site: mall, model: camX200, zone: zoneCameras, n: 180, locations: mallCams},
	{site: mall, model: thermo, zone: zoneMall, n: 120, locations: indoors},
	{site: mall, model: doorDC4, zone: zoneAccess, n: 60, locations: doorLocs},
	{site: mall, model: gateway, zone: zoneMall, n: 12, locations: indoors, fixed: true},
	{site: mall, model: sensor, zone: zoneMall, n: 200, locations: mallSens},
}

// zoneOctet places each zone in its own block of a site's address space.
var zoneOctet = map[string]int{
	zoneCorp: 0, zoneGuest: 8, zoneCameras: 16, zoneBuilding: 32, zoneMall: 48,
	zoneAccess: 64, zoneDepotAcc: 72, zoneLegacy: 80, zoneQuarantine: 88,
}

func (g *gen) fleet() {
	g.seq, g.serial, g.mac, g.ip = map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	g.used = map[string]bool{}
	total := 0
	for _, gr := range fleetPlan {
		total += gr.n
	}
	g.devices = make([]model.Device, 0, total)
	for _, gr := range fleetPlan {
		for range gr.n {
			d := g.device(gr)
			if !gr.fixed {
				switch r := g.rng.IntN(1000); {
				case r < 12:
					g.decommission(&d, model.Decommissioned)
				case r < 16:
					g.provision(&d)
				}
			}
			g.devices = append(g.devices, d)
		}
	}
}

// device builds one healthy, active device of the group.
func (g *gen) device(gr group) model.Device {
	k := kinds[gr.model]
	key := gr.site.code + "-" + k.short
	g.seq[key]++
	id := fmt.Sprintf("%s-%04d", key, g.seq[key])

	g.serial[gr.model]++
	serial := fmt.Sprintf("%s-%02d%02d-%06d", k.serial, 22+g.serial[gr.model]%3, 1+g.serial[gr.model]%52, 104000+g.serial[gr.model]*7)

	g.mac[k.oui]++
	m := 0x2a0000 + g.mac[k.oui]
	mac := fmt.Sprintf("%s:%02x:%02x:%02x", k.oui, m>>16&0xff, m>>8&0xff, m&0xff)

	ip := g.address(gr.site, gr.zone)

	// Most devices run the newest firmware, some the previous healthy one.
	fw := k.healthy[0]
	if len(k.healthy) > 1 && g.rng.IntN(100) < 30 {
		fw = k.healthy[1]
	}

	d := model.Device{
		ID: id, Serial: serial, Model: gr.model, Firmware: fw, MAC: mac, IP: ip,
		Hostname:     id + "." + gr.site.code + ".bms." + domain,
		MQTTClientID: "nw/" + id,
		Lifecycle:    model.Active, Site: gr.site.code, Location: g.location(gr.locations), Zone: gr.zone,
		LastSeen:         g.ago(time.Duration(1+g.rng.IntN(360)) * time.Minute),
		Credentials:      k.creds,
		Ports:            g.observedPorts(gr.model),
		ReportedFirmware: fw,
		LastTelemetry:    g.ago(time.Duration(1+g.rng.IntN(300)) * time.Minute),
		ClockSkewSeconds: g.rng.IntN(9) - 4,
		Owner:            k.owner(gr.site),
		SafetyCritical:   gr.model == doorDC4 || gr.model == doorDC2,
	}
	if k.cert {
		d.Certificate = g.certificate(id)
		if gr.model == camV90 {
			// Enrolled years ago under the old RSA-1024 profile.
			d.Certificate.KeyType, d.Certificate.KeyBits, d.Certificate.Curve = "rsa", 1024, ""
			d.Certificate.SignatureAlgorithm = "sha1WithRSAEncryption"
		}
	}
	return d
}

// address is the next free address of a zone at a site.
func (g *gen) address(s site, zone string) string {
	key := s.code + "/" + zone
	host := g.ip[key]
	g.ip[key]++
	return fmt.Sprintf("10.%d.%d.%d", s.octet, zoneOctet[zone]+host/250, 2+host%250)
}

// move puts a device in another zone, with an address there.
func (g *gen) move(d *model.Device, zone string) {
	sites := map[string]site{hq.code: hq, depot.code: depot, mall.code: mall}
	d.Zone, d.IP = zone, g.address(sites[d.Site], zone)
}

func (g *gen) location(ws []weighted) model.LocationClass {
	r := g.rng.IntN(100)
	for _, w := range ws {
		if r < w.pct {
			return w.loc
		}
		r -= w.pct
	}
	return ws[len(ws)-1].loc
}

// observedPorts is what a scan of a healthy device of the model shows: the
// model's declared ports, authenticated.
func (g *gen) observedPorts(modelID string) []model.Port {
	var m *model.DeviceModel
	for i := range g.sol.Models {
		if g.sol.Models[i].ID == modelID {
			m = &g.sol.Models[i]
		}
	}
	ports := make([]model.Port, len(m.Ports))
	for i, p := range m.Ports {
		p.Authenticated = boolp(true)
		switch {
		case p.Service == "ssh":
			p.Banner = "SSH-2.0-OpenSSH_9.6"
		case modelID == doorDC2 && p.Service == "https":
			// The DC2 status page names its firmware before anyone logs in.
			p.Banner, p.Authenticated = "PortisOS/3.2.7 (DC2) web admin", nil
		case p.Service == "snmp":
			p.Authenticated = nil
		}
		ports[i] = p
	}
	return ports
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	b.Grow(n)
	for range n {
		b.WriteByte(digits[g.rng.IntN(16)])
	}
	return b.String()
}

// certificate is a healthy device certificate from Northwind's device CA:
// ECDSA P-256, issued up to two years ago for three years.
func (g *gen) certificate(id string) *model.Certificate {
	issued := 30 + g.rng.IntN(670)
	return &model.Certificate{
		Fingerprint: g.hex(64), Subject: "CN=" + id + ",O=Northwind Smart Buildings", Issuer: deviceCA,
		Serial:    g.hex(16),
		NotBefore: g.day(issued), NotAfter: g.day(issued - 3*365),
		KeyType: "ecdsa", KeyBits: 256, Curve: "P-256", SignatureAlgorithm: "ECDSA-SHA256",
	}
}

// decommission retires a device properly: certificate revoked, wiped, not
// seen since.
func (g *gen) decommission(d *model.Device, state model.Lifecycle) {
	when := 10 + g.rng.IntN(190)
	d.Lifecycle = state
	d.Decommissioned = g.day(when)
	d.LastSeen = g.day(when + 1)
	d.LastTelemetry = d.LastSeen
	d.Wiped = true
	d.Ports = nil
	if d.Certificate != nil {
		d.Certificate.Revoked = true
	}
}

// provision makes a device enrolled in stock, not yet installed.
func (g *gen) provision(d *model.Device) {
	d.Lifecycle = model.Provisioned
	d.LastSeen = g.day(1 + g.rng.IntN(20))
	d.LastTelemetry = model.Timestamp{}
	d.Ports = nil
}

// pick returns n active devices matching the filter that carry no injected
// problem yet, drawn at random, and marks them used.
func (g *gen) pick(n int, match func(d *model.Device) bool) []*model.Device {
	var candidates []int
	for i := range g.devices {
		d := &g.devices[i]
		if d.Lifecycle == model.Active && !g.used[d.ID] && match(d) {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) < n {
		panic(fmt.Sprintf("demo: %d devices wanted, %d candidates", n, len(candidates)))
	}
	g.rng.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	chosen := candidates[:n]
	slices.Sort(chosen) // report devices in inventory order
	out := make([]*model.Device, n)
	for i, idx := range chosen {
		out[i] = &g.devices[idx]
		g.used[out[i].ID] = true
	}
	return out
}

// in matches devices of a model at a site (any site when s.code is empty).
func in(s site, modelID string) func(d *model.Device) bool {
	return func(d *model.Device) bool { return d.Model == modelID && (s.code == "" || d.Site == s.code) }
}

func (g *gen) injectDeviceProblems() {
	// Identity: clones and copy-paste.
	{
		ds := g.pick(2, in(mall, doorDC4))
		clone := *ds[0].Certificate
		ds[1].Certificate = &clone
		const what = "two mall door controllers restored from one cloned image share a certificate"
		for _, d := range ds {
			g.problem("shared-certificate", d.ID, what)
		}
	}
	{
		ds := g.pick(2, in(hq, sensor))
		ds[1].MQTTClientID = ds[0].MQTTClientID
		for _, d := range ds {
			g.problem("duplicate-mqtt-client-id", d.ID, "two HQ sensors were configured with the same MQTT client ID")
		}
	}
	{
		ds := g.pick(2, in(mall, thermo))
		ds[1].Serial = ds[0].Serial
		for _, d := range ds {
			g.problem("duplicate-serial", d.ID, "two thermostats are registered under the same serial number")
		}
	}
	{
		ds := g.pick(2, in(depot, sensor))
		ds[1].MAC = ds[0].MAC
		for _, d := range ds {
			g.problem("duplicate-mac", d.ID, "two sensors from one faulty vendor batch share a MAC address")
		}
	}

	// Certificates.
	for _, d := range g.pick(3, in(depot, camX200)) {
		d.Certificate.NotBefore, d.Certificate.NotAfter = g.day(3*365+12), g.day(12)
		g.problem("certificate-validity", d.ID, "three depot cameras present certificates that expired 12 days ago")
	}
	for _, d := range g.pick(5, in(hq, gateway)) {
		d.Certificate.NotBefore, d.Certificate.NotAfter = g.day(3*365-9), g.day(-9)
		g.problem("certificate-validity", d.ID, "five HQ gateway certificates expire within 10 days")
	}
	for _, d := range g.pick(1, in(mall, thermo)) {
		d.Certificate.NotBefore, d.Certificate.NotAfter = g.day(-3), g.day(-3*365-3)
		g.problem("certificate-validity", d.ID, "a thermostat's certificate only becomes valid in 3 days (enrolled with a wrong clock)")
	}
	for _, d := range g.pick(2, in(depot, gateway)) {
		d.Certificate.Issuer, d.Certificate.SelfSigned = d.Certificate.Subject, true
		g.problem("certificate-self-signed", d.ID, "two depot gateways use self-signed certificates installed by hand")
	}
	// The revoked door controller certificate is in the device CA's CRL
	// (see assignCertificates), not in the inventory.

	// Credentials.
	for _, d := range g.pick(10, in(depot, camV90)) {
		d.Credentials = model.CredDefault
		g.problem("default-credentials", d.ID, "ten legacy V90 cameras still use the factory admin password")
	}
	for _, d := range g.pick(18, in(mall, thermo)) {
		d.Credentials = model.CredShared
		g.problem("shared-credentials", d.ID, "18 mall thermostats share the installer's PIN")
	}

	// Services listening where they should not.
	for _, d := range g.pick(4, in(depot, gateway)) {
		d.Ports = append(d.Ports, port(23, "tcp", "telnet", false, true))
		const what = "telnet left enabled on four depot gateways after a vendor support session"
		g.problem("insecure-protocols", d.ID, what)
		g.problem("ports-outside-baseline", d.ID, what)
		g.problem("device-ports-outside-mud", d.ID, what)
	}
	for _, d := range g.pick(6, in(mall, gateway)) {
		d.Ports = append(d.Ports, model.Port{Port: 1883, Protocol: "tcp", Service: "mqtt", Authenticated: boolp(false)})
		const what = "six mall gateways run their local MQTT broker on 1883 without TLS or authentication"
		g.problem("insecure-protocols", d.ID, what)
		g.problem("ports-outside-baseline", d.ID, what)
		g.problem("device-ports-outside-mud", d.ID, what)
	}
	for _, d := range g.pick(8, in(depot, sensor)) {
		d.Ports = append(d.Ports, model.Port{Port: 5683, Protocol: "udp", Service: "coap", Authenticated: boolp(true)})
		const what = "eight depot sensors still answer plain CoAP without DTLS"
		g.problem("insecure-protocols", d.ID, what)
		g.problem("ports-outside-baseline", d.ID, what)
	}
	for _, d := range g.pick(6, in(hq, camX200)) {
		d.Ports = append(d.Ports, port(554, "tcp", "rtsp", false, false))
		const what = "six HQ cameras expose RTSP (554) enabled for a contractor's recorder"
		g.problem("ports-outside-baseline", d.ID, what)
		g.problem("device-ports-outside-mud", d.ID, what)
	}
	for i := range g.devices {
		if d := &g.devices[i]; d.Model == doorDC2 {
			g.used[d.ID] = true
			g.problem("insecure-protocols", d.ID, "depot DC2 door controllers are monitored over SNMP v2c")
			g.problem("unauthenticated-version-banner", d.ID, "depot DC2 door controllers show their firmware version before login")
			g.problem("safety-device-not-segregated", d.ID, "depot fire-door controllers sit in an access VLAN bridged to the office network")
		}
	}

	// Life cycle.
	for _, d := range g.pick(7, in(mall, sensor)) {
		d.LastSeen, d.LastTelemetry = g.day(130), g.day(130)
		const what = "seven mall sensors removed in a refit four months ago are still active"
		g.problem("stale-active-device", d.ID, what)
		g.problem("telemetry-silent", d.ID, what)
	}
	for _, d := range g.pick(3, in(mall, camX200)) {
		g.decommission(d, model.Decommissioned)
		d.Certificate.Revoked = false
		g.problem("decommissioned-still-credentialed", d.ID, "three vandalised car-park cameras were decommissioned without revoking their certificates")
	}
	for _, d := range g.pick(2, in(hq, thermo)) {
		g.decommission(d, model.RMA)
		d.Wiped = false
		g.problem("decommissioned-not-wiped", d.ID, "two thermostats went back to the vendor (RMA) without a wipe")
	}
	for i := range g.devices {
		if d := &g.devices[i]; d.Model == camV90 {
			g.problem("support-period-ended", d.ID, "legacy V90 cameras are past the vendor's end of support")
			g.problem("certificate-weak-key", d.ID, "legacy V90 cameras use RSA-1024 certificates signed with SHA-1")
			if d.Zone == zoneLegacy {
				g.problem("end-of-support-not-isolated", d.ID, "half of the unsupported V90 cameras are still in a flat, port-forwarded VLAN")
			}
		}
	}

	// Physical security.
	for _, d := range g.pick(4, in(mall, camX200)) {
		d.Location = model.Outdoor
		d.Settings = map[string]bool{"tamper_detection": false}
		g.problem("exposed-without-tamper-protection", d.ID, "four car-park cameras had tamper detection switched off after false alarms")
	}
	for i, d := range g.pick(2, func(d *model.Device) bool { return in(mall, doorDC4)(d) && d.Location == model.Unattended }) {
		d.TamperEvents = 3 - 2*i
		g.problem("unacknowledged-tamper-events", d.ID, "two mall door controllers reported tamper alarms that nobody acknowledged")
	}

	// Updates.
	for _, d := range g.pick(9, in(depot, sensor)) {
		d.Firmware, d.ReportedFirmware = "1.9.0", "1.9.0"
		g.problem("firmware-outdated", d.ID, "nine depot sensors run firmware more than 300 days behind the latest")
	}
	for _, d := range g.pick(14, in(depot, thermo)) {
		d.Firmware, d.ReportedFirmware = "2.3.4", "2.3.4"
		g.problem("missing-security-update", d.ID, "14 depot thermostats miss security release 2.4.0 (75 days old)")
	}
	for _, d := range g.pick(2, in(hq, gateway)) {
		d.ReportedFirmware = "3.1.2-nwpatch1"
		g.problem("firmware-drift", d.ID, "two HQ gateways run a hand-patched build the inventory does not know")
	}

	// Monitoring.
	for _, d := range g.pick(28, in(mall, sensor)) {
		d.LastTelemetry = g.ago(74 * time.Hour)
		g.problem("telemetry-silent", d.ID, "28 mall sensors stopped sending telemetry after a gateway bridge update")
	}
	for i, d := range g.pick(3, in(hq, doorDC4)) {
		d.ClockSkewSeconds = []int{1260, -905, 640}[i]
		g.problem("clock-skew", d.ID, "three door controllers drift by 10-20 minutes (NTP blocked), so access logs disagree")
	}
	for _, d := range g.pick(1, in(mall, thermo)) {
		d.PreviousIdentity = d.Certificate.Fingerprint
		g.problem("reused-device-identity", d.ID, "a thermostat moved from HQ to the mall kept its old identity")
	}

	// Networks and ownership.
	for _, d := range g.pick(3, in(mall, sensor)) {
		g.move(d, zoneGuest)
		g.problem("device-in-unsuitable-network", d.ID, "three sensors a tenant installed joined the open guest Wi-Fi")
	}
	for _, d := range g.pick(2, in(hq, speaker)) {
		g.move(d, zoneCorp)
		g.problem("device-in-unsuitable-network", d.ID, "two meeting-room speakers sit on the corporate network")
	}
	for _, d := range g.pick(2, in(hq, speaker)) {
		d.Owner = ""
		const what = "two meeting-room speakers have no owner, and nobody owns the speaker model"
		g.problem("device-owner-missing", d.ID, what)
		g.problem("inventory-required-fields", d.ID, what)
	}
}

// declaredProblems lists the problems in the solution's declarations:
// models, services, networks, flows, organisation and attestations.
func (g *gen) declaredProblems() {
	for _, p := range []Problem{
		{"model-update-policy", gateway, "gateway updates come from an unsigned package feed"},
		{"model-sbom-declared", camV90, "the legacy V90 camera has no SBOM"},
		{"model-default-credentials", camV90, "the V90 ships with a universal admin password"},
		{"model-certification-current", camV90, "the V90's security certification lapsed 400 days ago"},
		{"model-security-test", doorDC2, "the DC2's last security test is almost two years old"},
		{"model-support-contact", doorDC2, "the integrator that supported the DC2 has closed: no support contact"},
		{"safety-update-staging", doorDC2, "DC2 fire-door controllers get updates all at once, no staged rollout"},
		{"model-threat-model-and-mud", sensor, "the S3 sensor has no MUD profile"},
		{"model-sensors-documented", sensor, "the S3 sensor's noise-level microphone is on by default and undocumented"},
		{"model-privacy-by-default", sensor, "the S3 sensor's noise-level microphone is on by default and undocumented"},
		{"model-disclosure-policy", sensor, "the S3's vendor publishes neither security.txt nor advisories"},
		{"model-privacy-by-default", speaker, "meeting-room speakers ship with usage analytics on"},

		{"service-tls-minimum", "bms-api", "the depot building management API still accepts TLS 1.0"},
		{"service-authentication", "admin-portal", "the internet-facing admin portal accepts passwords alone"},
		{"service-lockout", "admin-portal", "the admin portal never locks out repeated failed logins"},
		{"service-logging", "voice-cloud", "logging is off on the voice cloud integration"},
		{"service-security-alerts", "video-cloud", "the video cloud raises no alert on authentication failures"},
		{"service-log-protection", "analytics", "analytics logs are kept 30 days with no integrity protection"},
		{"service-privacy-controls", "video-cloud", "people cannot export their video data from the video cloud"},
		{"service-privacy-notice", "analytics", "the occupancy privacy notice does not mention Wi-Fi scanning"},
		{"service-automated-decisions", "access-saas", "badges are suspended automatically with no human review"},

		{"network-internet-inbound", zoneLegacy, "the depot legacy camera VLAN is port-forwarded from the internet"},
		{"network-egress-restricted", zoneMall, "the mall IoT VLAN has no egress filtering"},
		{"network-wifi-security", zoneGuest, "the guest Wi-Fi is open"},
		{"network-safety-segregation", zoneDepotAcc, "the depot access-control VLAN is bridged to the office network"},

		{"pii-flow-encryption", "depot-badge-events", "depot badge events travel over plain HTTP"},
		{"flow-purpose", "badge-hr-sync", "badge data is synced to HR with no declared purpose"},
		{"pii-flow-agreement", "occupancy-analytics", "desk-presence data goes to the analytics vendor without an agreement"},
		{"privacy-preferences-propagated", "occupancy-analytics", "occupancy opt-outs do not reach the analytics vendor"},
		{"pii-flow-retention", "video-archive", "archived video is kept seven years"},
		{"pii-flow-legal-basis", "voice-commands", "voice control relies on consent that is never recorded"},
		{"indirect-data-collection", "wifi-footfall", "gateways scan neighbouring Wi-Fi for footfall, undeclared"},
		{"sensor-data-declared", "sensor-telemetry", "sensors send audio levels from an undocumented microphone"},
		{"flow-egress-allowed", "lift-diagnostics", "lift diagnostics go to a host outside the building VLAN's allow-list"},
		{"observed-flow-declared", "observed-gw-egress", "gateways talk to an unknown host on the internet"},
		{"flow-purpose", "observed-gw-egress", "gateways talk to an unknown host on the internet"},

		{"persistent-identifier-linkability", "identifier serial from model:" + thermo, "thermostat serials go to both the broker and the vendor"},
		{"telemetry-coverage", "fleet telemetry", "telemetry coverage is below Northwind's 99% target"},
		{"stakeholder-contacts", "organization", "the mall tenants' group has no contact"},

		{"attestation-evidence", "attestation S06", "the incident review was edited after approval (SHA-256 changed)"},
		{"attestation-evidence", "attestation S20", "the user guidance attestation is past its review date"},
		{"attestation-evidence", "attestation S21", "the signed RACI sheet the roles attestation cites does not exist"},
	} {
		g.problem(p.Check, p.Asset, p.What)
	}
}
