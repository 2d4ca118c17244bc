package vulndb

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/model"
)

func TestParseErrors(t *testing.T) {
	gin := readFixture(t, "osv", "GO-2020-0001.json")
	nvd := readFixture(t, "nvd", "CVE-2024-3094.json")
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "empty file"},
		{"not JSON", "hello", "expected JSON"},
		{"truncated OSV", gin[:200], "truncated JSON"},
		{"syntax error with line", "{\n\"id\": \"X\",\n\"affected\": [}\n", "line 3, column 14"},
		{"wrong type with field", `{"id": "X", "affected": [{"versions": "1.0"}]}`, "affected.versions"},
		{"missing id", `{"modified": "2024-01-01T00:00:00Z"}`, "id: missing"},
		{"package half given", `{"id": "X", "affected": [{"package": {"name": "p"}}]}`, "affected[0].package: needs both"},
		{"range without type", `{"id": "X", "affected": [{"ranges": [{"events": [{"introduced": "0"}]}]}]}`, "affected[0].ranges[0].type: missing"},
		{"range without events", `{"id": "X", "affected": [{"ranges": [{"type": "SEMVER"}]}]}`, "at least one event"},
		{"event with two kinds", `{"id": "X", "affected": [{"ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1"}]}]}]}`, "events[0]: an event has exactly one"},
		{"bad published", `{"id": "X", "published": "yesterday"}`, "published: \"yesterday\" is not a date"},
		{"array member invalid", `[{"id": "A"}, {"summary": "no id"}]`, "[1].id: missing"},
		{"truncated NVD", nvd[:3000], "truncated JSON"},
		{"NVD item without cve", `{"format": "NVD_CVE", "vulnerabilities": [{"x": 1}]}`, "vulnerabilities[0]: expected {\"cve\""},
		{"NVD bad criteria", `{"format": "NVD_CVE", "vulnerabilities": [{"cve": {"id": "CVE-1", "configurations": [{"nodes": [{"cpeMatch": [{"vulnerable": true, "criteria": "xyz"}]}]}]}}]}`,
			"configurations[0].nodes[0].cpeMatch[0].criteria: not a CPE name"},
		{"NVD 1.1 feed", `{"CVE_data_type": "CVE", "CVE_Items": []}`, "NVD 1.1 feed"},
		{"NVD CVE without id", `{"sourceIdentifier": "x", "configurations": []}`, "no CVE \"id\""},
		{"KEV bad CVE ID", `{"catalogVersion": "1", "vulnerabilities": [{"cveID": "nope"}]}`, "vulnerabilities[0].cveID: \"nope\" is not a CVE ID"},
		{"KEV bad date", `{"catalogVersion": "1", "vulnerabilities": [{"cveID": "CVE-1-2", "dateAdded": "soon"}]}`, "dateAdded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("in.json", strings.NewReader(tc.input))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "in.json") {
				t.Errorf("error %q does not name the file and contain %q", err, tc.want)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %q is not ErrFormat", err)
			}
		})
	}
}

func TestOversizeRefused(t *testing.T) {
	_, err := readLimited("big.json", strings.NewReader(strings.Repeat(" ", 2<<20+1)), 2<<20)
	if err == nil || !strings.Contains(err.Error(), "big.json: input is larger than the 2 MiB limit; split the file") {
		t.Fatalf("oversize: %v", err)
	}
	if _, err := readLimited("ok.json", strings.NewReader(strings.Repeat(" ", 2<<20)), 2<<20); err != nil {
		t.Fatalf("exactly the limit must pass: %v", err)
	}
	feed := `{"format":"NVD_CVE","vulnerabilities":[` + strings.Repeat(`{"cve":{"id":"CVE-1"}},`, 1000) + `{"cve":{"id":"CVE-2"}}]}`
	err = streamNVD("feed.json", strings.NewReader(feed), int64(len(feed)/2), func(CVE) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "feed.json: input is larger than") {
		t.Fatalf("oversize feed: %v", err)
	}
	if err := streamNVD("feed.json", strings.NewReader(feed), int64(len(feed)), func(CVE) error { return nil }); err != nil {
		t.Fatalf("feed at the limit: %v", err)
	}
	// Parse refuses more than MaxSize without reading it all.
	_, err = Parse("huge.json", &repeatReader{n: MaxSize + 10})
	if err == nil || !strings.Contains(err.Error(), "larger than the 64 MiB limit") {
		t.Fatalf("Parse oversize: %v", err)
	}
}

