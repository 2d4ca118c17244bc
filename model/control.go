// Package model holds iotguard's domain types. It is a leaf: it imports only
// the standard library, so every other package can depend on it.
package model

// Stakeholder is one of the roles ISO/IEC 27400 assigns controls to.
type Stakeholder string

// The stakeholder roles. IDD is the seed's notation for device developers.
const (
	ISD Stakeholder = "ISD" // IoT service developer
	ISP Stakeholder = "ISP" // IoT service provider
	IU  Stakeholder = "IU"  // IoT user
	IDD Stakeholder = "IDD" // IoT device developer
)

// Stakeholders lists every valid role in display order.
var Stakeholders = []Stakeholder{ISD, ISP, IU, IDD}

// StakeholderNames gives the long name of each role.
var StakeholderNames = map[Stakeholder]string{
	ISD: "IoT service developer",
	ISP: "IoT service provider",
	IU:  "IoT user",
	IDD: "IoT device developer",
}

// Category separates security from privacy controls.
type Category string

// The two control categories.
const (
	Security Category = "security"
	Privacy  Category = "privacy"
)

// Categories lists the valid categories.
var Categories = []Category{Security, Privacy}

// Automation says how far a machine can decide a control.
type Automation string

// Automation levels: decidable from fleet data, checks plus attestation, or
// attestation with evidence only.
const (
	Automated       Automation = "automated"
	Partial         Automation = "partial"
	AttestationOnly Automation = "attestation"
)

// AutomationLevels lists the valid automation levels.
var AutomationLevels = []Automation{Automated, Partial, AttestationOnly}

// EvidenceKind names a kind of data that can evidence a control.
type EvidenceKind string

// Evidence kinds, as the brief abbreviates them.
const (
	EvInventory   EvidenceKind = "INV"
	EvSBOM        EvidenceKind = "SBOM"
	EvVuln        EvidenceKind = "VULN"
	EvCert        EvidenceKind = "CERT"
	EvScan        EvidenceKind = "SCAN"
	EvMUD         EvidenceKind = "MUD"
	EvFlow        EvidenceKind = "FLOW"
	EvTelemetry   EvidenceKind = "TEL"
	EvConfig      EvidenceKind = "CFG"
	EvAttestation EvidenceKind = "ATT"
)

// EvidenceKinds lists the valid evidence kinds with a short description.
var EvidenceKinds = map[EvidenceKind]string{
	EvInventory:   "device inventory or registry",
	EvSBOM:        "software bill of materials",
	EvVuln:        "vulnerability advisories (OSV, NVD, KEV)",
	EvCert:        "X.509 certificates and CRLs",
	EvScan:        "network scans (nmap)",
	EvMUD:         "MUD profiles (RFC 8520)",
	EvFlow:        "declared or observed data flows",
	EvTelemetry:   "device telemetry",
	EvConfig:      "device, service and cloud configuration",
	EvAttestation: "attestation with evidence files",
}

// Phase is a life-cycle phase of an IoT system.
type Phase string

// Life-cycle phases.
const (
	Design      Phase = "design"
	Development Phase = "development"
	Deployment  Phase = "deployment"
	Operation   Phase = "operation"
	Disposal    Phase = "disposal"
)

// Phases lists the valid life-cycle phases in order.
var Phases = []Phase{Design, Development, Deployment, Operation, Disposal}

// Relation is a NIST OLIR relationship between a 27400 control and a
// reference element: read "control <relation> element".
type Relation string

// OLIR relationship types.
const (
	Equivalent     Relation = "equivalent"
	SubsetOf       Relation = "subset-of"
	SupersetOf     Relation = "superset-of"
	IntersectsWith Relation = "intersects-with"
	RelatedTo      Relation = "related-to"
)

// Relations lists the valid relationship types.
var Relations = []Relation{Equivalent, SubsetOf, SupersetOf, IntersectsWith, RelatedTo}

// Reference links a control to an element of another framework.
type Reference struct {
	Framework string   `json:"framework" yaml:"framework"`
	ID        string   `json:"id" yaml:"id"`
	Relation  Relation `json:"relation" yaml:"relation"`
	Note      string   `json:"note,omitempty" yaml:"note,omitempty"`
}

// Guidance is practical advice for one stakeholder role; an empty Role means
// the advice applies to every owner of the control.
type Guidance struct {
	Role Stakeholder `json:"role,omitempty" yaml:"role,omitempty"`
	Text string      `json:"text" yaml:"text"`
}

// Official holds licensed text a user loads as an overlay. iotguard never
// ships it.
type Official struct {
	Title    string `json:"title,omitempty" yaml:"title,omitempty"`
	Control  string `json:"control,omitempty" yaml:"control,omitempty"`
	Purpose  string `json:"purpose,omitempty" yaml:"purpose,omitempty"`
	Guidance string `json:"guidance,omitempty" yaml:"guidance,omitempty"`
}

// Control is one ISO/IEC 27400 control in iotguard's own words.
type Control struct {
	ID             string         `json:"id" yaml:"id"`
	Title          string         `json:"title" yaml:"title"`
	Category       Category       `json:"category" yaml:"category"`
	Stakeholders   []Stakeholder  `json:"stakeholders" yaml:"stakeholders"`
	Clause         string         `json:"clause" yaml:"clause"`
	Automation     Automation     `json:"automation" yaml:"automation"`
	Evidence       []EvidenceKind `json:"evidence" yaml:"evidence"`
	Lifecycle      []Phase        `json:"lifecycle" yaml:"lifecycle"`
	Objective      string         `json:"objective" yaml:"objective"`
	Guidance       []Guidance     `json:"guidance" yaml:"guidance"`
	GoodEvidence   []string       `json:"good_evidence" yaml:"good_evidence"`
	CommonFailures []string       `json:"common_failures" yaml:"common_failures"`
	References     []Reference    `json:"references" yaml:"references"`
	// Organisation-specific additions and licensed text from overlays.
	OrgGuidance []Guidance `json:"org_guidance,omitempty" yaml:"org_guidance,omitempty"`
	Official    *Official  `json:"official,omitempty" yaml:"official,omitempty"`
}

// HasStakeholder reports whether role owns the control.
func (c *Control) HasStakeholder(role Stakeholder) bool {
	for _, s := range c.Stakeholders {
		if s == role {
			return true
		}
	}
	return false
}
