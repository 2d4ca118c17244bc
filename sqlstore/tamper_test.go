package sqlstore_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/iotguard/iotguard/auditlog"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/sqlstore"
	"github.com/iotguard/iotguard/store"
)

// fill makes a few changes of each kind, and returns the head seq.
func fill(t *testing.T, st *sqlstore.Store) int64 {
	t.Helper()
	sys := store.Actor{Name: "system"}
	p := st.Platform()
	ten, err := p.CreateTenant(ctx, sys, store.Tenant{ID: "acme", Name: "ACME"})
	must(t, err)
	u, err := p.CreateUser(ctx, sys, store.User{Email: "alice@example.com"})
	must(t, err)
	must(t, p.SetMembership(ctx, sys, store.Membership{TenantID: ten.ID, UserID: u.ID, Role: store.RoleAdmin}))
	by := store.Actor{UserID: u.ID, Name: u.Email}
	ts := st.Tenant(ten.ID)
	for i := 0; i < 4; i++ {
		_, err := ts.CreateSolution(ctx, by, store.Solution{ID: fmt.Sprintf("s%d", i), Name: "solution"})
		must(t, err)
	}
	a, err := ts.SaveAttestation(ctx, by, store.Attestation{SolutionID: "s0", Attestation: model.Attestation{Control: "S01", Status: model.Implemented, Statement: "ok"}})
	must(t, err)
	_, err = ts.SubmitAttestation(ctx, by, a.ID)
	must(t, err)
	_, err = ts.ReviewAttestation(ctx, store.Actor{Name: "auditor"}, a.ID, true, "fine", nil)
	must(t, err)
	res, err := st.Audit().Verify(ctx)
	must(t, err)
	if !res.OK || res.Records != 10 {
		t.Fatalf("before tampering: %+v", res)
	}
	return res.Records
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// tamperer runs SQL on the database behind the store's back, as someone
// with write access to the database (but not to the key) would.
type tamperer func(t *testing.T, statements ...string)

// sqliteTamperer uses the sqlite3 CLI when installed, else a separate
// database/sql connection (the same thing from SQLite's point of view:
// another connection writing to the file).
func sqliteTamperer(path string) tamperer {
	return func(t *testing.T, stmts ...string) {
		t.Helper()
		script := strings.Join(stmts, ";\n") + ";\n"
		if cli, err := exec.LookPath("sqlite3"); err == nil {
			cmd := exec.Command(cli, "-bail", path)
			cmd.Stdin = strings.NewReader(".timeout 10000\n" + script)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("sqlite3: %v\n%s", err, out)
			}
			return
		}
		db, err := sql.Open("sqlite", path+"?_busy_timeout=10000")
		must(t, err)
		defer db.Close()
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
}

// postgresTamperer uses the psql CLI when installed, else a separate pgx
// connection.
func postgresTamperer(dsn string) tamperer {
	return func(t *testing.T, stmts ...string) {
		t.Helper()
		if cli, err := exec.LookPath("psql"); err == nil {
			cmd := exec.Command(cli, "-X", "-q", "-v", "ON_ERROR_STOP=1", dsn)
			cmd.Stdin = strings.NewReader(strings.Join(stmts, ";\n") + ";\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("psql: %v\n%s", err, out)
			}
			return
		}
		c, err := pgx.Connect(ctx, dsn)
		must(t, err)
		defer c.Close(ctx)
		for _, s := range stmts {
			if _, err := c.Exec(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
}

// quote is an SQL string literal for the tamper scripts (test data only).
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func TestTamperSQLite(t *testing.T) {
	t.Parallel()
	testTamper(t, func(t *testing.T) (string, tamperer) {
		p := sqliteDSN(t)
		return p, sqliteTamperer(p)
	})
}

func TestTamperPostgres(t *testing.T) {
	t.Parallel()
	testTamper(t, func(t *testing.T) (string, tamperer) {
		dsn := postgresDSN(t)
		return dsn, postgresTamperer(dsn)
	})
}

func testTamper(t *testing.T, newDB func(t *testing.T) (string, tamperer)) {
	for _, tc := range []struct {
		name string
		// sql returns the tampering statements, given the store (to read
		// the head as an attacker could) and the head seq n.
		sql         func(t *testing.T, st *sqlstore.Store, n int64) []string
		wantBad     func(n int64) int64
		wantProblem string
	}{
		{"edit one record's action", func(t *testing.T, st *sqlstore.Store, n int64) []string {
			return []string{"UPDATE audit_log SET action = 'solution.delete' WHERE seq = 5"}
		}, func(int64) int64 { return 5 }, "edited"},
		{"edit and recompute its hash", func(t *testing.T, st *sqlstore.Store, n int64) []string {
			r := record(t, st, 6)
			r.Actor = "mallory"
			return []string{fmt.Sprintf("UPDATE audit_log SET actor = 'mallory', hash = %s WHERE seq = 6", quote(auditlog.Hash(r.PrevHash, r)))}
		}, func(int64) int64 { return 6 }, "differs from its signed checkpoint"},
		{"delete one record", func(t *testing.T, st *sqlstore.Store, n int64) []string {
			return []string{"DELETE FROM audit_log WHERE seq = 4"}
		}, func(int64) int64 { return 4 }, "missing"},
		{"insert a forged record with a valid hash", func(t *testing.T, st *sqlstore.Store, n int64) []string {
			head := record(t, st, n)
			f := store.AuditRecord{Seq: n + 1, TenantID: "acme", Actor: "alice@example.com", At: head.At.Add(time.Second),
				Action: "attestation.approve", ObjectType: "attestation", ObjectID: head.ObjectID, PrevHash: head.Hash}
			f.Hash = auditlog.Hash(f.PrevHash, f)
			return []string{fmt.Sprintf(`INSERT INTO audit_log (seq, tenant_id, actor, at, action, object_type, object_id, before_sha256, after_sha256, prev_hash, hash)
				VALUES (%d, 'acme', %s, %d, 'attestation.approve', 'attestation', %s, '', '', %s, %s)`,
				f.Seq, quote(f.Actor), f.At.UnixMicro(), quote(f.ObjectID), quote(f.PrevHash), quote(f.Hash))}
		}, func(n int64) int64 { return n + 1 }, "not covered by a signed checkpoint"},
		{"swap two records' seqs", func(t *testing.T, st *sqlstore.Store, n int64) []string {
			return []string{
				"UPDATE audit_log SET seq = -1 WHERE seq = 3",
				"UPDATE audit_log SET seq = 3 WHERE seq = 7",
				"UPDATE audit_log SET seq = 7 WHERE seq = -1",
			}
		}, func(int64) int64 { return 3 }, "does not link"},
		{"truncate the tail and its checkpoints", func(t *testing.T, st *sqlstore.Store, n int64) []string {
			return []string{"DELETE FROM audit_log WHERE seq > 7", "DELETE FROM audit_checkpoints WHERE seq > 7"}
		}, func(int64) int64 { return 8 }, "witness"},
		{"repeat a seq after dropping the primary key", func(t *testing.T, st *sqlstore.Store, n int64) []string {
			insert := "INSERT INTO audit_log SELECT seq, tenant_id, actor, at, 'forged', object_type, object_id, before_sha256, after_sha256, prev_hash, hash FROM audit_log WHERE seq = 5"
			if st.Dialect() == "postgres" {
				return []string{"ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey", insert}
			}
			return []string{
				"CREATE TABLE audit_copy AS SELECT * FROM audit_log",
				"DROP TABLE audit_log",
				"ALTER TABLE audit_copy RENAME TO audit_log",
				insert,
			}
		}, func(int64) int64 { return 5 }, "record 5 "}, // "appears again" or "edited": the copies come in either order
		{"forge a checkpoint", func(t *testing.T, st *sqlstore.Store, n int64) []string {
			return []string{"UPDATE audit_checkpoints SET hash = " + quote(strings.Repeat("0", 64)) + " WHERE seq = 2"}
		}, func(int64) int64 { return 2 }, "signature invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn, tamper := newDB(t)
			st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: filepath.Join(t.TempDir(), "audit.key")})
			must(t, err)
			defer st.Close()
			n := fill(t, st)
			tamper(t, tc.sql(t, st, n)...)
			res, err := st.Audit().Verify(ctx)
			must(t, err)
			if want := tc.wantBad(n); res.OK || res.FirstBadSeq != want || !strings.Contains(res.Problem, tc.wantProblem) {
				t.Errorf("Verify = %+v, want first bad seq %d with %q", res, want, tc.wantProblem)
			}
			// The export carries the same evidence to an offline auditor.
			var buf strings.Builder
			if err := st.Audit().Export(ctx, &buf); err != nil {
				t.Fatal(err)
			}
			off, err := auditlog.VerifyExport(strings.NewReader(buf.String()), st.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			if off.OK {
				t.Errorf("the export of a tampered log verifies offline: %+v", off)
			}
		})
	}

	t.Run("writes stop after an unsigned append", func(t *testing.T) {
		dsn, tamper := newDB(t)
		st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: filepath.Join(t.TempDir(), "audit.key")})
		must(t, err)
		defer st.Close()
		n := fill(t, st)
		head := record(t, st, n)
		f := store.AuditRecord{Seq: n + 1, Actor: "x", At: head.At, Action: "x", PrevHash: head.Hash}
		f.Hash = auditlog.Hash(f.PrevHash, f)
		tamper(t, fmt.Sprintf(`INSERT INTO audit_log (seq, tenant_id, actor, at, action, object_type, object_id, before_sha256, after_sha256, prev_hash, hash)
			VALUES (%d, '', 'x', %d, 'x', '', '', '', '', %s, %s)`, f.Seq, f.At.UnixMicro(), quote(f.PrevHash), quote(f.Hash)))
		// Signing on top would make the next checkpoint vouch for it.
		_, err = st.Tenant("acme").CreateSolution(ctx, store.Actor{Name: "system"}, store.Solution{ID: "later", Name: "later"})
		if !errors.Is(err, sqlstore.ErrHeadNotSigned) {
			t.Errorf("write after a forged append: %v, want ErrHeadNotSigned", err)
		}
		if _, err := st.Audit().Checkpoint(ctx); !errors.Is(err, sqlstore.ErrHeadNotSigned) {
			t.Errorf("checkpoint of a forged head: %v, want ErrHeadNotSigned", err)
		}
	})

	t.Run("intact log after restart", func(t *testing.T) {
		dsn, _ := newDB(t)
		key := filepath.Join(t.TempDir(), "audit.key")
		st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: key})
		must(t, err)
		fill(t, st)
		must(t, st.Close())
		st, err = sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: key})
		must(t, err)
		defer st.Close()
		res, err := st.Audit().Verify(ctx)
		must(t, err)
		if !res.OK || res.Records != 10 || res.Checkpoints != 10 {
			t.Errorf("Verify after restart = %+v", res)
		}
	})
}

