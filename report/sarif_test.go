package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/internal/fixtures"
	"github.com/iotguard/iotguard/model"
)

func TestSARIFSchemaValid(t *testing.T) {
	path, err := filepath.Abs(fixtures.Path(t, "sarif", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	sch := compileSchema(t, path)
	for name, a := range map[string]*model.Assessment{
		"fixture": fixture(),
		"hostile": hostile(),
		"empty":   {SchemaVersion: "1.0"},
	} {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(render(t, "sarif", a, Options{Catalog: catalog.MustLoad()})))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: SARIF is not valid against the 2.1.0 schema:\n%v", name, err)
		}
	}
}

type sarifDoc struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID                   string `json:"id"`
					Help                 struct{ Text string }
					DefaultConfiguration struct{ Level string }
					Properties           struct {
						Tags             []string `json:"tags"`
						SecuritySeverity string   `json:"security-severity"`
					}
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			Notifications []struct {
				Level   string
				Message struct{ Text string }
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct{ Text string }
			Locations []struct {
				LogicalLocations []struct {
					Name, Kind, FullyQualifiedName string
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          struct {
				Controls []string `json:"controls"`
				Severity string   `json:"severity"`
			} `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func TestSARIFContent(t *testing.T) {
	a := fixture()
	var doc sarifDoc
	if err := json.Unmarshal(render(t, "sarif", a, Options{Catalog: catalog.MustLoad()}), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("version %q, %d runs", doc.Version, len(doc.Runs))
	}
	run := doc.Runs[0]
	d := run.Tool.Driver
	if d.Name != "iotguard" || d.Version != "1.2.3" || d.InformationURI == "" {
		t.Errorf("driver = %+v", d)
	}
	if len(d.Rules) != len(a.Checks) {
		t.Fatalf("%d rules, want one per check (%d)", len(d.Rules), len(a.Checks))
	}
	rules := map[string]int{}
	for i, r := range d.Rules {
		rules[r.ID] = i
		c := a.Checks[i]
		if r.ID != c.ID || r.Help.Text != c.Remediation {
			t.Errorf("rule %d = %s, want %s with help = remediation", i, r.ID, c.ID)
		}
		if r.Properties.SecuritySeverity != securitySeverity[c.Severity] {
			t.Errorf("%s security-severity = %q", r.ID, r.Properties.SecuritySeverity)
		}
		for _, ctl := range c.Controls {
			if !slices.Contains(r.Properties.Tags, ctl) {
				t.Errorf("%s tags %v lack control %s", r.ID, r.Properties.Tags, ctl)
			}
		}
	}
	if tags := d.Rules[rules["device-privacy-defaults"]].Properties.Tags; !slices.Equal(tags, []string{"P02", "privacy"}) {
		t.Errorf("privacy rule tags = %v", tags)
	}
	if tags := d.Rules[rules["attestation-evidence"]].Properties.Tags; !slices.Equal(tags, []string{"S02", "security"}) {
		t.Errorf("attestation-evidence tags = %v, want the controls its findings name", tags)
	}
	if lv := d.Rules[rules["vuln-kev"]].DefaultConfiguration.Level; lv != "error" {
		t.Errorf("critical rule level = %s", lv)
	}

	if len(run.Results) != len(a.Findings) {
		t.Fatalf("%d results, want one per finding (%d)", len(run.Results), len(a.Findings))
	}
	seen := map[string]bool{}
	levels := map[model.Severity]string{}
	for i, r := range run.Results {
		f := a.Findings[i]
		if r.RuleID != f.Check || d.Rules[r.RuleIndex].ID != f.Check {
			t.Errorf("result %d: ruleId %s index %d, want %s", i, r.RuleID, r.RuleIndex, f.Check)
		}
		if !slices.Equal(r.Properties.Controls, f.Controls) || r.Properties.Severity != string(f.Severity) {
			t.Errorf("result %d properties = %+v", i, r.Properties)
		}
		ll := r.Locations[0].LogicalLocations[0]
		if ll.Name != f.Asset || ll.Kind != string(f.AssetType) || ll.FullyQualifiedName != string(f.AssetType)+"/"+f.Asset {
			t.Errorf("result %d location = %+v", i, ll)
		}
		fp := r.PartialFingerprints[fingerprintKey]
		if fp == "" || seen[fp] {
			t.Errorf("result %d fingerprint %q is empty or repeated", i, fp)
		}
		seen[fp] = true
		levels[f.Severity] = r.Level
	}
	want := map[model.Severity]string{model.Critical: "error", model.High: "error", model.Medium: "warning", model.Low: "note", model.Info: "note"}
	if !maps_equal(levels, want) {
		t.Errorf("levels = %v, want %v", levels, want)
	}
	if n := len(run.Invocations[0].Notifications); n != 2 {
		t.Errorf("%d notifications, want one per check error (2)", n)
	}
}

func maps_equal(a, b map[model.Severity]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFingerprintStable(t *testing.T) {
	f := fixture().Findings[3]
	g := f
	g.Severity = model.Low // severity and remediation do not change identity
	g.Remediation = "other"
	if Fingerprint(&f) != Fingerprint(&g) {
		t.Error("fingerprint depends on more than check, asset and message")
	}
	g.Asset += "x"
	if Fingerprint(&f) == Fingerprint(&g) {
		t.Error("fingerprint ignores the asset")
	}
}
