package manifest

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/iotguard/iotguard/model"
)

// SchemaID is the $id of the manifest's JSON Schema.
const SchemaID = "urn:iotguard:schema:manifest:1"

// Schema returns the JSON Schema (draft 2020-12) of the manifest, for
// editors (`iotguard schema manifest > iotguard.schema.json`). It is made
// by reflection over model.Solution and model.Device, so it follows the
// loader's field names; enums, required fields and ranges mirror the
// loader's rules. The loader remains the authority: it also checks
// references (a device's model, a flow's source) and uniqueness.
func Schema() []byte { return schemaJSON() }

var schemaJSON = sync.OnceValue(func() []byte {
	g := &schemaGen{defs: map[string]any{}}
	root := g.object(reflect.TypeOf(model.Solution{}))
	props := root["properties"].(map[string]any)
	props["devices"] = map[string]any{
		"description": "The devices: a list, or a side file streamed line by line ({file: devices.jsonl} or a CSV file with a header row).",
		"oneOf": []any{
			map[string]any{"type": "array", "items": g.ref(reflect.TypeOf(model.Device{}))},
			map[string]any{"$ref": "#/$defs/DevicesFile"},
		},
	}
	props["$schema"] = map[string]any{"type": "string", "description": "The URL or path of this schema, for editors."}
	g.defs["DevicesFile"] = map[string]any{
		"type":                 "object",
		"description":          "A devices side file, relative to the manifest's folder. JSON lines: one device object per line. CSV: a header row naming the columns (see docs/manifest.md).",
		"additionalProperties": false,
		"required":             []string{"file"},
		"properties": map[string]any{
			"file":   map[string]any{"type": "string", "minLength": 1, "description": "Path of the side file, relative to the manifest's folder."},
			"format": map[string]any{"enum": []string{"jsonl", "csv"}, "description": "jsonl or csv; by default taken from the extension (.jsonl, .ndjson, .csv)."},
		},
	}
	out := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         SchemaID,
		"title":       "iotguard solution manifest",
		"description": "Describes an IoT solution for iotguard: organisation and roles, device models, devices, services, networks, data flows, policy parameters and attestations per ISO/IEC 27400 control. See docs/manifest.md.",
		"$defs":       g.defs,
	}
	for k, v := range root {
		out[k] = v
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
})

type schemaGen struct {
	defs map[string]any
}

const timestampPattern = `^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$`

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// schemaRequired lists required fields per type.
var schemaRequired = map[reflect.Type][]string{
	reflect.TypeOf(model.Solution{}):     {"version", "name", "organization"},
	reflect.TypeOf(model.Organization{}): {"name"},
	reflect.TypeOf(model.DeviceModel{}):  {"id"},
	reflect.TypeOf(model.Service{}):      {"id"},
	reflect.TypeOf(model.Network{}):      {"id"},
	reflect.TypeOf(model.DataFlow{}):     {"id", "source", "destination"},
	reflect.TypeOf(model.Attestation{}):  {"control", "status"},
	reflect.TypeOf(model.EvidenceFile{}): {"path"},
	reflect.TypeOf(model.Device{}):       {"id", "model"},
	reflect.TypeOf(model.Port{}):         {"port"},
}

// schemaExtra adds constraints to single fields, keyed "Type.field".
var schemaExtra = map[string]map[string]any{
	"Solution.version":                  {"const": Version},
	"Port.port":                         {"minimum": 1, "maximum": 65535},
	"Service.port":                      {"minimum": 0, "maximum": 65535},
	"DataFlow.port":                     {"minimum": 0, "maximum": 65535},
	"Network.vlan":                      {"minimum": 0, "maximum": 4094},
	"Policy.telemetry_coverage_percent": {"maximum": 100},
	"EvidenceFile.sha256":               {"pattern": "^[0-9a-fA-F]{64}$"},
	"EvidenceFile.path":                 {"minLength": 1, "not": map[string]any{"pattern": `(^[/\\])|(^[A-Za-z]:[/\\])|(^|[/\\])\.\.([/\\]|$)`}},
	"DataFlow.source":                   {"pattern": "^(model|zone|service|external):.+$"},
	"DataFlow.destination":              {"pattern": "^(model|zone|service|external):.+$"},
}

