package fleetgen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/iotguard/iotguard/model"
)

// component is a third-party component of the firmware, with the versions
// successive firmware releases ship (oldest first).
type component struct {
	name, supplier, license, kind string
	versions                      []string
}

var components = map[string]component{
	"linux":           {"linux", "The Linux Kernel Organization", "GPL-2.0-only", "operating-system", []string{"5.15.120", "5.15.131", "5.15.148", "5.15.160", "6.1.80", "6.1.92", "6.1.102", "6.1.112"}},
	"busybox":         {"busybox", "BusyBox project", "GPL-2.0-only", "application", []string{"1.35.0", "1.36.0", "1.36.1"}},
	"openssl":         {"openssl", "OpenSSL Software Foundation", "Apache-2.0", "library", []string{"3.0.9", "3.0.11", "3.0.12", "3.0.13", "3.0.14", "3.0.15", "3.0.16"}},
	"curl":            {"curl", "curl project", "curl", "library", []string{"8.1.2", "8.4.0", "8.5.0", "8.6.0", "8.7.1", "8.9.1", "8.10.1"}},
	"zlib":            {"zlib", "zlib project", "Zlib", "library", []string{"1.2.13", "1.3", "1.3.1"}},
	"lighttpd":        {"lighttpd", "lighttpd project", "BSD-3-Clause", "application", []string{"1.4.69", "1.4.71", "1.4.73", "1.4.76"}},
	"dropbear":        {"dropbear", "Dropbear SSH project", "MIT", "application", []string{"2022.83", "2024.84", "2024.85", "2024.86"}},
	"mosquitto":       {"mosquitto", "Eclipse Foundation", "EPL-2.0", "application", []string{"2.0.15", "2.0.17", "2.0.18", "2.0.20"}},
	"freertos-kernel": {"freertos-kernel", "Amazon Web Services", "MIT", "operating-system", []string{"10.4.6", "10.5.1", "10.6.1", "10.6.2", "11.0.1", "11.1.0"}},
	"mbedtls":         {"mbedtls", "Trusted Firmware", "Apache-2.0", "library", []string{"2.28.3", "2.28.5", "2.28.7", "2.28.8", "3.5.2", "3.6.0", "3.6.1"}},
	"lwip":            {"lwip", "lwIP project", "BSD-3-Clause", "library", []string{"2.1.3", "2.2.0"}},
	"libcoap":         {"libcoap", "libcoap project", "BSD-2-Clause", "library", []string{"4.3.1", "4.3.4", "4.3.5"}},
	"tinycbor":        {"tinycbor", "Intel Corporation", "MIT", "library", []string{"0.6.0"}},
}

var platformComponents = map[platform][]string{
	linuxPlatform: {"linux", "busybox", "openssl", "curl", "zlib"},
	rtosPlatform:  {"freertos-kernel", "mbedtls", "lwip"},
}

// CycloneDX 1.6 JSON, the parts written.
type cdxBOM struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	SerialNumber string          `json:"serialNumber"`
	Version      int             `json:"version"`
	Metadata     cdxMetadata     `json:"metadata"`
	Components   []cdxComponent  `json:"components"`
	Dependencies []cdxDependency `json:"dependencies"`
}

type cdxMetadata struct {
	Timestamp string       `json:"timestamp"`
	Supplier  cdxOrg       `json:"supplier"`
	Component cdxComponent `json:"component"`
}

type cdxOrg struct {
	Name string `json:"name"`
}

type cdxComponent struct {
	Type     string       `json:"type"`
	BOMRef   string       `json:"bom-ref"`
	Supplier cdxOrg       `json:"supplier"`
	Name     string       `json:"name"`
	Version  string       `json:"version"`
	Licenses []cdxLicense `json:"licenses,omitempty"`
	PURL     string       `json:"purl"`
}

type cdxLicense struct {
	License cdxLicenseID `json:"license"`
}

type cdxLicenseID struct {
	ID string `json:"id"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn,omitempty"`
}

// sbom renders the CycloneDX SBOM of release k of a model's firmware:
// the platform's components and the model's own, at the versions that
// release shipped.
func (g *Generator) sbom(s *modelSpec, hist []model.FirmwareRelease, k int) []byte {
	rel := hist[k]
	fwRef := s.id + "-firmware@" + rel.Version
	bom := cdxBOM{
		BOMFormat: "CycloneDX", SpecVersion: "1.6", Version: 1,
		SerialNumber: "urn:uuid:" + nameUUID(s.id+"@"+rel.Version+"@"+rel.Released.String()),
		Metadata: cdxMetadata{
			Timestamp: rel.Released.UTC().Format(time.RFC3339),
			Supplier:  cdxOrg{s.vendor},
			Component: cdxComponent{
				Type: "firmware", BOMRef: fwRef, Supplier: cdxOrg{s.vendor},
				Name: s.name + " firmware", Version: rel.Version,
				PURL: "pkg:generic/" + s.vendorSlug + "/" + s.id + "-firmware@" + rel.Version,
			},
		},
	}
	names := append(append([]string(nil), platformComponents[s.platform]...), s.extra...)
	dep := cdxDependency{Ref: fwRef}
	for _, n := range names {
		c := components[n]
		v := c.versions[0]
		if len(hist) > 1 {
			v = c.versions[k*(len(c.versions)-1)/(len(hist)-1)]
		}
		ref := c.name + "@" + v
		bom.Components = append(bom.Components, cdxComponent{
			Type: c.kind, BOMRef: ref, Supplier: cdxOrg{c.supplier}, Name: c.name, Version: v,
			Licenses: []cdxLicense{{cdxLicenseID{c.license}}}, PURL: "pkg:generic/" + c.name + "@" + v,
		})
		dep.DependsOn = append(dep.DependsOn, ref)
	}
	bom.Dependencies = []cdxDependency{dep}
	b, err := json.MarshalIndent(bom, "", "  ")
	if err != nil {
		// Plain structs of strings always marshal.
		panic(err)
	}
	return append(b, '\n')
}

// nameUUID derives a stable UUID (version 8, RFC 9562) from a name.
func nameUUID(name string) string {
	h := sha256.Sum256([]byte("iotguard fleetgen sbom " + name))
	h[6] = h[6]&0x0f | 0x80
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
