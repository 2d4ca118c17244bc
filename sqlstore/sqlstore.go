// Package sqlstore implements store.Store on SQLite (modernc.org/sqlite,
// pure Go) and PostgreSQL (pgx), with one set of goose migrations for
// both, tenant isolation in every query, and the tamper-evident audit log
// of package auditlog written in the same transaction as each change.
//
// Open takes a file path (SQLite, created on first start with mode 0600)
// or a postgres:// URL. docs/server.md ("Data") explains the schema and how
// to choose a backend.
package sqlstore

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/iotguard/iotguard/auditlog"
	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configure a Store.
type Options struct {
	// KeyFile is the Ed25519 key that signs audit checkpoints, created on
	// first start. Default: "<db>.audit-key" beside an SQLite file; for
	// PostgreSQL, os.UserConfigDir()/iotguard/audit-ed25519.key. Keep it
	// where the database's users cannot write: it and its witness file
	// (KeyFile + ".head") are what make the log tamper-evident.
	KeyFile string
	// CheckpointEvery signs the chain head every N records. The default, 1,
	// signs the head of every transaction, so any record without a
	// checkpoint was written without the key. With N > 1 a final
	// checkpoint is made on Close, and verification accepts an unsigned
	// tail (records appended after the last checkpoint are then not
	// detectable as insertions).
	CheckpointEvery int
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// Catalog is the control catalog for validation and the SoA; default
	// the embedded one.
	Catalog *catalog.Catalog
	// Logger receives operational problems that do not fail a request,
	// such as a witness file that cannot be written; default slog.Default.
	Logger *slog.Logger
	// MaxConns bounds the pool: SQLite readers, or PostgreSQL connections
	// (the URL's pool_max_conns wins). 0 picks max(8, 2×CPUs).
	MaxConns int
	// MustExist refuses to create a new SQLite file (for `iotguard audit
	// verify --db`).
	MustExist bool
}

// Store is a store.Store on SQLite or PostgreSQL.
type Store struct {
	b       backend
	d       dialect
	opt     Options
	key     ed25519.PrivateKey
	keyFile string
	cat     *catalog.Catalog
	log     *slog.Logger

	witnessMu  sync.Mutex
	witnessSeq int64
	witnessErr error

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating and migrating when needed) the database named by
// dsn: a file path for SQLite, or a postgres:// URL.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.CheckpointEvery <= 0 {
		opt.CheckpointEvery = 1
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.MaxConns <= 0 {
		opt.MaxConns = max(8, 2*runtime.NumCPU())
	}
	if opt.Catalog == nil {
		c, err := catalog.Load()
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
		opt.Catalog = c
	}
	s := &Store{opt: opt, cat: opt.Catalog, log: opt.Logger}
	var err error
	if IsPostgres(dsn) {
		s.d = dialectPostgres
		s.keyFile = opt.KeyFile
		if s.keyFile == "" {
			dir, derr := os.UserConfigDir()
			if derr != nil {
				return nil, fmt.Errorf("sqlstore: no audit key file given and no user config folder: %w", derr)
			}
			s.keyFile = filepath.Join(dir, "iotguard", "audit-ed25519.key")
		}
		s.b, err = openPostgres(ctx, dsn, opt)
	} else {
		s.d = dialectSQLite
		s.keyFile = opt.KeyFile
		if s.keyFile == "" {
			s.keyFile = dsn + ".audit-key"
		}
		s.b, err = openSQLite(ctx, dsn, opt)
	}
	if err != nil {
		return nil, err
	}
	if err := s.loadKey(ctx); err != nil {
		s.b.close()
		return nil, err
	}
	if w, err := auditlog.ReadWitness(auditlog.WitnessPath(s.keyFile)); err == nil && w != nil {
		s.witnessSeq = w.Seq
	}
	return s, nil
}

// loadKey loads the audit key, creating it only for a log that no key has
// signed yet: a new key for an existing log would orphan every checkpoint,
// so a missing or different key file stops the start instead.
func (s *Store) loadKey(ctx context.Context) error {
	last, err := readCheckpoints(ctx, s.b, "ORDER BY seq DESC LIMIT 1")
	if err != nil {
		return err
	}
	if len(last) == 1 {
		if _, err := os.Stat(s.keyFile); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sqlstore: the audit log is signed by key %s, but its key file %s does not exist: restore it (or give the right one)", last[0].KeyID, s.keyFile)
		}
	}
	if s.key, err = auditlog.LoadOrCreateKey(s.keyFile); err != nil {
		return fmt.Errorf("sqlstore: %w", err)
	}
	if len(last) == 1 && last[0].KeyID != auditlog.KeyID(s.PublicKey()) {
		return fmt.Errorf("sqlstore: the audit log is signed by key %s, but %s holds key %s: give the key file that signed it", last[0].KeyID, s.keyFile, auditlog.KeyID(s.PublicKey()))
	}
	return nil
}

