package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/internal/atomicfile"
	"github.com/iotguard/iotguard/internal/fingerprint"
	"github.com/iotguard/iotguard/internal/progress"
	"github.com/iotguard/iotguard/manifest"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/oscal"
	"github.com/iotguard/iotguard/report"
)

func init() { extraCommands = append(extraCommands, newAssessCmd) }

// reportFormats are every output format, OSCAL included.
func reportFormats() []string { return append(slices.Clone(report.Formats), "oscal") }

// reportFileName is the file each format gets in an output folder.
func reportFileName(format string) string {
	if format == "oscal" {
		return "report.oscal.json"
	}
	return report.Extension(format)
}

// formatFromFileName guesses a format from an output file's extension.
func formatFromFileName(path string) string {
	p := strings.ToLower(path)
	switch {
	case strings.HasSuffix(p, ".oscal.json"):
		return "oscal"
	case strings.HasSuffix(p, ".json"):
		return "json"
	case strings.HasSuffix(p, ".html"), strings.HasSuffix(p, ".htm"):
		return "html"
	case strings.HasSuffix(p, ".sarif"), strings.HasSuffix(p, ".sarif.json"):
		return "sarif"
	case strings.HasSuffix(p, ".md"), strings.HasSuffix(p, ".markdown"):
		return "markdown"
	case strings.HasSuffix(p, ".csv"):
		return "csv"
	}
	return "table"
}

// assessOptions are the shared options of assess and demo.
type assessOptions struct {
	format      *enumValue
	output      string
	outDir      string
	failOn      *enumValue
	role        *enumValue
	concurrency int
	maxFindings int
	plan        string // manifest path, referenced by the OSCAL results
	evidence    *model.Evidence
	registry    *engine.Registry // nil means the built-in checks
}

func (o *assessOptions) addReportFlags(cmd *cobra.Command, defaultFormat string) {
	o.format = enumFlag(cmd, "format", "", defaultFormat, reportFormats(), true, "report format")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the report to `file` (format from --format, else from the extension)")
	cmd.Flags().StringVar(&o.outDir, "out-dir", "", "write every format to `dir` (report.html, report.json, report.sarif, ...)")
	o.failOn = enumFlag(cmd, "fail-on", "", "", stringsOf(model.Severities[:4]), true, "exit 1 when a finding at or above this severity exists")
	o.role = enumFlag(cmd, "role", "r", "", stringsOf(model.Stakeholders), true, "scope the report to the controls one stakeholder owns")
	cmd.Flags().IntVar(&o.concurrency, "concurrency", 0, "device-check workers (default: number of CPUs)")
	cmd.Flags().IntVar(&o.maxFindings, "max-findings", 100000, "keep at most `n` findings in reports, most severe first; counts stay exact (0 keeps all)")
}

const assessLong = `Assess an IoT solution against ISO/IEC 27400. iotguard reads the manifest (YAML or JSON:
organisation and roles, device models, devices inline or streamed from a JSONL/CSV side file,
services, networks, data flows, policy thresholds and attestations), runs every built-in check,
verifies attestation evidence, and rolls the results up per control, stakeholder role and
category. A failing automated check always shows, even when someone attested the control: the
worse of the two decides.

Output: a table on the terminal by default; --format json|markdown|html|sarif|oscal|csv for tools
and people; -o FILE to write one report; --out-dir DIR to write every format at once. Files are
written atomically: a failed or interrupted run never leaves a half-written report.

Exit status: 0 when the assessment ran (and no finding reached --fail-on); 1 when a finding at or
above --fail-on exists (reports are still written); 2 on a usage or manifest error (the message
names file, line and field; no report is written); 3 on any other failure; 130 when interrupted.`

const assessExample = `  # Start from a commented manifest, then assess it
  iotguard init
  iotguard assess -f iotguard.yaml

  # All formats for auditors and tools, in one go
  iotguard assess -f iotguard.yaml --out-dir reports/

  # CI gate: fail the pipeline on high or critical findings, SARIF for code scanning
  iotguard assess -f iotguard.yaml --format sarif -o iotguard.sarif --fail-on high

  # What do IoT users (IU) own, and how do they stand?
  iotguard assess -f iotguard.yaml --role IU

  # Keep the history on the server (token from IOTGUARD_TOKEN)
  iotguard assess -f iotguard.yaml --server https://iotguard.example --tenant TENANT --solution SOLUTION`

func newAssessCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "assess -f MANIFEST",
		Short:   "Assess a solution manifest: checks, attestations, roll-up and reports",
		Long:    assessLong,
		Example: assessExample,
		Args:    cobra.NoArgs,
	}
	var file string
	cmd.Flags().StringVarP(&file, "file", "f", "iotguard.yaml", "solution manifest `file` (YAML or JSON)")
	cmd.MarkFlagFilename("file", "yaml", "yml", "json")
	var opts assessOptions
	opts.addReportFlags(cmd, "table")
	var evf evidenceFlags
	evf.add(cmd)
	var push pushOptions
	push.add(cmd)
	var rulePaths []string
	cmd.Flags().StringArrayVar(&rulePaths, "rules", nil, "CEL rule pack `file` or folder to run beside the built-in checks (repeatable)")
	var nowS string
	cmd.Flags().StringVar(&nowS, "now", "", "assess as of this `time` (RFC 3339 or YYYY-MM-DD; default now), for reproducible runs")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := opts.validate(cmd); err != nil {
			return err
		}
		// The catalog and the manifest are read side by side: each is a few
		// milliseconds of parsing, most of a small fleet's start-up. A
		// catalog error still comes first.
		type catalogResult struct {
			cat *catalog.Catalog
			err error
		}
		catDone := make(chan catalogResult, 1)
		go func() {
			cat, err := a.catalog()
			catDone <- catalogResult{cat, err}
		}()
		loaded, err := manifest.Load(file)
		cr := <-catDone
		if cr.err != nil {
			return cr.err
		}
		cat := cr.cat
		if errors.Is(err, fs.ErrNotExist) && !cmd.Flags().Changed("file") {
			return usagef("no %s here: write a starter with 'iotguard init', or give the manifest with -f FILE", file)
		}
		if err != nil {
			return inputError(err)
		}
		opts.plan = file
		if evf.inventoryCSV != "" {
			cols, err := evf.columns()
			if err != nil {
				return err
			}
			if err := loaded.UseDevicesFile(evf.inventoryCSV, cols); err != nil {
				return inputError(err)
			}
		} else if evf.csvColumns != "" {
			return usagef("--csv-columns maps the headers of --inventory-csv: give that too")
		}
		if loaded.Evidence == nil {
			loaded.Evidence = &manifest.EvidenceFiles{}
		}
		if err := evf.apply(loaded.Evidence); err != nil {
			return err
		}
		now, err := parseNow(nowS)
		if err != nil {
			return err
		}
		ev, err := loadEvidence(cmd.Context(), loaded.Solution, loaded.Evidence, loaded.Dir, "", now, a.logf)
		if err != nil {
			return err
		}
		opts.evidence = ev
		set, err := loadRules(cat, append(loaded.Evidence.Rules, rulePaths...))
		if err != nil {
			return err
		}
		if opts.registry, err = registry(set); err != nil {
			return err
		}
		if err := push.validate(); err != nil {
			return err
		}
		as, err := a.assess(cmd.Context(), cat, loaded.Solution, loaded.Inventory, loaded.Files, now, opts)
		if err != nil {
			return err
		}
		if err := a.push(cmd.Context(), push, as); err != nil {
			return err
		}
		return a.emit(as, cat, opts, false)
	}
	return cmd
}

func (o *assessOptions) validate(cmd *cobra.Command) error {
	if o.output != "" && o.outDir != "" {
		return usagef("give either -o FILE or --out-dir DIR, not both")
	}
	if o.output != "" && !cmd.Flags().Changed("format") {
		o.format.value = formatFromFileName(o.output)
	}
	if o.concurrency < 0 || o.maxFindings < 0 {
		return usagef("--concurrency and --max-findings must not be negative")
	}
	return nil
}

// inputError classifies manifest errors: bad input exits 2, I/O failures 3.
func inputError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, manifest.ErrInput) {
		return err
	}
	if errors.Is(err, fingerprint.ErrTempFile) {
		return err // the environment's fault: exit 3
	}
	return asUsage(err)
}

