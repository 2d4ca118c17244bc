package nmap

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"unicode"
)

// FuzzParse: Parse never panics, and what it accepts is normalised: port
// numbers in range, MACs in lower-case colon form, no control characters
// in any string, TLS versions oldest first.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`<nmaprun><host><address addr="::1" addrtype="ipv6"/></host></nmaprun>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		scan, err := Parse("fuzz.xml", bytes.NewReader(data))
		if err != nil {
			if scan != nil {
				t.Fatal("scan returned with an error")
			}
			return
		}
		for _, h := range scan.Hosts {
			if h.MAC != "" {
				if m, err := net.ParseMAC(h.MAC); err != nil || m.String() != h.MAC {
					t.Fatalf("MAC %q not normalised", h.MAC)
				}
			}
			strs := append(append([]string{h.Vendor, h.Status}, h.Addresses...), h.Hostnames...)
			for _, p := range h.Ports {
				if p.Port < 0 || p.Port > 65535 {
					t.Fatalf("port %d out of range", p.Port)
				}
				strs = append(strs, p.Protocol, p.Service, p.Version, p.Banner)
				strs = append(strs, p.WeakCiphers...)
				for i := 1; i < len(p.TLSVersions); i++ {
					if versionOrder(p.TLSVersions[i-1]) >= versionOrder(p.TLSVersions[i]) {
						t.Fatalf("TLS versions not sorted: %v", p.TLSVersions)
					}
				}
			}
			for _, s := range strs {
				if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) >= 0 {
					t.Fatalf("control character in %q", s)
				}
			}
		}
	})
}
