package checks

import (
	"fmt"
	"strings"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// modelChecks run once per device model: what the device developer ships.
var modelChecks = []engine.Check{
	modelUpdatePolicy{},
	modelSupportContact{},
	modelDisclosurePolicy{},
	modelSBOMDeclared{},
	modelSecurityTest{},
	modelThreatModelAndMUD{},
	modelPrivacyByDefault{},
	modelDefaultCredentials{},
	modelSensorsDocumented{},
	modelCertificationCurrent{},
	safetyUpdateStaging{},
}

type modelUpdatePolicy struct{}

func (modelUpdatePolicy) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-update-policy", Version: "1",
		Title:       "Model has a signed update mechanism and a declared support period",
		Description: "The model can be updated, its updates are signed so devices accept only the vendor's firmware, and the vendor states until when it will provide security updates.",
		Controls:    []string{"S15"}, Severity: model.High, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvConfig, model.EvAttestation},
		Remediation: "Obtain from the vendor an update mechanism with signature verification and a published support end date, and record them for the model; otherwise plan to replace it.",
	}
}

func (modelUpdatePolicy) CheckModel(_ *engine.Env, m *model.DeviceModel) engine.Result {
	var problems []string
	mech := strings.TrimSpace(m.Update.Mechanism)
	switch {
	case mech == "":
		problems = append(problems, "no update mechanism declared")
	case strings.EqualFold(mech, "none"):
		problems = append(problems, "the model cannot be updated (mechanism none)")
	case !m.Update.Signed:
		// Signing only matters when there are updates to sign.
		problems = append(problems, "updates are not signed")
	}
	if !m.Update.SupportEnd.Set() {
		problems = append(problems, "no support end date declared")
	}
	if len(problems) == 0 {
		return engine.Pass()
	}
	return engine.Failf("model %s: %s", m.ID, strings.Join(problems, "; "))
}

type modelSupportContact struct{}

func (modelSupportContact) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-support-contact", Version: "1",
		Title:       "Model has a support contact",
		Description: "Users of the model know where to get help and report problems: a support URL or e-mail address is recorded.",
		Controls:    []string{"S25"}, Severity: model.Low, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvInventory},
		Remediation: "Record the vendor's (or your internal) support URL or e-mail address for the model.",
	}
}

func (modelSupportContact) CheckModel(_ *engine.Env, m *model.DeviceModel) engine.Result {
	if !blank(m.SupportContact) {
		return engine.Pass()
	}
	return engine.Failf("model %s has no support contact", m.ID)
}

type modelDisclosurePolicy struct{}

func (modelDisclosurePolicy) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-disclosure-policy", Version: "1",
		Title:       "Model's vendor has a vulnerability disclosure policy",
		Description: "Researchers can report vulnerabilities in the model through a published policy or contact; the vendor should also publish security.txt or machine-readable advisories (CSAF, VEX).",
		Controls:    []string{"S18", "S24"}, Severity: model.Medium, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvAttestation},
		Remediation: "Record the vendor's disclosure policy URL or PSIRT contact; ask the vendor to publish security.txt (RFC 9116) and CSAF or VEX advisories.",
	}
}

func (modelDisclosurePolicy) CheckModel(_ *engine.Env, m *model.DeviceModel) engine.Result {
	d := &m.Disclosure
	if blank(d.URL) && blank(d.Contact) {
		return engine.Failf("model %s has no vulnerability disclosure policy URL or contact", m.ID)
	}
	if !d.SecurityTxt && blank(d.Advisories) {
		return engine.Failf("model %s's vendor publishes neither security.txt nor machine-readable advisories", m.ID).
			WithSeverity(model.Low)
	}
	return engine.Pass()
}

type modelSBOMDeclared struct{}

func (modelSBOMDeclared) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-sbom-declared", Version: "1",
		Title:       "Model has a software bill of materials",
		Description: "An SBOM lists the model's firmware components, so that new vulnerabilities and end-of-life components can be found in the fleet.",
		Controls:    []string{"S03", "S08", "S23"}, Severity: model.Medium, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvSBOM},
		Remediation: "Obtain a CycloneDX or SPDX SBOM for the model's current firmware from the vendor (or generate one) and reference it from the model.",
	}
}

