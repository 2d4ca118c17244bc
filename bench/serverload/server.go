package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildIotguard builds the iotguard command of the main module into dir.
// The build runs in the main module's folder: cmd/iotguard needs modules
// (database drivers, the router) that the bench module does not list.
func buildIotguard(ctx context.Context, dir string, stderr io.Writer) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/iotguard/iotguard").Output()
	if err != nil {
		return "", fmt.Errorf("finding the iotguard module (run from the bench folder): %w", err)
	}
	src := strings.TrimSpace(string(out))
	bin := filepath.Join(dir, "iotguard")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/iotguard")
	cmd.Dir = src
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/iotguard in %s: %w", src, err)
	}
	return bin, nil
}

// newAdminToken returns the IOTGUARD_ADMIN_TOKEN for a fresh server: 256
// random bits in hex, well over the server's 32-character minimum.
func newAdminToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
	return hex.EncodeToString(b[:])
}

// freeAddr returns a loopback address with a port that was free a moment
// ago. Another process could take it before the server binds; the server
// then exits with "address already in use", which waitReady reports.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// serverProc is a running `iotguard serve` child.
type serverProc struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	logPath string
	done    chan struct{}
	waitErr error
}

// startServer starts `iotguard serve` on dsn with a known admin token and
// waits until /readyz answers. Its standard output and error (one JSON
// log line per request) go to dir/server.log.
func startServer(ctx context.Context, bin, dir, dsn, token string) (*serverProc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(bin, "serve", "--listen", addr, "--db", dsn,
		"--audit-key", filepath.Join(dir, "audit.key"), "--log-format", "json")
	cmd.Env = append(os.Environ(), "IOTGUARD_ADMIN_TOKEN="+token)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting iotguard serve: %w", err)
	}
	p := &serverProc{cmd: cmd, base: "http://" + addr, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	if err := p.waitReady(ctx, 2*time.Minute); err != nil {
		_ = p.stop()
		return nil, err
	}
	return p, nil
}

func (p *serverProc) pid() int { return p.cmd.Process.Pid }

// waitReady polls /readyz until it answers 200, the child exits, or the
// time is up.
func (p *serverProc) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, "GET", p.base+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("iotguard serve exited before it was ready (%v); its log ends:\n%s", p.waitErr, tail(p.logPath, 2048))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("iotguard serve was not ready after %s; its log ends:\n%s", limit, tail(p.logPath, 2048))
		}
	}
}

// stop asks the server to shut down gracefully (SIGTERM) and kills it if
// it has not exited after the server's own grace period and a margin.
func (p *serverProc) stop() error {
	select {
	case <-p.done:
		return p.exitErr()
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.exitErr()
	case <-time.After(45 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("iotguard serve did not stop within 45 s of SIGTERM and was killed")
	}
}

func (p *serverProc) exitErr() error {
	if p.waitErr != nil {
		return fmt.Errorf("iotguard serve: %w; its log ends:\n%s", p.waitErr, tail(p.logPath, 2048))
	}
	return nil
}

// peakRSS is the child's peak resident set in bytes, once it has exited.
func (p *serverProc) peakRSS() int64 {
	select {
	case <-p.done:
		return childMaxRSS(p.cmd.ProcessState)
	default:
		return 0
	}
}

// tail returns up to the last n bytes of a file, for error messages.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		_, _ = f.Seek(st.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

// logSummary counts the server log's lines by level and keeps the first
// warnings and errors. The server logs no secrets (no tokens, query
// strings or bodies), so its lines may be shown.
type logSummary struct {
	Lines    int      `json:"lines"`
	Errors   int      `json:"errors"`
	Warnings int      `json:"warnings"`
	Samples  []string `json:"samples,omitempty"`
}

const maxLogSamples = 5

func summariseLog(path string) (logSummary, error) {
	var s logSummary
	f, err := os.Open(path)
	if err != nil {
		return s, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Bytes()
		s.Lines++
		var rec struct {
			Level string `json:"level"`
		}
		// Lines that are not JSON (a panic's stack, the bootstrap notice)
		// count as neither.
		if bytes.HasPrefix(line, []byte("{")) && json.Unmarshal(line, &rec) == nil {
			switch rec.Level {
			case "ERROR":
				s.Errors++
			case "WARN":
				s.Warnings++
			default:
				continue
			}
			if len(s.Samples) < maxLogSamples {
				s.Samples = append(s.Samples, truncate(string(line), 400))
			}
		}
	}
	return s, sc.Err()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// metricLine is one sample of iotguard_http_requests_total; route labels
// hold braces ({tenant}), so the label set ends at the last "} ".
var (
	metricLine = regexp.MustCompile(`^iotguard_http_requests_total\{(.*)\} ([0-9.e+]+)$`)
	labelRE    = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)
)

// serverStatuses reads the server's own request counts by status for the
// device routes from /metrics: a cross-check of the client's error count
// that does not depend on the client.
func serverStatuses(ctx context.Context, base string) (map[string]int64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("/metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: status %d", resp.StatusCode)
	}
	return parseStatuses(resp.Body)
}

func parseStatuses(r io.Reader) (map[string]int64, error) {
	out := map[string]int64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := metricLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		labels := map[string]string{}
		for _, l := range labelRE.FindAllStringSubmatch(m[1], -1) {
			labels[l[1]] = l[2]
		}
		if !strings.Contains(labels["route"], "/devices") || labels["method"] != "GET" {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, fmt.Errorf("/metrics: %q: %w", sc.Text(), err)
		}
		out[labels["status"]] += int64(v)
	}
	return out, sc.Err()
}

// ---- PostgreSQL ----

// databaseURL returns admin with its database replaced by name. It
// refuses anything but a postgres:// URL, so that a typo never sends
// CREATE DATABASE somewhere unexpected.
func databaseURL(admin, name string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("%q: use a postgres:// URL", u.Redacted())
	}
	if u.Host == "" {
		return "", fmt.Errorf("%q: the URL names no host", u.Redacted())
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// psql runs one SQL command through the psql client on the admin URL.
func psql(ctx context.Context, adminURL, sql string) (string, error) {
	cmd := exec.CommandContext(ctx, "psql", adminURL, "-X", "-v", "ON_ERROR_STOP=1", "-Atqc", sql)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("psql is not installed: %w", err)
		}
		return "", fmt.Errorf("psql %q: %w: %s", sql, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// pgDatabase is a throw-away database for one run.
type pgDatabase struct {
	admin, name, dsn string
}

// createPGDatabase creates iotguard_bench_<random> beside the admin URL's
// database. The name is ours (hex digits), so it is safe to splice.
func createPGDatabase(ctx context.Context, adminURL string) (*pgDatabase, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "iotguard_bench_" + hex.EncodeToString(b[:])
	dsn, err := databaseURL(adminURL, name)
	if err != nil {
		return nil, err
	}
	if _, err := psql(ctx, adminURL, "CREATE DATABASE "+name); err != nil {
		return nil, err
	}
	return &pgDatabase{admin: adminURL, name: name, dsn: dsn}, nil
}

// drop removes the database even when the benchmark was interrupted;
// FORCE ends any session the killed server left behind.
func (d *pgDatabase) drop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	_, err := psql(ctx, d.admin, "DROP DATABASE IF EXISTS "+d.name+" WITH (FORCE)")
	return err
}

// pgVersion is the server's version, for the report.
func pgVersion(ctx context.Context, adminURL string) string {
	v, err := psql(ctx, adminURL, "SHOW server_version")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return v
}
