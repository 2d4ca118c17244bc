package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/iotguard/iotguard/awsiot"
	"github.com/iotguard/iotguard/azureiot"
	"github.com/iotguard/iotguard/manifest"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/mud"
	"github.com/iotguard/iotguard/nmap"
	"github.com/iotguard/iotguard/sbom"
	"github.com/iotguard/iotguard/vulndb"
	"github.com/iotguard/iotguard/x509cert"
)

// loadEvidence reads every evidence file with its importer and returns
// what the engine needs. Bad input is a usage error (exit 2): the file
// and, where the format allows, the line are named.
// cacheDir is where an index built from raw advisory sources is kept;
// empty means the user's cache folder.
func loadEvidence(ctx context.Context, sol *model.Solution, files *manifest.EvidenceFiles, baseDir, cacheDir string, now time.Time, log func(string, ...any)) (*model.Evidence, error) {
	if files.Empty() {
		return nil, nil
	}
	ev := &model.Evidence{}

	paths := make([]string, len(files.SBOMs))
	for i, f := range files.SBOMs {
		paths[i] = f.Path
	}
	sboms, err := sbom.ParseFiles(paths, 0)
	if err != nil {
		return nil, importError("SBOM", err)
	}
	for i, sb := range sboms {
		manifest.BindSBOM(sb, files.SBOMs[i], sol)
		ev.SBOMs = append(ev.SBOMs, *sb)
	}

	if len(files.VulnDB) > 0 {
		idx, desc, err := openVulnDB(ctx, files.VulnDB, cacheDir, log)
		if err != nil {
			return nil, err
		}
		defer idx.Close()
		ev.VulnDB = desc
		for i := range ev.SBOMs {
			m, err := matchSBOM(idx, &ev.SBOMs[i], ev.SBOMs)
			if err != nil {
				return nil, err
			}
			ev.Vulnerabilities = append(ev.Vulnerabilities, m...)
		}
	}

	var certs, cas, crls x509cert.Bundle
	for _, p := range files.Certificates {
		if err := addCerts(&certs, p); err != nil {
			return nil, err
		}
	}
	for _, p := range files.TrustedCAs {
		if err := addCerts(&cas, p); err != nil {
			return nil, err
		}
	}
	for _, p := range files.CRLs {
		if err := addCerts(&crls, p); err != nil {
			return nil, err
		}
	}
	if len(cas.Certificates) > 0 {
		certs.VerifyAgainst(&cas, now)
	}
	certs.MarkRevoked(&crls)
	ev.Certificates = certs.Certificates
	ev.Revoked = append(certs.Revoked, crls.Revoked...)

	for _, p := range files.Nmap {
		s, err := nmap.ParseFile(p)
		if err != nil {
			return nil, importError("nmap scan", err)
		}
		ev.Scans = append(ev.Scans, *s)
	}
	for _, f := range files.MUD {
		p, err := mud.ParseFile(f.Path)
		if err != nil {
			return nil, importError("MUD profile", err)
		}
		if f.Model != "" {
			p.Model = f.Model
		}
		ev.MUD = append(ev.MUD, *p)
	}
	for _, p := range files.AWS {
		r, err := awsiot.ParseFile(p)
		if err != nil {
			return nil, importError("AWS IoT export", err)
		}
		ev.Cloud = append(ev.Cloud, r.Things...)
		ev.Certificates = append(ev.Certificates, r.Certificates...)
		if r.Kind == awsiot.KindListAuditFindings {
			ev.AuditSources = append(ev.AuditSources, p)
			for _, f := range r.Findings {
				if len(f.Controls) == 0 {
					f.Controls = awsiot.ControlsForCheck(f.Check)
				}
				ev.CloudFindings = append(ev.CloudFindings, f)
			}
		}
	}
	for _, p := range files.Azure {
		r, err := azureiot.ParseFile(p)
		if err != nil {
			return nil, importError("Azure IoT Hub export", err)
		}
		ev.Cloud = append(ev.Cloud, r.Things...)
	}
	relabel(ev, baseDir)
	return ev, nil
}

// relabel names evidence files by their path relative to the manifest's
// folder, as the manifest does (certificate.file matches on it, and
// reports should not show temporary or home folders).
func relabel(ev *model.Evidence, base string) {
	if base == "" {
		return
	}
	rel := func(p string) string {
		abs, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		r, err := filepath.Rel(base, abs)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return p
		}
		return filepath.ToSlash(r)
	}
	for i := range ev.SBOMs {
		ev.SBOMs[i].Source = rel(ev.SBOMs[i].Source)
	}
	for i := range ev.Certificates {
		ev.Certificates[i].Source = rel(ev.Certificates[i].Source)
	}
	for i := range ev.Scans {
		ev.Scans[i].Source = rel(ev.Scans[i].Source)
	}
	for i := range ev.MUD {
		ev.MUD[i].Source = rel(ev.MUD[i].Source)
	}
	for i := range ev.Cloud {
		ev.Cloud[i].Source = rel(ev.Cloud[i].Source)
	}
	for i := range ev.CloudFindings {
		ev.CloudFindings[i].Source = rel(ev.CloudFindings[i].Source)
	}
	for i := range ev.AuditSources {
		ev.AuditSources[i] = rel(ev.AuditSources[i])
	}
}

