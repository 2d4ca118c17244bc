package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/catalogfmt"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/report"
	"github.com/iotguard/iotguard/sbom"
	"github.com/iotguard/iotguard/vulndb"
)

func init() { extraCommands = append(extraCommands, newVulnDBCmd, newVulnCmd) }

func defaultDB() string {
	p, err := vulndb.DefaultPath()
	if err != nil {
		return "vulndb.idx"
	}
	return p
}

func newVulnDBCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vulndb",
		Short: "Build and inspect the local vulnerability index (OSV, NVD, CISA KEV)",
		Long: `iotguard matches SBOM components against a local index built once from OSV records (folders,
or zips as osv.dev publishes them per ecosystem), NVD CVE JSON 2.0 feeds (matched by CPE, for
firmware and hardware) and the CISA KEV catalogue. Lookups go straight to the package's records;
nothing is scanned linearly, and nothing is fetched from the network.`,
	}
	db := defaultDB()
	imp := &cobra.Command{
		Use:   "import PATH...",
		Short: "Add OSV, NVD or KEV sources to the index (rebuilding it from all its sources)",
		Example: `  curl -O https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip   # elsewhere, then copy here
  iotguard vulndb import Debian-all.zip Go-all.zip nvdcve-2.0-2024.json.gz known_exploited_vulnerabilities.json
  iotguard vulndb import --db ./vulndb.idx osv/`,
		Args: cobra.MinimumNArgs(1),
	}
	imp.Flags().StringVar(&db, "db", db, "index `file`")
	imp.RunE = func(cmd *cobra.Command, args []string) error {
		start := time.Now()
		st, err := vulndb.Import(cmd.Context(), db, args...)
		if err != nil {
			return importError("vulnerability database", err)
		}
		fmt.Fprintf(a.stdout, "indexed %d advisories, %d CVEs and %d known-exploited IDs into %s in %s\n",
			st.Advisories, st.CVEs, st.KEV, db, time.Since(start).Round(time.Millisecond))
		return nil
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Show what the index holds: counts per ecosystem, sources with their SHA-256, when built",
		Example: `  iotguard vulndb status
  iotguard vulndb status --db ./vulndb.idx --format json`,
		Args: cobra.NoArgs,
	}
	status.Flags().StringVar(&db, "db", db, "index `file`")
	format := enumFlag(status, "format", "f", "table", []string{"table", "json"}, true, "output format")
	status.RunE = func(cmd *cobra.Command, _ []string) error {
		idx, err := vulndb.Open(db)
		if err != nil {
			return asUsage(err)
		}
		defer idx.Close()
		st := idx.Stats()
		if format.value == "json" {
			return catalogfmt.JSON(a.stdout, st)
		}
		w := a.stdout
		fmt.Fprintf(w, "index      %s (%.1f MB, format %d)\nbuilt      %s\n", st.Path, float64(st.Size)/1e6, st.Format, st.BuiltAt.Format(time.RFC3339))
		fmt.Fprintf(w, "advisories %d (withdrawn skipped %d, superseded %d, without a package %d)\n", st.Advisories, st.Withdrawn, st.Superseded, st.Unindexed)
		if st.Skipped > 0 {
			fmt.Fprintf(w, "skipped    %d JSON files in folders or zips that are not OSV, NVD or KEV\n", st.Skipped)
		}
		fmt.Fprintf(w, "NVD CVEs   %d (rejected %d)\nKEV        %d %s\npackages   %d\n", st.CVEs, st.Rejected, st.KEV, st.KEVCatalog, st.Packages)
		eco := make([]string, 0, len(st.Ecosystems))
		for e := range st.Ecosystems {
			eco = append(eco, e)
		}
		sort.Strings(eco)
		for _, e := range eco {
			fmt.Fprintf(w, "  %-20s %d\n", e, st.Ecosystems[e])
		}
		fmt.Fprintln(w, "sources")
		for _, s := range st.Sources {
			fmt.Fprintf(w, "  %s (%s, %d files, %d records) sha256 %s\n", s.Path, s.Kind, s.Files, s.Records, s.SHA256)
		}
		return nil
	}
	cmd.AddCommand(imp, status)
	return groupCommand(cmd)
}

func newVulnCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vuln",
		Short: "Vulnerability scans of firmware SBOMs",
	}
	scan := &cobra.Command{
		Use:   "scan --sbom FILE --vulndb PATH",
		Short: "List the advisories that affect the components of one firmware image's SBOM",
		Long: `Match one SBOM against the vulnerability index, like osv-scanner does for code: every component
affected by an OSV advisory or an NVD CVE (by CPE), with the affected range, the fixed version and
whether it is known exploited (CISA KEV). VEX statements in the SBOM (not_affected,
false_positive) suppress a match; the justification is shown.

--vulndb is an index built with 'iotguard vulndb import' (default: the user's cache), or OSV/NVD/KEV
files and folders to build a temporary one from.`,
		Example: `  iotguard vuln scan --sbom cam-x200-4.2.0.cdx.json
  iotguard vuln scan --sbom fw.spdx.json --vulndb osv/ --vulndb known_exploited_vulnerabilities.json --format sarif -o fw.sarif`,
		Args: cobra.NoArgs,
	}
	var sbomPath, out string
	var dbs []string
	scan.Flags().StringVar(&sbomPath, "sbom", "", "SBOM `file` (CycloneDX or SPDX)")
	scan.Flags().StringArrayVar(&dbs, "vulndb", nil, "index file, or OSV/NVD/KEV `path` (repeatable; default: the index in the user's cache)")
	scan.Flags().StringVarP(&out, "output", "o", "", "write to `file`")
	format := enumFlag(scan, "format", "f", "table", []string{"table", "json", "sarif"}, true, "output format")
	scan.MarkFlagRequired("sbom")
	scan.RunE = func(cmd *cobra.Command, _ []string) error {
		sb, err := sbom.ParseFile(sbomPath)
		if err != nil {
			return importError("SBOM", err)
		}
		if len(dbs) == 0 {
			dbs = []string{defaultDB()}
		}
		idx, desc, err := openVulnDB(cmd.Context(), dbs, "", a.logf)
		if err != nil {
			return err
		}
		defer idx.Close()
		ms, err := matchSBOM(idx, sb, []model.SBOM{*sb})
		if err != nil {
			return err
		}
		rows := vulnRows(ms)
		return a.writeOutput(out, func(w io.Writer) error {
			switch format.value {
			case "json":
				return catalogfmt.JSON(w, map[string]any{"sbom": sb.Source, "vulndb": desc, "matches": rows})
			case "sarif":
				return report.Render(w, "sarif", vulnAssessment(sb, ms), report.Options{})
			}
			vulnTable(w, sb, desc, rows)
			return nil
		})
	}
	cmd.AddCommand(scan)
	return groupCommand(cmd)
}

