package vulndb

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/model"
)

// fuzzComponents cover every lookup path of Match.
var fuzzComponents = []model.Component{
	{PURL: "pkg:golang/github.com/gin-gonic/gin@v1.5.0"},
	{PURL: "pkg:pypi/gradio@4.36.1"},
	{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
	{PURL: "pkg:deb/debian/xz-utils@5.6.0-0.1"},
	{PURL: "pkg:npm/p@1.0.0"},
	{Version: "5.6.0", CPEs: []string{"cpe:2.3:a:tukaani:xz:5.6.0:*:*:*:*:*:*:*"}},
	{Version: "115.2.0", CPEs: []string{"cpe:2.3:a:mozilla:firefox_esr:*:*:*:*:*:*:*:*"}},
}

// checkRecords runs what Build and Match do with parsed records: encode,
// decode and evaluate, which must never fail on what the parser accepted.
func checkRecords(t *testing.T, doc *Document) {
	var preps []*prepared
	for i := range doc.OSV {
		preps = append(preps, prepareOSV(&doc.OSV[i]))
	}
	for i := range doc.CVEs {
		preps = append(preps, prepareCVE(&doc.CVEs[i]))
	}
	for _, p := range preps {
		for _, e := range p.entries {
			blob := append([]byte{1}, e.blob...) // a blob holding one entry
			err := forEachEntry(blob, func(match, meta decoder) error {
				switch match.byte1() {
				case entryOSV:
					for _, a := range decodeOSVMatch(&match) {
						for _, v := range []string{"0", "1.0.0", "v1.5.0", "5.6.0-0.1", "2.0-beta9", "4.36.1"} {
							evalAffected(&a, newVerCtx("npm", v))
							evalAffected(&a, newVerCtx("Maven", v))
						}
					}
				case entryNVD:
					for _, r := range decodeNVDMatch(&match, "v\x1fp") {
						r.matches(cpe{part: "a", vendor: "v", product: "p", version: "*"}, "1.0")
					}
				default:
					return errCorrupt
				}
				decodeMeta(&meta)
				if match.err != nil || meta.err != nil {
					return errCorrupt
				}
				return nil
			})
			if err != nil {
				t.Fatalf("entry of %s does not decode: %v", p.id, err)
			}
		}
	}
}

// FuzzParse feeds arbitrary bytes to the content-sniffing parser (OSV,
// NVD, KEV) and checks that accepted input encodes and decodes.
func FuzzParse(f *testing.F) {
	for _, p := range seedFiles(f) {
		b, err := os.ReadFile(p)
		if err == nil && len(b) <= maxSeed {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse("fuzz.json", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		checkRecords(t, doc)
	})
}

// FuzzParseNVD streams arbitrary bytes as an NVD feed.
func FuzzParseNVD(f *testing.F) {
	for _, feed := range trimmedNVD {
		f.Add([]byte(feed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cves, err := ParseNVD("feed.json", bytes.NewReader(data))
		if err != nil {
			return
		}
		checkRecords(t, &Document{CVEs: cves})
	})
}

// FuzzIndex reads arbitrary bytes as an index file (through Open's checks)
// and as one package's advisory blob (past the checksums, straight into
// the entry decoder and the range evaluation).
func FuzzIndex(f *testing.F) {
	dir := f.TempDir()
	idx := filepath.Join(dir, "seed.idx")
	if _, err := Build(context.Background(), idx, smallSources(f, dir)...); err != nil {
		f.Fatal(err)
	}
	whole, err := os.ReadFile(idx)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(whole)
	if ix, err := Open(idx); err == nil {
		for i := range ix.n {
			off, ln, _ := ix.blobAt(i)
			f.Add(whole[off : off+uint64(ln)])
		}
		ix.Close()
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if ix, err := openReader(bytes.NewReader(data), int64(len(data)), "fuzz.idx"); err == nil {
			for _, c := range fuzzComponents {
				ix.Match(c)
			}
			ix.Stats()
		}
		_ = forEachEntry(data, func(match, meta decoder) error {
			switch match.byte1() {
			case entryOSV:
				for _, a := range decodeOSVMatch(&match) {
					for _, v := range []string{"0", "1.0.0", "v1.5.0", "5.6.0-0.1"} {
						evalAffected(&a, newVerCtx("Debian", v))
					}
				}
			case entryNVD:
				for _, r := range decodeNVDMatch(&match, "tukaani\x1fxz") {
					r.matches(cpe{part: "a", vendor: "tukaani", product: "xz", version: "*"}, "5.6.0")
				}
			}
			decodeMeta(&meta)
			return nil
		})
	})
}

// trimmedNVD are NVD fixtures cut down to the fields matching reads.
var trimmedNVD = map[string]string{
	"nvd-trimmed-ranges": `{"format":"NVD_CVE","version":"2.0","vulnerabilities":[{"cve":{"id":"CVE-2023-4863","published":"2023-09-12T15:15:24.327","vulnStatus":"Modified","cisaExploitAdd":"2023-09-13","descriptions":[{"lang":"en","value":"Heap buffer overflow in libwebp"}],"metrics":{"cvssMetricV31":[{"type":"Primary","cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H","baseScore":8.8}}]},"configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:mozilla:firefox_esr:*:*:*:*:*:*:*:*","versionStartIncluding":"115.0","versionEndExcluding":"115.2.1"},{"vulnerable":false,"criteria":"cpe:2.3:o:debian:debian_linux:12.0:*:*:*:*:*:*:*"}]}]}]}}]}`,
	"nvd-trimmed-exact":  `{"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":"CVE-2024-3094","published":"2024-03-29T17:15:21.150","metrics":{"cvssMetricV2":[{"cvssData":{"version":"2.0","vectorString":"AV:N/AC:L/Au:N/C:C/I:C/A:C","baseScore":10}}]},"configurations":[{"nodes":[{"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:tukaani:xz:5.6.0:*:*:*:*:*:*:*"}]}]}]}}]}`,
}

// maxSeed keeps seeds small: the fuzzer minimises every new input, byte by
// byte, and on 20 KB NVD records that takes its whole time budget. The full
// fixtures are covered by the table tests; trimmed NVD records are seeds.
const maxSeed = 4 << 10

// seedFiles are the fixtures and test data, when present.
func seedFiles(tb testing.TB) []string {
	var out []string
	for _, p := range []string{filepath.Join("testdata", "osv", "*.json"), filepath.Join("testdata", "kev", "*.json")} {
		m, _ := filepath.Glob(p)
		out = append(out, m...)
	}
	dir := os.Getenv("IOTGUARD_FIXTURES")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "fixtures")
	}
	for _, p := range []string{"osv/GO-2020-0001.json", "osv/GHSA-9v2f-6vcg-3hgv.json", "nvd/CVE-2024-3094.json", "nvd/CVE-2023-4863.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			out = append(out, filepath.Join(dir, p))
		}
	}
	return out
}

