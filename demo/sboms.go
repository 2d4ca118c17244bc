package demo

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/iotguard/iotguard/model"
)

// SBOMs of the firmware the fleet runs: CycloneDX 1.6 JSON as the vendors'
// build tools write it, an SPDX 2.3 JSON document for the gateway's Debian
// image, and a thin CycloneDX 1.4 file from the DC2's integrator.
//
// Deliberate problems:
//   - thermostat firmware 2.3.4 (still on 14 depot thermostats) has no SBOM,
//     while 2.4.0 and 2.4.1 have one (sbom-per-firmware);
//   - the DC2 SBOM leaves components without supplier, identifier or
//     licence (sbom-supplier-complete);
//   - gateway firmware 3.1.0 bundles Node.js 16, past its end of life
//     (component-end-of-life);
//   - the thermostat model declares no support end: its SBOMs do
//     (metadata.component property), which fills the gap;
//   - components that the vulnerability database knows as affected, and
//     a VEX statement that suppresses one advisory (see vulnerabilities()).

// component is one SBOM component.
type component struct {
	name, version string
	kind          string // CycloneDX component type
	supplier      string
	purl, cpe     string
	licenses      []string // SPDX IDs or expressions; "name:..." for a licence name
	endOfLife     string   // cdx:lifecycle:milestone:endOfLife
	description   string
}

// vexStatement is a CycloneDX VEX statement inside an SBOM.
type vexStatement struct {
	id, source, sourceURL string
	state, justification  string
	detail                string
	affects               string // bom-ref
}

// sbomSpec is one firmware's SBOM.
type sbomSpec struct {
	model, firmware string
	spdx            bool   // SPDX 2.3 JSON instead of CycloneDX
	spec            string // CycloneDX spec version
	// thin: an integrator's file without tool metadata, hashes or a
	// subject purl.
	thin       bool
	components []component
	vex        []vexStatement
	// subjectEndOfSupport writes the model's end of support, in years
	// from now, as a metadata.component property.
	subjectEndOfSupport int
	// vulnerable says which advisories of the demo's vulnerability
	// database affect this firmware (vulnerable-firmware), if any.
	vulnerable string
	// problems are the deliberate SBOM problems: check ID -> what.
	problems map[string]string
}

func (s *sbomSpec) fileName() string {
	if s.spdx {
		return s.model + "-" + s.firmware + ".spdx.json"
	}
	return s.model + "-" + s.firmware + ".cdx.json"
}

// vendor is how a model's supplier names itself and its firmware.
type vendor struct {
	name, site, product string
	licence             string // the vendor's own firmware licence (a name)
}

var vendors = map[string]vendor{
	camX200: {"Veridian Optics", "https://veridian-optics.example", "x200-firmware", "Veridian Optics Firmware EULA"},
	thermo:  {"Calida Climate", "https://calida.example", "t500-firmware", "Calida Climate Software Licence"},
	doorDC4: {"Portis Security", "https://portis.example", "dc4-firmware", "Portis Security EULA"},
	doorDC2: {"Portis Security", "https://portis.example", "dc2-firmware", "Portis Security EULA"},
	gateway: {"Stratum Networks", "https://stratum-networks.example", "eg300-firmware", "Stratum Networks EULA"},
	sensor:  {"Aeris Sense", "https://aeris-sense.example", "s3-firmware", "Aeris Sense Firmware Licence"},
	speaker: {"Sonora Audio", "https://sonora-audio.example", "m1-firmware", "Sonora Audio EULA"},
}

// Component constructors for the usual embedded-Linux and RTOS parts.

func kernel(v string) component {
	return component{name: "linux", version: v, kind: "operating-system", supplier: "The Linux Kernel Organization",
		purl: "pkg:generic/linux@" + v, cpe: cpe("o", "linux", "linux_kernel", v), licenses: []string{"GPL-2.0-only"},
		description: "Linux kernel"}
}

func generic(name, v, kind, supplier, cpeVendor, cpeProduct string, licences ...string) component {
	c := component{name: name, version: v, kind: kind, supplier: supplier, purl: "pkg:generic/" + name + "@" + v, licenses: licences}
	if cpeProduct != "" {
		c.cpe = cpe("a", cpeVendor, cpeProduct, v)
	}
	return c
}

