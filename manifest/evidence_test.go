package manifest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/model"
)

func TestEvidenceSourcesResolve(t *testing.T) {
	manifest := base + `evidence:
  sboms:
    - {file: "sboms/*.cdx.json", model: cam, firmware: "1.0"}
  vulndb: [osv]
  nmap: [scans/a.xml]
  mud:
    - {file: mud/cam.json, model: cam}
  certificates: [certs]
`
	dir := writeFiles(t, map[string]string{
		FileName: manifest, "sboms/cam-1.0.cdx.json": "{}", "sboms/cam-1.1.cdx.json": "{}",
		"osv/GO-1.json": "{}", "scans/a.xml": "<x/>", "mud/cam.json": "{}", "certs/a.pem": "",
	})
	l, err := Load(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	e := l.Evidence
	want := &EvidenceFiles{
		SBOMs: []SBOMFile{
			{Path: filepath.Join(dir, "sboms/cam-1.0.cdx.json"), Model: "cam", Firmware: "1.0"},
			{Path: filepath.Join(dir, "sboms/cam-1.1.cdx.json"), Model: "cam", Firmware: "1.0"},
		},
		VulnDB:       []string{filepath.Join(dir, "osv")},
		Certificates: []string{filepath.Join(dir, "certs")},
		Nmap:         []string{filepath.Join(dir, "scans/a.xml")},
		MUD:          []MUDFile{{Path: filepath.Join(dir, "mud/cam.json"), Model: "cam"}},
	}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("resolved evidence (-want +got):\n%s", diff)
	}
}

func TestEvidenceSourceErrors(t *testing.T) {
	tests := []struct {
		name, section string
		frags         []string
	}{
		{"no match", "evidence:\n  nmap: [scans/*.xml]\n", []string{"evidence.nmap[0]", `no file matches "scans/*.xml"`}},
		{"unknown model", "evidence:\n  mud:\n    - {file: iotguard.yaml, model: camm}\n", []string{"evidence.mud[0].model", `model "camm" is not declared`, "did you mean cam?"}},
		{"firmware without model", "evidence:\n  sboms:\n    - {file: iotguard.yaml, firmware: \"1\"}\n", []string{"evidence.sboms[0].firmware", "needs the model"}},
		{"folder where a file is needed", "evidence:\n  aws: [sub]\n", []string{"evidence.aws[0]", "is a folder"}},
		{"unknown field", "evidence:\n  nmapp: [a.xml]\n", []string{`unknown field "nmapp"`, "did you mean nmap?"}},
		{"model sbom missing", "", nil},
	}
	for _, tc := range tests {
		if tc.frags == nil {
			continue
		}
		dir := writeFiles(t, map[string]string{FileName: base + tc.section, "sub/x": ""})
		_, err := Load(filepath.Join(dir, FileName))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, f := range tc.frags {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("%s: %q lacks %q", tc.name, err, f)
			}
		}
	}
	// A model's SBOM given as a URL is a declaration; as a path it must exist.
	dir := writeFiles(t, map[string]string{FileName: strings.Replace(base, "    vendor: X\n", "    vendor: X\n    sboms: [https://vendor.example/cam.cdx.json, sbom/cam.json]\n", 1)})
	_, err := Load(filepath.Join(dir, FileName))
	if err == nil || !strings.Contains(err.Error(), "models[0].sboms[1]") || strings.Contains(err.Error(), "sboms[0]") {
		t.Errorf("model SBOM references: %v", err)
	}
}

func TestCSVColumnMapping(t *testing.T) {
	csv := "Asset Tag,Device Type,Serial No,Telnet\nA-1,cam,SN1,false\nA-2,sensor,SN2,true\n"
	l := loadWith(t, "devices:\n  file: export.csv\n  columns: {Asset Tag: id, device type: model, Serial No: serial, Telnet: settings.telnet}\n",
		map[string]string{"export.csv": csv})
	var got []model.Device
	err := l.Inventory.Devices(context.Background(), func(d *model.Device) error {
		got = append(got, *d)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Device{
		{ID: "A-1", Model: "cam", Serial: "SN1", Settings: map[string]bool{"telnet": false}},
		{ID: "A-2", Model: "sensor", Serial: "SN2", Settings: map[string]bool{"telnet": true}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mapped devices (-want +got):\n%s", diff)
	}
	dir := writeFiles(t, map[string]string{FileName: base + "devices:\n  file: e.csv\n  columns: {Tag: idd}\n", "e.csv": "Tag,model\n"})
	if _, err := Load(filepath.Join(dir, FileName)); err == nil || !strings.Contains(err.Error(), `unknown iotguard column "idd"`) {
		t.Errorf("bad mapping target: %v", err)
	}
}

func TestBindSBOM(t *testing.T) {
	sol := &model.Solution{Models: []model.DeviceModel{
		{ID: "cam", Model: "Cam X200", FirmwareVersion: "2.1"},
		{ID: "sensor", Model: "S3", FirmwareVersion: "1.0"},
	}}
	for _, tc := range []struct {
		name          string
		sb            model.SBOM
		f             SBOMFile
		model, firmwr string
	}{
		{"manifest binding wins", model.SBOM{Subject: "S3", SubjectVersion: "9"}, SBOMFile{Model: "cam", Firmware: "2.0"}, "cam", "2.0"},
		{"subject names the model ID", model.SBOM{Subject: "SENSOR", SubjectVersion: "1.1"}, SBOMFile{}, "sensor", "1.1"},
		{"subject names the model", model.SBOM{Subject: "cam x200"}, SBOMFile{}, "cam", "2.1"},
		{"no match", model.SBOM{Subject: "router"}, SBOMFile{}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := tc.sb
			BindSBOM(&sb, tc.f, sol)
			if sb.Model != tc.model || sb.Firmware != tc.firmwr {
				t.Errorf("bound to %q@%q, want %q@%q", sb.Model, sb.Firmware, tc.model, tc.firmwr)
			}
		})
	}
}