// importError marks bad evidence files as input errors.
func importError(what string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return asUsage(fmt.Errorf("%s: %w", what, err))
}

func addCerts(b *x509cert.Bundle, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return importError("certificates", err)
	}
	var got *x509cert.Bundle
	if fi.IsDir() {
		got, err = x509cert.ParseDir(path)
	} else {
		got, err = x509cert.ParseFile(path)
	}
	if err != nil {
		return importError("certificates", err)
	}
	b.Merge(got)
	return nil
}

// matchSBOM matches an SBOM's components against the index and applies
// the VEX statements of every SBOM of the same firmware.
func matchSBOM(idx *vulndb.Index, sb *model.SBOM, all []model.SBOM) ([]model.VulnMatch, error) {
	var out []model.VulnMatch
	for _, c := range sb.Components {
		ms, err := idx.Match(c)
		if err != nil {
			return nil, fmt.Errorf("vulnerability match %s: %w", c.Name, err)
		}
		for i := range ms {
			ms[i].Model, ms[i].Firmware = sb.Model, sb.Firmware
		}
		out = append(out, ms...)
	}
	var vex []model.VEXStatement
	for _, other := range all {
		if other.Model == sb.Model && other.Firmware == sb.Firmware {
			vex = append(vex, other.VEX...)
		}
	}
	vulndb.ApplyVEX(out, vex, sb.Components)
	return out, nil
}

// openVulnDB opens an index built by `iotguard vulndb import`, or builds
// one from OSV, NVD and KEV sources into the user's cache, keyed by the
// sources' names, sizes and times, so it is built once and reused.
func openVulnDB(ctx context.Context, sources []string, cacheDir string, log func(string, ...any)) (*vulndb.Index, string, error) {
	if len(sources) == 1 && looksLikeIndex(sources[0]) {
		idx, err := vulndb.Open(sources[0])
		if err != nil {
			return nil, "", importError("vulnerability index", err)
		}
		return idx, describeIndex(sources[0], idx), nil
	}
	key, err := sourcesKey(sources)
	if err != nil {
		return nil, "", asUsage(fmt.Errorf("vulnerability database: %w", err))
	}
	if cacheDir == "" {
		def, err := vulndb.DefaultPath()
		if err != nil {
			return nil, "", err
		}
		cacheDir = filepath.Dir(def)
	}
	cache := filepath.Join(cacheDir, "built-"+key+".idx")
	if _, err := os.Stat(cache); err != nil {
		if err := os.MkdirAll(cacheDir, 0o700); err != nil {
			return nil, "", err
		}
		pruneBuiltIndexes(cacheDir, 30*24*time.Hour)
		log("building the vulnerability index from %d source(s) into %s", len(sources), cache)
		if _, err := vulndb.Build(ctx, cache, sources...); err != nil {
			return nil, "", importError("vulnerability database", err)
		}
	}
	idx, err := vulndb.Open(cache)
	if err != nil {
		return nil, "", err
	}
	now := time.Now()
	os.Chtimes(cache, now, now) // marks it used, for pruning
	return idx, describeIndex(cache, idx), nil
}

// pruneBuiltIndexes removes indexes built from sources that were not used
// for maxAge, so the cache does not grow without bound.
func pruneBuiltIndexes(dir string, maxAge time.Duration) {
	old, _ := filepath.Glob(filepath.Join(dir, "built-*.idx"))
	for _, p := range old {
		if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > maxAge {
			os.Remove(p)
		}
	}
}

// looksLikeIndex tells an index file from advisory sources: sources are
// folders, .json, .zip or .gz files.
func looksLikeIndex(p string) bool {
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		return false
	}
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".zip", ".gz", ".jsonl":
		return false
	}
	return true
}

func describeIndex(path string, idx *vulndb.Index) string {
	st := idx.Stats()
	return fmt.Sprintf("%s (%d advisories)", path, st.Advisories)
}

// sourcesKey identifies a set of sources by their paths, sizes and
// modification times (walking folders), so a changed source rebuilds.
func sourcesKey(sources []string) (string, error) {
	h := sha256.New()
	list := slices.Clone(sources)
	sort.Strings(list)
	for _, s := range list {
		abs, err := filepath.Abs(s)
		if err != nil {
			return "", err
		}
		err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%d\x00%d\n", p, fi.Size(), fi.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
