package azureiot

// Fuzz test: go test ./azureiot -run='^$' -fuzz='^FuzzParse$' -fuzztime=60s
// Seeds live in testdata/fuzz/FuzzParse/ (the testdata files, trimmed, and
// hostile cases).

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/internal/redact"
	"github.com/iotguard/iotguard/model"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id":"a","tags":{"fw":"1"}}` + "\n" + `{"id":"b"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse("fuzz", bytes.NewReader(data))
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
		for _, th := range res.Things {
			// Per value: a harmless "-----BEGIN" in one value and the words
			// "private key" in another are not a key.
			for _, s := range thingStrings(th) {
				if redact.HasPrivateKey(s) {
					t.Fatalf("private key header kept in %q: %s", s, out)
				}
			}
			if strings.TrimSpace(th.Name) == "" || th.Provider != Provider {
				t.Fatalf("thing without name or provider: %+v", th)
			}
			for _, m := range []map[string]string{th.Attributes, th.ReportedSettings} {
				if len(m) > maxEntries+2 {
					t.Fatalf("%d entries kept", len(m))
				}
				for k, v := range m {
					for _, seg := range strings.Split(k, ".") {
						if redact.SecretName(seg) {
							t.Fatalf("secret key %q kept", k)
						}
					}
					if redact.SecretValue(v) {
						t.Fatalf("secret value kept under %q", k)
					}
				}
			}
			for _, tp := range th.Thumbprints {
				if n, ok := thumbprint(tp); !ok || n != tp {
					t.Fatalf("thumbprint %q not normalised", tp)
				}
			}
		}
	})
}

// thingStrings lists every string a CloudThing holds.
func thingStrings(th model.CloudThing) []string {
	out := []string{th.Provider, th.Name, th.ID, th.Type, th.Status, th.ConnectionState, th.AuthType, th.FirmwareVersion, th.Source}
	out = append(out, th.CertificateIDs...)
	out = append(out, th.Thumbprints...)
	for _, m := range []map[string]string{th.Attributes, th.ReportedSettings} {
		for k, v := range m {
			out = append(out, k, v)
		}
	}
	return out
}