func busybox(v string) component {
	return generic("busybox", v, "application", "BusyBox", "busybox", "busybox", "GPL-2.0-only")
}

func openssl(v string) component {
	return generic("openssl", v, "library", "OpenSSL Software Foundation", "openssl", "openssl", "Apache-2.0")
}

func npm(name, v, supplier string) component {
	p := "pkg:npm/" + strings.ReplaceAll(url.PathEscape(name), "%2F", "/") + "@" + v
	return component{name: name, version: v, kind: "library", supplier: supplier, purl: p, licenses: []string{"MIT"}}
}

func gomod(path, v, supplier string, licences ...string) component {
	return component{name: path, version: v, kind: "library", supplier: supplier, purl: "pkg:golang/" + path + "@" + v, licenses: licences}
}

// deb is a Debian 12 source package as syft reports it.
func deb(name, v string, licences ...string) component {
	return component{name: name, version: v, kind: "library", supplier: "Debian Project",
		purl: "pkg:deb/debian/" + name + "@" + purlVersion(v) + "?distro=debian-12", licenses: licences}
}

func github(owner, repo, v, kind, supplier string, licences ...string) component {
	return component{name: repo, version: v, kind: kind, supplier: supplier,
		purl: "pkg:github/" + owner + "/" + repo + "@v" + v, licenses: licences}
}

func vendorApp(modelID, name, v, description string) component {
	vd := vendors[modelID]
	ns := strings.ToLower(strings.ReplaceAll(vd.name, " ", "-"))
	return component{name: name, version: v, kind: "application", supplier: vd.name,
		purl: "pkg:generic/" + ns + "/" + name + "@" + v, licenses: []string{"name:" + vd.licence}, description: description}
}

func cpe(part, vendor, product, version string) string {
	return fmt.Sprintf("cpe:2.3:%s:%s:%s:%s:*:*:*:*:*:*:*", part, vendor, product, version)
}

// purlVersion percent-encodes the characters a purl version may not carry
// as they are ('+' reads as a space in some decoders).
func purlVersion(v string) string { return strings.ReplaceAll(v, "+", "%2B") }

func with(c component, f func(*component)) component {
	f(&c)
	return c
}

