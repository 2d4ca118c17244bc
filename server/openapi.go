package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// APIVersion is the version of the API the OpenAPI document describes.
const APIVersion = "1.0.0"

type obj = map[string]any

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

var pathParamRe = regexp.MustCompile(`\{([a-z0-9_]+)\}`)

// pathParamDocs describe the path parameters by name.
var pathParamDocs = map[string]string{
	"tenant":      "tenant ID",
	"solution":    "solution ID",
	"device":      "device ID (percent-encoded)",
	"sha256":      "SHA-256 of the evidence file, 64 lower-case hexadecimal digits",
	"attestation": "attestation ID",
	"assessment":  "assessment ID",
	"finding":     "finding ID",
	"user":        "user ID",
	"token":       "token ID",
}

// openAPIDocument builds the OpenAPI 3.1 document from the route table,
// so that routes and document cannot drift; the tests check both ways
// against the router and that every reference resolves.
func openAPIDocument() obj {
	paths := obj{}
	for i := range routes {
		rt := &routes[i]
		item, _ := paths[rt.Pattern].(obj)
		if item == nil {
			item = obj{}
			paths[rt.Pattern] = item
		}
		item[strings.ToLower(rt.Method)] = operation(rt)
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":       "iotguard API",
			"version":     APIVersion,
			"description": "Continuous ISO/IEC 27400 assurance for IoT fleets. Authenticate with `Authorization: Bearer <token>`. Lists page with `cursor` and `limit`; every error is an Error object. The permission matrix is in docs/server.md and in each operation's x-iotguard-access.",
		},
		"servers":  []obj{{"url": "/"}},
		"security": []obj{{"bearerAuth": []string{}}},
		"tags":     tags(),
		"paths":    paths,
		"components": obj{
			"securitySchemes": obj{"bearerAuth": obj{"type": "http", "scheme": "bearer", "description": "an API token (igt_...) from POST /api/v1/tokens or /api/v1/login"}},
			"schemas":         schemas(),
		},
	}
}

func tags() []obj {
	var out []obj
	seen := map[string]bool{}
	for _, rt := range routes {
		if !seen[rt.Tag] {
			seen[rt.Tag] = true
			out = append(out, obj{"name": rt.Tag})
		}
	}
	return out
}

