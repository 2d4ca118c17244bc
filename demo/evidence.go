package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"testing/fstest"
	"time"

	"github.com/iotguard/iotguard/model"
)

// Evidence from other tools' files. Static evidence (real X.509
// certificates, a small vulnerability database of OSV, NVD and CISA KEV
// records) is embedded under evidence/; the rest (SBOMs, MUD profiles, an
// nmap scan, AWS IoT and Azure IoT Hub exports) is generated from the
// fleet at Generate time, so that it matches the devices and its dates
// are relative to the assessment time. Sample.Evidence holds both, by
// path relative to the manifest folder.
const (
	sbomDir   = "evidence/sboms/"
	mudDir    = "evidence/mud/"
	scanFile  = "evidence/scans/depot-legacy-cameras.xml"
	awsThings = "evidence/aws/mall-list-things.json"
	awsAudit  = "evidence/aws/mall-list-audit-findings.json"
	azureFile = "evidence/azure/hq-thermostat-twins.jsonl"
)

// evidenceSources is the manifest's evidence section: every file the
// importers read, beside the models' own sboms and mud paths.
func evidenceSources() model.EvidenceSources {
	return model.EvidenceSources{
		VulnDB: []string{
			"evidence/vulndb/osv",
			"evidence/vulndb/nvd/CVE-2024-1086.json",
			"evidence/vulndb/known_exploited_vulnerabilities.json",
		},
		Certificates: []string{certsDir + "/devices"},
		TrustedCAs:   []string{deviceCAs},
		CRLs:         []string{deviceCRL},
		Nmap:         []string{scanFile},
		AWS:          []string{awsThings, awsAudit},
		Azure:        []string{azureFile},
	}
}

// evidence builds Sample.Evidence: the embedded files and the generated
// ones. It also lists the problems the generated evidence carries.
func (g *gen) evidence() fs.FS {
	files := fstest.MapFS{}
	add := func(path string, data []byte) {
		if _, dup := files[path]; dup {
			panic("demo: evidence file " + path + " generated twice")
		}
		files[path] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	err := fs.WalkDir(evidenceFS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := evidenceFS.ReadFile(path)
		if err != nil {
			return err
		}
		add(path, b)
		return nil
	})
	if err != nil {
		panic(err) // embedded at build time: the tests catch it
	}
	for _, f := range g.sbomFiles() {
		add(f.path, f.data)
	}
	for _, f := range g.mudFiles() {
		add(f.path, f.data)
	}
	add(scanFile, g.nmapScan())
	add(awsThings, g.awsListThings())
	add(awsAudit, g.awsAuditFindings())
	add(azureFile, g.azureTwins())
	return files
}

type file struct {
	path string
	data []byte
}

// jsonFile renders v as indented JSON with a final newline, without HTML
// escaping (so "<" and "&" in text stay readable).
func jsonFile(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic("demo: " + err.Error())
	}
	return buf.Bytes()
}

// digest is a stable stand-in digest for a generated artefact (a file
// hash in an SBOM, an AWS task ID): the hex SHA-256 of its name.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// uuid is a stable, well-formed (version 4 layout) UUID derived from name.
func uuid(name string) string {
	d := digest("uuid", name)
	return fmt.Sprintf("%s-%s-4%s-a%s-%s", d[0:8], d[8:12], d[13:16], d[17:20], d[20:32])
}

// rfc3339 writes t in UTC to the second.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// date writes t as a calendar date.
func date(t time.Time) string { return t.UTC().Format(time.DateOnly) }
