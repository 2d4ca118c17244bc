package main

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The OSV records use only fields of the OSV schema (osv-scanner reads
// them with strict protojson and silently skips a record with any other
// field), with enum values the schema defines.
type osvRecord struct {
	SchemaVersion    string         `json:"schema_version"`
	ID               string         `json:"id"`
	Modified         string         `json:"modified"`
	Published        string         `json:"published"`
	Withdrawn        string         `json:"withdrawn,omitempty"`
	Aliases          []string       `json:"aliases,omitempty"`
	Upstream         []string       `json:"upstream,omitempty"`
	Summary          string         `json:"summary,omitempty"`
	Details          string         `json:"details"`
	Severity         []osvSeverity  `json:"severity,omitempty"`
	Affected         []osvAffected  `json:"affected"`
	References       []osvReference `json:"references,omitempty"`
	Credits          []osvCredit    `json:"credits,omitempty"`
	DatabaseSpecific map[string]any `json:"database_specific,omitempty"`
}

type osvSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type osvAffected struct {
	Package           osvPackage     `json:"package"`
	Ranges            []osvRange     `json:"ranges,omitempty"`
	Versions          []string       `json:"versions,omitempty"`
	EcosystemSpecific map[string]any `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  map[string]any `json:"database_specific,omitempty"`
}

type osvPackage struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

type osvRange struct {
	Type   string     `json:"type"`
	Repo   string     `json:"repo,omitempty"`
	Events []osvEvent `json:"events"`
}

type osvEvent struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
}

type osvReference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type osvCredit struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

var flaws = []string{"Denial of service", "Cross-site scripting", "Path traversal", "Heap buffer overflow",
	"SQL injection", "Improper certificate validation", "Use after free", "Integer overflow",
	"OS command injection", "Information disclosure", "Server-side request forgery", "Out-of-bounds read"}

// record renders an advisory as an OSV record.
func (c *corpus) record(a *advisory) osvRecord {
	r := rand.New(rand.NewPCG(uint64(a.seq), uint64(c.cfg.seed)))
	base := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	pub := base.Add(time.Duration(a.seq%4300)*24*time.Hour + time.Duration(r.IntN(86400))*time.Second)
	mod := pub.Add(time.Duration(r.IntN(400)) * 24 * time.Hour)
	p0 := &c.pkgs[a.affected[0].pkg]
	flaw := pick(r, flaws)
	rec := osvRecord{
		SchemaVersion: "1.6.0",
		ID:            a.id,
		Published:     pub.Format(time.RFC3339),
		Modified:      mod.Format(time.RFC3339),
		Aliases:       a.aliases,
		Summary:       fmt.Sprintf("%s in %s", flaw, p0.advName),
		Details:       details(r, flaw, p0.advName),
	}
	if a.withdrawn {
		rec.Withdrawn = mod.Format(time.RFC3339)
	}
	if isDistro(a.eco) {
		rec.Upstream = []string{a.cve}
		rec.Summary = ""
	}
	if !isDistro(a.eco) || r.IntN(3) == 0 {
		rec.Severity = []osvSeverity{{"CVSS_V3", cvss(r)}}
	}
	if strings.HasPrefix(a.id, "GHSA-") {
		rec.DatabaseSpecific = map[string]any{"severity": pick(r, []string{"LOW", "MODERATE", "HIGH", "CRITICAL"}),
			"github_reviewed": true, "cwe_ids": []string{fmt.Sprintf("CWE-%d", 20+r.IntN(900))}}
	}
	for _, e := range a.affected {
		p := &c.pkgs[e.pkg]
		oa := osvAffected{Package: osvPackage{Ecosystem: a.eco, Name: p.advName}}
		if e.suffix != "" {
			oa.Package.Ecosystem += ":" + e.suffix
		}
		if !isDistro(a.eco) {
			oa.Package.PURL = strings.SplitN(c.purl(r, &component{eco: a.eco, name: p.cdxName, group: p.group, version: "x"}, p.name), "@x", 2)[0]
			if a.eco == ecoNPM {
				oa.Package.PURL = "pkg:npm/" + strings.Replace(p.name, "@", "%40", 1)
			}
		}
		typ := "ECOSYSTEM"
		if a.eco == ecoGo || a.eco == ecoNPM {
			typ = "SEMVER"
		}
		if e.gitFirst {
			oa.Ranges = append(oa.Ranges, osvRange{Type: "GIT", Repo: p.repo,
				Events: []osvEvent{{Introduced: "0"}, {Fixed: fmt.Sprintf("%016x%016x%08x", r.Uint64(), r.Uint64(), r.Uint32())}}})
		}
		for _, rg := range e.ranges {
			or := osvRange{Type: typ}
			for _, ev := range rg.events {
				v := "0"
				if ev.idx >= 0 {
					v = p.hist[ev.idx]
				}
				switch ev.kind {
				case evIntroduced:
					or.Events = append(or.Events, osvEvent{Introduced: v})
				case evFixed:
					or.Events = append(or.Events, osvEvent{Fixed: v})
				case evLastAffected:
					or.Events = append(or.Events, osvEvent{LastAffected: v})
				}
			}
			if e.shuffle {
				for i, j := 0, len(or.Events)-1; i < j; i, j = i+1, j-1 {
					or.Events[i], or.Events[j] = or.Events[j], or.Events[i]
				}
			}
			oa.Ranges = append(oa.Ranges, or)
		}
		for _, v := range e.versions {
			oa.Versions = append(oa.Versions, p.hist[v])
		}
		if a.eco == ecoDebian {
			oa.EcosystemSpecific = map[string]any{"urgency": pick(r, []string{"low", "medium", "high", "not yet assigned"})}
		}
		if a.eco == ecoGo {
			oa.EcosystemSpecific = map[string]any{"imports": []any{map[string]any{"path": p.name, "symbols": []string{"Parse", "Decode"}}}}
		}
		rec.Affected = append(rec.Affected, oa)
	}
	rec.References = []osvReference{{"ADVISORY", "https://nvd.nist.gov/vuln/detail/" + a.cve}, {"PACKAGE", p0.repo}}
	if r.IntN(2) == 0 {
		rec.References = append(rec.References, osvReference{"FIX", fmt.Sprintf("%s/commit/%016x", p0.repo, r.Uint64())})
	}
	if r.IntN(4) == 0 {
		rec.Credits = []osvCredit{{Name: titleName(pick(r, words)+"-"+pick(r, words), " "), Type: "FINDER"}}
	}
	return rec
}

func details(r *rand.Rand, flaw, pkg string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s allows a remote attacker to affect the device.", flaw, pkg)
	for range 2 + r.IntN(4) {
		b.WriteString("\n\n")
		n := 12 + r.IntN(20)
		for i := range n {
			w := pick(r, words)
			if i == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			if i < n-1 {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('.')
	}
	return b.String()
}

func cvss(r *rand.Rand) string {
	return fmt.Sprintf("CVSS:3.1/AV:%s/AC:%s/PR:%s/UI:%s/S:%s/C:%s/I:%s/A:%s",
		pick(r, []string{"N", "A", "L", "P"}), pick(r, []string{"L", "H"}), pick(r, []string{"N", "L", "H"}),
		pick(r, []string{"N", "R"}), pick(r, []string{"U", "C"}), pick(r, []string{"N", "L", "H"}),
		pick(r, []string{"N", "L", "H"}), pick(r, []string{"N", "L", "H"}))
}

// writeDB writes osv-scanner's local database layout,
// <dir>/osv-scalibr/<Ecosystem>/all.zip, one JSON file per advisory, and
// returns the zip paths.
func (c *corpus) writeDB(dir string) ([]string, error) {
	var paths []string
	var wg sync.WaitGroup
	errs := make([]error, len(ecosystems))
	for i, e := range ecosystems {
		p := filepath.Join(dir, "osv-scalibr", e.name, "all.zip")
		paths = append(paths, p)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.writeZip(p, c.advByEco[e.name])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return paths, nil
}

func (c *corpus) writeZip(path string, advs []int32) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	mtime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, ai := range advs {
		a := &c.advs[ai]
		data, err := json.MarshalIndent(c.record(a), "", "  ")
		if err != nil {
			return err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: a.id + ".json", Method: zip.Deflate, Modified: mtime})
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

type cdxBOM struct {
	BOMFormat    string         `json:"bomFormat"`
	SpecVersion  string         `json:"specVersion"`
	SerialNumber string         `json:"serialNumber"`
	Version      int            `json:"version"`
	Metadata     map[string]any `json:"metadata"`
	Components   []cdxComponent `json:"components"`
}

type cdxComponent struct {
	BOMRef  string `json:"bom-ref"`
	Type    string `json:"type"`
	Group   string `json:"group,omitempty"`
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
}

// writeSBOM writes the CycloneDX 1.5 SBOM.
func (c *corpus) writeSBOM(path string) error {
	r := rand.New(rand.NewPCG(uint64(c.cfg.seed), 99))
	bom := cdxBOM{
		BOMFormat:    "CycloneDX",
		SpecVersion:  "1.5",
		SerialNumber: fmt.Sprintf("urn:uuid:%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&0xffffffffffff),
		Version:      1,
		Metadata: map[string]any{
			"timestamp": "2026-01-01T00:00:00Z",
			"tools":     map[string]any{"components": []any{map[string]any{"type": "application", "name": "vulnbench"}}},
			"component": map[string]any{"bom-ref": "fleet-image", "type": "firmware", "name": "vulnbench-fleet-image", "version": "1.0.0"},
		},
	}
	for i := range c.comps {
		comp := &c.comps[i]
		bom.Components = append(bom.Components, cdxComponent{BOMRef: fmt.Sprintf("c%05d", i), Type: "library",
			Group: comp.group, Name: comp.name, Version: comp.version, PURL: comp.purl})
	}
	data, err := json.MarshalIndent(bom, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
