package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/awsiot"
	"github.com/iotguard/iotguard/azureiot"
	"github.com/iotguard/iotguard/catalogfmt"
	"github.com/iotguard/iotguard/manifest"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/mud"
	"github.com/iotguard/iotguard/nmap"
	"github.com/iotguard/iotguard/sbom"
	"github.com/iotguard/iotguard/vulndb"
	"github.com/iotguard/iotguard/x509cert"
)

func init() { extraCommands = append(extraCommands, newImportCmd) }

var importKinds = []string{"sbom", "osv", "nvd", "kev", "certs", "nmap", "mud", "aws", "azure", "csv"}

func newImportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import KIND PATH",
		Short: "Show what iotguard reads from another tool's file (SBOM, advisories, certificates, scans, MUD, cloud exports, CSV)",
		Long: `Read one evidence file and show what iotguard understood from it, as a table or as JSON.
Nothing is stored. Keys and secrets in cloud exports are dropped on read and never shown.

KIND is one of:
  sbom    CycloneDX 1.4-1.6 (JSON, XML) or SPDX 2.2/2.3 (JSON, tag-value)
  osv     OSV advisory records (a file)
  nvd     NVD CVE JSON 2.0 (API response or yearly feed)
  kev     CISA Known Exploited Vulnerabilities catalogue
  certs   X.509 certificates and CRLs: PEM/DER file, bundle or folder
  nmap    nmap XML (-oX), with ssl-enum-ciphers output if present
  mud     MUD profile (RFC 8520, JSON)
  aws     AWS IoT list-things, describe-thing, describe-certificate, list-audit-findings
  azure   Azure IoT Hub device twin(s) or bulk-export JSON lines
  csv     a device inventory in CSV (--columns maps other tools' headers)`,
		Example: `  iotguard import sbom firmware.cdx.json
  iotguard import nmap scan.xml --format json | jq '.hosts[].addresses'
  iotguard import certs certs/ --format json
  iotguard import csv assets.csv --columns "Asset Tag=id,Type=model,Serial No=serial"`,
		Args: cobra.ExactArgs(2),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return importKinds, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveDefault
		},
	}
	format := enumFlag(cmd, "format", "f", "table", []string{"table", "json"}, true, "output format")
	var columns string
	cmd.Flags().StringVar(&columns, "columns", "", "csv: map headers to iotguard columns, \"Asset Tag=id,Serial No=serial\"")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		kind, path := strings.ToLower(args[0]), args[1]
		var v any
		var table func(io.Writer)
		var err error
		switch kind {
		case "sbom":
			var s *model.SBOM
			if s, err = sbom.ParseFile(path); err == nil {
				v, table = s, func(w io.Writer) { sbomTable(w, s) }
			}
		case "osv", "nvd", "kev":
			var d *vulndb.Document
			if d, err = vulndb.ParseFile(path); err == nil {
				if d.Kind() != kind {
					return usagef("%s holds %s data, not %s: run iotguard import %s %s", path, d.Kind(), kind, d.Kind(), path)
				}
				v, table = advisoryView(d), func(w io.Writer) { advisoryTable(w, d) }
			}
		case "certs":
			var b *x509cert.Bundle
			if b, err = readCertPath(path); err == nil {
				view := certView(b)
				v, table = view, func(w io.Writer) { certTable(w, view) }
			}
		case "nmap":
			var s *model.Scan
			if s, err = nmap.ParseFile(path); err == nil {
				v, table = s, func(w io.Writer) { scanTable(w, s) }
			}
		case "mud":
			var p *model.MUDProfile
			if p, err = mud.ParseFile(path); err == nil {
				v, table = p, func(w io.Writer) { mudTable(w, p) }
			}
		case "aws":
			var r *awsiot.Result
			if r, err = awsiot.ParseFile(path); err == nil {
				v, table = r, func(w io.Writer) { cloudTable(w, r.Kind, r.Things, r.Findings, r.Notes) }
			}
		case "azure":
			var r *azureiot.Result
			if r, err = azureiot.ParseFile(path); err == nil {
				v, table = r, func(w io.Writer) { cloudTable(w, r.Kind, r.Things, nil, r.Notes) }
			}
		case "csv":
			cols, cerr := parseColumns(columns)
			if cerr != nil {
				return cerr
			}
			var devices []model.Device
			err = manifest.ReadDevicesFile(cmd.Context(), path, cols, func(d *model.Device) error {
				devices = append(devices, *d)
				if len(devices) > 100000 {
					return fmt.Errorf("preview stops at 100,000 devices: assess the file instead")
				}
				return nil
			})
			v = map[string]any{"devices": devices}
			table = func(w io.Writer) { deviceTable(w, devices) }
		default:
			return usagef("unknown kind %q: valid kinds are %s", kind, strings.Join(importKinds, ", "))
		}
		if err != nil {
			return importError(kind, err)
		}
		if format.value == "json" {
			return catalogfmt.JSON(a.stdout, v)
		}
		table(a.stdout)
		return nil
	}
	return cmd
}

