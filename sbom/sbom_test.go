package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iotguard/iotguard/internal/fixtures"
	"github.com/iotguard/iotguard/model"
)

func parseFile(t *testing.T, path string) *model.SBOM {
	t.Helper()
	sb, err := ParseFile(path)
	if err != nil {
		t.Fatalf("ParseFile(%s): %v", path, err)
	}
	return sb
}

// byRef indexes components by bom-ref.
func byRef(t *testing.T, cs []model.Component) map[string]model.Component {
	t.Helper()
	m := map[string]model.Component{}
	for _, c := range cs {
		if _, dup := m[c.BOMRef]; dup {
			t.Errorf("bom-ref %q appears twice", c.BOMRef)
		}
		m[c.BOMRef] = c
	}
	return m
}

// counts summarises a component list for table assertions.
type counts struct {
	Components, WithLicenses, WithHashes, WithPURL, WithCPE, WithSupplier, WithEOS int
	Ecosystems                                                                     map[string]int
	Types                                                                          map[string]int
}

func count(cs []model.Component) counts {
	c := counts{Components: len(cs), Ecosystems: map[string]int{}, Types: map[string]int{}}
	for _, x := range cs {
		if len(x.Licenses) > 0 {
			c.WithLicenses++
		}
		if len(x.Hashes) > 0 {
			c.WithHashes++
		}
		if x.PURL != "" {
			c.WithPURL++
		}
		if len(x.CPEs) > 0 {
			c.WithCPE++
		}
		if x.Supplier != "" {
			c.WithSupplier++
		}
		if x.EndOfSupport.Set() {
			c.WithEOS++
		}
		c.Ecosystems[x.Ecosystem]++
		c.Types[x.Type]++
	}
	return c
}

