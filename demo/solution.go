package demo

import (
	"bytes"

	"github.com/iotguard/iotguard/model"
)

// Model IDs.
const (
	camX200  = "cam-x200"
	camV90   = "cam-v90"
	thermo   = "thermo-t500"
	doorDC4  = "door-dc4"
	doorDC2  = "door-dc2"
	gateway  = "gw-eg300"
	sensor   = "sensor-s3"
	speaker  = "speaker-m1"
	domain   = "northwind.example"
	deviceCA = "CN=Northwind Device CA G2,O=Northwind Smart Buildings"
)

// Network zone IDs.
const (
	zoneCorp       = "corp"
	zoneGuest      = "guest-wifi"
	zoneCameras    = "iot-cameras"
	zoneBuilding   = "iot-building"
	zoneMall       = "mall-iot"
	zoneAccess     = "access-control"
	zoneDepotAcc   = "depot-access"
	zoneLegacy     = "depot-legacy"
	zoneQuarantine = "iot-quarantine"
)

func (g *gen) solution() *model.Solution {
	return &model.Solution{
		Version: 1,
		Name:    "Northwind building IoT",
		Organization: model.Organization{
			Name: "Northwind Smart Buildings",
			Roles: map[model.Stakeholder]model.Party{
				model.ISP: {Name: "Northwind Building Operations", Contact: "building-ops@" + domain},
				model.ISD: {Name: "Northwind Platform Team", Contact: "platform-security@" + domain},
				// The mall's tenant group never named a contact (a deliberate problem).
				model.IU:  {Name: "Harbour Retail Group (Riverside Mall tenants)"},
				model.IDD: {Name: "Device vendors via Northwind procurement", Contact: "vendor-security@" + domain},
			},
		},
		Models:   g.models(),
		Services: services(),
		Networks: networks(),
		Flows:    flows(),
		Policy: model.Policy{
			// Northwind aims higher than the default 95% telemetry coverage;
			// everything else is the documented default.
			TelemetryCoveragePercent: 99,
		},
		Attestations: g.attestations(),
		Evidence:     evidenceSources(),
	}
}

func (g *gen) rel(version string, daysAgo int, security bool) model.FirmwareRelease {
	return model.FirmwareRelease{Version: version, Released: g.day(daysAgo), Security: security}
}

func port(n int, proto, service string, tls, admin bool) model.Port {
	return model.Port{Port: n, Protocol: proto, Service: service, TLS: tls, Admin: admin, Authenticated: boolp(true)}
}