func (modelSBOMDeclared) CheckModel(_ *engine.Env, m *model.DeviceModel) engine.Result {
	for _, s := range m.SBOMs {
		if !blank(s) {
			return engine.Pass()
		}
	}
	return engine.Failf("model %s references no SBOM", m.ID)
}

type modelSecurityTest struct{}

func (modelSecurityTest) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-security-test", Version: "1",
		Title:       "Model has a recent security test",
		Description: "The model's design and implementation were verified by a dated security test (penetration test, ETSI TS 103 701 assessment) within the policy's maximum age.",
		Controls:    []string{"S11"}, Severity: model.Medium, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvAttestation},
		Remediation: "Have the model (with its current firmware) security-tested and record the dated report with its evidence.",
	}
}

func (modelSecurityTest) CheckModel(env *engine.Env, m *model.DeviceModel) engine.Result {
	t := m.SecurityTest
	switch {
	case t == nil:
		return engine.Failf("model %s has no security test report", m.ID)
	case !t.Date.Set():
		return engine.Failf("model %s's security test report is undated", m.ID)
	}
	age := env.DaysSince(t.Date)
	if age <= env.Policy.SecurityTestMaxAgeDays {
		return engine.Pass()
	}
	return engine.Failf("model %s's security test report dated %s is %d days old (limit %d days)",
		m.ID, t.Date, age, env.Policy.SecurityTestMaxAgeDays)
}

type modelThreatModelAndMUD struct{}

func (modelThreatModelAndMUD) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-threat-model-and-mud", Version: "1",
		Title:       "Model has a threat model and a MUD profile",
		Description: "The model was engineered against a documented threat model, and its intended network behaviour is declared in a MUD profile (RFC 8520) that networks can enforce.",
		Controls:    []string{"S07"}, Severity: model.Medium, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvAttestation, model.EvMUD},
		Remediation: "Record the model's threat model (e.g. STRIDE per interface) and obtain or write a MUD file listing the endpoints it needs.",
	}
}

func (modelThreatModelAndMUD) CheckModel(_ *engine.Env, m *model.DeviceModel) engine.Result {
	noTM, noMUD := m.ThreatModel == nil, blank(m.MUD)
	switch {
	case noTM && noMUD:
		return engine.Failf("model %s has no threat model and no MUD profile", m.ID)
	case noTM:
		return engine.Failf("model %s has no threat model", m.ID)
	case noMUD:
		return engine.Failf("model %s has no MUD profile", m.ID)
	}
	return engine.Pass()
}

// primarySensor is the sensor that is a device kind's core function, which
// privacy by default cannot switch off.
func primarySensor(kind string) string {
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case "camera":
		return "camera"
	case "microphone", "speaker":
		return "microphone"
	case "tracker":
		return "location"
	}
	return ""
}

func hasSensor(m *model.DeviceModel, sensor string) bool {
	for _, s := range m.Sensors {
		if strings.EqualFold(strings.TrimSpace(s), sensor) {
			return true
		}
	}
	return false
}

type modelPrivacyByDefault struct{}

func (modelPrivacyByDefault) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-privacy-by-default", Version: "1",
		Title:       "Privacy-relevant settings are off by default",
		Description: "The model ships with the policy's privacy-relevant settings (such as microphone, location, analytics) switched off, except the sensor that is the device's core function.",
		Controls:    []string{"P02"}, Severity: model.Medium, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Change the model's shipped defaults (or your provisioning profile) so these settings are off until the user turns them on.",
	}
}

func (modelPrivacyByDefault) CheckModel(env *engine.Env, m *model.DeviceModel) engine.Result {
	primary := primarySensor(m.Kind)
	var on []string
	for _, s := range env.Policy.PrivacySettings {
		if !m.DefaultSettings[s] {
			continue
		}
		if s == primary && hasSensor(m, s) {
			continue
		}
		on = append(on, s)
	}
	if len(on) == 0 {
		return engine.Pass()
	}
	return engine.Failf("model %s ships with %s on by default", m.ID, strings.Join(on, ", "))
}

type modelDefaultCredentials struct{}

