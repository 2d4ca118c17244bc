package awsiot

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/redact"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// finding is one entry of aws iot list-audit-findings. Unknown members are
// ignored.
type finding struct {
	FindingID            string          `json:"findingId"`
	TaskID               string          `json:"taskId"`
	CheckName            string          `json:"checkName"`
	TaskStartTime        json.RawMessage `json:"taskStartTime"`
	FindingTime          json.RawMessage `json:"findingTime"`
	Severity             string          `json:"severity"`
	NonCompliantResource *resource       `json:"nonCompliantResource"`
	RelatedResources     []resource      `json:"relatedResources"`
	Reason               string          `json:"reasonForNonCompliance"`
	ReasonCode           string          `json:"reasonForNonComplianceCode"`
	IsSuppressed         bool            `json:"isSuppressed"`
}

type resource struct {
	ResourceType       string     `json:"resourceType"`
	ResourceIdentifier resourceID `json:"resourceIdentifier"`
}

// resourceID is the API's ResourceIdentifier: one or more of these are set.
type resourceID struct {
	DeviceCertificateID     string `json:"deviceCertificateId"`
	DeviceCertificateArn    string `json:"deviceCertificateArn"`
	CACertificateID         string `json:"caCertificateId"`
	CognitoIdentityPoolID   string `json:"cognitoIdentityPoolId"`
	ClientID                string `json:"clientId"`
	PolicyVersionIdentifier *struct {
		PolicyName      string `json:"policyName"`
		PolicyVersionID string `json:"policyVersionId"`
	} `json:"policyVersionIdentifier"`
	Account                     string `json:"account"`
	IAMRoleArn                  string `json:"iamRoleArn"`
	RoleAliasArn                string `json:"roleAliasArn"`
	IssuerCertificateIdentifier *struct {
		IssuerCertificateSubject      string `json:"issuerCertificateSubject"`
		IssuerID                      string `json:"issuerId"`
		IssuerCertificateSerialNumber string `json:"issuerCertificateSerialNumber"`
	} `json:"issuerCertificateIdentifier"`
}

// idField is one identifier of a resource, named as in the API.
type idField struct{ name, value string }

// fields lists the identifiers that are set, in a fixed order.
func (r *resourceID) fields() []idField {
	var out []idField
	add := func(name, v string) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, idField{name, v})
		}
	}
	add("deviceCertificateId", r.DeviceCertificateID)
	add("deviceCertificateArn", r.DeviceCertificateArn)
	add("caCertificateId", r.CACertificateID)
	add("clientId", r.ClientID)
	if pv := r.PolicyVersionIdentifier; pv != nil {
		v := pv.PolicyName
		if pv.PolicyVersionID != "" {
			v += "@" + pv.PolicyVersionID
		}
		add("policyVersionIdentifier", v)
	}
	add("cognitoIdentityPoolId", r.CognitoIdentityPoolID)
	add("roleAliasArn", r.RoleAliasArn)
	add("iamRoleArn", r.IAMRoleArn)
	if ic := r.IssuerCertificateIdentifier; ic != nil {
		v := ic.IssuerID
		if v == "" && ic.IssuerCertificateSubject != "" {
			v = ic.IssuerCertificateSubject
			if ic.IssuerCertificateSerialNumber != "" {
				v += "#" + ic.IssuerCertificateSerialNumber
			}
		}
		add("issuerCertificateIdentifier", v)
	}
	add("account", r.Account)
	return out
}

// primaryField is the identifier that names each resource type.
var primaryField = map[string][]string{
	"DEVICE_CERTIFICATE":    {"deviceCertificateId", "deviceCertificateArn"},
	"CA_CERTIFICATE":        {"caCertificateId"},
	"IOT_POLICY":            {"policyVersionIdentifier"},
	"COGNITO_IDENTITY_POOL": {"cognitoIdentityPoolId"},
	"CLIENT_ID":             {"clientId"},
	"ACCOUNT_SETTINGS":      {"account"},
	"ROLE_ALIAS":            {"roleAliasArn"},
	"IAM_ROLE":              {"iamRoleArn"},
	"ISSUER_CERTIFICATE":    {"issuerCertificateIdentifier"},
}

// name renders a resource as "TYPE:id" and returns the identifiers that
// were not used for the name.
func (r *resource) name() (string, []idField) {
	typ := strings.TrimSpace(r.ResourceType)
	fields := r.ResourceIdentifier.fields()
	pick := -1
	for _, want := range primaryField[typ] {
		for i, f := range fields {
			if f.name == want {
				pick = i
				break
			}
		}
		if pick >= 0 {
			break
		}
	}
	if pick < 0 && len(fields) > 0 {
		pick = 0 // unknown type: the first identifier in the fixed order
	}
	if pick < 0 {
		return typ, nil
	}
	rest := append(append([]idField(nil), fields[:pick]...), fields[pick+1:]...)
	if typ == "" {
		return fields[pick].value, rest
	}
	return typ + ":" + fields[pick].value, rest
}

// maxRelated bounds how many related resources a description lists.
const maxRelated = 10

func (p *parser) findings(raw json.RawMessage) ([]model.CloudFinding, error) {
	return objectList(p.file, raw, "findings", "audit findings", "an audit finding", p.finding)
}

