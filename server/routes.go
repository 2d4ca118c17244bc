package server

import (
	"net/http"
	"slices"

	"github.com/iotguard/iotguard/store"
)

// access says who may call a route before any role is considered.
type access int

const (
	// public routes need no token.
	public access = iota
	// user routes need any valid token; they act on the caller's own
	// records (tokens, tenant list).
	user
	// platformAdmin routes need a user with the platform-admin flag.
	platformAdmin
	// auditVerifier routes need a platform admin, or an admin or auditor
	// of at least one tenant.
	auditVerifier
	// tenantRole routes live under /api/v1/tenants/{tenant}: the caller
	// must be a member (else 404) with one of the route's roles (else 403).
	tenantRole
)

func (a access) String() string {
	switch a {
	case public:
		return "public"
	case user:
		return "any user"
	case platformAdmin:
		return "platform admin"
	case auditVerifier:
		return "platform admin, or admin/auditor of any tenant"
	}
	return "tenant role"
}

// bodyClass picks a route's request size limit from Options.
type bodyClass int

const (
	bodyNone bodyClass = iota
	bodyJSON
	bodyEvidence
	bodyAssessment
	bodyImport
)

// handlerFunc is a handler that returns its error for writeError, so
// that every failure is answered in one place.
type handlerFunc func(s *Server, w http.ResponseWriter, r *http.Request) error

// route is one row of the route table: the permission matrix, the size
// limit and the OpenAPI description of one method on one path. The router,
// the authorisation middleware, the OpenAPI document, the permission
// matrix in docs/server.md and the matrix test are all built from it.
type route struct {
	Method  string
	Pattern string
	Access  access
	// Roles may call a tenantRole route.
	Roles []store.Role
	// Note qualifies the matrix, e.g. rows that iu sees filtered.
	Note string
	Body bodyClass
	h    handlerFunc

	// OpenAPI description.
	ID       string // operationId
	Tag      string
	Summary  string
	Query    []param
	Request  *content         // request body
	Response map[int]*content // responses besides the error responses
}

// param is a query parameter.
type param struct {
	Name, Description string
	Enum              []string
	Integer           bool
}

// content is a body: a schema (a components/schemas name, or "" for a
// free-form binary body) and its media types.
type content struct {
	Schema string
	Types  []string
	Array  bool // a JSON array of Schema
}

var (
	allRoles     = store.Roles
	adminOnly    = []store.Role{store.RoleAdmin}
	auditorOnly  = []store.Role{store.RoleAuditor}
	operators    = []store.Role{store.RoleAdmin, store.RoleISP, store.RoleISD}
	attesters    = []store.Role{store.RoleAdmin, store.RoleISP, store.RoleISD, store.RoleIU}
	uploaders    = []store.Role{store.RoleAdmin, store.RoleISP, store.RoleISD, store.RoleIU}
	fullReaders  = []store.Role{store.RoleAdmin, store.RoleAuditor, store.RoleISP, store.RoleISD, store.RoleViewer}
	auditReaders = []store.Role{store.RoleAdmin, store.RoleAuditor}
)

const (
	noteIUOwn   = "iu: only controls IU owns"
	noteOwnCtl  = "isp, isd, iu: only controls their stakeholder owns"
	noteIUScope = "iu: scoped to IU's controls"
)

func js(schema string) *content { return &content{Schema: schema, Types: []string{"application/json"}} }
func jsArray(schema string) *content {
	return &content{Schema: schema, Types: []string{"application/json"}, Array: true}
}
func list(schema string) map[int]*content { return map[int]*content{200: js(schema + "List")} }

var pageParams = []param{
	{Name: "cursor", Description: "the `next` value of the previous page"},
	{Name: "limit", Description: "items per page, 1-1000 (default 50)", Integer: true},
}

func withPage(ps ...param) []param { return append(slices.Clone(pageParams), ps...) }

