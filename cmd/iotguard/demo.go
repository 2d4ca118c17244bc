package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/demo"
	"github.com/iotguard/iotguard/internal/atomicfile"
	"github.com/iotguard/iotguard/manifest"
	"github.com/iotguard/iotguard/model"
)

func init() { extraCommands = append(extraCommands, newDemoCmd) }

const demoLong = `Run iotguard's main job on embedded defaults: a realistic sample solution (Northwind-style
smart-building operator: cameras, thermostats, door controllers, gateways and sensors across
three sites, about 2,000 devices, cloud services, data flows with personal data, attestations
with evidence) that has deliberate, realistic problems. iotguard assesses it in full, prints a
summary with the top risks, and writes every report format to ./iotguard-demo/ (or --out DIR).

--write-manifest DIR writes the sample's manifest instead (DIR/iotguard.yaml, DIR/devices.jsonl
and the evidence files), as a starting point for your own: then run
iotguard assess -f DIR/iotguard.yaml.`

func newDemoCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Assess a realistic sample IoT solution and write every report (no set-up needed)",
		Long:  demoLong,
		Example: `  iotguard demo
  iotguard demo --out /tmp/iotguard-demo
  iotguard demo --role IU
  iotguard demo --write-manifest my-solution && iotguard assess -f my-solution/iotguard.yaml`,
		Args: cobra.NoArgs,
	}
	var out, writeManifest string
	cmd.Flags().StringVar(&out, "out", "iotguard-demo", "folder for the reports")
	cmd.Flags().StringVar(&writeManifest, "write-manifest", "", "write the sample's manifest and side files to `dir` instead of assessing")
	var opts assessOptions
	opts.failOn = newEnum("", stringsOf(model.Severities[:4]), true)
	opts.format = newEnum("table", reportFormats(), true)
	opts.role = enumFlag(cmd, "role", "r", "", stringsOf(model.Stakeholders), true, "scope the reports to the controls one stakeholder owns")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		now := time.Now().UTC().Truncate(time.Second)
		sample := demo.Generate(now)
		if writeManifest != "" {
			return a.writeDemoManifest(writeManifest, sample)
		}
		cat, err := a.catalog()
		if err != nil {
			return err
		}
		// The demo runs exactly what `assess` runs on a manifest: it writes
		// the sample to a temporary folder and loads it back, evidence
		// files included.
		tmp, err := os.MkdirTemp("", "iotguard-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		start := time.Now()
		if _, err := writeSample(tmp, sample); err != nil {
			return err
		}
		loaded, err := manifest.Load(filepath.Join(tmp, manifest.FileName))
		if err != nil {
			return fmt.Errorf("demo manifest: %w", err)
		}
		ev, err := loadEvidence(cmd.Context(), loaded.Solution, loaded.Evidence, loaded.Dir, tmp, now, func(string, ...any) {})
		if err != nil {
			return fmt.Errorf("demo evidence: %w", err)
		}
		opts.evidence = ev
		as, err := a.assess(cmd.Context(), cat, loaded.Solution, loaded.Inventory, loaded.Files, now, opts)
		if err != nil {
			return err
		}
		elapsed := time.Since(start)
		if err := writeAll(out, as, cat, ""); err != nil {
			return err
		}
		a.demoSummary(as, out, elapsed)
		return nil
	}
	return cmd
}

// writeSample writes the sample's manifest, devices side file and
// evidence files into dir; it returns how many evidence files it wrote.
func writeSample(dir string, sample *demo.Sample) (int, error) {
	if err := manifest.Write(dir, sample.Solution, sample.Devices, manifest.WriteOptions{DevicesFile: "devices.jsonl"}); err != nil {
		return 0, err
	}
	n := 0
	err := fs.WalkDir(sample.Evidence, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sample.Evidence, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		n++
		return atomicfile.WriteBytes(dst, 0o644, data)
	})
	if err != nil {
		return n, fmt.Errorf("evidence files: %w", err)
	}
	return n, nil
}

func (a *app) writeDemoManifest(dir string, sample *demo.Sample) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, manifest.FileName)); err == nil {
		return usagef("%s already exists: choose an empty folder, or remove it first", filepath.Join(dir, manifest.FileName))
	}
	n, err := writeSample(dir, sample)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "wrote %s/iotguard.yaml, %s/devices.jsonl (%d devices) and %d evidence files\n",
		dir, dir, len(sample.Devices), n)
	fmt.Fprintf(a.stdout, "next: iotguard assess -f %s/iotguard.yaml\n", dir)
	return nil
}

// demoSummary prints the posture, the top risks and where the reports are.
func (a *app) demoSummary(as *model.Assessment, out string, elapsed time.Duration) {
	w := a.stdout
	fmt.Fprintf(w, "iotguard demo: %s (%s)\n", as.Solution, as.Organization)
	scope := "the 45 ISO/IEC 27400 controls"
	if as.Role != "" {
		scope = fmt.Sprintf("the %d controls %s owns", len(as.Controls), as.Role)
	}
	fmt.Fprintf(w, "assessed %d devices with %d checks against %s in %s\n\n",
		as.Summary.Devices, as.Summary.Checks, scope, elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "Overall score %.1f/100", as.Summary.Score)
	var roles []string
	for _, r := range model.Stakeholders {
		if s, ok := as.Summary.ByRole[r]; ok {
			roles = append(roles, fmt.Sprintf("%s %.0f", r, s))
		}
	}
	fmt.Fprintf(w, "   by role: %s\n", strings.Join(roles, ", "))
	var st []string
	for _, s := range model.ControlStatuses {
		st = append(st, fmt.Sprintf("%d %s", as.Summary.Controls[s], s))
	}
	fmt.Fprintf(w, "Controls: %s\n", strings.Join(st, ", "))
	var sv []string
	for _, s := range model.Severities {
		sv = append(sv, fmt.Sprintf("%d %s", as.Summary.Findings[s], s))
	}
	fmt.Fprintf(w, "Findings: %s\n\nTop risks\n", strings.Join(sv, ", "))
	for _, r := range topRisks(as, 8) {
		fmt.Fprintf(w, "  %-8s %-34s %s\n", r.severity, r.check, r.controls)
		fmt.Fprintf(w, "           %s\n", r.text)
	}
	fmt.Fprintf(w, "\nReports in %s/: report.html (open in a browser), report.json, report.sarif,\n", out)
	fmt.Fprintf(w, "report.oscal.json, report.md, report.csv, report.txt\n")
	fmt.Fprintf(w, "Write the sample's manifest to start your own: iotguard demo --write-manifest my-solution\n")
}

type risk struct{ severity, check, controls, text string }

// topRisks groups findings by check, most severe first, so one problem on
// many devices is one line.
func topRisks(as *model.Assessment, n int) []risk {
	type group struct {
		f     model.Finding
		count int
	}
	var order []string
	groups := map[string]*group{}
	for _, f := range as.Findings {
		g := groups[f.Check]
		if g == nil {
			g = &group{f: f}
			groups[f.Check] = g
			order = append(order, f.Check)
		}
		g.count++
	}
	var out []risk
	for _, id := range order {
		if len(out) == n {
			break
		}
		g := groups[id]
		text := fmt.Sprintf("%s: %s", g.f.Asset, g.f.Message)
		if g.count > 1 {
			text = fmt.Sprintf("%s (+%d more)", text, g.count-1)
		}
		if r := []rune(text); len(r) > 90 {
			text = string(r[:89]) + "…"
		}
		out = append(out, risk{string(g.f.Severity), g.f.Check, strings.Join(g.f.Controls, ", "), text})
	}
	return out
}
