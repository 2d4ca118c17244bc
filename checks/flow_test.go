package checks

import (
	"testing"

	"github.com/iotguard/iotguard/model"
)

// editFlow changes the baseline's first flow (video-upload).
func editFlow(fn func(f *model.DataFlow)) func(*model.Solution, *[]model.Device) {
	return func(sol *model.Solution, _ *[]model.Device) { fn(&sol.Flows[0]) }
}

// addFlow adds a copy of the baseline flow, changed by fn; cases name it
// with asset.
func addFlow(fn func(f *model.DataFlow)) func(*model.Solution, *[]model.Device) {
	return func(sol *model.Solution, _ *[]model.Device) {
		f := sol.Flows[0]
		f.Data = append([]string(nil), f.Data...)
		f.Identifiers = append([]string(nil), f.Identifiers...)
		fn(&f)
		sol.Flows = append(sol.Flows, f)
	}
}

// egressFlow adds flow "egress" from the camera zone to an external host.
func egressFlow(dest string) func(*model.Solution, *[]model.Device) {
	return addFlow(func(f *model.DataFlow) {
		f.ID, f.Source, f.Destination = "egress", "zone:iot-cameras", dest
	})
}

var flowCases = map[string][]conformanceCase{
	"flow-purpose": {
		{name: "declared", want: model.Pass},
		{name: "PII without purpose", edit: editFlow(func(f *model.DataFlow) { f.Purpose = " " }),
			want: model.Fail, msg: "PII flow video-upload (model:cam to service:video-cloud) has no declared purpose", severity: model.High},
		{name: "non-PII without purpose", edit: editFlow(func(f *model.DataFlow) { f.Purpose, f.PII = "", false }),
			want: model.Fail, msg: "flow video-upload", severity: model.Medium},
		{name: "flow without ID", edit: editFlow(func(f *model.DataFlow) { f.ID, f.Purpose = "", "" }),
			asset: "", want: model.Fail, msg: "PII flow model:cam -> service:video-cloud has no declared purpose"},
	},
	"pii-flow-legal-basis": {
		{name: "legitimate interest", want: model.Pass},
		{name: "consent recorded", edit: editFlow(func(f *model.DataFlow) { f.LegalBasis, f.ConsentRecorded = "consent", true }), want: model.Pass},
		{name: "no basis", edit: editFlow(func(f *model.DataFlow) { f.LegalBasis = "" }),
			want: model.Fail, msg: "PII flow video-upload has no legal basis"},
		{name: "consent not recorded", edit: editFlow(func(f *model.DataFlow) { f.LegalBasis = "Consent" }),
			want: model.Fail, msg: "relies on consent but consent is not recorded"},
		{name: "non-PII", edit: editFlow(func(f *model.DataFlow) { f.PII, f.LegalBasis = false, "" }), want: model.NotApplicableResult},
	},
	"pii-flow-encryption": {
		{name: "encrypted", want: model.Pass},
		{name: "PII in plaintext", edit: editFlow(func(f *model.DataFlow) { f.Encrypted, f.Protocol, f.Port = false, "http", 80 }),
			want: model.Fail, msg: "PII flow video-upload (video) from model:cam to service:video-cloud is not encrypted", severity: model.High},
		{name: "non-PII to an external host in plaintext", edit: editFlow(func(f *model.DataFlow) {
			f.Encrypted, f.PII, f.Destination = false, false, "external:ntp.example.org"
		}), want: model.Fail, msg: "to external host ntp.example.org is not encrypted", severity: model.Medium},
		{name: "non-PII inside the solution", edit: editFlow(func(f *model.DataFlow) { f.Encrypted, f.PII = false, false }),
			want: model.NotApplicableResult},
	},
	"pii-flow-agreement": {
		{name: "controller", want: model.Pass},
		{name: "processor with agreement", edit: editFlow(func(f *model.DataFlow) {
			f.Recipient = model.Recipient{Name: "CloudCo", Role: "processor", Agreement: "DPA-2026-04"}
		}), want: model.Pass},
		{name: "processor without agreement", edit: editFlow(func(f *model.DataFlow) {
			f.Recipient = model.Recipient{Name: "CloudCo", Role: "processor"}
		}), want: model.Fail, msg: `goes to processor "CloudCo" without an agreement`},
		{name: "unnamed external recipient", edit: editFlow(func(f *model.DataFlow) {
			f.Destination, f.Recipient = "external:api.vendor.example", model.Recipient{Role: "controller"}
		}), want: model.Fail, msg: "goes to external host api.vendor.example with no named recipient"},
		{name: "unnamed third party without agreement", edit: editFlow(func(f *model.DataFlow) {
			f.Destination, f.Recipient = "external:ads.example", model.Recipient{Role: "third-party"}
		}), want: model.Fail, msg: "unnamed third-party at ads.example without an agreement"},
		{name: "non-PII", edit: editFlow(func(f *model.DataFlow) { f.PII, f.Recipient = false, model.Recipient{Role: "processor"} }),
			want: model.NotApplicableResult},
	},
	"pii-flow-retention": {
		{name: "30 days", want: model.Pass},
		{name: "undefined", edit: editFlow(func(f *model.DataFlow) { f.RetentionDays = 0 }),
			want: model.Fail, msg: "PII flow video-upload has no defined retention period"},
		{name: "too long", edit: editFlow(func(f *model.DataFlow) { f.RetentionDays = 400 }),
			want: model.Fail, msg: "keeps data 400 days, more than the 365-day maximum"},
		{name: "policy maximum", edit: func(sol *model.Solution, _ *[]model.Device) { sol.Policy.MaxPIIRetentionDays = 14 },
			want: model.Fail, msg: "more than the 14-day maximum"},
		{name: "non-PII", edit: editFlow(func(f *model.DataFlow) { f.PII, f.RetentionDays = false, 0 }), want: model.NotApplicableResult},
	},
	"indirect-data-collection": {
		{name: "no bystander data", want: model.Pass},
		{name: "declared bystander data with purpose", edit: editFlow(func(f *model.DataFlow) {
			f.Data = append(f.Data, "bystander-video")
			f.Indirect = []string{"bystander-video"}
		}), want: model.Pass},
		{name: "undeclared scans", edit: editFlow(func(f *model.DataFlow) {
			f.Data = []string{"temperature", "wifi-scan", "BLE-scan"}
		}), want: model.Fail, msg: "carries undeclared bystander data: wifi-scan, BLE-scan"},
		{name: "indirect without purpose", edit: editFlow(func(f *model.DataFlow) {
			f.Indirect, f.Purpose = []string{"raw-audio"}, ""
		}), want: model.Fail, msg: "collects indirect data (raw-audio) without a declared purpose"},
	},
	"privacy-preferences-propagated": {
		{name: "controller inside the solution", want: model.NotApplicableResult},
		{name: "processor honours preferences", edit: editFlow(func(f *model.DataFlow) { f.Recipient.Role = "processor" }), want: model.Pass},
		{name: "processor ignores preferences", edit: editFlow(func(f *model.DataFlow) {
			f.Recipient, f.PreferencesHonoured = model.Recipient{Name: "CloudCo", Role: "processor"}, false
		}), want: model.Fail, msg: "PII flow video-upload to processor CloudCo does not honour"},
		{name: "external destination ignores preferences", edit: editFlow(func(f *model.DataFlow) {
			f.Destination, f.Recipient, f.PreferencesHonoured = "external:cdn.example", model.Recipient{}, false
		}), want: model.Fail, msg: "to external recipient external:cdn.example", severity: model.Low},
		{name: "non-PII", edit: editFlow(func(f *model.DataFlow) { f.PII, f.Recipient.Role, f.PreferencesHonoured = false, "processor", false }),
			want: model.NotApplicableResult},
	},
	"sensor-data-declared": {
		{name: "video from a camera", want: model.Pass},
		{name: "no sensor data", edit: editFlow(func(f *model.DataFlow) { f.Data = []string{"temperature"} }), want: model.Pass},
		{name: "audio without a microphone", edit: editFlow(func(f *model.DataFlow) { f.Data = []string{"video", "raw-audio"} }),
			want: model.Fail, msg: "flow video-upload carries raw-audio but model cam does not document a microphone sensor"},
		{name: "GPS without a location sensor", edit: editFlow(func(f *model.DataFlow) { f.Data = []string{"gps-position", "voice"} }),
			want: model.Fail, msg: "carries gps-position, voice but model cam does not document a location or microphone sensor"},
		{name: "GPS sensor documented", edit: func(sol *model.Solution, _ *[]model.Device) {
			sol.Models[0].Sensors = append(sol.Models[0].Sensors, "gps")
			sol.Flows[0].Data = []string{"video", "location"}
		}, want: model.Pass},
		{name: "unknown model", edit: editFlow(func(f *model.DataFlow) { f.Source = "model:doorbell" }),
			want: model.Fail, msg: "from model doorbell, which is not declared"},
		{name: "zone source", edit: editFlow(func(f *model.DataFlow) { f.Source = "zone:iot-cameras" }), want: model.NotApplicableResult},
	},
	"flow-egress-allowed": {
		{name: "internal destination", want: model.NotApplicableResult},
		{name: "listed host", edit: egressFlow("external:video.example.com"), asset: "egress", want: model.Pass},
		{name: "listed host as a URL", edit: egressFlow("external:https://Video.Example.com:443/upload"), asset: "egress", want: model.Pass},
		{name: "wildcard entry", edit: func(sol *model.Solution, d *[]model.Device) {
			sol.Networks[0].EgressAllowList = []string{"*.example.com"}
			egressFlow("external:eu.video.example.com")(sol, d)
		}, asset: "egress", want: model.Pass},
		{name: "CIDR entry", edit: func(sol *model.Solution, d *[]model.Device) {
			sol.Networks[0].EgressAllowList = []string{"203.0.113.0/24"}
			egressFlow("external:203.0.113.7")(sol, d)
		}, asset: "egress", want: model.Pass},
		{name: "wildcard does not match the bare domain", edit: func(sol *model.Solution, d *[]model.Device) {
			sol.Networks[0].EgressAllowList = []string{"*.example.com"}
			egressFlow("external:example.com")(sol, d)
		}, asset: "egress", want: model.Fail, msg: "goes to example.com"},
		{name: "unlisted host", edit: egressFlow("external:telemetry.vendor.example"), asset: "egress",
			want: model.Fail, msg: "flow egress goes to telemetry.vendor.example, which is not in zone iot-cameras's egress allow-list"},
		{name: "undeclared zone", edit: addFlow(func(f *model.DataFlow) {
			f.ID, f.Source, f.Destination = "egress", "zone:lab", "external:x.example"
		}), asset: "egress", want: model.Fail, msg: "starts at zone lab, which is not declared"},
		{name: "zone without allow-list", edit: func(sol *model.Solution, d *[]model.Device) {
			sol.Networks[0].EgressAllowList = nil
			egressFlow("external:x.example")(sol, d)
		}, asset: "egress", want: model.NotApplicableResult},
		{name: "model source", edit: editFlow(func(f *model.DataFlow) { f.Destination = "external:x.example" }),
			want: model.NotApplicableResult},
	},
	"observed-flow-declared": {
		{name: "declared flow", want: model.NotApplicableResult},
		{name: "observed and declared", edit: addFlow(func(f *model.DataFlow) {
			f.ID, f.Observed, f.Source = "seen", true, "Model:cam"
		}), asset: "seen", want: model.Pass},
		{name: "observed only", edit: addFlow(func(f *model.DataFlow) {
			f.ID, f.Observed, f.Destination, f.Protocol, f.Port = "seen", true, "external:198.51.100.9", "tcp", 4444
		}), asset: "seen", want: model.Fail, msg: "observed flow seen from model:cam to external:198.51.100.9 matches no declared flow"},
		{name: "matches only another observed flow", edit: func(sol *model.Solution, d *[]model.Device) {
			sol.Flows[0].Observed = true
			addFlow(func(f *model.DataFlow) { f.ID = "seen" })(sol, d)
		}, asset: "seen", want: model.Fail, msg: "matches no declared flow"},
	},
}

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind endpointKind
		ref  string
	}{
		{"model:cam", endpointModel, "cam"},
		{" Zone: iot ", endpointZone, "iot"},
		{"service:video-cloud", endpointService, "video-cloud"},
		{"external:https://x.example:8443/a", endpointExternal, "https://x.example:8443/a"},
		{"cam", "", "cam"},
		{"device:cam-1", "", "device:cam-1"},
		{"", "", ""},
	} {
		k, r := parseEndpoint(tc.in)
		if k != tc.kind || r != tc.ref {
			t.Errorf("parseEndpoint(%q) = %q, %q; want %q, %q", tc.in, k, r, tc.kind, tc.ref)
		}
	}
}

func TestEgressAllowed(t *testing.T) {
	if !egressAllowed([]string{"*"}, "anything.example") {
		t.Error("* allows any host")
	}
	allow := []string{"video.example.com", "*.updates.example.net", "https://api.example.org/v1", "10.0.0.0/8", "2001:db8::/32"}
	for host, want := range map[string]bool{
		"video.example.com":          true,
		"VIDEO.example.com.":         true,
		"video.example.com:443":      true,
		"evil-video.example.com":     false,
		"eu.updates.example.net":     true,
		"updates.example.net":        false,
		"api.example.org":            true,
		"10.1.2.3":                   true,
		"11.1.2.3":                   false,
		"[2001:db8::1]:443":          true,
		"https://api.example.org:80": true,
		"":                           false,
	} {
		if got := egressAllowed(allow, host); got != want {
			t.Errorf("egressAllowed(%q) = %v, want %v", host, got, want)
		}
	}
	if egressAllowed(nil, "video.example.com") {
		t.Error("an empty list allows nothing by itself")
	}
}