// smallSources are the seed files of at most maxSeed bytes plus the
// trimmed NVD records, written to dir.
func smallSources(tb testing.TB, dir string) []string {
	var out []string
	for _, p := range seedFiles(tb) {
		if fi, err := os.Stat(p); err == nil && fi.Size() <= maxSeed {
			out = append(out, p)
		}
	}
	for name, feed := range trimmedNVD {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(feed), 0o644); err != nil {
			tb.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestWriteFuzzSeeds regenerates the committed seed corpora (trimmed
// fixtures) when VULNDB_WRITE_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("VULNDB_WRITE_SEEDS") != "1" {
		t.Skip("set VULNDB_WRITE_SEEDS=1 to rewrite testdata/fuzz")
	}
	write := func(target, name string, data []byte) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range seedFiles(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > maxSeed {
			continue
		}
		write("FuzzParse", strings.TrimSuffix(filepath.Base(p), ".json"), b)
	}
	for name, feed := range trimmedNVD {
		write("FuzzParse", name, []byte(feed))
		write("FuzzParseNVD", name, []byte(feed))
	}
	write("FuzzParse", "array", []byte(`[{"id":"A","affected":[{"package":{"ecosystem":"Alpine:v3.18","name":"musl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.2.4-r1"}]}],"versions":["1.2.3-r0"]}]}]`))
	write("FuzzParse", "vulns", []byte(`{"vulns":[{"id":"B","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"limit":"2.0"},{"last_affected":"1.5"}]}]}]}]}`))
	write("FuzzParse", "nvd-single", []byte(`{"id":"CVE-1","sourceIdentifier":"x","published":"2024-01-01T00:00:00.000","configurations":[{"nodes":[{"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:o:v:fw:*:*:*:*:*:*:*:*","versionStartIncluding":"1.0","versionEndIncluding":"1.9"}]}]}]}`))
	dir := t.TempDir()
	idx := filepath.Join(dir, "seed.idx")
	if _, err := Build(context.Background(), idx, smallSources(t, dir)...); err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	write("FuzzIndex", "index", whole)
	ix, err := Open(idx)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for i := range ix.n {
		off, ln, _ := ix.blobAt(i)
		write("FuzzIndex", fmt.Sprintf("blob%02d", i), whole[off:off+uint64(ln)])
	}
}
