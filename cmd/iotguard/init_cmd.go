package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/internal/atomicfile"
	"github.com/iotguard/iotguard/manifest"
)

func init() { extraCommands = append(extraCommands, newInitCmd, newSchemaCmd) }

func newInitCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a commented starter manifest (iotguard.yaml)",
		Long: `Write a commented starter manifest to DIR/iotguard.yaml (default: the current folder). It shows
every section (organisation and roles, device models, devices, services, networks, data flows,
policy thresholds with their defaults, attestations) with one realistic entry each. An existing
file is never overwritten unless you pass --force.`,
		Example: `  iotguard init
  iotguard init my-solution && iotguard assess -f my-solution/iotguard.yaml
  iotguard schema manifest > iotguard.schema.json   # editor autocompletion`,
		Args: cobra.MaximumNArgs(1),
	}
	var force bool
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing iotguard.yaml")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		dir := "."
		if len(args) == 1 {
			dir = args[0]
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		path := filepath.Join(dir, "iotguard.yaml")
		if _, err := os.Stat(path); err == nil && !force {
			return usagef("%s already exists; pass --force to overwrite it", path)
		}
		if err := atomicfile.WriteBytes(path, 0o644, manifest.Starter()); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "wrote %s\nnext: edit it, then run iotguard assess -f %s\n", path, path)
		return nil
	}
	return cmd
}

func newSchemaCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schema manifest",
		Short: "Print the JSON Schema of the solution manifest, for editors and validators",
		Long: `Print the JSON Schema (draft 2020-12) of iotguard.yaml. Point your editor at it for
autocompletion and inline validation, e.g. with the YAML language server:
  # yaml-language-server: $schema=./iotguard.schema.json`,
		Example:   `  iotguard schema manifest > iotguard.schema.json`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"manifest"},
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if args[0] != "manifest" {
			return usagef("unknown schema %q: valid schemas are: manifest", args[0])
		}
		_, err := a.stdout.Write(manifest.Schema())
		return err
	}
	return cmd
}