// assess runs the engine with a progress bar on an interactive terminal.
func (a *app) assess(ctx context.Context, cat *catalog.Catalog, sol *model.Solution, inv engine.Inventory, files fs.FS, now time.Time, opts assessOptions) (*model.Assessment, error) {
	bar := progress.New(a.stderr)
	total, phase := 0, ""
	reg := opts.registry
	if reg == nil {
		reg = checks.Builtin()
	}
	as, err := engine.Run(ctx, cat, reg, sol, inv, engine.Options{
		Now: now, Files: files, Concurrency: opts.concurrency, MaxFindings: opts.maxFindings, ToolVersion: version,
		Evidence: opts.evidence,
		Progress: func(p string, done int) {
			if p != phase {
				phase = p
				if p == "index" {
					bar.Start("reading ", 0)
				} else {
					bar.Start("checking", total)
				}
			}
			if p == "index" {
				total = done
			}
			bar.Update(done)
		},
	})
	bar.Done()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, &interruptedError{}
		}
		return nil, inputError(err)
	}
	if as.FindingsTruncated > 0 {
		a.logf("%d less severe findings are counted but not listed (--max-findings %d; 0 keeps all)", as.FindingsTruncated, opts.maxFindings)
	}
	if r := model.Stakeholder(opts.role.value); r != "" {
		as = engine.Scope(as, r)
	}
	return as, nil
}

// renderOptions carry what the renderers need beyond the assessment.
type renderOptions struct {
	color     bool
	reportDir string // set when every format goes to one folder
	plan      string // the manifest, as the OSCAL assessment plan
}

// render writes one format of the assessment to w.
func render(w io.Writer, format string, as *model.Assessment, cat *catalog.Catalog, ro renderOptions) error {
	if format == "oscal" {
		return oscal.WriteResults(w, oscal.ExportResults(as, cat, oscal.ResultsOptions{PlanHref: ro.plan}))
	}
	return report.Render(w, format, as, report.Options{Catalog: cat, Color: ro.color, ReportDir: ro.reportDir})
}

// emit writes the reports the options ask for and applies --fail-on.
func (a *app) emit(as *model.Assessment, cat *catalog.Catalog, opts assessOptions, quietSummary bool) error {
	switch {
	case opts.outDir != "":
		if err := writeAll(opts.outDir, as, cat, opts.plan); err != nil {
			return err
		}
		if !quietSummary {
			ro := renderOptions{color: progress.Enabled(a.stdout), reportDir: opts.outDir}
			if err := render(a.stdout, "table", as, cat, ro); err != nil {
				return err
			}
		}
	case opts.output != "":
		if err := atomicfile.Write(opts.output, 0o644, func(w io.Writer) error {
			return render(w, opts.format.value, as, cat, renderOptions{plan: opts.plan})
		}); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "wrote %s (%s)\n", opts.output, opts.format.value)
	default:
		ro := renderOptions{color: opts.format.value == "table" && progress.Enabled(a.stdout), plan: opts.plan}
		if err := render(a.stdout, opts.format.value, as, cat, ro); err != nil {
			return err
		}
	}
	return failOn(as, model.Severity(opts.failOn.value))
}

// writeAll writes every format into dir, each file atomically.
func writeAll(dir string, as *model.Assessment, cat *catalog.Catalog, plan string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report folder: %w", err)
	}
	for _, f := range reportFormats() {
		path := filepath.Join(dir, reportFileName(f))
		if err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
			return render(w, f, as, cat, renderOptions{reportDir: dir, plan: plan})
		}); err != nil {
			return err
		}
	}
	return nil
}

// failOn returns a findingsError when a finding is at or above min.
func failOn(as *model.Assessment, min model.Severity) error {
	if min == "" {
		return nil
	}
	n := 0
	for _, f := range as.Findings {
		if f.Severity.AtLeast(min) {
			n++
		}
	}
	if n > 0 {
		return &findingsError{msg: fmt.Sprintf("%d finding(s) at or above %s (--fail-on %s)", n, min, min)}
	}
	return nil
}

// interruptedError reports that the user stopped the run.
type interruptedError struct{}

func (*interruptedError) Error() string { return "interrupted: no report was written" }
