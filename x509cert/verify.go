package x509cert

import (
	"crypto/x509"
	"time"
)

// VerifyAgainst sets ChainsToTrusted on every certificate of b: whether it
// verifies against the certificates of cas as roots (a certificate in cas
// is trusted as such), with the CA certificates read into b and cas as
// intermediates, at time now (the current
// time when zero), for any key usage. crypto/x509's rules apply: a chain
// with an expired or not-yet-valid certificate, or signed with MD5 or
// SHA-1, does not verify. Certificates that crypto/x509 could not parse
// (unsupported curves and the like) are left nil: not decided.
func (b *Bundle) VerifyAgainst(cas *Bundle, now time.Time) {
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	if cas != nil {
		for _, info := range cas.Certificates {
			if pc := cas.parsed[info.Fingerprint]; pc != nil && pc.cert != nil {
				roots.AddCert(pc.cert)
				if pc.cert.IsCA {
					inter.AddCert(pc.cert)
				}
			}
		}
	}
	// Every CA certificate read into b serves, even if the caller has
	// filtered it out of Certificates.
	for _, pc := range b.parsed {
		if pc.cert != nil && pc.cert.IsCA {
			inter.AddCert(pc.cert)
		}
	}
	opts := x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	for i := range b.Certificates {
		info := &b.Certificates[i]
		pc := b.parsed[info.Fingerprint]
		if pc == nil || pc.cert == nil {
			info.ChainsToTrusted = nil
			continue
		}
		_, err := pc.cert.Verify(opts)
		ok := err == nil
		info.ChainsToTrusted = &ok
	}
}

// MarkRevoked sets Revoked on every certificate of b whose issuer and
// serial number are listed in the CRLs of crls. Issuers are compared by
// their DER encoding where both sides were read from files, else by name.
// Revoked is only ever set, so several CRL bundles can be applied in turn.
func (b *Bundle) MarkRevoked(crls *Bundle) {
	if crls == nil {
		return
	}
	byName := make(map[string]bool, len(crls.Revoked))
	for _, r := range crls.Revoked {
		byName[r.Issuer+"\x00"+r.Serial] = true
	}
	for i := range b.Certificates {
		info := &b.Certificates[i]
		hit := byName[info.Issuer+"\x00"+info.Serial]
		if pc := b.parsed[info.Fingerprint]; pc != nil && crls.revoked[string(pc.rawIssuer)+"\x00"+info.Serial] {
			hit = true
		}
		if hit {
			info.Revoked = true
		}
	}
}
