package checks

import (
	"time"

	"github.com/iotguard/iotguard/model"
)

// now is the fixed assessment time of every conformance case.
var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func ts(s string) model.Timestamp {
	t, err := model.ParseTimestamp(s)
	if err != nil {
		panic(err)
	}
	return t
}

func boolp(b bool) *bool { return &b }

// baseline returns a small solution that follows every rule: every check
// passes (or does not apply) on every asset of it. Conformance cases break
// one thing at a time.
func baseline() (*model.Solution, []model.Device) {
	sol := &model.Solution{
		Version: 1,
		Name:    "baseline",
		Organization: model.Organization{
			Name: "Example Buildings Ltd",
			Roles: map[model.Stakeholder]model.Party{
				model.ISP: {Name: "Operations", Contact: "ops@example.com"},
				model.ISD: {Name: "Platform team", Contact: "platform@example.com"},
				model.IU:  {Name: "Facilities", Contact: "facilities@example.com"},
				model.IDD: {Name: "Camco", Contact: "psirt@camco.example"},
			},
		},
		Models: []model.DeviceModel{{
			ID: "cam", Vendor: "Camco", Model: "C1", Kind: "camera", HardwareVersion: "2",
			FirmwareVersion: "2.1.0", FirmwareReleased: ts("2026-10-01"),
			Firmware: []model.FirmwareRelease{
				{Version: "2.0.0", Released: ts("2026-06-01"), Security: true},
				{Version: "2.1.0", Released: ts("2026-10-01"), Security: false},
			},
			SBOMs:              []string{"sboms/cam-2.1.0.cdx.json"},
			Update:             model.UpdatePolicy{Mechanism: "ota", Signed: true, Automatic: true, SupportEnd: ts("2030-12-31"), StagedRollout: true},
			Disclosure:         model.DisclosurePolicy{URL: "https://camco.example/security", Contact: "psirt@camco.example", SecurityTxt: true, Advisories: "https://camco.example/csaf"},
			SupportContact:     "https://camco.example/support",
			DefaultCredentials: model.CredUnique,
			DefaultSettings:    map[string]bool{"camera": true, "microphone": false, "location": false, "analytics": false, "telnet": false},
			Ports: []model.Port{
				{Port: 443, Protocol: "tcp", Service: "https", TLS: true, Authenticated: boolp(true)},
				{Port: 8883, Protocol: "tcp", Service: "mqtt", TLS: true, Authenticated: boolp(true)},
			},
			MUD:            "mud/cam.json",
			Hardening:      model.Hardening{TamperDetection: true, StorageEncryption: true, SecureBoot: true, FactoryReset: true},
			Sensors:        []string{"camera"},
			ThreatModel:    &model.Document{Date: ts("2026-02-01"), Summary: "STRIDE per interface"},
			SecurityTest:   &model.Document{Date: ts("2026-09-15"), Summary: "TS 103 701 assessment, no open issues"},
			UserGuide:      "https://camco.example/c1/guide",
			Certifications: []model.Certification{{Scheme: "ETSI EN 303 645", Scope: "security", Issued: ts("2026-01-10"), Expires: ts("2028-01-10")}},
			Owner:          "video-team",
		}},
		Services: []model.Service{{
			ID: "video-cloud", Name: "Video cloud", Kind: "api", Endpoint: "https://video.example.com",
			Protocol: "https", Port: 443, TLS: "1.3", Authentication: "mtls", InternetFacing: true,
			Logging: model.Logging{Enabled: true, Sink: "siem", Integrity: "worm", Encrypted: true, RetentionDays: 365,
				RedactsSecrets: true, Alerts: []string{"auth-failures", "new-listening-port", "new-destination"}},
			Lockout:          5,
			PrivacyControls:  []string{"access", "deletion", "export", "withdraw-consent"},
			PrivacyNotice:    "https://example.com/privacy",
			NoticeCategories: []string{"video"},
			Owner:            "platform-team",
		}},
		Networks: []model.Network{{
			ID: "iot-cameras", VLAN: 20, Purpose: "iot", InternetInbound: false,
			EgressAllowList: []string{"video.example.com"}, Segregated: true,
			AllowedFlows: []string{"service:video-cloud"},
		}},
		Flows: []model.DataFlow{{
			ID: "video-upload", Source: "model:cam", Destination: "service:video-cloud",
			Data: []string{"video"}, PII: true, Purpose: "building security monitoring",
			LegalBasis: "legitimate-interest", RetentionDays: 30, Identifiers: []string{"device-id"},
			Encrypted: true, Protocol: "https", Port: 443,
			Recipient:           model.Recipient{Name: "Example Buildings Ltd", Role: "controller"},
			PreferencesHonoured: true,
		}},
	}
	devices := []model.Device{
		baselineDevice("cam-1", "SN-0001", "aa:bb:cc:00:00:01", "fp-0001"),
		baselineDevice("cam-2", "SN-0002", "aa:bb:cc:00:00:02", "fp-0002"),
	}
	return sol, devices
}

func baselineDevice(id, serial, mac, fp string) model.Device {
	return model.Device{
		ID: id, Serial: serial, Model: "cam", Firmware: "2.1.0", MAC: mac, IP: "10.20.0." + id[len(id)-1:],
		MQTTClientID: id, Lifecycle: model.Active, Site: "hq", Location: model.Secured, Zone: "iot-cameras",
		LastSeen: ts("2026-11-30T08:00:00Z"), Credentials: model.CredUnique,
		Certificate: &model.Certificate{
			Fingerprint: fp, Subject: "CN=" + id, Issuer: "CN=Example Device CA", NotBefore: ts("2026-01-01"),
			NotAfter: ts("2028-01-01"), KeyType: "ecdsa", KeyBits: 256, Curve: "P-256", SignatureAlgorithm: "ECDSA-SHA256",
		},
		Ports: []model.Port{
			{Port: 443, Protocol: "tcp", Service: "https", TLS: true, Authenticated: boolp(true)},
			{Port: 8883, Protocol: "tcp", Service: "mqtt", TLS: true, Authenticated: boolp(true)},
		},
		ReportedFirmware: "2.1.0", LastTelemetry: ts("2026-11-30T11:00:00Z"), ClockSkewSeconds: 2,
		Owner: "facilities",
	}
}
