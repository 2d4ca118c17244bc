package x509cert

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// certASN1 and tbsASN1 are RFC 5280's Certificate and TBSCertificate, for
// certificates crypto/x509 refuses and for the raw signature algorithm.
type certASN1 struct {
	TBS    asn1.RawValue
	SigAlg pkix.AlgorithmIdentifier
	Sig    asn1.BitString
}

type tbsASN1 struct {
	Raw        asn1.RawContent
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     *big.Int
	SigAlg     pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   struct{ NotBefore, NotAfter time.Time }
	Subject    asn1.RawValue
	SPKI       asn1.RawValue
	IssuerUID  asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString   `asn1:"optional,tag:2"`
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

// describe reads one DER certificate: with crypto/x509 when it accepts
// it, else from the ASN.1 structure alone.
func describe(der []byte) (model.CertificateInfo, *parsedCert, error) {
	var outer certASN1
	rest, err := asn1.Unmarshal(der, &outer)
	if err != nil || len(rest) > 0 {
		if err == nil {
			err = fmt.Errorf("trailing data after the certificate")
		}
		return model.CertificateInfo{}, nil, fmt.Errorf("malformed certificate: %s", safetext.LibMsg(err))
	}
	sigOID := outer.SigAlg.Algorithm
	c, stdErr := x509.ParseCertificate(der)
	if stdErr == nil {
		info := model.CertificateInfo{
			Certificate: model.Certificate{
				Fingerprint: fingerprint(der),
				Subject:     safetext.Clean(c.Subject.String()),
				Issuer:      safetext.Clean(c.Issuer.String()),
				Serial:      c.SerialNumber.Text(16),
				NotBefore:   model.Timestamp{Time: c.NotBefore.UTC()},
				NotAfter:    model.Timestamp{Time: c.NotAfter.UTC()},
			},
			IsCA:     c.BasicConstraintsValid && c.IsCA,
			DNSNames: cleanAll(c.DNSNames),
		}
		info.KeyType, info.KeyBits, info.Curve = keyInfo(c.RawSubjectPublicKeyInfo)
		info.SignatureAlgorithm = sigAlgName(c.SignatureAlgorithm, sigOID)
		info.SelfSigned = selfSigned(c, c.RawTBSCertificate, sigOID, c.Signature, c.RawSubjectPublicKeyInfo,
			c.RawIssuer, c.RawSubject, c.SubjectKeyId, c.AuthorityKeyId)
		return info, &parsedCert{cert: c, rawIssuer: c.RawIssuer}, nil
	}

	var tbs tbsASN1
	if rest, err := asn1.Unmarshal(outer.TBS.FullBytes, &tbs); err != nil || len(rest) > 0 || tbs.Serial == nil {
		return model.CertificateInfo{}, nil, fmt.Errorf("malformed certificate: %s", safetext.LibMsg(stdErr))
	}
	var subject, issuer pkix.RDNSequence
	if _, err := asn1.Unmarshal(tbs.Subject.FullBytes, &subject); err != nil {
		return model.CertificateInfo{}, nil, fmt.Errorf("malformed certificate subject: %s", safetext.LibMsg(stdErr))
	}
	if _, err := asn1.Unmarshal(tbs.Issuer.FullBytes, &issuer); err != nil {
		return model.CertificateInfo{}, nil, fmt.Errorf("malformed certificate issuer: %s", safetext.LibMsg(stdErr))
	}
	var subjName, issName pkix.Name
	subjName.FillFromRDNSequence(&subject)
	issName.FillFromRDNSequence(&issuer)
	ext := readExtensions(tbs.Extensions)
	info := model.CertificateInfo{
		Certificate: model.Certificate{
			Fingerprint: fingerprint(der),
			Subject:     safetext.Clean(subjName.String()),
			Issuer:      safetext.Clean(issName.String()),
			Serial:      tbs.Serial.Text(16),
			NotBefore:   model.Timestamp{Time: tbs.Validity.NotBefore.UTC()},
			NotAfter:    model.Timestamp{Time: tbs.Validity.NotAfter.UTC()},
		},
		IsCA:     ext.isCA,
		DNSNames: cleanAll(ext.dnsNames),
	}
	info.KeyType, info.KeyBits, info.Curve = keyInfo(tbs.SPKI.FullBytes)
	info.SignatureAlgorithm = sigAlgName(x509.UnknownSignatureAlgorithm, sigOID)
	info.SelfSigned = selfSigned(nil, outer.TBS.FullBytes, sigOID, outer.Sig.RightAlign(), tbs.SPKI.FullBytes,
		tbs.Issuer.FullBytes, tbs.Subject.FullBytes, ext.ski, ext.aki)
	return info, &parsedCert{rawIssuer: tbs.Issuer.FullBytes}, nil
}

func cleanAll(list []string) []string {
	var out []string
	for _, s := range list {
		if s = safetext.Clean(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

type extensions struct {
	isCA     bool
	dnsNames []string
	ski, aki []byte
}

var (
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidSAN              = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidSKI              = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAKI              = asn1.ObjectIdentifier{2, 5, 29, 35}
)

// readExtensions reads the few extensions described here; malformed ones
// are ignored, since crypto/x509 already refused this certificate.
func readExtensions(exts []pkix.Extension) extensions {
	var out extensions
	for _, e := range exts {
		switch {
		case e.Id.Equal(oidBasicConstraints):
			var bc struct {
				IsCA    bool `asn1:"optional"`
				MaxPath int  `asn1:"optional,default:-1"`
			}
			if _, err := asn1.Unmarshal(e.Value, &bc); err == nil {
				out.isCA = bc.IsCA
			}
		case e.Id.Equal(oidSAN):
			var seq asn1.RawValue
			if _, err := asn1.Unmarshal(e.Value, &seq); err != nil {
				continue
			}
			for rest := seq.Bytes; len(rest) > 0; {
				var gn asn1.RawValue
				r, err := asn1.Unmarshal(rest, &gn)
				if err != nil {
					break
				}
				rest = r
				if gn.Class == asn1.ClassContextSpecific && gn.Tag == 2 { // dNSName
					out.dnsNames = append(out.dnsNames, string(gn.Bytes))
				}
			}
		case e.Id.Equal(oidSKI):
			var id []byte
			if _, err := asn1.Unmarshal(e.Value, &id); err == nil {
				out.ski = id
			}
		case e.Id.Equal(oidAKI):
			var aki struct {
				ID []byte `asn1:"optional,tag:0"`
			}
			if _, err := asn1.Unmarshal(e.Value, &aki); err == nil {
				out.aki = aki.ID
			}
		}
	}
	return out
}

var (
	oidRSA       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidEC        = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidDSA       = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	oidEd25519   = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidEd448     = asn1.ObjectIdentifier{1, 3, 101, 113}
	oidX25519    = asn1.ObjectIdentifier{1, 3, 101, 110}
	oidX448      = asn1.ObjectIdentifier{1, 3, 101, 111}
	oidSM2Curves = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}
)

// curves names the elliptic curves by OID, with their size in bits. Go
// implements only the NIST P-224 to P-521 curves; the others are listed so
// that weak or unusual curves are named rather than refused.
var curves = map[string]struct {
	name string
	bits int
}{
	"1.2.840.10045.3.1.1":   {"P-192", 192},
	"1.3.132.0.33":          {"P-224", 224},
	"1.2.840.10045.3.1.7":   {"P-256", 256},
	"1.3.132.0.34":          {"P-384", 384},
	"1.3.132.0.35":          {"P-521", 521},
	"1.3.132.0.8":           {"secp160r1", 160},
	"1.3.132.0.9":           {"secp160k1", 160},
	"1.3.132.0.30":          {"secp160r2", 160},
	"1.3.132.0.31":          {"secp192k1", 192},
	"1.3.132.0.32":          {"secp224k1", 224},
	"1.3.132.0.10":          {"secp256k1", 256},
	"1.3.36.3.3.2.8.1.1.1":  {"brainpoolP160r1", 160},
	"1.3.36.3.3.2.8.1.1.3":  {"brainpoolP192r1", 192},
	"1.3.36.3.3.2.8.1.1.5":  {"brainpoolP224r1", 224},
	"1.3.36.3.3.2.8.1.1.7":  {"brainpoolP256r1", 256},
	"1.3.36.3.3.2.8.1.1.9":  {"brainpoolP320r1", 320},
	"1.3.36.3.3.2.8.1.1.11": {"brainpoolP384r1", 384},
	"1.3.36.3.3.2.8.1.1.13": {"brainpoolP512r1", 512},
	oidSM2Curves.String():   {"SM2", 256},
}

// keyInfo describes a SubjectPublicKeyInfo: key type (rsa, ecdsa,
// ed25519, ed448, x25519, x448, dsa, or the algorithm OID when unknown),
// size in bits (RSA and DSA modulus, EC curve size, 256 for Ed25519) and
// curve name for EC keys.
func keyInfo(spki []byte) (keyType string, bits int, curve string) {
	var s struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &s); err != nil {
		return "unknown", 0, ""
	}
	key := s.PublicKey.RightAlign()
	switch alg := s.Algorithm.Algorithm; {
	case alg.Equal(oidRSA) || alg.Equal(oidRSAPSS):
		var k struct{ N, E *big.Int }
		if _, err := asn1.Unmarshal(key, &k); err == nil && k.N != nil {
			bits = k.N.BitLen()
		}
		return "rsa", bits, ""
	case alg.Equal(oidEC):
		var named asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(s.Algorithm.Parameters.FullBytes, &named); err == nil {
			if c, ok := curves[named.String()]; ok {
				return "ecdsa", c.bits, c.name
			}
			curve = named.String()
		} else {
			curve = "explicit" // parameters spelled out instead of named
		}
		// Unknown curve: an uncompressed point is 04 || X || Y.
		if len(key) > 1 && key[0] == 4 {
			bits = (len(key) - 1) / 2 * 8
		}
		return "ecdsa", bits, curve
	case alg.Equal(oidEd25519):
		return "ed25519", 256, ""
	case alg.Equal(oidEd448):
		return "ed448", 448, ""
	case alg.Equal(oidX25519):
		return "x25519", 256, ""
	case alg.Equal(oidX448):
		return "x448", 448, ""
	case alg.Equal(oidDSA):
		var params struct{ P, Q, G *big.Int }
		if _, err := asn1.Unmarshal(s.Algorithm.Parameters.FullBytes, &params); err == nil && params.P != nil {
			bits = params.P.BitLen()
		}
		return "dsa", bits, ""
	default:
		return alg.String(), 0, ""
	}
}

// sigAlgs names signature algorithms by OID, in crypto/x509's spelling,
// for those it does not know (or refused).
var sigAlgs = map[string]string{
	"1.2.840.113549.1.1.2":   "MD2-RSA",
	"1.2.840.113549.1.1.4":   "MD5-RSA",
	"1.2.840.113549.1.1.5":   "SHA1-RSA",
	"1.2.840.113549.1.1.14":  "SHA224-RSA",
	"1.2.840.113549.1.1.11":  "SHA256-RSA",
	"1.2.840.113549.1.1.12":  "SHA384-RSA",
	"1.2.840.113549.1.1.13":  "SHA512-RSA",
	"1.2.840.113549.1.1.10":  "RSASSA-PSS",
	"1.2.840.10040.4.3":      "DSA-SHA1",
	"2.16.840.1.101.3.4.3.2": "DSA-SHA256",
	"1.2.840.10045.4.1":      "ECDSA-SHA1",
	"1.2.840.10045.4.3.1":    "ECDSA-SHA224",
	"1.2.840.10045.4.3.2":    "ECDSA-SHA256",
	"1.2.840.10045.4.3.3":    "ECDSA-SHA384",
	"1.2.840.10045.4.3.4":    "ECDSA-SHA512",
	"1.3.101.112":            "Ed25519",
	"1.3.101.113":            "Ed448",
	"1.2.156.10197.1.501":    "SM2-SM3",
}

func sigAlgName(alg x509.SignatureAlgorithm, oid asn1.ObjectIdentifier) string {
	if alg != x509.UnknownSignatureAlgorithm {
		return alg.String()
	}
	if name, ok := sigAlgs[oid.String()]; ok {
		return name
	}
	return oid.String()
}

// digests gives, per signature algorithm OID, the hash it signs with and
// that hash's OID (for the PKCS #1 v1.5 DigestInfo).
var digests = map[string]struct {
	sum func([]byte) []byte
	oid asn1.ObjectIdentifier
}{
	"1.2.840.113549.1.1.4":  {func(b []byte) []byte { s := md5.Sum(b); return s[:] }, asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}},
	"1.2.840.113549.1.1.5":  {func(b []byte) []byte { s := sha1.Sum(b); return s[:] }, asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}},
	"1.2.840.113549.1.1.14": {func(b []byte) []byte { s := sha256.Sum224(b); return s[:] }, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}},
	"1.2.840.113549.1.1.11": {func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}},
	"1.2.840.113549.1.1.12": {func(b []byte) []byte { s := sha512.Sum384(b); return s[:] }, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}},
	"1.2.840.113549.1.1.13": {func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}},
	"1.2.840.10045.4.1":     {func(b []byte) []byte { s := sha1.Sum(b); return s[:] }, nil},
	"1.2.840.10045.4.3.1":   {func(b []byte) []byte { s := sha256.Sum224(b); return s[:] }, nil},
	"1.2.840.10045.4.3.2":   {func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }, nil},
	"1.2.840.10045.4.3.3":   {func(b []byte) []byte { s := sha512.Sum384(b); return s[:] }, nil},
	"1.2.840.10045.4.3.4":   {func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }, nil},
}