func operation(rt *route) obj {
	op := obj{
		"operationId": rt.ID,
		"tags":        []string{rt.Tag},
		"summary":     rt.Summary,
	}
	access := obj{"access": rt.Access.String()}
	if rt.Access == tenantRole {
		access["roles"] = names(rt.Roles)
	}
	if rt.Note != "" {
		access["note"] = rt.Note
	}
	op["x-iotguard-access"] = access
	if rt.Access == public {
		op["security"] = []obj{}
	}
	var params []obj
	for _, m := range pathParamRe.FindAllStringSubmatch(rt.Pattern, -1) {
		params = append(params, obj{"name": m[1], "in": "path", "required": true,
			"description": pathParamDocs[m[1]], "schema": obj{"type": "string"}})
	}
	for _, q := range rt.Query {
		sch := obj{"type": "string"}
		if q.Integer {
			sch = obj{"type": "integer"}
		}
		if q.Enum != nil {
			sch["enum"] = q.Enum
		}
		params = append(params, obj{"name": q.Name, "in": "query", "description": q.Description, "schema": sch})
	}
	if rt.Method == "PUT" && strings.Contains(rt.Pattern, "{attestation}") {
		params = append(params, obj{"name": "If-Match", "in": "header", "required": true,
			"description": "the attestation's version, as its ETag gave it", "schema": obj{"type": "string"}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.Request != nil {
		op["requestBody"] = obj{"required": true, "content": mediaTypes(rt.Request)}
	}
	responses := obj{}
	for status, c := range rt.Response {
		resp := obj{"description": http.StatusText(status)}
		if c != nil {
			resp["content"] = mediaTypes(c)
		}
		responses[itoa(status)] = resp
	}
	errResp := func(status int, why string) {
		if _, ok := responses[itoa(status)]; !ok {
			responses[itoa(status)] = obj{"description": why, "content": mediaTypes(js("Error"))}
		}
	}
	if rt.Request != nil || rt.Query != nil || len(params) > 0 {
		errResp(400, "invalid request: the error's details list each problem")
	}
	if rt.Access != public {
		errResp(401, "no valid bearer token")
	}
	if rt.Access != public && rt.Access != user {
		errResp(403, "the caller's role may not do this")
	}
	if strings.Contains(rt.Pattern, "{") {
		errResp(404, "not found, or in a tenant the caller is not a member of")
	}
	if rt.Request != nil {
		errResp(413, "the request body is over this endpoint's limit")
		errResp(415, "the Content-Type is not accepted here")
	}
	if rt.ID == "login" {
		errResp(429, "too many login attempts; see Retry-After")
	}
	if rt.Method == "PUT" || rt.Method == "POST" || rt.Method == "PATCH" || rt.Method == "DELETE" {
		errResp(409, "conflict: a duplicate, or a state change that is not allowed")
	}
	if rt.Method == "PUT" && strings.Contains(rt.Pattern, "{attestation}") {
		errResp(412, "the attestation changed since it was read")
		errResp(428, "If-Match is missing")
	}
	responses["default"] = obj{"description": "error", "content": mediaTypes(js("Error"))}
	op["responses"] = responses
	return op
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func mediaTypes(c *content) obj {
	out := obj{}
	for _, t := range c.Types {
		var sch obj
		switch {
		case c.Schema == "" && strings.HasPrefix(t, "application/json"):
			sch = obj{"type": "object"}
		case c.Schema == "":
			sch = obj{"type": "string", "contentMediaType": t}
		case c.Array:
			sch = obj{"type": "array", "items": ref(c.Schema)}
		default:
			sch = ref(c.Schema)
		}
		out[t] = obj{"schema": sch}
	}
	return out
}

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

// Schema helpers.
func str(desc string) obj     { return obj{"type": "string", "description": desc} }
func strEnum(vs []string) obj { return obj{"type": "string", "enum": vs} }
func dateTime() obj           { return obj{"type": "string", "format": "date-time"} }
func optDateTime() obj        { return obj{"type": []string{"string", "null"}, "format": "date-time"} }
func integer() obj            { return obj{"type": "integer"} }
func number() obj             { return obj{"type": "number"} }
func boolean() obj            { return obj{"type": "boolean"} }
func arrayOf(items obj) obj   { return obj{"type": "array", "items": items} }
func mapOf(values obj) obj    { return obj{"type": "object", "additionalProperties": values} }
func object(props obj, req ...string) obj {
	o := obj{"type": "object", "properties": props}
	if len(req) > 0 {
		o["required"] = req
	}
	return o
}

// listOf is the envelope of a list response.
func listOf(item string) obj {
	return object(obj{"items": arrayOf(ref(item)), "next": str("cursor of the next page; absent on the last")}, "items")
}

func schemas() obj {
	attestationFields := obj{
		"control":       str("control ID, e.g. S01"),
		"status":        strEnum(names(model.ControlStatuses)),
		"statement":     str("what is in place"),
		"owner":         str("who answers for it"),
		"date":          str("date or RFC 3339 time of the statement"),
		"review_due":    str("when the statement must be reviewed"),
		"justification": str("required when status is not-applicable"),
		"evidence":      arrayOf(object(obj{"path": str("file name"), "sha256": str("SHA-256 of an uploaded evidence file")}, "sha256")),
	}
	attestation := obj{
		"id": str(""), "solution_id": str(""), "state": strEnum(attestationStateNames()),
		"author": str("who created it"), "reviewer": str("the auditor who reviewed it"),
		"review_comment": str(""), "reviewed_at": optDateTime(), "expires_at": optDateTime(),
		"updated_at": dateTime(), "version": obj{"type": "integer", "description": "for If-Match"},
	}
	for k, v := range attestationFields {
		attestation[k] = v
	}
	s := obj{
		"Error": object(obj{"error": object(obj{
			"code":       strEnum([]string{codeBadRequest, codeUnauthenticated, codeForbidden, codeNotFound, codeMethod, codeConflict, codePrecondition, codePrecondReq, codeTooLarge, codeUnsupported, codeRateLimited, codeInternal, codeUnavailable}),
			"message":    str("for people"),
			"details":    arrayOf(str("one problem")),
			"request_id": str("quote it when reporting a problem"),
		}, "code", "message")}, "error"),
		"Status":       object(obj{"status": str("ok or ready")}, "status"),
		"LoginRequest": object(obj{"email": str(""), "password": obj{"type": "string", "minLength": MinPasswordLen, "maxLength": MaxPasswordLen}}, "email", "password"),
		"TokenRequest": object(obj{"name": str("what the token is for"), "expires_in_days": obj{"type": "integer", "minimum": 1, "maximum": 366, "description": "default 90"}}, "name"),
		"Token": object(obj{"id": str(""), "user_id": str(""), "name": str(""), "created_at": dateTime(),
			"expires_at": optDateTime(), "revoked_at": optDateTime(), "last_used_at": optDateTime()}, "id", "name"),
		"TokenCreated": obj{"allOf": []obj{ref("Token"), object(obj{"token": str("the secret: shown once, send it as Authorization: Bearer")}, "token")}},
		"User": object(obj{"id": str(""), "email": str(""), "name": str(""), "platform_admin": boolean(),
			"disabled": boolean(), "created_at": dateTime()}, "id", "email"),
		"Membership":    object(obj{"tenant_id": str(""), "user_id": str(""), "role": strEnum(names(store.Roles))}, "tenant_id", "user_id", "role"),
		"Me":            object(obj{"user": ref("User"), "memberships": arrayOf(ref("Membership")), "token_id": str("")}, "user", "memberships"),
		"Tenant":        object(obj{"id": str(""), "name": str(""), "created_at": dateTime()}, "id", "name"),
		"TenantRequest": object(obj{"name": str(""), "admin_email": str("an existing user to be the first admin; the caller by default")}, "name"),
		"Member":        object(obj{"user_id": str(""), "email": str(""), "name": str(""), "role": strEnum(names(store.Roles))}, "user_id", "email", "role"),
		"MemberRequest": object(obj{"email": str(""), "name": str(""), "role": strEnum(names(store.Roles)),
			"password": obj{"type": "string", "minLength": MinPasswordLen, "maxLength": MaxPasswordLen, "description": "required for a new user; refused for an existing one"}}, "email", "role"),
		"RoleRequest":     object(obj{"role": strEnum(names(store.Roles))}, "role"),
		"Solution":        object(obj{"id": str(""), "name": str(""), "description": str(""), "created_at": dateTime(), "devices": integer()}, "id", "name"),
		"SolutionRequest": object(obj{"name": str(""), "description": str("")}, "name"),
		"Device": obj{"type": "object", "description": "a device as in inventory files (docs/manifest.md); id and model are required", "required": []string{"id", "model"},
			"properties": obj{"id": str(""), "model": str("device model ID"), "serial": str(""), "firmware": str(""), "hostname": str(""),
				"lifecycle": strEnum(lifecycleNames()), "site": str(""), "zone": str(""), "last_seen": str("date or RFC 3339 time")},
			"additionalProperties": true},
		"DevicePage":   object(obj{"items": arrayOf(ref("Device")), "next": str("cursor of the next page"), "total": obj{"type": "integer", "description": "devices matching the filter"}}, "items", "total"),
		"ImportResult": object(obj{"imported": integer()}, "imported"),
		"Evidence": object(obj{"sha256": str(""), "name": str(""), "size": integer(), "media_type": str("sniffed from the content"),
			"uploaded_by": str(""), "uploaded_at": dateTime()}, "sha256", "name", "size", "media_type"),
		"AttestationInput": object(attestationFields, "control", "status"),
		"Attestation":      object(attestation, "id", "solution_id", "control", "status", "state", "version"),
		"Review": object(obj{"decision": strEnum([]string{"approve", "reject"}), "comment": str("required to reject"),
			"expires": str("when an approval lapses: a future date or RFC 3339 time")}, "decision"),
		"Assessment": obj{"type": "object", "description": "the JSON report of iotguard assess (docs/report-json.md)", "required": []string{"assessed_at"},
			"properties": obj{"schema_version": str(""), "tool_version": str(""), "solution": str(""), "assessed_at": dateTime(), "summary": ref("Summary"),
				"controls": arrayOf(obj{"type": "object"}), "checks": arrayOf(obj{"type": "object"}), "findings": arrayOf(obj{"type": "object"})},
			"additionalProperties": true},
		"Summary": object(obj{"score": number(), "controls": mapOf(integer()), "findings": mapOf(integer()),
			"by_role": mapOf(number()), "by_category": mapOf(number()), "devices": integer(), "checks": integer()}),
		"AssessmentRecord": object(obj{"id": str(""), "solution_id": str(""), "assessed_at": dateTime(), "received_at": dateTime(),
			"tool_version": str(""), "summary": ref("Summary"), "submitted_by": str("")}, "id", "solution_id", "assessed_at"),
		"AssessmentDetail": object(obj{"record": ref("AssessmentRecord"), "assessment": ref("Assessment")}, "record", "assessment"),
		"Finding": object(obj{"id": str(""), "solution_id": str(""), "check": str(""), "title": str(""), "controls": arrayOf(str("")),
			"severity": strEnum(severityNames()), "asset_type": str(""), "asset": str(""), "message": str(""), "remediation": str(""),
			"state": strEnum(findingStateNames()), "reason": str(""), "accepted_until": optDateTime(),
			"first_seen": dateTime(), "last_seen": dateTime(), "reopened": integer()}, "id", "state"),
		"FindingPatch": object(obj{"state": strEnum(findingStateNames()), "reason": str("required for risk-accepted"),
			"until": str("required for risk-accepted: a future date or RFC 3339 time")}, "state"),
		"SoAEntry": object(obj{"control": str(""), "title": str(""), "applicable": boolean(), "justification": str(""),
			"status": strEnum(names(model.ControlStatuses)), "attestation": ref("Attestation"), "findings": integer()}, "control", "applicable", "status"),
		"Posture": object(obj{"solution_id": str(""), "role": str("set when the scores are one stakeholder's (iu)"),
			"points": arrayOf(object(obj{"assessment_id": str(""), "assessed_at": dateTime(), "score": number(),
				"by_role": mapOf(number()), "by_category": mapOf(number()), "controls": mapOf(integer()), "findings": mapOf(integer())}, "assessment_id", "assessed_at", "score"))}, "solution_id", "points"),
		"AuditRecord": object(obj{"seq": integer(), "tenant_id": str(""), "actor": str(""), "at": dateTime(), "action": str("e.g. attestation.approve"),
			"object_type": str(""), "object_id": str(""), "before_sha256": str(""), "after_sha256": str(""), "prev_hash": str(""), "hash": str("")}, "seq", "action", "hash"),
		"VerifyResult": object(obj{"ok": boolean(), "records": integer(), "checkpoints": integer(), "first_bad_seq": integer(), "problem": str("")}, "ok", "records"),
	}
	for _, rt := range routes {
		for _, c := range rt.Response {
			if c != nil && strings.HasSuffix(c.Schema, "List") {
				s[c.Schema] = listOf(strings.TrimSuffix(c.Schema, "List"))
			}
		}
	}
	return s
}
