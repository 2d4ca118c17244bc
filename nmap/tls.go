package nmap

import (
	"regexp"
	"slices"
	"strings"

	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// tlsVersion maps an ssl-enum-ciphers protocol key to a model version.
// SSL has no place in model.TLSVersions, so SSLv2/SSLv3 are kept as "ssl2"
// and "ssl3" (Rank -1: older than anything known). DTLS versions map to
// the TLS version they derive from (DTLS 1.0 is TLS 1.1, RFC 4347).
func tlsVersion(key string) (model.TLSVersion, bool) {
	switch strings.TrimSpace(key) {
	case "SSLv2":
		return "ssl2", true
	case "SSLv3":
		return "ssl3", true
	case "TLSv1.0":
		return "1.0", true
	case "TLSv1.1", "DTLSv1.0":
		return "1.1", true
	case "TLSv1.2", "DTLSv1.2":
		return "1.2", true
	case "TLSv1.3", "DTLSv1.3":
		return "1.3", true
	}
	return "", false
}

// versionOrder sorts versions oldest first, SSL before TLS.
func versionOrder(v model.TLSVersion) int {
	switch v {
	case "ssl2":
		return -2
	case "ssl3":
		return -1
	}
	return v.Rank()
}

func mergeVersions(have, add []model.TLSVersion) []model.TLSVersion {
	for _, v := range add {
		if !slices.Contains(have, v) {
			have = append(have, v)
		}
	}
	slices.SortFunc(have, func(a, b model.TLSVersion) int { return versionOrder(a) - versionOrder(b) })
	return have
}

// weakStrength reports whether a cipher grade is below A. Current nmap
// grades A to F; nmap before 6.49 said strong, weak or unknown strength.
// Unknown or missing grades are not called weak.
func weakStrength(s string) bool {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "weak") {
		return true
	}
	return len(s) == 1 && s[0] >= 'B' && s[0] <= 'F'
}

// sslEnumCiphers reads the script's structured output:
//
//	<table key="TLSv1.2">
//	  <table key="ciphers">
//	    <table><elem key="name">TLS_RSA_WITH_RC4_128_SHA</elem><elem key="strength">C</elem></table>
//
// falling back to the text of the output attribute when there are no
// tables (output of nmap before structured script output, or edited).
func sslEnumCiphers(s *xscript) (versions []model.TLSVersion, weak []string) {
	if len(s.Tables) == 0 {
		return sslEnumCiphersText(s.Output)
	}
	for _, t := range s.Tables {
		v, ok := tlsVersion(t.Key)
		if !ok {
			continue
		}
		versions = append(versions, v)
		for _, sub := range t.Tables {
			if sub.Key != "ciphers" {
				continue
			}
			for _, c := range sub.Tables {
				var name, strength string
				for _, e := range c.Elems {
					switch e.Key {
					case "name":
						name = safetext.Clean(e.Value)
					case "strength":
						strength = e.Value
					}
				}
				if name != "" && weakStrength(strength) && !slices.Contains(weak, name) {
					weak = append(weak, name)
				}
			}
		}
	}
	return mergeVersions(nil, versions), weak
}

var (
	textVersionRE = regexp.MustCompile(`^\s*(SSLv[23]|D?TLSv1\.[0-3]):?\s*$`)
	// "TLS_RSA_WITH_RC4_128_SHA (rsa 2048) - C" or, before 6.49,
	// "TLS_RSA_WITH_RC4_128_MD5 - weak".
	textCipherRE = regexp.MustCompile(`^\s*((?:TLS|SSL)_[A-Za-z0-9_]+)(?:\s+\([^)]*\))?\s+-\s+(.+?)\s*$`)
)

func sslEnumCiphersText(out string) (versions []model.TLSVersion, weak []string) {
	for _, line := range strings.Split(out, "\n") {
		if m := textVersionRE.FindStringSubmatch(line); m != nil {
			if v, ok := tlsVersion(m[1]); ok {
				versions = append(versions, v)
			}
			continue
		}
		if m := textCipherRE.FindStringSubmatch(line); m != nil && weakStrength(m[2]) && !slices.Contains(weak, m[1]) {
			weak = append(weak, m[1])
		}
	}
	return mergeVersions(nil, versions), weak
}
