package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/iotguard/iotguard/sqlstore"
	"github.com/iotguard/iotguard/store"
	"github.com/iotguard/iotguard/store/storetest"
)

var ctx = context.Background()

// opened remembers how each test store was opened, for Reopen.
type opened struct {
	dsn string
	opt sqlstore.Options
}

// backend builds the conformance suite's Backend on a database factory.
func backend(newDSN func(t testing.TB) string) storetest.Backend {
	var (
		mu    sync.Mutex
		specs = map[store.Store]opened{}
	)
	open := func(t *testing.T, o opened) store.Store {
		t.Helper()
		st, err := sqlstore.Open(ctx, o.dsn, o.opt)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		mu.Lock()
		specs[st] = o
		mu.Unlock()
		return st
	}
	return storetest.Backend{
		Open: func(t *testing.T, now func() time.Time) store.Store {
			return open(t, opened{dsn: newDSN(t), opt: sqlstore.Options{Now: now, KeyFile: filepath.Join(t.TempDir(), "audit.key")}})
		},
		Reopen: func(t *testing.T, s store.Store) store.Store {
			mu.Lock()
			o := specs[s]
			mu.Unlock()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t, o)
		},
	}
}

func sqliteDSN(t testing.TB) string { return filepath.Join(t.TempDir(), "iotguard.db") }

func TestConformanceSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, backend(sqliteDSN))
}

func TestConformancePostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, backend(postgresDSN))
}

// postgresServer returns the URL of a PostgreSQL server for tests:
// IOTGUARD_TEST_POSTGRES, else the local 127.0.0.1:5432 when it answers.
// Without one the test is skipped, except under CI=true where PostgreSQL
// is mandatory and its absence fails the test.
func postgresServer(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("IOTGUARD_TEST_POSTGRES"); u != "" {
		return u
	}
	conn, err := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second)
	if err == nil {
		conn.Close()
		return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: PostgreSQL is mandatory, but IOTGUARD_TEST_POSTGRES is not set and 127.0.0.1:5432 does not answer (%v)", err)
	}
	t.Skipf("no PostgreSQL (set IOTGUARD_TEST_POSTGRES or run one on 127.0.0.1:5432): %v", err)
	return ""
}

// postgresDSN creates a fresh database for one test and drops it after.
func postgresDSN(t testing.TB) string {
	t.Helper()
	server := postgresServer(t)
	var b [6]byte
	rand.Read(b[:])
	name := "iotguard_test_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to the test PostgreSQL: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	// Registered before the store's own cleanup, so it runs after it.
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
