package demo

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iotguard/iotguard/awsiot"
	"github.com/iotguard/iotguard/azureiot"
	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/manifest"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/mud"
	"github.com/iotguard/iotguard/nmap"
	"github.com/iotguard/iotguard/sbom"
	"github.com/iotguard/iotguard/vulndb"
	"github.com/iotguard/iotguard/x509cert"
)

// now is a fixed assessment time with a time of day, so that day
// boundaries are exercised.
var now = time.Date(2026, 11, 30, 14, 37, 12, 0, time.UTC)

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := Generate(now), Generate(now)
	if diff := cmp.Diff(a, b, cmpopts.IgnoreFields(Sample{}, "Evidence")); diff != "" {
		t.Fatalf("two samples for the same time differ (-first +second):\n%s", diff)
	}
}

func TestFleetSize(t *testing.T) {
	s := Generate(now)
	if n := len(s.Devices); n < 1800 || n > 2200 {
		t.Errorf("%d devices, want 1,800-2,200", n)
	}
	kindOf := map[string]string{}
	for _, m := range s.Solution.Models {
		kindOf[m.ID] = m.Kind
	}
	perKind := map[string]int{}
	ids := map[string]bool{}
	for _, d := range s.Devices {
		if ids[d.ID] {
			t.Errorf("device ID %s used twice", d.ID)
		}
		ids[d.ID] = true
		k, ok := kindOf[d.Model]
		if !ok {
			t.Errorf("device %s has undeclared model %q", d.ID, d.Model)
		}
		perKind[k]++
	}
	for _, k := range []string{"camera", "thermostat", "door-controller", "gateway", "sensor"} {
		if perKind[k] == 0 {
			t.Errorf("no %s devices", k)
		}
	}
	t.Logf("%d devices: %v", len(s.Devices), perKind)
}

// key is where a finding lands.
type key struct{ check, asset string }

// assess runs the full built-in assessment on the sample, as the demo
// command does: the sample's manifest and evidence files are written to a
// folder and loaded back, the evidence is read with the importers, and
// the engine assesses the in-memory solution and devices with it.
func assess(t *testing.T, s *Sample, at time.Time) *model.Assessment {
	t.Helper()
	a, err := engine.Run(context.Background(), catalog.MustLoad(), checks.Builtin(), s.Solution,
		engine.SliceInventory(s.Devices), engine.Options{Now: at, Files: s.Evidence, Evidence: sampleEvidence(t, s, at)})
	if err != nil {
		t.Fatalf("assessment: %v", err)
	}
	return a
}

// writeSample writes the sample's manifest, devices side file and evidence
// files into a new folder, as iotguard demo --write-manifest does, and
// returns the manifest's path.
func writeSample(t testing.TB, s *Sample) string {
	t.Helper()
	dir := t.TempDir()
	if err := manifest.Write(dir, s.Solution, s.Devices, manifest.WriteOptions{DevicesFile: "devices.jsonl"}); err != nil {
		t.Fatalf("write manifest: %v", err)
	}
	for path, data := range s.EvidenceFiles() {
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, manifest.FileName)
}

// sampleEvidence writes the sample, loads its manifest and reads the
// evidence files it names.
func sampleEvidence(t testing.TB, s *Sample, at time.Time) *model.Evidence {
	t.Helper()
	l, err := manifest.Load(writeSample(t, s))
	if err != nil {
		t.Fatalf("the written demo manifest does not load: %v", err)
	}
	return loadEvidence(t, l, at)
}

