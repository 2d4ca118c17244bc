package demo

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The demo's certificates are real X.509 files, generated once by this
// helper and committed under evidence/certs: Go's key generation is
// randomised, so they cannot be produced deterministically at Generate
// time. The private keys are thrown away; only certificates and the CRL
// are written. Regenerate (new keys, new fingerprints; Generate reads
// whatever is committed) with:
//
//	go test ./demo -run TestWriteCertificates -write-certs
var writeCerts = flag.Bool("write-certs", false, "regenerate demo/evidence/certs (new keys and fingerprints)")

func TestWriteCertificates(t *testing.T) {
	if !*writeCerts {
		t.Skip("run with -write-certs to regenerate evidence/certs")
	}
	dir := filepath.Join("evidence", "certs")
	if err := os.MkdirAll(filepath.Join(dir, "devices"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Long validity so that the committed demo does not rot.
	notBefore := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	notAfter := time.Date(2045, 1, 6, 9, 0, 0, 0, time.UTC)
	caName := pkix.Name{Organization: []string{"Northwind Smart Buildings"}, CommonName: "Northwind Device CA G2"}

	newKey := func(c elliptic.Curve) *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	serial := func() *big.Int {
		n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
		if err != nil {
			t.Fatal(err)
		}
		return n.Add(n, big.NewInt(1)) // positive, at most 127 bits (RFC 5280: at most 20 octets)
	}
	write := func(path, typ string, der []byte) {
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	newCA := func() (*x509.Certificate, *ecdsa.PrivateKey) {
		key := newKey(elliptic.P384())
		tmpl := &x509.Certificate{
			SerialNumber: serial(), Subject: caName, NotBefore: notBefore, NotAfter: notAfter,
			IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		ca, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return ca, key
	}
	ca, caKey := newCA()
	write(filepath.Join(dir, "northwind-device-ca-g2.pem"), "CERTIFICATE", ca.Raw)
	// The rogue CA copies the real CA's name: only chain verification
	// tells its certificates apart. It is not committed.
	rogue, rogueKey := newCA()

	revoked := map[string]*big.Int{}
	for _, dc := range demoCertificates {
		issuer, issuerKey := ca, caKey
		if dc.rogue {
			issuer, issuerKey = rogue, rogueKey
		}
		key := newKey(elliptic.P256())
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{Organization: []string{"Northwind Smart Buildings"}, CommonName: dc.device},
			DNSNames:     []string{dc.device + ".hq.bms." + domain},
			NotBefore:    notBefore.AddDate(0, 2, 0), NotAfter: notAfter.AddDate(0, 2, 0),
			KeyUsage:    x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &key.PublicKey, issuerKey)
		if err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(dir, "devices", dc.device+".pem"), "CERTIFICATE", der)
		if dc.revoked {
			revoked[dc.device] = tmpl.SerialNumber
		}
	}

	// The CRL lists the door controller's certificate (suspected key
	// leak) and two certificates of devices retired long ago.
	var entries []x509.RevocationListEntry
	for _, dc := range demoCertificates {
		if s := revoked[dc.device]; s != nil {
			entries = append(entries, x509.RevocationListEntry{
				SerialNumber: s, RevocationTime: time.Date(2025, 5, 20, 14, 2, 0, 0, time.UTC), ReasonCode: 1, // keyCompromise
			})
		}
	}
	for i := range 2 {
		entries = append(entries, x509.RevocationListEntry{
			SerialNumber: serial(), RevocationTime: time.Date(2025, 3, 11+i*17, 10, 30, 0, 0, time.UTC), ReasonCode: 5, // cessationOfOperation
		})
	}
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(42), ThisUpdate: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), NextUpdate: notAfter,
		RevokedCertificateEntries: entries,
	}, ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(dir, "northwind-device-ca-g2.crl"), "X509 CRL", crl)
}
