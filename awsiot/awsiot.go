// Package awsiot reads AWS IoT registry and Device Defender Audit JSON, as
// the AWS CLI writes it, into iotguard evidence:
//
//   - aws iot list-things (and search-index, which has the same "things"
//     key) and aws iot describe-thing -> model.CloudThing
//   - aws iot describe-certificate (and describe-ca-certificate,
//     create-keys-and-certificate, register-certificate output) ->
//     model.CertificateInfo
//   - aws iot list-audit-findings -> model.CloudFinding
//
// The package is a pure reader: bytes in, model values out, no network.
// Private keys and other secrets found in these files are dropped on read
// and never appear in results or error messages.
package awsiot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/redact"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

// MaxSize is the largest document Parse accepts. AWS CLI output of a large
// fleet (list-things merges every page) stays well below it.
const MaxSize = 64 << 20

// maxSize is MaxSize; tests lower it.
var maxSize int64 = MaxSize

// Provider is the CloudThing and CloudFinding provider name.
const Provider = "aws-iot"

// Document kinds, as Result.Kind reports them.
const (
	KindListThings        = "list-things"          // {"things": [...]}, also search-index
	KindDescribeThing     = "describe-thing"       // {"thingName": ..., "thingArn": ...}
	KindDescribeCert      = "describe-certificate" // {"certificateDescription": {...}}
	KindCreateCert        = "create-certificate"   // {"certificateId", "certificatePem", "keyPair"...}
	KindListAuditFindings = "list-audit-findings"  // {"findings": [...]}
)

// Result is what one AWS IoT document holds. Only the slice matching Kind
// is filled.
type Result struct {
	Kind         string                  `json:"kind"`
	Things       []model.CloudThing      `json:"things,omitempty"`
	Certificates []model.CertificateInfo `json:"certificates,omitempty"`
	Findings     []model.CloudFinding    `json:"findings,omitempty"`
	// Notes say what was dropped on read (secrets, oversize values), in
	// counts only; they never quote the dropped data.
	Notes []string `json:"notes,omitempty"`
}

// ParseFile reads one AWS IoT JSON file.
func ParseFile(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads one AWS IoT JSON document; name is the file name for
// messages. The kind is detected from the top-level keys.
func Parse(name string, r io.Reader) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", safetext.Escape(name, 300), err)
	}
	if int64(len(data)) > maxSize {
		return nil, inputerr.Escaped(inputerr.TooLarge(ErrFormat, ErrTooLarge, name, maxSize,
			" for one AWS IoT document: split it into several files (e.g. one list-things or list-audit-findings page per file)"))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var te *json.UnmarshalTypeError
		if asType(err, &te) && te.Field == "" {
			return nil, formatErr(name, "", "expected a JSON object (AWS CLI output), got a JSON %s", te.Value)
		}
		return nil, syntaxErr(name, data, err)
	}
	if top == nil {
		return nil, formatErr(name, "", "expected a JSON object (AWS CLI output), got null")
	}
	kind, err := detect(name, top)
	if err != nil {
		return nil, err
	}
	p := &parser{file: name}
	res := &Result{Kind: kind}
	switch kind {
	case KindListThings:
		if res.Things, err = p.things(top["things"]); err != nil {
			return nil, err
		}
	case KindDescribeThing:
		var t thing
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, typeErr(name, "", err)
		}
		ct, err := p.thing("", &t)
		if err != nil {
			return nil, err
		}
		res.Things = []model.CloudThing{ct}
	case KindDescribeCert, KindCreateCert:
		path, raw := "certificateDescription", top["certificateDescription"]
		if kind == KindCreateCert {
			path, raw = "", data
		}
		c, err := p.certificate(path, raw)
		if err != nil {
			return nil, err
		}
		res.Certificates = []model.CertificateInfo{c}
	case KindListAuditFindings:
		if res.Findings, err = p.findings(top["findings"]); err != nil {
			return nil, err
		}
	}
	p.noteTopLevelSecrets(top)
	res.Notes = p.notes()
	return res, nil
}

