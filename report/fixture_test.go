package report

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

// HostileMessage is a finding message that must come out inert in every
// format.
const HostileMessage = "<script>alert(1)</script>"

func ptr(f float64) *float64 { return &f }

func ts(s string) model.Timestamp {
	t, err := model.ParseTimestamp(s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixture builds a fixed assessment of all 45 catalog controls with a few
// controls of each status, findings of each severity, a not-applicable
// control with its justification, an attestation with problems, a check
// with errors, and hostile strings (HTML, spreadsheet formulas).
func fixture() *model.Assessment {
	cat := catalog.MustLoad()
	a := &model.Assessment{
		SchemaVersion:     "1.0",
		Tool:              "iotguard",
		ToolVersion:       "1.2.3",
		Solution:          "Acme Smart Building",
		Organization:      "Acme Facilities Ltd",
		AssessedAt:        time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		FindingsTruncated: 3,
	}

	a.Checks = []model.CheckSummary{
		{ID: "attestation-evidence", Version: "1", Title: "Attestation evidence is present, unchanged and reviewed",
			Description: "Every attestation's evidence files exist, match the SHA-256 recorded in the manifest, and the attestation was reviewed within the policy's interval.",
			Severity:    model.High, Scope: model.AssetSolution, Inputs: []model.EvidenceKind{model.EvAttestation},
			Remediation: "Restore or re-attach the evidence, record its current SHA-256 (sha256sum FILE), and have the owner review the attestation.",
			Pass:        2, Fail: 1},
		{ID: "cert-weak-key", Version: "1", Title: "Device certificates use strong keys",
			Description: "Device identity certificates use RSA keys of at least 2048 bits or EC keys of at least 256 bits.",
			Controls:    []string{"S16"}, Severity: model.High, Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvCert},
			Remediation: "Re-issue the device certificate with an RSA 3072 or P-256 key.", Pass: 20, Fail: 2},
		{ID: "device-default-credentials", Version: "2", Title: "No device uses default credentials",
			Description: "Devices must not accept the factory default password.",
			Controls:    []string{"S16", "S26"}, Severity: model.Critical, Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvConfig},
			Remediation: "Set a unique password per device, or disable password login.", Pass: 17, Fail: 23},
		{ID: "device-privacy-defaults", Version: "1", Title: "Privacy-relevant settings are off by default",
			Description: "Camera, microphone, location and analytics are off until the user turns them on.",
			Controls:    []string{"P02"}, Severity: model.Low, Scope: model.AssetModel, Inputs: []model.EvidenceKind{model.EvConfig},
			Remediation: "Ship the model with analytics off by default.", Pass: 1, Fail: 1},
		{ID: "flow-linkable-identifiers", Version: "1", Title: "No persistent identifier is shared between recipients",
			Description: "The same persistent identifier is not sent to more than one service or recipient.",
			Controls:    []string{"P13"}, Severity: model.Info, Scope: model.AssetFlow, Inputs: []model.EvidenceKind{model.EvFlow},
			Remediation: "Send a per-recipient pseudonymous identifier.", Pass: 3, Fail: 1},
		{ID: "inventory-unknown-devices", Version: "1", Title: "Every device on the network is in the inventory",
			Description: "Devices seen by network scans are in the inventory.",
			Controls:    []string{"S03"}, Severity: model.Medium, Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvInventory, model.EvScan},
			Remediation: "Add the device to the inventory or remove it from the network.", Pass: 40, Fail: 2},
		{ID: "model-owner", Version: "1", Title: "Every device model has an owner",
			Description: "Each device model names an owner responsible for its security.",
			Controls:    []string{"S02"}, Severity: model.Medium, Scope: model.AssetModel, Inputs: []model.EvidenceKind{model.EvInventory},
			Remediation: "Name an owner for the model.", Pass: 2},
		{ID: "scan-insecure-protocols", Version: "1", Title: "No insecure protocols are exposed",
			Description: "No Telnet, FTP, plain HTTP administration, MQTT without TLS or SNMPv1/v2c.",
			Controls:    []string{"S10"}, Severity: model.High, Scope: model.AssetDevice, Inputs: []model.EvidenceKind{model.EvScan},
			Remediation: "Disable the insecure service or protect it with TLS.", Error: 2,
			Errors: []string{"nmap file scans/site-a.xml: unexpected EOF", "nmap file scans/site-b.xml: no hosts"}},
		{ID: "service-logging", Version: "1", Title: "Services log security events",
			Description: "Every service has security logging enabled.",
			Controls:    []string{"S12"}, Severity: model.Medium, Scope: model.AssetService, Inputs: []model.EvidenceKind{model.EvConfig},
			Remediation: "Enable security event logging.", Pass: 2},
		{ID: "vuln-kev", Version: "1", Title: "No firmware component has a known exploited vulnerability",
			Description: "Firmware components do not match advisories listed in the CISA KEV catalog.",
			Controls:    []string{"S22"}, Severity: model.Critical, Scope: model.AssetModel, Inputs: []model.EvidenceKind{model.EvSBOM, model.EvVuln},
			Remediation: "Update the firmware to a version without the vulnerable component.", Fail: 1},
	}
	checks := map[string]*model.CheckSummary{}
	for i := range a.Checks {
		checks[a.Checks[i].ID] = &a.Checks[i]
	}
	add := func(check string, controls []string, sev model.Severity, at model.AssetType, asset, msg, evidence string) {
		c := checks[check]
		if controls == nil {
			controls = c.Controls
		}
		a.Findings = append(a.Findings, model.Finding{
			Check: check, CheckVersion: c.Version, Title: c.Title, Controls: append([]string(nil), controls...),
			Severity: sev, Status: model.Fail, AssetType: at, Asset: asset, Message: msg, Evidence: evidence,
			Remediation: c.Remediation,
		})
	}
	add("attestation-evidence", []string{"S02"}, model.High, model.AssetSolution, "attestation S02",
		"S02: evidence file evidence/raci.xlsx changed since it was attested: recorded SHA-256 1111…, now 2222…", "")
	add("cert-weak-key", nil, model.High, model.AssetDevice, "gw-01", "RSA key of 1024 bits is below the 2048-bit minimum", "certs/gw-01.pem")
	add("cert-weak-key", nil, model.High, model.AssetDevice, "gw-02", "RSA key of 1024 bits is below the 2048-bit minimum", "certs/gw-02.pem")
	for i := 1; i <= 23; i++ {
		add("device-default-credentials", nil, model.Critical, model.AssetDevice, fmt.Sprintf("cam-%03d", i),
			"device accepts the factory default password", "")
	}
	add("device-privacy-defaults", nil, model.Low, model.AssetModel, "cam-x200", "analytics is on by default", "")
	add("flow-linkable-identifiers", nil, model.Info, model.AssetFlow, "telemetry-upload",
		"device serial is sent to both vendor-cloud and analytics-partner", "")
	add("inventory-unknown-devices", nil, model.Medium, model.AssetDevice, "=HYPERLINK(\"x\")", HostileMessage, "scans/site-a.xml")
	add("inventory-unknown-devices", nil, model.Medium, model.AssetDevice, "@rogue-ap",
		"device 10.0.4.17 answers on the network but is not in the inventory", "scans/site-a.xml")
	add("vuln-kev", nil, model.Critical, model.AssetModel, "cam-x200",
		"firmware 2.1.0 contains openssl 3.0.1 affected by CVE-2022-3602, listed in CISA KEV", "sboms/cam-x200-2.1.0.cdx.json")
	sort.SliceStable(a.Findings, func(i, j int) bool {
		x, y := &a.Findings[i], &a.Findings[j]
		if x.Severity.Rank() != y.Severity.Rank() {
			return x.Severity.Rank() > y.Severity.Rank()
		}
		if x.Check != y.Check {
			return x.Check < y.Check
		}
		if x.Asset != y.Asset {
			return x.Asset < y.Asset
		}
		return x.Message < y.Message
	})

	type override struct {
		status, auto, att model.ControlStatus
		score             *float64
		checks            []string
		attestation       *model.AttestationResult
		rationale         string
	}
	over := map[string]override{
		"S01": {model.Implemented, model.Implemented, model.Implemented, ptr(100), []string{"attestation-evidence"},
			&model.AttestationResult{Attestation: model.Attestation{Control: "S01", Status: model.Implemented,
				Statement: "The IoT security policy v3 was approved by the board and is reviewed yearly.",
				Owner:     "CISO Office", Date: ts("2026-01-15"), ReviewDue: ts("2027-01-15"),
				Evidence: []model.EvidenceFile{{Path: "evidence/iot security policy v3.pdf", SHA256: "9f2c3a1b7d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4"}}}},
			"every automated check passes; attested implemented; the worse of the two decides"},
		"S02": {model.PartiallyImplemented, model.PartiallyImplemented, model.PartiallyImplemented, ptr(42.9),
			[]string{"model-owner", "attestation-evidence"},
			&model.AttestationResult{Attestation: model.Attestation{Control: "S02", Status: model.Implemented,
				Statement: "Every product line has a named security owner (RACI in evidence).",
				Owner:     "Head of Engineering", Date: ts("2026-02-01"),
				Evidence: []model.EvidenceFile{{Path: "evidence/raci.xlsx", SHA256: "1111111111111111111111111111111111111111111111111111111111111111"}}},
				Problems: []string{"S02: evidence file evidence/raci.xlsx changed since it was attested: recorded SHA-256 1111…, now 2222…"}},
			"automated checks fail: [attestation-evidence]; attested partially-implemented; the worse of the two decides"},
		"S03": {model.PartiallyImplemented, model.PartiallyImplemented, model.NotAssessed, ptr(85.2),
			[]string{"inventory-unknown-devices"}, nil, "automated checks fail: [inventory-unknown-devices]"},
		"S09": {model.NotApplicable, model.Implemented, model.NotApplicable, nil, []string{"attestation-evidence"},
			&model.AttestationResult{Attestation: model.Attestation{Control: "S09", Status: model.NotApplicable,
				Owner: "Head of Engineering", Date: ts("2026-02-01"),
				Justification: "The building system has no safety functions: devices only sense and report, none drive actuators."}},
			"attested not applicable: The building system has no safety functions: devices only sense and report, none drive actuators."},
		"S10": {model.NotAssessed, model.NotAssessed, model.NotAssessed, ptr(0), []string{"scan-insecure-protocols"}, nil,
			"no automated check produced a result and nothing is attested"},
		"S12": {model.Implemented, model.Implemented, model.NotAssessed, ptr(100), []string{"service-logging"}, nil,
			"every automated check passes"},
		"S16": {model.PartiallyImplemented, model.PartiallyImplemented, model.NotAssessed, ptr(30.7),
			[]string{"cert-weak-key", "device-default-credentials"}, nil,
			"automated checks fail: [cert-weak-key device-default-credentials]"},
		"S22": {model.NotImplemented, model.NotImplemented, model.NotAssessed, ptr(0), []string{"vuln-kev"}, nil,
			"automated checks fail: [vuln-kev]"},
		"S26": {model.PartiallyImplemented, model.PartiallyImplemented, model.NotAssessed, ptr(2.5),
			[]string{"device-default-credentials"}, nil, "automated checks fail: [device-default-credentials]"},
		"P02": {model.PartiallyImplemented, model.PartiallyImplemented, model.NotAssessed, ptr(22.5),
			[]string{"device-privacy-defaults"}, nil,
			"automated checks fail: [device-privacy-defaults]; the rest of this control needs an attestation, which is missing"},
		"P13": {model.PartiallyImplemented, model.PartiallyImplemented, model.NotAssessed, ptr(75),
			[]string{"flow-linkable-identifiers"}, nil, "automated checks fail: [flow-linkable-identifiers]"},
	}
	per := map[string]int{}
	for _, f := range a.Findings {
		for _, id := range f.Controls {
			per[id]++
		}
	}
	for _, ctl := range cat.Controls {
		cr := model.ControlResult{
			ID: ctl.ID, Title: ctl.Title, Category: ctl.Category, Stakeholders: append([]model.Stakeholder(nil), ctl.Stakeholders...),
			Automation: ctl.Automation, Status: model.NotAssessed, Score: ptr(0),
			AutomatedStatus: model.NotAssessed, AttestedStatus: model.NotAssessed, Checks: []string{},
			Findings: per[ctl.ID], Rationale: "no automated check produced a result and nothing is attested",
		}
		if o, ok := over[ctl.ID]; ok {
			cr.Status, cr.AutomatedStatus, cr.AttestedStatus, cr.Score = o.status, o.auto, o.att, o.score
			cr.Checks, cr.Attestation, cr.Rationale = o.checks, o.attestation, o.rationale
		}
		a.Controls = append(a.Controls, cr)
	}
	a.Summary = summarize(a.Controls, a.Findings)
	a.Summary.Devices = 42
	a.Summary.Checks = len(a.Checks)
	return a
}

