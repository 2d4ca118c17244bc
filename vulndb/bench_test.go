package vulndb

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/iotguard/iotguard/model"
)

// synthEcosystems are the ecosystems of the synthetic corpus, with a
// version format each.
var synthEcosystems = []struct {
	eco, purlType, ns string
	version           func(r *rand.Rand, major, minor, patch int) string
}{
	{"npm", "npm", "", func(r *rand.Rand, a, b, c int) string { return fmt.Sprintf("%d.%d.%d", a, b, c) }},
	{"PyPI", "pypi", "", func(r *rand.Rand, a, b, c int) string { return fmt.Sprintf("%d.%d.%d", a, b, c) }},
	{"Go", "golang", "github.com/synth", func(r *rand.Rand, a, b, c int) string { return fmt.Sprintf("%d.%d.%d", a, b, c) }},
	{"Maven", "maven", "org.synth", func(r *rand.Rand, a, b, c int) string { return fmt.Sprintf("%d.%d.%d", a, b, c) }},
	{"Debian:12", "deb", "debian", func(r *rand.Rand, a, b, c int) string {
		return fmt.Sprintf("%d.%d.%d-%d+deb12u%d", a, b, c, 1+r.IntN(3), r.IntN(4))
	}},
	{"Alpine:v3.18", "apk", "alpine", func(r *rand.Rand, a, b, c int) string { return fmt.Sprintf("%d.%d.%d-r%d", a, b, c, r.IntN(5)) }},
}