// loadEvidence reads every evidence file a manifest names with its
// importer, the way iotguard assess does (cmd/iotguard/evidence.go): SBOMs
// bound to their model (and to the SBOM's own version as the firmware),
// vulnerability matches from an index built from the manifest's OSV, NVD
// and KEV files, with the SBOMs' VEX statements applied; certificates
// verified against the trusted CAs and marked from the CRLs; scans; MUD
// profiles bound to their model; AWS IoT and Azure IoT Hub exports.
// Evidence is named by its path relative to the manifest's folder, as the
// manifest names it, so that findings about a file (an SBOM, an audit) and
// device certificates' file references do not depend on where the
// manifest lies.
func loadEvidence(t testing.TB, l *manifest.Loaded, at time.Time) *model.Evidence {
	t.Helper()
	files := l.Evidence
	rel := func(p string) string {
		if r, err := filepath.Rel(l.Dir, p); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
		return p
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	ev := &model.Evidence{}

	for _, f := range files.SBOMs {
		sb, err := sbom.ParseFile(f.Path)
		must("SBOM", err)
		sb.Source = rel(sb.Source)
		sb.Model, sb.Firmware = f.Model, f.Firmware
		if sb.Firmware == "" {
			sb.Firmware = sb.SubjectVersion
		}
		ev.SBOMs = append(ev.SBOMs, *sb)
	}

	if len(files.VulnDB) > 0 {
		path := filepath.Join(t.TempDir(), "vulndb.idx")
		_, err := vulndb.Build(context.Background(), path, files.VulnDB...)
		must("build the vulnerability index", err)
		idx, err := vulndb.Open(path)
		must("open the vulnerability index", err)
		defer idx.Close()
		ev.VulnDB = path
		for i := range ev.SBOMs {
			sb := &ev.SBOMs[i]
			ms, err := idx.MatchAll(sb.Components)
			must("match "+sb.Source, err)
			for j := range ms {
				ms[j].Model, ms[j].Firmware = sb.Model, sb.Firmware
			}
			// VEX statements of every SBOM of the same firmware apply.
			var vex []model.VEXStatement
			for _, other := range ev.SBOMs {
				if other.Model == sb.Model && other.Firmware == sb.Firmware {
					vex = append(vex, other.VEX...)
				}
			}
			vulndb.ApplyVEX(ms, vex, sb.Components)
			ev.Vulnerabilities = append(ev.Vulnerabilities, ms...)
		}
	}

	bundle := func(paths []string) *x509cert.Bundle {
		all := &x509cert.Bundle{}
		for _, p := range paths {
			var b *x509cert.Bundle
			fi, err := os.Stat(p)
			must("certificates", err)
			if fi.IsDir() {
				b, err = x509cert.ParseDir(p)
			} else {
				b, err = x509cert.ParseFile(p)
			}
			must("certificates "+p, err)
			all.Merge(b)
		}
		return all
	}
	certs, cas, crls := bundle(files.Certificates), bundle(files.TrustedCAs), bundle(files.CRLs)
	if len(cas.Certificates) > 0 {
		certs.VerifyAgainst(cas, at)
	}
	certs.MarkRevoked(crls)
	for i := range certs.Certificates {
		// x509cert reports the chain as ChainsToTrusted; the engine merges
		// Certificate.Trusted into devices.
		c := &certs.Certificates[i]
		if c.ChainsToTrusted != nil && c.Trusted == nil {
			trusted := *c.ChainsToTrusted
			c.Trusted = &trusted
		}
	}
	for i := range certs.Certificates {
		certs.Certificates[i].Source = rel(certs.Certificates[i].Source)
	}
	ev.Certificates = certs.Certificates
	ev.Revoked = append(certs.Revoked, crls.Revoked...)

	for _, p := range files.Nmap {
		scan, err := nmap.ParseFile(p)
		must("nmap scan", err)
		scan.Source = rel(scan.Source)
		ev.Scans = append(ev.Scans, *scan)
	}
	for _, f := range files.MUD {
		p, err := mud.ParseFile(f.Path)
		must("MUD profile", err)
		p.Source = rel(p.Source)
		if f.Model != "" {
			p.Model = f.Model
		}
		ev.MUD = append(ev.MUD, *p)
	}
	for _, p := range files.AWS {
		r, err := awsiot.ParseFile(p)
		must("AWS IoT export", err)
		for i := range r.Things {
			r.Things[i].Source = rel(r.Things[i].Source)
		}
		for i := range r.Findings {
			r.Findings[i].Source = rel(r.Findings[i].Source)
		}
		ev.Cloud = append(ev.Cloud, r.Things...)
		ev.Certificates = append(ev.Certificates, r.Certificates...)
		if r.Kind == awsiot.KindListAuditFindings {
			ev.AuditSources = append(ev.AuditSources, rel(p))
			ev.CloudFindings = append(ev.CloudFindings, r.Findings...)
		}
	}
	for _, p := range files.Azure {
		r, err := azureiot.ParseFile(p)
		must("Azure IoT Hub export", err)
		for i := range r.Things {
			r.Things[i].Source = rel(r.Things[i].Source)
		}
		ev.Cloud = append(ev.Cloud, r.Things...)
	}
	return ev
}

// TestProblemsAreFound is the demo's contract: every deliberate problem is
// found by the check it names, on the asset it names; nothing else is found
// (the healthy part of the fleet is healthy); no check errors.
func TestProblemsAreFound(t *testing.T) {
	// Dates are relative to the assessment time: the same problems must be
	// found on any day, at any time of day.
	for _, at := range []time.Time{now, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 23, 59, 59, 999, time.UTC), time.Now()} {
		t.Run(at.Format(time.RFC3339), func(t *testing.T) {
			s := Generate(at)
			a := assess(t, s, at)

			found := map[key][]string{}
			for _, f := range a.Findings {
				found[key{f.Check, f.Asset}] = append(found[key{f.Check, f.Asset}], f.Message)
			}
			expected := map[key]bool{}
			var missing []string
			for _, p := range s.Problems {
				k := key{p.Check, p.Asset}
				if expected[k] {
					t.Errorf("problem %s on %s listed twice", p.Check, p.Asset)
				}
				expected[k] = true
				if found[k] == nil {
					missing = append(missing, fmt.Sprintf("%s on %s (%s)", p.Check, p.Asset, p.What))
				}
			}
			if len(missing) > 0 {
				t.Errorf("%d deliberate problems not found:\n  %s", len(missing), strings.Join(missing, "\n  "))
			}

			var surprise []string
			surpriseChecks := map[string]bool{}
			listedChecks := map[string]bool{}
			for _, p := range s.Problems {
				listedChecks[p.Check] = true
			}
			for k, msgs := range found {
				if !expected[k] {
					surprise = append(surprise, fmt.Sprintf("%s on %s: %s", k.check, k.asset, msgs[0]))
				}
				if !listedChecks[k.check] {
					surpriseChecks[k.check] = true
				}
			}
			sort.Strings(surprise)
			if len(surpriseChecks) > 0 {
				t.Errorf("checks fired that no problem names: %v", sortedKeys(surpriseChecks))
			}
			if len(surprise) > 0 {
				t.Errorf("%d findings are not deliberate problems (the healthy fleet must be healthy):\n  %s",
					len(surprise), strings.Join(surprise, "\n  "))
			}

			for _, c := range a.Checks {
				if c.Error > 0 {
					t.Errorf("check %s errored %d times: %v", c.ID, c.Error, c.Errors)
				}
			}
		})
	}
}