// selfSigned reports whether the issuer is the subject and the signature
// verifies with the certificate's own key. crypto/x509 refuses MD5 and
// SHA-1 signatures and RSA keys under 1024 bits, which are exactly what
// old devices carry, so RSA PKCS #1 v1.5 and ECDSA signatures are checked
// here whatever their hash or size. Where no implementation exists (DSA,
// curves Go lacks), a certificate whose issuer equals its subject and
// whose authority key ID, if any, equals its subject key ID counts as
// self-signed.
func selfSigned(c *x509.Certificate, tbs []byte, sigOID asn1.ObjectIdentifier, sig, spki, rawIssuer, rawSubject, ski, aki []byte) bool {
	if !bytes.Equal(rawIssuer, rawSubject) {
		return false
	}
	if c != nil && c.CheckSignature(c.SignatureAlgorithm, tbs, sig) == nil {
		return true
	}
	d, known := digests[sigOID.String()]
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err == nil {
		switch k := pub.(type) {
		case *rsa.PublicKey:
			if known && d.oid != nil {
				return verifyPKCS1v15(k, d.oid, d.sum(tbs), sig)
			}
			return false // PSS or a mismatched algorithm: crypto/x509 said no
		case *ecdsa.PublicKey:
			return known && d.oid == nil && ecdsa.VerifyASN1(k, d.sum(tbs), sig)
		case ed25519.PublicKey:
			return sigOID.Equal(oidEd25519) && ed25519.Verify(k, tbs, sig)
		}
	}
	return len(aki) == 0 || len(ski) == 0 || bytes.Equal(aki, ski)
}

