package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/manifest"
)

// evidenceFlags are the command-line evidence sources of `assess`; they
// add to what the manifest names.
type evidenceFlags struct {
	sboms, vulndb, certs, trustedCAs, crls, nmap, mud, aws, azure []string
	inventoryCSV, csvColumns                                      string
}

func (e *evidenceFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&e.sboms, "sbom", nil, "SBOM `file` (CycloneDX/SPDX); bind it with FILE=MODEL@FIRMWARE (repeatable)")
	f.StringArrayVar(&e.vulndb, "vulndb", nil, "vulnerability index, or OSV/NVD/KEV `path` to build one from (repeatable)")
	f.StringArrayVar(&e.certs, "certs", nil, "device certificates: PEM/DER `file` or folder (repeatable)")
	f.StringArrayVar(&e.trustedCAs, "trusted-ca", nil, "CA certificates device certificates must chain to (`file` or folder)")
	f.StringArrayVar(&e.crls, "crl", nil, "certificate revocation list `file` (repeatable)")
	f.StringArrayVar(&e.nmap, "nmap", nil, "nmap XML scan `file` (repeatable)")
	f.StringArrayVar(&e.mud, "mud", nil, "MUD profile `file`; bind it with FILE=MODEL (repeatable)")
	f.StringArrayVar(&e.aws, "aws-things", nil, "AWS IoT export `file`: list-things, describe-thing, describe-certificate, list-audit-findings")
	f.StringArrayVar(&e.azure, "azure-twins", nil, "Azure IoT Hub device twins or bulk-export JSON lines `file`")
	f.StringVar(&e.inventoryCSV, "inventory-csv", "", "read the devices from this CSV `file` instead of the manifest's")
	f.StringVar(&e.csvColumns, "csv-columns", "", "map the CSV's headers to iotguard columns: \"Asset Tag=id,Serial No=serial\"")
}

// apply adds the flags' sources to files, checking that each exists.
func (e *evidenceFlags) apply(files *manifest.EvidenceFiles) error {
	exists := func(flag, p string) (string, error) {
		if _, err := os.Stat(p); err != nil {
			return "", usagef("--%s %s: %v", flag, p, err)
		}
		return filepath.Abs(p)
	}
	for _, s := range e.sboms {
		path, bind, _ := strings.Cut(s, "=")
		modelID, fw, _ := strings.Cut(bind, "@")
		p, err := exists("sbom", path)
		if err != nil {
			return err
		}
		files.SBOMs = append(files.SBOMs, manifest.SBOMFile{Path: p, Model: modelID, Firmware: fw})
	}
	for _, s := range e.mud {
		path, modelID, _ := strings.Cut(s, "=")
		p, err := exists("mud", path)
		if err != nil {
			return err
		}
		files.MUD = append(files.MUD, manifest.MUDFile{Path: p, Model: modelID})
	}
	lists := []struct {
		flag string
		in   []string
		out  *[]string
	}{
		{"vulndb", e.vulndb, &files.VulnDB}, {"certs", e.certs, &files.Certificates},
		{"trusted-ca", e.trustedCAs, &files.TrustedCAs}, {"crl", e.crls, &files.CRLs},
		{"nmap", e.nmap, &files.Nmap}, {"aws-things", e.aws, &files.AWS}, {"azure-twins", e.azure, &files.Azure},
	}
	for _, l := range lists {
		for _, s := range l.in {
			p, err := exists(l.flag, s)
			if err != nil {
				return err
			}
			*l.out = append(*l.out, p)
		}
	}
	return nil
}

// columns parses --csv-columns.
func (e *evidenceFlags) columns() (map[string]string, error) {
	if e.csvColumns == "" {
		return nil, nil
	}
	if e.inventoryCSV == "" {
		return nil, usagef("--csv-columns maps the headers of --inventory-csv: give that too")
	}
	out := map[string]string{}
	for _, pair := range strings.Split(e.csvColumns, ",") {
		from, to, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			return nil, usagef("--csv-columns: %q is not HEADER=column (e.g. \"Asset Tag=id\")", pair)
		}
		out[strings.TrimSpace(from)] = strings.TrimSpace(to)
	}
	return out, nil
}
