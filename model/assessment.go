package model

import "time"

// ResultStatus is the outcome of one check on one asset.
type ResultStatus string

// Check outcomes.
const (
	Pass                ResultStatus = "pass"
	Fail                ResultStatus = "fail"
	Error               ResultStatus = "error"
	NotApplicableResult ResultStatus = "not-applicable"
)

// AssetType says what kind of thing a result is about.
type AssetType string

// Asset types, which are also the scopes a check can run on.
const (
	AssetDevice   AssetType = "device"
	AssetModel    AssetType = "model"
	AssetService  AssetType = "service"
	AssetNetwork  AssetType = "network"
	AssetFlow     AssetType = "flow"
	AssetSolution AssetType = "solution"
)

// Finding is a failed (or errored) check result on one asset.
type Finding struct {
	Check        string       `json:"check"`
	CheckVersion string       `json:"check_version"`
	Title        string       `json:"title"`
	Controls     []string     `json:"controls"`
	Severity     Severity     `json:"severity"`
	Status       ResultStatus `json:"status"`
	AssetType    AssetType    `json:"asset_type"`
	Asset        string       `json:"asset"`
	Message      string       `json:"message"`
	Evidence     string       `json:"evidence,omitempty"`
	Remediation  string       `json:"remediation"`
}

// CheckSummary counts one check's outcomes.
type CheckSummary struct {
	ID            string         `json:"id"`
	Version       string         `json:"version"`
	Title         string         `json:"title"`
	Description   string         `json:"description"`
	Controls      []string       `json:"controls"`
	Severity      Severity       `json:"severity"`
	Scope         AssetType      `json:"scope"`
	Inputs        []EvidenceKind `json:"inputs"`
	Remediation   string         `json:"remediation"`
	Pass          int            `json:"pass"`
	Fail          int            `json:"fail"`
	Error         int            `json:"error"`
	NotApplicable int            `json:"not_applicable"`
	// Errors holds the first few error messages, for diagnosis.
	Errors []string `json:"errors,omitempty"`
	// FailuresBySeverity counts every failure, kept in the report or not;
	// scoping a report to one role recounts from it.
	FailuresBySeverity map[Severity]int `json:"-"`
	// PerResultControls marks checks whose findings name their controls.
	PerResultControls bool `json:"-"`
}

// Assessed reports whether the check decided anything.
func (c *CheckSummary) Assessed() bool { return c.Pass+c.Fail > 0 }

// AttestationResult is an attestation as the assessment saw it.
type AttestationResult struct {
	Attestation
	// Problems found with the attestation: missing or changed evidence,
	// review overdue.
	Problems []string `json:"problems,omitempty"`
}

// ControlResult is the roll-up of one control.
type ControlResult struct {
	ID           string        `json:"id"`
	Title        string        `json:"title"`
	Category     Category      `json:"category"`
	Stakeholders []Stakeholder `json:"stakeholders"`
	Automation   Automation    `json:"automation"`
	Status       ControlStatus `json:"status"`
	// Score is 0-100; nil when the control is not applicable.
	Score *float64 `json:"score"`
	// AutomatedStatus and AttestedStatus are the two halves that the worse
	// of decides Status.
	AutomatedStatus ControlStatus      `json:"automated_status"`
	AttestedStatus  ControlStatus      `json:"attested_status"`
	Checks          []string           `json:"checks"`
	Findings        int                `json:"findings"`
	Attestation     *AttestationResult `json:"attestation,omitempty"`
	// Rationale explains in one sentence how the status was reached.
	Rationale string `json:"rationale"`
}

// Summary is the posture at a glance.
type Summary struct {
	Score      float64                 `json:"score"`
	Controls   map[ControlStatus]int   `json:"controls"`
	Findings   map[Severity]int        `json:"findings"`
	ByRole     map[Stakeholder]float64 `json:"by_role"`
	ByCategory map[Category]float64    `json:"by_category"`
	Devices    int                     `json:"devices"`
	Checks     int                     `json:"checks"`
}

// Assessment is the full result of assessing one solution.
type Assessment struct {
	SchemaVersion string          `json:"schema_version"`
	Tool          string          `json:"tool"`
	ToolVersion   string          `json:"tool_version"`
	Solution      string          `json:"solution"`
	Organization  string          `json:"organization"`
	AssessedAt    time.Time       `json:"assessed_at"`
	Role          Stakeholder     `json:"role,omitempty"`
	Summary       Summary         `json:"summary"`
	Controls      []ControlResult `json:"controls"`
	Checks        []CheckSummary  `json:"checks"`
	Findings      []Finding       `json:"findings"`
	// FindingsTruncated counts findings dropped beyond the report limit.
	FindingsTruncated int `json:"findings_truncated,omitempty"`
}