func parseColumns(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	f := evidenceFlags{csvColumns: s, inventoryCSV: "-"}
	return f.columns()
}

func readCertPath(path string) (*x509cert.Bundle, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return x509cert.ParseDir(path)
	}
	return x509cert.ParseFile(path)
}

func tab(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

func sbomTable(w io.Writer, s *model.SBOM) {
	fmt.Fprintf(w, "%s: %s, subject %s %s, %d components, %d VEX statements\n\n", s.Source, s.Format, s.Subject, s.SubjectVersion, len(s.Components), len(s.VEX))
	t := tab(w)
	fmt.Fprintln(t, "NAME\tVERSION\tPURL\tSUPPLIER\tLICENCES")
	for _, c := range s.Components {
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", catalogfmt.Truncate(c.Name, 30), c.Version, catalogfmt.Truncate(c.PURL, 50),
			catalogfmt.Truncate(c.Supplier, 20), strings.Join(c.Licenses, " "))
	}
	t.Flush()
}

// advisoryView is the JSON shape of `import osv|nvd|kev`.
func advisoryView(d *vulndb.Document) any {
	switch d.Kind() {
	case "nvd":
		return map[string]any{"cves": d.CVEs}
	case "kev":
		return d.KEV
	}
	return map[string]any{"advisories": d.OSV}
}

func advisoryTable(w io.Writer, d *vulndb.Document) {
	t := tab(w)
	switch d.Kind() {
	case "nvd":
		fmt.Fprintln(t, "CVE\tCVSS\tCPE CRITERIA\tDESCRIPTION")
		for _, c := range d.CVEs {
			fmt.Fprintf(t, "%s\t%.1f\t%d\t%s\n", c.ID, c.CVSS, len(c.Matches), catalogfmt.Truncate(c.Description, 60))
		}
	case "kev":
		fmt.Fprintf(t, "CISA KEV catalogue %s: %d known-exploited vulnerabilities\n", d.KEV.CatalogVersion, len(d.KEV.Vulnerabilities))
	default:
		fmt.Fprintln(t, "ID\tALIASES\tPACKAGES\tSUMMARY")
		for _, o := range d.OSV {
			var pkgs []string
			for _, a := range o.Affected {
				pkgs = append(pkgs, a.Package.Ecosystem+"/"+a.Package.Name)
			}
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", o.ID, strings.Join(o.Aliases, ","), catalogfmt.Truncate(strings.Join(pkgs, ","), 40),
				catalogfmt.Truncate(o.Summary, 50))
		}
	}
	t.Flush()
}

// certJSON is the stable JSON shape of one certificate in `import certs`.
type certJSON struct {
	Subject            string   `json:"subject"`
	Issuer             string   `json:"issuer"`
	SHA256             string   `json:"sha256"`
	Serial             string   `json:"serial"`
	NotBefore          string   `json:"not_before"`
	NotAfter           string   `json:"not_after"`
	KeyType            string   `json:"key_type"`
	KeyBits            int      `json:"key_bits"`
	Curve              string   `json:"curve,omitempty"`
	SignatureAlgorithm string   `json:"signature_algorithm"`
	SelfSigned         bool     `json:"self_signed"`
	IsCA               bool     `json:"is_ca"`
	Revoked            bool     `json:"revoked"`
	DNSNames           []string `json:"dns_names,omitempty"`
	Source             string   `json:"source"`
}

type certsJSON struct {
	Certificates       []certJSON            `json:"certificates"`
	Revoked            []model.RevokedSerial `json:"revoked"`
	CRLs               int                   `json:"crls"`
	SkippedPrivateKeys int                   `json:"skipped_private_keys"`
}

func certView(b *x509cert.Bundle) certsJSON {
	out := certsJSON{Certificates: []certJSON{}, Revoked: b.Revoked, CRLs: b.CRLs, SkippedPrivateKeys: b.SkippedKeys}
	if out.Revoked == nil {
		out.Revoked = []model.RevokedSerial{}
	}
	for _, c := range b.Certificates {
		out.Certificates = append(out.Certificates, certJSON{
			Subject: c.Subject, Issuer: c.Issuer, SHA256: c.Fingerprint, Serial: c.Serial,
			NotBefore: c.NotBefore.String(), NotAfter: c.NotAfter.String(), KeyType: c.KeyType, KeyBits: c.KeyBits,
			Curve: c.Curve, SignatureAlgorithm: c.SignatureAlgorithm, SelfSigned: c.SelfSigned, IsCA: c.IsCA,
			Revoked: c.Revoked, DNSNames: c.DNSNames, Source: c.Source,
		})
	}
	return out
}