func (modelDefaultCredentials) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-default-credentials", Version: "1",
		Title:       "Model ships without a universal default password",
		Description: "The model ships with unique per-device credentials or none, never one default password common to all devices (ETSI EN 303 645 provision 5.1-1).",
		Controls:    []string{"S16", "S26"}, Severity: model.High, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Prefer models with unique per-device passwords; meanwhile force a password change at onboarding and check every device with default-credentials.",
	}
}

func (modelDefaultCredentials) CheckModel(_ *engine.Env, m *model.DeviceModel) engine.Result {
	if m.DefaultCredentials == model.CredDefault {
		return engine.Failf("model %s ships with a universal default password", m.ID)
	}
	return engine.Pass()
}

// sensingSettings are the settings that reveal a sensing capability.
var sensingSettings = [...]string{"camera", "microphone", "location"}

type modelSensorsDocumented struct{}

func (modelSensorsDocumented) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-sensors-documented", Version: "1",
		Title:       "Enabled sensing capabilities are documented",
		Description: "Every sensor the model enables by default (camera, microphone, location) is among its documented sensors, so that users know what the device can sense.",
		Controls:    []string{"P04"}, Severity: model.Low, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Add the sensor to the model's documented sensors (and user guide and privacy notice), or have the capability disabled.",
	}
}

func (modelSensorsDocumented) CheckModel(_ *engine.Env, m *model.DeviceModel) engine.Result {
	var undocumented []string
	for _, s := range sensingSettings {
		// A setting shipped off says nothing is sensed; templates often
		// list every setting whether or not the hardware has the sensor.
		if m.DefaultSettings[s] && !hasSensor(m, s) {
			undocumented = append(undocumented, s)
		}
	}
	if len(undocumented) == 0 {
		return engine.Pass()
	}
	return engine.Failf("model %s enables %s by default but does not document that sensor", m.ID, strings.Join(undocumented, ", "))
}

type modelCertificationCurrent struct{}

func (modelCertificationCurrent) Meta() engine.Meta {
	return engine.Meta{
		ID: "model-certification-current", Version: "1",
		Title:       "Model holds a current certification",
		Description: "The model has a security or privacy certification on record (e.g. ETSI EN 303 645, IEC 62443-4-2) and none of its certifications has expired.",
		Controls:    []string{"P17", "S11"}, Severity: model.Low, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvAttestation},
		Remediation: "Record the model's certificates of conformity with their expiry dates, and have expired ones renewed by the vendor.",
	}
}

func (modelCertificationCurrent) CheckModel(env *engine.Env, m *model.DeviceModel) engine.Result {
	if len(m.Certifications) == 0 {
		return engine.Failf("model %s has no certification on record", m.ID)
	}
	var expired []string
	for _, c := range m.Certifications {
		if c.Expires.Set() && c.Expires.Before(env.Now) {
			name := strings.TrimSpace(c.Scheme)
			if name == "" {
				name = "(unnamed scheme)"
			}
			expired = append(expired, fmt.Sprintf("%s expired on %s", name, c.Expires))
		}
	}
	if len(expired) == 0 {
		return engine.Pass()
	}
	return engine.Failf("model %s certification: %s", m.ID, strings.Join(expired, "; "))
}

type safetyUpdateStaging struct{}

func (safetyUpdateStaging) Meta() engine.Meta {
	return engine.Meta{
		ID: "safety-update-staging", Version: "1",
		Title:       "Safety-critical models roll out updates in stages",
		Description: "Updates to a safety-critical model go to a canary group first, so that a faulty update cannot disable every safety function at once.",
		Controls:    []string{"S09"}, Severity: model.Medium, Scope: model.AssetModel,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Configure staged (canary) rollout for the model's updates, with health checks and automatic halt before the update reaches the whole fleet.",
	}
}

func (safetyUpdateStaging) CheckModel(_ *engine.Env, m *model.DeviceModel) engine.Result {
	if !m.SafetyCritical {
		return engine.NotApplicable("model is not safety-critical")
	}
	if m.Update.StagedRollout {
		return engine.Pass()
	}
	return engine.Failf("safety-critical model %s updates all devices at once (no staged rollout)", m.ID)
}
