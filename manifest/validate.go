package manifest

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/internal/strictyaml"
	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

// controlIDs lists the catalog's control IDs (S01..S28, P01..P17).
var controlIDs = sync.OnceValue(catalog.ControlIDs)

// attestationStatuses are the statuses an attestation may state.
var attestationStatuses = []model.ControlStatus{model.Implemented, model.PartiallyImplemented, model.NotImplemented, model.NotApplicable}

func statusNames() string {
	s := make([]string, len(attestationStatuses))
	for i, v := range attestationStatuses {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// validator checks what strict decoding cannot: required values, unique
// IDs, references, value ranges.
type validator struct {
	file  string
	dir   string
	doc   *strictyaml.Doc
	ps    *problems
	files *EvidenceFiles // resolved evidence paths
}

// errf records a problem at path, unless one is recorded there already
// (a value that failed to decode reads as unset and would be reported
// again as missing).
func (v *validator) errf(path, format string, args ...any) {
	if v.ps.has(v.file, path) {
		return
	}
	v.ps.add(v.doc.Errorf(path, format, args...))
}

func (v *validator) solution(sol *model.Solution, keys map[string]bool) {
	switch {
	case !keys["version"]:
		v.errf("version", "missing: add `version: %d` at the top of the manifest", Version)
	case sol.Version != Version:
		v.errf("version", "unsupported version %d: this iotguard reads version %d; write `version: %d`", sol.Version, Version, Version)
	}
	if strings.TrimSpace(sol.Name) == "" {
		v.errf("name", "required: name the solution, e.g. `name: Smart Building`")
	}
	v.organization(&sol.Organization)

	models := v.ids("models", len(sol.Models), func(i int) string { return sol.Models[i].ID })
	for i := range sol.Models {
		v.model(fmt.Sprintf("models[%d]", i), &sol.Models[i])
	}
	services := v.ids("services", len(sol.Services), func(i int) string { return sol.Services[i].ID })
	for i := range sol.Services {
		v.service(fmt.Sprintf("services[%d]", i), &sol.Services[i])
	}
	networks := v.ids("networks", len(sol.Networks), func(i int) string { return sol.Networks[i].ID })
	for i := range sol.Networks {
		if n := sol.Networks[i].VLAN; n < 0 || n > 4094 {
			v.errf(fmt.Sprintf("networks[%d].vlan", i), "VLAN %d is out of range: use 1-4094, or leave it out", n)
		}
	}
	v.ids("flows", len(sol.Flows), func(i int) string { return sol.Flows[i].ID })
	refs := refTargets{"model": models, "service": services, "zone": networks}
	for i := range sol.Flows {
		p := fmt.Sprintf("flows[%d]", i)
		f := &sol.Flows[i]
		v.flowEnd(p+".source", f.Source, refs)
		v.flowEnd(p+".destination", f.Destination, refs)
		v.nonNegative(p+".retention_days", f.RetentionDays)
		v.port(p+".port", f.Port, false)
	}
	v.attestations(sol.Attestations)
	v.policy(&sol.Policy)
	v.files = v.evidenceSources(sol, models)
}

func (v *validator) organization(o *model.Organization) {
	if strings.TrimSpace(o.Name) == "" {
		v.errf("organization.name", "required: give the organisation's name under organization: (name: ACME Ltd)")
	}
	valid := make([]string, len(model.Stakeholders))
	for i, s := range model.Stakeholders {
		valid[i] = string(s)
	}
	roles := make([]string, 0, len(o.Roles))
	for r := range o.Roles {
		roles = append(roles, string(r))
	}
	sort.Strings(roles)
	for _, r := range roles {
		if !slices.Contains(valid, r) {
			v.errf("organization.roles."+r, "unknown role %s%s: roles are %s (ISO/IEC 27400 stakeholders)",
				q(r), suggest.Hint(r, valid), strings.Join(valid, ", "))
		}
	}
}

// ids checks that every entry of a section has an ID and that IDs are
// unique; it returns the index of each ID.
func (v *validator) ids(section string, n int, id func(int) string) map[string]int {
	seen := make(map[string]int, n)
	for i := 0; i < n; i++ {
		p := fmt.Sprintf("%s[%d]", section, i)
		s := id(i)
		if strings.TrimSpace(s) == "" {
			v.errf(p+".id", "required: every entry of %s needs a unique id", section)
			continue
		}
		if first, dup := seen[s]; dup {
			line, _ := v.doc.Pos(fmt.Sprintf("%s[%d].id", section, first))
			v.errf(p+".id", "duplicate id %s: %s[%d] (line %d) already uses it; ids must be unique within %s", q(s), section, first, line, section)
			continue
		}
		seen[s] = i
	}
	return seen
}

func (v *validator) model(p string, m *model.DeviceModel) {
	for i, port := range m.Ports {
		v.port(fmt.Sprintf("%s.ports[%d].port", p, i), port.Port, true)
	}
	for _, d := range []struct {
		name string
		doc  *model.Document
	}{{"threat_model", m.ThreatModel}, {"security_test", m.SecurityTest}} {
		if d.doc == nil {
			continue
		}
		for i := range d.doc.Evidence {
			v.evidence(fmt.Sprintf("%s.%s.evidence[%d]", p, d.name, i), &d.doc.Evidence[i])
		}
	}
	for i, c := range m.Certifications {
		if c.Issued.Set() && c.Expires.Set() && c.Expires.Before(c.Issued.Time) {
			v.errf(fmt.Sprintf("%s.certifications[%d].expires", p, i), "expires (%s) is before issued (%s): check the dates", c.Expires, c.Issued)
		}
	}
}

func (v *validator) service(p string, s *model.Service) {
	v.port(p+".port", s.Port, false)
	v.nonNegative(p+".lockout", s.Lockout)
	v.nonNegative(p+".logging.retention_days", s.Logging.RetentionDays)
}

func (v *validator) nonNegative(p string, n int) {
	if n < 0 {
		v.errf(p, "%d is negative: use 0 or a positive number", n)
	}
}

// port checks a port number; required means 0 is an error too.
func (v *validator) port(p string, n int, required bool) {
	switch {
	case n < 0 || n > 65535:
		v.errf(p, "port %d is out of range: use 1-65535", n)
	case n == 0 && required:
		v.errf(p, "required: give the port number (1-65535)")
	}
}

// refTargets maps a reference kind (model, service, zone) to its IDs.
type refTargets map[string]map[string]int

var refKinds = []string{"model", "zone", "service", "external"}

// flowEnd checks a flow source or destination: model:ID, zone:ID,
// service:ID or external:HOST, naming something declared.
func (v *validator) flowEnd(p, ref string, targets refTargets) {
	if strings.TrimSpace(ref) == "" {
		v.errf(p, "required: write model:ID, zone:ID (a network), service:ID or external:HOST")
		return
	}
	kind, id, ok := strings.Cut(ref, ":")
	if !ok {
		hint := ""
		for _, k := range []string{"model", "service", "zone"} {
			if _, found := targets[k][ref]; found {
				hint = fmt.Sprintf(" (did you mean %s:%s?)", k, ref)
				break
			}
		}
		v.errf(p, "%s is not a reference%s: write model:ID, zone:ID (a network), service:ID or external:HOST", q(ref), hint)
		return
	}
	if !slices.Contains(refKinds, kind) {
		hint := suggest.Hint(kind, refKinds)
		if kind == "network" || kind == "net" || kind == "networks" {
			hint = " (did you mean zone?)"
		}
		v.errf(p, "unknown reference kind %s%s: use model:ID, zone:ID (a network), service:ID or external:HOST", q(kind), hint)
		return
	}
	if strings.TrimSpace(id) == "" {
		v.errf(p, "%s names nothing after %q: write %s:ID", q(ref), kind+":", kind)
		return
	}
	if kind == "external" {
		return
	}
	ids := targets[kind]
	if _, ok := ids[id]; ok {
		return
	}
	section := map[string]string{"model": "models", "service": "services", "zone": "networks"}[kind]
	names := sortedKeys(ids)
	valid := "none are declared"
	if len(names) > 0 {
		valid = "declared: " + list(names, 10)
	}
	v.errf(p, "%s %s is not declared under %s%s (%s): declare it or correct the reference",
		kind, q(id), section, suggest.Hint(id, names), valid)
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (v *validator) attestations(ats []model.Attestation) {
	ids := controlIDs()
	seen := map[string]int{}
	for i := range ats {
		a := &ats[i]
		p := fmt.Sprintf("attestations[%d]", i)
		switch {
		case strings.TrimSpace(a.Control) == "":
			v.errf(p+".control", "required: name the control attested (S01-S28, P01-P17)")
		case !slices.Contains(ids, a.Control):
			v.errf(p+".control", "unknown control %s%s: use a catalog ID such as S01 or P07 (`iotguard catalog list` shows them)", q(a.Control), suggest.Hint(a.Control, ids))
		default:
			if first, dup := seen[a.Control]; dup {
				line, _ := v.doc.Pos(fmt.Sprintf("attestations[%d].control", first))
				v.errf(p+".control", "control %s is attested twice: attestations[%d] (line %d) covers it already; merge the two into one", a.Control, first, line)
			} else {
				seen[a.Control] = i
			}
		}
		switch a.Status {
		case "":
			v.errf(p+".status", "required: one of %s", statusNames())
		case model.NotAssessed:
			v.errf(p+".status", "not-assessed is not an attestation: use one of %s, or remove the attestation", statusNames())
		case model.NotApplicable:
			if strings.TrimSpace(a.Justification) == "" {
				v.errf(p+".justification", "required when status is not-applicable: say why the control does not apply")
			}
		}
		if a.Date.Set() && a.ReviewDue.Set() && a.ReviewDue.Before(a.Date.Time) {
			v.errf(p+".review_due", "review_due (%s) is before date (%s): check the dates", a.ReviewDue, a.Date)
		}
		for j := range a.Evidence {
			v.evidence(fmt.Sprintf("%s.evidence[%d]", p, j), &a.Evidence[j])
		}
	}
}

// evidence checks an evidence entry and normalises its path to the
// slash-separated form fs.FS expects ("./docs/a.pdf" becomes "docs/a.pdf").
// A missing file is not an error here: the attestation-evidence check
// reports it as a finding.
func (v *validator) evidence(p string, ev *model.EvidenceFile) {
	if ev.SHA256 != "" && !isHex64(ev.SHA256) {
		v.errf(p+".sha256", "%s is not a SHA-256: write the 64 hexadecimal characters that `sha256sum FILE` prints, or leave sha256 out", q(ev.SHA256))
	}
	if strings.TrimSpace(ev.Path) == "" {
		v.errf(p+".path", "required: the path of the evidence file, relative to the manifest's folder")
		return
	}
	clean, msg := localPath(ev.Path)
	if msg != "" {
		v.errf(p+".path", "%s %s: evidence must be a relative path inside the manifest's folder (%s); copy the file there", q(ev.Path), msg, v.dir)
		return
	}
	ev.Path = clean
}

// localPath cleans a relative path and reports why it is not local.
func localPath(p string) (string, string) {
	s := strings.ReplaceAll(p, `\`, "/")
	if strings.HasPrefix(s, "/") || filepath.IsAbs(p) || (len(s) >= 3 && s[1] == ':' && s[2] == '/' && isLetter(s[0])) {
		return "", "is an absolute path"
	}
	c := path.Clean(s)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", "leaves the manifest's folder"
	}
	if c == "." || !fs.ValidPath(c) {
		return "", "is not a file path"
	}
	return c, ""
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// policy checks that thresholds are not negative and percentages are at
// most 100. Zero takes the default (model.DefaultPolicy).
func (v *validator) policy(p *model.Policy) {
	var walk func(rv reflect.Value, path string)
	walk = func(rv reflect.Value, path string) {
		t := rv.Type()
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			fp := path + "." + name
			switch f := rv.Field(i); f.Kind() {
			case reflect.Int:
				if f.Int() < 0 {
					v.errf(fp, "%d is negative: use a positive number, or leave it out for the default (%s)", f.Int(), policyDefault(fp))
				}
			case reflect.Struct:
				walk(f, fp)
			}
		}
	}
	walk(reflect.ValueOf(p).Elem(), "policy")
	if p.TelemetryCoveragePercent > 100 {
		v.errf("policy.telemetry_coverage_percent", "%d is more than 100 percent: use 1-100", p.TelemetryCoveragePercent)
	}
	for i, s := range p.PrivacySettings {
		if strings.TrimSpace(s) == "" {
			v.errf(fmt.Sprintf("policy.privacy_settings[%d]", i), "empty setting name: name a setting such as camera or microphone")
		}
	}
}

// policyDefault returns the default of a policy field path such as
// "policy.patch_sla_days.high".
func policyDefault(fp string) string {
	rv := reflect.ValueOf(model.DefaultPolicy)
	for _, name := range strings.Split(strings.TrimPrefix(fp, "policy."), ".") {
		found := false
		for i := 0; i < rv.NumField(); i++ {
			if n, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("yaml"), ","); n == name {
				rv, found = rv.Field(i), true
				break
			}
		}
		if !found {
			return "see docs/manifest.md"
		}
	}
	return fmt.Sprint(rv.Interface())
}

// inlineDevices validates devices listed in the manifest itself.
func (v *validator) inlineDevices(devs []model.Device, doc *strictyaml.Doc, rules *deviceRules) {
	seen := make(map[string]int, len(devs))
	dv := &validator{file: v.file, dir: v.dir, doc: doc, ps: v.ps}
	for i := range devs {
		d := &devs[i]
		p := fmt.Sprintf("devices[%d]", i)
		for _, pr := range rules.check(d) {
			dv.errf(p+"."+pr.field, "%s", pr.msg)
		}
		if d.ID == "" {
			continue
		}
		if first, dup := seen[d.ID]; dup {
			line, _ := doc.Pos(fmt.Sprintf("devices[%d].id", first))
			dv.errf(p+".id", "duplicate device id %s: devices[%d] (line %d) already uses it; device ids must be unique across the inventory", q(d.ID), first, line)
			continue
		}
		seen[d.ID] = i
	}
}

// sideFile checks the devices side file reference and returns its
// inventory, or nil after reporting a problem.
func (v *validator) sideFile(sf *sideFile, doc *strictyaml.Doc, rules *deviceRules) *fileInventory {
	dv := &validator{file: v.file, dir: v.dir, doc: doc, ps: v.ps}
	if strings.TrimSpace(sf.File) == "" {
		dv.errf("devices.file", "required: the path of the devices side file, e.g. devices: {file: devices.jsonl}")
		return nil
	}
	format := strings.ToLower(sf.Format)
	switch format {
	case "jsonl", "csv":
	case "ndjson", "json-lines", "jsonlines":
		format = "jsonl"
	case "":
		switch strings.ToLower(filepath.Ext(sf.File)) {
		case ".jsonl", ".ndjson":
			format = "jsonl"
		case ".csv":
			format = "csv"
		default:
			dv.errf("devices.file", "cannot tell the format of %s from its extension: add format: jsonl or format: csv, or name it .jsonl or .csv", q(sf.File))
			return nil
		}
	default:
		dv.errf("devices.format", "unknown format %s%s: use jsonl (one JSON object per line) or csv", q(sf.Format), suggest.Hint(sf.Format, []string{"jsonl", "csv"}))
		return nil
	}
	full := sf.File
	if !filepath.IsAbs(full) {
		full = filepath.Join(v.dir, full)
	}
	fi, err := os.Stat(full)
	switch {
	case err != nil && os.IsNotExist(err):
		dv.errf("devices.file", "side file %s not found (looked for %s)%s: create it or correct the path (relative to the manifest's folder)",
			q(sf.File), full, nearbyFile(full))
		return nil
	case err != nil:
		dv.errf("devices.file", "side file %s cannot be read: %v", q(sf.File), err)
		return nil
	case fi.IsDir():
		dv.errf("devices.file", "%s is a folder: name the devices file inside it", q(sf.File))
		return nil
	}
	if len(sf.Columns) > 0 && format != "csv" {
		dv.errf("devices.columns", "columns maps CSV headers: it applies only to format csv")
		return nil
	}
	known := CSVColumns()
	for from, to := range sf.Columns {
		if !slices.Contains(known, to) && !strings.HasPrefix(to, "settings.") {
			dv.errf("devices.columns."+from, "unknown iotguard column %s%s; valid columns: %s", q(to), suggest.Hint(to, known), strings.Join(known, ", "))
		}
	}
	return &fileInventory{path: full, name: full, format: format, rules: rules, columns: sf.Columns}
}

// nearbyFile suggests a similarly named file in the same folder.
func nearbyFile(full string) string {
	dir, base := filepath.Split(full)
	if dir == "" {
		dir = "."
	}
	f, err := os.Open(dir)
	if err != nil {
		return ""
	}
	defer f.Close()
	names, _ := f.Readdirnames(1000)
	return suggest.Hint(base, names)
}
