package x509cert

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/model"
)

func ts(t time.Time) model.Timestamp { return model.Timestamp{Time: t.UTC()} }

func fp(der []byte) string {
	s := sha256.Sum256(der)
	return hex.EncodeToString(s[:])
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// pki is a set of certificates generated for a test.
type pki struct {
	now                        time.Time
	caKey                      *ecdsa.PrivateKey
	ca, inter                  *x509.Certificate
	interKey                   *rsa.PrivateKey
	caDER, interDER            []byte
	rsa2048DER, rsa1024DER     []byte
	p256ExpiredDER, ed25519DER []byte
	ed25519Key                 ed25519.PrivateKey
	rsa1024Key                 *rsa.PrivateKey
	crlDER                     []byte
	nb, na                     time.Time
}

// must is for test setup, where a failure is a broken test environment.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// newPKI builds: an ECDSA P-384 root CA; an RSA 2048 intermediate CA it
// signs; an RSA 2048 leaf the intermediate signs; a self-signed RSA 1024
// leaf; an expired ECDSA P-256 leaf the root signs; a self-signed Ed25519
// leaf; and a CRL of the root revoking the expired leaf.
func newPKI(t *testing.T) *pki {
	t.Helper()
	pkiOnce.Do(func() { shared = makePKI(t) })
	return shared
}

var (
	pkiOnce sync.Once
	shared  *pki
)

func makePKI(t *testing.T) *pki {
	p := &pki{now: time.Now().UTC().Truncate(time.Second)}
	p.nb, p.na = p.now.AddDate(-1, 0, 0), p.now.AddDate(5, 0, 0)
	p.caKey = must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader))
	caTpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Root CA", Organization: []string{"Example IoT"}},
		NotBefore: p.nb, NotAfter: p.na, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	p.caDER = must(x509.CreateCertificate(rand.Reader, caTpl, caTpl, &p.caKey.PublicKey, p.caKey))
	p.ca = must(x509.ParseCertificate(p.caDER))

	p.interKey = must(rsa.GenerateKey(rand.Reader, 2048))
	interTpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Test Device CA"},
		NotBefore: p.nb, NotAfter: p.na, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	p.interDER = must(x509.CreateCertificate(rand.Reader, interTpl, p.ca, &p.interKey.PublicKey, p.caKey))
	p.inter = must(x509.ParseCertificate(p.interDER))

	leafKey := must(rsa.GenerateKey(rand.Reader, 2048))
	leafTpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x1234abcd), Subject: pkix.Name{CommonName: "gw-01", Organization: []string{"Plant, North"}},
		NotBefore: p.nb, NotAfter: p.na, DNSNames: []string{"gw-01.example", "gw-01.local"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	p.rsa2048DER = must(x509.CreateCertificate(rand.Reader, leafTpl, p.inter, &leafKey.PublicKey, p.interKey))

	p.rsa1024Key = must(rsa.GenerateKey(rand.Reader, 1024))
	selfTpl := &x509.Certificate{
		SerialNumber: big.NewInt(0xff), Subject: pkix.Name{CommonName: "cam-7 factory"},
		NotBefore: p.nb, NotAfter: p.na,
	}
	p.rsa1024DER = must(x509.CreateCertificate(rand.Reader, selfTpl, selfTpl, &p.rsa1024Key.PublicKey, p.rsa1024Key))

	p256 := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	expTpl := &x509.Certificate{
		SerialNumber: big.NewInt(0xabc), Subject: pkix.Name{CommonName: "old-sensor"},
		NotBefore: p.nb.AddDate(-3, 0, 0), NotAfter: p.nb.AddDate(0, 1, 0),
	}
	p.p256ExpiredDER = must(x509.CreateCertificate(rand.Reader, expTpl, p.ca, &p256.PublicKey, p.caKey))

	edPub, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p.ed25519Key = edKey
	edTpl := &x509.Certificate{
		SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "ed-node"},
		NotBefore: p.nb, NotAfter: p.na, IsCA: false, BasicConstraintsValid: true,
	}
	p.ed25519DER = must(x509.CreateCertificate(rand.Reader, edTpl, edTpl, edPub, edKey))

	p.crlDER = must(x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(3), ThisUpdate: p.now.AddDate(0, 0, -1), NextUpdate: p.now.AddDate(0, 0, 30),
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: big.NewInt(0xabc), RevocationTime: p.nb},
			{SerialNumber: big.NewInt(0xff), RevocationTime: p.nb},
		},
	}, p.ca, p.caKey))
	return p
}