func certTable(w io.Writer, v certsJSON) {
	t := tab(w)
	fmt.Fprintln(t, "SUBJECT\tSHA-256\tNOT AFTER\tKEY\tSELF-SIGNED\tCA")
	for _, c := range v.Certificates {
		fp := c.SHA256
		if len(fp) > 16 {
			fp = fp[:16] + "…"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s %d\t%v\t%v\n", catalogfmt.Truncate(c.Subject, 40), fp, c.NotAfter, c.KeyType, c.KeyBits, c.SelfSigned, c.IsCA)
	}
	t.Flush()
	fmt.Fprintf(w, "\n%d certificates, %d CRLs with %d revoked serials, %d private keys skipped (never read)\n",
		len(v.Certificates), v.CRLs, len(v.Revoked), v.SkippedPrivateKeys)
}

func scanTable(w io.Writer, s *model.Scan) {
	fmt.Fprintf(w, "%s: %s, %d hosts\n\n", s.Source, s.Scanner, len(s.Hosts))
	t := tab(w)
	fmt.Fprintln(t, "ADDRESS\tMAC\tHOSTNAME\tPORT\tSTATE\tSERVICE\tTLS\tBANNER")
	for _, h := range s.Hosts {
		addr := strings.Join(h.Addresses, ",")
		host := strings.Join(h.Hostnames, ",")
		if len(h.Ports) == 0 {
			fmt.Fprintf(t, "%s\t%s\t%s\t-\t%s\t\t\t\n", addr, h.MAC, host, h.Status)
		}
		for _, p := range h.Ports {
			tls := ""
			if p.TLS {
				tls = "yes"
			}
			if len(p.TLSVersions) > 0 {
				tls = strings.Join(stringsOf(p.TLSVersions), ",")
			}
			fmt.Fprintf(t, "%s\t%s\t%s\t%d/%s\t%s\t%s\t%s\t%s\n", addr, h.MAC, host, p.Port, p.Protocol, p.State, p.Service, tls, catalogfmt.Truncate(p.Banner, 30))
		}
	}
	t.Flush()
}

func mudTable(w io.Writer, p *model.MUDProfile) {
	fmt.Fprintf(w, "%s (%s)\n\n", p.Name, p.URL)
	t := tab(w)
	fmt.Fprintln(t, "ACL\tENTRY\tDIRECTION\tPEER\tPROTO\tDST PORT\tACTION")
	for _, acl := range p.ACLs {
		for _, e := range acl.ACEs {
			peer := e.Host
			switch {
			case e.LocalNetworks:
				peer = "local-networks"
			case e.Controller != "":
				peer = "controller " + e.Controller
			case e.Manufacturer != "":
				peer = "manufacturer " + e.Manufacturer
			case e.SameManufacturer:
				peer = "same-manufacturer"
			}
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", acl.Name, e.Name, e.Direction, peer, e.Protocol, e.DstPort, e.Action)
		}
	}
	t.Flush()
}

func cloudTable(w io.Writer, kind string, things []model.CloudThing, findings []model.CloudFinding, notes []string) {
	fmt.Fprintf(w, "%s: %d things, %d audit findings\n\n", kind, len(things), len(findings))
	t := tab(w)
	if len(things) > 0 {
		fmt.Fprintln(t, "NAME\tTYPE\tSTATUS\tLAST ACTIVITY\tFIRMWARE")
		for _, th := range things {
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", th.Name, th.Type, th.Status, th.LastActivity, th.FirmwareVersion)
		}
	}
	if len(findings) > 0 {
		fmt.Fprintln(t, "CHECK\tSEVERITY\tRESOURCE\tCONTROLS\tREASON")
		for _, f := range findings {
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\n", f.Check, f.Severity, catalogfmt.Truncate(f.Resource, 40), strings.Join(f.Controls, ","), catalogfmt.Truncate(f.Reason, 40))
		}
	}
	t.Flush()
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func deviceTable(w io.Writer, devices []model.Device) {
	t := tab(w)
	fmt.Fprintln(t, "ID\tMODEL\tSERIAL\tFIRMWARE\tLIFECYCLE\tZONE\tLAST SEEN")
	for _, d := range devices {
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.Model, d.Serial, d.Firmware, d.Lifecycle, d.Zone, d.LastSeen)
	}
	t.Flush()
	fmt.Fprintf(w, "\n%d devices\n", len(devices))
}