// TestFixtures parses every CycloneDX and SPDX fixture and asserts counts
// and specific values.
func TestFixtures(t *testing.T) {
	tests := []struct {
		file           []string
		format         string
		subject, subjV string
		counts         counts
		vex            []model.VEXStatement
		eos            string
		want           []model.Component // compared exactly, found by bom-ref or name
	}{
		{
			file:    []string{"cyclonedx", "sbom-proton-bridge-v1.8.0.json"},
			format:  "cyclonedx-1.2-json",
			subject: "github.com/ProtonMail/proton-bridge", subjV: "v1.8.0",
			counts: counts{Components: 201, WithLicenses: 193, WithHashes: 201, WithPURL: 201,
				Ecosystems: map[string]int{"Go": 201}, Types: map[string]int{"library": 201}},
			want: []model.Component{
				{
					Name: "github.com/0xAX/notificator", Version: "v0.0.0-20191016112426-3962a5ea8da1",
					PURL:      "pkg:golang/github.com/0xAX/notificator@v0.0.0-20191016112426-3962a5ea8da1",
					BOMRef:    "pkg:golang/github.com/0xAX/notificator@v0.0.0-20191016112426-3962a5ea8da1",
					Type:      "library",
					Licenses:  []string{"BSD-3-Clause"},
					Hashes:    map[string]string{"SHA-256": "8fd1da69f6a90db3db1910e4bba7bf1d1b3a28131c287896726d7ff526f19e5e"},
					Ecosystem: "Go",
				},
				{
					Name: "github.com/BurntSushi/xgb", Version: "v0.0.0-20160522181843-27f122750802",
					PURL:      "pkg:golang/github.com/BurntSushi/xgb@v0.0.0-20160522181843-27f122750802",
					BOMRef:    "pkg:golang/github.com/BurntSushi/xgb@v0.0.0-20160522181843-27f122750802",
					Type:      "library",
					Licenses:  []string{"BSD-3-Clause", "GooglePatentClause"}, // id, then name
					Hashes:    map[string]string{"SHA-256": "d410d3cf4bbd9c2dfffe938231d347f828972556098795103423811bb8db10b7"},
					Ecosystem: "Go",
				},
				{
					Name: "gopkg.in/yaml.v3", Version: "v3.0.0-20200313102051-9f266ea9e77c",
					PURL:      "pkg:golang/gopkg.in/yaml.v3@v3.0.0-20200313102051-9f266ea9e77c",
					BOMRef:    "pkg:golang/gopkg.in/yaml.v3@v3.0.0-20200313102051-9f266ea9e77c",
					Type:      "library",
					Licenses:  []string{"Apache-2.0", "MIT"},
					Hashes:    map[string]string{"SHA-256": "7545301e4d90102a3feafa80e38aed859f227b641730d78a4531c2358da75efa"},
					Ecosystem: "Go",
				},
				{
					Name: "github.com/dgrijalva/jwt-go", Version: "v3.2.0",
					PURL:      "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0",
					BOMRef:    "pkg:golang/github.com/dgrijalva/jwt-go@v3.2.0",
					Type:      "library",
					Hashes:    map[string]string{"SHA-256": "d2b9d7df363078b7430fbcdb250dd4d9ee4e0d47558a64736ba797e38e8829dc"},
					Ecosystem: "Go",
				},
			},
		},
		{
			file:    []string{"cyclonedx", "hbom-pcie-sata-adapter-board.json"},
			format:  "cyclonedx-1.4-json",
			subject: "pcie-sata-adaptor-board", subjV: "rev-1",
			counts: counts{Components: 6, WithSupplier: 6,
				Ecosystems: map[string]int{"": 6}, Types: map[string]int{"device": 6}},
			want: []model.Component{
				{Name: "PCIE-098-02-F-D-EMS2", Version: "2.9.10", BOMRef: "PCIE-098-02-F-D-EMS2", Type: "device", Supplier: "Samtec"},
				{Name: "47155-4001", BOMRef: "molex-47155-4001", Type: "device", Supplier: "Molex"},
				{Name: "826632-3", BOMRef: "826632-3", Type: "device", Supplier: "TE Connectivity"},
				{Name: "MP000003", BOMRef: "MP000003", Type: "device", Supplier: "Multicomp"},
			},
		},
		{
			file:    []string{"cyclonedx", "vex-affected.json"},
			format:  "cyclonedx-1.4-json",
			subject: "DEF", subjV: "1.0",
			counts: counts{Ecosystems: map[string]int{}, Types: map[string]int{}},
			vex: []model.VEXStatement{{
				Vulnerability: "CVE-2021-44228", Component: "product-DEF", State: "exploitable",
				Detail: "This version of Product DEF is affected by the vulnerability. Customers are advised to upgrade to the latest release.",
			}},
		},
		{
			file:   []string{"cyclonedx", "valid-component-types-1.6.json"},
			format: "cyclonedx-1.6-json",
			counts: counts{Components: 9, Ecosystems: map[string]int{"": 9}, Types: map[string]int{
				"application": 1, "library": 1, "framework": 1, "container": 1, "operating-system": 1,
				"firmware": 1, "device": 1, "file": 1, "data": 1}},
			want: []model.Component{
				{Name: "firmware-a", Version: "1.0", Type: "firmware"},
				{Name: "operating-system-a", Version: "1.0", Type: "operating-system"},
			},
		},
		{
			file:   []string{"cyclonedx", "valid-license-id-1.6.json"},
			format: "cyclonedx-1.6-json",
			counts: counts{Components: 1, WithLicenses: 1, WithHashes: 1, WithPURL: 1, WithSupplier: 1,
				Ecosystems: map[string]int{"Maven": 1}, Types: map[string]int{"application": 1}},
			want: []model.Component{tomcat("Apache-2.0")},
		},
		{
			file:   []string{"cyclonedx", "valid-license-expression-1.6.json"},
			format: "cyclonedx-1.6-json",
			counts: counts{Components: 1, WithLicenses: 1, WithHashes: 1, WithPURL: 1, WithSupplier: 1,
				Ecosystems: map[string]int{"Maven": 1}, Types: map[string]int{"application": 1}},
			want: []model.Component{tomcat("EPL-2.0 OR GPL-2.0 WITH Classpath-exception-2.0")},
		},
		{
			file:    []string{"spdx", "SPDXJSONExample-v2.3.spdx.json"},
			format:  "spdx-2.3-json",
			subject: "glibc", subjV: "2.11.1",
			counts: counts{Components: 5, WithLicenses: 2, WithHashes: 2, WithPURL: 1, WithCPE: 1, WithSupplier: 1, WithEOS: 1,
				Ecosystems: map[string]int{"": 4, "Maven": 1}, Types: map[string]int{"": 4, "container": 1}},
			want: spdxExampleWant,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file[1], func(t *testing.T) {
			sb := parseFile(t, fixtures.Path(t, tt.file...))
			if filepath.Base(sb.Source) != tt.file[1] || sb.Format != tt.format || sb.Subject != tt.subject || sb.SubjectVersion != tt.subjV {
				t.Errorf("source/format/subject = %q %q %q %q, want %q %q %q %q",
					sb.Source, sb.Format, sb.Subject, sb.SubjectVersion, tt.file[1], tt.format, tt.subject, tt.subjV)
			}
			if sb.Model != "" || sb.Firmware != "" {
				t.Errorf("model/firmware set by the parser: %q %q (the manifest binds them)", sb.Model, sb.Firmware)
			}
			if diff := cmp.Diff(tt.counts, count(sb.Components)); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.vex, sb.VEX); diff != "" {
				t.Errorf("VEX (-want +got):\n%s", diff)
			}
			got := map[string]model.Component{}
			for _, c := range sb.Components {
				got[c.BOMRef+"|"+c.Name] = c
			}
			for _, w := range tt.want {
				if diff := cmp.Diff(w, got[w.BOMRef+"|"+w.Name]); diff != "" {
					t.Errorf("component %s (-want +got):\n%s", w.Name, diff)
				}
			}
		})
	}
}

