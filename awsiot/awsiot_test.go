package awsiot

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iotguard/iotguard/internal/fixtures"
	"github.com/iotguard/iotguard/model"
)

func ts(s string) model.Timestamp {
	t, err := model.ParseTimestamp(s)
	if err != nil {
		panic(err)
	}
	return t
}

func bulb(name, src string) model.CloudThing {
	return model.CloudThing{
		Provider:   "aws-iot",
		Name:       name,
		ID:         "arn:aws:iot:us-west-2:123456789012:thing/" + name,
		Type:       "LightBulb",
		Attributes: map[string]string{"model": "123", "wattage": "75"},
		Source:     src,
	}
}

const sharedCert = "DEVICE_CERTIFICATE:b193ab7162c0fadca83246d24fa090300a1236fe58137e121b011804d8ac1d6b"

func shared(task, started, related, src string) model.CloudFinding {
	return model.CloudFinding{
		Provider:     "aws-iot",
		Check:        "DEVICE_CERTIFICATE_SHARED_CHECK",
		Severity:     model.Critical,
		ResourceType: "DEVICE_CERTIFICATE",
		Resource:     sharedCert,
		Reason:       "Certificate shared by one or more devices. (CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES)",
		Description:  "audit task " + task + " started " + started + "; found " + started + "; related resources: " + related + ".",
		Controls:     []string{"S16", "P07"},
		Source:       src,
	}
}

