package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/catalogfmt"
	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
)

func init() { extraCommands = append(extraCommands, newChecksCmd) }

func newChecksCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List the built-in checks: what each decides, for which controls",
		Long: `List every built-in check with its scope (device, model, service, network, flow, solution),
severity and the controls it evidences. --control narrows to the checks of one control.`,
		Example: `  iotguard checks
  iotguard checks --control S16
  iotguard checks --format json | jq -r '.[].id'`,
		Args: cobra.NoArgs,
	}
	var control string
	cmd.Flags().StringVar(&control, "control", "", "only checks that evidence this control `ID`")
	format := enumFlag(cmd, "format", "f", "table", []string{"table", "json"}, true, "output format")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		list := checks.All()
		if control != "" {
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			ctl, err := cat.Find(control)
			if err != nil {
				return asUsage(err)
			}
			var keep []engine.Check
			for _, c := range list {
				m := c.Meta()
				if m.AnyControl || slices.Contains(m.Controls, ctl.ID) {
					keep = append(keep, c)
				}
			}
			list = keep
		}
		type row struct {
			ID          string   `json:"id"`
			Version     string   `json:"version"`
			Title       string   `json:"title"`
			Description string   `json:"description"`
			Scope       string   `json:"scope"`
			Severity    string   `json:"severity"`
			Controls    []string `json:"controls"`
			Inputs      []string `json:"inputs"`
			Remediation string   `json:"remediation"`
		}
		rows := make([]row, 0, len(list))
		for _, c := range list {
			m := c.Meta()
			controls := m.Controls
			if m.AnyControl {
				controls = []string{"per-result"}
			}
			rows = append(rows, row{m.ID, m.Version, m.Title, m.Description, string(m.Scope), string(m.Severity),
				controls, stringsOf(m.Inputs), m.Remediation})
		}
		if format.value == "json" {
			return catalogfmt.JSON(a.stdout, rows)
		}
		fmt.Fprintf(a.stdout, "%-34s %-9s %-9s %-12s %s\n", "CHECK", "SCOPE", "SEVERITY", "CONTROLS", "TITLE")
		for _, r := range rows {
			fmt.Fprintf(a.stdout, "%-34s %-9s %-9s %-12s %s\n", r.ID, r.Scope, r.Severity,
				catalogfmt.Truncate(strings.Join(r.Controls, ","), 12), catalogfmt.Truncate(r.Title, 32))
		}
		fmt.Fprintf(a.stdout, "\n%d checks\n", len(rows))
		return nil
	}
	return cmd
}