// vulnRow is the stable JSON shape of one match of `vuln scan`.
type vulnRow struct {
	Component     string   `json:"component"`
	Version       string   `json:"version"`
	PURL          string   `json:"purl,omitempty"`
	Advisory      string   `json:"advisory"`
	Aliases       []string `json:"aliases"`
	Severity      string   `json:"severity"`
	CVSS          float64  `json:"cvss,omitempty"`
	Affected      string   `json:"affected"`
	Fixed         string   `json:"fixed"`
	KEV           bool     `json:"kev"`
	Suppressed    bool     `json:"suppressed"`
	Justification string   `json:"justification,omitempty"`
	Summary       string   `json:"summary,omitempty"`
}

func vulnRows(ms []model.VulnMatch) []vulnRow {
	rows := make([]vulnRow, 0, len(ms))
	for _, m := range ms {
		sev := m.Severity
		if m.KEV {
			sev = model.Critical
		}
		aliases := m.Aliases
		if aliases == nil {
			aliases = []string{}
		}
		rows = append(rows, vulnRow{m.Component, m.Version, m.PURL, m.Advisory, aliases, string(sev), m.CVSS, m.Affected, m.Fixed,
			m.KEV, m.Suppressed, m.Justification, m.Summary})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if ra, rb := model.Severity(a.Severity).Rank(), model.Severity(b.Severity).Rank(); ra != rb {
			return ra > rb
		}
		if a.Component != b.Component {
			return a.Component < b.Component
		}
		return a.Advisory < b.Advisory
	})
	return rows
}

func vulnTable(w io.Writer, sb *model.SBOM, desc string, rows []vulnRow) {
	fmt.Fprintf(w, "%s: %d components against %s\n\n", sb.Source, len(sb.Components), desc)
	if len(rows) == 0 {
		fmt.Fprintln(w, "no known vulnerabilities")
		return
	}
	t := tab(w)
	fmt.Fprintln(t, "SEVERITY\tCOMPONENT\tVERSION\tADVISORY\tALIASES\tFIXED\tKEV\tNOTE")
	active := 0
	for _, r := range rows {
		note := ""
		if r.Suppressed {
			note = "suppressed by VEX: " + r.Justification
		} else {
			active++
		}
		kev := ""
		if r.KEV {
			kev = "yes"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Severity, catalogfmt.Truncate(r.Component, 30), r.Version, r.Advisory,
			catalogfmt.Truncate(strings.Join(r.Aliases, ","), 30), r.Fixed, kev, note)
	}
	t.Flush()
	fmt.Fprintf(w, "\n%d matches, %d suppressed by VEX\n", active, len(rows)-active)
}

// vulnAssessment presents matches as an assessment so the SARIF renderer
// of the reports serves `vuln scan` too.
func vulnAssessment(sb *model.SBOM, ms []model.VulnMatch) *model.Assessment {
	const id = "vulnerable-component"
	a := &model.Assessment{SchemaVersion: "1.0", Tool: "iotguard", ToolVersion: version, Solution: sb.Source, AssessedAt: time.Now().UTC()}
	a.Checks = []model.CheckSummary{{ID: id, Version: "1", Title: "Component has no known vulnerability", Controls: []string{"S22"},
		Severity: model.High, Scope: model.AssetModel, Inputs: []model.EvidenceKind{model.EvSBOM, model.EvVuln},
		Remediation: "Update the component to its fixed version, or publish a VEX statement if it is not exploitable."}}
	for _, r := range vulnRows(ms) {
		if r.Suppressed {
			continue
		}
		msg := fmt.Sprintf("%s %s is affected by %s, affected %s", r.Component, r.Version, r.Advisory, r.Affected)
		if r.Fixed != "" {
			msg += ", fixed in " + r.Fixed
		}
		a.Findings = append(a.Findings, model.Finding{Check: id, CheckVersion: "1", Title: a.Checks[0].Title, Controls: []string{"S22"},
			Severity: model.Severity(r.Severity), Status: model.Fail, AssetType: model.AssetModel, Asset: r.Component + "@" + r.Version,
			Message: msg, Evidence: r.PURL, Remediation: a.Checks[0].Remediation})
	}
	a.Checks[0].Fail = len(a.Findings)
	return a
}