// want is the expected description of each generated certificate.
func (p *pki) want(source string) map[string]model.CertificateInfo {
	root := "CN=Test Root CA,O=Example IoT"
	return map[string]model.CertificateInfo{
		"ca": {Certificate: model.Certificate{
			Fingerprint: fp(p.caDER), Subject: root, Issuer: root, Serial: "1",
			NotBefore: ts(p.nb), NotAfter: ts(p.na), KeyType: "ecdsa", KeyBits: 384, Curve: "P-384",
			SignatureAlgorithm: "ECDSA-SHA384", SelfSigned: true,
		}, Source: source, IsCA: true},
		"inter": {Certificate: model.Certificate{
			Fingerprint: fp(p.interDER), Subject: "CN=Test Device CA", Issuer: root, Serial: "2",
			NotBefore: ts(p.nb), NotAfter: ts(p.na), KeyType: "rsa", KeyBits: 2048,
			SignatureAlgorithm: "ECDSA-SHA384",
		}, Source: source, IsCA: true},
		"rsa2048": {Certificate: model.Certificate{
			Fingerprint: fp(p.rsa2048DER), Subject: `CN=gw-01,O=Plant\, North`, Issuer: "CN=Test Device CA", Serial: "1234abcd",
			NotBefore: ts(p.nb), NotAfter: ts(p.na), KeyType: "rsa", KeyBits: 2048,
			SignatureAlgorithm: "SHA256-RSA",
		}, Source: source, DNSNames: []string{"gw-01.example", "gw-01.local"}},
		"rsa1024": {Certificate: model.Certificate{
			Fingerprint: fp(p.rsa1024DER), Subject: "CN=cam-7 factory", Issuer: "CN=cam-7 factory", Serial: "ff",
			NotBefore: ts(p.nb), NotAfter: ts(p.na), KeyType: "rsa", KeyBits: 1024,
			SignatureAlgorithm: "SHA256-RSA", SelfSigned: true,
		}, Source: source},
		"p256": {Certificate: model.Certificate{
			Fingerprint: fp(p.p256ExpiredDER), Subject: "CN=old-sensor", Issuer: root, Serial: "abc",
			NotBefore: ts(p.nb.AddDate(-3, 0, 0)), NotAfter: ts(p.nb.AddDate(0, 1, 0)), KeyType: "ecdsa", KeyBits: 256, Curve: "P-256",
			SignatureAlgorithm: "ECDSA-SHA384",
		}, Source: source},
		"ed25519": {Certificate: model.Certificate{
			Fingerprint: fp(p.ed25519DER), Subject: "CN=ed-node", Issuer: "CN=ed-node", Serial: "4d",
			NotBefore: ts(p.nb), NotAfter: ts(p.na), KeyType: "ed25519", KeyBits: 256,
			SignatureAlgorithm: "Ed25519", SelfSigned: true,
		}, Source: source},
	}
}

func keyBlocks(t *testing.T, p *pki) [][]byte {
	pkcs8 := must(x509.MarshalPKCS8PrivateKey(p.ed25519Key))
	ec := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	ecDER := must(x509.MarshalECPrivateKey(ec))
	return [][]byte{
		pemOf("PRIVATE KEY", pkcs8),
		pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(p.rsa1024Key)),
		pemOf("EC PRIVATE KEY", ecDER),
		pemOf("ENCRYPTED PRIVATE KEY", []byte("opaque")),
		pemOf("OPENSSH PRIVATE KEY", []byte("opaque")),
	}
}

