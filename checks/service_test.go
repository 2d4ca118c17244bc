package checks

import (
	"testing"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// editService changes the baseline's first service.
func editService(fn func(s *model.Service)) func(*model.Solution, *[]model.Device) {
	return func(sol *model.Solution, _ *[]model.Device) { fn(&sol.Services[0]) }
}

// editSolution changes the baseline solution (not its devices).
func editSolution(fn func(sol *model.Solution)) func(*model.Solution, *[]model.Device) {
	return func(sol *model.Solution, _ *[]model.Device) { fn(sol) }
}

var serviceCases = map[string][]conformanceCase{
	"service-tls-minimum": {
		{name: "TLS 1.3", want: model.Pass},
		{name: "TLS 1.2 meets the default minimum", edit: editService(func(s *model.Service) { s.TLS = "1.2" }), want: model.Pass},
		{name: "TLS 1.1", edit: editService(func(s *model.Service) { s.TLS = "1.1" }),
			want: model.Fail, msg: "accepts TLS 1.1, below the policy minimum TLS 1.2", severity: model.High},
		{name: "plaintext on the internet", edit: editService(func(s *model.Service) { s.TLS = "none" }),
			want: model.Fail, msg: "accepts plaintext", severity: model.Critical},
		{name: "plaintext internal", edit: editService(func(s *model.Service) { s.TLS, s.InternetFacing = "none", false }),
			want: model.Fail, msg: "internal service video-cloud accepts plaintext", severity: model.High},
		{name: "not declared", edit: editService(func(s *model.Service) { s.TLS = "" }),
			want: model.Fail, msg: "TLS version not declared", severity: model.Medium},
		{name: "policy raises the minimum", edit: func(sol *model.Solution, _ *[]model.Device) {
			sol.Policy.MinTLS = "1.3"
			sol.Services[0].TLS = "1.2"
		}, want: model.Fail, msg: "below the policy minimum TLS 1.3"},
		{name: "unknown version", edit: editService(func(s *model.Service) { s.TLS = "2.0" }),
			want: model.Fail, msg: `TLS version "2.0" of video-cloud is not a known version`, severity: model.Medium},
		{name: "invalid policy minimum falls back to the default", edit: func(sol *model.Solution, _ *[]model.Device) {
			sol.Policy.MinTLS = "1.5"
			sol.Services[0].TLS = "1.1"
		}, want: model.Fail, msg: "below the policy minimum TLS 1.2"},
		{name: "plaintext without endpoint", edit: editService(func(s *model.Service) { s.TLS, s.Endpoint, s.Protocol, s.Port = "none", "", "mqtt", 1883 }),
			want: model.Fail, msg: "accepts plaintext (no TLS) on mqtt port 1883"},
	},
	"service-authentication": {
		{name: "mTLS", want: model.Pass},
		{name: "password on an internal service", edit: editService(func(s *model.Service) {
			s.Authentication, s.InternetFacing = "password", false
		}), want: model.Pass},
		{name: "none on the internet", edit: editService(func(s *model.Service) { s.Authentication = "none" }),
			want: model.Fail, msg: "internet-facing service video-cloud has no authentication", severity: model.Critical},
		{name: "undeclared on an internal service", edit: editService(func(s *model.Service) {
			s.Authentication, s.InternetFacing = "", false
		}), want: model.Fail, msg: "no declared authentication", severity: model.High},
		{name: "none on an internal admin service", edit: editService(func(s *model.Service) {
			s.Authentication, s.InternetFacing, s.Admin = "none", false, true
		}), want: model.Fail, msg: "admin service", severity: model.Critical},
		{name: "password on an admin service", edit: editService(func(s *model.Service) {
			s.Authentication, s.InternetFacing, s.Admin = "Password", false, true
		}), want: model.Fail, msg: "use MFA/mTLS/OAuth2", severity: model.Medium},
	},
	"service-logging": {
		{name: "enabled", want: model.Pass},
		{name: "disabled", edit: editService(func(s *model.Service) { s.Logging.Enabled = false }),
			want: model.Fail, msg: "logging is disabled on video-cloud"},
	},
	"service-security-alerts": {
		{name: "auth-failures alert", want: model.Pass},
		{name: "other alerts only", edit: editService(func(s *model.Service) { s.Logging.Alerts = []string{"new-destination"} }),
			want: model.Fail, msg: "no auth-failures alert (alerts: new-destination)"},
		{name: "no alerts", edit: editService(func(s *model.Service) { s.Logging.Alerts = nil }),
			want: model.Fail, msg: "raises no alerts"},
		{name: "logging disabled", edit: editService(func(s *model.Service) { s.Logging.Enabled = false }),
			want: model.NotApplicableResult},
	},
	"service-log-protection": {
		{name: "protected", want: model.Pass},
		{name: "hash chain, exactly the retention", edit: editService(func(s *model.Service) {
			s.Logging.Integrity, s.Logging.RetentionDays = "hash-chain", 90
		}), want: model.Pass},
		{name: "everything wrong", edit: editService(func(s *model.Service) {
			s.Logging.Integrity, s.Logging.Encrypted, s.Logging.RetentionDays, s.Logging.RedactsSecrets = "none", false, 30, false
		}), want: model.Fail, msg: "no integrity protection; not encrypted; retention 30 days < 90 required; secrets not redacted"},
		{name: "integrity not declared", edit: editService(func(s *model.Service) { s.Logging.Integrity = "" }),
			want: model.Fail, msg: "logs of video-cloud: no integrity protection"},
		{name: "policy retention", edit: func(sol *model.Solution, _ *[]model.Device) { sol.Policy.LogRetentionDays = 400 },
			want: model.Fail, msg: "retention 365 days < 400 required"},
		{name: "logging disabled", edit: editService(func(s *model.Service) { s.Logging.Enabled = false }),
			want: model.NotApplicableResult},
	},
	"service-lockout": {
		{name: "mTLS, not admin", want: model.NotApplicableResult},
		{name: "password with lockout", edit: editService(func(s *model.Service) { s.Authentication = "password" }), want: model.Pass},
		{name: "password without lockout", edit: editService(func(s *model.Service) { s.Authentication, s.Lockout = "password", 0 }),
			want: model.Fail, msg: "video-cloud (password authentication) has no lockout"},
		{name: "API key without lockout", edit: editService(func(s *model.Service) { s.Authentication, s.Lockout = "api-key", 0 }),
			want: model.Fail, msg: "api-key authentication"},
		{name: "admin service without lockout", edit: editService(func(s *model.Service) { s.Admin, s.Lockout = true, 0 }),
			want: model.Fail, msg: "(admin service) has no lockout"},
	},
	"service-privacy-controls": {
		{name: "all controls", want: model.Pass},
		{name: "only access", edit: editService(func(s *model.Service) { s.PrivacyControls = []string{"access"} }),
			want: model.Fail, msg: "receives PII (flows video-upload) but offers no deletion, export"},
		{name: "no PII received", edit: func(sol *model.Solution, _ *[]model.Device) {
			sol.Flows[0].PII = false
			sol.Services[0].PrivacyControls = nil
		}, want: model.NotApplicableResult},
		{name: "PII flow to another service", edit: func(sol *model.Solution, _ *[]model.Device) {
			sol.Flows[0].Destination = "service:other"
			sol.Services[0].PrivacyControls = nil
		}, want: model.NotApplicableResult},
	},
	"service-privacy-notice": {
		{name: "notice covers video", want: model.Pass},
		{name: "case-insensitive categories", edit: editService(func(s *model.Service) { s.NoticeCategories = []string{"Video"} }), want: model.Pass},
		{name: "uncovered category", edit: func(sol *model.Solution, _ *[]model.Device) {
			sol.Flows[0].Data = []string{"video", "location"}
		}, want: model.Fail, msg: "privacy notice of video-cloud does not cover: location"},
		{name: "no notice", edit: editService(func(s *model.Service) { s.PrivacyNotice = "" }),
			want: model.Fail, msg: "has no privacy notice"},
		{name: "no notice and no categories", edit: editService(func(s *model.Service) { s.PrivacyNotice, s.NoticeCategories = "", nil }),
			want: model.Fail, msg: "uncovered categories: video"},
		{name: "no PII received", edit: func(sol *model.Solution, _ *[]model.Device) {
			sol.Flows[0].PII = false
			sol.Services[0].PrivacyNotice = ""
		}, want: model.NotApplicableResult},
	},
	"service-automated-decisions": {
		{name: "none", want: model.NotApplicableResult},
		{name: "reviewed", edit: editService(func(s *model.Service) {
			s.AutomatedDecisions = []model.AutomatedDecision{{Name: "access-denial", HumanReview: true}}
		}), want: model.Pass},
		{name: "not reviewed", edit: editService(func(s *model.Service) {
			s.AutomatedDecisions = []model.AutomatedDecision{
				{Name: "access-denial", HumanReview: true}, {Name: "loitering-alarm"}, {Name: "tenant-scoring"}}
		}), want: model.Fail, msg: "without human review: loitering-alarm, tenant-scoring"},
		{name: "unnamed decision", edit: editService(func(s *model.Service) {
			s.AutomatedDecisions = []model.AutomatedDecision{{}}
		}), want: model.Fail, msg: "without human review: (unnamed)"},
	},
}

// TestEmptyAssets runs the service, network, flow and solution checks on
// zero-valued assets and an empty solution: they must decide without
// panicking.
func TestEmptyAssets(t *testing.T) {
	sol := &model.Solution{
		Services: []model.Service{{}},
		Networks: []model.Network{{}},
		Flows:    []model.DataFlow{{}, {PII: true, Observed: true, Identifiers: []string{"", "mac"}}},
	}
	env := engine.NewEnv(sol, now, nil)
	env.Observe(&model.Device{Lifecycle: model.Active})
	var all []engine.Check
	for _, g := range [][]engine.Check{serviceChecks, networkChecks, flowChecks, solutionChecks} {
		all = append(all, g...)
	}
	for _, c := range all {
		var rs []engine.Result
		switch ck := c.(type) {
		case engine.ServiceCheck:
			rs = append(rs, ck.CheckService(env, &sol.Services[0]))
		case engine.NetworkCheck:
			rs = append(rs, ck.CheckNetwork(env, &sol.Networks[0]))
		case engine.FlowCheck:
			for i := range sol.Flows {
				rs = append(rs, ck.CheckFlow(env, &sol.Flows[i]))
			}
		case engine.SolutionCheck:
			rs = ck.CheckSolution(env)
			for _, r := range rs {
				if r.Asset == "" {
					t.Errorf("%s: solution result without asset", c.Meta().ID)
				}
			}
		}
		if len(rs) == 0 {
			t.Errorf("%s: no result", c.Meta().ID)
		}
		for _, r := range rs {
			if r.Status == "" || r.Status == model.Error {
				t.Errorf("%s: status %q %q", c.Meta().ID, r.Status, r.Message)
			}
		}
	}
}
