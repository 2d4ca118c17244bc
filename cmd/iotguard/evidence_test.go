package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/internal/fixtures"
)

// vexNotAffected is a CycloneDX VEX document saying the firmware is not
// affected by GO-2020-0001 in gin.
const vexNotAffected = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
"vulnerabilities":[{"id":"GO-2020-0001","analysis":{"state":"not_affected","justification":"code_not_reachable","detail":"the bridge never logs request paths"},
"affects":[{"ref":"pkg:golang/github.com/gin-gonic/gin@v1.4.0"}]}]}`

// bridgeManifest is a solution whose gateway firmware is the real
// proton-bridge SBOM fixture, checked against the real OSV fixtures.
func bridgeManifest(t *testing.T, extraSBOM string) string {
	dir := t.TempDir()
	sbomPath := fixtures.Path(t, "cyclonedx", "sbom-proton-bridge-v1.8.0.json")
	osvPath := fixtures.Path(t, "osv", "GO-2020-0001.json")
	sboms := "    - {file: " + sbomPath + ", model: gw, firmware: \"1.8.0\"}\n"
	if extraSBOM != "" {
		os.WriteFile(filepath.Join(dir, "vex.cdx.json"), []byte(extraSBOM), 0o644)
		sboms += "    - {file: vex.cdx.json, model: gw, firmware: \"1.8.0\"}\n"
	}
	m := `version: 1
name: Bridge
organization: {name: ACME}
models:
  - id: gw
    vendor: ACME
    firmware_version: "1.8.0"
devices:
  - {id: gw-1, model: gw, firmware: "1.8.0", lifecycle: active}
  - {id: gw-2, model: gw, firmware: "1.8.0", lifecycle: active}
evidence:
  sboms:
` + sboms + `  vulndb: [` + osvPath + `]
`
	p := filepath.Join(dir, "iotguard.yaml")
	if err := os.WriteFile(p, []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type reportFindings struct {
	Findings []struct {
		Check    string   `json:"check"`
		Controls []string `json:"controls"`
		Severity string   `json:"severity"`
		Asset    string   `json:"asset"`
		Message  string   `json:"message"`
	} `json:"findings"`
}

func TestFixtureAdvisoryYieldsS22FindingAndVEXSuppressesIt(t *testing.T) {
	code, out, errs := runCLI(t, "assess", "-f", bridgeManifest(t, ""), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep reportFindings
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var msg string
	for _, f := range rep.Findings {
		if f.Check == "vulnerable-firmware" && strings.Contains(f.Message, "GO-2020-0001") {
			msg = f.Message
			if f.Asset != "firmware gw@1.8.0" || strings.Join(f.Controls, ",") != "S22" {
				t.Errorf("finding on %s for %v", f.Asset, f.Controls)
			}
		}
	}
	for _, want := range []string{"github.com/gin-gonic/gin v1.4.0 is affected by GO-2020-0001", "affected >=0, <1.6.0", "fixed in 1.6.0", "2 devices run gw@1.8.0"} {
		if !strings.Contains(msg, want) {
			t.Errorf("S22 finding %q lacks %q", msg, want)
		}
	}

	// The same firmware with a VEX not_affected statement: no finding.
	code, out, errs = runCLI(t, "assess", "-f", bridgeManifest(t, vexNotAffected), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rep = reportFindings{}
	json.Unmarshal([]byte(out), &rep)
	for _, f := range rep.Findings {
		if strings.Contains(f.Message, "GO-2020-0001") {
			t.Errorf("VEX not_affected did not suppress: %s", f.Message)
		}
	}
	// vuln scan shows the suppression with its justification.
	vex := filepath.Join(t.TempDir(), "fw.cdx.json")
	sbomData, _ := os.ReadFile(fixtures.Path(t, "cyclonedx", "sbom-proton-bridge-v1.8.0.json"))
	var doc map[string]any
	json.Unmarshal(sbomData, &doc)
	var vexDoc map[string]any
	json.Unmarshal([]byte(vexNotAffected), &vexDoc)
	doc["vulnerabilities"] = vexDoc["vulnerabilities"]
	merged, _ := json.Marshal(doc)
	os.WriteFile(vex, merged, 0o644)
	code, out, errs = runCLI(t, "vuln", "scan", "--sbom", vex, "--vulndb", fixtures.Path(t, "osv", "GO-2020-0001.json"))
	if code != 0 || !strings.Contains(out, "suppressed by VEX: code_not_reachable") {
		t.Errorf("vuln scan: exit %d\n%s%s", code, out, errs)
	}
}

func TestImportPreviewsJSONShapes(t *testing.T) {
	tests := []struct {
		kind, path string
		keys       []string
	}{
		{"sbom", fixtures.Path(t, "cyclonedx", "sbom-proton-bridge-v1.8.0.json"), []string{`"components"`, `"name"`, `"version"`, `"purl"`}},
		{"nmap", fixtures.Path(t, "nmap", "scan_base.xml"), []string{`"hosts"`, `"addresses"`, `"ports"`, `"port"`, `"protocol"`, `"state"`, `"service"`}},
		{"mud", fixtures.Path(t, "mud", "Luminaire_150.json"), []string{`"name"`, `"acls"`, `"aces"`}},
		{"aws", fixtures.Path(t, "awsiot", "list-things.json"), []string{"things", "aws-iot"}},
		{"osv", fixtures.Path(t, "osv", "GO-2020-0001.json"), []string{`"advisories"`, "GO-2020-0001"}},
		{"nvd", fixtures.Path(t, "nvd", "CVE-2024-3094.json"), []string{`"cves"`, "CVE-2024-3094"}},
	}
	for _, tc := range tests {
		code, out, errs := runCLI(t, "import", tc.kind, tc.path, "--format", "json")
		if code != 0 {
			t.Errorf("import %s: exit %d: %s", tc.kind, code, errs)
			continue
		}
		if !json.Valid([]byte(out)) {
			t.Errorf("import %s: not JSON", tc.kind)
		}
		for _, k := range tc.keys {
			if !strings.Contains(out, k) {
				t.Errorf("import %s: output lacks %s", tc.kind, k)
			}
		}
	}
	code, _, errs := runCLI(t, "import", "sbom", fixtures.Path(t, "nmap", "scan_base.xml"))
	if code != 2 || !strings.Contains(errs, "scan_base.xml") {
		t.Errorf("wrong kind: exit %d %q", code, errs)
	}
	if code, _, errs := runCLI(t, "import", "pcap", "x"); code != 2 || !strings.Contains(errs, "sbom, osv, nvd") {
		t.Errorf("unknown kind: exit %d %q", code, errs)
	}
}

func TestImportCertsDropsPrivateKeys(t *testing.T) {
	dir := t.TempDir()
	// A bundle with a private key block: the key is skipped, never shown.
	pem := "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGiP4o8T0H9kSJP5xQ3r4e3Sg5f0QG3x6o1X7gH1Yf9T\n-----END PRIVATE KEY-----\n"
	p := filepath.Join(dir, "bundle.pem")
	os.WriteFile(p, []byte(pem), 0o600)
	code, out, errs := runCLI(t, "import", "certs", p, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "MC4CAQAw") || !strings.Contains(out, `"skipped_private_keys": 1`) {
		t.Errorf("private key handling: %s", out)
	}
}