// summarize mirrors the engine's roll-up of scores and counts.
func summarize(controls []model.ControlResult, findings []model.Finding) model.Summary {
	s := model.Summary{
		Controls: map[model.ControlStatus]int{}, Findings: map[model.Severity]int{},
		ByRole: map[model.Stakeholder]float64{}, ByCategory: map[model.Category]float64{},
	}
	for _, st := range model.ControlStatuses {
		s.Controls[st] = 0
	}
	for _, sv := range model.Severities {
		s.Findings[sv] = 0
	}
	for _, f := range findings {
		s.Findings[f.Severity]++
	}
	type acc struct{ sum, n float64 }
	roles := map[model.Stakeholder]*acc{}
	cats := map[model.Category]*acc{}
	var total acc
	for _, c := range controls {
		s.Controls[c.Status]++
		if c.Score == nil {
			continue
		}
		total.sum += *c.Score
		total.n++
		for _, r := range c.Stakeholders {
			if roles[r] == nil {
				roles[r] = &acc{}
			}
			roles[r].sum += *c.Score
			roles[r].n++
		}
		if cats[c.Category] == nil {
			cats[c.Category] = &acc{}
		}
		cats[c.Category].sum += *c.Score
		cats[c.Category].n++
	}
	r1 := func(f float64) float64 { return math.Round(f*10) / 10 }
	if total.n > 0 {
		s.Score = r1(total.sum / total.n)
	}
	for r, x := range roles {
		s.ByRole[r] = r1(x.sum / x.n)
	}
	for c, x := range cats {
		s.ByCategory[c] = r1(x.sum / x.n)
	}
	return s
}
