package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iotguard/iotguard/apiclient"
)

// syncBuffer collects a goroutine's output for the test to read.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestServePushAndVerify starts `iotguard serve` on SQLite, pushes an
// assessment with `iotguard assess --server`, stops the server with a
// signal-like cancel, then verifies the audit log with `iotguard audit`.
func TestServePushAndVerify(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "iotguard.db")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errs syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", addr, "--db", db}, strings.NewReader(""), &out, &errs)
	}()
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not start: %s", errs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	token := regexp.MustCompile(`igt_[A-Za-z0-9_-]+`).FindString(out.String())
	if token == "" {
		cancel()
		t.Fatalf("no admin token printed: %q", out.String())
	}
	if strings.Contains(errs.String(), token) {
		t.Error("the admin token appears in the logs")
	}
	c := apiclient.New(base, token)
	me, err := c.Me(ctx)
	if err != nil || len(me.Memberships) != 1 {
		cancel()
		t.Fatalf("me: %+v %v", me, err)
	}
	tenant := me.Memberships[0].TenantID
	sol, err := c.CreateSolution(ctx, tenant, "Northwind", "demo")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	m := writeDemoManifest(t)
	t.Setenv("IOTGUARD_TOKEN", token)
	code, _, aerrs := runCLI(t, "assess", "-f", m, "--format", "json", "-o", filepath.Join(dir, "r.json"),
		"--server", base, "--tenant", tenant, "--solution", sol.ID)
	if code != 0 || !strings.Contains(aerrs, "pushed assessment") {
		t.Errorf("assess --server: exit %d: %s", code, aerrs)
	}
	if code, _, aerrs := runCLI(t, "assess", "-f", m, "--server", base, "--tenant", tenant); code != 2 || !strings.Contains(aerrs, "--solution") {
		t.Errorf("missing --solution: exit %d %q", code, aerrs)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d: %s", code, errs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	code, vout, verrs := runCLI(t, "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(vout, "audit log intact") {
		t.Errorf("audit verify: exit %d %s %s", code, vout, verrs)
	}
	export := filepath.Join(dir, "audit.json")
	if code, _, e := runCLI(t, "audit", "export", "--db", db, "-o", export); code != 0 {
		t.Fatalf("audit export: %d %s", code, e)
	}
	code, vout, verrs = runCLI(t, "audit", "verify", "--export", export, "--public-key", db+".audit-key.pub")
	if code != 0 || !strings.Contains(vout, "intact") {
		t.Errorf("offline verify: exit %d %s %s", code, vout, verrs)
	}
}
