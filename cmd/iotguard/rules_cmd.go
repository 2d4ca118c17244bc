package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/rules"
)

func init() { extraCommands = append(extraCommands, newRulesCmd) }

// loadRules compiles rule packs against the catalog in use; problems are
// input errors that name file, line and column.
func loadRules(cat *catalog.Catalog, paths []string) (*rules.Set, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	set, err := rules.LoadWith(rules.Options{Catalog: cat}, paths...)
	if err != nil {
		return nil, asUsage(err)
	}
	return set, nil
}

// registry is the built-in checks plus the rules' checks.
func registry(set *rules.Set) (*engine.Registry, error) {
	if set == nil {
		return checks.Builtin(), nil
	}
	r, err := engine.NewRegistry(append(checks.All(), set.Checks()...)...)
	if err != nil {
		return nil, asUsage(err)
	}
	return r, nil
}

func newRulesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Check and test custom rules written in CEL",
		Long: `Custom rules are YAML rule packs with CEL expressions that run beside the built-in checks,
in the same engine, and whose findings look the same in every report (docs/rules.md).
Run them with iotguard assess --rules PATH, or list them under rules: in the manifest.`,
	}
	lint := &cobra.Command{
		Use:   "lint PATH...",
		Short: "Compile and type-check rule packs; report every problem with file, line and column",
		Example: `  iotguard rules lint examples/rules
  iotguard rules lint my-rules.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			set, err := rules.LintWith(rules.Options{Catalog: cat}, args...)
			if err != nil {
				return asUsage(err)
			}
			fmt.Fprintf(a.stdout, "%d rules in %d files: no problems\n", len(set.Rules), len(set.Files))
			return nil
		},
	}
	test := &cobra.Command{
		Use:     "test PATH...",
		Short:   "Run every rule's pass and fail examples",
		Example: `  iotguard rules test examples/rules`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			set, err := loadRules(cat, args)
			if err != nil {
				return err
			}
			results := set.Test()
			for _, r := range results {
				if !r.OK() {
					fmt.Fprintln(a.stdout, "FAIL "+r.String())
				}
			}
			passed, failed := rules.TestSummary(results)
			fmt.Fprintf(a.stdout, "%d passed, %d failed\n", passed, failed)
			if failed > 0 {
				return &findingsError{msg: fmt.Sprintf("%d rule examples failed", failed)}
			}
			return nil
		},
	}
	cmd.AddCommand(lint, test)
	return groupCommand(cmd)
}