func (g *gen) models() []model.DeviceModel {
	etsi := func(issuedAgo, expiresIn int) []model.Certification {
		return []model.Certification{{Scheme: "ETSI EN 303 645", Scope: "security", Issued: g.day(issuedAgo), Expires: g.day(-expiresIn)}}
	}
	disclosure := func(vendor string) model.DisclosurePolicy {
		return model.DisclosurePolicy{
			URL: "https://" + vendor + ".example/security", Contact: "psirt@" + vendor + ".example",
			SecurityTxt: true, Advisories: "https://" + vendor + ".example/csaf/",
		}
	}
	ota := func(supportYears int) model.UpdatePolicy {
		return model.UpdatePolicy{Mechanism: "ota", Signed: true, Automatic: true, SupportEnd: g.day(-365 * supportYears), StagedRollout: true}
	}
	hardened := model.Hardening{TamperDetection: true, StorageEncryption: true, SecureBoot: true, FactoryReset: true}
	doc := func(daysAgo int, summary string) *model.Document {
		return &model.Document{Date: g.day(daysAgo), Summary: summary}
	}
	return []model.DeviceModel{
		{
			ID: camX200, Vendor: "Veridian Optics", Model: "X200 Dome", Kind: "camera", HardwareVersion: "B",
			FirmwareVersion: "4.2.1", FirmwareReleased: g.day(21),
			Firmware: []model.FirmwareRelease{
				g.rel("4.0.3", 430, true), g.rel("4.1.0", 250, false), g.rel("4.2.0", 120, true), g.rel("4.2.1", 21, false),
			},
			SBOMs:  modelSBOMs(camX200),
			Update: ota(4), Disclosure: disclosure("veridian-optics"),
			SupportContact: "https://veridian-optics.example/support", DefaultCredentials: model.CredUnique,
			DefaultSettings: map[string]bool{"camera": true, "microphone": false, "analytics": false, "location": false, "telnet": false},
			Ports:           []model.Port{port(443, "tcp", "https", true, true)},
			MUD:             modelMUD(camX200), Hardening: hardened,
			Sensors:          []string{"camera", "microphone"},
			ThreatModel:      doc(200, "STRIDE per interface: video, ONVIF, cloud link, local admin"),
			SecurityTest:     doc(95, "Pen test by Castellan Labs against ETSI TS 103 701; 2 low findings closed"),
			UserGuide:        "https://veridian-optics.example/x200/guide",
			PrivacyStatement: "https://veridian-optics.example/x200/privacy",
			Certifications:   etsi(300, 795),
			Owner:            "security-ops",
		},
		{
			// The legacy yard camera: past support, universal default
			// password, no SBOM, weak certificates, lapsed certification.
			ID: camV90, Vendor: "Veridian Optics", Model: "V90 Bullet", Kind: "camera", HardwareVersion: "A",
			FirmwareVersion: "5.4.8", FirmwareReleased: g.day(900),
			Firmware:       []model.FirmwareRelease{g.rel("5.4.2", 1300, true), g.rel("5.4.8", 900, true)},
			Update:         model.UpdatePolicy{Mechanism: "manual", Signed: true, SupportEnd: g.day(420)},
			Disclosure:     disclosure("veridian-optics"),
			SupportContact: "https://veridian-optics.example/support", DefaultCredentials: model.CredDefault,
			DefaultSettings: map[string]bool{"camera": true, "analytics": false},
			Ports:           []model.Port{port(443, "tcp", "https", true, true)},
			MUD:             modelMUD(camV90),
			Hardening:       model.Hardening{FactoryReset: true},
			Sensors:         []string{"camera"},
			ThreatModel:     doc(640, "Legacy threat model, carried over from the depot commissioning"),
			SecurityTest:    doc(150, "Northwind red-team test of the depot: default passwords and RSA-1024 keys found"),
			UserGuide:       "https://veridian-optics.example/v90/guide",
			Certifications: []model.Certification{{
				Scheme: "ioXt Security Pledge", Scope: "security", Issued: g.day(1500), Expires: g.day(400),
			}},
			Owner: "security-ops",
		},
		{
			ID: thermo, Vendor: "Calida Climate", Model: "T500 Smart Thermostat", Kind: "thermostat", HardwareVersion: "3",
			FirmwareVersion: "2.4.1", FirmwareReleased: g.day(12),
			Firmware: []model.FirmwareRelease{
				g.rel("2.3.0", 330, false), g.rel("2.3.4", 150, false), g.rel("2.4.0", 75, true), g.rel("2.4.1", 12, false),
			},
			SBOMs: modelSBOMs(thermo),
			// No support end here: Calida states it in the firmware's SBOM
			// (metadata.component, cdx:lifecycle:milestone:endOfSupport),
			// which iotguard reads.
			Update:         model.UpdatePolicy{Mechanism: "ota", Signed: true, Automatic: true, StagedRollout: true},
			Disclosure:     disclosure("calida"),
			SupportContact: "support@calida.example", DefaultCredentials: model.CredUnique,
			DefaultSettings: map[string]bool{"analytics": false, "location": false},
			Ports:           []model.Port{port(5684, "udp", "coaps", true, false)},
			MUD:             modelMUD(thermo), Hardening: hardened,
			Sensors:          []string{"temperature", "humidity"},
			ThreatModel:      doc(260, "Threat model: local setpoint API, CoAP/DTLS, cloud reporting"),
			SecurityTest:     doc(180, "Vendor test report TR-T500-2.4, reviewed by Northwind"),
			UserGuide:        "https://calida.example/t500/guide",
			PrivacyStatement: "https://calida.example/privacy",
			Certifications:   etsi(420, 675),
			Owner:            "facilities",
		},
		{
			ID: doorDC4, Vendor: "Portis Security", Model: "DC4 Door Controller", Kind: "door-controller", HardwareVersion: "4.1",
			FirmwareVersion: "7.1.3", FirmwareReleased: g.day(40),
			Firmware: []model.FirmwareRelease{g.rel("7.0.2", 380, true), g.rel("7.1.0", 140, true), g.rel("7.1.3", 40, false)},
			SBOMs:    modelSBOMs(doorDC4),
			Update:   ota(6), Disclosure: disclosure("portis"),
			SupportContact: "https://portis.example/support", DefaultCredentials: model.CredUnique,
			DefaultSettings: map[string]bool{},
			Ports:           []model.Port{port(443, "tcp", "https", true, true)},
			MUD:             modelMUD(doorDC4), Hardening: hardened,
			ThreatModel:  doc(310, "Threat model incl. fire-door release fail-safe paths"),
			SecurityTest: doc(60, "IEC 62443-4-2 SL2 assessment by TÜV"),
			UserGuide:    "https://portis.example/dc4/guide",
			Certifications: append(etsi(500, 595), model.Certification{
				Scheme: "UL 294", Scope: "security", Issued: g.day(700), Expires: g.day(-1100),
			}),
			Owner:          "security-ops",
			SafetyCritical: true,
		},
		{
			// The depot's legacy door controller: stale security test, no
			// staged rollout, and the integrator that supported it is gone.
			ID: doorDC2, Vendor: "Portis Security", Model: "DC2 Door Controller", Kind: "door-controller", HardwareVersion: "2.0",
			FirmwareVersion: "3.2.7", FirmwareReleased: g.day(260),
			Firmware:           []model.FirmwareRelease{g.rel("3.2.5", 520, true), g.rel("3.2.7", 260, true)},
			SBOMs:              modelSBOMs(doorDC2),
			Update:             model.UpdatePolicy{Mechanism: "ota", Signed: true, SupportEnd: g.day(-500)},
			Disclosure:         disclosure("portis"),
			DefaultCredentials: model.CredUnique,
			DefaultSettings:    map[string]bool{},
			Ports: []model.Port{
				port(443, "tcp", "https", true, true),
				{Port: 161, Protocol: "udp", Service: "snmp", Version: "v2c"},
			},
			MUD: modelMUD(doorDC2), Hardening: hardened,
			ThreatModel:  doc(900, "Threat model from the depot access project"),
			SecurityTest: doc(700, "Integrator acceptance test (pre-dates current firmware)"),
			UserGuide:    "https://portis.example/dc2/guide",
			Certifications: []model.Certification{{
				Scheme: "UL 294", Scope: "security", Issued: g.day(1200), Expires: g.day(-600),
			}},
			Owner:          "security-ops",
			SafetyCritical: true,
		},
		{
			// Linux gateways bridging sensors to the broker; updates come
			// from an unsigned package feed.
			ID: gateway, Vendor: "Stratum Networks", Model: "EG-300 Edge Gateway", Kind: "gateway", HardwareVersion: "1.3",
			FirmwareVersion: "3.1.2", FirmwareReleased: g.day(30),
			Firmware:       []model.FirmwareRelease{g.rel("3.0.5", 310, true), g.rel("3.1.0", 95, true), g.rel("3.1.2", 30, false)},
			SBOMs:          modelSBOMs(gateway),
			Update:         model.UpdatePolicy{Mechanism: "ota", Signed: false, Automatic: false, SupportEnd: g.day(-365 * 5), StagedRollout: true},
			Disclosure:     disclosure("stratum-networks"),
			SupportContact: "https://stratum-networks.example/support", DefaultCredentials: model.CredUnique,
			DefaultSettings: map[string]bool{"telnet": false},
			Ports: []model.Port{
				port(22, "tcp", "ssh", false, true),
				port(443, "tcp", "https", true, true),
				port(8883, "tcp", "mqtt", true, false),
			},
			MUD: modelMUD(gateway), Hardening: hardened,
			ThreatModel:      doc(150, "Threat model: MQTT bridge, BLE/Zigbee radios, SSH management"),
			SecurityTest:     doc(120, "Northwind platform pen test 2025-Q3"),
			UserGuide:        "https://stratum-networks.example/eg300/guide",
			PrivacyStatement: "https://stratum-networks.example/privacy",
			Certifications:   etsi(250, 480),
			Owner:            "platform-team",
		},
		{
			// Environmental sensor whose MEMS microphone ("noise level") is
			// on by default and undocumented; no MUD profile and a thin
			// disclosure policy.
			ID: sensor, Vendor: "Aeris Sense", Model: "S3 Air & Occupancy Sensor", Kind: "sensor", HardwareVersion: "2",
			FirmwareVersion: "2.0.0", FirmwareReleased: g.day(95),
			Firmware:       []model.FirmwareRelease{g.rel("1.8.2", 520, true), g.rel("1.9.0", 410, false), g.rel("2.0.0", 95, false)},
			SBOMs:          modelSBOMs(sensor),
			Update:         ota(4),
			Disclosure:     model.DisclosurePolicy{URL: "https://aeris-sense.example/security", Contact: "security@aeris-sense.example"},
			SupportContact: "support@aeris-sense.example", DefaultCredentials: model.CredNone,
			DefaultSettings: map[string]bool{"microphone": true, "analytics": false},
			Ports:           []model.Port{port(5684, "udp", "coaps", true, false)},
			Hardening:       hardened,
			Sensors:         []string{"co2", "temperature", "humidity", "occupancy"},
			ThreatModel:     doc(330, "Vendor threat model summary"),
			SecurityTest:    doc(200, "Vendor self-assessment against ETSI TS 103 701"),
			UserGuide:       "https://aeris-sense.example/s3/guide",
			Certifications:  etsi(380, 350),
			Owner:           "facilities",
		},
		{
			// Meeting-room speaker that ships with usage analytics on. Nobody
			// owns the model in the register.
			ID: speaker, Vendor: "Sonora Audio", Model: "Meet M1 Conference Speaker", Kind: "speaker", HardwareVersion: "1",
			FirmwareVersion: "12.6", FirmwareReleased: g.day(60),
			Firmware: []model.FirmwareRelease{g.rel("12.4", 200, true), g.rel("12.6", 60, false)},
			SBOMs:    modelSBOMs(speaker),
			Update:   ota(3), Disclosure: disclosure("sonora-audio"),
			SupportContact: "https://sonora-audio.example/support", DefaultCredentials: model.CredNone,
			DefaultSettings: map[string]bool{"microphone": true, "analytics": true, "location": false},
			Ports:           []model.Port{port(443, "tcp", "https", true, true)},
			MUD:             modelMUD(speaker), Hardening: hardened,
			Sensors:          []string{"microphone"},
			ThreatModel:      doc(240, "Vendor threat model: wake word on device, cloud speech"),
			SecurityTest:     doc(210, "Vendor pen test summary"),
			UserGuide:        "https://sonora-audio.example/m1/guide",
			PrivacyStatement: "https://sonora-audio.example/privacy",
			Certifications:   []model.Certification{{Scheme: "ETSI EN 303 645", Scope: "both", Issued: g.day(330), Expires: g.day(-400)}},
		},
	}
}

