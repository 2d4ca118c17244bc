package awsiot

// Fuzz test: go test ./awsiot -run='^$' -fuzz='^FuzzParse$' -fuzztime=60s
// Seeds live in testdata/fuzz/FuzzParse/ (the fixtures and testdata files,
// trimmed, plus hostile cases).

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/internal/redact"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"things": [{"thingName": "a", "attributes": {"fw": "1"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse("fuzz.json", bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error does not match ErrFormat: %T %v", err, err)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\x00\x1b\r\n") || len(msg) > 4000 {
				t.Fatalf("unsafe message (%d bytes): %q", len(msg), msg)
			}
			return
		}
		if res == nil || res.Kind == "" {
			t.Fatalf("no error and no kind: %+v", res)
		}
		out, err := json.Marshal(res)
		if err != nil {
			t.Fatalf("result does not marshal: %v", err)
		}
		// Nothing that looks like key material survives, value by value (a
		// harmless "-----BEGIN" in one value and the words "private key" in
		// a note are not a key).
		var strs []string
		for _, th := range res.Things {
			strs = append(strs, th.Name, th.ID, th.Type, th.FirmwareVersion, th.ConnectionState)
			for k, v := range th.Attributes {
				strs = append(strs, k, v)
			}
		}
		for _, c := range res.Certificates {
			strs = append(strs, c.Subject, c.Issuer, c.Fingerprint, c.Serial)
			strs = append(strs, c.DNSNames...)
		}
		for _, fd := range res.Findings {
			strs = append(strs, fd.Check, fd.ResourceType, fd.Resource, fd.Reason, fd.Description)
		}
		for _, s := range strs {
			if redact.HasPrivateKey(s) {
				t.Fatalf("private key header kept in %q: %s", s, out)
			}
		}
		for _, th := range res.Things {
			if th.Name == "" || th.Provider != Provider {
				t.Fatalf("thing without name or provider: %+v", th)
			}
			for k := range th.Attributes {
				if redact.SecretName(k) {
					t.Fatalf("secret attribute %q kept", k)
				}
			}
		}
		for _, fd := range res.Findings {
			if fd.Check == "" || fd.Resource == "" || fd.Severity.Rank() < 0 || len(fd.Controls) == 0 {
				t.Fatalf("incomplete finding: %+v", fd)
			}
		}
	})
}
