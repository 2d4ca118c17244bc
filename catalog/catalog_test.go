package catalog

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/model"
)

// seedControls is the seed document's list: title and owners, in order.
var seedControls = []struct {
	id, title, owners string
}{
	{"S01", "IoT security policy", "ISD/ISP"},
	{"S02", "Responsibility for IoT security in an organization", "ISD/ISP"},
	{"S03", "Asset management", "ISP"},
	{"S04", "Equipment and assets located outside physically secured areas", "ISP"},
	{"S05", "Secure disposal or re-use of equipment", "ISP"},
	{"S06", "Learning from security incidents", "ISD/ISP"},
	{"S07", "Secure IoT system engineering principles", "ISD"},
	{"S08", "Secure development environment and procedures", "ISD"},
	{"S09", "Security of IoT systems in support of safety", "ISD/ISP"},
	{"S10", "Security in connecting varied IoT devices", "ISD/ISP"},
	{"S11", "Verification of IoT devices and systems design", "ISD/ISP"},
	{"S12", "Monitoring and logging", "ISD/ISP"},
	{"S13", "Protection of logs", "ISD/ISP"},
	{"S14", "Use of suitable networks for the IoT systems", "ISD/ISP"},
	{"S15", "Define the provision of software and firmware updates", "ISD/ISP"},
	{"S16", "User and device authentication", "ISD/ISP"},
	{"S17", "Safe disposal or re-use of IoT device", "ISD/ISP"},
	{"S18", "Sharing vulnerability information", "ISD/ISP"},
	{"S19", "Adapted security measures to the life cycle of IoT systems and services", "ISD/ISP"},
	{"S20", "Guidance for IoT users on the proper use of IoT devices and services", "ISD/ISP"},
	{"S21", "Determination of security roles for stakeholders", "ISD/ISP"},
	{"S22", "Management of vulnerable devices", "ISP"},
	{"S23", "Management of supplier relationships in IoT security", "ISD/ISP"},
	{"S24", "Secure disclosure of Information regarding the security of IoT devices", "ISD"},
	{"S25", "Contacts and support service", "IU"},
	{"S26", "Initial settings of IoT device and service", "IU"},
	{"S27", "Deactivation of unused devices", "IU"},
	{"S28", "Consideration of IoT Users", "IU"},
	{"P01", "Prevention of privacy-invasive events", "ISD/ISP"},
	{"P02", "IoT privacy by default", "ISD/ISP"},
	{"P03", "Provision of the privacy notice", "ISP"},
	{"P04", "Verification of IoT functionality", "ISD/ISP"},
	{"P05", "Privacy controls for IoT users", "ISD/ISP"},
	{"P06", "Management of IoT privacy controls", "ISP"},
	{"P07", "Unique device identity", "ISD"},
	{"P08", "Fail-safe authentication", "ISD/ISP"},
	{"P09", "Minimization of indirect data collection", "ISP"},
	{"P10", "Communication of privacy preferences", "ISP"},
	{"P11", "Verification of automated decision", "ISP"},
	{"P12", "Accountability for stakeholders", "ISD/ISP"},
	{"P13", "Unlinkability of PII", "ISD/ISP"},
	{"P14", "Sharing information on PII protection measures of IoT devices", "ISD"},
	{"P15", "Privacy controls for IoT user", "IU"},
	{"P16", "Purposeful use for connecting with other devices and services", "IU/ISP/ISD"},
	{"P17", "Certification/validation of PII protection", "IU"},
}

// The brief's automation level per control (A, P, E).
var briefLevels = "EPAPPEPPPAPAAAAAPPPEEAPPPAAE" + "PPPPPPAPPPEEAEEPE"

func TestCatalogMatchesSeed(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Controls) != 45 {
		t.Fatalf("catalog has %d controls, want 45", len(c.Controls))
	}
	if n := len(c.Select(Filter{Category: model.Security})); n != 28 {
		t.Errorf("security controls = %d, want 28", n)
	}
	if n := len(c.Select(Filter{Category: model.Privacy})); n != 17 {
		t.Errorf("privacy controls = %d, want 17", n)
	}
	levels := map[byte]model.Automation{'A': model.Automated, 'P': model.Partial, 'E': model.AttestationOnly}
	for i, want := range seedControls {
		got := c.Controls[i]
		if got.ID != want.id || got.Title != want.title {
			t.Errorf("control %d = %s %q, want %s %q", i, got.ID, got.Title, want.id, want.title)
		}
		var owners []string
		for _, s := range got.Stakeholders {
			owners = append(owners, string(s))
		}
		if diff := cmp.Diff(want.owners, strings.Join(owners, "/")); diff != "" {
			t.Errorf("%s stakeholders (-seed +catalog):\n%s", want.id, diff)
		}
		if lv := levels[briefLevels[i]]; got.Automation != lv {
			t.Errorf("%s automation = %s, want %s as in the brief", got.ID, got.Automation, lv)
		}
		wantClause := ""
		if i < 14 {
			wantClause = "7.1.2." + strings.TrimLeft(want.id[1:], "0")
		}
		if got.Clause != wantClause {
			t.Errorf("%s clause = %q, want %q (only S01-S14 are confirmed)", got.ID, got.Clause, wantClause)
		}
	}
}