// sbomSpecs lists the SBOM of every firmware in service except thermostat
// 2.3.4.
func sbomSpecs() []sbomSpec {
	camBase := func(kernelV, app, lodash string) []component {
		return []component{
			kernel(kernelV),
			generic("u-boot", "2022.01", "firmware", "DENX Software Engineering", "denx", "u-boot", "GPL-2.0-or-later"),
			busybox("1.36.1"),
			openssl("3.0.13"),
			generic("zlib", "1.3.1", "library", "Jean-loup Gailly and Mark Adler", "zlib", "zlib", "Zlib"),
			generic("lighttpd", "1.4.76", "application", "lighttpd", "lighttpd", "lighttpd", "BSD-3-Clause"),
			generic("gstreamer", "1.22.12", "framework", "GStreamer project", "gstreamer_project", "gstreamer", "LGPL-2.1-or-later"),
			generic("live555", "2024.05.30", "library", "Live Networks", "live555", "streaming_media", "LGPL-3.0-or-later"),
			vendorApp(camX200, "vms-agent", app, "Veridian video management agent"),
			npm("preact", "10.19.3", "Preact"),
			npm("lodash", lodash, "OpenJS Foundation"),
			npm("axios", "1.7.2", "Axios project"),
		}
	}
	speakerBase := func(kernelV, alsa, pipewire, app, vue, axios string) []component {
		return []component{
			kernel(kernelV),
			busybox("1.36.1"),
			openssl("3.0.13"),
			generic("alsa-lib", alsa, "library", "ALSA project", "alsa-project", "alsa", "LGPL-2.1-or-later"),
			generic("pipewire", pipewire, "framework", "PipeWire project", "pipewire", "pipewire", "MIT"),
			vendorApp(speaker, "meet-voice-agent", app, "Sonora wake-word and voice agent"),
			npm("vue", vue, "Vue.js"),
			npm("axios", axios, "Axios project"),
		}
	}
	doorBase := func(kernelV, sqlite, app string) []component {
		return []component{
			kernel(kernelV),
			generic("u-boot", "2021.01", "firmware", "DENX Software Engineering", "denx", "u-boot", "GPL-2.0-or-later"),
			busybox("1.36.1"),
			openssl("3.0.13"),
			generic("sqlite", sqlite, "library", "SQLite Consortium", "sqlite", "sqlite", "blessing"),
			generic("libgpiod", "1.6.4", "library", "libgpiod project", "", "", "LGPL-2.1-or-later"),
			generic("civetweb", "1.16", "application", "CivetWeb project", "civetweb_project", "civetweb", "MIT"),
			vendorApp(doorDC4, "access-daemon", app, "Portis door and fire-release controller"),
		}
	}
	gatewayBase := func(linux, node, bridge, xnet string) []component {
		upstream, _, _ := strings.Cut(linux, "-")
		return []component{
			with(deb("linux", linux, "GPL-2.0-only"), func(c *component) {
				c.kind, c.cpe = "operating-system", cpe("o", "linux", "linux_kernel", upstream)
			}),
			deb("openssl", "3.0.11-1~deb12u2", "Apache-2.0"),
			deb("glibc", "2.36-9+deb12u7", "LGPL-2.1-or-later"),
			deb("mosquitto", "2.0.11-1.2+deb12u1", "EPL-2.0 OR BSD-3-Clause"),
			generic("node", node, "platform", "OpenJS Foundation", "nodejs", "node.js", "MIT"),
			with(vendorApp(gateway, "eg300-bridge", bridge, "Stratum MQTT bridge and local API"), func(c *component) {
				c.purl = "pkg:golang/stratum-networks.example/eg300/bridge@v" + bridge
			}),
			gomod("golang.org/x/net", xnet, "The Go Authors", "BSD-3-Clause"),
			gomod("github.com/eclipse/paho.mqtt.golang", "v1.4.3", "Eclipse Foundation", "EPL-2.0"),
		}
	}
	thermoBase := func(zephyr, mbedtls, mcuboot, app string) []component {
		return []component{
			with(github("zephyrproject-rtos", "zephyr", zephyr, "operating-system", "Zephyr Project", "Apache-2.0"), func(c *component) {
				c.cpe = cpe("o", "zephyrproject", "zephyr", zephyr)
			}),
			with(github("Mbed-TLS", "mbedtls", mbedtls, "library", "Trusted Firmware", "Apache-2.0"), func(c *component) {
				c.cpe = cpe("a", "arm", "mbed_tls", mbedtls)
			}),
			github("mcu-tools", "mcuboot", mcuboot, "firmware", "MCUboot project", "Apache-2.0"),
			github("obgm", "libcoap", "4.3.4", "library", "libcoap project", "BSD-2-Clause"),
			vendorApp(thermo, "t500-app", app, "Calida thermostat control application"),
		}
	}
	sensorBase := func(idf, freertos, mbedtls, app string) []component {
		return []component{
			github("espressif", "esp-idf", idf, "framework", "Espressif Systems", "Apache-2.0"),
			github("FreeRTOS", "FreeRTOS-Kernel", freertos, "operating-system", "Amazon Web Services", "MIT"),
			generic("lwip", "2.1.3", "library", "lwIP project", "lwip_project", "lwip", "BSD-3-Clause"),
			with(github("Mbed-TLS", "mbedtls", mbedtls, "library", "Trusted Firmware", "Apache-2.0"), func(c *component) {
				c.cpe = cpe("a", "arm", "mbed_tls", mbedtls)
			}),
			vendorApp(sensor, "s3-app", app, "Aeris air-quality and occupancy application"),
		}
	}

	return []sbomSpec{
		{model: camX200, firmware: "4.2.1", spec: "1.6", components: camBase("5.15.167", "4.2.1", "4.17.21")},
		{
			model: camX200, firmware: "4.2.0", spec: "1.6", components: camBase("5.15.0", "4.2.0", "4.17.20"),
			vulnerable: "cameras still on X200 firmware 4.2.0 run Linux 5.15.0 with the known-exploited nf_tables flaw CVE-2024-1086 (CISA KEV); 4.2.1 fixes it",
			vex: []vexStatement{{
				id: "CVE-2021-23337", source: "NVD", sourceURL: "https://nvd.nist.gov/vuln/detail/CVE-2021-23337",
				state: "not_affected", justification: "code_not_reachable",
				detail:  "The X200 web UI bundles lodash for debounce and merge only; _.template is never called, so the command injection cannot be reached.",
				affects: "pkg:npm/lodash@4.17.20",
			}},
		},
		{model: speaker, firmware: "12.6", spec: "1.6", components: speakerBase("6.1.90", "1.2.11", "1.0.5", "12.6", "3.4.21", "1.6.8")},
		{
			model: speaker, firmware: "12.4", spec: "1.6", components: speakerBase("6.1.82", "1.2.10", "1.0.3", "12.4", "3.3.4", "1.5.1"),
			vulnerable: "speakers on firmware 12.4 bundle axios 1.5.1 in their web UI, which leaks the XSRF token (GHSA-wf5p-g6vw-rhxx)",
		},
		{model: doorDC4, firmware: "7.1.3", spec: "1.6", components: doorBase("5.10.219", "3.45.1", "7.1.3")},
		{model: doorDC4, firmware: "7.1.0", spec: "1.6", components: doorBase("5.10.215", "3.44.2", "7.1.0")},
		{
			// The integrator's SBOM: suppliers, identifiers and licences
			// missing, so advisories cannot be matched to half of it.
			model: doorDC2, firmware: "3.2.7", spec: "1.4", thin: true,
			problems: map[string]string{
				"sbom-supplier-complete": "the DC2 integrator's SBOM leaves components without supplier, purl or licence, so advisories cannot be matched to them",
			},
			components: []component{
				{name: "linux", version: "4.9.337", kind: "operating-system", licenses: []string{"GPL-2.0-only"}},
				with(busybox("1.31.1"), func(c *component) { c.supplier = "" }),
				with(openssl("1.0.2u"), func(c *component) { c.licenses = nil }),
				generic("lighttpd", "1.4.55", "application", "", "lighttpd", "lighttpd"),
				{name: "uclibc-ng", version: "1.0.31", kind: "library", purl: "pkg:generic/uclibc-ng@1.0.31", licenses: []string{"LGPL-2.1-or-later"}},
				{name: "dc2-controller", version: "3.2.7", kind: "application", supplier: "Portis Security", licenses: []string{"name:Portis Security EULA"}},
			},
		},
		{
			model: gateway, firmware: "3.1.2", spdx: true, components: gatewayBase("6.1.106-3", "20.18.1", "3.1.2", "v0.33.0"),
			vulnerable: "the gateway's current firmware 3.1.2 still ships Debian's openssl 3.0.11 (DEBIAN-CVE-2024-0727, fixed in 3.0.13-1~deb12u1): no fixed firmware exists yet",
		},
		{
			model: gateway, firmware: "3.1.0", spec: "1.6",
			vulnerable: "gateways still on 3.1.0 also bundle golang.org/x/net v0.21.0 (HTTP/2 CONTINUATION flood, GO-2024-2687) besides the old openssl",
			problems: map[string]string{
				"component-end-of-life": "gateway firmware 3.1.0 bundles Node.js 16, past its end of life since September 2023",
			},
			components: func() []component {
				cs := gatewayBase("6.1.99-1", "16.20.2", "3.1.0", "v0.21.0")
				for i := range cs {
					if cs[i].name == "node" {
						cs[i].endOfLife = "2023-09-11" // Node.js 16 reached end of life on 11 September 2023
					}
				}
				return cs
			}(),
		},
		{model: thermo, firmware: "2.4.1", spec: "1.6", subjectEndOfSupport: 5, components: thermoBase("3.6.0", "3.5.2", "2.1.0", "2.4.1")},
		{model: thermo, firmware: "2.4.0", spec: "1.6", subjectEndOfSupport: 5, components: thermoBase("3.5.0", "3.5.1", "2.0.0", "2.4.0")},
		{model: sensor, firmware: "2.0.0", spec: "1.6", components: sensorBase("5.1.2", "10.5.1", "3.4.1", "2.0.0")},
		{model: sensor, firmware: "1.9.0", spec: "1.6", components: sensorBase("4.4.6", "10.4.3", "2.28.5", "1.9.0")},
	}
}