type repeatReader struct{ n int }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("read past the limit")
	}
	n := min(len(p), r.n)
	for i := range p[:n] {
		p[i] = ' '
	}
	r.n -= n
	return n, nil
}

func TestGzipAndHostileText(t *testing.T) {
	rec := `{"id": "X-1\u001b[31m", "summary": "evil\u001b]0;title\u0007 \u202eSUMMARY\nsecond line", "modified": "2024-01-01T00:00:00Z",
	  "affected": [{"package": {"ecosystem": "npm", "name": "evil"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(rec))
	zw.Close()
	dir := t.TempDir()
	src := filepath.Join(dir, "rec.json.gz")
	if err := os.WriteFile(src, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := ParseFile(src)
	if err != nil || len(doc.OSV) != 1 {
		t.Fatalf("gzip: %v", err)
	}
	out := filepath.Join(dir, "x.idx")
	if _, err := Build(context.Background(), out, src); err != nil {
		t.Fatal(err)
	}
	ix, _ := Open(out)
	defer ix.Close()
	ms, _ := ix.Match(model.Component{PURL: "pkg:npm/evil@1.0.0"})
	if len(ms) != 1 {
		t.Fatalf("matches %v", ms)
	}
	if ms[0].Advisory != "X-1 [31m" || ms[0].Summary != "evil ]0;title SUMMARY second line" {
		t.Errorf("control characters must be gone: %q %q", ms[0].Advisory, ms[0].Summary)
	}
	if _, err := Parse("bad.gz", bytes.NewReader([]byte{0x1f, 0x8b, 1, 2})); !errors.Is(err, ErrFormat) {
		t.Errorf("bad gzip: %v", err)
	}
}

// TestCorruptIndex: every kind of damage is refused with a clear error
// that says to rebuild, never a panic or a wrong answer.
func TestCorruptIndex(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.idx")
	if _, err := Build(context.Background(), good, fixtures2(t)...); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(name string, f func([]byte) []byte) string {
		b := f(bytes.Clone(data))
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	openErrors := []struct {
		name, want string
		f          func([]byte) []byte
	}{
		{"empty", "too short", func(b []byte) []byte { return nil }},
		{"not an index", "not a vulnerability index", func(b []byte) []byte { return append([]byte("{\"id\":1}"), b[8:]...) }},
		{"truncated", "truncated or corrupt", func(b []byte) []byte { return b[:len(b)-10] }},
		{"old format", "index format 0, but this iotguard reads format 1", func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[8:], 0)
			return b
		}},
		{"key table damaged", "checksum mismatch in section 0", func(b []byte) []byte {
			off := binary.LittleEndian.Uint64(b[len(b)-footerSize+16:])
			b[off+30] ^= 0xff
			return b
		}},
		{"stats damaged", "checksum mismatch in section 2", func(b []byte) []byte {
			b[len(b)-footerSize-2] ^= 0x01
			return b
		}},
	}
	for _, tc := range openErrors {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(mutate(tc.name, tc.f))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "rebuild it with iotguard vulndb import") || !errors.Is(err, ErrIndex) {
				t.Fatalf("err = %v, want %q and a rebuild hint", err, tc.want)
			}
		})
	}
	// A damaged advisory blob opens (blobs are read lazily) but the lookup
	// that reads it fails.
	p := mutate("blob", func(b []byte) []byte { b[headerSize+3] ^= 0x55; return b })
	ix, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	var firstErr error
	for _, c := range []model.Component{
		{PURL: "pkg:deb/debian/xz-utils@5.6.0-0.1"}, {PURL: "pkg:golang/github.com/gin-gonic/gin@v1.5.0"}, {PURL: "pkg:pypi/gradio@4.36.1"},
		{Version: "1.0", CPEs: []string{"cpe:2.3:a:google:chrome:1:*:*:*:*:*:*:*"}},
	} {
		if _, err := ix.Match(c); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil || !errors.Is(firstErr, ErrIndex) || !strings.Contains(firstErr.Error(), "checksum mismatch") {
		t.Fatalf("damaged blob: %v", firstErr)
	}
}

func fixtures2(t *testing.T) []string {
	return []string{filepath.Join("testdata", "osv"), fixturesPath(t, "osv", "GO-2020-0001.json"),
		fixturesPath(t, "osv", "GHSA-9v2f-6vcg-3hgv.json"), fixturesPath(t, "nvd")}
}