// TestFixtures parses every AWS IoT fixture of the shared folder (the
// Output blocks of the AWS CLI documentation) and checks every value.
func TestFixtures(t *testing.T) {
	dir := filepath.Dir(fixtures.Path(t, "awsiot", "list-things.json"))
	p := func(f string) string { return filepath.Join(dir, f) }
	tests := []struct {
		file string
		want *Result
	}{
		{"list-things.json", &Result{Kind: KindListThings, Things: []model.CloudThing{
			bulb("ThirdBulb", p("list-things.json")),
			bulb("MyOtherLightBulb", p("list-things.json")),
			bulb("MyLightBulb", p("list-things.json")),
			{Provider: "aws-iot", Name: "SampleIoTThing", ID: "arn:aws:iot:us-west-2:123456789012:thing/SampleIoTThing", Source: p("list-things.json")},
		}}},
		{"list-things-attribute-wattage.json", &Result{Kind: KindListThings, Things: []model.CloudThing{
			bulb("MyLightBulb", p("list-things-attribute-wattage.json")),
			bulb("MyOtherLightBulb", p("list-things-attribute-wattage.json")),
		}}},
		{"describe-thing.json", &Result{Kind: KindDescribeThing, Things: []model.CloudThing{
			bulb("MyLightBulb", p("describe-thing.json")),
		}}},
		{"list-audit-findings.json", &Result{Kind: KindListAuditFindings, Findings: []model.CloudFinding{
			shared("eeef61068b0eb03c456d746c5a26ee04", "2019-06-10T10:03:37Z", "CLIENT_ID:ZipxgAIl (3 times)", p("list-audit-findings.json")),
			shared("bade6b5efd2e1b1569822f6021b39cf5", "2019-06-08T10:03:37Z", "CLIENT_ID:xShGENLW (2 times)", p("list-audit-findings.json")),
			shared("c23f6233ba2d35879c4bb2810fb5ffd6", "2019-06-07T10:03:37Z", "CLIENT_ID:TvnQoEoU (2 times)", p("list-audit-findings.json")),
		}}},
		{"list-audit-findings-empty.json", &Result{Kind: KindListAuditFindings, Findings: []model.CloudFinding{}}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseFile(p(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			n := len(got.Things) + len(got.Findings) + len(got.Certificates)
			t.Logf("%s: %s, %d entries", tt.file, got.Kind, n)
		})
		seen[tt.file] = true
	}
	// Every fixture of this kind is covered.
	all, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range all {
		if !seen[filepath.Base(f)] {
			t.Errorf("fixture %s has no test", filepath.Base(f))
		}
	}
}

// TestTestdata covers the shapes the shared fixtures lack: certificates,
// fleet indexing (search-index) and every resource type of audit findings.
func TestTestdata(t *testing.T) {
	p := func(f string) string { return filepath.Join("testdata", f) }
	tests := []struct {
		file string
		want *Result
	}{
		{"describe-certificate.json", &Result{Kind: KindDescribeCert, Certificates: []model.CertificateInfo{{
			Certificate: model.Certificate{
				Fingerprint:        "ee3bad8c040d9cd93f2d49973cf7aa64c042f3e1d8df9aef6fa6443eafd03d1d",
				Subject:            "CN=MyLightBulb,O=Example Corp",
				Issuer:             "CN=Example Device CA,O=Example Corp,C=US",
				Serial:             "1a2b3c4d5e6f",
				NotBefore:          ts("2026-11-30T02:24:01Z"),
				NotAfter:           ts("2027-11-30T02:24:01Z"),
				KeyType:            "ecdsa",
				KeyBits:            256,
				Curve:              "P-256",
				SignatureAlgorithm: "ECDSA-SHA256",
			},
			Source:   p("describe-certificate.json"),
			DNSNames: []string{"mylightbulb.example.com"},
		}}}},
		{"describe-certificate-revoked.json", &Result{Kind: KindDescribeCert, Certificates: []model.CertificateInfo{{
			Certificate: model.Certificate{
				Fingerprint:        "0e7099d2fef682d88b06a6249d552b9430e8df323acf4e549050aacc67d1a045",
				Subject:            "CN=legacy-thermostat-07",
				Issuer:             "CN=legacy-thermostat-07",
				Serial:             "1000",
				NotBefore:          ts("2026-11-30T02:24:01Z"),
				NotAfter:           ts("2028-11-29T02:24:01Z"),
				KeyType:            "rsa",
				KeyBits:            2048,
				SignatureAlgorithm: "SHA256-RSA",
				SelfSigned:         true,
				Revoked:            true,
			},
			Source: p("describe-certificate-revoked.json"),
		}}}},
		{"describe-certificate-nopem.json", &Result{Kind: KindDescribeCert, Certificates: []model.CertificateInfo{{
			Certificate: model.Certificate{
				Fingerprint: strings.Repeat("ab", 32),
				NotBefore:   ts("2024-01-15T08:29:00Z"),
				NotAfter:    ts("2025-01-14T08:29:00Z"),
			},
			Source: p("describe-certificate-nopem.json"),
		}}}},
		{"search-index.json", &Result{Kind: KindListThings, Things: []model.CloudThing{
			{
				Provider: "aws-iot", Name: "sensor-0001", ID: "a4b9f759-b0f2-4857-8a4b-967745ed9f4e", Type: "TempSensor",
				Attributes:      map[string]string{"fw_version": "2.4.1", "serial": "SN-0001", "site": "building-43"},
				FirmwareVersion: "2.4.1",
				ConnectionState: "disconnected",
				LastActivity:    model.Timestamp{Time: time.UnixMilli(1556649874716).UTC()},
				Source:          p("search-index.json"),
			},
			{
				// firmwareVersion is more specific than firmware.
				Provider: "aws-iot", Name: "sensor-0002", ID: "b1c2d3e4-0000-4857-8a4b-967745ed9f4e", Type: "TempSensor",
				Attributes:      map[string]string{"firmware": "2.3.0", "firmwareVersion": "2.3.0-rc1"},
				FirmwareVersion: "2.3.0-rc1",
				ConnectionState: "connected",
				Source:          p("search-index.json"),
			},
			{Provider: "aws-iot", Name: "gateway-01", ID: "c9f8e7d6-0000-4857-8a4b-967745ed9f4e", Source: p("search-index.json")},
		}}},
		{"list-audit-findings-mixed.json", &Result{Kind: KindListAuditFindings, Findings: []model.CloudFinding{
			{
				Provider: "aws-iot", Check: "CONFLICTING_CLIENT_IDS_CHECK", Severity: model.High,
				ResourceType: "CLIENT_ID", Resource: "CLIENT_ID:meter-17",
				Reason:      "Same client ID used by multiple connections. (DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS)",
				Description: "finding ff4e2b6a-22b4-4b8c-a0e6-3a1e6a6c1f01; audit task 9c1a8f3d2e4b5a6c7d8e9f0a1b2c3d4e started 2024-03-01T06:00:00Z; found 2024-03-01T06:00:04Z; also identified by account 123456789012.",
				Controls:    []string{"S16", "P07"}, Source: p("list-audit-findings-mixed.json"),
			},
			{
				Provider: "aws-iot", Check: "IOT_POLICY_OVERLY_PERMISSIVE_CHECK", Severity: model.Critical,
				ResourceType: "IOT_POLICY", Resource: "IOT_POLICY:AllowEverything@3",
				Reason:      "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS",
				Description: "finding ff4e2b6a-22b4-4b8c-a0e6-3a1e6a6c1f02; audit task 9c1a8f3d2e4b5a6c7d8e9f0a1b2c3d4e started 2024-03-01T06:00:00Z; found 2024-03-01T06:00:04Z; suppressed in AWS IoT Device Defender.",
				Controls:    []string{"S16", "S21"}, Source: p("list-audit-findings-mixed.json"),
			},
			{
				Provider: "aws-iot", Check: "LOGGING_DISABLED_CHECK", Severity: model.Low,
				ResourceType: "ACCOUNT_SETTINGS", Resource: "ACCOUNT_SETTINGS:123456789012",
				Reason:      "Logging is disabled. (LOGGING_DISABLED)",
				Description: "finding ff4e2b6a-22b4-4b8c-a0e6-3a1e6a6c1f03; audit task started 2024-03-01T06:00:00Z.",
				Controls:    []string{"S12"}, Source: p("list-audit-findings-mixed.json"),
			},
			{
				Provider: "aws-iot", Check: "INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK", Severity: model.Critical,
				ResourceType: "DEVICE_CERTIFICATE", Resource: "DEVICE_CERTIFICATE:ee3bad8c040d9cd93f2d49973cf7aa64c042f3e1d8df9aef6fa6443eafd03d1d",
				Reason:      "INTERMEDIATE_CA_REVOKED_BY_ISSUER",
				Description: "finding ff4e2b6a-22b4-4b8c-a0e6-3a1e6a6c1f04; also identified by issuerCertificateIdentifier arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/1a2b.",
				Controls:    []string{"S16", "S05"}, Source: p("list-audit-findings-mixed.json"),
			},
			{
				// No severity: the check's documented one.
				Provider: "aws-iot", Check: "REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK", Severity: model.Critical,
				ResourceType: "CA_CERTIFICATE", Resource: "CA_CERTIFICATE:f4efed62c0142f16af278166f61962501165c4f0536295207426460058cd1467",
				Reason:   "CERTIFICATE_REVOKED_BY_ISSUER",
				Controls: []string{"S16", "S05"}, Source: p("list-audit-findings-mixed.json"),
			},
			{
				Provider: "aws-iot", Check: "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK", Severity: model.Critical,
				ResourceType: "COGNITO_IDENTITY_POOL", Resource: "COGNITO_IDENTITY_POOL:us-west-2:a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
				Reason:      "ALLOWS_ACCESS_TO_IOT_ADMIN_ACTIONS",
				Description: "finding ff4e2b6a-22b4-4b8c-a0e6-3a1e6a6c1f06; also identified by iamRoleArn arn:aws:iam::123456789012:role/Cognito_Unauth_Role.",
				Controls:    []string{"S16", "S21"}, Source: p("list-audit-findings-mixed.json"),
			},
			{
				Provider: "aws-iot", Check: "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK", Severity: model.Critical,
				ResourceType: "ROLE_ALIAS", Resource: "ROLE_ALIAS:arn:aws:iot:us-west-2:123456789012:rolealias/DeviceRole",
				Reason:      "ALLOWS_ACCESS_TO_SECURITY_AUDITING_SERVICES",
				Description: "finding ff4e2b6a-22b4-4b8c-a0e6-3a1e6a6c1f07; also identified by iamRoleArn arn:aws:iam::123456789012:role/DeviceRole; related resources: IAM_ROLE:arn:aws:iam::123456789012:role/DeviceRole.",
				Controls:    []string{"S16", "S21"}, Source: p("list-audit-findings-mixed.json"),
			},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseFile(p(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// keyMaterial makes a fresh private key and a self-signed certificate for
// it, as aws iot create-keys-and-certificate returns them. Nothing secret
// is committed to the repository.
func keyMaterial(t *testing.T) (certPEM, keyPEM, pubPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "AWS IoT Certificate"},
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: priv})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
}

// keyLines returns the base64 body lines of a PEM text: any of them in an
// output would be a trace of the key.
func keyLines(pemText string) []string {
	var out []string
	for _, l := range strings.Split(pemText, "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}

func noTrace(t *testing.T, what string, out []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("%s: the secret %.20q... left a trace in:\n%s", what, s, out)
		}
	}
	if bytes.Contains(bytes.ToUpper(out), []byte("PRIVATE KEY-----")) {
		t.Errorf("%s: a private key header is in the output:\n%s", what, out)
	}
}

// TestKeysDropped feeds documents full of key material and asserts that
// nothing of it remains in the marshalled result.
func TestKeysDropped(t *testing.T) {
	certPEM, keyPEM, pubPEM := keyMaterial(t)
	secrets := append(keyLines(keyPEM), "hunter2", "c2VjcmV0LWtleS12YWx1ZQ==", "sig=QqpIhHsIMF8hNuFO", "QqpIhHsIMF8hNuFO")
	mk := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	docs := map[string][]byte{
		// aws iot create-keys-and-certificate --set-as-active output.
		"create-keys-and-certificate": mk(map[string]any{
			"certificateArn": "arn:aws:iot:us-west-2:123456789012:cert/x",
			"certificateId":  strings.Repeat("0", 64),
			"certificatePem": certPEM,
			"keyPair":        map[string]string{"PublicKey": pubPEM, "PrivateKey": keyPEM},
		}),
		// A describe-certificate description that someone merged the key
		// pair into, with the private key appended to the PEM as well.
		"describe-certificate": mk(map[string]any{"certificateDescription": map[string]any{
			"certificateId":  strings.Repeat("1", 64),
			"status":         "ACTIVE",
			"certificatePem": certPEM + keyPEM,
			"keyPair":        map[string]string{"PrivateKey": keyPEM},
			"privateKey":     keyPEM,
		}}),
		"list-things": mk(map[string]any{"things": []any{map[string]any{
			"thingName": "bulb",
			"attributes": map[string]string{
				"admin_password":   "hunter2",
				"apiKey":           "c2VjcmV0LWtleS12YWx1ZQ==",
				"provisioning":     "HostName=h.azure-devices.net;DeviceId=bulb;SharedAccessKey=c2VjcmV0LWtleS12YWx1ZQ==",
				"note":             "uploaded with https://x.blob.core.windows.net/c?sv=2015&sig=QqpIhHsIMF8hNuFO&se=2016",
				"key":              keyPEM,
				"firmware_version": "1.2.3",
			},
		}}}),
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			res, err := Parse(name+".json", bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(res)
			noTrace(t, name, out, secrets)
			if len(res.Notes) == 0 {
				t.Errorf("no note says that secrets were dropped")
			}
			t.Logf("%s", out)
		})
	}
	// The certificate itself is public and kept.
	res, err := Parse("k.json", bytes.NewReader(docs["create-keys-and-certificate"]))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Certificates) != 1 || res.Certificates[0].Subject != "CN=AWS IoT Certificate" || !res.Certificates[0].SelfSigned {
		t.Errorf("certificate not read: %+v", res.Certificates)
	}
	res, _ = Parse("l.json", bytes.NewReader(docs["list-things"]))
	want := map[string]string{"firmware_version": "1.2.3", "note": "uploaded with https://x.blob.core.windows.net/c?sv=2015&sig=[REDACTED]&se=2016"}
	if diff := cmp.Diff(want, res.Things[0].Attributes); diff != "" {
		t.Errorf("attributes (-want +got):\n%s", diff)
	}

	// Errors never quote key material either.
	bad := [][]byte{
		mk(map[string]any{"certificateDescription": map[string]any{"certificatePem": keyPEM}}),
		mk(map[string]any{"certificateDescription": map[string]any{"certificatePem": "-----BEGIN CERTIFICATE-----\n" + strings.Join(keyLines(keyPEM), "\n") + "\n-----END CERTIFICATE-----\n"}}),
		append(mk(map[string]any{"keyPair": map[string]string{"PrivateKey": keyPEM}}), []byte("}")...),
		mk(map[string]any{"keyPair": map[string]string{"PrivateKey": keyPEM}}),
		[]byte(`{"things": [{"thingName": "x", "attributes": {"cfg": {"PrivateKey": ` + string(mk(keyPEM)) + `}}}]}`),
	}
	for i, b := range bad {
		_, err := Parse("bad.json", bytes.NewReader(b))
		if err == nil {
			t.Fatalf("bad[%d]: no error", i)
		}
		noTrace(t, "error", []byte(err.Error()), secrets)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     string // substring of the message
	}{
		{"empty", "", "bad.json: the file is empty"},
		{"blank", "  \n ", "bad.json: the file is empty"},
		{"truncated", `{"things": [{"thingName": "a"`, "the JSON ends early"},
		{"syntax", "{\n  \"things\": [\n    {\"thingName\": \"a\",}\n  ]\n}", "bad.json:3:23: invalid JSON"},
		{"array", `[{"thingName": "a"}]`, "expected a JSON object (AWS CLI output), got a JSON array"},
		{"null", `null`, "got null"},
		{"unknown kind", `{"thing": []}`, `not a recognised AWS IoT document: expected a top-level "things"`},
		{"unknown kind hint", `{"thing": []}`, `(did you mean things?)`},
		{"no keys", `{}`, "found no keys"},
		{"mixed kinds", `{"things": [], "findings": []}`, "mixes list-things and list-audit-findings output"},
		{"things not array", `{"things": {"thingName": "a"}}`, "things: expected an array of things, got an object"},
		{"thing not object", `{"things": ["a"]}`, "things[0]: expected a thing object, got a string"},
		{"no thingName", `{"things": [{"thingArn": "arn:x"}]}`, "things[0].thingName: is missing or empty"},
		{"thingName type", `{"things": [{"thingName": 5}]}`, "things[0].thingName: expected a string, got a JSON number"},
		{"attributes type", `{"things": [{"thingName": "a", "attributes": []}]}`, "things[0].attributes: expected an object, got a JSON array"},
		{"attribute object", `{"things": [{"thingName": "a", "attributes": {"x": {}}}]}`, "things[0].attributes.x: expected a string value, got an object"},
		{"long name", `{"thingName": "` + strings.Repeat("a", 2000) + `"}`, "thingName: is 2000 bytes long"},
		{"describe-thing no name", `{"thingArn": "arn:x"}`, "thingName: is missing or empty"},
		{"findings not array", `{"findings": 3}`, "findings: expected an array of audit findings, got a number"},
		{"no checkName", `{"findings": [{"severity": "LOW"}]}`, "findings[0].checkName: is missing"},
		{"bad severity", `{"findings": [{"checkName": "LOGGING_DISABLED_CHECK", "severity": "SEVERE"}]}`, `findings[0].severity: "SEVERE" is not a Device Defender severity`},
		{"no severity unknown check", `{"findings": [{"checkName": "NEW_CHECK"}]}`, `findings[0].severity: is missing and "NEW_CHECK" is not a known check`},
		{"no resource", `{"findings": [{"checkName": "LOGGING_DISABLED_CHECK", "severity": "LOW"}]}`, "findings[0].nonCompliantResource: is missing"},
		{"empty resource", `{"findings": [{"checkName": "LOGGING_DISABLED_CHECK", "severity": "LOW", "nonCompliantResource": {}}]}`, "has neither a resourceType nor a resourceIdentifier"},
		{"resource type", `{"findings": [{"checkName": "X", "severity": "LOW", "nonCompliantResource": {"resourceIdentifier": {"clientId": 7}}}]}`, "findings[0].nonCompliantResource.resourceIdentifier.clientId: expected a string"},
		{"bad time", `{"findings": [{"checkName": "X", "severity": "LOW", "nonCompliantResource": {"resourceType": "T"}, "taskStartTime": "yesterday"}]}`, `findings[0].taskStartTime: "yesterday" is not a time`},
		{"negative time", `{"findings": [{"checkName": "X", "severity": "LOW", "nonCompliantResource": {"resourceType": "T"}, "findingTime": -5}]}`, `findings[0].findingTime: "-5" is not a time`},
		{"huge time", `{"findings": [{"checkName": "X", "severity": "LOW", "nonCompliantResource": {"resourceType": "T"}, "findingTime": 1e300}]}`, `between 1970 and 9999`},
		{"time type", `{"findings": [{"checkName": "X", "severity": "LOW", "nonCompliantResource": {"resourceType": "T"}, "findingTime": {}}]}`, `expected epoch seconds or an ISO 8601 time, got an object`},
		{"cert not object", `{"certificateDescription": "x"}`, "certificateDescription: expected a certificate description object, got a string"},
		{"cert empty", `{"certificateDescription": {"status": "ACTIVE"}}`, "has neither certificateId nor certificatePem"},
		{"cert id", `{"certificateDescription": {"certificateId": "not-hex"}}`, "certificateDescription.certificateId: is not a hexadecimal certificate ID"},
		{"cert pem garbage", `{"certificateDescription": {"certificatePem": "hello"}}`, "certificateDescription.certificatePem: holds no PEM CERTIFICATE block"},
		{"cert pem bad der", `{"certificateDescription": {"certificatePem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}}`, "certificatePem: is not a valid X.509 certificate"},
		{"cert validity", `{"certificateDescription": {"certificateId": "ab", "validity": {"notAfter": "soon"}}}`, `certificateDescription.validity.notAfter: "soon" is not a time`},
		{"create cert", `{"certificateId": "zz"}`, "certificateId: is not a hexadecimal certificate ID"},
		{"hostile key", "{\"\\u001b[31mthing\": 1}", `found the keys "\x1b[31mthing"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.json", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error does not match ErrFormat: %v", err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error is not a *FormatError: %T", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message %q\ndoes not contain %q", msg, tt.want)
			}
			if strings.ContainsAny(msg, "\x00\x1b\r\n") {
				t.Errorf("message has control characters: %q", msg)
			}
		})
	}
}

func TestHostileFileName(t *testing.T) {
	_, err := Parse("evil\x1b[2J\n.json", strings.NewReader("{"))
	if err == nil || strings.ContainsAny(err.Error(), "\x1b\n") || !strings.Contains(err.Error(), `evil\x1b[2J\x0a.json`) {
		t.Errorf("file name not escaped: %q", err)
	}
}

func TestOversize(t *testing.T) {
	defer func(n int64) { maxSize = n }(maxSize)
	maxSize = 1 << 20
	big := `{"things": [], "pad": "` + strings.Repeat("x", 1<<20) + `"}`
	_, err := Parse("huge.json", strings.NewReader(big))
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrFormat) {
		t.Fatalf("want ErrTooLarge and ErrFormat, got %v", err)
	}
	if want := "huge.json: input is larger than the 1 MiB limit"; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "split it") {
		t.Errorf("message %q", err)
	}
	// Exactly at the limit is fine.
	at := `{"things": [], "pad": "` + strings.Repeat("x", 1<<20-len(`{"things": [], "pad": ""}`)) + `"}`
	if len(at) != 1<<20 {
		t.Fatalf("bad test: %d", len(at))
	}
	if _, err := Parse("at.json", strings.NewReader(at)); err != nil {
		t.Errorf("input at the limit: %v", err)
	}
	if MaxSize != 64<<20 {
		t.Errorf("MaxSize = %d", MaxSize)
	}
}

func TestIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := Parse("x.json", iotest.ErrReader(boom))
	if !errors.Is(err, boom) || errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), "x.json: ") {
		t.Errorf("got %v", err)
	}
	_, err = ParseFile(filepath.Join(t.TempDir(), "missing.json"))
	if err == nil || errors.Is(err, ErrFormat) {
		t.Errorf("missing file: %v", err)
	}
}

func TestBOMAndUnknownFields(t *testing.T) {
	in := "\xef\xbb\xbf" + `{"thingName": "a", "newField": {"deep": [1, 2]}, "version": 7, "attributes": {"n": 5, "b": true, "z": null}}`
	res, err := Parse("a.json", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"n": "5", "b": "true"}
	if diff := cmp.Diff(want, res.Things[0].Attributes); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAttributeCaps(t *testing.T) {
	attrs := map[string]string{}
	for i := 0; i < maxAttrs+10; i++ {
		attrs[strings.Repeat("k", 3)+string(rune('a'+i%26))+strings.Repeat("0", i/26)] = "v"
	}
	attrs["long"] = strings.Repeat("v", maxValueLen+1)
	attrs[strings.Repeat("n", maxKeyLen+1)] = "v"
	b, _ := json.Marshal(map[string]any{"thingName": "t", "attributes": attrs})
	res, err := Parse("caps.json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Things[0].Attributes); n != maxAttrs {
		t.Errorf("%d attributes kept, want %d", n, maxAttrs)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "12 attribute(s) beyond the size caps") {
		t.Errorf("notes: %q", res.Notes)
	}
}
