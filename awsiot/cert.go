package awsiot

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"time"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/redact"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// present records whether a member was there without copying its content:
// used for key material, which must never be held in a string.
type present bool

func (p *present) UnmarshalJSON(b []byte) error {
	*p = present(len(b) > 0 && string(b) != "null" && string(b) != `""`)
	return nil
}

// certDesc is describe-certificate's certificateDescription (also
// describe-ca-certificate's), or the top level of create-keys-and-
// certificate and register-certificate output. keyPair and privateKey are
// only detected, never read.
type certDesc struct {
	CertificateArn string          `json:"certificateArn"`
	CertificateID  string          `json:"certificateId"`
	Status         string          `json:"status"`
	CertificatePem string          `json:"certificatePem"`
	CreationDate   json.RawMessage `json:"creationDate"`
	Validity       *struct {
		NotBefore json.RawMessage `json:"notBefore"`
		NotAfter  json.RawMessage `json:"notAfter"`
	} `json:"validity"`
	KeyPair    present `json:"keyPair"`
	PrivateKey present `json:"privateKey"`
}

func (p *parser) certificate(path string, raw json.RawMessage) (model.CertificateInfo, error) {
	if inputerr.DescribeJSON(raw) != "an object" {
		return model.CertificateInfo{}, formatErr(p.file, path, "expected a certificate description object, got %s", inputerr.DescribeJSON(raw))
	}
	var d certDesc
	if err := json.Unmarshal(raw, &d); err != nil {
		return model.CertificateInfo{}, typeErr(p.file, path, err)
	}
	if d.KeyPair || d.PrivateKey {
		p.droppedKeys = true
	}
	info := model.CertificateInfo{Source: p.file}
	id := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d.CertificateID), "0x"))
	if id != "" && !isHex(id) {
		return info, formatErr(p.file, inputerr.JoinPath(path, "certificateId"), "is not a hexadecimal certificate ID (AWS IoT IDs are 64 hex digits)")
	}
	if id == "" && d.CertificatePem == "" {
		return info, formatErr(p.file, path, "has neither certificateId nor certificatePem: expected aws iot describe-certificate output")
	}
	if d.CertificatePem != "" {
		cert, err := p.parsePEM(inputerr.JoinPath(path, "certificatePem"), d.CertificatePem)
		if err != nil {
			return info, err
		}
		info = certInfo(cert)
		info.Source = p.file
	} else {
		// Without the PEM, the certificate ID is the SHA-256 fingerprint:
		// AWS IoT derives it from the DER bytes.
		info.Fingerprint = id
		if d.Validity != nil {
			var err error
			if info.NotBefore, err = epoch(p.file, inputerr.JoinPath(path, "validity.notBefore"), d.Validity.NotBefore, time.Second); err != nil {
				return info, err
			}
			if info.NotAfter, err = epoch(p.file, inputerr.JoinPath(path, "validity.notAfter"), d.Validity.NotAfter, time.Second); err != nil {
				return info, err
			}
		}
	}
	if _, err := epoch(p.file, inputerr.JoinPath(path, "creationDate"), d.CreationDate, time.Second); err != nil {
		return info, err
	}
	info.Revoked = strings.EqualFold(strings.TrimSpace(d.Status), "REVOKED")
	return info, nil
}

// parsePEM returns the first CERTIFICATE block of a PEM text. Private key
// blocks are noted and skipped; nothing of them is kept or printed.
func (p *parser) parsePEM(path, text string) (*x509.Certificate, error) {
	rest := []byte(text)
	var found *x509.Certificate
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch {
		case strings.Contains(b.Type, "PRIVATE KEY"):
			p.droppedKeys = true
		case b.Type == "CERTIFICATE" && found == nil:
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, formatErr(p.file, path, "is not a valid X.509 certificate: %s", safetext.Escape(err.Error(), 200))
			}
			found = c
		}
	}
	if redact.HasPrivateKey(text) {
		p.droppedKeys = true
	}
	if found == nil {
		return nil, formatErr(p.file, path, "holds no PEM CERTIFICATE block (expected \"-----BEGIN CERTIFICATE-----\" ... \"-----END CERTIFICATE-----\")")
	}
	return found, nil
}

// certInfo extracts the public facts of a certificate. It is a small local
// helper on purpose: importers do not depend on each other.
func certInfo(c *x509.Certificate) model.CertificateInfo {
	sum := sha256.Sum256(c.Raw)
	info := model.CertificateInfo{
		Certificate: model.Certificate{
			Fingerprint:        hex.EncodeToString(sum[:]),
			Subject:            redact.String(c.Subject.String()),
			Issuer:             redact.String(c.Issuer.String()),
			NotBefore:          model.Timestamp{Time: c.NotBefore.UTC()},
			NotAfter:           model.Timestamp{Time: c.NotAfter.UTC()},
			SignatureAlgorithm: c.SignatureAlgorithm.String(),
		},
		IsCA: c.IsCA,
	}
	if c.SerialNumber != nil {
		info.Serial = hex.EncodeToString(c.SerialNumber.Bytes())
		if info.Serial == "" {
			info.Serial = "00"
		}
	}
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		info.KeyType, info.KeyBits = "rsa", k.N.BitLen()
	case *ecdsa.PublicKey:
		info.KeyType = "ecdsa"
		if k.Curve != nil {
			info.KeyBits, info.Curve = k.Curve.Params().BitSize, k.Curve.Params().Name
		}
	case ed25519.PublicKey:
		info.KeyType, info.KeyBits, info.Curve = "ed25519", 256, "Ed25519"
	default:
		info.KeyType = strings.ToLower(c.PublicKeyAlgorithm.String())
	}
	// Self-signed: issued by its own subject and signed by its own key.
	// (CheckSignatureFrom would also demand the CA flag, which self-signed
	// device certificates often lack.)
	// A SHA-1 or MD5 signature cannot be verified by Go but still marks a
	// self-signed certificate: the weak algorithm is reported separately.
	if bytes.Equal(c.RawIssuer, c.RawSubject) {
		err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
		var weak x509.InsecureAlgorithmError
		info.SelfSigned = err == nil || errors.As(err, &weak)
	}
	if len(c.DNSNames) > 0 {
		info.DNSNames = make([]string, 0, len(c.DNSNames))
		for _, n := range c.DNSNames {
			info.DNSNames = append(info.DNSNames, redact.String(n))
		}
	}
	return info
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
