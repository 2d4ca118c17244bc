package manifest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

// EvidenceFiles are the evidence files a manifest names (its `evidence`
// section, and `models[].sboms` and `models[].mud`), resolved to existing
// paths: globs expanded, relative paths joined to the manifest's folder.
// Reading them is the importers' job.
type EvidenceFiles struct {
	SBOMs        []SBOMFile
	VulnDB       []string
	Certificates []string
	TrustedCAs   []string
	CRLs         []string
	Nmap         []string
	MUD          []MUDFile
	AWS          []string
	Azure        []string
	// Rules are rule pack files and folders (not evidence, but resolved the
	// same way).
	Rules []string
}

// SBOMFile is an SBOM path bound to a model and firmware (either may be
// empty: the SBOM's subject then decides).
type SBOMFile struct{ Path, Model, Firmware string }

// MUDFile is a MUD profile path bound to a model.
type MUDFile struct{ Path, Model string }

// Empty reports whether no evidence file is named.
func (e *EvidenceFiles) Empty() bool {
	return e == nil || len(e.SBOMs)+len(e.VulnDB)+len(e.Certificates)+len(e.TrustedCAs)+len(e.CRLs)+
		len(e.Nmap)+len(e.MUD)+len(e.AWS)+len(e.Azure) == 0
}

// isReference tells a URL (a declaration, not a file to read) from a path.
func isReference(p string) bool { return strings.Contains(p, "://") }

// resolve expands one path or glob relative to the manifest's folder; it
// reports a problem at field when nothing matches.
func (v *validator) resolve(field, pattern string, dirOK bool) []string {
	if strings.TrimSpace(pattern) == "" {
		v.errf(field, "empty path: name a file, a folder or a glob such as scans/*.xml")
		return nil
	}
	full := pattern
	if !filepath.IsAbs(full) {
		full = filepath.Join(v.dir, full)
	}
	var matches []string
	if strings.ContainsAny(pattern, "*?[") {
		m, err := filepath.Glob(full)
		if err != nil {
			v.errf(field, "%s is not a valid glob: %v", q(pattern), err)
			return nil
		}
		matches = m
	} else if _, err := os.Stat(full); err == nil {
		matches = []string{full}
	}
	if len(matches) == 0 {
		v.errf(field, "no file matches %s (looked in %s)%s: create it or correct the path (relative to the manifest's folder)",
			q(pattern), filepath.Dir(full), nearbyFile(full))
		return nil
	}
	sort.Strings(matches)
	var out []string
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil {
			v.errf(field, "%s cannot be read: %v", q(m), err)
			continue
		}
		if fi.IsDir() && !dirOK {
			v.errf(field, "%s is a folder: name the files, e.g. %s", q(m), filepath.Join(pattern, "*"))
			continue
		}
		out = append(out, m)
	}
	return out
}

func (v *validator) modelRef(field, id string, models map[string]int) {
	if id == "" {
		return
	}
	if _, ok := models[id]; !ok {
		ids := make([]string, 0, len(models))
		for m := range models {
			ids = append(ids, m)
		}
		sort.Strings(ids)
		v.errf(field, "model %s is not declared under models%s: declare it or correct the reference", q(id), suggest.Hint(id, ids))
	}
}

