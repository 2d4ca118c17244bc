// Package redact keeps credentials out of what the importers store and
// print. Registry and cloud exports can carry them: private keys (AWS
// create-keys-and-certificate output), symmetric keys of Azure SAS devices,
// passwords or tokens that someone stored as attributes or tags,
// connection strings and SAS tokens that a device reported. The rules:
//
//   - an entry whose key names a secret (SecretName: "password",
//     "sharedAccessKey", "apiKey", "token"...) is dropped, whatever its
//     value;
//   - a value that is a credential as a whole (SecretValue: a PEM private
//     key, a connection string carrying a key, a SAS token) is dropped;
//   - in any other kept text, PEM private key blocks and the values after
//     secret markers (SharedAccessKey=, sig=, password=...) are replaced by
//     Redacted (String).
//
// Dropping a harmless value that matches costs little; keeping a secret
// costs a lot. Everything runs in linear time, whatever the input.
package redact

import "strings"

// Redacted replaces a secret inside a kept string.
const Redacted = "[REDACTED]"

// secretWords are substrings of key names (lower case, without separators)
// that mark the value as a secret; harmless names match too (e.g.
// "tokenExpiry").
var secretWords = []string{
	"password", "passwd", "passphrase", "pwd", "secret", "privatekey", "keypair",
	"primarykey", "secondarykey", "symmetrickey", "sharedaccesskey", "accesskey",
	"accountkey", "apikey", "connectionstring", "token", "credential", "signature",
}

// SecretName reports whether a key names a secret.
func SecretName(key string) bool {
	k := NormKey(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// NormKey lower-cases ASCII letters and drops separators, so that
// "Shared_Access-Key" and "sharedAccessKey" compare equal. Importers use
// it to match other key names the same way.
func NormKey(key string) string {
	b := make([]byte, 0, len(key))
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '_' || c == '-' || c == ' ' || c == '.':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

// secretMarkers start the secret part of a connection string, SAS token or
// URL; the value after the marker is redacted.
var secretMarkers = []string{
	"sharedaccesskey=", "accountkey=", "sharedaccesssignature=", "sig=", "password=", "pwd=",
	"privatekey=", "secret=", "token=",
}

// SecretValue reports whether a whole value is a credential that must be
// dropped: a PEM private key, or a connection string
// (HostName=...;SharedAccessKey=...) that carries a secret.
func SecretValue(s string) bool {
	if HasPrivateKey(s) {
		return true
	}
	if !hasMarker(s) {
		return false
	}
	// A connection string is Name=value pairs joined by ';', with plain
	// names; prose that quotes one ("failed with HostName=...") is
	// redacted instead.
	parts := strings.Split(strings.Trim(strings.TrimSpace(s), ";"), ";")
	if len(parts) < 2 {
		return strings.HasPrefix(lowerASCII(strings.TrimSpace(s)), "sharedaccesssignature ")
	}
	for _, p := range parts {
		name, _, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !plainName(name) {
			return false
		}
	}
	return true
}

// plainName reports whether s is a connection-string member name such as
// HostName or SharedAccessKey.
func plainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func hasMarker(s string) bool {
	l := lowerASCII(s)
	for _, m := range secretMarkers {
		if strings.Contains(l, m) {
			return true
		}
	}
	return strings.Contains(l, "sharedaccesssignature ")
}

// HasPrivateKey reports whether s holds a PEM private key header.
func HasPrivateKey(s string) bool {
	l := lowerASCII(s)
	for i := 0; ; {
		j := strings.Index(l[i:], "-----begin")
		if j < 0 {
			return false
		}
		i += j + len("-----begin")
		end := strings.Index(l[i:], "-----")
		if end < 0 {
			end = len(l) - i
		}
		if strings.Contains(l[i:i+end], "private key") {
			return true
		}
	}
}

// String replaces PEM private key blocks and the values after secret
// markers (SharedAccessKey=..., sig=..., password=...) in free text. It runs
// in linear time, whatever the input.
func String(s string) string {
	if !hasMarker(s) && !HasPrivateKey(s) {
		return s
	}
	s = redactPEM(s)
	l := lowerASCII(s)
	markers := allMarkers
	next := make([]int, len(markers)) // next occurrence of each marker at or after i
	for k, m := range markers {
		next[k] = strings.Index(l, m)
	}
	var b strings.Builder
	last := 0
	for i := 0; ; {
		at, m := -1, ""
		for k, mk := range markers {
			if next[k] >= 0 && next[k] < i {
				// Stale: the marker sat inside text already consumed.
				if j := strings.Index(l[i:], mk); j >= 0 {
					next[k] = i + j
				} else {
					next[k] = -1
				}
			}
			if next[k] >= 0 && (at < 0 || next[k] < at) {
				at, m = next[k], mk
			}
		}
		if at < 0 {
			break
		}
		start := at + len(m)
		end := start
		for end < len(s) && !isSecretEnd(s[end]) {
			end++
		}
		b.WriteString(s[last:start])
		if end > start && s[start:end] != Redacted {
			b.WriteString(Redacted)
		} else {
			b.WriteString(s[start:end])
		}
		last, i = end, end
		if i == at {
			i++
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

var allMarkers = append(append([]string(nil), secretMarkers...), "sharedaccesssignature ")

// isSecretEnd ends a secret value: base64 and URL-encoded secrets hold
// letters, digits, '+', '/', '=' and '%', never these.
func isSecretEnd(c byte) bool {
	switch c {
	case ';', '&', ' ', '\t', '\r', '\n', '"', '\'', ',', '<', '>', '|':
		return true
	}
	return false
}

// redactPEM replaces each PEM private key block, up to its END line (or to
// the end of s when it has none), in one pass.
func redactPEM(s string) string {
	l := lowerASCII(s)
	var b strings.Builder
	last := 0
	for i := 0; ; {
		j := strings.Index(l[i:], "-----begin")
		if j < 0 {
			break
		}
		begin := i + j
		i = begin + len("-----begin")
		hdrEnd := strings.Index(l[i:], "-----")
		hdr := l[i:]
		if hdrEnd >= 0 {
			hdr = l[i : i+hdrEnd]
		}
		if !strings.Contains(hdr, "private key") {
			continue
		}
		end := len(s)
		if hdrEnd >= 0 {
			rest := i + hdrEnd + len("-----")
			if k := strings.Index(l[rest:], "-----end"); k >= 0 {
				e := rest + k + len("-----end")
				if t := strings.Index(l[e:], "-----"); t >= 0 {
					end = e + t + len("-----")
				}
			}
		}
		b.WriteString(s[last:begin])
		b.WriteString(Redacted)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// lowerASCII lower-cases ASCII letters only, so byte offsets stay valid.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