// routes is the route table. Keep it sorted by path; the tests check that
// every row is routed, documented and covered by the matrix test.
var routes = []route{
	{Method: "GET", Pattern: "/healthz", Access: public, h: (*Server).healthz,
		ID: "healthz", Tag: "operations", Summary: "Liveness: the process serves requests",
		Response: map[int]*content{200: js("Status")}},
	{Method: "GET", Pattern: "/readyz", Access: public, h: (*Server).readyz,
		ID: "readyz", Tag: "operations", Summary: "Readiness: the database answers",
		Response: map[int]*content{200: js("Status"), 503: js("Error")}},
	{Method: "GET", Pattern: "/metrics", Access: public, h: (*Server).metricsHandler,
		ID: "metrics", Tag: "operations", Summary: "Prometheus metrics (text exposition format 0.0.4)",
		Response: map[int]*content{200: {Types: []string{"text/plain"}}}},
	{Method: "GET", Pattern: "/api/v1/openapi.json", Access: public, h: (*Server).openAPI,
		ID: "openapi", Tag: "operations", Summary: "This OpenAPI 3.1 document",
		Response: map[int]*content{200: js("")}},
	{Method: "POST", Pattern: "/api/v1/login", Access: public, Body: bodyJSON, h: (*Server).login,
		ID: "login", Tag: "auth", Summary: "Exchange e-mail and password for a short-lived token (rate-limited)",
		Request: js("LoginRequest"), Response: map[int]*content{201: js("TokenCreated")}},
	{Method: "GET", Pattern: "/api/v1/me", Access: user, h: (*Server).me,
		ID: "getMe", Tag: "auth", Summary: "The caller: user and memberships",
		Response: map[int]*content{200: js("Me")}},
	{Method: "GET", Pattern: "/api/v1/tokens", Access: user, h: (*Server).listTokens,
		ID: "listTokens", Tag: "auth", Summary: "The caller's API tokens (never their secrets)",
		Response: list("Token")},
	{Method: "POST", Pattern: "/api/v1/tokens", Access: user, Body: bodyJSON, h: (*Server).createToken,
		ID: "createToken", Tag: "auth", Summary: "Create an API token for the caller; the secret is shown once",
		Request: js("TokenRequest"), Response: map[int]*content{201: js("TokenCreated")}},
	{Method: "DELETE", Pattern: "/api/v1/tokens/{token}", Access: user, h: (*Server).revokeToken,
		ID: "revokeToken", Tag: "auth", Summary: "Revoke one of the caller's tokens",
		Response: map[int]*content{204: nil}},
	{Method: "GET", Pattern: "/api/v1/audit/verify", Access: auditVerifier, h: (*Server).verifyAudit,
		ID: "verifyAudit", Tag: "audit", Summary: "Verify the whole audit hash chain and its signed checkpoints",
		Response: map[int]*content{200: js("VerifyResult")}},
	{Method: "GET", Pattern: "/api/v1/audit/export", Access: platformAdmin, h: (*Server).exportAudit,
		ID: "exportAudit", Tag: "audit", Summary: "Export the audit log with checkpoints and public key for offline verification",
		Response: map[int]*content{200: js("")}},
	{Method: "GET", Pattern: "/api/v1/tenants", Access: user, h: (*Server).listTenants,
		ID: "listTenants", Tag: "tenants", Summary: "The tenants the caller is a member of",
		Response: list("Tenant")},
	{Method: "POST", Pattern: "/api/v1/tenants", Access: platformAdmin, Body: bodyJSON, h: (*Server).createTenant,
		ID: "createTenant", Tag: "tenants", Summary: "Create a tenant with a first admin",
		Request: js("TenantRequest"), Response: map[int]*content{201: js("Tenant")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}", Access: tenantRole, Roles: allRoles, h: (*Server).getTenant,
		ID: "getTenant", Tag: "tenants", Summary: "One tenant",
		Response: map[int]*content{200: js("Tenant")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/assessments/{assessment}", Access: tenantRole, Roles: allRoles, Note: noteIUScope, h: (*Server).getAssessment,
		ID: "getAssessment", Tag: "assessments", Summary: "One stored assessment: its record and the full report",
		Response: map[int]*content{200: js("AssessmentDetail")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/attestations/{attestation}", Access: tenantRole, Roles: allRoles, Note: noteIUOwn, h: (*Server).getAttestation,
		ID: "getAttestation", Tag: "attestations", Summary: "One attestation (ETag is its version)",
		Response: map[int]*content{200: js("Attestation")}},
	{Method: "PUT", Pattern: "/api/v1/tenants/{tenant}/attestations/{attestation}", Access: tenantRole, Roles: attesters, Note: noteOwnCtl, Body: bodyJSON, h: (*Server).editAttestation,
		ID: "editAttestation", Tag: "attestations", Summary: "Edit an attestation (If-Match with its version is required); an approved or rejected one becomes a draft again",
		Request: js("AttestationInput"), Response: map[int]*content{200: js("Attestation")}},
	{Method: "POST", Pattern: "/api/v1/tenants/{tenant}/attestations/{attestation}/review", Access: tenantRole, Roles: auditorOnly, Body: bodyJSON, h: (*Server).reviewAttestation,
		ID: "reviewAttestation", Tag: "attestations", Summary: "Approve or reject a submitted attestation (auditors only)",
		Request: js("Review"), Response: map[int]*content{200: js("Attestation")}},
	{Method: "POST", Pattern: "/api/v1/tenants/{tenant}/attestations/{attestation}/submit", Access: tenantRole, Roles: attesters, Note: noteOwnCtl, h: (*Server).submitAttestation,
		ID: "submitAttestation", Tag: "attestations", Summary: "Submit a draft attestation for review",
		Response: map[int]*content{200: js("Attestation")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/audit", Access: tenantRole, Roles: auditReaders, h: (*Server).listAudit,
		ID: "listAudit", Tag: "audit", Summary: "The tenant's audit records, oldest first",
		Query: pageParams, Response: list("AuditRecord")},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/evidence", Access: tenantRole, Roles: fullReaders, h: (*Server).listEvidence,
		ID: "listEvidence", Tag: "evidence", Summary: "Evidence files of the tenant",
		Query: pageParams, Response: list("Evidence")},
	{Method: "POST", Pattern: "/api/v1/tenants/{tenant}/evidence", Access: tenantRole, Roles: uploaders, Body: bodyEvidence, h: (*Server).uploadEvidence,
		ID: "uploadEvidence", Tag: "evidence", Summary: "Upload an evidence file (multipart field \"file\", or a raw body with ?name=)",
		Query:   []param{{Name: "name", Description: "file name for a raw upload"}},
		Request: &content{Types: []string{"multipart/form-data", "application/octet-stream"}}, Response: map[int]*content{201: js("Evidence")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/evidence/{sha256}", Access: tenantRole, Roles: allRoles, h: (*Server).downloadEvidence,
		ID: "downloadEvidence", Tag: "evidence", Summary: "Download an evidence file as an attachment (HTML and SVG as application/octet-stream)",
		Response: map[int]*content{200: {Types: []string{"application/octet-stream"}}}},
	{Method: "PATCH", Pattern: "/api/v1/tenants/{tenant}/findings/{finding}", Access: tenantRole, Roles: operators, Body: bodyJSON, h: (*Server).updateFinding,
		ID: "updateFinding", Tag: "findings", Summary: "Change a finding's state (acknowledge, accept the risk with reason and expiry, resolve, re-open)",
		Request: js("FindingPatch"), Response: map[int]*content{200: js("Finding")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/findings/{finding}", Access: tenantRole, Roles: allRoles, Note: noteIUOwn, h: (*Server).getFinding,
		ID: "getFinding", Tag: "findings", Summary: "One finding",
		Response: map[int]*content{200: js("Finding")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/members", Access: tenantRole, Roles: adminOnly, h: (*Server).listMembers,
		ID: "listMembers", Tag: "members", Summary: "Members of the tenant and their roles",
		Response: list("Member")},
	{Method: "POST", Pattern: "/api/v1/tenants/{tenant}/members", Access: tenantRole, Roles: adminOnly, Body: bodyJSON, h: (*Server).addMember,
		ID: "addMember", Tag: "members", Summary: "Add a member by e-mail, creating the user (with a password) when new",
		Request: js("MemberRequest"), Response: map[int]*content{201: js("Member")}},
	{Method: "DELETE", Pattern: "/api/v1/tenants/{tenant}/members/{user}", Access: tenantRole, Roles: adminOnly, h: (*Server).removeMember,
		ID: "removeMember", Tag: "members", Summary: "Remove a member from the tenant",
		Response: map[int]*content{204: nil}},
	{Method: "PUT", Pattern: "/api/v1/tenants/{tenant}/members/{user}", Access: tenantRole, Roles: adminOnly, Body: bodyJSON, h: (*Server).setMemberRole,
		ID: "setMemberRole", Tag: "members", Summary: "Change a member's role",
		Request: js("RoleRequest"), Response: map[int]*content{200: js("Member")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/solutions", Access: tenantRole, Roles: allRoles, h: (*Server).listSolutions,
		ID: "listSolutions", Tag: "solutions", Summary: "Solutions of the tenant",
		Query: pageParams, Response: list("Solution")},
	{Method: "POST", Pattern: "/api/v1/tenants/{tenant}/solutions", Access: tenantRole, Roles: adminOnly, Body: bodyJSON, h: (*Server).createSolution,
		ID: "createSolution", Tag: "solutions", Summary: "Create a solution",
		Request: js("SolutionRequest"), Response: map[int]*content{201: js("Solution")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}", Access: tenantRole, Roles: allRoles, h: (*Server).getSolution,
		ID: "getSolution", Tag: "solutions", Summary: "One solution",
		Response: map[int]*content{200: js("Solution")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/assessments", Access: tenantRole, Roles: allRoles, h: (*Server).listAssessments,
		ID: "listAssessments", Tag: "assessments", Summary: "Assessment history of a solution, newest first",
		Query: pageParams, Response: list("AssessmentRecord")},
	{Method: "POST", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/assessments", Access: tenantRole, Roles: operators, Body: bodyAssessment, h: (*Server).pushAssessment,
		ID: "pushAssessment", Tag: "assessments", Summary: "Store an assessment from `iotguard assess` (the JSON report) and update finding lifecycles",
		Request: js("Assessment"), Response: map[int]*content{201: js("AssessmentRecord")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/attestations", Access: tenantRole, Roles: allRoles, Note: noteIUOwn, h: (*Server).listAttestations,
		ID: "listAttestations", Tag: "attestations", Summary: "Attestations of a solution",
		Query:    withPage(param{Name: "state", Description: "only attestations in this state", Enum: attestationStateNames()}),
		Response: list("Attestation")},
	{Method: "POST", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/attestations", Access: tenantRole, Roles: attesters, Note: noteOwnCtl, Body: bodyJSON, h: (*Server).createAttestation,
		ID: "createAttestation", Tag: "attestations", Summary: "Create a draft attestation",
		Request: js("AttestationInput"), Response: map[int]*content{201: js("Attestation")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/devices", Access: tenantRole, Roles: allRoles, h: (*Server).listDevices,
		ID: "listDevices", Tag: "devices", Summary: "Devices of a solution: filter, sort, page",
		Query: withPage(
			param{Name: "model", Description: "device model ID"},
			param{Name: "zone", Description: "network zone"},
			param{Name: "site", Description: "site"},
			param{Name: "lifecycle", Description: "life-cycle state", Enum: lifecycleNames()},
			param{Name: "q", Description: "prefix of the ID, serial or hostname"},
			param{Name: "sort", Description: "sort key; a leading - reverses", Enum: deviceSorts}),
		Response: map[int]*content{200: js("DevicePage")}},
	{Method: "POST", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/devices", Access: tenantRole, Roles: operators, Body: bodyImport, h: (*Server).importDevices,
		ID: "importDevices", Tag: "devices", Summary: "Bulk import devices (JSON lines or CSV), streamed and stored in whole batches",
		Request:  &content{Schema: "Device", Types: []string{"application/x-ndjson", "text/csv"}},
		Response: map[int]*content{200: js("ImportResult")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/devices/{device}", Access: tenantRole, Roles: allRoles, h: (*Server).getDevice,
		ID: "getDevice", Tag: "devices", Summary: "One device",
		Response: map[int]*content{200: js("Device")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/findings", Access: tenantRole, Roles: allRoles, Note: noteIUOwn, h: (*Server).listFindings,
		ID: "listFindings", Tag: "findings", Summary: "Findings of a solution across assessments",
		Query: withPage(
			param{Name: "state", Description: "finding state", Enum: findingStateNames()},
			param{Name: "severity", Description: "severity", Enum: severityNames()},
			param{Name: "control", Description: "control ID, e.g. S16"},
			param{Name: "check", Description: "check ID"},
			param{Name: "asset", Description: "asset (device ID, model, service...)"}),
		Response: list("Finding")},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/posture", Access: tenantRole, Roles: allRoles, Note: noteIUScope, h: (*Server).posture,
		ID: "getPosture", Tag: "assessments", Summary: "Score over time from the assessment history, oldest first",
		Query:    []param{{Name: "limit", Description: "how many of the latest assessments, 1-1000 (default 100)", Integer: true}},
		Response: map[int]*content{200: js("Posture")}},
	{Method: "GET", Pattern: "/api/v1/tenants/{tenant}/solutions/{solution}/soa", Access: tenantRole, Roles: allRoles, Note: noteIUOwn, h: (*Server).soa,
		ID: "getSoA", Tag: "assessments", Summary: "Statement of Applicability of a solution",
		Response: map[int]*content{200: jsArray("SoAEntry")}},
}