func openSQLite(ctx context.Context, path string, opt Options) (*sqliteBackend, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlstore: SQLite database %q: give a plain file path (without ? or #), or a postgres:// URL: %w", path, store.ErrInvalid)
	}
	// Create the file ourselves so that it, and the -wal and -shm files
	// SQLite derives from it, are private to the server's user.
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if opt.MustExist {
			return nil, fmt.Errorf("sqlstore: %s: %w", path, err)
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("sqlstore: %w", err)
			}
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("sqlstore: create %s: %w", path, err)
		}
		if f != nil {
			f.Close()
		}
	}
	// FULL synchronous: a commit is on disk before the witness file says
	// it happened, so a power cut cannot make the witness run ahead of the
	// database (which would look like truncation).
	params := "_busy_timeout=10000&_foreign_keys=1&_journal_mode=WAL&_synchronous=FULL"
	w, err := sql.Open("sqlite", path+"?"+params+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", path+"?"+params+"&_query_only=1")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(opt.MaxConns)
	r.SetMaxIdleConns(opt.MaxConns)
	b := &sqliteBackend{sqliteQ: sqliteQ{r}, w: w, r: r}
	if err := migrate(ctx, goose.DialectSQLite3, w, nil); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

func openPostgres(ctx context.Context, dsn string, opt Options) (*pgBackend, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL, password included: keep it out.
		return nil, fmt.Errorf("sqlstore: PostgreSQL URL %s is not valid: %w", redactURL(dsn), store.ErrInvalid)
	}
	if u, perr := url.Parse(dsn); perr == nil && !u.Query().Has("pool_max_conns") {
		cfg.MaxConns = int32(opt.MaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: connect to %s: %w", redactURL(dsn), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("sqlstore: connect to %s: %w", redactURL(dsn), err)
	}
	db := stdlib.OpenDBFromPool(pool)
	locker, err := lock.NewPostgresSessionLocker()
	if err == nil {
		err = migrate(ctx, goose.DialectPostgres, db, locker)
	}
	db.Close()
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &pgBackend{pgQ: pgQ{pool}, pool: pool}, nil
}

// migrate applies the embedded migrations. On PostgreSQL a session lock
// keeps two servers starting at once from migrating together.
func migrate(ctx context.Context, d goose.Dialect, db *sql.DB, locker lock.SessionLocker) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlstore: migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if locker != nil {
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(d, db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("sqlstore: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return nil
}

// redactURL drops the password from a database URL for messages.
func redactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.String() }

// KeyFile is the path of the audit signing key.
func (s *Store) KeyFile() string { return s.keyFile }

// PublicKey is the key that verifies the audit checkpoints; give it to
// auditors (it is also written to KeyFile + ".pub").
func (s *Store) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// Ping checks the database and that the last witness write succeeded.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.b.ping(ctx); err != nil {
		return dbErr("ping", err)
	}
	s.witnessMu.Lock()
	defer s.witnessMu.Unlock()
	if s.witnessErr != nil {
		return fmt.Errorf("sqlstore: %w", s.witnessErr)
	}
	return nil
}

// Close signs the chain head when checkpoints are made every N > 1
// records, then closes the pools. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var err error
		if s.opt.CheckpointEvery > 1 {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if _, cerr := s.checkpoint(ctx); cerr != nil && !errors.Is(cerr, store.ErrNotFound) {
				err = cerr
			}
			cancel()
		}
		s.closeErr = errors.Join(err, s.b.close())
	})
	return s.closeErr
}

// Tenant returns the handle confined to one tenant.
func (s *Store) Tenant(id string) store.TenantStore { return &tenantStore{s: s, id: id} }

// Platform returns tenants, users, memberships and tokens.
func (s *Store) Platform() store.PlatformStore { return platformStore{s} }

// Audit returns the audit log.
func (s *Store) Audit() store.AuditLog { return auditLog{s} }

// optimize lets SQLite refresh its planner statistics after a bulk import
// changed a table's size (PRAGMA optimize analyses only what needs it).
// A failure only leaves older statistics, so it is logged, not returned.
func (s *Store) optimize(ctx context.Context) {
	if s.d != dialectSQLite {
		return
	}
	if _, err := s.writer().exec(ctx, "PRAGMA optimize"); err != nil {
		s.log.Warn("sqlite: PRAGMA optimize failed", "error", err)
	}
}

// now is the store's clock, at the microsecond precision both backends keep.
func (s *Store) now() time.Time { return s.opt.Now().UTC().Truncate(time.Microsecond) }
