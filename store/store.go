// Package store declares what the server keeps and how it is reached: the
// records of continuous assurance (tenants, users, tokens, solutions,
// devices, evidence, attestations, assessments, findings, the audit log)
// and the interfaces an adapter implements. It holds no SQL: package
// sqlstore implements it for SQLite and PostgreSQL.
//
// Tenant isolation is part of the contract: every read and write on a
// tenant's data goes through Store.Tenant(id), whose implementation
// confines each query to that tenant. Another tenant's object is
// ErrNotFound, never a permission error, so its existence does not leak.
package store

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/iotguard/iotguard/model"
)

// Errors every implementation returns (wrapped with context).
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict") // duplicate, or a state transition that is not allowed
	ErrInvalid  = errors.New("invalid")  // input that breaks a rule (message says which)
	ErrTooLarge = errors.New("too large")
	// ErrTampered refuses writes while the audit log fails verification
	// (e.g. its head is not covered by a signed checkpoint).
	ErrTampered = errors.New("audit log fails verification")
)

// Role is a user's role in one tenant.
type Role string

// Roles, as the permission matrix (docs/server.md) names them.
const (
	RoleAdmin   Role = "admin"   // manages the tenant: members, tokens, everything below
	RoleAuditor Role = "auditor" // reviews: approves or rejects attestations, reads everything
	RoleISP     Role = "isp"     // IoT service provider: devices, findings, attestations of its controls
	RoleISD     Role = "isd"     // IoT service developer
	RoleIU      Role = "iu"      // IoT user: sees its own controls
	RoleViewer  Role = "viewer"  // reads
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleAuditor, RoleISP, RoleISD, RoleIU, RoleViewer}

// Actor is who makes a change; it is written to the audit log.
type Actor struct {
	UserID string
	// Name is a display name for the audit log (e-mail or token name).
	Name string
}

// Tenant is one organisation (a client of a consultancy, a business unit).
type Tenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person or automation account.
type User struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	// PasswordHash is an argon2id PHC string; never serialised.
	PasswordHash string `json:"-"`
	// PlatformAdmin may create tenants; it grants no access to tenant data.
	PlatformAdmin bool      `json:"platform_admin"`
	Disabled      bool      `json:"disabled"`
	CreatedAt     time.Time `json:"created_at"`
}

// Membership gives a user a role in a tenant.
type Membership struct {
	TenantID string `json:"tenant_id"`
	UserID   string `json:"user_id"`
	Role     Role   `json:"role"`
}

// Token is an API token. Only the SHA-256 of its secret is stored.
type Token struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Hash       []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Principal is what a valid token resolves to.
type Principal struct {
	User        User
	Token       Token
	Memberships []Membership
}

// RoleIn returns the principal's role in a tenant, or "" when none.
func (p *Principal) RoleIn(tenantID string) Role {
	for _, m := range p.Memberships {
		if m.TenantID == tenantID {
			return m.Role
		}
	}
	return ""
}

// Solution is one IoT solution of a tenant.
type Solution struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	Devices     int       `json:"devices"`
}

// Page asks for one page of a list: keyset pagination after a cursor.
type Page struct {
	After string // opaque cursor from the previous page; "" for the first
	Limit int    // 1-1000; 0 means 50
}

// DeviceQuery filters and sorts devices.
type DeviceQuery struct {
	Page
	Model     string
	Zone      string
	Site      string
	Lifecycle model.Lifecycle
	// Search matches a prefix of the ID, serial or hostname.
	Search string
	// Sort is "id" (default), "last_seen" or "model"; a leading "-" reverses.
	Sort string
}

// DevicePage is one page of devices.
type DevicePage struct {
	Devices []model.Device `json:"devices"`
	Next    string         `json:"next,omitempty"`
	Total   int            `json:"total"`
}