// generateSynthetic writes n synthetic OSV advisories into a zip (as
// osv.dev publishes all.zip) and returns components, about half of which
// are packages the advisories name.
func generateSynthetic(tb testing.TB, zipPath string, n, components int, seed uint64) []model.Component {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	packages := n / 4
	name := func(i int) string { return fmt.Sprintf("pkg-%05d", i) }
	f, err := os.Create(zipPath)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	for i := range n {
		p := int(float64(packages) * r.Float64() * r.Float64()) // popular packages get more advisories
		e := synthEcosystems[p%len(synthEcosystems)]
		pkgName := name(p)
		if e.ns != "" && e.eco == "Go" {
			pkgName = e.ns + "/" + pkgName
		} else if e.eco == "Maven" {
			pkgName = e.ns + ":" + pkgName
		}
		major, minor := r.IntN(5), r.IntN(20)
		intro := e.version(r, major, minor, 0)
		fixed := e.version(r, major, minor, 1+r.IntN(9))
		events := []map[string]string{{"introduced": intro}, {"fixed": fixed}}
		if r.IntN(4) == 0 {
			events = []map[string]string{{"introduced": "0"}, {"fixed": fixed}}
		}
		rangeType := "ECOSYSTEM"
		if e.eco == "Go" {
			rangeType = "SEMVER"
		}
		var versions []string
		for v := range r.IntN(12) {
			versions = append(versions, e.version(r, major, minor, v))
		}
		rec := map[string]any{
			"schema_version": "1.6.0",
			"id":             fmt.Sprintf("SYNTH-%06d", i),
			"modified":       "2024-06-01T00:00:00Z",
			"published":      "2024-01-01T00:00:00Z",
			"aliases":        []string{fmt.Sprintf("CVE-2024-%05d", i)},
			"summary":        fmt.Sprintf("Synthetic vulnerability %d in %s allows something bad", i, pkgName),
			"details":        strings.Repeat("Details of the synthetic vulnerability. ", 4),
			"severity":       []map[string]string{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"}},
			"affected": []map[string]any{{
				"package":  map[string]string{"ecosystem": e.eco, "name": pkgName},
				"ranges":   []map[string]any{{"type": rangeType, "events": events}},
				"versions": versions,
			}},
			"references":        []map[string]string{{"type": "ADVISORY", "url": "https://example.org/advisory/" + fmt.Sprint(i)}},
			"database_specific": map[string]any{"severity": "HIGH"},
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("SYNTH-%06d.json", i), Method: zip.Store})
		if err != nil {
			tb.Fatal(err)
		}
		if err := json.NewEncoder(w).Encode(rec); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	comps := make([]model.Component, components)
	for i := range comps {
		p := r.IntN(packages)
		if i%2 == 1 {
			p += packages // not in the corpus
		}
		e := synthEcosystems[p%len(synthEcosystems)]
		v := e.version(r, r.IntN(5), r.IntN(20), r.IntN(10))
		purl := "pkg:" + e.purlType + "/"
		if e.ns != "" {
			purl += e.ns + "/"
		}
		purl += name(p) + "@" + v
		if e.purlType == "deb" {
			purl += "?distro=debian-12"
		}
		comps[i] = model.Component{Name: name(p), Version: v, PURL: purl}
	}
	return comps
}

// BenchmarkMatch matches a 10,000-component SBOM against an index of
// 200,000 synthetic OSV advisories, built once. One op is the whole SBOM.
// VULNDB_BENCH_DIR keeps the corpus and index there for reuse (and for
// TestMatchRSS).
func BenchmarkMatch(b *testing.B) {
	dir := os.Getenv("VULNDB_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	zipPath := filepath.Join(dir, "all.zip")
	idx := filepath.Join(dir, "vulndb.idx")
	comps, err := loadOrMakeCorpus(b, dir, zipPath)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(idx); err != nil {
		start := time.Now()
		st, err := Build(context.Background(), idx, zipPath)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("built %d advisories, %d packages, %d MiB index in %s", st.Advisories, st.Packages, st.Size>>20, time.Since(start).Round(time.Millisecond))
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	ix, err := Open(idx)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	openHeap := float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc)) / (1 << 20)
	matches := 0
	b.ResetTimer()
	for b.Loop() {
		matches = 0
		for _, c := range comps {
			ms, err := ix.Match(c)
			if err != nil {
				b.Fatal(err)
			}
			matches += len(ms)
		}
	}
	b.ReportMetric(float64(matches), "matches/op")
	b.ReportMetric(openHeap, "open-heap-MiB")
}

// BenchmarkBuild builds the index of BenchmarkMatch's corpus (one op is a
// whole build of 200,000 advisories).
func BenchmarkBuild(b *testing.B) {
	dir := os.Getenv("VULNDB_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	zipPath := filepath.Join(dir, "all.zip")
	if _, err := loadOrMakeCorpus(b, dir, zipPath); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "vulndb.idx")
	for b.Loop() {
		if _, err := Build(context.Background(), out, zipPath); err != nil {
			b.Fatal(err)
		}
	}
}

// loadOrMakeCorpus generates the corpus, or reuses one in a kept directory.
func loadOrMakeCorpus(b *testing.B, dir, zipPath string) ([]model.Component, error) {
	compsPath := filepath.Join(dir, "components.json")
	if data, err := os.ReadFile(compsPath); err == nil {
		var comps []model.Component
		return comps, json.Unmarshal(data, &comps)
	}
	start := time.Now()
	comps := generateSynthetic(b, zipPath, 200_000, 10_000, 1)
	b.Logf("generated the corpus in %s", time.Since(start).Round(time.Millisecond))
	data, err := json.Marshal(comps)
	if err != nil {
		return nil, err
	}
	return comps, os.WriteFile(compsPath, data, 0o644)
}

// TestMatchRSS measures a process that opens a kept benchmark index and
// matches the SBOM once (run after BenchmarkMatch with VULNDB_BENCH_DIR).
func TestMatchRSS(t *testing.T) {
	dir := os.Getenv("VULNDB_BENCH_DIR")
	if dir == "" {
		t.Skip("set VULNDB_BENCH_DIR to a directory BenchmarkMatch filled")
	}
	data, err := os.ReadFile(filepath.Join(dir, "components.json"))
	if err != nil {
		t.Skip(err)
	}
	var comps []model.Component
	if err := json.Unmarshal(data, &comps); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ix, err := Open(filepath.Join(dir, "vulndb.idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	opened := time.Since(start)
	n := 0
	for _, c := range comps {
		ms, err := ix.Match(c)
		if err != nil {
			t.Fatal(err)
		}
		n += len(ms)
	}
	status, _ := os.ReadFile("/proc/self/status")
	var hwm string
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmHWM") || strings.HasPrefix(l, "VmRSS") {
			hwm += strings.Join(strings.Fields(l), " ") + "; "
		}
	}
	t.Logf("open %s, %d components -> %d matches in %s total; %s", opened, len(comps), n, time.Since(start), hwm)
}
