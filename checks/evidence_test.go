package checks

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/model"
)

// baseEvidence is evidence that agrees with the baseline: an SBOM for the
// firmware in service, a vulnerability database with no match, a scan that
// sees both cameras with modern TLS, their certificates verified, a MUD
// profile allowing exactly the declared behaviour, a clean cloud audit.
func baseEvidence() *model.Evidence {
	yes := true
	return &model.Evidence{
		SBOMs: []model.SBOM{{
			Source: "sboms/cam-2.1.0.cdx.json", Format: "cyclonedx-1.6-json", Model: "cam", Firmware: "2.1.0",
			Components: []model.Component{{Name: "openssl", Version: "3.0.13", PURL: "pkg:generic/openssl@3.0.13",
				Supplier: "OpenSSL", Licenses: []string{"Apache-2.0"}}},
		}},
		VulnDB: "testdb (2 advisories)",
		Scans: []model.Scan{{Source: "scan.xml", Hosts: []model.ScanHost{
			{Addresses: []string{"10.20.0.1"}, MAC: "AA:BB:CC:00:00:01", Status: "up", Ports: []model.Port{
				{Port: 443, Protocol: "tcp", Service: "https", TLS: true, TLSVersions: []model.TLSVersion{"1.2", "1.3"}}}},
			{Addresses: []string{"10.20.0.2"}, MAC: "aa-bb-cc-00-00-02", Status: "up", Ports: []model.Port{
				{Port: 443, Protocol: "tcp", Service: "https", TLS: true, TLSVersions: []model.TLSVersion{"1.3"}}}},
		}}},
		Certificates: []model.CertificateInfo{
			{Certificate: model.Certificate{Fingerprint: "FP-0001", Subject: "CN=cam-1", Issuer: "CN=Example Device CA", Serial: "01",
				NotBefore: ts("2026-01-01"), NotAfter: ts("2028-01-01"), KeyType: "ecdsa", KeyBits: 256, Curve: "P-256",
				SignatureAlgorithm: "ECDSA-SHA256", Trusted: &yes}, Source: "certs/cam-1.pem"},
		},
		MUD: []model.MUDProfile{{Source: "mud/cam.json", URL: "https://camco.example/cam.json", Model: "cam", ACLs: []model.MUDACL{
			{Name: "from", ACEs: []model.MUDACE{{Name: "cloud", Direction: "from-device", Host: "video.example.com", Protocol: 6, DstPort: "443", Action: "accept"}}},
			{Name: "to", ACEs: []model.MUDACE{
				{Name: "https", Direction: "to-device", LocalNetworks: true, Protocol: 6, DstPort: "443", Action: "accept"},
				{Name: "mqtt", Direction: "to-device", LocalNetworks: true, Protocol: 6, DstPort: "8883", Action: "accept"}}},
		}}},
		Cloud: []model.CloudThing{
			{Provider: "aws-iot", Name: "cam-1", Status: "ACTIVE", LastActivity: ts("2026-11-30T09:00:00Z")},
			{Provider: "aws-iot", Name: "cam-2", Status: "ACTIVE"},
		},
		AuditSources: []string{"aws/audit.json"},
	}
}

func withEvidence(edit func(*model.Evidence)) func() *model.Evidence {
	return func() *model.Evidence {
		ev := baseEvidence()
		if edit != nil {
			edit(ev)
		}
		return ev
	}
}

func vulnMatch() model.VulnMatch {
	return model.VulnMatch{Model: "cam", Firmware: "2.1.0", Component: "openssl", Version: "3.0.13",
		PURL: "pkg:generic/openssl@3.0.13", Advisory: "OSV-2026-1", Aliases: []string{"CVE-2026-0001"},
		Severity: model.High, Affected: ">=3.0.0, <3.0.14", Fixed: "3.0.14", Published: ts("2026-11-20")}
}

