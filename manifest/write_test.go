package manifest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iotguard/iotguard/model"
)

var cmpOpts = cmp.Options{
	// model.Timestamp writes whole seconds (RFC 3339 without a fraction).
	cmp.Comparer(func(a, b model.Timestamp) bool { return a.Truncate(time.Second).Equal(b.Truncate(time.Second)) }),
	cmpopts.EquateEmpty(),
}

func cmpDiff(want, got any) string { return cmp.Diff(want, got, cmpOpts) }

func ts(s string) model.Timestamp {
	t, err := model.ParseTimestamp(s)
	if err != nil {
		panic(err)
	}
	return t
}

// fullSolution sets (nearly) every field of the model.
func fullSolution() *model.Solution {
	yes, no := true, false
	return &model.Solution{
		Version: 1,
		Name:    "Round trip: \"quotes\", colons and # hashes",
		Organization: model.Organization{Name: "ACME", Roles: map[model.Stakeholder]model.Party{
			model.ISP: {Name: "Ops", Contact: "ops@example.com"},
			model.IDD: {Name: "Vendor", Contact: "psirt@vendor.example"},
		}},
		Models: []model.DeviceModel{{
			ID: "cam", Vendor: "V", Model: "C1", Kind: "camera", HardwareVersion: "2",
			FirmwareVersion: "1.10", FirmwareReleased: ts("2026-01-01"),
			Firmware:           []model.FirmwareRelease{{Version: "1.10", Released: ts("2026-01-01"), Security: true}, {Version: "1.9", Released: ts("2025-06-01T12:30:00Z")}},
			SBOMs:              []string{"https://vendor.example/sbom/cam.json"},
			Update:             model.UpdatePolicy{Mechanism: "ota", Signed: true, Automatic: true, SupportEnd: ts("2030-01-01"), StagedRollout: true},
			Disclosure:         model.DisclosurePolicy{URL: "https://v.example/sec", Contact: "sec@v.example", SecurityTxt: true, Advisories: "https://v.example/csaf"},
			SupportContact:     "support@v.example",
			DefaultCredentials: model.CredDefault,
			DefaultSettings:    map[string]bool{"camera": true, "telnet": false},
			Ports: []model.Port{
				{Port: 443, Protocol: "tcp", Service: "https", TLS: true, Admin: true, Authenticated: &yes},
				{Port: 23, Protocol: "tcp", Service: "telnet", Banner: "BusyBox v1.2", Version: "v2c", Authenticated: &no},
			},
			MUD:              "https://vendor.example/mud/cam.json",
			Hardening:        model.Hardening{TamperDetection: true, StorageEncryption: true, DebugInterfacesEnabled: true, SecureBoot: true, FactoryReset: true},
			Sensors:          []string{"camera", "microphone"},
			ThreatModel:      &model.Document{Date: ts("2025-01-01"), Summary: "STRIDE", Evidence: []model.EvidenceFile{{Path: "ev/tm.pdf", SHA256: strings.Repeat("ab", 32)}}},
			SecurityTest:     &model.Document{},
			UserGuide:        "https://v.example/guide",
			PrivacyStatement: "https://v.example/privacy",
			Certifications:   []model.Certification{{Scheme: "ETSI EN 303 645", Scope: "security", Issued: ts("2025-01-01"), Expires: ts("2028-01-01")}},
			Owner:            "Team",
			SafetyCritical:   true,
		}, {ID: "sensor"}},
		Services: []model.Service{{
			ID: "api", Name: "API", Kind: "api", Endpoint: "api.example.com", Protocol: "https", Port: 443, TLS: "1.2",
			Authentication: "oauth2", InternetFacing: true, Admin: true,
			Logging:         model.Logging{Enabled: true, Sink: "siem", Integrity: "worm", Encrypted: true, RetentionDays: 400, RedactsSecrets: true, Alerts: []string{"auth-failure"}},
			Lockout:         5,
			PrivacyControls: []string{"access", "deletion"}, PrivacyNotice: "https://example.com/p", NoticeCategories: []string{"video"},
			AutomatedDecisions: []model.AutomatedDecision{{Name: "occupancy", HumanReview: true}, {Name: "billing"}},
			Owner:              "Ops",
		}},
		Networks: []model.Network{{ID: "iot", VLAN: 20, Purpose: "iot", InternetInbound: true, EgressAllowList: []string{"api.example.com"}, WiFiSecurity: "wpa2", Segregated: true, AllowedFlows: []string{"service:api"}}},
		Flows: []model.DataFlow{{
			ID: "video", Source: "model:cam", Destination: "external:cdn.example.net", Data: []string{"video"}, PII: true,
			Purpose: "security", LegalBasis: "consent", ConsentRecorded: true, RetentionDays: 30, Identifiers: []string{"serial"},
			Encrypted: true, Protocol: "https", Port: 443, Recipient: model.Recipient{Name: "CDN", Role: "processor", Agreement: "DPA-1"},
			Indirect: []string{"bystander-video"}, PreferencesHonoured: true, Observed: true,
		}},
		Policy: model.Policy{StaleDeviceDays: 30, MinTLS: "1.3", PatchSLADays: model.PatchSLA{Critical: 7}, PrivacySettings: []string{"camera"}},
		Attestations: []model.Attestation{
			{Control: "S01", Status: model.Implemented, Statement: "Policy approved.\nSecond line.", Owner: "CISO", Date: ts("2026-01-01"), ReviewDue: ts("2027-01-01"),
				Evidence: []model.EvidenceFile{{Path: "evidence/policy.pdf", SHA256: strings.Repeat("0f", 32)}}},
			{Control: "P11", Status: model.NotApplicable, Justification: "No automated decisions."},
		},
	}
}