func tomcat(license string) model.Component {
	return model.Component{
		Name: "tomcat-catalina", Version: "9.0.14", Type: "application",
		PURL:      "pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar",
		Supplier:  "Acme Inc", // publisher: no supplier in the file
		Licenses:  []string{license},
		Ecosystem: "Maven",
		Hashes: map[string]string{
			"MD5":     "3942447fac867ae5cdb3229b658f4d48",
			"SHA-1":   "e6b1000b94e835ffd37f4c6dcbdad43f4b48a02a",
			"SHA-256": "f498a8ff2dd007e29c2074f5e4b01a9a01775c3ff3aeaf6906ea503bc5791b7b",
			"SHA-512": "e8f33e424f3f4ed6db76a482fde1a5298970e442c531729119e37991884bdffab4f9426b7ee11fccd074eeda0634d71697d6f88a460dce0ac8d627a29f7d1282",
		},
	}
}

// spdxExampleWant is every package of the SPDX 2.3 example, in order.
var spdxExampleWant = []model.Component{
	{
		Name: "glibc", Version: "2.11.1", BOMRef: "SPDXRef-Package",
		CPEs:     []string{"cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*"},
		Supplier: "Jane Doe (jane.doe@example.com)", // "Person: " dropped
		Licenses: []string{"(LGPL-2.0-only OR LicenseRef-3)", "(LGPL-2.0-only AND LicenseRef-3)"},
		Hashes: map[string]string{
			"MD5":     "624c1abb3664f4b35547e7c73864ad24",
			"SHA-1":   "85ed0817af83a24ad8da68c2b5094de69833983c",
			"SHA-256": "11b6d3ee554eedf79299905a98f9b9a04e498210b59f15094c916c91d150efcd",
		},
	},
	{Name: "Apache Commons Lang", BOMRef: "SPDXRef-fromDoap-1"}, // NOASSERTION licences skipped
	{Name: "Jena", Version: "3.12.0", BOMRef: "SPDXRef-fromDoap-0", PURL: "pkg:maven/org.apache.jena/apache-jena@3.12.0", Ecosystem: "Maven"},
	{Name: "Saxon", Version: "8.8", BOMRef: "SPDXRef-Saxon", Licenses: []string{"MPL-1.0"}, // concluded = declared, once
		Hashes: map[string]string{"SHA-1": "85ed0817af83a24ad8da68c2b5094de69833983c"}},
	{Name: "centos", Version: "centos7.9.2009", BOMRef: "SPDXRef-CentOS-7", Type: "container",
		EndOfSupport: mustTime("2022-10-15T02:38:00Z")}, // validUntilDate
}

