package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/internal/suggest"
)

// enumValue is a flag that accepts one of a fixed set of values and says
// which ones when given anything else.
type enumValue struct {
	value   string
	allowed []string
	fold    bool // compare case-insensitively and store the canonical spelling
}

func newEnum(def string, allowed []string, fold bool) *enumValue {
	return &enumValue{value: def, allowed: allowed, fold: fold}
}

func (e *enumValue) String() string { return e.value }
func (e *enumValue) Type() string   { return "string" }

func (e *enumValue) Set(v string) error {
	for _, a := range e.allowed {
		if a == v || (e.fold && strings.EqualFold(a, v)) {
			e.value = a
			return nil
		}
	}
	return fmt.Errorf("must be one of %s", strings.Join(e.allowed, ", "))
}

// enumFlag registers an enum flag with shell completion of its values.
func enumFlag(cmd *cobra.Command, name, short, def string, allowed []string, fold bool, usage string) *enumValue {
	v := newEnum(def, allowed, fold)
	u := fmt.Sprintf("%s (%s)", usage, strings.Join(allowed, "|"))
	if short != "" {
		cmd.Flags().VarP(v, name, short, u)
	} else {
		cmd.Flags().Var(v, name, u)
	}
	cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return slices.Clone(allowed), cobra.ShellCompDirectiveNoFileComp
	})
	return v
}

// groupCommand makes a command that only holds subcommands reject unknown
// subcommands with exit status 2 and a suggestion, instead of printing help
// and succeeding.
func groupCommand(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		var names []string
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				names = append(names, sub.Name())
			}
		}
		return usagef("unknown command %q for %q%s; valid commands: %s", args[0], c.CommandPath(),
			suggest.Hint(args[0], names), strings.Join(names, ", "))
	}
	return cmd
}