func TestParseGeneratedPEMBundle(t *testing.T) {
	p := newPKI(t)
	keys := keyBlocks(t, p)
	csr := must(x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "csr"}}, p.rsa1024Key))
	var buf bytes.Buffer
	buf.WriteString("Bundle written by a test: text before, between and after blocks is ignored.\n")
	buf.Write(pemOf("CERTIFICATE", p.rsa2048DER))
	buf.Write(keys[0])
	buf.Write(pemOf("CERTIFICATE", p.interDER))
	buf.Write(keys[1])
	buf.Write(pemOf("CERTIFICATE REQUEST", csr))
	buf.Write(pemOf("X509 CERTIFICATE", p.caDER))
	buf.Write(keys[2])
	buf.Write(keys[3])
	buf.Write(keys[4])
	buf.Write(pemOf("CERTIFICATE", p.rsa1024DER))
	buf.Write(pemOf("CERTIFICATE", p.p256ExpiredDER))
	buf.Write(pemOf("CERTIFICATE", p.ed25519DER))
	buf.Write(pemOf("X509 CRL", p.crlDER))
	buf.WriteString("trailing text\n")

	b, err := Parse("fleet.pem", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	w := p.want("fleet.pem")
	wantCerts := []model.CertificateInfo{w["rsa2048"], w["inter"], w["ca"], w["rsa1024"], w["p256"], w["ed25519"]}
	if diff := cmp.Diff(wantCerts, b.Certificates); diff != "" {
		t.Errorf("certificates (-want +got):\n%s", diff)
	}
	wantRevoked := []model.RevokedSerial{
		{Issuer: "CN=Test Root CA,O=Example IoT", Serial: "abc", When: ts(p.nb)},
		{Issuer: "CN=Test Root CA,O=Example IoT", Serial: "ff", When: ts(p.nb)},
	}
	if diff := cmp.Diff(wantRevoked, b.Revoked); diff != "" {
		t.Errorf("revoked (-want +got):\n%s", diff)
	}
	if b.CRLs != 1 || b.SkippedKeys != 5 || b.OtherBlocks != 1 {
		t.Errorf("CRLs %d, SkippedKeys %d, OtherBlocks %d; want 1, 5, 1", b.CRLs, b.SkippedKeys, b.OtherBlocks)
	}
	// Nothing of the keys is kept.
	js := must(json.Marshal(b))
	for _, k := range keys {
		blk, _ := pem.Decode(k)
		if bytes.Contains(js, blk.Bytes) || bytes.Contains(js, []byte(strings.Split(string(k), "\n")[1])) {
			t.Errorf("bundle output contains %s material", blk.Type)
		}
	}
}

func TestVerifyAgainst(t *testing.T) {
	p := newPKI(t)
	b, err := Parse("devices.pem", bytes.Join([][]byte{
		pemOf("CERTIFICATE", p.rsa2048DER), pemOf("CERTIFICATE", p.interDER),
		pemOf("CERTIFICATE", p.rsa1024DER), pemOf("CERTIFICATE", p.p256ExpiredDER),
		pemOf("CERTIFICATE", p.ed25519DER),
	}, nil))
	if err != nil {
		t.Fatal(err)
	}
	cas, err := Parse("root.pem", pemOf("CERTIFICATE", p.caDER))
	if err != nil {
		t.Fatal(err)
	}
	got := func() []string {
		var out []string
		for _, c := range b.Certificates {
			switch {
			case c.ChainsToTrusted == nil:
				out = append(out, "nil")
			case *c.ChainsToTrusted:
				out = append(out, "true")
			default:
				out = append(out, "false")
			}
		}
		return out
	}
	b.VerifyAgainst(cas, p.now)
	// Leaf via the intermediate in the same bundle; the expired leaf fails
	// today and verifies within its validity.
	if diff := cmp.Diff([]string{"true", "true", "false", "false", "false"}, got()); diff != "" {
		t.Errorf("now (-want +got):\n%s", diff)
	}
	b.VerifyAgainst(cas, p.nb.AddDate(0, 0, 1))
	if diff := cmp.Diff([]string{"true", "true", "false", "true", "false"}, got()); diff != "" {
		t.Errorf("within validity (-want +got):\n%s", diff)
	}
	// Without the intermediate, the leaf does not chain.
	leaf, _ := Parse("leaf.der", p.rsa2048DER)
	leaf.VerifyAgainst(cas, time.Time{})
	if c := leaf.Certificates[0].ChainsToTrusted; c == nil || *c {
		t.Errorf("leaf without intermediate chains: %v", c)
	}
	// No CA set: nothing verifies.
	b.VerifyAgainst(nil, p.now)
	if diff := cmp.Diff([]string{"false", "false", "false", "false", "false"}, got()); diff != "" {
		t.Errorf("no CAs (-want +got):\n%s", diff)
	}
	// Certificates crypto/x509 cannot parse stay undecided.
	legacy, err := ParseFile(filepath.Join("testdata", "legacy", "p192.pem"))
	if err != nil {
		t.Fatal(err)
	}
	legacy.VerifyAgainst(legacy, time.Time{})
	if legacy.Certificates[0].ChainsToTrusted != nil {
		t.Error("P-192 certificate was decided")
	}
	// Callers may filter or reorder Certificates.
	b.Certificates = b.Certificates[:1]
	b.VerifyAgainst(cas, p.now)
	if c := b.Certificates[0].ChainsToTrusted; c == nil || !*c {
		t.Error("filtered bundle lost its chain")
	}
}