// maxRSABits bounds the modulus verifyPKCS1v15 accepts, and with it the
// work a hostile certificate can cause.
const maxRSABits = 16384

// verifyPKCS1v15 checks an RSA PKCS #1 v1.5 signature with big-integer
// arithmetic, so that keys below crypto/rsa's minimum size are checked
// too. It only classifies certificates; nothing is trusted because of it.
func verifyPKCS1v15(pub *rsa.PublicKey, hashOID asn1.ObjectIdentifier, digest, sig []byte) bool {
	k := (pub.N.BitLen() + 7) / 8
	if pub.N.BitLen() > maxRSABits || pub.E <= 0 || len(sig) != k {
		return false
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return false
	}
	em := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, k))
	// The DigestInfo's NULL parameters are sometimes omitted; both forms
	// are valid encodings (RFC 8017 section 9.2, note 2).
	for _, params := range []asn1.RawValue{asn1.NullRawValue, {}} {
		info, err := asn1.Marshal(struct {
			Alg    pkix.AlgorithmIdentifier
			Digest []byte
		}{pkix.AlgorithmIdentifier{Algorithm: hashOID, Parameters: params}, digest})
		if err != nil || k < len(info)+11 {
			continue
		}
		want := make([]byte, k)
		want[1] = 1
		for i := 2; i < k-len(info)-1; i++ {
			want[i] = 0xff
		}
		copy(want[k-len(info):], info)
		if bytes.Equal(em, want) {
			return true
		}
	}
	return false
}