// schemaDesc describes fields, keyed "Type.field", and types, keyed "Type".
var schemaDesc = map[string]string{
	"Solution.version":      "Manifest format version: 1.",
	"Solution.name":         "Name of the IoT solution.",
	"Solution.organization": "The organisation and who acts in each ISO/IEC 27400 role.",
	"Solution.models":       "Device models (types): vendor, firmware, update and disclosure policy, secure defaults.",
	"Solution.services":     "Cloud or on-premises services and endpoints.",
	"Solution.networks":     "Network zones and what may cross their boundaries.",
	"Solution.flows":        "Data flows between models, zones, services and external hosts.",
	"Solution.policy":       "Thresholds the checks use; zero or absent values take the documented defaults.",
	"Solution.attestations": "What people state about controls, with evidence files.",
	"Organization.roles":    "Who acts as each stakeholder: ISD (service developer), ISP (service provider), IU (user), IDD (device developer).",

	"DeviceModel.id":                  "Unique model ID, referenced by devices (model:) and flows (model:ID).",
	"DeviceModel.firmware_version":    "Latest firmware the vendor offers.",
	"DeviceModel.default_credentials": "How the model ships: default, shared, unique or none.",
	"DeviceModel.default_settings":    "Settings as shipped (e.g. camera, microphone, telnet: true/false).",
	"DeviceModel.ports":               "Listening ports the design declares: the secure baseline.",
	"DeviceModel.mud":                 "Path or URL of the model's MUD profile (RFC 8520).",
	"DeviceModel.sboms":               "Paths of the model's SBOMs (CycloneDX or SPDX).",

	"Device.id":                "Unique device ID across the inventory.",
	"Device.model":             "ID of the device's model (under models).",
	"Device.lifecycle":         "provisioned, active, decommissioned or rma.",
	"Device.location":          "How physically protected the location is: secured, unattended, outdoor or public.",
	"Device.zone":              "ID of the network zone the device sits in.",
	"Device.credentials":       "How the login credentials were set: default, shared, unique or none.",
	"Device.settings":          "Current settings, overriding the model's defaults.",
	"Device.ports":             "Listening ports observed on the device.",
	"Device.reported_firmware": "Firmware version the device last reported itself.",
	"Device.previous_identity": "Certificate fingerprint the device had before it was re-used.",

	"Service.tls":            "Lowest TLS version the endpoint accepts; none for plaintext.",
	"Service.authentication": "mtls, oauth2, password, api-key or none.",
	"Service.lockout":        "Failed logins before lockout or throttling; 0 means none.",

	"DataFlow.source":      "model:ID, zone:ID (a network), service:ID or external:HOST.",
	"DataFlow.destination": "model:ID, zone:ID (a network), service:ID or external:HOST.",
	"DataFlow.pii":         "The flow carries personal data.",
	"DataFlow.legal_basis": "consent, contract, legal-obligation, vital-interest, public-task or legitimate-interest.",
	"DataFlow.identifiers": "Persistent identifiers sent (serial, mac, imei, account-id, device-id).",

	"Policy.stale_device_days":          "Days without contact after which an active device counts as unused (default 90).",
	"Policy.min_rsa_bits":               "Smallest acceptable RSA key (default 2048).",
	"Policy.min_ec_bits":                "Smallest acceptable elliptic-curve key (default 256).",
	"Policy.min_tls":                    "Lowest acceptable TLS version (default 1.2).",
	"Policy.cert_expiry_warning_days":   "Warn when a certificate expires within this many days (default 30).",
	"Policy.firmware_max_lag_days":      "How long a device may run firmware older than the latest release (default 180).",
	"Policy.patch_sla_days":             "Days allowed to fix a vulnerability, per severity (defaults 14/30/90/180).",
	"Policy.attestation_review_days":    "How often attestations must be reviewed (default 365).",
	"Policy.security_test_max_age_days": "Maximum age of a model's security test report (default 365).",
	"Policy.telemetry_max_gap_hours":    "Hours without security telemetry before a device counts as silent (default 24).",
	"Policy.telemetry_coverage_percent": "Share of active devices that must report telemetry (default 95).",
	"Policy.log_retention_days":         "Minimum log retention (default 90).",
	"Policy.max_clock_skew_seconds":     "Largest acceptable device clock offset (default 300).",
	"Policy.max_pii_retention_days":     "Longest acceptable retention of personal data (default 365).",
	"Policy.privacy_settings":           "Settings that must be off by default (default camera, microphone, location, analytics).",
	"Attestation.control":               "Catalog control ID: S01-S28 or P01-P17.",
	"Attestation.status":                "implemented, partially-implemented, not-implemented or not-applicable.",
	"Attestation.statement":             "What is in place, in the owner's words.",
	"Attestation.date":                  "When the attestation was made (YYYY-MM-DD).",
	"Attestation.review_due":            "When it must next be reviewed (YYYY-MM-DD).",
	"Attestation.justification":         "Why the control does not apply; required for not-applicable.",
	"Attestation.evidence":              "Evidence files, relative to the manifest's folder, with their SHA-256.",
	"EvidenceFile.path":                 "Path relative to the manifest's folder; it may not leave the folder.",
	"EvidenceFile.sha256":               "SHA-256 of the file (sha256sum FILE); re-checked on every run.",
	"Port.tls":                          "The service is protected by TLS or DTLS.",
	"Port.authenticated":                "The service requires authentication.",
	"Timestamp":                         "A date (YYYY-MM-DD) or an RFC 3339 time (2026-03-01T10:00:00Z).",
	"Solution":                          "An IoT solution.",
	"Organization":                      "The organisation and its roles.",
	"DeviceModel":                       "A device model (type).",
	"Device":                            "One device.",
	"Service":                           "A service or endpoint.",
	"Network":                           "A network zone.",
	"DataFlow":                          "Data moving from a source to a destination.",
	"Policy":                            "Thresholds the checks use; zero or absent values take the defaults.",
	"Attestation":                       "A person's statement about a control, with evidence.",
	"EvidenceFile":                      "A file that supports a claim, pinned by its SHA-256.",
}