func TestCatalogContent(t *testing.T) {
	c := MustLoad()
	for _, ctl := range c.Controls {
		// Guidance is practical: at least one substantial entry per owner role
		// where owners differ, or one shared entry.
		roles := map[model.Stakeholder]bool{}
		for _, g := range ctl.Guidance {
			roles[g.Role] = true
			if len(g.Text) < 120 {
				t.Errorf("%s: guidance for %q is too short to act on (%d chars)", ctl.ID, g.Role, len(g.Text))
			}
		}
		if !roles[""] {
			for _, s := range ctl.Stakeholders {
				if !roles[s] {
					t.Errorf("%s: no guidance for owner %s", ctl.ID, s)
				}
			}
		}
		if len(ctl.GoodEvidence) == 0 || len(ctl.CommonFailures) == 0 {
			t.Errorf("%s: needs good_evidence and common_failures", ctl.ID)
		}
		seen := map[string]bool{}
		for _, r := range ctl.References {
			k := r.Framework + " " + r.ID
			if seen[k] {
				t.Errorf("%s: duplicate reference %s", ctl.ID, k)
			}
			seen[k] = true
		}
	}
}

// TestEveryFrameworkIsReferenced guards the crosswalk: a framework nobody
// maps to would make `catalog map --to` useless.
func TestEveryFrameworkIsReferenced(t *testing.T) {
	c := MustLoad()
	for _, f := range Frameworks {
		m, err := c.MapTo(f.Key)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 0 {
			t.Errorf("no control references %s", f.Key)
		}
	}
}

func TestReferenceIDFormats(t *testing.T) {
	tests := []struct {
		framework, id string
		valid         bool
	}{
		{"etsi-en-303-645", "5.1-1", true},
		{"etsi-en-303-645", "5.13-1", true},
		{"etsi-en-303-645", "6-5", true},
		{"etsi-en-303-645", "5.3-17", false},
		{"etsi-en-303-645", "5.14-1", false},
		{"nist-ir-8259a", "software-update", true},
		{"nist-ir-8259a", "documentation", false},
		{"nist-ir-8259b", "documentation", true},
		{"iec-62443-4-2", "CR 1.5", true},
		{"iec-62443-4-2", "EDR 2.13", true},
		{"iec-62443-4-2", "CR 4.4", false},
		{"iec-62443-4-2", "CR1.5", false},
		{"iso-27001-2022", "A.8.8", true},
		{"iso-27001-2022", "A.8.35", false},
		{"iso-27001-2022", "A.6.9", false},
		{"iso-27701-2019", "A.7.2.5", true},
		{"iso-27701-2019", "B.8.5.8", true},
		{"iso-27701-2019", "A.7.6.1", false},
		{"eu-cra", "I.1.2.m", true},
		{"eu-cra", "I.1.2.n", false},
		{"eu-cra", "I.2.8", true},
		{"eu-cra", "II.9", true},
	}
	for _, tc := range tests {
		f, err := LookupFramework(tc.framework)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.ValidID(tc.id); got != tc.valid {
			t.Errorf("%s %q valid = %v, want %v", tc.framework, tc.id, got, tc.valid)
		}
	}
	if _, err := LookupFramework("nist-800-53"); err == nil || !strings.Contains(err.Error(), "etsi-en-303-645") {
		t.Errorf("unknown framework error should list valid keys, got %v", err)
	}
}

func TestRoleFilterIU(t *testing.T) {
	c := MustLoad()
	var ids []string
	for _, ctl := range c.Select(Filter{Role: model.IU}) {
		ids = append(ids, ctl.ID)
	}
	want := []string{"S25", "S26", "S27", "S28", "P15", "P16", "P17"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("IU controls (-want +got):\n%s", diff)
	}
}

func TestFind(t *testing.T) {
	c := MustLoad()
	for _, key := range []string{"S03", "s03", "S3", "7.1.2.3"} {
		ctl, err := c.Find(key)
		if err != nil || ctl.ID != "S03" {
			t.Errorf("Find(%q) = %v, %v; want S03", key, ctl, err)
		}
	}
	_, err := c.Find("S29")
	if err == nil || !strings.Contains(err.Error(), "did you mean S28") {
		t.Errorf("Find(S29) error = %v, want a suggestion of S28", err)
	}
}