func TestMarkRevoked(t *testing.T) {
	p := newPKI(t)
	b, err := Parse("devices.pem", bytes.Join([][]byte{
		pemOf("CERTIFICATE", p.rsa2048DER), pemOf("CERTIFICATE", p.p256ExpiredDER), pemOf("CERTIFICATE", p.rsa1024DER),
	}, nil))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := Parse("root.crl", p.crlDER)
	if err != nil {
		t.Fatal(err)
	}
	b.MarkRevoked(crl)
	// 0xabc is revoked by its issuer; 0xff is on the root's CRL but the
	// self-signed certificate with that serial was not issued by the root.
	var got []bool
	for _, c := range b.Certificates {
		got = append(got, c.Revoked)
	}
	if diff := cmp.Diff([]bool{false, true, false}, got); diff != "" {
		t.Errorf("revoked (-want +got):\n%s", diff)
	}
	// A hand-made CRL bundle matches by issuer name.
	b2, _ := Parse("self.pem", pemOf("CERTIFICATE", p.rsa1024DER))
	b2.MarkRevoked(&Bundle{Revoked: []model.RevokedSerial{{Issuer: "CN=cam-7 factory", Serial: "ff"}}})
	if !b2.Certificates[0].Revoked {
		t.Error("name match missed")
	}
	b2.MarkRevoked(nil)
	b2.MarkRevoked(&Bundle{})
	if !b2.Certificates[0].Revoked {
		t.Error("Revoked was reset")
	}
}