var evidenceCases = map[string][]conformanceCase{
	"vulnerable-firmware": {
		{name: "no match", evidence: withEvidence(nil), want: model.Pass},
		{name: "no vulnerability database", evidence: withEvidence(func(ev *model.Evidence) { ev.VulnDB = "" }), want: model.NotApplicableResult},
		{name: "affected component", evidence: withEvidence(func(ev *model.Evidence) {
			ev.Vulnerabilities = []model.VulnMatch{vulnMatch()}
		}), want: model.Fail, severity: model.High,
			msg: "openssl 3.0.13 is affected by OSV-2026-1 (CVE-2026-0001), affected >=3.0.0, <3.0.14, fixed in 3.0.14; 2 devices run cam@2.1.0"},
		{name: "known exploited is critical", evidence: withEvidence(func(ev *model.Evidence) {
			v := vulnMatch()
			v.KEV = true
			ev.Vulnerabilities = []model.VulnMatch{v}
		}), want: model.Fail, severity: model.Critical, msg: "known exploited (CISA KEV)"},
		{name: "patch SLA overdue", evidence: withEvidence(func(ev *model.Evidence) {
			v := vulnMatch()
			v.Published = ts("2026-09-01")
			ev.Vulnerabilities = []model.VulnMatch{v}
		}), want: model.Fail, msg: "remediation overdue by 60 days (SLA 30 days)"},
		{name: "suppressed by VEX", evidence: withEvidence(func(ev *model.Evidence) {
			v := vulnMatch()
			v.Suppressed, v.Justification = true, "code_not_reachable: TLS server unused"
			ev.Vulnerabilities = []model.VulnMatch{v}
		}), want: model.NotApplicableResult},
		{name: "firmware nobody runs", evidence: withEvidence(func(ev *model.Evidence) {
			v := vulnMatch()
			v.Firmware = "1.0.0"
			ev.Vulnerabilities = []model.VulnMatch{v}
		}), want: model.Pass},
	},
	"sbom-per-firmware": {
		{name: "firmware has its SBOM", evidence: withEvidence(nil), want: model.Pass},
		{name: "no SBOMs at all", evidence: withEvidence(func(ev *model.Evidence) { ev.SBOMs = nil }), want: model.NotApplicableResult},
		{name: "device on firmware without SBOM", evidence: withEvidence(nil),
			edit: devEdit("cam-2", func(d *model.Device) { d.Firmware = "2.0.0" }),
			want: model.Fail, msg: "1 devices run cam firmware 2.0.0, which has no SBOM (SBOMs exist for 2.1.0)"},
	},
	"sbom-supplier-complete": {
		{name: "complete", evidence: withEvidence(nil), want: model.Pass},
		{name: "gaps", evidence: withEvidence(func(ev *model.Evidence) {
			ev.SBOMs[0].Components = append(ev.SBOMs[0].Components, model.Component{Name: "busybox", Version: "1.36.1"})
		}), want: model.Fail, msg: "of 2 components, 1 lack a supplier, 1 lack a purl or CPE, 1 lack a licence"},
	},
	"component-end-of-life": {
		{name: "supported", evidence: withEvidence(func(ev *model.Evidence) {
			ev.SBOMs[0].Components[0].EndOfLife = ts("2030-01-01")
		}), want: model.Pass},
		{name: "past end of life", evidence: withEvidence(func(ev *model.Evidence) {
			ev.SBOMs[0].Components[0].EndOfSupport = ts("2026-09-11")
		}), want: model.Fail, msg: "1 components are past end of life or support: openssl 3.0.13 (2026-09-11)"},
	},
	"unregistered-device": {
		{name: "every host is known", evidence: withEvidence(nil), want: model.Pass},
		{name: "no scan", evidence: withEvidence(func(ev *model.Evidence) { ev.Scans, ev.Cloud = nil, nil }), want: model.NotApplicableResult},
		{name: "rogue host", evidence: withEvidence(func(ev *model.Evidence) {
			ev.Scans[0].Hosts = append(ev.Scans[0].Hosts, model.ScanHost{Addresses: []string{"10.20.0.99"}, MAC: "de:ad:be:ef:00:01", Status: "up",
				Ports: []model.Port{{Port: 23, Protocol: "tcp", Service: "telnet"}}})
		}), asset: "host 10.20.0.99", want: model.Fail,
			msg: "host 10.20.0.99 is on the network but not in the inventory (MAC de:ad:be:ef:00:01); open ports: 23/tcp telnet"},
		{name: "thing only in the cloud", evidence: withEvidence(func(ev *model.Evidence) {
			ev.Cloud = append(ev.Cloud, model.CloudThing{Provider: "aws-iot", Name: "cam-ghost"})
		}), asset: "aws-iot cam-ghost", want: model.Fail, msg: "aws-iot thing cam-ghost is registered but not in the inventory"},
	},
	"device-tls-minimum": {
		{name: "modern TLS", evidence: withEvidence(nil), want: model.Pass},
		{name: "not scanned", want: model.NotApplicableResult},
		{name: "TLS 1.0 accepted", evidence: withEvidence(func(ev *model.Evidence) {
			ev.Scans[0].Hosts[0].Ports[0].TLSVersions = []model.TLSVersion{"1.0", "1.2"}
		}), asset: "cam-1", want: model.Fail, msg: "443/tcp accepts TLS 1.0 (minimum 1.2)"},
	},
	"weak-tls-ciphers": {
		{name: "strong ciphers", evidence: withEvidence(nil), want: model.Pass},
		{name: "weak cipher", evidence: withEvidence(func(ev *model.Evidence) {
			ev.Scans[0].Hosts[0].Ports[0].WeakCiphers = []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA"}
		}), asset: "cam-1", want: model.Fail, msg: "weak ciphers accepted on 443/tcp: TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
	},
	"certificate-untrusted-issuer": {
		{name: "chains to the device CA", evidence: withEvidence(nil), asset: "cam-1", want: model.Pass},
		{name: "not verified", asset: "cam-1", want: model.NotApplicableResult},
		{name: "foreign issuer", evidence: withEvidence(func(ev *model.Evidence) {
			no := false
			ev.Certificates[0].Trusted = &no
			ev.Certificates[0].Issuer = "CN=Rogue CA"
		}), asset: "cam-1", want: model.Fail, msg: `issued by "CN=Rogue CA" does not chain to a trusted CA`},
	},
	"flow-outside-mud": {
		{name: "allowed by the profile", evidence: withEvidence(nil), want: model.Pass},
		{name: "no profile", want: model.NotApplicableResult},
		{name: "undeclared destination", evidence: withEvidence(nil), edit: func(s *model.Solution, _ *[]model.Device) {
			s.Flows = append(s.Flows, model.DataFlow{ID: "telemetry", Source: "model:cam", Destination: "external:metrics.vendor.example",
				Protocol: "https", Port: 443, Purpose: "diagnostics", Encrypted: true})
		}, asset: "telemetry", want: model.Fail,
			msg: "flow telemetry from cam to metrics.vendor.example port 443 is not allowed by the MUD profile https://camco.example/cam.json"},
	},
	"device-ports-outside-mud": {
		{name: "ports allowed", evidence: withEvidence(nil), asset: "cam-1", want: model.Pass},
		{name: "telnet not in profile", evidence: withEvidence(func(ev *model.Evidence) {
			ev.Scans[0].Hosts[0].Ports = append(ev.Scans[0].Hosts[0].Ports, model.Port{Port: 23, Protocol: "tcp", Service: "telnet"})
		}), asset: "cam-1", want: model.Fail, msg: "open ports 23/tcp are not allowed by the MUD profile of cam"},
	},
	"cloud-audit-findings": {
		{name: "clean audit", evidence: withEvidence(nil), want: model.Pass},
		{name: "shared certificate finding", evidence: withEvidence(func(ev *model.Evidence) {
			ev.CloudFindings = []model.CloudFinding{{Provider: "aws-iot", Check: "DEVICE_CERTIFICATE_SHARED_CHECK", Severity: model.Critical,
				Resource: "DEVICE_CERTIFICATE:b193ab7162", Reason: "Certificate shared by multiple devices", Controls: []string{"S16", "P07"}}}
		}), want: model.Fail, severity: model.Critical, msg: "aws-iot audit DEVICE_CERTIFICATE_SHARED_CHECK: Certificate shared by multiple devices"},
	},
	"decommissioned-enabled-in-cloud": {
		{name: "active device, active thing", evidence: withEvidence(nil), asset: "cam-1", want: model.NotApplicableResult},
		{name: "retired and disabled", evidence: withEvidence(func(ev *model.Evidence) { ev.Cloud[1].Status = "INACTIVE" }),
			edit: devEdit("cam-2", func(d *model.Device) { d.Lifecycle = model.Decommissioned }), asset: "cam-2", want: model.Pass},
		{name: "retired but enabled", evidence: withEvidence(nil),
			edit: devEdit("cam-2", func(d *model.Device) { d.Lifecycle = model.Decommissioned }), asset: "cam-2", want: model.Fail,
			msg: "device is decommissioned but its cloud registry status is ACTIVE"},
	},
}

// TestEnrichment checks what evidence changes in a device: scanned ports,
// certificate facts, CRL revocation, cloud activity.
func TestEnrichment(t *testing.T) {
	sol, devices := baseline()
	ev := baseEvidence()
	ev.Revoked = []model.RevokedSerial{{Issuer: "CN=Example Device CA", Serial: "01"}}
	ev.Scans[0].Hosts[0].Ports = append(ev.Scans[0].Hosts[0].Ports, model.Port{Port: 23, Protocol: "tcp", Service: "telnet"})
	ev.Cloud[0].FirmwareVersion = "2.1.0"
	env := newTestEnv(sol, ev)
	devices[0].Certificate.Fingerprint = "fp:00:01"
	got := env.Enrich(devices[0])
	var ports []int
	for _, p := range got.Ports {
		ports = append(ports, p.Port)
	}
	if diff := cmp.Diff([]int{443, 23, 8883}, ports); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	if !got.Certificate.Revoked || got.Certificate.Trusted == nil || !*got.Certificate.Trusted {
		t.Errorf("certificate not completed from evidence: %+v", got.Certificate)
	}
	if got.LastSeen.String() != "2026-11-30T09:00:00Z" || got.CloudStatus != "ACTIVE" {
		t.Errorf("cloud activity not merged: last seen %s, status %q", got.LastSeen, got.CloudStatus)
	}
	if devices[0].Certificate.Revoked || len(devices[0].Ports) != 2 {
		t.Error("enrichment changed the caller's device")
	}
}