// goodLogging is what the platform team's standard log set-up looks like.
func goodLogging() model.Logging {
	return model.Logging{
		Enabled: true, Sink: "log-pipeline", Integrity: "hash-chain", Encrypted: true, RetentionDays: 400,
		RedactsSecrets: true, Alerts: []string{"auth-failures", "new-listening-port", "config-change"},
	}
}

var allPrivacyControls = []string{"access", "deletion", "export", "withdraw-consent"}

func services() []model.Service {
	analyticsLog := goodLogging()
	analyticsLog.Integrity, analyticsLog.RetentionDays = "none", 30
	videoLog := goodLogging()
	videoLog.Alerts = []string{"new-destination", "config-change"}
	return []model.Service{
		{
			ID: "device-broker", Name: "Device broker (MQTT over TLS)", Kind: "broker",
			Endpoint: "mqtts://broker." + domain + ":8883", Protocol: "mqtts", Port: 8883, TLS: "1.2",
			Authentication: "mtls", InternetFacing: true, Logging: goodLogging(), Owner: "platform-team",
		},
		{
			ID: "video-cloud", Name: "Veridian Cloud VMS", Kind: "storage",
			Endpoint: "https://video.veridian-cloud.example", Protocol: "https", Port: 443, TLS: "1.2",
			Authentication: "mtls", InternetFacing: true, Logging: videoLog,
			// No export function: subject access requests are served by screen recordings.
			PrivacyControls: []string{"access", "deletion"},
			PrivacyNotice:   "https://" + domain + "/privacy/cctv", NoticeCategories: []string{"video"},
			Owner: "security-ops",
		},
		{
			ID: "access-saas", Name: "Portis Cloud access control", Kind: "api",
			Endpoint: "https://access.portis-cloud.example", Protocol: "https", Port: 443, TLS: "1.3",
			Authentication: "oauth2", InternetFacing: true, Logging: goodLogging(),
			PrivacyControls: allPrivacyControls,
			PrivacyNotice:   "https://" + domain + "/privacy/access", NoticeCategories: []string{"badge-id", "door-event", "name"},
			AutomatedDecisions: []model.AutomatedDecision{
				{Name: "suspend badge on anomalous access pattern", HumanReview: false},
			},
			Owner: "security-ops",
		},
		{
			ID: "analytics", Name: "Lumen occupancy analytics", Kind: "analytics",
			Endpoint: "https://ingest.lumen-analytics.example", Protocol: "https", Port: 443, TLS: "1.2",
			Authentication: "api-key", InternetFacing: true, Logging: analyticsLog, Lockout: 10,
			PrivacyControls: allPrivacyControls,
			PrivacyNotice:   "https://" + domain + "/privacy/occupancy", NoticeCategories: []string{"occupancy-count", "desk-presence"},
			AutomatedDecisions: []model.AutomatedDecision{
				{Name: "desk allocation from occupancy", HumanReview: true},
			},
			Owner: "workplace-it",
		},
		{
			ID: "admin-portal", Name: "Northwind admin portal", Kind: "admin",
			Endpoint: "https://admin." + domain, Protocol: "https", Port: 443, TLS: "1.3",
			Authentication: "password", InternetFacing: true, Admin: true, Logging: goodLogging(),
			Owner: "platform-team",
		},
		{
			ID: "log-pipeline", Name: "Log pipeline and SIEM", Kind: "storage",
			Endpoint: "https://logs." + domain, Protocol: "https", Port: 443, TLS: "1.3",
			Authentication: "mtls", Logging: model.Logging{
				Enabled: true, Sink: "worm-archive", Integrity: "worm", Encrypted: true, RetentionDays: 730,
				RedactsSecrets: true, Alerts: []string{"auth-failures", "log-gap"},
			},
			Owner: "platform-team",
		},
		{
			ID: "voice-cloud", Name: "Sonora voice cloud", Kind: "api",
			Endpoint: "https://voice.sonora-audio.example", Protocol: "https", Port: 443, TLS: "1.2",
			Authentication: "mtls", InternetFacing: true,
			// Logging was switched off by the vendor's onboarding script.
			Logging:         model.Logging{Enabled: false},
			PrivacyControls: allPrivacyControls,
			PrivacyNotice:   "https://" + domain + "/privacy/meeting-rooms", NoticeCategories: []string{"voice"},
			Owner: "workplace-it",
		},
		{
			ID: "bms-api", Name: "Depot building management API", Kind: "api",
			Endpoint: "https://bms.eastgate." + domain, Protocol: "https", Port: 8443, TLS: "1.0",
			Authentication: "api-key", Logging: goodLogging(), Lockout: 10,
			Owner: "facilities",
		},
	}
}