// objectList decodes raw, the export's member field, as an array of
// objects, each into a T that conv turns into the model's R; plural and
// singular name the elements in messages ("things", "a thing").
func objectList[T, R any](file string, raw json.RawMessage, field, plural, singular string, conv func(path string, v *T) (R, error)) ([]R, error) {
	if inputerr.DescribeJSON(raw) == "null" {
		return nil, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, formatErr(file, field, "expected an array of %s, got %s", plural, inputerr.DescribeJSON(raw))
	}
	out := make([]R, 0, len(list))
	for i, e := range list {
		path := fmt.Sprintf("%s[%d]", field, i)
		if inputerr.DescribeJSON(e) != "an object" {
			return nil, formatErr(file, path, "expected %s object, got %s", singular, inputerr.DescribeJSON(e))
		}
		var v T
		if err := json.Unmarshal(e, &v); err != nil {
			return nil, typeErr(file, path, err)
		}
		r, err := conv(path, &v)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (p *parser) finding(path string, f *finding) (model.CloudFinding, error) {
	check := strings.TrimSpace(f.CheckName)
	if check == "" {
		return model.CloudFinding{}, formatErr(p.file, inputerr.JoinPath(path, "checkName"), "is missing: every audit finding names its check (e.g. DEVICE_CERTIFICATE_SHARED_CHECK)")
	}
	if len(check) > maxIDLen {
		return model.CloudFinding{}, formatErr(p.file, inputerr.JoinPath(path, "checkName"), "is %d bytes long, more than the %d-byte limit", len(check), maxIDLen)
	}
	sev, err := severity(f.Severity, check)
	if err != nil {
		return model.CloudFinding{}, formatErr(p.file, inputerr.JoinPath(path, "severity"), "%s", err)
	}
	if f.NonCompliantResource == nil {
		return model.CloudFinding{}, formatErr(p.file, inputerr.JoinPath(path, "nonCompliantResource"), "is missing: every audit finding names the resource it is about")
	}
	res, extra := f.NonCompliantResource.name()
	if res == "" {
		return model.CloudFinding{}, formatErr(p.file, inputerr.JoinPath(path, "nonCompliantResource"), "has neither a resourceType nor a resourceIdentifier")
	}
	started, err := epoch(p.file, inputerr.JoinPath(path, "taskStartTime"), f.TaskStartTime, time.Second)
	if err != nil {
		return model.CloudFinding{}, err
	}
	found, err := epoch(p.file, inputerr.JoinPath(path, "findingTime"), f.FindingTime, time.Second)
	if err != nil {
		return model.CloudFinding{}, err
	}
	var desc []string
	if f.FindingID != "" {
		desc = append(desc, "finding "+f.FindingID)
	}
	switch {
	case f.TaskID != "" && started.Set():
		desc = append(desc, fmt.Sprintf("audit task %s started %s", f.TaskID, started))
	case f.TaskID != "":
		desc = append(desc, "audit task "+f.TaskID)
	case started.Set():
		desc = append(desc, "audit task started "+started.String())
	}
	if found.Set() {
		desc = append(desc, "found "+found.String())
	}
	if len(extra) > 0 {
		ids := make([]string, len(extra))
		for i, x := range extra {
			ids[i] = x.name + " " + x.value
		}
		desc = append(desc, "also identified by "+strings.Join(ids, ", "))
	}
	if rel := related(f.RelatedResources); rel != "" {
		desc = append(desc, "related resources: "+rel)
	}
	if f.IsSuppressed {
		desc = append(desc, "suppressed in AWS IoT Device Defender")
	}
	reason := strings.TrimSpace(f.Reason)
	if code := strings.TrimSpace(f.ReasonCode); code != "" {
		if reason == "" {
			reason = code
		} else {
			reason += " (" + code + ")"
		}
	}
	description := ""
	if len(desc) > 0 {
		description = strings.Join(desc, "; ") + "."
	}
	return model.CloudFinding{
		Provider:     Provider,
		Check:        redact.String(check),
		Severity:     sev,
		ResourceType: redact.String(strings.TrimSpace(f.NonCompliantResource.ResourceType)),
		Resource:     redact.String(res),
		Reason:       redact.String(reason),
		Description:  redact.String(description),
		Controls:     ControlsForCheck(check),
		Source:       p.file,
	}, nil
}

// related lists distinct related resources in order of appearance, with a
// count when one appears several times (e.g. one MQTT client ID per
// connection of a shared certificate).
func related(rs []resource) string {
	var order []string
	count := map[string]int{}
	for i := range rs {
		n, _ := rs[i].name()
		if n == "" {
			continue
		}
		if count[n] == 0 {
			order = append(order, n)
		}
		count[n]++
	}
	var parts []string
	for i, n := range order {
		if i == maxRelated {
			parts = append(parts, fmt.Sprintf("and %d more", len(order)-maxRelated))
			break
		}
		if c := count[n]; c > 1 {
			n = fmt.Sprintf("%s (%d times)", n, c)
		}
		parts = append(parts, n)
	}
	return strings.Join(parts, ", ")
}

// severity maps a Device Defender severity; when it is absent, the check's
// documented severity is used.
func severity(s, check string) (model.Severity, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "CRITICAL":
		return model.Critical, nil
	case "HIGH":
		return model.High, nil
	case "MEDIUM":
		return model.Medium, nil
	case "LOW":
		return model.Low, nil
	case "":
		if c, ok := checkTable[normCheck(check)]; ok {
			return c.severity, nil
		}
		return "", fmt.Errorf("is missing and %s is not a known check: expected CRITICAL, HIGH, MEDIUM or LOW", safetext.QuoteWithSize(check))
	}
	return "", fmt.Errorf("%s is not a Device Defender severity: use CRITICAL, HIGH, MEDIUM or LOW", safetext.QuoteWithSize(s))
}