// detect names the document kind from its top-level keys.
func detect(name string, top map[string]json.RawMessage) (string, error) {
	var kinds []string
	for _, k := range []struct{ key, kind string }{
		{"things", KindListThings},
		{"certificateDescription", KindDescribeCert},
		{"findings", KindListAuditFindings},
	} {
		if _, ok := top[k.key]; ok {
			kinds = append(kinds, k.kind)
		}
	}
	switch {
	case len(kinds) > 1:
		return "", formatErr(name, "", "the document mixes %s output: keep one AWS CLI command's output per file", strings.Join(kinds, " and "))
	case len(kinds) == 1:
		return kinds[0], nil
	}
	if _, ok := top["thingName"]; ok {
		return KindDescribeThing, nil
	}
	if _, ok := top["thingArn"]; ok {
		return KindDescribeThing, nil
	}
	_, pem := top["certificatePem"]
	_, id := top["certificateId"]
	_, arn := top["certificateArn"]
	if pem || id || arn {
		return KindCreateCert, nil
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	hint := ""
	for _, k := range keys {
		if h := suggest.Hint(k, []string{"things", "thingName", "certificateDescription", "findings"}); h != "" {
			hint = fmt.Sprintf("; the key %s%s", safetext.QuoteWithSize(k), h)
			break
		}
	}
	found := "no keys"
	if len(keys) > 0 {
		shown := make([]string, 0, 5)
		for i, k := range keys {
			if i == 5 {
				shown = append(shown, fmt.Sprintf("and %d more", len(keys)-5))
				break
			}
			shown = append(shown, safetext.QuoteWithSize(k))
		}
		found = "the keys " + strings.Join(shown, ", ")
	}
	return "", formatErr(name, "", "not a recognised AWS IoT document: expected a top-level \"things\" (aws iot list-things), \"thingName\" (describe-thing), \"certificateDescription\" (describe-certificate) or \"findings\" (list-audit-findings), found %s%s", found, hint)
}

// parser holds per-document state: the file name and what was dropped.
type parser struct {
	file           string
	droppedSecrets int
	droppedKeys    bool // a private key or key pair was present
	droppedLong    int
}

func (p *parser) notes() []string {
	var n []string
	if p.droppedKeys {
		n = append(n, "the document held a private key or key pair; it was dropped and not kept (store create-keys-and-certificate output in a secrets manager, not with evidence)")
	}
	if p.droppedSecrets > 0 {
		n = append(n, fmt.Sprintf("%d attribute(s) that looked like secrets (passwords, tokens, keys, connection strings) were dropped or redacted", p.droppedSecrets))
	}
	if p.droppedLong > 0 {
		n = append(n, fmt.Sprintf("%d attribute(s) beyond the size caps (%d entries per thing, %d-byte names, %d-byte values) were not kept", p.droppedLong, maxAttrs, maxKeyLen, maxValueLen))
	}
	return n
}

// noteTopLevelSecrets records a key pair at the top level (the output of
// create-keys-and-certificate); it was never decoded.
func (p *parser) noteTopLevelSecrets(top map[string]json.RawMessage) {
	p.noteKeyMaterial(top)
}

// noteKeyMaterial records private keys, key pairs and similar members of
// an object; their content was never decoded. (Not redact.SecretName: the
// harmless "nextToken" of paginated output would match it.)
func (p *parser) noteKeyMaterial(obj map[string]json.RawMessage) {
	for k, v := range obj {
		n := redact.NormKey(k)
		if (strings.Contains(n, "privatekey") || strings.Contains(n, "keypair") || strings.Contains(n, "secret") || strings.Contains(n, "password")) && inputerr.DescribeJSON(v) != "null" {
			p.droppedKeys = true
		}
	}
}

func asType(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}
