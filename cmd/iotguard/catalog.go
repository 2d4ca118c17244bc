package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/catalogfmt"
	"github.com/iotguard/iotguard/internal/atomicfile"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/oscal"
)

func stringsOf[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func newCatalogCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Browse, export and cross-map the 45 ISO/IEC 27400 controls",
		Long: `The catalog holds the 45 controls of ISO/IEC 27400 (S01-S28 security, P01-P17 privacy):
their titles, owners, how far a machine can decide them, what evidences them, practical
guidance in iotguard's own words, and cross-references to ETSI EN 303 645, NIST IR 8259A/B,
IEC 62443-4-2, ISO/IEC 27001:2022, ISO/IEC 27701 and the EU Cyber Resilience Act.

Licensees can add the official text with --catalog-overlay FILE (see docs/catalog.md).`,
		Example: `  iotguard catalog list --role ISP --automation automated
  iotguard catalog show 7.1.2.3
  iotguard catalog export --format oscal -o iso27400-catalog.json
  iotguard catalog map --to iso-27001-2022 --format csv`,
	}
	cmd.AddCommand(newCatalogListCmd(a), newCatalogShowCmd(a), newCatalogExportCmd(a), newCatalogMapCmd(a))
	return groupCommand(cmd)
}

func newCatalogListCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List controls, optionally filtered by owner, category or automation level",
		Long: `List the controls as an aligned table (default) or as JSON, CSV, Markdown or YAML.
Filters combine: --role IU --category privacy lists the privacy controls IoT users own.

The JSON output is a stable interface: an array of controls, each with at least id, title,
category, stakeholders, clause, automation and references.`,
		Example: `  iotguard catalog list
  iotguard catalog list --role IU
  iotguard catalog list --category privacy --automation attestation
  iotguard catalog list --format json | jq '.[] | select(.automation=="automated") | .id'`,
		Args: cobra.NoArgs,
	}
	role := enumFlag(cmd, "role", "r", "", stringsOf(model.Stakeholders), true, "only controls this stakeholder owns")
	category := enumFlag(cmd, "category", "c", "", stringsOf(model.Categories), true, "only this category")
	automation := enumFlag(cmd, "automation", "a", "", stringsOf(model.AutomationLevels), true, "only this automation level")
	format := enumFlag(cmd, "format", "f", "table", catalogfmt.ListFormats, true, "output format")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := a.catalog()
		if err != nil {
			return err
		}
		controls := c.Select(catalog.Filter{
			Role:       model.Stakeholder(role.value),
			Category:   model.Category(category.value),
			Automation: model.Automation(automation.value),
		})
		if controls == nil {
			controls = []*model.Control{}
		}
		switch format.value {
		case "json":
			return catalogfmt.JSON(a.stdout, controls)
		case "csv":
			return catalogfmt.CSV(a.stdout, controls)
		case "markdown":
			return catalogfmt.MarkdownTable(a.stdout, controls)
		case "yaml":
			return catalogfmt.YAML(a.stdout, map[string]any{"controls": controls})
		default:
			return catalogfmt.Table(a.stdout, controls)
		}
	}
	return cmd
}

func newCatalogShowCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show ID|CLAUSE",
		Short: "Show everything about one control",
		Long: `Show one control in full: owners, clause, automation, evidence, objective, guidance per
owner, good evidence, common failures and cross-references. Give its ID (S01-S28, P01-P17;
case does not matter, S3 works) or its clause number (e.g. 7.1.2.3).`,
		Example: `  iotguard catalog show S16
  iotguard catalog show 7.1.2.12
  iotguard catalog show P13 --format json`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			c, err := a.catalog()
			if err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
			var out []string
			for _, ctl := range c.Controls {
				out = append(out, ctl.ID+"\t"+ctl.Title)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
	format := enumFlag(cmd, "format", "f", "text", catalogfmt.ShowFormats, true, "output format")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.catalog()
		if err != nil {
			return err
		}
		ctl, err := c.Find(args[0])
		if err != nil {
			return asUsage(err)
		}
		switch format.value {
		case "json":
			return catalogfmt.JSON(a.stdout, ctl)
		case "yaml":
			return catalogfmt.YAML(a.stdout, ctl)
		case "markdown":
			return catalogfmt.MarkdownDocument(a.stdout, []*model.Control{ctl})
		default:
			return catalogfmt.Text(a.stdout, ctl)
		}
	}
	return cmd
}

// writeOutput sends output to stdout, or atomically to path when given.
func (a *app) writeOutput(path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(a.stdout)
	}
	if err := atomicfile.Write(path, 0o644, write); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "wrote %s\n", path)
	return nil
}

func newCatalogExportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export the whole catalog as OSCAL, JSON, CSV, Markdown or YAML",
		Long: `Export every control in full. --format oscal writes an OSCAL catalog (JSON, one document
{"catalog": {...}}) valid against the NIST OSCAL schema, with a group for security and one for
privacy, props for owners and automation, parts for objective and guidance, and links for the
cross-references. The other formats suit spreadsheets (csv), documents (markdown) and tools
(json, yaml). With -o the file is written atomically: it is never left half-written.`,
		Example: `  iotguard catalog export --format oscal -o iso27400.oscal.json
  iotguard catalog export --format markdown -o CONTROLS.md
  iotguard catalog export --format csv > controls.csv`,
		Args: cobra.NoArgs,
	}
	format := enumFlag(cmd, "format", "f", "json", catalogfmt.ExportFormats, true, "output format")
	var out string
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `file` instead of standard output")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := a.catalog()
		if err != nil {
			return err
		}
		return a.writeOutput(out, func(w io.Writer) error {
			switch format.value {
			case "oscal":
				return oscal.WriteCatalog(w, oscal.ExportCatalog(c.Controls, oscal.CatalogOptions{Version: catalogVersion()}))
			case "csv":
				return catalogfmt.CSV(w, c.Controls)
			case "markdown":
				return catalogfmt.MarkdownDocument(w, c.Controls)
			case "yaml":
				return catalogfmt.YAML(w, map[string]any{"controls": c.Controls})
			default:
				return catalogfmt.JSON(w, map[string]any{
					"catalog":    "ISO/IEC 27400:2022",
					"version":    catalogVersion(),
					"frameworks": catalog.Frameworks,
					"controls":   c.Controls,
				})
			}
		})
	}
	return cmd
}

func catalogVersion() string { return version }

func newCatalogMapCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "map (--to FRAMEWORK | --from FRAMEWORK ELEMENT)",
		Short: "Crosswalk between 27400 controls and other frameworks, both ways",
		Long: `--to FRAMEWORK lists, for every 27400 control, the elements of FRAMEWORK it relates to.
--from FRAMEWORK ELEMENT lists the 27400 controls that relate to one element; an element that
names a group (ETSI "5.1", ISO "A.8", IEC "CR 1") matches everything in it.

Relations follow NIST OLIR, read "27400 control <relation> element": equivalent, subset-of,
superset-of, intersects-with, related-to.

Frameworks (key, aliases):
  etsi-en-303-645   etsi           ETSI EN 303 645 V2.1.1 provisions, e.g. 5.1-1
  nist-ir-8259a     8259a          NIST IR 8259A capabilities, e.g. software-update
  nist-ir-8259b     8259b          NIST IR 8259B capabilities, e.g. documentation
  iec-62443-4-2     62443          IEC 62443-4-2 requirements, e.g. "CR 1.5"
  iso-27001-2022    27001          ISO/IEC 27001:2022 Annex A, e.g. A.8.8
  iso-27701-2019    27701          ISO/IEC 27701:2019 Annexes A/B, e.g. A.7.2.5
  eu-cra            cra            EU CRA Annexes I/II, e.g. I.1.2.d`,
		Example: `  # Which 27400 controls does ETSI EN 303 645 provision 5.1-1 touch?
  iotguard catalog map --from etsi 5.1-1
  # Every ISO/IEC 27001 Annex A link, for a spreadsheet
  iotguard catalog map --to 27001 --format csv
  iotguard catalog map --from cra I.1.2.d --format json`,
		Args: cobra.MaximumNArgs(1),
	}
	var to, from string
	cmd.Flags().StringVar(&to, "to", "", "list every mapping to this `framework`")
	cmd.Flags().StringVar(&from, "from", "", "list the controls mapped from an element of this `framework`")
	cmd.MarkFlagsMutuallyExclusive("to", "from")
	complete := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return catalog.FrameworkKeys(), cobra.ShellCompDirectiveNoFileComp
	}
	cmd.RegisterFlagCompletionFunc("to", complete)
	cmd.RegisterFlagCompletionFunc("from", complete)
	format := enumFlag(cmd, "format", "f", "table", catalogfmt.MapFormats, true, "output format")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		c, err := a.catalog()
		if err != nil {
			return err
		}
		var ms []catalog.Mapping
		switch {
		case to != "":
			if len(args) > 0 {
				return usagef("--to takes no element argument; did you mean --from %s %s?", to, args[0])
			}
			ms, err = c.MapTo(to)
		case from != "":
			if len(args) != 1 {
				return usagef("--from %s needs the element to look up, e.g. iotguard catalog map --from etsi 5.1-1", from)
			}
			ms, err = c.MapFrom(from, args[0])
		default:
			return usagef("give --to FRAMEWORK or --from FRAMEWORK ELEMENT; frameworks: %v", catalog.FrameworkKeys())
		}
		if err != nil {
			return asUsage(err)
		}
		if ms == nil {
			ms = []catalog.Mapping{}
		}
		switch format.value {
		case "json":
			return catalogfmt.JSON(a.stdout, ms)
		case "csv":
			return catalogfmt.MappingCSV(a.stdout, ms)
		default:
			if len(ms) == 0 {
				fmt.Fprintln(a.stderr, "no 27400 control maps to that element")
				return nil
			}
			return catalogfmt.MappingTable(a.stdout, ms, from != "")
		}
	}
	return cmd
}