func fullDevices() []model.Device {
	yes := true
	return []model.Device{
		{
			ID: "d1", Serial: "S1", Model: "cam", Firmware: "1.9", MAC: "00:11:22:33:44:55", IP: "10.0.0.1", Hostname: "cam-1", MQTTClientID: "cam-1",
			Certificate: &model.Certificate{File: "certs/d1.pem", Fingerprint: "ff00", Subject: "CN=d1", Issuer: "CN=CA", Serial: "01",
				NotBefore: ts("2025-01-01"), NotAfter: ts("2027-01-01T00:00:01Z"), KeyType: "rsa", KeyBits: 2048, Curve: "", SignatureAlgorithm: "sha256WithRSA", SelfSigned: true, Revoked: true},
			Lifecycle: model.Active, Site: "HQ", Location: model.Outdoor, Zone: "iot", LastSeen: ts("2026-02-01T10:00:00Z"),
			Decommissioned: ts("2026-02-02"), Wiped: true, Credentials: model.CredShared, Settings: map[string]bool{"telnet": true, "camera": false},
			Ports:            []model.Port{{Port: 80, Protocol: "tcp", Service: "http", Admin: true, Authenticated: &yes}},
			ReportedFirmware: "1.8", LastTelemetry: ts("2026-02-01"), ClockSkewSeconds: -42, TamperEvents: 3, Owner: "Ops", SafetyCritical: true, PreviousIdentity: "aa",
		},
		{ID: "d2 with spaces & \"quotes\"", Model: "sensor"},
		{ID: "yes", Model: "sensor", Serial: "0123", Firmware: "1.0"},
	}
}

func collect(t *testing.T, l *Loaded) []model.Device {
	t.Helper()
	var out []model.Device
	err := l.Inventory.Devices(context.Background(), func(d *model.Device) error {
		c := *d
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteLoadRoundTrip(t *testing.T) {
	for _, devicesFile := range []string{"", "devices.jsonl", "inv/devices.ndjson"} {
		t.Run("side file "+devicesFile, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "new")
			sol, devs := fullSolution(), fullDevices()
			if err := Write(dir, sol, devs, WriteOptions{DevicesFile: devicesFile, Header: "written by a test"}); err != nil {
				t.Fatal(err)
			}
			l, err := Load(filepath.Join(dir, FileName))
			if err != nil {
				data, _ := os.ReadFile(filepath.Join(dir, FileName))
				t.Fatalf("%v\n%s", err, data)
			}
			if diff := cmpDiff(fullSolution(), l.Solution); diff != "" {
				t.Errorf("solution differs (-want +got):\n%s", diff)
			}
			if diff := cmpDiff(fullDevices(), collect(t, l)); diff != "" {
				t.Errorf("devices differ (-want +got):\n%s", diff)
			}
			if l.DevicesFile != devicesFile {
				t.Errorf("DevicesFile %q", l.DevicesFile)
			}
			data, _ := os.ReadFile(filepath.Join(dir, FileName))
			if !strings.HasPrefix(string(data), "# written by a test\n") {
				t.Errorf("header missing:\n%s", data)
			}
			if devicesFile == "" && !strings.Contains(string(data), "devices:\n  - id: d1") {
				t.Errorf("devices not inline:\n%s", data)
			}
		})
	}
}

func TestWriteRejectsBadSideFile(t *testing.T) {
	for _, name := range []string{"devices.csv", "../devices.jsonl", "/tmp/devices.jsonl"} {
		if err := Write(t.TempDir(), fullSolution(), nil, WriteOptions{DevicesFile: name}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestWriteStarterRoundTrip(t *testing.T) {
	l, err := Parse("iotguard.yaml", Starter())
	if err != nil {
		t.Fatal(err)
	}
	devs := collect(t, l)
	dir := t.TempDir()
	if err := Write(dir, l.Solution, devs, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	l2, err := Load(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmpDiff(l.Solution, l2.Solution); diff != "" {
		t.Errorf("solution differs (-want +got):\n%s", diff)
	}
	if diff := cmpDiff(devs, collect(t, l2)); diff != "" {
		t.Errorf("devices differ (-want +got):\n%s", diff)
	}
}
