package checks

import (
	"strconv"
	"strings"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// serviceChecks evaluate the solution's cloud and on-premises services.
var serviceChecks = []engine.Check{
	serviceTLSMinimum{},
	serviceAuthentication{},
	serviceLogging{},
	serviceSecurityAlerts{},
	serviceLogProtection{},
	serviceLockout{},
	servicePrivacyControls{},
	servicePrivacyNotice{},
	serviceAutomatedDecisions{},
}

// hasFold reports whether list holds s, ignoring case and surrounding space.
func hasFold(list []string, s string) bool {
	s = strings.TrimSpace(s)
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

// piiFlowsTo returns the PII flows whose destination is the service id.
func piiFlowsTo(env *engine.Env, id string) []*model.DataFlow {
	var out []*model.DataFlow
	for i := range env.Solution.Flows {
		f := &env.Solution.Flows[i]
		if !f.PII {
			continue
		}
		if kind, ref := parseEndpoint(f.Destination); kind == endpointService && ref == id {
			out = append(out, f)
		}
	}
	return out
}

// flowIDs names flows for messages.
func flowIDs(fs []*model.DataFlow) string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return strings.Join(ids, ", ")
}

type serviceTLSMinimum struct{}

func (serviceTLSMinimum) Meta() engine.Meta {
	return engine.Meta{
		ID: "service-tls-minimum", Version: "1", Title: "Service accepts only current TLS versions",
		Description: "A service endpoint must not accept plaintext or TLS versions below the policy minimum; " +
			"old versions and plaintext let an attacker on the path read or alter device and user traffic.",
		Controls: []string{"S16", "S10"}, Severity: model.High, Scope: model.AssetService,
		Inputs:      []model.EvidenceKind{model.EvConfig, model.EvScan},
		Remediation: "Configure the endpoint to refuse plaintext and every TLS version below the policy minimum (TLS 1.2 by default), then record the lowest accepted version in the manifest.",
	}
}

func (serviceTLSMinimum) CheckService(env *engine.Env, s *model.Service) engine.Result {
	min := env.Policy.MinTLS
	if min.Rank() < 0 {
		// An invalid policy value must not disable the check.
		min = model.DefaultPolicy.MinTLS
	}
	switch {
	case s.TLS == "":
		return engine.Failf("TLS version not declared for %s", s.ID).WithSeverity(model.Medium)
	case s.TLS == "none":
		sev := model.High
		where := "internal"
		if s.InternetFacing {
			sev, where = model.Critical, "internet-facing"
		}
		return engine.Failf("%s service %s accepts plaintext (no TLS) on %s", where, s.ID, serviceEndpoint(s)).WithSeverity(sev)
	case s.TLS.Rank() < 0:
		return engine.Failf("TLS version %q of %s is not a known version", s.TLS, s.ID).WithSeverity(model.Medium)
	case s.TLS.Rank() < min.Rank():
		return engine.Failf("%s accepts TLS %s, below the policy minimum TLS %s", s.ID, s.TLS, min)
	}
	return engine.Pass()
}

// serviceEndpoint names where a service listens, for messages.
func serviceEndpoint(s *model.Service) string {
	switch {
	case s.Endpoint != "":
		return s.Endpoint
	case s.Protocol != "" && s.Port != 0:
		return s.Protocol + " port " + strconv.Itoa(s.Port)
	case s.Port != 0:
		return "port " + strconv.Itoa(s.Port)
	}
	return "its endpoint"
}

type serviceAuthentication struct{}

func (serviceAuthentication) Meta() engine.Meta {
	return engine.Meta{
		ID: "service-authentication", Version: "1", Title: "Service requires strong authentication",
		Description: "Every service must authenticate its clients; administrative and internet-facing services " +
			"need more than a password (mutual TLS, OAuth2 or multi-factor).",
		Controls: []string{"S16"}, Severity: model.High, Scope: model.AssetService,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Require client authentication on the service; for admin or internet-facing services use mTLS, OAuth2 or MFA instead of passwords alone.",
	}
}

func (serviceAuthentication) CheckService(_ *engine.Env, s *model.Service) engine.Result {
	auth := strings.ToLower(strings.TrimSpace(s.Authentication))
	exposed := s.Admin || s.InternetFacing
	switch auth {
	case "", "none":
		sev := model.High
		if exposed {
			sev = model.Critical
		}
		what := "no authentication"
		if auth == "" {
			what = "no declared authentication"
		}
		return engine.Failf("%s %s has %s", serviceRole(s), s.ID, what).WithSeverity(sev)
	case "password":
		if exposed {
			return engine.Failf("%s %s relies on passwords alone: use MFA/mTLS/OAuth2", serviceRole(s), s.ID).WithSeverity(model.Medium)
		}
	}
	return engine.Pass()
}

// serviceRole describes a service's exposure for messages.
func serviceRole(s *model.Service) string {
	switch {
	case s.Admin && s.InternetFacing:
		return "internet-facing admin service"
	case s.Admin:
		return "admin service"
	case s.InternetFacing:
		return "internet-facing service"
	}
	return "service"
}

type serviceLogging struct{}

func (serviceLogging) Meta() engine.Meta {
	return engine.Meta{
		ID: "service-logging", Version: "1", Title: "Service logs security events",
		Description: "A service must log security-relevant events so that attacks and misuse can be detected and investigated.",
		Controls:    []string{"S12"}, Severity: model.Medium, Scope: model.AssetService,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Enable logging on the service and forward its security events (logins, configuration changes, errors) to the central log sink or SIEM.",
	}
}

func (serviceLogging) CheckService(_ *engine.Env, s *model.Service) engine.Result {
	if !s.Logging.Enabled {
		return engine.Failf("logging is disabled on %s", s.ID)
	}
	return engine.Pass()
}

type serviceSecurityAlerts struct{}

func (serviceSecurityAlerts) Meta() engine.Meta {
	return engine.Meta{
		ID: "service-security-alerts", Version: "1", Title: "Service alerts on authentication failures",
		Description: "Logs only help if someone is told: a service that logs must raise an alert on repeated " +
			"authentication failures, the first sign of credential guessing.",
		Controls: []string{"S12"}, Severity: model.Low, Scope: model.AssetService,
		Inputs:      []model.EvidenceKind{model.EvConfig, model.EvTelemetry},
		Remediation: "Add an alert rule for authentication failures (alert name auth-failures) on the service's log sink and route it to the on-call team.",
	}
}

func (serviceSecurityAlerts) CheckService(_ *engine.Env, s *model.Service) engine.Result {
	if !s.Logging.Enabled {
		return engine.NotApplicable("logging is disabled (service-logging reports it)")
	}
	if !hasFold(s.Logging.Alerts, "auth-failures") {
		if len(s.Logging.Alerts) == 0 {
			return engine.Failf("%s logs but raises no alerts; auth-failures alert missing", s.ID)
		}
		return engine.Failf("%s has no auth-failures alert (alerts: %s)", s.ID, strings.Join(s.Logging.Alerts, ", "))
	}
	return engine.Pass()
}

type serviceLogProtection struct{}

func (serviceLogProtection) Meta() engine.Meta {
	return engine.Meta{
		ID: "service-log-protection", Version: "1", Title: "Service logs are protected and retained",
		Description: "Security logs must be tamper-evident, encrypted, kept for the policy's retention period and " +
			"free of secrets, so that they remain trustworthy evidence and do not leak credentials.",
		Controls: []string{"S13"}, Severity: model.Medium, Scope: model.AssetService,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Send logs to a write-once or hash-chained sink, encrypt them, keep them at least the policy's retention period (90 days by default) and mask credentials and personal data.",
	}
}

func (serviceLogProtection) CheckService(env *engine.Env, s *model.Service) engine.Result {
	lg := &s.Logging
	if !lg.Enabled {
		return engine.NotApplicable("logging is disabled (service-logging reports it)")
	}
	integrity := strings.ToLower(strings.TrimSpace(lg.Integrity))
	min := env.Policy.LogRetentionDays
	if integrity != "" && integrity != "none" && lg.Encrypted && lg.RetentionDays >= min && lg.RedactsSecrets {
		return engine.Pass()
	}
	var problems []string
	if integrity == "" || integrity == "none" {
		problems = append(problems, "no integrity protection")
	}
	if !lg.Encrypted {
		problems = append(problems, "not encrypted")
	}
	if lg.RetentionDays < min {
		problems = append(problems, "retention "+strconv.Itoa(lg.RetentionDays)+" days < "+strconv.Itoa(min)+" required")
	}
	if !lg.RedactsSecrets {
		problems = append(problems, "secrets not redacted")
	}
	return engine.Failf("logs of %s: %s", s.ID, strings.Join(problems, "; "))
}

type serviceLockout struct{}

func (serviceLockout) Meta() engine.Meta {
	return engine.Meta{
		ID: "service-lockout", Version: "1", Title: "Service locks out or throttles repeated failed logins",
		Description: "Services that accept guessable secrets (passwords, API keys) and admin services must lock " +
			"out or throttle after repeated failures so that brute force fails safe.",
		Controls: []string{"P08", "S16"}, Severity: model.Medium, Scope: model.AssetService,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Configure lockout or rate limiting after a small number of failed logins (e.g. 5) and record the threshold in the manifest.",
	}
}

func (serviceLockout) CheckService(_ *engine.Env, s *model.Service) engine.Result {
	auth := strings.ToLower(strings.TrimSpace(s.Authentication))
	if auth != "password" && auth != "api-key" && !s.Admin {
		return engine.NotApplicable("service uses no guessable secret and is not an admin service")
	}
	if s.Lockout <= 0 {
		what := auth + " authentication"
		if auth != "password" && auth != "api-key" {
			what = "admin service"
		}
		return engine.Failf("%s (%s) has no lockout or throttling after failed logins", s.ID, what)
	}
	return engine.Pass()
}

type servicePrivacyControls struct{}

func (servicePrivacyControls) Meta() engine.Meta {
	return engine.Meta{
		ID: "service-privacy-controls", Version: "1", Title: "Service receiving PII offers access, deletion and export",
		Description: "A service that receives personal data must let the people concerned see, delete and export it.",
		Controls:    []string{"P05"}, Severity: model.Medium, Scope: model.AssetService,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvConfig},
		Remediation: "Provide data subject functions for access, deletion and export on the service (self-service or a documented request process) and declare them in privacy_controls.",
	}
}