// evidenceSources validates and resolves every evidence path.
func (v *validator) evidenceSources(sol *model.Solution, models map[string]int) *EvidenceFiles {
	e := &EvidenceFiles{}
	for i, m := range sol.Models {
		for j, s := range m.SBOMs {
			if isReference(s) {
				continue
			}
			for _, p := range v.resolve(fmt.Sprintf("models[%d].sboms[%d]", i, j), s, false) {
				e.SBOMs = append(e.SBOMs, SBOMFile{Path: p, Model: m.ID})
			}
		}
		if m.MUD != "" && !isReference(m.MUD) {
			for _, p := range v.resolve(fmt.Sprintf("models[%d].mud", i), m.MUD, false) {
				e.MUD = append(e.MUD, MUDFile{Path: p, Model: m.ID})
			}
		}
	}
	src := &sol.Evidence
	for i, r := range src.SBOMs {
		p := fmt.Sprintf("evidence.sboms[%d]", i)
		v.modelRef(p+".model", r.Model, models)
		if r.Firmware != "" && r.Model == "" {
			v.errf(p+".firmware", "a firmware binding needs the model too: add model: ID")
		}
		for _, f := range v.resolve(p+".file", r.File, false) {
			e.SBOMs = append(e.SBOMs, SBOMFile{Path: f, Model: r.Model, Firmware: r.Firmware})
		}
	}
	for i, r := range src.MUD {
		p := fmt.Sprintf("evidence.mud[%d]", i)
		v.modelRef(p+".model", r.Model, models)
		for _, f := range v.resolve(p+".file", r.File, false) {
			e.MUD = append(e.MUD, MUDFile{Path: f, Model: r.Model})
		}
	}
	lists := []struct {
		name  string
		in    []string
		out   *[]string
		dirOK bool
	}{
		{"vulndb", src.VulnDB, &e.VulnDB, true},
		{"certificates", src.Certificates, &e.Certificates, true},
		{"trusted_cas", src.TrustedCAs, &e.TrustedCAs, true},
		{"crls", src.CRLs, &e.CRLs, true},
		{"nmap", src.Nmap, &e.Nmap, false},
		{"aws", src.AWS, &e.AWS, false},
		{"azure", src.Azure, &e.Azure, false},
	}
	for _, l := range lists {
		for i, pat := range l.in {
			*l.out = append(*l.out, v.resolve(fmt.Sprintf("evidence.%s[%d]", l.name, i), pat, l.dirOK)...)
		}
	}
	for i, pat := range sol.Rules {
		e.Rules = append(e.Rules, v.resolve(fmt.Sprintf("rules[%d]", i), pat, true)...)
	}
	return e
}

// UseDevicesFile replaces the manifest's devices with a side file given on
// the command line (JSON lines or CSV, by extension), validated against
// the manifest's models as it streams. columns maps another tool's CSV
// headers to iotguard's columns.
func (l *Loaded) UseDevicesFile(path string, columns map[string]string) error {
	format := ""
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		format = "csv"
	case ".jsonl", ".ndjson":
		format = "jsonl"
	default:
		return inputErr(path, 0, 0, "", "cannot tell the format from the extension: name the file .csv or .jsonl")
	}
	fi, err := os.Stat(path)
	if err != nil {
		return inputErr(path, 0, 0, "", "devices file cannot be read: %v", err)
	}
	if fi.IsDir() {
		return inputErr(path, 0, 0, "", "is a folder: name the devices file")
	}
	if len(columns) > 0 && format != "csv" {
		return inputErr(path, 0, 0, "", "a column mapping applies only to CSV files")
	}
	known := CSVColumns()
	for from, to := range columns {
		if !slicesContains(known, to) && !strings.HasPrefix(to, "settings.") {
			return inputErr(path, 0, 0, "", "column mapping %s=%s: unknown iotguard column %s%s; valid columns: %s",
				from, to, q(to), suggest.Hint(to, known), strings.Join(known, ", "))
		}
	}
	l.Inventory = &fileInventory{path: path, name: path, format: format, rules: newDeviceRules(l.Solution), columns: columns}
	l.DevicesFile, l.DevicesFormat = path, format
	return nil
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ReadDevicesFile streams the devices of a JSON lines or CSV file without a
// manifest (for previews): every device needs an id and a model, IDs must
// be unique, but models are not checked against a solution.
func ReadDevicesFile(ctx context.Context, path string, columns map[string]string, fn func(*model.Device) error) error {
	l := &Loaded{Solution: &model.Solution{}}
	if err := l.UseDevicesFile(path, columns); err != nil {
		return err
	}
	l.Inventory.(*fileInventory).rules.anyModel = true
	return l.Inventory.Devices(ctx, fn)
}

// BindSBOM sets the model and firmware an SBOM describes: the manifest's
// binding first, else a model whose ID or name equals the SBOM's subject,
// with the subject's version as the firmware.
func BindSBOM(sb *model.SBOM, f SBOMFile, sol *model.Solution) {
	sb.Model, sb.Firmware = f.Model, f.Firmware
	if sb.Model == "" {
		for _, m := range sol.Models {
			if sb.Subject != "" && (strings.EqualFold(m.ID, sb.Subject) || strings.EqualFold(m.Model, sb.Subject)) {
				sb.Model = m.ID
				break
			}
		}
	}
	if sb.Firmware == "" {
		sb.Firmware = sb.SubjectVersion
	}
	if sb.Firmware == "" && sb.Model != "" {
		for _, m := range sol.Models {
			if m.ID == sb.Model {
				sb.Firmware = m.FirmwareVersion
			}
		}
	}
}
