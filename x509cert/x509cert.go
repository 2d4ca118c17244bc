// Package x509cert reads X.509 certificates and CRLs, PEM or DER, single
// files, bundles and directories, into model.CertificateInfo and
// model.RevokedSerial values: key type, size and curve, signature
// algorithm, validity, self-signature, CA flag, DNS names and the SHA-256
// fingerprint that identifies a certificate across files and devices.
//
// It is a pure reader: no network, no revocation or OCSP fetching. Private
// keys are secrets: PEM blocks of any "PRIVATE KEY" type and DER files
// shaped like keys are counted in Bundle.SkippedKeys and dropped unread,
// and ParseDir never opens *.key files.
//
// Certificates that crypto/x509 refuses for reasons that are findings,
// not corruption (curves it does not implement such as P-192 or
// brainpool, negative serial numbers), are still described from their
// ASN.1 structure, so that checks can flag them.
package x509cert

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// MaxSize is the largest file Parse and ParseFile accept, in bytes.
// Certificate bundles are a few hundred KiB; the limit leaves room for
// large CRLs and bounds memory on a wrong or hostile file.
const MaxSize = 64 << 20

// MaxDirFiles is the most certificate files ParseDir reads.
const MaxDirFiles = 10000

// maxSize and maxDirFiles are the limits, lowered by tests.
var (
	maxSize     int64 = MaxSize
	maxDirFiles       = MaxDirFiles
)

// Bundle is what was read from one or more files.
type Bundle struct {
	Certificates []model.CertificateInfo
	// Revoked lists the entries of the CRLs read.
	Revoked []model.RevokedSerial
	// CRLs counts the CRLs read.
	CRLs int
	// SkippedKeys counts private keys seen and dropped unread: PEM blocks
	// of a "PRIVATE KEY" type, DER key files, and *.key files in ParseDir.
	SkippedKeys int
	// OtherBlocks counts PEM blocks of other types (CERTIFICATE REQUEST,
	// PUBLIC KEY, parameters...), which are ignored.
	OtherBlocks int

	// parsed holds what VerifyAgainst and MarkRevoked need, by fingerprint,
	// so that callers may reorder or filter Certificates.
	parsed map[string]*parsedCert
	// revoked holds CRL entries as raw issuer DER + "\x00" + serial.
	revoked map[string]bool
}

// parsedCert is the part of a certificate kept beside its info.
type parsedCert struct {
	cert      *x509.Certificate // nil when crypto/x509 refused it
	rawIssuer []byte
}

// Merge adds o's contents to b.
func (b *Bundle) Merge(o *Bundle) {
	if o == nil {
		return
	}
	b.Certificates = append(b.Certificates, o.Certificates...)
	b.Revoked = append(b.Revoked, o.Revoked...)
	b.CRLs += o.CRLs
	b.SkippedKeys += o.SkippedKeys
	b.OtherBlocks += o.OtherBlocks
	for k, v := range o.parsed {
		if b.parsed == nil {
			b.parsed = map[string]*parsedCert{}
		}
		b.parsed[k] = v
	}
	for k := range o.revoked {
		if b.revoked == nil {
			b.revoked = map[string]bool{}
		}
		b.revoked[k] = true
	}
}

