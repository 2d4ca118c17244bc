package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iotguard/iotguard/model"
)

// FuzzParse feeds arbitrary bytes to Parse. Seeds (testdata/fuzz/FuzzParse)
// are trimmed fixtures and test files of every format: CycloneDX JSON and
// XML, SPDX JSON and tag-value, and a few broken documents.
//
//	go test ./sbom -run='^$' -fuzz='^FuzzParse$' -fuzztime=60s
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","purl":"pkg:npm/a@1"}]}`))
	f.Add([]byte("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\nPackageName: a\nSPDXID: SPDXRef-a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var sb *model.SBOM
		var err error
		done := make(chan struct{})
		go func() { sb, err = Parse("fuzz.bin", bytes.NewReader(data)); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second): // a hang would otherwise only stall the fuzzer
			t.Fatalf("HANG on %q", data)
		}
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error without ErrFormat: %v", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.bin") || len(msg) > 1000 {
				t.Fatalf("bad message (%d bytes): %q", len(msg), msg)
			}
			for _, r := range msg {
				if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
					t.Fatalf("message has control character %U: %q", r, msg)
				}
			}
			return
		}
		if sb.Components == nil || sb.Source != "fuzz.bin" || !strings.HasPrefix(sb.Format, "cyclonedx-1.") && !strings.HasPrefix(sb.Format, "spdx-2.") {
			t.Fatalf("bad SBOM header: %+v", sb)
		}
		check := func(what, s string, multiline bool) {
			if s != strings.TrimSpace(s) || !utf8.ValidString(s) {
				t.Fatalf("%s %q is not trimmed valid UTF-8", what, s)
			}
			for _, r := range s {
				if (unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t'))) || unicode.Is(unicode.Bidi_Control, r) {
					t.Fatalf("%s %q holds control character %U", what, s, r)
				}
			}
		}
		check("subject", sb.Subject, false)
		check("subject version", sb.SubjectVersion, false)
		for _, c := range sb.Components {
			if c.Name == "" {
				t.Fatalf("component without a name: %+v", c)
			}
			for _, s := range append([]string{c.Name, c.Version, c.PURL, c.BOMRef, c.Type, c.Supplier, c.Ecosystem}, append(c.CPEs, c.Licenses...)...) {
				check("component field", s, false)
			}
			for k, v := range c.Hashes {
				if k == "" || v == "" {
					t.Fatalf("empty hash entry %q=%q", k, v)
				}
				check("hash", k+v, false)
			}
			if c.Ecosystem != Ecosystem(c.PURL) {
				t.Fatalf("ecosystem %q for %q", c.Ecosystem, c.PURL)
			}
		}
		for _, v := range sb.VEX {
			if v.Vulnerability == "" || v.State == "" {
				t.Fatalf("incomplete VEX statement %+v", v)
			}
			check("vex", v.Vulnerability+v.Component+v.State+v.Justification, false)
			check("vex detail", v.Detail, true)
		}
		// the result must serialise (the engine stores evidence as JSON)
		b, err := json.Marshal(sb)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var back model.SBOM
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal of our own output: %v", err)
		}
	})
}

// FuzzPURL checks that ParsePURL never panics and that String() output
// parses back to the same value.
func FuzzPURL(f *testing.F) {
	for _, s := range []string{
		"pkg:golang/github.com/ProtonMail/proton-bridge@v1.8.0",
		"pkg:deb/debian/busybox@1:1.35.0-4+b3?arch=armhf&distro=debian-12",
		"pkg:npm/%40angular/animation@12.3.1#sub/path",
		"pkg:maven/com.example/sdk@4.2.0?repository_url=https://bot:s3cret@repo.example.com/m2",
		"pkg:apk/alpine/zlib@1.2.13-r1?distro=alpine-3.18.4",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = Ecosystem(s)
		r := redactPURL(s)
		if strings.Contains(s, "?") && r != s {
			if _, err := ParsePURL(r); err != nil {
				t.Fatalf("redacted purl %q does not parse: %v", r, err)
			}
		}
		p, err := ParsePURL(s)
		if err != nil {
			return
		}
		again, err := ParsePURL(p.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, p.String(), err)
		}
		if again.String() != p.String() {
			t.Fatalf("not stable: %q -> %q -> %q", s, p.String(), again.String())
		}
	})
}