func TestCrosswalk(t *testing.T) {
	c := MustLoad()
	// ETSI 5.1-1 (no universal default passwords) must touch default
	// credential controls.
	m, err := c.MapFrom("etsi", "5.1-1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, x := range m {
		got[x.Control] = true
	}
	if !got["S16"] && !got["S26"] {
		t.Errorf("ETSI 5.1-1 maps to %v; want S16 or S26 among them", got)
	}
	group, err := c.MapFrom("etsi", "5.1")
	if err != nil || len(group) < len(m) {
		t.Errorf("group 5.1 gave %d mappings (err %v), want at least %d", len(group), err, len(m))
	}
	if _, err := c.MapFrom("etsi", "9.9-9"); err == nil {
		t.Error("MapFrom with a malformed element should fail")
	}
	els, _ := c.Elements("etsi")
	for i := 1; i < len(els); i++ {
		if !naturalLess(els[i-1], els[i]) {
			t.Errorf("elements not in natural order: %s before %s", els[i-1], els[i])
		}
	}
}

func TestOverlay(t *testing.T) {
	c := MustLoad()
	good := []byte(`source: "licensed copy, ACME Corp"
controls:
  S15:
    clause: "7.1.2.15"
    official:
      title: Official heading
      control: Official control text
  S03:
    guidance:
      - role: ISP
        text: Our CMDB is the inventory of record; sync it nightly.
`)
	o, err := c.ParseOverlay("overlay.yaml", good)
	if err != nil {
		t.Fatal(err)
	}
	oc := c.WithOverlay(o)
	if got := oc.Control("S15").Clause; got != "7.1.2.15" {
		t.Errorf("overlay clause = %q", got)
	}
	if oc.Control("S15").Official == nil || oc.Control("S15").Official.Control != "Official control text" {
		t.Error("official text not applied")
	}
	if len(oc.Control("S03").OrgGuidance) != 1 {
		t.Error("organisation guidance not applied")
	}
	if c.Control("S15").Clause != "" {
		t.Error("overlay changed the shared catalog")
	}

	bad := []struct {
		name, data string
		want       []string
	}{
		{"unknown ID", "controls:\n  S01: {}\n  S29:\n    clause: \"7.1.3.1\"\n",
			[]string{"bad.yaml:3:", `unknown control ID "S29"`, "did you mean S28?"}},
		{"unknown field", "controls:\n  S01:\n    clauses: \"7.1.2.1\"\n",
			[]string{"bad.yaml:3:", `unknown field "clauses"`, "did you mean clause?"}},
		{"wrong type", "controls:\n  S01:\n    guidance: text\n",
			[]string{"bad.yaml:3:", "controls.S01.guidance", "expected a list"}},
		{"bad role", "controls:\n  S03:\n    guidance:\n      - role: IU\n        text: x\n",
			[]string{"bad.yaml:4:", `role "IU" does not own S03`}},
		{"bad reference", "controls:\n  S03:\n    references:\n      - {framework: etsi-en-303-645, id: \"5.99-1\", relation: related-to}\n",
			[]string{"bad.yaml:4:", "not a well-formed etsi-en-303-645 ID"}},
		{"syntax", "controls:\n  S01: [\n", []string{"bad.yaml:"}},
		{"duplicate", "controls:\n  S01: {}\n  S01: {}\n", []string{"bad.yaml:3:", "already defined"}},
	}
	for _, tc := range bad {
		_, err := c.ParseOverlay("bad.yaml", []byte(tc.data))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
}

// TestSeedFile cross-checks the table above against the seed document when
// it is present, so the table cannot drift from the source.
func TestSeedFile(t *testing.T) {
	dir := os.Getenv("IOTGUARD_SEED")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "seed")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(files) == 0 {
		t.Skipf("seed folder %s is absent; set IOTGUARD_SEED to check the titles against it", dir)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, sc := range seedControls {
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sc.title+sc.owners) + `$`)
		if !re.MatchString(text) {
			t.Errorf("seed has no line %q", sc.title+sc.owners)
		}
	}
}

// ControlIDs, which spares a parse of the catalog, lists what it holds.
func TestControlIDsMatchTheData(t *testing.T) {
	if diff := cmp.Diff(MustLoad().IDs(), ControlIDs()); diff != "" {
		t.Errorf("ControlIDs differ from the catalog's (-catalog +ControlIDs):\n%s", diff)
	}
}
