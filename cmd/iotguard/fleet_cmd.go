package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/catalogfmt"
	"github.com/iotguard/iotguard/fleetgen"
	"github.com/iotguard/iotguard/internal/progress"
	"github.com/iotguard/iotguard/manifest"
	"github.com/iotguard/iotguard/model"
)

func init() { extraCommands = append(extraCommands, newFleetCmd) }

func newFleetCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fleet",
		Short: "Generate synthetic fleets for trials, load tests and benchmarks",
	}
	cmd.AddCommand(newFleetGenerateCmd(a))
	return groupCommand(cmd)
}

func problemHelp() string {
	var b strings.Builder
	for _, p := range fleetgen.Problems() {
		fmt.Fprintf(&b, "  %-34s %5.2f%%  %s\n", p.Name, p.Default*100, p.Description)
	}
	return b.String()
}

func newFleetGenerateCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "generate --devices N [--seed S] -o DIR",
		Short: "Write a realistic, deterministic synthetic solution with a controlled rate of each problem",
		Long: `Write DIR/iotguard.yaml, DIR/devices.jsonl (streamed: 10 to 10,000,000 devices in flat memory),
SBOMs per model and firmware, and attestation evidence. The same --devices, --seed and --now give
the same fleet, byte for byte. Each device carries at most one deliberate problem, drawn with the
rates below (change them with --rate NAME=P, repeatable, or --no-problems); the summary says how
many devices each built-in check must fail, so an assessment can be verified against it.

Dates are relative to --now (default: now): assess within a day, or pass the same --now to
iotguard assess, since telemetry older than 24 hours counts as silent.

Problems and default rates:
` + problemHelp(),
		Example: `  iotguard fleet generate --devices 10000 -o /tmp/fleet
  iotguard assess -f /tmp/fleet/iotguard.yaml --format json -o /tmp/fleet/report.json
  iotguard fleet generate --devices 1000000 --seed 7 --rate telnet-open=2% -o /tmp/big
  iotguard fleet generate --devices 100 --no-problems --json -o /tmp/clean`,
		Args: cobra.NoArgs,
	}
	var (
		devices    int
		seed       uint64
		out, nowS  string
		rates      []string
		noProblems bool
		asJSON     bool
	)
	cmd.Flags().IntVarP(&devices, "devices", "n", 1000, "number of `devices` (10 to 10,000,000)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random `seed`: the same seed gives the same fleet")
	cmd.Flags().StringVarP(&out, "output", "o", "", "folder to write (created; must not hold a manifest)")
	cmd.Flags().StringArrayVar(&rates, "rate", nil, "set a problem's rate, NAME=P (0.01 or 1%); repeatable")
	cmd.Flags().BoolVar(&noProblems, "no-problems", false, "generate a fleet without deliberate problems")
	cmd.Flags().StringVar(&nowS, "now", "", "time the fleet's dates are relative to (RFC 3339; default now)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.MarkFlagRequired("output")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		r := fleetgen.DefaultRates()
		if noProblems {
			r = fleetgen.Rates{}
		}
		for _, s := range rates {
			if err := r.Set(s); err != nil {
				return usagef("--rate: %v", err)
			}
		}
		now, err := parseNow(nowS)
		if err != nil {
			return err
		}
		opts := fleetgen.Options{
			Devices: devices, Seed: seed, Rates: r, Now: now,
			WriteManifest: func(dir string, sol *model.Solution, devicesFile string) error {
				return manifest.Write(dir, sol, nil, manifest.WriteOptions{DevicesFile: devicesFile, DevicesWritten: true,
					Header: fmt.Sprintf("Synthetic fleet: iotguard fleet generate --devices %d --seed %d", devices, seed)})
			},
		}
		if _, err := fleetgen.New(opts); err != nil {
			return asUsage(err)
		}
		bar := progress.New(a.stderr)
		bar.Start("generating", devices)
		start := time.Now()
		sum, err := fleetgen.Generate(cmd.Context(), out, opts, bar.Update)
		bar.Done()
		switch {
		case errors.Is(err, context.Canceled):
			return &interruptedError{}
		case err != nil:
			return err
		}
		if asJSON {
			return catalogfmt.JSON(a.stdout, sum)
		}
		fmt.Fprintf(a.stdout, "wrote %s: %d devices (%.1f MB of JSON lines), %d sites, %d models in %s\n",
			out, sum.Devices, float64(sum.Bytes)/1e6, sum.Sites, sum.Models, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(a.stdout, "%d devices are clean; devices each built-in check must fail:\n", sum.Clean)
		ids := make([]string, 0, len(sum.Checks))
		for id := range sum.Checks {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			fmt.Fprintf(a.stdout, "  %-36s %d\n", id, sum.Checks[id])
		}
		fmt.Fprintf(a.stdout, "next: iotguard assess -f %s/iotguard.yaml --now %s\n", out, sum.Now.UTC().Format(time.RFC3339))
		return nil
	}
	return cmd
}

// parseNow reads --now; empty means the current time.
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := model.ParseTimestamp(s)
	if err != nil {
		return time.Time{}, usagef("--now: %v", err)
	}
	return t.Time, nil
}