// modelSBOMs are the SBOM paths a model declares (models[].sboms).
func modelSBOMs(modelID string) []string {
	var out []string
	for _, s := range sbomSpecs() {
		if s.model == modelID {
			out = append(out, sbomDir+s.fileName())
		}
	}
	sort.Strings(out)
	return out
}

// released is when the model released a firmware version, at the vendor's
// build hour.
func (g *gen) released(modelID, version string) time.Time {
	for _, m := range g.sol.Models {
		if m.ID != modelID {
			continue
		}
		for _, r := range m.Firmware {
			if r.Version == version {
				return r.Released.Add(6*time.Hour + 12*time.Minute)
			}
		}
	}
	panic("demo: no release " + modelID + " " + version)
}

func (g *gen) modelOf(id string) *model.DeviceModel {
	for i := range g.sol.Models {
		if g.sol.Models[i].ID == id {
			return &g.sol.Models[i]
		}
	}
	panic("demo: no model " + id)
}

func (g *gen) sbomFiles() []file {
	inService := map[string]int{} // model@firmware -> devices not retired
	for i := range g.devices {
		if d := &g.devices[i]; !d.Lifecycle.Retired() {
			inService[d.Model+"@"+d.Firmware]++
		}
	}
	var out []file
	have := map[string]bool{}
	for _, s := range sbomSpecs() {
		var data []byte
		if s.spdx {
			data = g.spdxDocument(&s)
		} else {
			data = g.cyclonedx(&s)
		}
		path := sbomDir + s.fileName()
		out = append(out, file{path, data})
		have[s.model+"@"+s.firmware] = true
		// Findings about an SBOM name it by its path in the manifest.
		for _, check := range sortedKeys(s.problems) {
			g.problem(check, "sbom "+path, s.problems[check])
		}
		if s.vulnerable != "" && inService[s.model+"@"+s.firmware] > 0 {
			g.problem("vulnerable-firmware", "firmware "+s.model+"@"+s.firmware, s.vulnerable)
		}
	}
	// Thermostat 2.3.4, still on the depot thermostats that missed the
	// security release, has no SBOM.
	const missing = thermo + "@2.3.4"
	if have[missing] || inService[missing] == 0 {
		panic("demo: " + missing + " should be in service without an SBOM")
	}
	g.problem("sbom-per-firmware", "firmware "+missing, "the depot thermostats still on firmware 2.3.4 run a build without an SBOM (2.4.0 and 2.4.1 have one)")
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ---------------------------------------------------------------- CycloneDX

type cdxBOM struct {
	Schema          string             `json:"$schema,omitempty"`
	BOMFormat       string             `json:"bomFormat"`
	SpecVersion     string             `json:"specVersion"`
	SerialNumber    string             `json:"serialNumber"`
	Version         int                `json:"version"`
	Metadata        cdxMetadata        `json:"metadata"`
	Components      []cdxComponent     `json:"components"`
	Dependencies    []cdxDependency    `json:"dependencies,omitempty"`
	Vulnerabilities []cdxVulnerability `json:"vulnerabilities,omitempty"`
}

type cdxMetadata struct {
	Timestamp  string          `json:"timestamp"`
	Lifecycles []cdxLifecycle  `json:"lifecycles,omitempty"`
	Tools      *cdxTools       `json:"tools,omitempty"`
	Supplier   *cdxOrg         `json:"supplier,omitempty"`
	Component  cdxComponent    `json:"component"`
	Properties []cdxProperty   `json:"properties,omitempty"`
	Authors    []cdxAuthorName `json:"authors,omitempty"`
}

type cdxLifecycle struct {
	Phase string `json:"phase"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxOrg struct {
	Name string   `json:"name"`
	URL  []string `json:"url,omitempty"`
}

type cdxAuthorName struct {
	Name string `json:"name"`
}

type cdxComponent struct {
	BOMRef      string        `json:"bom-ref,omitempty"`
	Type        string        `json:"type"`
	Supplier    *cdxOrg       `json:"supplier,omitempty"`
	Author      string        `json:"author,omitempty"`
	Name        string        `json:"name"`
	Version     string        `json:"version,omitempty"`
	Description string        `json:"description,omitempty"`
	Hashes      []cdxHash     `json:"hashes,omitempty"`
	Licenses    []cdxLicense  `json:"licenses,omitempty"`
	PURL        string        `json:"purl,omitempty"`
	CPE         string        `json:"cpe,omitempty"`
	Properties  []cdxProperty `json:"properties,omitempty"`
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

// cdxLicense is a licence choice: an SPDX ID or name, or an expression.
type cdxLicense struct {
	License    *cdxLicenseRef `json:"license,omitempty"`
	Expression string         `json:"expression,omitempty"`
}

type cdxLicenseRef struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

type cdxVulnerability struct {
	BOMRef   string       `json:"bom-ref,omitempty"`
	ID       string       `json:"id"`
	Source   *cdxSource   `json:"source,omitempty"`
	Analysis *cdxAnalysis `json:"analysis,omitempty"`
	Affects  []cdxAffects `json:"affects"`
}

type cdxSource struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type cdxAnalysis struct {
	State         string `json:"state"`
	Justification string `json:"justification,omitempty"`
	Detail        string `json:"detail,omitempty"`
	FirstIssued   string `json:"firstIssued,omitempty"`
	LastUpdated   string `json:"lastUpdated,omitempty"`
}

type cdxAffects struct {
	Ref string `json:"ref"`
}

func cdxLicenses(ls []string) []cdxLicense {
	var out []cdxLicense
	for _, l := range ls {
		switch {
		case strings.HasPrefix(l, "name:"):
			out = append(out, cdxLicense{License: &cdxLicenseRef{Name: strings.TrimPrefix(l, "name:")}})
		case strings.Contains(l, " "):
			out = append(out, cdxLicense{Expression: l})
		default:
			out = append(out, cdxLicense{License: &cdxLicenseRef{ID: l}})
		}
	}
	return out
}

// bomRef is a component's identifier inside its SBOM: the purl when it
// has one, as syft and cdxgen write them.
func (c *component) bomRef() string {
	if c.purl != "" {
		return c.purl
	}
	return "component-" + c.name + "-" + c.version
}

func (g *gen) cyclonedx(s *sbomSpec) []byte {
	vd := vendors[s.model]
	m := g.modelOf(s.model)
	built := g.released(s.model, s.firmware)
	subject := cdxComponent{
		BOMRef: "firmware-" + s.model + "-" + s.firmware, Type: "firmware",
		Supplier: &cdxOrg{Name: vd.name, URL: []string{vd.site}},
		Name:     m.Vendor + " " + m.Model + " firmware", Version: s.firmware,
		PURL:     "pkg:generic/" + strings.ToLower(strings.ReplaceAll(vd.name, " ", "-")) + "/" + vd.product + "@" + s.firmware,
		Licenses: cdxLicenses([]string{"name:" + vd.licence}),
	}
	if s.subjectEndOfSupport > 0 {
		subject.Properties = []cdxProperty{{
			Name: "cdx:lifecycle:milestone:endOfSupport", Value: date(g.today.AddDate(s.subjectEndOfSupport, 0, 0)),
		}}
	}
	bom := cdxBOM{
		Schema:       "http://cyclonedx.org/schema/bom-" + s.spec + ".schema.json",
		BOMFormat:    "CycloneDX",
		SpecVersion:  s.spec,
		SerialNumber: "urn:uuid:" + uuid(s.fileName()),
		Version:      1,
		Metadata:     cdxMetadata{Timestamp: rfc3339(built), Component: subject},
	}
	if s.thin {
		bom.Schema = ""
		subject.PURL, subject.Supplier, subject.Licenses = "", nil, nil
		bom.Metadata.Component = subject
		bom.Metadata.Authors = []cdxAuthorName{{Name: "Eastgate Systems Integration"}}
	} else {
		bom.Metadata.Lifecycles = []cdxLifecycle{{Phase: "build"}}
		bom.Metadata.Tools = &cdxTools{Components: []cdxComponent{{Type: "application", Author: "anchore", Name: "syft", Version: "1.18.1"}}}
		bom.Metadata.Supplier = &cdxOrg{Name: vd.name, URL: []string{vd.site}}
	}
	deps := cdxDependency{Ref: subject.BOMRef}
	for i := range s.components {
		c := &s.components[i]
		cc := cdxComponent{
			BOMRef: c.bomRef(), Type: c.kind, Name: c.name, Version: c.version, Description: c.description,
			Licenses: cdxLicenses(c.licenses), PURL: c.purl, CPE: c.cpe,
		}
		if c.supplier != "" {
			cc.Supplier = &cdxOrg{Name: c.supplier}
		}
		if !s.thin {
			cc.Hashes = []cdxHash{{Alg: "SHA-256", Content: digest(s.model, s.firmware, c.name, c.version)}}
		}
		if c.endOfLife != "" {
			cc.Properties = []cdxProperty{{Name: "cdx:lifecycle:milestone:endOfLife", Value: c.endOfLife}}
		}
		bom.Components = append(bom.Components, cc)
		deps.DependsOn = append(deps.DependsOn, cc.BOMRef)
	}
	if !s.thin {
		bom.Dependencies = []cdxDependency{deps}
	}
	for _, v := range s.vex {
		issued := rfc3339(built.Add(-48 * time.Hour))
		bom.Vulnerabilities = append(bom.Vulnerabilities, cdxVulnerability{
			BOMRef: "vex-" + strings.ToLower(v.id), ID: v.id,
			Source: &cdxSource{Name: v.source, URL: v.sourceURL},
			Analysis: &cdxAnalysis{
				State: v.state, Justification: v.justification, Detail: v.detail,
				FirstIssued: issued, LastUpdated: issued,
			},
			Affects: []cdxAffects{{Ref: v.affects}},
		})
	}
	return jsonFile(bom)
}

// ---------------------------------------------------------------- SPDX

type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreation       `json:"creationInfo"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
	ExtractedLicenses []spdxExtracted    `json:"hasExtractedLicensingInfos,omitempty"`
}

type spdxCreation struct {
	Created            string   `json:"created"`
	Creators           []string `json:"creators"`
	LicenseListVersion string   `json:"licenseListVersion,omitempty"`
}

type spdxPackage struct {
	SPDXID                string       `json:"SPDXID"`
	Name                  string       `json:"name"`
	VersionInfo           string       `json:"versionInfo"`
	Supplier              string       `json:"supplier,omitempty"`
	DownloadLocation      string       `json:"downloadLocation"`
	FilesAnalyzed         bool         `json:"filesAnalyzed"`
	Checksums             []spdxSum    `json:"checksums,omitempty"`
	LicenseConcluded      string       `json:"licenseConcluded"`
	LicenseDeclared       string       `json:"licenseDeclared"`
	CopyrightText         string       `json:"copyrightText"`
	Description           string       `json:"description,omitempty"`
	ExternalRefs          []spdxExtRef `json:"externalRefs,omitempty"`
	PrimaryPackagePurpose string       `json:"primaryPackagePurpose,omitempty"`
}

type spdxSum struct {
	Algorithm     string `json:"algorithm"`
	ChecksumValue string `json:"checksumValue"`
}

type spdxExtRef struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type spdxRelationship struct {
	SPDXElementID      string `json:"spdxElementId"`
	RelationshipType   string `json:"relationshipType"`
	RelatedSPDXElement string `json:"relatedSpdxElement"`
}

type spdxExtracted struct {
	LicenseID     string `json:"licenseId"`
	ExtractedText string `json:"extractedText"`
	Name          string `json:"name"`
}

// spdxID makes a valid SPDX identifier (letters, digits, '.' and '-').
func spdxID(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

func spdxPurpose(kind string) string {
	switch kind {
	case "operating-system":
		return "OPERATING-SYSTEM"
	case "application", "platform":
		return "APPLICATION"
	case "firmware":
		return "FIRMWARE"
	case "framework":
		return "FRAMEWORK"
	}
	return "LIBRARY"
}

func (g *gen) spdxDocument(s *sbomSpec) []byte {
	vd := vendors[s.model]
	m := g.modelOf(s.model)
	built := g.released(s.model, s.firmware)
	var extracted []spdxExtracted
	licence := func(ls []string) string {
		var parts []string
		for _, l := range ls {
			if name, ok := strings.CutPrefix(l, "name:"); ok {
				id := spdxID("LicenseRef-", name)
				seen := false
				for _, e := range extracted {
					seen = seen || e.LicenseID == id
				}
				if !seen {
					extracted = append(extracted, spdxExtracted{LicenseID: id, Name: name,
						ExtractedText: name + ": proprietary licence terms, available from " + vd.site + "/legal"})
				}
				l = id
			}
			parts = append(parts, l)
		}
		if len(parts) == 0 {
			return "NOASSERTION"
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return "(" + strings.Join(parts, ") AND (") + ")"
	}
	firmware := spdxPackage{
		SPDXID: "SPDXRef-Package-firmware", Name: m.Vendor + " " + m.Model + " firmware", VersionInfo: s.firmware,
		Supplier: "Organization: " + vd.name, DownloadLocation: "NOASSERTION",
		CopyrightText:         "Copyright " + vd.name,
		PrimaryPackagePurpose: "FIRMWARE",
		ExternalRefs: []spdxExtRef{{ReferenceCategory: "PACKAGE-MANAGER", ReferenceType: "purl",
			ReferenceLocator: "pkg:generic/" + strings.ToLower(strings.ReplaceAll(vd.name, " ", "-")) + "/" + vd.product + "@" + s.firmware}},
	}
	firmware.LicenseConcluded = licence([]string{"name:" + vd.licence})
	firmware.LicenseDeclared = firmware.LicenseConcluded
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name:              s.model + "-firmware-" + s.firmware,
		DocumentNamespace: vd.site + "/spdx/" + vd.product + "-" + s.firmware + "-" + uuid(s.fileName()),
		CreationInfo: spdxCreation{
			Created:            rfc3339(built),
			Creators:           []string{"Organization: " + vd.name, "Tool: stratum-image-builder-2.4.0", "Tool: syft-1.18.1"},
			LicenseListVersion: "3.24",
		},
		Packages: []spdxPackage{firmware},
		Relationships: []spdxRelationship{
			{SPDXElementID: "SPDXRef-DOCUMENT", RelationshipType: "DESCRIBES", RelatedSPDXElement: firmware.SPDXID},
		},
	}
	for i := range s.components {
		c := &s.components[i]
		p := spdxPackage{
			SPDXID: spdxID("SPDXRef-Package-", c.name+"-"+c.version), Name: c.name, VersionInfo: c.version,
			DownloadLocation: "NOASSERTION", CopyrightText: "NOASSERTION", Description: c.description,
			Checksums:             []spdxSum{{Algorithm: "SHA256", ChecksumValue: digest(s.model, s.firmware, c.name, c.version)}},
			PrimaryPackagePurpose: spdxPurpose(c.kind),
		}
		if c.supplier != "" {
			p.Supplier = "Organization: " + c.supplier
		}
		p.LicenseConcluded = licence(c.licenses)
		p.LicenseDeclared = p.LicenseConcluded
		if c.purl != "" {
			p.ExternalRefs = append(p.ExternalRefs, spdxExtRef{ReferenceCategory: "PACKAGE-MANAGER", ReferenceType: "purl", ReferenceLocator: c.purl})
		}
		if c.cpe != "" {
			p.ExternalRefs = append(p.ExternalRefs, spdxExtRef{ReferenceCategory: "SECURITY", ReferenceType: "cpe23Type", ReferenceLocator: c.cpe})
		}
		doc.Packages = append(doc.Packages, p)
		doc.Relationships = append(doc.Relationships, spdxRelationship{
			SPDXElementID: firmware.SPDXID, RelationshipType: "CONTAINS", RelatedSPDXElement: p.SPDXID,
		})
	}
	doc.ExtractedLicenses = extracted
	return jsonFile(doc)
}