func networks() []model.Network {
	broker, timeSrv := "broker."+domain, "time."+domain
	return []model.Network{
		{ID: zoneCorp, VLAN: 10, Purpose: "corporate", WiFiSecurity: "wpa3", Segregated: true, AllowedFlows: []string{"service:admin-portal"}},
		{ID: zoneGuest, VLAN: 90, Purpose: "guest", WiFiSecurity: "open", Segregated: true},
		{
			ID: zoneCameras, VLAN: 20, Purpose: "iot", Segregated: true,
			EgressAllowList: []string{"video.veridian-cloud.example", broker, timeSrv},
			AllowedFlows:    []string{"service:video-cloud", "service:device-broker"},
		},
		{
			ID: zoneBuilding, VLAN: 30, Purpose: "iot", Segregated: true,
			EgressAllowList: []string{broker, timeSrv, "voice.sonora-audio.example", "ingest.lumen-analytics.example", "energy.calida.example"},
			AllowedFlows:    []string{"service:device-broker", "service:voice-cloud", "service:analytics", "service:bms-api"},
		},
		{
			// Set up by the landlord's integrator without egress filtering.
			ID: zoneMall, VLAN: 31, Purpose: "iot", Segregated: true,
			AllowedFlows: []string{"service:device-broker", "service:analytics"},
		},
		{
			ID: zoneAccess, VLAN: 40, Purpose: "safety", Segregated: true,
			EgressAllowList: []string{"access.portis-cloud.example", timeSrv},
			AllowedFlows:    []string{"service:access-saas"},
		},
		{
			// Still bridged to the depot office network.
			ID: zoneDepotAcc, VLAN: 41, Purpose: "safety", Segregated: false,
			EgressAllowList: []string{"access.portis-cloud.example", timeSrv},
			AllowedFlows:    []string{"service:access-saas"},
		},
		{
			// Port-forwarded for the old vendor's remote viewing app.
			ID: zoneLegacy, VLAN: 25, Purpose: "iot", InternetInbound: true, Segregated: false,
			EgressAllowList: []string{"video.veridian-cloud.example", timeSrv},
			AllowedFlows:    []string{"service:video-cloud"},
		},
		{
			ID: zoneQuarantine, VLAN: 26, Purpose: "iot", Segregated: true,
			EgressAllowList: []string{"video.veridian-cloud.example"},
			AllowedFlows:    []string{"service:video-cloud"},
		},
	}
}