func TestParseDERAndDir(t *testing.T) {
	p := newPKI(t)
	dir := t.TempDir()
	write := func(rel string, data []byte) string {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	keys := keyBlocks(t, p)
	pkcs8 := must(x509.MarshalPKCS8PrivateKey(p.ed25519Key))
	paths := map[string]string{
		"ca":      write("a-root/ca.crt", pemOf("CERTIFICATE", p.caDER)),
		"rsa2048": write("b-leaf.der", p.rsa2048DER),
		"ed25519": write("c/d/ed.CER", p.ed25519DER),
		"crl":     write("e.crl", p.crlDER),
		"crlpem":  write("f-crl.pem", pemOf("X509 CRL", p.crlDER)),
		"pkcs8":   write("g-key.der", pkcs8),
		"pkcs1":   write("h-key.der", x509.MarshalPKCS1PrivateKey(p.rsa1024Key)),
		"key":     write("device.key", keys[1]),
		"keyPEM":  write("i-keys.pem", bytes.Join(keys, nil)),
		"concat":  write("j-chain.der", append(append([]byte{}, p.rsa2048DER...), p.interDER...)),
		"ignored": write("notes.txt", []byte("not read")),
	}
	if err := os.Symlink(paths["ca"], filepath.Join(dir, "k-link.pem")); err != nil {
		t.Fatal(err)
	}
	_ = os.Symlink(filepath.Join(dir, "c"), filepath.Join(dir, "l-dirlink.pem")) // a link to a directory is not followed
	_ = os.Symlink(filepath.Join(dir, "absent"), filepath.Join(dir, "m-dangling.pem"))
	// A FIFO named *.key would block any reader: ParseDir must not open it.
	_ = syscall.Mkfifo(filepath.Join(dir, "n-pipe.key"), 0o600)

	// Single files, DER and PEM.
	for _, tc := range []struct {
		name                 string
		certs, crls, skipped int
	}{
		{"ca", 1, 0, 0}, {"rsa2048", 1, 0, 0}, {"ed25519", 1, 0, 0}, {"crl", 0, 1, 0}, {"crlpem", 0, 1, 0},
		{"pkcs8", 0, 0, 1}, {"pkcs1", 0, 0, 1}, {"key", 0, 0, 1}, {"keyPEM", 0, 0, 5}, {"concat", 2, 0, 0},
	} {
		b, err := ParseFile(paths[tc.name])
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(b.Certificates) != tc.certs || b.CRLs != tc.crls || b.SkippedKeys != tc.skipped {
			t.Errorf("%s: %d certificates, %d CRLs, %d keys; want %d, %d, %d", tc.name, len(b.Certificates), b.CRLs, b.SkippedKeys, tc.certs, tc.crls, tc.skipped)
		}
		for _, c := range b.Certificates {
			if c.Source != paths[tc.name] {
				t.Errorf("%s: Source %q", tc.name, c.Source)
			}
		}
	}
	w := p.want(paths["rsa2048"])
	b, _ := ParseFile(paths["rsa2048"])
	if diff := cmp.Diff(w["rsa2048"], b.Certificates[0]); diff != "" {
		t.Errorf("DER leaf (-want +got):\n%s", diff)
	}

	// The directory, recursively, in lexical order.
	done := make(chan struct{})
	var d *Bundle
	var err error
	go func() { d, err = ParseDir(dir); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("ParseDir blocked: it opened a *.key file")
	}
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range d.Certificates {
		got = append(got, strings.TrimPrefix(c.Source, dir+string(filepath.Separator))+" "+c.Subject)
	}
	want := []string{
		"a-root/ca.crt CN=Test Root CA,O=Example IoT",
		"b-leaf.der CN=gw-01,O=Plant\\, North",
		"c/d/ed.CER CN=ed-node",
		"j-chain.der CN=gw-01,O=Plant\\, North",
		"j-chain.der CN=Test Device CA",
		"k-link.pem CN=Test Root CA,O=Example IoT",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("directory certificates (-want +got):\n%s", diff)
	}
	wantKeys := 1 + 1 + 5 + 1 // g-key.der, h-key.der, i-keys.pem, device.key
	if _, err := os.Stat(filepath.Join(dir, "n-pipe.key")); err == nil {
		wantKeys++
	}
	if d.CRLs != 2 || len(d.Revoked) != 4 || d.SkippedKeys != wantKeys {
		t.Errorf("directory: %d CRLs, %d revoked, %d keys; want 2, 4, %d", d.CRLs, len(d.Revoked), d.SkippedKeys, wantKeys)
	}
	// The merged bundle still verifies and marks revocations.
	d.VerifyAgainst(d, p.now)
	d.MarkRevoked(d)
	for _, c := range d.Certificates {
		if c.ChainsToTrusted == nil || !*c.ChainsToTrusted {
			t.Errorf("%s does not chain within its own directory", c.Subject)
		}
	}

	// Errors of all bad files are reported together.
	write("z1-bad.pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	write("z2-bad.der", []byte{0x30, 0x03, 0x02, 0x01})
	_, err = ParseDir(dir)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "z1-bad.pem") || !strings.Contains(err.Error(), "z2-bad.der") {
		t.Errorf("ParseDir errors: %v", err)
	}
	// The file count is bounded.
	defer func(old int) { maxDirFiles = old }(maxDirFiles)
	maxDirFiles = 3
	if _, err := ParseDir(dir); err == nil || !strings.Contains(err.Error(), "more than 3 certificate files") {
		t.Errorf("file limit: %v", err)
	}
	if _, err := ParseDir(filepath.Join(dir, "absent")); err == nil {
		t.Error("absent directory: no error")
	}
}

func TestParseCommittedTestdata(t *testing.T) {
	const caFP = "989e6b98d49e04275ebf915cb4d3e7af2f9e9dfd26b26bec7a1b559f57056a63"
	const leafFP = "6f67ffef07653be3a74135049b6579ef1d8d2c88e4b6e0be761a25a197f7d55d"
	nb, na := ts(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)), ts(time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC))
	ca := model.CertificateInfo{Certificate: model.Certificate{
		Fingerprint: caFP, Subject: "CN=Example Fleet Device CA,O=Example IoT", Issuer: "CN=Example Fleet Device CA,O=Example IoT",
		Serial: "1", NotBefore: nb, NotAfter: na, KeyType: "ecdsa", KeyBits: 256, Curve: "P-256",
		SignatureAlgorithm: "ECDSA-SHA256", SelfSigned: true,
	}, IsCA: true}
	leaf := model.CertificateInfo{Certificate: model.Certificate{
		Fingerprint: leafFP, Subject: "SERIALNUMBER=SN0042,CN=sensor-0042", Issuer: "CN=Example Fleet Device CA,O=Example IoT",
		Serial: "2a3b4c", NotBefore: nb, NotAfter: na, KeyType: "ecdsa", KeyBits: 256, Curve: "P-256",
		SignatureAlgorithm: "ECDSA-SHA256",
	}, DNSNames: []string{"sensor-0042.devices.example"}}
	with := func(c model.CertificateInfo, src string) model.CertificateInfo { c.Source = src; return c }
	revoked := []model.RevokedSerial{{Issuer: "CN=Example Fleet Device CA,O=Example IoT", Serial: "2a3b4c", When: ts(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))}}

	tests := []struct {
		file    string
		certs   []model.CertificateInfo
		revoked []model.RevokedSerial
	}{
		{"ca.pem", []model.CertificateInfo{with(ca, "testdata/ca.pem")}, nil},
		{"leaf.der", []model.CertificateInfo{with(leaf, "testdata/leaf.der")}, nil},
		{"bundle.pem", []model.CertificateInfo{with(leaf, "testdata/bundle.pem"), with(ca, "testdata/bundle.pem")}, nil},
		{"crl.der", nil, revoked},
		{"crl.pem", nil, revoked},
	}
	for _, tc := range tests {
		b, err := ParseFile("testdata/" + tc.file)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if diff := cmp.Diff(tc.certs, b.Certificates); diff != "" {
			t.Errorf("%s certificates (-want +got):\n%s", tc.file, diff)
		}
		if diff := cmp.Diff(tc.revoked, b.Revoked); diff != "" {
			t.Errorf("%s revoked (-want +got):\n%s", tc.file, diff)
		}
	}
	// The committed chain: leaf verifies against the CA, and is revoked.
	b, _ := ParseFile("testdata/leaf.der")
	cas, _ := ParseFile("testdata/ca.pem")
	crl, _ := ParseFile("testdata/crl.der")
	b.VerifyAgainst(cas, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	b.MarkRevoked(crl)
	if c := b.Certificates[0]; c.ChainsToTrusted == nil || !*c.ChainsToTrusted || !c.Revoked {
		t.Errorf("leaf: chains %v, revoked %v", c.ChainsToTrusted, c.Revoked)
	}
}

