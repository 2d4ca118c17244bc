package checks

import (
	"testing"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// mdlEdit edits the baseline model.
func mdlEdit(fn func(m *model.DeviceModel)) func(*model.Solution, *[]model.Device) {
	return func(s *model.Solution, _ *[]model.Device) { fn(&s.Models[0]) }
}

var modelCases = map[string][]conformanceCase{
	"model-update-policy": {
		{name: "signed OTA with a support end", want: model.Pass},
		{name: "manual signed updates", edit: mdlEdit(func(m *model.DeviceModel) { m.Update.Mechanism, m.Update.Automatic = "manual", false }),
			want: model.Pass},
		{name: "unsigned", edit: mdlEdit(func(m *model.DeviceModel) { m.Update.Signed = false }),
			want: model.Fail, msg: "model cam: updates are not signed", severity: model.High},
		{name: "not updatable and no support end", edit: mdlEdit(func(m *model.DeviceModel) {
			m.Update = model.UpdatePolicy{Mechanism: "none"}
		}), want: model.Fail, msg: "the model cannot be updated (mechanism none); no support end date declared"},
		{name: "nothing declared", edit: mdlEdit(func(m *model.DeviceModel) { m.Update = model.UpdatePolicy{} }),
			want: model.Fail, msg: "no update mechanism declared; no support end date declared"},
	},
	"model-support-contact": {
		{name: "contact recorded", want: model.Pass},
		{name: "no contact", edit: mdlEdit(func(m *model.DeviceModel) { m.SupportContact = " " }),
			want: model.Fail, msg: "model cam has no support contact", severity: model.Low},
	},
	"model-disclosure-policy": {
		{name: "policy, security.txt and CSAF", want: model.Pass},
		{name: "contact and advisories only", edit: mdlEdit(func(m *model.DeviceModel) {
			m.Disclosure = model.DisclosurePolicy{Contact: "psirt@camco.example", Advisories: "https://camco.example/csaf"}
		}), want: model.Pass},
		{name: "no disclosure channel", edit: mdlEdit(func(m *model.DeviceModel) { m.Disclosure.URL, m.Disclosure.Contact = "", "" }),
			want: model.Fail, msg: "no vulnerability disclosure policy URL or contact", severity: model.Medium},
		{name: "no machine-readable publication", edit: mdlEdit(func(m *model.DeviceModel) {
			m.Disclosure.SecurityTxt, m.Disclosure.Advisories = false, ""
		}), want: model.Fail, msg: "neither security.txt nor machine-readable advisories", severity: model.Low},
	},
	"model-sbom-declared": {
		{name: "SBOM referenced", want: model.Pass},
		{name: "no SBOM", edit: mdlEdit(func(m *model.DeviceModel) { m.SBOMs = nil }),
			want: model.Fail, msg: "model cam references no SBOM", severity: model.Medium},
		{name: "blank reference", edit: mdlEdit(func(m *model.DeviceModel) { m.SBOMs = []string{""} }),
			want: model.Fail, msg: "references no SBOM"},
	},
	"model-security-test": {
		{name: "recent test", want: model.Pass},
		{name: "no test", edit: mdlEdit(func(m *model.DeviceModel) { m.SecurityTest = nil }),
			want: model.Fail, msg: "model cam has no security test report", severity: model.Medium},
		{name: "undated", edit: mdlEdit(func(m *model.DeviceModel) { m.SecurityTest.Date = model.Timestamp{} }),
			want: model.Fail, msg: "security test report is undated"},
		{name: "too old", edit: mdlEdit(func(m *model.DeviceModel) { m.SecurityTest.Date = ts("2025-06-01") }),
			want: model.Fail, msg: "security test report dated 2025-06-01 is 547 days old (limit 365 days)"},
		{name: "old but within a longer policy", edit: func(s *model.Solution, _ *[]model.Device) {
			s.Models[0].SecurityTest.Date = ts("2025-06-01")
			s.Policy.SecurityTestMaxAgeDays = 730
		}, want: model.Pass},
	},
	"model-threat-model-and-mud": {
		{name: "both present", want: model.Pass},
		{name: "no threat model", edit: mdlEdit(func(m *model.DeviceModel) { m.ThreatModel = nil }),
			want: model.Fail, msg: "model cam has no threat model", severity: model.Medium},
		{name: "no MUD", edit: mdlEdit(func(m *model.DeviceModel) { m.MUD = "" }),
			want: model.Fail, msg: "model cam has no MUD profile"},
		{name: "neither", edit: mdlEdit(func(m *model.DeviceModel) { m.ThreatModel, m.MUD = nil, "" }),
			want: model.Fail, msg: "no threat model and no MUD profile"},
	},
	"model-privacy-by-default": {
		{name: "camera on for a camera", want: model.Pass},
		{name: "microphone on for a smart speaker", edit: mdlEdit(func(m *model.DeviceModel) {
			m.Kind, m.Sensors = "Speaker", []string{"microphone"}
			m.DefaultSettings = map[string]bool{"microphone": true, "camera": false}
		}), want: model.Pass},
		{name: "microphone on for a camera", edit: mdlEdit(func(m *model.DeviceModel) {
			m.Sensors = append(m.Sensors, "microphone")
			m.DefaultSettings["microphone"] = true
		}), want: model.Fail, msg: "model cam ships with microphone on by default", severity: model.Medium},
		{name: "camera on for a thermostat", edit: mdlEdit(func(m *model.DeviceModel) {
			m.Kind = "thermostat"
			m.DefaultSettings["analytics"] = true
		}), want: model.Fail, msg: "ships with camera, analytics on by default"},
		{name: "undocumented primary sensor is not exempt", edit: mdlEdit(func(m *model.DeviceModel) { m.Sensors = nil }),
			want: model.Fail, msg: "ships with camera on"},
		{name: "setting from a custom policy", edit: func(s *model.Solution, _ *[]model.Device) {
			s.Policy.PrivacySettings = []string{"telnet"}
			s.Models[0].DefaultSettings["telnet"] = true
		}, want: model.Fail, msg: "ships with telnet on by default"},
	},
	"model-default-credentials": {
		{name: "unique per device", want: model.Pass},
		{name: "universal default", edit: mdlEdit(func(m *model.DeviceModel) { m.DefaultCredentials = model.CredDefault }),
			want: model.Fail, msg: "model cam ships with a universal default password", severity: model.High},
	},
	"model-sensors-documented": {
		{name: "enabled camera documented", want: model.Pass},
		{name: "disabled settings need no sensor", edit: mdlEdit(func(m *model.DeviceModel) {
			m.Sensors = nil
			m.DefaultSettings["camera"] = false
		}), want: model.Pass},
		{name: "location enabled but undocumented", edit: mdlEdit(func(m *model.DeviceModel) { m.DefaultSettings["location"] = true }),
			want: model.Fail, msg: "model cam enables location by default but does not document that sensor", severity: model.Low},
		{name: "documentation in other case", edit: mdlEdit(func(m *model.DeviceModel) { m.Sensors = []string{"Camera"} }), want: model.Pass},
	},
	"model-certification-current": {
		{name: "current certification", want: model.Pass},
		{name: "no certification", edit: mdlEdit(func(m *model.DeviceModel) { m.Certifications = nil }),
			want: model.Fail, msg: "model cam has no certification on record", severity: model.Low},
		{name: "expired certification", edit: mdlEdit(func(m *model.DeviceModel) {
			m.Certifications = append(m.Certifications, model.Certification{Scheme: "IoXt", Scope: "privacy", Expires: ts("2026-05-01")})
		}), want: model.Fail, msg: "IoXt expired on 2026-05-01"},
		{name: "no expiry date", edit: mdlEdit(func(m *model.DeviceModel) { m.Certifications[0].Expires = model.Timestamp{} }), want: model.Pass},
	},
	"safety-update-staging": {
		{name: "not safety-critical", want: model.NotApplicableResult},
		{name: "staged rollout", edit: mdlEdit(func(m *model.DeviceModel) { m.SafetyCritical = true }), want: model.Pass},
		{name: "all at once", edit: mdlEdit(func(m *model.DeviceModel) { m.SafetyCritical, m.Update.StagedRollout = true, false }),
			want: model.Fail, msg: "safety-critical model cam updates all devices at once", severity: model.Medium},
	},
}

// TestModelChecksTolerateEmptyModels: an empty model is decided, not a panic.
func TestModelChecksTolerateEmptyModels(t *testing.T) {
	sol, _ := baseline()
	env := engine.NewEnv(sol, now, nil)
	for _, m := range []model.DeviceModel{{}, {ID: "x", SafetyCritical: true, SecurityTest: &model.Document{}, Certifications: []model.Certification{{}}}} {
		for _, c := range modelChecks {
			r := c.(engine.ModelCheck).CheckModel(env, &m)
			if r.Status == "" || r.Status == model.Error {
				t.Errorf("%s on model %q: status %q %q", c.Meta().ID, m.ID, r.Status, r.Message)
			}
		}
	}
}