func flows() []model.DataFlow {
	ctrl := model.Recipient{Name: "Northwind Smart Buildings", Role: "controller"}
	veridian := model.Recipient{Name: "Veridian Cloud Services", Role: "processor", Agreement: "DPA-VCS-2024-017"}
	portis := model.Recipient{Name: "Portis Cloud", Role: "processor", Agreement: "DPA-PC-2023-004"}
	devID := []string{"device-id"}
	return []model.DataFlow{
		{
			ID: "cam-video", Source: "model:" + camX200, Destination: "service:video-cloud",
			Data: []string{"video"}, PII: true, Purpose: "building security monitoring",
			LegalBasis: "legitimate-interest", RetentionDays: 30, Identifiers: devID,
			Encrypted: true, Protocol: "https", Port: 443, Recipient: veridian, PreferencesHonoured: true,
		},
		{
			ID: "legacy-cam-video", Source: "model:" + camV90, Destination: "service:video-cloud",
			Data: []string{"video"}, PII: true, Purpose: "depot yard security monitoring",
			LegalBasis: "legitimate-interest", RetentionDays: 30, Identifiers: devID,
			Encrypted: true, Protocol: "https", Port: 443, Recipient: veridian, PreferencesHonoured: true,
		},
		{
			ID: "badge-events", Source: "model:" + doorDC4, Destination: "service:access-saas",
			Data: []string{"badge-id", "door-event"}, PII: true, Purpose: "access control and fire-door monitoring",
			LegalBasis: "legitimate-interest", RetentionDays: 90, Identifiers: devID,
			Encrypted: true, Protocol: "https", Port: 443, Recipient: portis, PreferencesHonoured: true,
		},
		{
			// The DC2s post badge events over plain HTTP through a legacy bridge.
			ID: "depot-badge-events", Source: "model:" + doorDC2, Destination: "service:access-saas",
			Data: []string{"badge-id", "door-event"}, PII: true, Purpose: "access control at the depot",
			LegalBasis: "legitimate-interest", RetentionDays: 90, Identifiers: devID,
			Encrypted: false, Protocol: "http", Port: 80, Recipient: portis, PreferencesHonoured: true,
		},
		{
			ID: "thermostat-telemetry", Source: "model:" + thermo, Destination: "service:device-broker",
			Data: []string{"temperature", "humidity", "setpoint"}, Purpose: "climate control",
			Identifiers: []string{"serial"}, Encrypted: true, Protocol: "mqtts", Port: 8883, Recipient: ctrl,
		},
		{
			// The same thermostat serial also goes to the vendor.
			ID: "thermostat-energy-reports", Source: "model:" + thermo, Destination: "external:energy.calida.example",
			Data: []string{"energy-usage", "setpoint"}, Purpose: "vendor energy optimisation reports",
			Identifiers: []string{"serial"}, Encrypted: true, Protocol: "https", Port: 443,
			Recipient: model.Recipient{Name: "Calida Climate", Role: "third-party", Agreement: "Calida service agreement 2024"},
		},
		{
			ID: "thermostat-bms", Source: "model:" + thermo, Destination: "service:bms-api",
			Data: []string{"setpoint", "temperature"}, Purpose: "depot HVAC scheduling",
			Encrypted: true, Protocol: "https", Port: 8443, Recipient: ctrl,
		},
		{
			// "audio-level" comes from a microphone the model does not declare.
			ID: "sensor-telemetry", Source: "model:" + sensor, Destination: "service:device-broker",
			Data: []string{"co2", "temperature", "humidity", "occupancy-count", "audio-level"}, Purpose: "air quality and occupancy",
			Identifiers: devID, Encrypted: true, Protocol: "coaps", Port: 5684, Recipient: ctrl,
		},
		{
			ID: "gateway-uplink", Source: "model:" + gateway, Destination: "service:device-broker",
			Data: []string{"sensor-readings", "device-health"}, Purpose: "bridge sensor data to the broker",
			Identifiers: devID, Encrypted: true, Protocol: "mqtts", Port: 8883, Recipient: ctrl,
		},
		{
			// Gateways scan neighbouring Wi-Fi to estimate footfall, undeclared.
			ID: "wifi-footfall", Source: "model:" + gateway, Destination: "service:analytics",
			Data: []string{"occupancy-count", "wifi-scan"}, PII: true, Purpose: "footfall estimation in the mall",
			LegalBasis: "legitimate-interest", RetentionDays: 30, Encrypted: true, Protocol: "https", Port: 443,
			Recipient:           model.Recipient{Name: "Lumen Analytics", Role: "third-party", Agreement: "DPA-LUM-2025-002"},
			PreferencesHonoured: true,
		},
		{
			ID: "occupancy-analytics", Source: "service:device-broker", Destination: "service:analytics",
			Data: []string{"occupancy-count", "desk-presence"}, PII: true, Purpose: "workspace utilisation analytics",
			LegalBasis: "legitimate-interest", RetentionDays: 180, Encrypted: true, Protocol: "https", Port: 443,
			Recipient: model.Recipient{Name: "Lumen Analytics", Role: "third-party"},
		},
		{
			ID: "voice-commands", Source: "model:" + speaker, Destination: "service:voice-cloud",
			Data: []string{"voice"}, PII: true, Purpose: "voice control of meeting-room AV",
			LegalBasis: "consent", ConsentRecorded: false, RetentionDays: 30, Identifiers: devID,
			Encrypted: true, Protocol: "https", Port: 443,
			Recipient:           model.Recipient{Name: "Sonora Audio Cloud", Role: "processor", Agreement: "DPA-SON-2024-011"},
			PreferencesHonoured: true,
		},
		{
			ID: "video-archive", Source: "service:video-cloud", Destination: "external:archive.coldvault.example",
			Data: []string{"video"}, PII: true, Purpose: "incident evidence archive",
			LegalBasis: "legitimate-interest", RetentionDays: 2555, Encrypted: true, Protocol: "https", Port: 443,
			Recipient:           model.Recipient{Name: "ColdVault Storage", Role: "processor", Agreement: "DPA-CV-2023-009"},
			PreferencesHonoured: true,
		},
		{
			ID: "badge-hr-sync", Source: "service:access-saas", Destination: "external:hr." + domain,
			Data: []string{"badge-id", "name"}, PII: true,
			LegalBasis: "legitimate-interest", RetentionDays: 365, Encrypted: true, Protocol: "https", Port: 443,
			Recipient: model.Recipient{Name: "Northwind HR", Role: "controller"}, PreferencesHonoured: true,
		},
		{
			ID: "lift-diagnostics", Source: "zone:" + zoneBuilding, Destination: "external:diag.liftco.example",
			Data: []string{"lift-status", "fault-codes"}, Purpose: "remote lift diagnostics by the lift maintainer",
			Encrypted: true, Protocol: "https", Port: 443,
			Recipient: model.Recipient{Name: "LiftCo Maintenance", Role: "third-party", Agreement: "LiftCo maintenance contract"},
		},
		{
			ID: "security-logs", Source: "service:device-broker", Destination: "service:log-pipeline",
			Data: []string{"security-events"}, Purpose: "security monitoring",
			Encrypted: true, Protocol: "https", Port: 443, Recipient: ctrl,
		},
		{
			// Seen in NetFlow from HQ gateways; nobody declared it.
			ID: "observed-gw-egress", Source: "model:" + gateway, Destination: "external:203.0.113.77",
			Data: []string{"unknown"}, Encrypted: true, Protocol: "tls", Port: 443, Observed: true,
		},
	}
}