// Certificates made by OpenSSL with what crypto/x509 refuses to parse or
// verify: a 512-bit RSA key with SHA-1, MD5, the P-192 and brainpool
// curves, DSA. Fingerprints are OpenSSL's (openssl x509 -fingerprint
// -sha256).
func TestParseLegacy(t *testing.T) {
	nb := func(s int) model.Timestamp { return ts(time.Date(2026, 11, 30, 2, 21, s, 0, time.UTC)) }
	na := func(s int) model.Timestamp { return ts(time.Date(2036, 11, 27, 2, 21, s, 0, time.UTC)) }
	tests := []struct {
		file string
		want model.Certificate
	}{
		{"rsa512.pem", model.Certificate{
			Fingerprint: "8749b97f00789b6321d0bac45d8ffce3dd12d824bdc0051a652caaba78f322b4",
			Subject:     "CN=rsa512 legacy,O=Example IoT", Issuer: "CN=rsa512 legacy,O=Example IoT",
			Serial: "4f67f6296a39c48b23ba63f72f4658662fbc0213", NotBefore: nb(35), NotAfter: na(35),
			KeyType: "rsa", KeyBits: 512, SignatureAlgorithm: "SHA1-RSA", SelfSigned: true,
		}},
		{"md5.pem", model.Certificate{
			Fingerprint: "4f61099c31523f314a6f45623436ba65ecf514ffec9bebac3dc86fb12a5426d6",
			Subject:     "CN=md5 legacy", Issuer: "CN=md5 legacy",
			Serial: "61a9bf10554432f4e32ea6d945dbf74bcdad8ec6", NotBefore: nb(36), NotAfter: na(36),
			KeyType: "rsa", KeyBits: 1024, SignatureAlgorithm: "MD5-RSA", SelfSigned: true,
		}},
		{"p192.pem", model.Certificate{
			Fingerprint: "753b435e9759b9da0717951a8667691a74c618ba5438faeff45068c927774b9f",
			Subject:     "CN=p192 legacy", Issuer: "CN=p192 legacy",
			Serial: "5d8fac3d97fbb3562b82a67b70938e9da5bdfde9", NotBefore: nb(35), NotAfter: na(35),
			KeyType: "ecdsa", KeyBits: 192, Curve: "P-192", SignatureAlgorithm: "ECDSA-SHA256", SelfSigned: true,
		}},
		{"bp256.pem", model.Certificate{
			Fingerprint: "fe33be6a209433796570fee3d5f3547ae711f553165cf91d2c7f359475687c69",
			Subject:     "CN=brainpool", Issuer: "CN=brainpool",
			Serial: "20d4f532f9b22f858f9006e9dbc5990c5f4ececc", NotBefore: nb(36), NotAfter: na(36),
			KeyType: "ecdsa", KeyBits: 256, Curve: "brainpoolP256r1", SignatureAlgorithm: "ECDSA-SHA256", SelfSigned: true,
		}},
		{"dsa.pem", model.Certificate{
			Fingerprint: "2b8946c0115bbeb3f22375fe8de8345b2f54c95e2527166e7a534e7815f4abf1",
			Subject:     "CN=dsa legacy", Issuer: "CN=dsa legacy",
			Serial: "6df4f40e43e2e641bb2f8fe75fac8ddcb9a540ad", NotBefore: nb(36), NotAfter: na(36),
			KeyType: "dsa", KeyBits: 1024, SignatureAlgorithm: "DSA-SHA256", SelfSigned: true,
		}},
	}
	for _, tc := range tests {
		path := filepath.Join("testdata", "legacy", tc.file)
		b, err := ParseFile(path)
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		want := []model.CertificateInfo{{Certificate: tc.want, Source: path, IsCA: true}}
		if diff := cmp.Diff(want, b.Certificates); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.file, diff)
		}
	}
}