func TestEveryCheckHasAProblem(t *testing.T) {
	listed := map[string]bool{}
	for _, p := range Generate(now).Problems {
		listed[p.Check] = true
	}
	var unused []string
	for _, id := range checks.Builtin().IDs() {
		if !listed[id] {
			unused = append(unused, id)
		}
	}
	// Not a requirement that every check fires, but the demo is meant to
	// show them all: say which do not.
	if len(unused) > 0 {
		t.Logf("built-in checks no deliberate problem exercises: %v", unused)
	}
	if len(listed) < len(checks.Builtin().IDs())*3/4 {
		t.Errorf("problems exercise %d checks, want most of the %d built-in ones", len(listed), len(checks.Builtin().IDs()))
	}
}

func TestControlStatuses(t *testing.T) {
	s := Generate(now)
	a := assess(t, s, now)
	per := map[model.ControlStatus][]string{}
	for _, c := range a.Controls {
		per[c.Status] = append(per[c.Status], c.ID)
	}
	for _, st := range model.ControlStatuses {
		if len(per[st]) == 0 {
			t.Errorf("no control is %s", st)
		}
		t.Logf("%s: %v", st, per[st])
	}
	t.Logf("score %.1f, findings %v", a.Summary.Score, a.Summary.Findings)
}

func TestEvidence(t *testing.T) {
	s := Generate(now)
	files := s.EvidenceFiles()
	if len(files) == 0 {
		t.Fatal("no evidence files")
	}
	for path, b := range files {
		got, err := fs.ReadFile(s.Evidence, path)
		if err != nil || string(got) != string(b) {
			t.Errorf("EvidenceFiles()[%s] differs from Sample.Evidence (%v)", path, err)
		}
	}
	if diff := cmp.Diff(sortedKeys(pathSet(files)), sortedKeys(pathSet(EvidenceFiles()))); diff != "" {
		t.Errorf("EvidenceFiles() and Sample.EvidenceFiles() name different files (-sample +package):\n%s", diff)
	}
	// Generated evidence is deterministic too.
	again := Generate(now).EvidenceFiles()
	for path, b := range files {
		if !bytes.Equal(b, again[path]) {
			t.Errorf("two samples for the same time have different %s", path)
		}
	}
	// Every evidence reference resolves and matches, except the two
	// deliberate evidence problems.
	var mismatched, absent []string
	for _, at := range s.Solution.Attestations {
		for _, ev := range at.Evidence {
			b, ok := files[ev.Path]
			switch {
			case !ok:
				absent = append(absent, at.Control)
			case sha256Hex(b) != ev.SHA256:
				mismatched = append(mismatched, at.Control)
			}
		}
	}
	if diff := cmp.Diff([]string{"S06"}, mismatched); diff != "" {
		t.Errorf("attestations whose evidence changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"S21"}, absent); diff != "" {
		t.Errorf("attestations whose evidence is missing (-want +got):\n%s", diff)
	}
	// Every local SBOM and MUD path a model declares is among the files.
	for _, m := range s.Solution.Models {
		for _, p := range append(append([]string(nil), m.SBOMs...), m.MUD) {
			if p != "" && !strings.Contains(p, "://") && files[p] == nil {
				t.Errorf("model %s names %s, which is not an evidence file", m.ID, p)
			}
		}
	}
}

func pathSet(m map[string][]byte) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// TestManifestLoads proves that the manifest the demo writes (iotguard
// demo --write-manifest) loads, with every evidence file it names found.
func TestManifestLoads(t *testing.T) {
	s := Generate(now)
	l, err := manifest.Load(writeSample(t, s))
	if err != nil {
		t.Fatalf("the written demo manifest does not load: %v", err)
	}
	if n, err := l.Validate(context.Background()); err != nil || n != len(s.Devices) {
		t.Fatalf("devices side file: %d devices, %v; want %d", n, err, len(s.Devices))
	}
	e := l.Evidence
	got := map[string]int{
		"sboms": len(e.SBOMs), "vulndb": len(e.VulnDB), "certificates": len(e.Certificates), "trusted_cas": len(e.TrustedCAs),
		"crls": len(e.CRLs), "nmap": len(e.Nmap), "mud": len(e.MUD), "aws": len(e.AWS), "azure": len(e.Azure),
	}
	want := map[string]int{
		"sboms": 13, "vulndb": 3, "certificates": 1, "trusted_cas": 1, "crls": 1, "nmap": 1, "mud": 7, "aws": 2, "azure": 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("evidence files the loaded manifest names (-want +got):\n%s", diff)
	}
	for _, f := range e.SBOMs {
		if f.Model == "" {
			t.Errorf("SBOM %s is bound to no model", f.Path)
		}
	}
}

// TestEvidenceReads reads every evidence file with its importer and checks
// what the deliberate problems rest on.
func TestEvidenceReads(t *testing.T) {
	s := Generate(now)
	ev := sampleEvidence(t, s, now)

	vulns := map[string][]string{}
	for _, v := range ev.Vulnerabilities {
		k := v.Model + "@" + v.Firmware
		id := v.Advisory
		if v.Suppressed {
			id += " (suppressed)"
		}
		if v.KEV {
			id += " (KEV)"
		}
		vulns[k] = append(vulns[k], id)
	}
	for k := range vulns {
		sort.Strings(vulns[k])
	}
	want := map[string][]string{
		"cam-x200@4.2.0":  {"CVE-2024-1086 (KEV)", "GHSA-35jh-r3h4-6jhm (suppressed)"},
		"gw-eg300@3.1.0":  {"DEBIAN-CVE-2024-0727", "GO-2024-2687"},
		"gw-eg300@3.1.2":  {"DEBIAN-CVE-2024-0727"},
		"speaker-m1@12.4": {"GHSA-wf5p-g6vw-rhxx"},
	}
	if diff := cmp.Diff(want, vulns); diff != "" {
		t.Errorf("vulnerability matches per firmware (-want +got):\n%s", diff)
	}

	var eos []string
	for _, sb := range ev.SBOMs {
		if sb.EndOfSupport.Set() {
			eos = append(eos, sb.Model+"@"+sb.Firmware)
		}
	}
	sort.Strings(eos)
	if diff := cmp.Diff([]string{"thermo-t500@2.4.0", "thermo-t500@2.4.1"}, eos); diff != "" {
		t.Errorf("SBOMs that state their subject's end of support (-want +got):\n%s", diff)
	}

	trusted := map[string]string{}
	for _, c := range ev.Certificates {
		switch {
		case c.ChainsToTrusted == nil:
			trusted[c.Subject] = "undecided"
		case *c.ChainsToTrusted && c.Revoked:
			trusted[c.Subject] = "trusted, revoked"
		case *c.ChainsToTrusted:
			trusted[c.Subject] = "trusted"
		default:
			trusted[c.Subject] = "untrusted"
		}
	}
	wantTrust := map[string]string{}
	for _, dc := range demoCertificates {
		st := "trusted"
		switch {
		case dc.rogue:
			st = "untrusted"
		case dc.revoked:
			st = "trusted, revoked"
		}
		wantTrust["CN="+dc.device+",O=Northwind Smart Buildings"] = st
	}
	if diff := cmp.Diff(wantTrust, trusted); diff != "" {
		t.Errorf("certificates (-want +got):\n%s", diff)
	}

	if len(ev.Scans) != 1 || len(ev.Scans[0].Hosts) != 9 {
		t.Errorf("want one scan of 9 hosts, got %d scans", len(ev.Scans))
	}
	if len(ev.MUD) != 7 || len(ev.CloudFindings) != 2 || len(ev.AuditSources) != 1 {
		t.Errorf("%d MUD profiles, %d cloud findings from %d audits; want 7, 2, 1", len(ev.MUD), len(ev.CloudFindings), len(ev.AuditSources))
	}
	perProvider := map[string]int{}
	for _, c := range ev.Cloud {
		perProvider[c.Provider]++
	}
	t.Logf("cloud things per provider: %v", perProvider)
}

func TestProblemAssetsExist(t *testing.T) {
	s := Generate(now)
	assets := map[string]bool{}
	for _, d := range s.Devices {
		assets[d.ID] = true
	}
	for _, m := range s.Solution.Models {
		assets[m.ID] = true
	}
	for _, x := range s.Solution.Services {
		assets[x.ID] = true
	}
	for _, n := range s.Solution.Networks {
		assets[n.ID] = true
	}
	for _, f := range s.Solution.Flows {
		assets[f.ID] = true
	}
	for _, d := range s.Devices {
		if d.Certificate != nil {
			// Cloud audit findings name device certificates.
			assets["DEVICE_CERTIFICATE:"+d.Certificate.Fingerprint] = true
		}
	}
	for _, p := range s.Problems {
		if p.What == "" {
			t.Errorf("problem %s on %s has no description", p.Check, p.Asset)
		}
		if !assets[p.Asset] && !strings.Contains(p.Asset, " ") && p.Asset != "organization" {
			t.Errorf("problem %s names unknown asset %q", p.Check, p.Asset)
		}
	}
}

func TestRunsQuickly(t *testing.T) {
	start := time.Now()
	s := Generate(now)
	gen := time.Since(start)
	// Writing the sample and importing its evidence (building the
	// vulnerability index) is timed apart: the demo command may do it
	// differently.
	start = time.Now()
	ev := sampleEvidence(t, s, now)
	load := time.Since(start)
	start = time.Now()
	_, err := engine.Run(context.Background(), catalog.MustLoad(), checks.Builtin(), s.Solution,
		engine.SliceInventory(s.Devices), engine.Options{Now: now, Files: s.Evidence, Evidence: ev})
	if err != nil {
		t.Fatal(err)
	}
	run := time.Since(start)
	t.Logf("generate %v, write and import the evidence %v, assess %v", gen, load, run)
	if total := gen + run; total > 3*time.Second {
		t.Errorf("generating and assessing the demo took %v, want well under a few seconds", total)
	}
}