func mustTime(s string) model.Timestamp {
	v, err := model.ParseTimestamp(s)
	if err != nil {
		panic(err)
	}
	return v
}

// TestSPDXExampleOrder checks the SPDX example in full, in document order.
func TestSPDXExampleOrder(t *testing.T) {
	sb := parseFile(t, fixtures.Path(t, "spdx", "SPDXJSONExample-v2.3.spdx.json"))
	if diff := cmp.Diff(spdxExampleWant, sb.Components); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if sb.EndOfSupport.Set() {
		t.Errorf("subject glibc has no validUntilDate, got EndOfSupport %v", sb.EndOfSupport)
	}
}

// ignoreSource compares two SBOMs read from different encodings.
var ignoreSource = cmpopts.IgnoreFields(model.SBOM{}, "Source", "Format")

// TestXMLMatchesJSON checks the hand-converted CycloneDX XML files (1.4,
// 1.5, 1.6) against the JSON they were converted from.
func TestXMLMatchesJSON(t *testing.T) {
	t.Run("1.4 proton-bridge subset", func(t *testing.T) {
		x := parseFile(t, filepath.Join("testdata", "proton-bridge-subset-1.4.cdx.xml"))
		j := parseFile(t, fixtures.Path(t, "cyclonedx", "sbom-proton-bridge-v1.8.0.json"))
		if x.Format != "cyclonedx-1.4-xml" || len(x.Components) != 4 {
			t.Fatalf("format %q, %d components; want cyclonedx-1.4-xml, 4", x.Format, len(x.Components))
		}
		if x.Subject != j.Subject || x.SubjectVersion != j.SubjectVersion {
			t.Errorf("subject %q %q, JSON has %q %q", x.Subject, x.SubjectVersion, j.Subject, j.SubjectVersion)
		}
		jm := byRef(t, j.Components)
		for _, c := range x.Components {
			if diff := cmp.Diff(jm[c.BOMRef], c); diff != "" {
				t.Errorf("%s (-json +xml):\n%s", c.Name, diff)
			}
		}
	})
	t.Run("1.5 hbom", func(t *testing.T) {
		x := parseFile(t, filepath.Join("testdata", "hbom-pcie-sata-1.5.cdx.xml"))
		j := parseFile(t, fixtures.Path(t, "cyclonedx", "hbom-pcie-sata-adapter-board.json"))
		if x.Format != "cyclonedx-1.5-xml" {
			t.Errorf("format %q", x.Format)
		}
		if diff := cmp.Diff(j, x, ignoreSource); diff != "" {
			t.Errorf("(-json +xml):\n%s", diff)
		}
	})
	t.Run("1.6 gateway firmware", func(t *testing.T) {
		x := parseFile(t, filepath.Join("testdata", "gateway-fw-1.6.cdx.xml"))
		j := parseFile(t, filepath.Join("testdata", "gateway-fw-1.6.cdx.json"))
		if x.Format != "cyclonedx-1.6-xml" || j.Format != "cyclonedx-1.6-json" {
			t.Errorf("formats %q %q", x.Format, j.Format)
		}
		if diff := cmp.Diff(j, x, ignoreSource); diff != "" {
			t.Errorf("(-json +xml):\n%s", diff)
		}
	})
}