// A self-signed certificate whose signature does not verify is not
// self-signed, where the algorithm can be checked.
func TestSelfSignedTampered(t *testing.T) {
	for _, tc := range []struct {
		file string
		want bool
	}{
		{"rsa512.pem", false}, // checked with big-integer RSA
		{"md5.pem", false},
		{"p192.pem", true}, // no P-192 implementation: decided by structure
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "legacy", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(data)
		der := append([]byte{}, blk.Bytes...)
		der[len(der)-3] ^= 0x55 // inside the signature value
		b, err := Parse(tc.file, der)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if got := b.Certificates[0].SelfSigned; got != tc.want {
			t.Errorf("%s tampered: SelfSigned = %v, want %v", tc.file, got, tc.want)
		}
	}
	p := newPKI(t)
	der := append([]byte{}, p.rsa1024DER...)
	der[len(der)-3] ^= 0x55
	b, err := Parse("x.der", der)
	if err != nil {
		t.Fatal(err)
	}
	if b.Certificates[0].SelfSigned {
		t.Error("tampered RSA 1024 certificate is self-signed")
	}
}

func TestVerifyPKCS1v15(t *testing.T) {
	key := must(rsa.GenerateKey(rand.Reader, 2048))
	digest := sha256.Sum256([]byte("tbs"))
	sig := must(rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]))
	oid := digests["1.2.840.113549.1.1.11"].oid
	if !verifyPKCS1v15(&key.PublicKey, oid, digest[:], sig) {
		t.Error("valid signature refused")
	}
	if verifyPKCS1v15(&key.PublicKey, oid, digest[:], sig[1:]) {
		t.Error("short signature accepted")
	}
	other := sha256.Sum256([]byte("other"))
	if verifyPKCS1v15(&key.PublicKey, oid, other[:], sig) {
		t.Error("signature of another digest accepted")
	}
	if verifyPKCS1v15(&key.PublicKey, digests["1.2.840.113549.1.1.5"].oid, digest[:], sig) {
		t.Error("wrong hash OID accepted")
	}
}