func (servicePrivacyControls) CheckService(env *engine.Env, s *model.Service) engine.Result {
	flows := piiFlowsTo(env, s.ID)
	if len(flows) == 0 {
		return engine.NotApplicable("the service receives no personal data flows")
	}
	var missing []string
	for _, c := range []string{"access", "deletion", "export"} {
		if !hasFold(s.PrivacyControls, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return engine.Failf("%s receives PII (flows %s) but offers no %s", s.ID, flowIDs(flows), strings.Join(missing, ", ")).
			WithEvidence("privacy_controls: [%s]", strings.Join(s.PrivacyControls, ", "))
	}
	return engine.Pass()
}

type servicePrivacyNotice struct{}

func (servicePrivacyNotice) Meta() engine.Meta {
	return engine.Meta{
		ID: "service-privacy-notice", Version: "1", Title: "Privacy notice covers every category of PII the service receives",
		Description: "A service that receives personal data needs a privacy notice, and the notice must name every " +
			"category of personal data that reaches the service.",
		Controls: []string{"P03"}, Severity: model.Medium, Scope: model.AssetService,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvAttestation},
		Remediation: "Publish a privacy notice for the service that lists every data category of its PII flows, and record the notice and its categories in the manifest.",
	}
}

func (servicePrivacyNotice) CheckService(env *engine.Env, s *model.Service) engine.Result {
	flows := piiFlowsTo(env, s.ID)
	if len(flows) == 0 {
		return engine.NotApplicable("the service receives no personal data flows")
	}
	var missing []string
	for _, f := range flows {
		for _, c := range f.Data {
			if strings.TrimSpace(c) != "" && !hasFold(s.NoticeCategories, c) && !hasFold(missing, c) {
				missing = append(missing, c)
			}
		}
	}
	noNotice := strings.TrimSpace(s.PrivacyNotice) == ""
	switch {
	case noNotice && len(missing) > 0:
		return engine.Failf("%s receives PII (flows %s) but has no privacy notice; uncovered categories: %s", s.ID, flowIDs(flows), strings.Join(missing, ", "))
	case noNotice:
		return engine.Failf("%s receives PII (flows %s) but has no privacy notice", s.ID, flowIDs(flows))
	case len(missing) > 0:
		return engine.Failf("privacy notice of %s does not cover: %s", s.ID, strings.Join(missing, ", ")).
			WithEvidence("notice %s covers [%s]", s.PrivacyNotice, strings.Join(s.NoticeCategories, ", "))
	}
	return engine.Pass()
}

type serviceAutomatedDecisions struct{}

func (serviceAutomatedDecisions) Meta() engine.Meta {
	return engine.Meta{
		ID: "service-automated-decisions", Version: "1", Title: "Automated decisions about people can be reviewed by a human",
		Description: "Every decision a service makes about people without a human must offer human review, so that " +
			"errors can be caught and contested.",
		Controls: []string{"P11"}, Severity: model.Medium, Scope: model.AssetService,
		Inputs:      []model.EvidenceKind{model.EvConfig, model.EvAttestation},
		Remediation: "Add a human review step (and a way for people to request it) to each listed automated decision, then mark it human_review in the manifest.",
	}
}

func (serviceAutomatedDecisions) CheckService(_ *engine.Env, s *model.Service) engine.Result {
	if len(s.AutomatedDecisions) == 0 {
		return engine.NotApplicable("the service makes no automated decisions about people")
	}
	var missing []string
	for _, d := range s.AutomatedDecisions {
		if !d.HumanReview {
			name := d.Name
			if name == "" {
				name = "(unnamed)"
			}
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return engine.Failf("automated decisions of %s without human review: %s", s.ID, strings.Join(missing, ", "))
	}
	return engine.Pass()
}
