package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// call is what a matrix case sends: path parameters, body and headers.
type call struct {
	params      map[string]string
	body        []byte
	contentType string
	header      map[string]string
}

// matrixCase builds a request for a route in a tenant, as a given caller.
// It may create fresh objects (a draft to submit, a member to remove), so
// that every call starts from the same state. ok is the status an allowed
// caller gets.
type matrixCase struct {
	ok    int
	build func(fx *fixture, tf *tenantFx, who *principal) call
}

func jsonCall(params map[string]string, v any) call {
	b, _ := json.Marshal(v)
	return call{params: params, body: b, contentType: "application/json"}
}

func base(tf *tenantFx) map[string]string {
	return map[string]string{"tenant": tf.tenant.ID, "solution": tf.solution.ID}
}

func with(m map[string]string, kv ...string) map[string]string {
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var p16 = model.Attestation{Control: "P16", Status: model.Implemented, Statement: "every flow has a purpose", Owner: "ops"}

// matrixCases has one case per route ID; TestMatrixCoversEveryRoute fails
// when a route has none.
var matrixCases = map[string]matrixCase{
	"healthz": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{} }},
	"readyz":  {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{} }},
	"metrics": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{} }},
	"openapi": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{} }},
	"getMe":   {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{} }},
	"login": {ok: 201, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		u := tf.members[store.RoleViewer]
		return jsonCall(nil, loginRequest{Email: u.user.Email, Password: u.passwd})
	}},
	"listTokens": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{} }},
	"createToken": {ok: 201, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return jsonCall(nil, tokenRequest{Name: "ci"})
	}},
	"revokeToken": {ok: 204, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		// A fresh token of the caller's; without a caller, or for another
		// tenant, the token is that tenant's viewer's.
		owner := who
		if owner == nil || (owner.role != "" && tf.members[owner.role] != owner) {
			owner = tf.members[store.RoleViewer]
		}
		_, id := fx.newTokenID(owner.user)
		return call{params: map[string]string{"token": id}}
	}},
	"verifyAudit": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{} }},
	"exportAudit": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{} }},
	"listTenants": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{} }},
	"createTenant": {ok: 201, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return jsonCall(nil, tenantRequest{Name: fx.unique("tenant")})
	}},
	"getTenant":   {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"listMembers": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"addMember": {ok: 201, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return jsonCall(base(tf), memberRequest{Email: fx.unique("new") + "@example.test", Role: store.RoleViewer, Password: "a long enough password"})
	}},
	"setMemberRole": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return jsonCall(with(base(tf), "user", fx.freshMember(tf).user.ID), roleRequest{Role: store.RoleAuditor})
	}},
	"removeMember": {ok: 204, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return call{params: with(base(tf), "user", fx.freshMember(tf).user.ID)}
	}},
	"listSolutions": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"createSolution": {ok: 201, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return jsonCall(base(tf), solutionRequest{Name: fx.unique("solution")})
	}},
	"getSolution": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"listDevices": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"importDevices": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		id := fx.unique("imported")
		return call{params: base(tf), contentType: "application/x-ndjson",
			body: []byte(`{"id":"` + id + `-1","model":"cam"}` + "\n" + `{"id":"` + id + `-2","model":"cam"}` + "\n")}
	}},
	"getDevice": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return call{params: with(base(tf), "device", tf.devices[0].ID)}
	}},
	"listEvidence": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"uploadEvidence": {ok: 201, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile("file", "scan.txt")
		fmt.Fprintf(w, "scan result %s in %s", fx.unique("scan"), tf.tenant.ID)
		mw.Close()
		return call{params: base(tf), body: buf.Bytes(), contentType: mw.FormDataContentType()}
	}},
	"downloadEvidence": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return call{params: with(base(tf), "sha256", tf.evidence.SHA256)}
	}},
	"listAttestations": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"createAttestation": {ok: 201, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return jsonCall(base(tf), p16)
	}},
	"getAttestation": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return call{params: with(base(tf), "attestation", tf.approved.ID)}
	}},
	"editAttestation": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		a := fx.attestation(tf, "P16", store.Draft)
		c := jsonCall(with(base(tf), "attestation", a.ID), p16)
		c.header = map[string]string{"If-Match": strconv.Quote(strconv.Itoa(a.Version))}
		return c
	}},
	"submitAttestation": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return call{params: with(base(tf), "attestation", fx.attestation(tf, "P16", store.Draft).ID)}
	}},
	"reviewAttestation": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		a := fx.attestation(tf, "P16", store.Submitted)
		return jsonCall(with(base(tf), "attestation", a.ID), reviewRequest{Decision: "approve", Comment: "evidence checked"})
	}},
	"listAssessments": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"pushAssessment": {ok: 201, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return jsonCall(base(tf), testAssessment(tf.tenant.Name, testNow.Add(-time.Hour)))
	}},
	"getAssessment": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return call{params: with(base(tf), "assessment", tf.assessment.ID)}
	}},
	"listFindings": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"getFinding": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return call{params: with(base(tf), "finding", tf.findingIU.ID)}
	}},
	"updateFinding": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call {
		return jsonCall(with(base(tf), "finding", tf.findingOther.ID), findingPatch{State: store.Acknowledged})
	}},
	"getSoA":     {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"getPosture": {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
	"listAudit":  {ok: 200, build: func(fx *fixture, tf *tenantFx, who *principal) call { return call{params: base(tf)} }},
}

// freshMember adds a new viewer to the tenant, to change or remove.
func (fx *fixture) freshMember(tf *tenantFx) *principal {
	fx.t.Helper()
	p := fx.newUser(fx.unique("member")+"@example.test", false)
	if err := fx.st.Platform().SetMembership(fx.ctx(), sysActor, store.Membership{TenantID: tf.tenant.ID, UserID: p.user.ID, Role: store.RoleViewer}); err != nil {
		fx.t.Fatal(err)
	}
	return p
}

// expand fills a route pattern with parameters.
func expand(pattern string, params map[string]string) string {
	return pathParamRe.ReplaceAllStringFunc(pattern, func(m string) string {
		v, ok := params[m[1:len(m)-1]]
		if !ok {
			panic("no value for " + m + " in " + pattern)
		}
		return url.PathEscape(v)
	})
}

func (fx *fixture) call(rt *route, c call, token string) response {
	fx.t.Helper()
	return fx.do(request{method: rt.Method, path: expand(rt.Pattern, c.params), token: token, body: c.body, contentType: c.contentType, header: c.header})
}

func TestMatrixCoversEveryRoute(t *testing.T) {
	for _, rt := range routes {
		if _, ok := matrixCases[rt.ID]; !ok {
			t.Errorf("route %s %s (%s) has no matrix case", rt.Method, rt.Pattern, rt.ID)
		}
	}
	if len(matrixCases) != len(routes) {
		t.Errorf("%d matrix cases for %d routes: remove the cases of removed routes", len(matrixCases), len(routes))
	}
}

// expected is what the permission matrix says a caller gets on its own
// tenant: the route's success status or 403.
func expected(rt *route, who *principal, ok int) int {
	switch rt.Access {
	case public, user:
		return ok
	case platformAdmin:
		if who.user.PlatformAdmin {
			return ok
		}
		return 403
	case auditVerifier:
		if who.user.PlatformAdmin || who.role == store.RoleAdmin || who.role == store.RoleAuditor {
			return ok
		}
		return 403
	}
	if slices.Contains(rt.Roles, who.role) {
		return ok
	}
	return 403
}

// TestPermissionMatrix runs every route as every role of tenant A, on
// tenant A (the matrix decides: success or 403), on tenant B (404: the
// tenant's existence does not leak), on tenant A with tenant B's objects
// (404: isolation is in the data layer), as the platform admin, without a
// token and with a bad token (401).
func TestPermissionMatrix(t *testing.T) {
	fx := newFixture(t)
	for i := range routes {
		rt := &routes[i]
		mc := matrixCases[rt.ID]
		t.Run(rt.ID, func(t *testing.T) {
			fx.t = t
			for _, role := range store.Roles {
				who := fx.a.members[role]
				own := fx.call(rt, mc.build(fx, fx.a, who), who.token)
				if want := expected(rt, who, mc.ok); own.status != want {
					t.Errorf("%s on own tenant: %v, want %d", role, own, want)
				} else if want == 403 && own.errorCode(t) != codeForbidden {
					t.Errorf("%s on own tenant: error code %q, want forbidden", role, own.errorCode(t))
				}
				if rt.Access == tenantRole {
					other := fx.call(rt, mc.build(fx, fx.b, who), who.token)
					if other.status != 404 {
						t.Errorf("%s on another tenant: %v, want 404", role, other)
					}
					// Tenant A in the URL, tenant B's objects in the rest.
					c := mc.build(fx, fx.b, who)
					if len(c.params) > 1 && slices.Contains(rt.Roles, role) && hasObjectParam(rt.Pattern) {
						c.params["tenant"] = fx.a.tenant.ID
						if r := fx.call(rt, c, who.token); r.status != 404 {
							t.Errorf("%s with another tenant's object: %v, want 404", role, r)
						}
					}
				}
			}
			if rt.ID == "revokeToken" {
				// Another user's token is not found, not revoked.
				c := mc.build(fx, fx.b, fx.b.members[store.RoleViewer])
				if r := fx.call(rt, c, fx.a.members[store.RoleAdmin].token); r.status != 404 {
					t.Errorf("revoking another user's token: %v, want 404", r)
				}
			}
			root := fx.call(rt, mc.build(fx, fx.a, fx.root), fx.root.token)
			wantRoot := expected(rt, fx.root, mc.ok)
			if rt.Access == tenantRole {
				wantRoot = 404 // the platform-admin flag gives no tenant access
			}
			if root.status != wantRoot {
				t.Errorf("platform admin: %v, want %d", root, wantRoot)
			}
			for _, token := range []string{"", "igt_not-a-valid-token", fx.a.members[store.RoleAdmin].token + "x"} {
				r := fx.call(rt, mc.build(fx, fx.a, nil), token)
				want := 401
				if rt.Access == public {
					want = mc.ok
				}
				if r.status != want {
					t.Errorf("token %q: %v, want %d", token, r, want)
				}
				if want == 401 && r.header.Get("WWW-Authenticate") == "" {
					t.Errorf("401 without WWW-Authenticate")
				}
			}
		})
	}
}

// hasObjectParam reports whether a pattern names an object below the tenant.
func hasObjectParam(pattern string) bool {
	return strings.Count(pattern, "{") > 1
}

// TestMatrixPolicy pins the rules docs/server.md promises, so an edit of
// the table that breaks one fails here and not only in review.
func TestMatrixPolicy(t *testing.T) {
	byID := map[string]*route{}
	for i := range routes {
		byID[routes[i].ID] = &routes[i]
	}
	roles := func(id string) []store.Role { return byID[id].Roles }
	tests := []struct {
		name string
		got  []store.Role
		want []store.Role
	}{
		{"only auditors review attestations", roles("reviewAttestation"), []store.Role{store.RoleAuditor}},
		{"only admins manage members", roles("addMember"), []store.Role{store.RoleAdmin}},
		{"auditors and viewers do not write devices", roles("importDevices"), []store.Role{store.RoleAdmin, store.RoleISP, store.RoleISD}},
		{"iu does not list all evidence", roles("listEvidence"), []store.Role{store.RoleAdmin, store.RoleAuditor, store.RoleISP, store.RoleISD, store.RoleViewer}},
		{"findings state by operators", roles("updateFinding"), []store.Role{store.RoleAdmin, store.RoleISP, store.RoleISD}},
		{"audit log for admins and auditors", roles("listAudit"), []store.Role{store.RoleAdmin, store.RoleAuditor}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: roles %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	for _, rt := range routes {
		if rt.Method != "GET" && slices.Contains(rt.Roles, store.RoleViewer) {
			t.Errorf("%s %s: viewers only read", rt.Method, rt.Pattern)
		}
		if rt.Method != "GET" && rt.ID != "reviewAttestation" && slices.Contains(rt.Roles, store.RoleAuditor) {
			t.Errorf("%s %s: auditors do not edit data", rt.Method, rt.Pattern)
		}
		if strings.HasPrefix(rt.Pattern, "/api/v1/tenants/{tenant}") != (rt.Access == tenantRole) {
			t.Errorf("%s %s: tenant routes and only they take tenant roles", rt.Method, rt.Pattern)
		}
		if rt.Access == tenantRole && len(rt.Roles) == 0 {
			t.Errorf("%s %s: no role may call it", rt.Method, rt.Pattern)
		}
	}
}
