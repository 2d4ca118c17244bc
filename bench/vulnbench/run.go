package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// osvScannerModule is the osv-scanner release compared against; it needs
// a newer Go than the main module, which the go command fetches as a
// toolchain module.
const (
	osvScannerModule  = "github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.6.0"
	osvScannerVersion = "v2.6.0"
	osvToolchain      = "go1.27.4"
)

// measurement is one child process run.
type measurement struct {
	wall   time.Duration
	cpu    time.Duration // user + system CPU time of the child
	maxRSS int64         // bytes
	exit   int
}

// run starts a child process and measures its wall time and peak RSS
// (rusage ru_maxrss of the child). Not for measured phases: the child's
// ru_maxrss starts at this process's own peak RSS (see runner).
func run(dir string, env []string, stdout, stderr *bytes.Buffer, name string, args ...string) (measurement, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	start := time.Now()
	err := cmd.Run()
	m := measurement{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		m.exit = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.maxRSS = int64(ru.Maxrss) * 1024 // KiB on Linux
		}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		err = nil // the caller judges the exit code
	}
	return m, err
}

// The measured phases run through a runner: this program started again,
// before the corpus is generated, so that it stays small. Go starts
// children with clone(CLONE_VM|CLONE_VFORK), and Linux carries the peak
// RSS of the memory the child ran on before exec (the parent's) into the
// child's ru_maxrss: measured directly from this process, every child
// would report at least the generator's peak (about 60 MiB with 20,000
// advisories). The runner's own peak, the floor of every figure, is
// measured and printed (runFloor).
const runnerEnv = "VULNBENCH_RUNNER"

type runRequest struct {
	Dir, Name, Stdout, Stderr string
	Args                      []string
}

type runReply struct {
	WallNS, CPUNS, MaxRSS int64
	Exit                  int
	Err                   string
}

// runnerMain serves run requests, one JSON line each, on stdin/stdout.
func runnerMain() {
	dec := json.NewDecoder(os.Stdin)
	enc := json.NewEncoder(os.Stdout)
	for {
		var req runRequest
		if err := dec.Decode(&req); err != nil {
			return
		}
		var rep runReply
		so, err1 := os.Create(req.Stdout)
		se, err2 := os.Create(req.Stderr)
		if err := errors.Join(err1, err2); err != nil {
			rep.Err = err.Error()
		} else {
			cmd := exec.Command(req.Name, req.Args...)
			cmd.Dir, cmd.Stdout, cmd.Stderr = req.Dir, so, se
			start := time.Now()
			err := cmd.Run()
			rep.WallNS = int64(time.Since(start))
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				rep.Err = err.Error()
			}
			if cmd.ProcessState != nil {
				rep.Exit = cmd.ProcessState.ExitCode()
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					rep.MaxRSS = int64(ru.Maxrss) * 1024
				}
				rep.CPUNS = int64(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime())
			}
		}
		so.Close()
		se.Close()
		if enc.Encode(rep) != nil {
			return
		}
	}
}

type runner struct {
	cmd *exec.Cmd
	enc *json.Encoder
	dec *json.Decoder
	tmp string
}

func startRunner() (*runner, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "vulnbench-run")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), runnerEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &runner{cmd: cmd, enc: json.NewEncoder(in), dec: json.NewDecoder(out), tmp: tmp}, nil
}

// measure runs a command in the runner and returns its measurement and
// its stdout and stderr.
func (r *runner) measure(dir, name string, args ...string) (measurement, []byte, []byte, error) {
	req := runRequest{Dir: dir, Name: name, Args: args,
		Stdout: filepath.Join(r.tmp, "stdout"), Stderr: filepath.Join(r.tmp, "stderr")}
	if err := r.enc.Encode(req); err != nil {
		return measurement{}, nil, nil, fmt.Errorf("runner: %w", err)
	}
	var rep runReply
	if err := r.dec.Decode(&rep); err != nil {
		return measurement{}, nil, nil, fmt.Errorf("runner: %w", err)
	}
	so, _ := os.ReadFile(req.Stdout)
	se, _ := os.ReadFile(req.Stderr)
	m := measurement{wall: time.Duration(rep.WallNS), cpu: time.Duration(rep.CPUNS), maxRSS: rep.MaxRSS, exit: rep.Exit}
	if rep.Err != "" {
		return m, so, se, fmt.Errorf("%s: %s", name, rep.Err)
	}
	return m, so, se, nil
}

func (r *runner) close() {
	r.cmd.Process.Kill()
	r.cmd.Wait()
	os.RemoveAll(r.tmp)
}

// buildIotguard builds the iotguard binary of the main module (../ of the
// bench module) once per run.
func buildIotguard(mainDir, cache string) (string, error) {
	out := filepath.Join(cache, "iotguard")
	var so, se bytes.Buffer
	m, err := run(mainDir, nil, &so, &se, "go", "build", "-o", out, "./cmd/iotguard")
	if err != nil {
		return "", err
	}
	if m.exit != 0 {
		return "", fmt.Errorf("go build ./cmd/iotguard in %s: exit %d\n%s", mainDir, m.exit, se.String())
	}
	return out, nil
}

// ensureOSVScanner returns the osv-scanner binary: --osv-scanner, else
// the one under the cache's gobin, built there with go install when
// missing (minutes, once).
func ensureOSVScanner(cache, given string, logf func(string, ...any)) (string, error) {
	if given != "" {
		return given, nil
	}
	gobin := filepath.Join(cache, "gobin")
	bin := filepath.Join(gobin, "osv-scanner")
	if fi, err := os.Stat(bin); err == nil && !fi.IsDir() {
		return bin, nil
	}
	if err := os.MkdirAll(gobin, 0o755); err != nil {
		return "", err
	}
	logf("building osv-scanner %s into %s (once; takes minutes)", osvScannerVersion, gobin)
	env := []string{"GOTOOLCHAIN=" + osvToolchain, "GOFLAGS=-mod=mod", "GOBIN=" + gobin}
	var so, se bytes.Buffer
	tmp, err := os.MkdirTemp("", "vulnbench-osv-build")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	m, err := run(tmp, env, &so, &se, "go", "install", osvScannerModule)
	if err != nil {
		return "", err
	}
	if m.exit != 0 {
		return "", fmt.Errorf("GOTOOLCHAIN=%s GOFLAGS=-mod=mod GOBIN=%s go install %s: exit %d\n%s",
			osvToolchain, gobin, osvScannerModule, m.exit, lastLines(se.String(), 15))
	}
	return bin, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// phase is one measured step, run several times.
type phase struct {
	tool, name string
	runs       []measurement
	matches    int
	err        string
}

func (p *phase) median() measurement {
	if len(p.runs) == 0 {
		return measurement{}
	}
	ws := make([]time.Duration, len(p.runs))
	cs := make([]time.Duration, len(p.runs))
	rs := make([]int64, len(p.runs))
	for i, m := range p.runs {
		ws[i], cs[i], rs[i] = m.wall, m.cpu, m.maxRSS
	}
	slices.Sort(ws)
	slices.Sort(cs)
	slices.Sort(rs)
	return measurement{wall: ws[len(ws)/2], cpu: cs[len(cs)/2], maxRSS: rs[len(rs)/2]}
}

func (p *phase) spread() string {
	var ws []string
	for _, m := range p.runs {
		ws = append(ws, fmtDur(m.wall))
	}
	return strings.Join(ws, ", ")
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

func fmtMiB(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