// TestTagValueMatchesJSON checks the hand-written SPDX tag-value files
// against the JSON documents they mirror.
func TestTagValueMatchesJSON(t *testing.T) {
	t.Run("2.3 example", func(t *testing.T) {
		tv := parseFile(t, filepath.Join("testdata", "spdx-example-2.3.spdx"))
		j := parseFile(t, fixtures.Path(t, "spdx", "SPDXJSONExample-v2.3.spdx.json"))
		if tv.Format != "spdx-2.3-tag-value" {
			t.Errorf("format %q", tv.Format)
		}
		if diff := cmp.Diff(j, tv, ignoreSource); diff != "" {
			t.Errorf("(-json +tag-value):\n%s", diff)
		}
	})
	t.Run("2.2 gateway", func(t *testing.T) {
		tv := parseFile(t, filepath.Join("testdata", "gateway-fw-2.2.spdx"))
		j := parseFile(t, filepath.Join("testdata", "gateway-fw-2.2.spdx.json"))
		if tv.Format != "spdx-2.2-tag-value" || j.Format != "spdx-2.2-json" {
			t.Errorf("formats %q %q", tv.Format, j.Format)
		}
		if diff := cmp.Diff(j, tv, ignoreSource); diff != "" {
			t.Errorf("(-json +tag-value):\n%s", diff)
		}
		want := &model.SBOM{
			Source: filepath.Join("testdata", "gateway-fw-2.2.spdx"), Format: "spdx-2.2-tag-value",
			Subject: "gw100-firmware", SubjectVersion: "2.4.1",
			Components: []model.Component{
				{
					Name: "gw100-firmware", Version: "2.4.1", BOMRef: "SPDXRef-firmware",
					CPEs:     []string{"cpe:2.3:o:example:gw100_firmware:2.4.1:*:*:*:*:*:*:*"},
					Supplier: "Example Devices Ltd", Licenses: []string{"LicenseRef-Proprietary"},
					Hashes: map[string]string{"SHA-256": "3b2c6f0a5e1d4c7b8a9f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3"},
				},
				{
					Name: "busybox", Version: "1.36.1", BOMRef: "SPDXRef-busybox",
					PURL: "pkg:apk/alpine/busybox@1.36.1-r2?arch=armv7&distro=alpine-3.18.4",
					CPEs: []string{"cpe:/a:busybox:busybox:1.36.1", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"},
					// supplier NOASSERTION and licence NONE are skipped
					Licenses: []string{"GPL-2.0-only"}, Ecosystem: "Alpine:v3.18",
				},
				{
					Name: "mosquitto", Version: "2.0.18", BOMRef: "SPDXRef-mosquitto",
					PURL: "pkg:generic/mosquitto@2.0.18", Supplier: "Eclipse Foundation",
					Licenses: []string{"EPL-2.0 OR BSD-3-Clause"},
					Hashes:   map[string]string{"SHA-1": "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"},
				},
			},
		}
		if diff := cmp.Diff(want, tv); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// TestGatewayFirmware checks nesting, subject skipping, duplicate
// bom-refs, supplier fallbacks, lifecycle properties, purl redaction and
// VEX on the hand-written CycloneDX 1.6 firmware SBOM.
func TestGatewayFirmware(t *testing.T) {
	sb := parseFile(t, filepath.Join("testdata", "gateway-fw-1.6.cdx.json"))
	busyboxRef := "pkg:deb/debian/busybox@1:1.35.0-4+b3?arch=armhf&distro=debian-12"
	vendorSDK := "pkg:maven/com.example/vendor-sdk@4.2.0?repository_url=https:%2F%2Frepo.example.com%2Fmaven2"
	want := &model.SBOM{
		Source: filepath.Join("testdata", "gateway-fw-1.6.cdx.json"), Format: "cyclonedx-1.6-json",
		Subject: "gw100-firmware", SubjectVersion: "2.4.1",
		// metadata.component's property wins over metadata.properties
		EndOfSupport: mustTime("2029-12-31"),
		Components: []model.Component{
			{Name: "gw100-rootfs", Version: "2.4.1", BOMRef: "rootfs", Type: "operating-system",
				Supplier: "Example Devices firmware team"}, // author
			{
				Name: "busybox", Version: "1:1.35.0-4+b3", BOMRef: busyboxRef, PURL: busyboxRef, Type: "application",
				CPEs:     []string{"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"},
				Supplier: "Debian Project", Licenses: []string{"GPL-2.0-only"}, Ecosystem: "Debian:12",
				EndOfLife: mustTime("2028-06-30"),
			},
			{
				Name: "openssl", Version: "3.0.11-1~deb12u2", BOMRef: "openssl", Type: "library",
				PURL:     "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=armhf&distro=bookworm",
				Supplier: "Debian Project", Licenses: []string{"Apache-2.0"}, Ecosystem: "Debian:12",
				Hashes: map[string]string{ // lower-cased
					"SHA-1":   "2a7c1f3e9b0d4c5e6f708192a3b4c5d6e7f80912",
					"SHA-256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
				},
				EndOfSupport: mustTime("2026-09-07"), // endOfGuaranteedSupport
			},
			{Name: "telemetry-agent", Version: "1.3.0", BOMRef: "telemetry-agent", Type: "container"},
			{Name: "zlib", Version: "1.2.13-r1", BOMRef: "zlib", Type: "library", Licenses: []string{"Zlib"},
				PURL: "pkg:apk/alpine/zlib@1.2.13-r1?arch=aarch64&distro=alpine-3.18.4", Ecosystem: "Alpine:v3.18"},
			{Name: "paho-mqtt", Version: "1.6.1", BOMRef: "paho-mqtt", Type: "library", PURL: "pkg:pypi/paho-mqtt@1.6.1",
				Supplier: "Eclipse Foundation", Licenses: []string{"EPL-2.0 OR BSD-3-Clause"}, Ecosystem: "PyPI",
				EndOfSupport: mustTime("2025-06-30T12:00:00Z")},
			// the subject repeated in components is skipped, its child kept
			{Name: "u-boot", Version: "2023.07", BOMRef: "u-boot", Type: "firmware", PURL: "pkg:generic/u-boot@2023.07",
				CPEs:     []string{"cpe:2.3:a:denx:u-boot:2023.07:*:*:*:*:*:*:*"},
				Supplier: "DENX Software Engineering", Licenses: []string{"GPL-2.0-or-later"}}, // manufacturer
			// the second "openssl" bom-ref is dropped
			// the credentials in repository_url are dropped on read, from
			// the purl and from the bom-ref that repeats it
			{Name: "vendor-sdk", Version: "4.2.0", BOMRef: vendorSDK, Type: "library", Ecosystem: "Maven", PURL: vendorSDK},
		},
		VEX: []model.VEXStatement{
			{Vulnerability: "CVE-2023-5678", Component: "openssl", State: "not_affected",
				Justification: "code_not_reachable", Detail: "The gateway never calls DH_check with untrusted parameters."},
			// a BOM-Link is reduced to the bom-ref it names
			{Vulnerability: "CVE-2022-48174", Component: busyboxRef, State: "exploitable",
				Detail: "ash is reachable from the maintenance shell.\nUpdate to firmware 2.4.2."},
			{Vulnerability: "CVE-2021-44228", Component: vendorSDK, State: "in_triage"},
			// CVE-2024-0001 has no analysis: a finding, not a VEX statement
		},
	}
	if diff := cmp.Diff(want, sb); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	b, err := json.Marshal(sb)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("s3cr3t")) || bytes.Contains(b, []byte("ci-bot")) {
		t.Errorf("credentials stored: %s", b)
	}
}

// TestEndOfSupportOnBOM reads the subject's end of support from
// metadata.properties when metadata.component has none, and accepts
// endOfGuaranteedSupport there too.
func TestEndOfSupportOnBOM(t *testing.T) {
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{
	  "component":{"type":"firmware","name":"cam-fw","version":"7.1"},
	  "properties":[{"name":"cdx:lifecycle:milestone:endOfGuaranteedSupport","value":"2027-01-31"}]},
	  "components":[{"type":"library","name":"cam-fw","version":"7.1"},{"type":"library","name":"lib","version":"1"}]}`
	sb, err := Parse("cam.cdx.json", stringsReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.EndOfSupport.String(); got != "2027-01-31" {
		t.Errorf("EndOfSupport = %q, want 2027-01-31", got)
	}
	// the subject has no bom-ref: the copy is recognised by name+version+purl
	if len(sb.Components) != 1 || sb.Components[0].Name != "lib" {
		t.Errorf("components = %+v, want only lib", sb.Components)
	}
}

func TestParseFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := ParseFile(filepath.Join(dir, "nope.json"))
	if !os.IsNotExist(err) || errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want not-exist and not ErrFormat", err)
	}
	bad := filepath.Join(dir, "fw-1.0", "bom.json")
	if err := os.MkdirAll(filepath.Dir(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ParseFile(bad)
	if !errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), bad+": components[0]: ") {
		t.Fatalf("err = %v, want an ErrFormat naming %s and components[0]", err, bad)
	}
}

// TestSPDXSubject picks the first described package in relationship
// order, accepts DESCRIBED_BY, ignores described files and drops packages
// whose SPDXID repeats.
func TestSPDXSubject(t *testing.T) {
	tests := []struct {
		name, doc, subject, version string
		components                  int
	}{
		{"relationship order", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[
			{"SPDXID":"SPDXRef-b","name":"b","versionInfo":"2"},{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1"},{"SPDXID":"SPDXRef-a","name":"a-copy"}],
			"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-File","relationshipType":"DESCRIBES"},
			{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-a","relationshipType":"DESCRIBES"},
			{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-b","relationshipType":"DESCRIBES"}]}`, "a", "1", 2},
		{"described by", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1"},{"SPDXID":"SPDXRef-b","name":"b"}],
			"relationships":[{"spdxElementId":"SPDXRef-b","relatedSpdxElement":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBED_BY"}]}`, "b", "", 2},
		{"documentDescribes", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","documentDescribes":["SPDXRef-b"],"packages":[{"SPDXID":"SPDXRef-a","name":"a"},{"SPDXID":"SPDXRef-b","name":"b","versionInfo":"9"}]}`, "b", "9", 2},
		{"nothing described", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-a","name":"a"}]}`, "", "", 1},
		{"external document", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-a","name":"a"}],
			"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"DocumentRef-other:SPDXRef-a","relationshipType":"DESCRIBES"}]}`, "", "", 1},
	}
	for _, tt := range tests {
		sb, err := Parse(tt.name, strings.NewReader(tt.doc))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if sb.Subject != tt.subject || sb.SubjectVersion != tt.version || len(sb.Components) != tt.components {
			t.Errorf("%s: subject %q %q, %d components; want %q %q, %d", tt.name, sb.Subject, sb.SubjectVersion, len(sb.Components), tt.subject, tt.version, tt.components)
		}
	}
}

func BenchmarkParseProtonBridge(b *testing.B) {
	data, err := os.ReadFile(fixtures.Path(b, "cyclonedx", "sbom-proton-bridge-v1.8.0.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("bom.json", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// ParseFiles gives what ParseFile gives, in order, and the error of the
// first path that fails.
func TestParseFiles(t *testing.T) {
	paths := []string{"testdata/gateway-fw-1.6.cdx.json", "testdata/gateway-fw-2.2.spdx", "testdata/spdx-example-2.3.spdx",
		"testdata/gateway-fw-1.6.cdx.xml", "testdata/hbom-pcie-sata-1.5.cdx.xml"}
	for _, workers := range []int{1, 2, 7} {
		got, err := ParseFiles(paths, workers)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range paths {
			want, err := ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got[i]); diff != "" {
				t.Errorf("workers %d, %s (-ParseFile +ParseFiles):\n%s", workers, p, diff)
			}
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"bomFormat": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ParseFiles([]string{paths[0], "testdata/missing.json", bad}, 2)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want the missing file's error, the first in order", err)
	}
	if got, err := ParseFiles(nil, 0); err != nil || len(got) != 0 {
		t.Errorf("no paths: %v, %v", got, err)
	}
}