// record reads one audit record, as an attacker with database access can.
func record(t *testing.T, st *sqlstore.Store, seq int64) store.AuditRecord {
	t.Helper()
	page := store.Page{Limit: 1000}
	for _, tenant := range []string{"acme", ""} {
		recs, _, err := st.Audit().List(ctx, tenant, page)
		must(t, err)
		for _, r := range recs {
			if r.Seq == seq {
				return r
			}
		}
	}
	t.Fatalf("no record %d", seq)
	return store.AuditRecord{}
}

// A log signed by one key does not start with another, or with none:
// a fresh key would leave every old checkpoint unverifiable.
func TestOpenRefusesAnotherKey(t *testing.T) {
	dsn := sqliteDSN(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "audit.key")
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: key})
	must(t, err)
	fill(t, st)
	must(t, st.Close())
	for name, other := range map[string]string{"missing key": filepath.Join(dir, "gone.key"), "another key": filepath.Join(dir, "other.key")} {
		if name == "another key" {
			if _, err := auditlog.LoadOrCreateKey(other); err != nil {
				t.Fatal(err)
			}
		}
		if st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: other}); err == nil || !strings.Contains(err.Error(), "signed by key") {
			if st != nil {
				st.Close()
			}
			t.Errorf("%s: Open = %v, want a refusal", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "gone.key")); err == nil {
		t.Error("a new key was created for a log signed by another")
	}
	st, err = sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: key, MustExist: true})
	must(t, err)
	st.Close()
	if _, err := sqlstore.Open(ctx, filepath.Join(dir, "nope.db"), sqlstore.Options{KeyFile: key, MustExist: true}); err == nil {
		t.Error("MustExist created a database")
	}
	if _, err := sqlstore.Open(ctx, dsn+"?mode=ro", sqlstore.Options{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a path with a query: %v, want ErrInvalid", err)
	}
}

// The database, its WAL and the key are private to the server's user.
func TestSQLiteFilesArePrivate(t *testing.T) {
	dsn := sqliteDSN(t)
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	must(t, err)
	defer st.Close()
	fill(t, st)
	for _, p := range []string{dsn, dsn + "-wal", dsn + ".audit-key", dsn + ".audit-key.head"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %04o, want no access for group and others", filepath.Base(p), perm)
		}
	}
	if st.KeyFile() != dsn+".audit-key" {
		t.Errorf("default key file %s", st.KeyFile())
	}
}