// ParseFile reads one certificate, bundle, CRL or key file. Source on each
// certificate is path as given. A *.key file is counted as a skipped key
// without being opened.
func ParseFile(path string) (*Bundle, error) {
	if isKeyFile(path) {
		return &Bundle{SkippedKeys: 1}, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err // *fs.PathError already names the file
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("%s: is a directory: use ParseDir (iotguard reads directories recursively)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, data)
}

// certExts are the file name extensions ParseDir reads.
var certExts = map[string]bool{".pem": true, ".crt": true, ".cer": true, ".der": true, ".crl": true}

func isKeyFile(path string) bool { return strings.EqualFold(filepath.Ext(path), ".key") }

// maxDirErrors bounds how many file errors ParseDir lists.
const maxDirErrors = 20

// ParseDir reads every *.pem, *.crt, *.cer, *.der and *.crl file under dir,
// recursively and in lexical order, following symbolic links to files (as
// in /etc/ssl/certs) but not to directories. *.key files are counted as
// skipped keys and never opened; other files are ignored. Errors of all
// bad files are reported together (errors.Join), and no bundle is
// returned then.
func ParseDir(dir string) (*Bundle, error) {
	out := &Bundle{}
	var errs []error
	more, files := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if isKeyFile(path) {
			out.SkippedKeys++
			return nil
		}
		if !certExts[strings.ToLower(filepath.Ext(path))] {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(path)
			if err != nil || !fi.Mode().IsRegular() {
				return nil // dangling, or a link to a directory or device
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		files++
		if files > maxDirFiles {
			return fmt.Errorf("%s: more than %d certificate files: pass a narrower directory", dir, maxDirFiles)
		}
		b, err := ParseFile(path)
		if err != nil {
			if len(errs) < maxDirErrors {
				errs = append(errs, err)
			} else {
				more++
			}
			return nil
		}
		out.Merge(b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if more > 0 {
		errs = append(errs, fmt.Errorf("%s: %d more files with errors", dir, more))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

var pemBegin = []byte("-----BEGIN ")

// Parse reads certificates, CRLs and keys from data, PEM (any number of
// blocks, with text between them) or DER (one certificate, several
// concatenated certificates, one CRL, or a key). name is used in messages
// and as CertificateInfo.Source.
//
// Errors about the input match ErrFormat (errors.Is) and are *FormatError
// values naming the PEM block and its line; oversize input also matches
// ErrTooLarge.
func Parse(name string, data []byte) (*Bundle, error) {
	if int64(len(data)) > maxSize {
		return nil, inputerr.TooLarge(ErrFormat, ErrTooLarge, name, maxSize,
			" (x509cert.MaxSize): split the bundle into several files in one directory and read that directory")
	}
	b := &Bundle{}
	var err error
	if bytes.Contains(data, pemBegin) {
		err = b.parsePEM(name, data)
	} else {
		err = b.parseDER(name, data)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Bundle) parsePEM(name string, data []byte) error {
	rest := data
	for n := 1; ; n++ {
		i := bytes.Index(rest, pemBegin)
		if i < 0 {
			return nil
		}
		line := 1 + bytes.Count(data[:len(data)-len(rest)+i], []byte("\n"))
		seg := rest[i:]
		j := bytes.Index(seg, []byte("-----END "))
		if j < 0 {
			return &FormatError{Name: name, Line: line, Path: fmt.Sprintf("PEM block %d", n), Msg: "no -----END line: the file is truncated", Kind: ErrFormat}
		}
		k := bytes.IndexByte(seg[j:], '\n')
		if k < 0 {
			k = len(seg) - j
		} else {
			k++
		}
		text := seg[:j+k]
		rest = seg[j+k:]
		if bytes.Contains(text[1:], pemBegin) {
			return &FormatError{Name: name, Line: line, Path: fmt.Sprintf("PEM block %d", n), Msg: "the block is not closed before the next -----BEGIN line", Kind: ErrFormat}
		}
		block, _ := pem.Decode(text)
		if block == nil {
			return &FormatError{Name: name, Line: line, Path: fmt.Sprintf("PEM block %d", n), Msg: "malformed PEM block: bad base64, or BEGIN and END types differ", Kind: ErrFormat}
		}
		path := fmt.Sprintf("PEM block %d (%s)", n, safetext.Clean(block.Type))
		if len(path) > 80 {
			path = fmt.Sprintf("PEM block %d", n)
		}
		switch typ := block.Type; {
		case strings.Contains(typ, "PRIVATE KEY"):
			clear(block.Bytes) // secrets are not kept, even in garbage
			b.SkippedKeys++
		case typ == "CERTIFICATE" || typ == "X509 CERTIFICATE" || typ == "TRUSTED CERTIFICATE":
			der := block.Bytes
			if typ == "TRUSTED CERTIFICATE" {
				// OpenSSL appends trust settings after the certificate.
				var first asn1.RawValue
				if _, err := asn1.Unmarshal(der, &first); err == nil {
					der = first.FullBytes
				}
			}
			if err := b.addCert(name, der); err != nil {
				return &FormatError{Name: name, Line: line, Path: path, Msg: err.Error(), Kind: ErrFormat}
			}
		case typ == "X509 CRL" || typ == "CRL":
			if err := b.addCRL(block.Bytes); err != nil {
				return &FormatError{Name: name, Line: line, Path: path, Msg: err.Error(), Kind: ErrFormat}
			}
		default:
			b.OtherBlocks++
		}
	}
}

func (b *Bundle) parseDER(name string, data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return formatErr(name, "", "empty input: expected PEM or DER certificates, CRLs or keys")
	}
	var first asn1.RawValue
	rest, err := asn1.Unmarshal(data, &first)
	if err != nil {
		return formatErr(name, "", "neither PEM (no -----BEGIN line) nor DER: %s", safetext.LibMsg(err))
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		// Several DER values back to back: only concatenated certificates
		// are read this way.
		for off := 0; len(bytes.TrimSpace(data[off:])) > 0; {
			var v asn1.RawValue
			r, err := asn1.Unmarshal(data[off:], &v)
			if err != nil {
				return formatErr(name, fmt.Sprintf("DER offset %d", off), "malformed DER after the previous certificate: %s", safetext.LibMsg(err))
			}
			if err := b.addCert(name, v.FullBytes); err != nil {
				return formatErr(name, fmt.Sprintf("DER offset %d", off), "%s", err)
			}
			off = len(data) - len(r)
		}
		return nil
	}
	certErr := b.addCert(name, first.FullBytes)
	if certErr == nil {
		return nil
	}
	if b.addCRL(first.FullBytes) == nil {
		return nil
	}
	if looksLikeKey(&first) {
		b.SkippedKeys++
		return nil
	}
	return formatErr(name, "", "DER data is not a certificate, CRL or key: %s", certErr)
}

// looksLikeKey recognises private key containers by shape alone, without
// decoding key material: PKCS#1, SEC 1, DSA and PKCS#8 keys and PKCS#12
// files start with an INTEGER version; encrypted PKCS#8 is an algorithm
// and an OCTET STRING. Certificates and CRLs start with a SEQUENCE.
func looksLikeKey(v *asn1.RawValue) bool {
	if v.Class != asn1.ClassUniversal || v.Tag != asn1.TagSequence {
		return false
	}
	var children []asn1.RawValue
	for rest := v.Bytes; len(rest) > 0 && len(children) < 3; {
		var c asn1.RawValue
		r, err := asn1.Unmarshal(rest, &c)
		if err != nil {
			return false
		}
		children = append(children, c)
		rest = r
	}
	if len(children) > 0 && children[0].Class == asn1.ClassUniversal && children[0].Tag == asn1.TagInteger {
		return true
	}
	return len(children) == 2 && children[0].Tag == asn1.TagSequence && children[1].Tag == asn1.TagOctetString
}

// addCert parses one DER certificate and appends it.
func (b *Bundle) addCert(name string, der []byte) error {
	info, pc, err := describe(der)
	if err != nil {
		return err
	}
	info.Source = name
	b.Certificates = append(b.Certificates, info)
	if b.parsed == nil {
		b.parsed = map[string]*parsedCert{}
	}
	b.parsed[info.Fingerprint] = pc
	return nil
}

// addCRL parses one DER CRL and appends its entries. The CRL's signature
// is not checked: a forged CRL can only add revocations, never hide them.
func (b *Bundle) addCRL(der []byte) error {
	rl, err := x509.ParseRevocationList(der)
	if err != nil {
		return fmt.Errorf("not a CRL: %s", safetext.LibMsg(err))
	}
	issuer := safetext.Clean(rl.Issuer.String())
	if b.revoked == nil {
		b.revoked = map[string]bool{}
	}
	for _, e := range rl.RevokedCertificateEntries {
		if e.SerialNumber == nil {
			continue
		}
		serial := e.SerialNumber.Text(16)
		b.Revoked = append(b.Revoked, model.RevokedSerial{
			Issuer: issuer, Serial: serial, When: model.Timestamp{Time: e.RevocationTime.UTC()},
		})
		b.revoked[string(rl.RawIssuer)+"\x00"+serial] = true
	}
	b.CRLs++
	return nil
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}
