package demo

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// Certificate evidence: real X.509 files committed under evidence/certs
// (see certs_gen_test.go for how they were made). A handful of HQ door
// controllers were exported from the Portis provisioning service with
// their certificates; the device CA certificate and its CRL sit beside
// them.
const (
	certsDir  = "evidence/certs"
	deviceCAs = certsDir + "/northwind-device-ca-g2.pem"
	deviceCRL = certsDir + "/northwind-device-ca-g2.crl"
)

// demoCert is one committed device certificate.
type demoCert struct {
	device string
	// revoked: listed in the device CA's CRL while the device operates.
	revoked bool
	// rogue: issued by a look-alike CA with the real CA's name but another
	// key, so only chain verification exposes it.
	rogue bool
}

var demoCertificates = []demoCert{
	{device: "hq-door-0002"},
	{device: "hq-door-0004"},
	{device: "hq-door-0005"},
	{device: "hq-door-0006", revoked: true},
	{device: "hq-door-0007", rogue: true},
}

func certPath(device string) string { return certsDir + "/devices/" + device + ".pem" }

// parsePEMCertificate reads the single certificate of an embedded PEM file.
func parsePEMCertificate(path string) (*x509.Certificate, error) {
	b, err := evidenceFS.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return x509.ParseCertificate(block.Bytes)
}

// certificateFacts is what the inventory records of a real certificate.
func certificateFacts(path string, c *x509.Certificate) *model.Certificate {
	sum := sha256.Sum256(c.Raw)
	out := &model.Certificate{
		File: path, Fingerprint: hex.EncodeToString(sum[:]),
		Subject: c.Subject.String(), Issuer: c.Issuer.String(), Serial: strings.ToLower(c.SerialNumber.Text(16)),
		NotBefore:          model.Timestamp{Time: c.NotBefore.UTC()},
		NotAfter:           model.Timestamp{Time: c.NotAfter.UTC()},
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
	}
	switch k := c.PublicKey.(type) {
	case *ecdsa.PublicKey:
		out.KeyType, out.KeyBits, out.Curve = "ecdsa", k.Curve.Params().BitSize, k.Curve.Params().Name
	case *rsa.PublicKey:
		out.KeyType, out.KeyBits = "rsa", k.N.BitLen()
	case ed25519.PublicKey:
		out.KeyType, out.KeyBits = "ed25519", 256
	}
	return out
}

// assignCertificates gives the devices of the committed certificates
// what the inventory knows of them. The inventory does not know that one
// was revoked (only the CRL says so) nor that another comes from a rogue
// CA (its issuer name is the real CA's); the evidence checks find both.
// The devices are kept out of the random problem draws.
func (g *gen) assignCertificates() {
	byID := map[string]*model.Device{}
	for i := range g.devices {
		byID[g.devices[i].ID] = &g.devices[i]
	}
	for _, dc := range demoCertificates {
		d := byID[dc.device]
		if d == nil || d.Lifecycle != model.Active {
			panic("demo: certificate device " + dc.device + " is not an active device of the fleet")
		}
		c, err := parsePEMCertificate(certPath(dc.device))
		if err != nil {
			panic("demo: " + err.Error())
		}
		if c.Subject.CommonName != dc.device {
			panic("demo: " + certPath(dc.device) + " is not the certificate of " + dc.device)
		}
		d.Certificate = certificateFacts(certPath(dc.device), c)
		g.used[d.ID] = true
		switch {
		case dc.revoked:
			g.problem("certificate-revoked-in-use", d.ID, "a door controller still operates on a certificate the device CA revoked after a suspected key leak (CRL)")
		case dc.rogue:
			g.problem("certificate-untrusted-issuer", d.ID, "a door controller presents a certificate from a look-alike CA with Northwind's CA name but another key")
		}
	}
}