func (g *gen) attestations() []model.Attestation {
	at := func(control string, status model.ControlStatus, owner, statement string, dateAgo, reviewIn int, ev ...model.EvidenceFile) model.Attestation {
		return model.Attestation{
			Control: control, Status: status, Statement: statement, Owner: owner,
			Date: g.day(dateAgo), ReviewDue: g.day(-reviewIn), Evidence: ev,
		}
	}
	// The S06 review was approved, then edited: the recorded SHA-256 is that
	// of the text as approved, before the addendum was added.
	s06 := evidence("S06-incident-review-INC-2025-0412.md")
	if b, err := evidenceFS.ReadFile(s06.Path); err == nil {
		if i := bytes.Index(b, []byte("## Addendum")); i > 0 {
			s06.SHA256 = sha256Hex(b[:i])
		}
	}
	return []model.Attestation{
		at("S01", model.Implemented, "CISO", "The IoT security policy NWSB-POL-007 v3.2 is approved and sets the thresholds iotguard uses.",
			120, 245, evidence("S01-iot-security-policy.md")),
		at("S02", model.Implemented, "CISO", "Every product line and device group has a named security owner.",
			90, 275, evidence("S02-security-ownership-register.md")),
		at("S06", model.Implemented, "SOC lead", "Incidents are reviewed and their corrective actions tracked to closure.",
			150, 215, s06),
		at("S09", model.PartiallyImplemented, "Fire safety officer",
			"Fire-door release fails safe at HQ and the mall; depot segregation and staged DC2 updates are pending.",
			60, 120, evidence("S09-fire-door-failsafe-test.md")),
		// Review overdue: the guidance was due for its yearly review a month ago.
		at("S20", model.Implemented, "Facilities manager", "Building users and tenants receive guidance on the devices and how to report problems.",
			395, -30, evidence("S20-user-guidance-facilities.md")),
		// One of the two evidence files was never uploaded.
		at("S21", model.Implemented, "CISO", "Security roles of operator, platform team, tenants and vendors are agreed in a RACI.",
			100, 265, evidence("S21-security-roles.md"), model.EvidenceFile{
				Path: "evidence/S21-raci-signoff.pdf", SHA256: "9f2c4be01d7a3e5f8a6b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f7",
			}),
		at("S28", model.Implemented, "Tenant liaison", "Tenants were consulted on camera placement, occupancy sensing and speakers.",
			80, 285, evidence("S28-tenant-consultation.md")),
		at("P11", model.PartiallyImplemented, "Data protection officer",
			"Automated decisions are registered; human review for badge suspension is being designed.",
			45, 320, evidence("P11-automated-decision-register.md")),
		at("P12", model.Implemented, "Data protection officer", "Every processor and third party receiving personal data is under a signed agreement.",
			70, 295, evidence("P12-processor-register.md")),
		{
			Control: "P14", Status: model.NotApplicable, Owner: "Data protection officer", Date: g.day(70), ReviewDue: g.day(-295),
			Statement: "Northwind publishes no device PII protection statement of its own.",
			Justification: "Northwind designs and manufactures no devices; each vendor publishes the PII protection " +
				"statement of its models (linked from the model's privacy_statement), which procurement requires.",
		},
		at("P17", model.Implemented, "Procurement", "Device models hold a current security certification.",
			30, 335, evidence("P17-certification-register.md")),
		// P15 (the tenants' own privacy settings) is left unattested: the
		// tenants have not answered yet, so it stays not assessed.
	}
}