var (
	timestampType = reflect.TypeOf(model.Timestamp{})
	tlsType       = reflect.TypeOf(model.TLSVersion(""))
)

// enumSchemas are the schemas of enum types.
var enumSchemas = map[reflect.Type]map[string]any{
	reflect.TypeOf(model.Lifecycle("")):       {"type": "string", "enum": strs(model.LifecycleStates)},
	reflect.TypeOf(model.LocationClass("")):   {"type": "string", "enum": strs(model.LocationClasses)},
	reflect.TypeOf(model.CredentialState("")): {"type": "string", "enum": strs(model.CredentialStates)},
	reflect.TypeOf(model.ControlStatus("")):   {"type": "string", "enum": strs(attestationStatuses)},
}

// schemaFor returns the schema of a field type.
func (g *schemaGen) schemaFor(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := enumSchemas[t]; ok {
		return clone(s)
	}
	switch t {
	case timestampType:
		return map[string]any{"type": "string", "pattern": timestampPattern, "description": schemaDesc["Timestamp"]}
	case tlsType:
		// YAML reads an unquoted 1.2 as a number; the loader accepts it, and
		// TLS1.2 / tlsv1.2 too.
		return map[string]any{"anyOf": []any{
			map[string]any{"enum": append(anys(strs(model.TLSVersions)), 1.0, 1.1, 1.2, 1.3)},
			map[string]any{"type": "string", "pattern": `^\s*[Tt][Ll][Ss]([Vv])?\s*1\.[0-3]\s*$`},
		}}
	}
	switch t.Kind() {
	case reflect.Struct:
		return g.ref(t)
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schemaFor(t.Elem())}
	case reflect.Map:
		s := map[string]any{"type": "object", "additionalProperties": g.schemaFor(t.Elem())}
		if t.Key() == reflect.TypeOf(model.Stakeholder("")) {
			s["propertyNames"] = map[string]any{"enum": strs(model.Stakeholders)}
		}
		return s
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{}
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ref returns a $ref to the definition of struct t, creating it.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	name := t.Name()
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = true // placeholder against recursion
		g.defs[name] = g.object(t)
	}
	return map[string]any{"$ref": "#/$defs/" + name}
}

// object returns the schema of struct t.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		s := g.schemaFor(f.Type)
		key := t.Name() + "." + name
		if d, ok := schemaDesc[key]; ok {
			if _, isRef := s["$ref"]; isRef {
				s = map[string]any{"allOf": []any{s}}
			}
			s["description"] = d
		}
		for k, v := range schemaExtra[key] {
			s[k] = v
		}
		if t == reflect.TypeOf(model.Policy{}) || t == reflect.TypeOf(model.PatchSLA{}) {
			if s["type"] == "integer" {
				s["minimum"] = 0
			}
		}
		if t == reflect.TypeOf(model.Attestation{}) && name == "control" {
			s["enum"] = strs(controlIDs())
		}
		props[name] = s
	}
	out := map[string]any{
		"type":                 "object",
		"additionalProperties": false,
		"properties":           props,
	}
	if r := schemaRequired[t]; len(r) > 0 {
		out["required"] = r
	}
	if d, ok := schemaDesc[t.Name()]; ok {
		out["description"] = d
	}
	return out
}