// EvidenceMeta describes a stored evidence file. Files are kept by SHA-256.
type EvidenceMeta struct {
	SHA256     string    `json:"sha256"`
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	MediaType  string    `json:"media_type"` // sniffed, never trusted from the client
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// AttestationState is the review workflow of an attestation.
type AttestationState string

// Attestation states: drafts are edited, submitted ones wait for an
// auditor, who approves or rejects them; rejected ones go back to draft.
const (
	Draft     AttestationState = "draft"
	Submitted AttestationState = "submitted"
	Approved  AttestationState = "approved"
	Rejected  AttestationState = "rejected"
)

// Attestation is an attestation under review.
type Attestation struct {
	ID         string `json:"id"`
	SolutionID string `json:"solution_id"`
	model.Attestation
	State         AttestationState `json:"state"`
	Author        string           `json:"author"`
	Reviewer      string           `json:"reviewer,omitempty"`
	ReviewComment string           `json:"review_comment,omitempty"`
	ReviewedAt    *time.Time       `json:"reviewed_at,omitempty"`
	// ExpiresAt is when an approved attestation lapses.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
	Version   int        `json:"version"` // optimistic concurrency
}

// AssessmentRecord is a stored assessment: its summary for history and
// charts, and the full report.
type AssessmentRecord struct {
	ID          string        `json:"id"`
	SolutionID  string        `json:"solution_id"`
	AssessedAt  time.Time     `json:"assessed_at"`
	ReceivedAt  time.Time     `json:"received_at"`
	ToolVersion string        `json:"tool_version"`
	Summary     model.Summary `json:"summary"`
	SubmittedBy string        `json:"submitted_by"`
}

// FindingState is the lifecycle of a finding across assessments.
type FindingState string

// Finding states. A resolved finding that reappears in a later assessment
// is re-opened; an open one absent from a later assessment is resolved.
const (
	Open         FindingState = "open"
	Acknowledged FindingState = "acknowledged"
	RiskAccepted FindingState = "risk-accepted" // needs a reason and an expiry
	Resolved     FindingState = "resolved"
)

// Finding is a finding tracked across assessments, identified by a
// fingerprint of its check, asset and message.
type Finding struct {
	ID         string `json:"id"`
	SolutionID string `json:"solution_id"`
	model.Finding
	State         FindingState `json:"state"`
	Reason        string       `json:"reason,omitempty"`
	AcceptedUntil *time.Time   `json:"accepted_until,omitempty"`
	FirstSeen     time.Time    `json:"first_seen"`
	LastSeen      time.Time    `json:"last_seen"`
	Reopened      int          `json:"reopened"`
}

// FindingQuery filters findings.
type FindingQuery struct {
	Page
	State    FindingState
	Severity model.Severity
	Control  string
	Check    string
	Asset    string
}

// SoAEntry is one line of the Statement of Applicability.
type SoAEntry struct {
	Control       string              `json:"control"`
	Title         string              `json:"title"`
	Applicable    bool                `json:"applicable"`
	Justification string              `json:"justification,omitempty"`
	Status        model.ControlStatus `json:"status"`
	Attestation   *Attestation        `json:"attestation,omitempty"`
	Findings      int                 `json:"findings"`
}

// AuditRecord is one entry of the tamper-evident audit log.
type AuditRecord struct {
	Seq        int64     `json:"seq"`
	TenantID   string    `json:"tenant_id,omitempty"`
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
	Action     string    `json:"action"` // e.g. "attestation.approve"
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	// BeforeSHA256 and AfterSHA256 digest the object's canonical JSON
	// before and after the change ("" for none).
	BeforeSHA256 string `json:"before_sha256,omitempty"`
	AfterSHA256  string `json:"after_sha256,omitempty"`
	PrevHash     string `json:"prev_hash"`
	Hash         string `json:"hash"`
}

// Checkpoint signs the chain head at a sequence number.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	At        time.Time `json:"at"`
	KeyID     string    `json:"key_id"`
	Signature string    `json:"signature"` // base64 Ed25519 over the canonical checkpoint
}

// VerifyResult reports whether the audit log is intact.
type VerifyResult struct {
	OK          bool   `json:"ok"`
	Records     int64  `json:"records"`
	Checkpoints int    `json:"checkpoints"`
	FirstBadSeq int64  `json:"first_bad_seq,omitempty"`
	Problem     string `json:"problem,omitempty"`
}

// Store is the server's data.
type Store interface {
	// Tenant returns a handle confined to one tenant's data.
	Tenant(id string) TenantStore
	Platform() PlatformStore
	Audit() AuditLog
	Ping(ctx context.Context) error
	Close() error
}