func TestKeyInfoUnknownCurveAndAlgorithm(t *testing.T) {
	spki := func(alg, params []int, key []byte) []byte {
		var s struct {
			Algorithm pkix.AlgorithmIdentifier
			PublicKey asn1.BitString
		}
		s.Algorithm.Algorithm = alg
		if params != nil {
			s.Algorithm.Parameters.FullBytes = must(asn1.Marshal(asn1.ObjectIdentifier(params)))
		}
		s.PublicKey = asn1.BitString{Bytes: key, BitLength: len(key) * 8}
		return must(asn1.Marshal(s))
	}
	point := append([]byte{4}, make([]byte, 2*20)...)
	for _, tc := range []struct {
		spki       []byte
		typ, curve string
		bits       int
	}{
		{spki([]int{1, 2, 840, 10045, 2, 1}, []int{1, 3, 132, 0, 8}, point), "ecdsa", "secp160r1", 160},
		{spki([]int{1, 2, 840, 10045, 2, 1}, []int{1, 2, 3, 4}, point), "ecdsa", "1.2.3.4", 160},
		{spki([]int{1, 2, 840, 10045, 2, 1}, nil, point), "ecdsa", "explicit", 160},
		{spki([]int{1, 3, 101, 113}, nil, make([]byte, 57)), "ed448", "", 448},
		{spki([]int{1, 3, 101, 110}, nil, make([]byte, 32)), "x25519", "", 256},
		{spki([]int{1, 2, 3, 4, 5}, nil, []byte{1}), "1.2.3.4.5", "", 0},
		{[]byte{1, 2, 3}, "unknown", "", 0},
	} {
		typ, bits, curve := keyInfo(tc.spki)
		if typ != tc.typ || bits != tc.bits || curve != tc.curve {
			t.Errorf("keyInfo = %q %d %q, want %q %d %q", typ, bits, curve, tc.typ, tc.bits, tc.curve)
		}
	}
	if got := sigAlgName(x509.UnknownSignatureAlgorithm, asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 501}); got != "SM2-SM3" {
		t.Errorf("SM2 signature name %q", got)
	}
	if got := sigAlgName(x509.UnknownSignatureAlgorithm, asn1.ObjectIdentifier{1, 2, 3}); got != "1.2.3" {
		t.Errorf("unknown signature name %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	p := newPKI(t)
	good := string(pemOf("CERTIFICATE", p.caDER))
	lines := strings.Split(good, "\n")
	corrupt := append([]byte{}, p.caDER...)
	corrupt[10] ^= 0xff
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"empty", nil, []string{"x.pem: empty input"}},
		{"blank", []byte(" \n\t"), []string{"empty input"}},
		{"text", []byte("hello, this is not a certificate"), []string{"x.pem: neither PEM (no -----BEGIN line) nor DER"}},
		{"json", []byte(`{"certificate": "MIIB..."}`), []string{"neither PEM"}},
		{"truncated PEM", []byte(strings.Join(lines[:4], "\n")), []string{"x.pem:1: PEM block 1: no -----END line: the file is truncated"}},
		{"second block truncated", []byte(good + "\n" + strings.Join(lines[:3], "\n")), []string{"x.pem:", "PEM block 2: no -----END line"}},
		{"unclosed block", []byte(lines[0] + "\n" + lines[1] + "\n" + good), []string{"x.pem:1: PEM block 1: the block is not closed"}},
		{"bad base64", []byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"), []string{"PEM block 1: malformed PEM block"}},
		{"mismatched types", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n"), []string{"malformed PEM block"}},
		{"corrupt certificate", []byte("# device 1\n\n" + string(pemOf("CERTIFICATE", corrupt))), []string{"x.pem:3: PEM block 1 (CERTIFICATE): malformed certificate"}},
		{"certificate is a CRL", pemOf("CERTIFICATE", p.crlDER), []string{"PEM block 1 (CERTIFICATE)", "certificate"}},
		{"CRL is a certificate", pemOf("X509 CRL", p.caDER), []string{"PEM block 1 (X509 CRL): not a CRL"}},
		{"DER integer", []byte{0x02, 0x01, 0x05}, []string{"DER data is not a certificate, CRL or key"}},
		{"DER truncated", p.caDER[:len(p.caDER)-10], []string{"neither PEM", "DER"}},
		{"DER trailing garbage", append(append([]byte{}, p.caDER...), 0xde, 0xad), []string{"DER offset"}},
		{"DER corrupt", corrupt, []string{"DER data is not a certificate, CRL or key"}},
		{"hostile type", []byte("-----BEGIN \x1b[31mCERT-----\nAAAA\n-----END \x1b[31mCERT-----\n"), []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse("x.pem", tc.data)
			if tc.name == "hostile type" {
				// An unknown block type is ignored, not an error.
				if err != nil || b.OtherBlocks != 1 {
					t.Fatalf("got %v, %+v", err, b)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; got %+v", b)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("not ErrFormat: %v", err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Name != "x.pem" {
				t.Errorf("not a *FormatError naming the file: %#v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestHostileSubject(t *testing.T) {
	key := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "evil\u009b31m\u202edevice"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"ok.example"},
	}
	der := must(x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key))
	b, err := Parse("evil.der", der)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Certificates[0].Subject; got != "CN=evil31mdevice" {
		t.Errorf("Subject = %q", got)
	}
}

func TestParseTooLarge(t *testing.T) {
	defer func(old int64) { maxSize = old }(maxSize)
	maxSize = 1 << 20
	big := bytes.Repeat([]byte("x"), 1<<20+1)
	_, err := Parse("big.pem", big)
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrFormat) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
	if want := "big.pem: input is larger than the 1 MiB limit (x509cert.MaxSize): split the bundle"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	path := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFile(path); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ParseFile: %v", err)
	}
	if MaxSize != 64<<20 {
		t.Errorf("MaxSize = %d", MaxSize)
	}
}

func TestParseFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ParseFile(dir); err == nil || !strings.Contains(err.Error(), "use ParseDir") {
		t.Errorf("directory: %v", err)
	}
	if _, err := ParseFile(filepath.Join(dir, "absent.pem")); err == nil || errors.Is(err, ErrFormat) {
		t.Errorf("absent: %v", err)
	}
	// *.key is never opened, so even an absent one is just counted.
	b, err := ParseFile(filepath.Join(dir, "absent.KEY"))
	if err != nil || b.SkippedKeys != 1 {
		t.Errorf("key file: %v %+v", err, b)
	}
}

func TestMerge(t *testing.T) {
	a, _ := ParseFile("testdata/leaf.der")
	c, _ := ParseFile("testdata/crl.pem")
	a.Merge(c)
	a.Merge(nil)
	a.Merge(&Bundle{SkippedKeys: 2, OtherBlocks: 1})
	if len(a.Certificates) != 1 || a.CRLs != 1 || len(a.Revoked) != 1 || a.SkippedKeys != 2 || a.OtherBlocks != 1 {
		t.Errorf("merged %+v", a)
	}
	a.MarkRevoked(a)
	if !a.Certificates[0].Revoked {
		t.Error("merged CRL not applied")
	}
	var empty Bundle
	empty.Merge(a)
	empty.VerifyAgainst(c, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if c := empty.Certificates[0].ChainsToTrusted; c == nil || *c {
		t.Errorf("leaf without its CA chains: %v", c)
	}
}