// PlatformStore manages tenants, users, memberships and tokens.
type PlatformStore interface {
	CreateTenant(ctx context.Context, by Actor, t Tenant) (Tenant, error)
	ListTenants(ctx context.Context, userID string) ([]Tenant, error) // the tenants the user is a member of
	GetTenant(ctx context.Context, id string) (Tenant, error)

	CreateUser(ctx context.Context, by Actor, u User) (User, error)
	GetUser(ctx context.Context, id string) (User, error)
	GetUserByEmail(ctx context.Context, email string) (User, error)
	CountUsers(ctx context.Context) (int, error)
	SetMembership(ctx context.Context, by Actor, m Membership) error
	RemoveMembership(ctx context.Context, by Actor, tenantID, userID string) error
	ListMembers(ctx context.Context, tenantID string) ([]Membership, error)

	CreateToken(ctx context.Context, by Actor, t Token) (Token, error)
	// Authenticate resolves the SHA-256 of a token secret; expired, revoked
	// or unknown tokens and disabled users are ErrNotFound.
	Authenticate(ctx context.Context, tokenHash []byte, now time.Time) (Principal, error)
	ListTokens(ctx context.Context, userID string) ([]Token, error)
	RevokeToken(ctx context.Context, by Actor, userID, tokenID string) error
}

// TenantStore is one tenant's data.
type TenantStore interface {
	CreateSolution(ctx context.Context, by Actor, s Solution) (Solution, error)
	GetSolution(ctx context.Context, id string) (Solution, error)
	ListSolutions(ctx context.Context, p Page) ([]Solution, string, error)

	// ImportDevices stores devices in batches, each batch atomically with
	// its audit record: an interrupted import leaves whole batches only.
	// next returns false when the stream ends.
	ImportDevices(ctx context.Context, by Actor, solutionID string, next func() (model.Device, bool, error), batch int) (int, error)
	ListDevices(ctx context.Context, solutionID string, q DeviceQuery) (DevicePage, error)
	GetDevice(ctx context.Context, solutionID, deviceID string) (model.Device, error)

	PutEvidence(ctx context.Context, by Actor, name string, r io.Reader, maxSize int64) (EvidenceMeta, error)
	GetEvidence(ctx context.Context, sha256 string) (EvidenceMeta, io.ReadCloser, error)
	ListEvidence(ctx context.Context, p Page) ([]EvidenceMeta, string, error)

	SaveAttestation(ctx context.Context, by Actor, a Attestation) (Attestation, error) // create or edit a draft
	SubmitAttestation(ctx context.Context, by Actor, id string) (Attestation, error)
	ReviewAttestation(ctx context.Context, by Actor, id string, approve bool, comment string, expires *time.Time) (Attestation, error)
	GetAttestation(ctx context.Context, id string) (Attestation, error)
	ListAttestations(ctx context.Context, solutionID string, p Page) ([]Attestation, string, error)

	// SaveAssessment stores an assessment and updates finding lifecycles.
	SaveAssessment(ctx context.Context, by Actor, solutionID string, a *model.Assessment) (AssessmentRecord, error)
	ListAssessments(ctx context.Context, solutionID string, p Page) ([]AssessmentRecord, string, error)
	GetAssessment(ctx context.Context, id string) (AssessmentRecord, *model.Assessment, error)

	ListFindings(ctx context.Context, solutionID string, q FindingQuery) ([]Finding, string, error)
	GetFinding(ctx context.Context, id string) (Finding, error)
	UpdateFinding(ctx context.Context, by Actor, id string, state FindingState, reason string, until *time.Time) (Finding, error)

	SoA(ctx context.Context, solutionID string) ([]SoAEntry, error)
}

// AuditLog is the tamper-evident log every change appends to.
type AuditLog interface {
	// Verify recomputes the chain and checks the signed checkpoints; it
	// names the first bad record.
	Verify(ctx context.Context) (VerifyResult, error)
	// Export writes the log with its checkpoints and the public key, for
	// an auditor to verify offline (`iotguard audit verify --export FILE`).
	Export(ctx context.Context, w io.Writer) error
	// Checkpoint signs the current head.
	Checkpoint(ctx context.Context) (Checkpoint, error)
	// List returns one tenant's records, newest first; tenantID "" lists
	// the platform records (users, tokens), which belong to no tenant.
	List(ctx context.Context, tenantID string, p Page) ([]AuditRecord, string, error)
}
