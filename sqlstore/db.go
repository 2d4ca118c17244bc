package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"modernc.org/sqlite"
)

// dialect is the SQL backend. Queries are written once with ? placeholders
// and rebound for PostgreSQL.
type dialect int

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

func (d dialect) String() string {
	if d == dialectPostgres {
		return "postgres"
	}
	return "sqlite"
}

// querier runs queries on a pool or inside a transaction. Its methods take
// queries with ? placeholders; arguments are always bound, never spliced.
type querier interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rowsIter, error)
	queryRow(ctx context.Context, q string, args ...any) rowScanner
	dialect() dialect
}

type rowsIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type rowScanner interface{ Scan(dest ...any) error }

// backend is a connection pool of one dialect.
type backend interface {
	querier
	// readTx runs fn on one consistent snapshot.
	readTx(ctx context.Context, fn func(q querier) error) error
	// writeTx runs fn in a write transaction; on SQLite writers are
	// serialised by a single connection and BEGIN IMMEDIATE.
	writeTx(ctx context.Context, fn func(q querier) error) error
	ping(ctx context.Context) error
	close() error
}

var rebinds sync.Map // query -> rebound query

// rebind turns ? placeholders into $1, $2... for PostgreSQL. SQLite keeps
// the plain positional ?: numbered ?NNN parameters make modernc.org/sqlite
// look each one up by name, which costs O(n²) on a 6,000-parameter batch
// INSERT. Question marks inside quoted literals are left alone.
func rebind(d dialect, q string) string {
	if d == dialectSQLite {
		return q
	}
	if v, ok := rebinds.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	out := b.String()
	rebinds.Store(q, out)
	return out
}

// ---- SQLite (database/sql over modernc.org/sqlite) ----

type sqlQ interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

type sqliteQ struct{ q sqlQ }

func (s sqliteQ) dialect() dialect { return dialectSQLite }

func (s sqliteQ) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := s.q.ExecContext(ctx, rebind(dialectSQLite, q), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s sqliteQ) query(ctx context.Context, q string, args ...any) (rowsIter, error) {
	rows, err := s.q.QueryContext(ctx, rebind(dialectSQLite, q), args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (s sqliteQ) queryRow(ctx context.Context, q string, args ...any) rowScanner {
	return s.q.QueryRowContext(ctx, rebind(dialectSQLite, q), args...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// sqliteBackend has one writer connection and a pool of readers: SQLite
// allows one writer at a time, and WAL lets readers run beside it.
type sqliteBackend struct {
	sqliteQ
	w, r *sql.DB
}

func (b *sqliteBackend) readTx(ctx context.Context, fn func(q querier) error) error {
	tx, err := b.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(sqliteQ{tx}); err != nil {
		return err
	}
	return tx.Commit()
}

func (b *sqliteBackend) writeTx(ctx context.Context, fn func(q querier) error) error {
	tx, err := b.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(sqliteQ{tx}); err != nil {
		return err
	}
	return tx.Commit()
}

func (b *sqliteBackend) ping(ctx context.Context) error {
	if err := b.w.PingContext(ctx); err != nil {
		return err
	}
	return b.r.PingContext(ctx)
}

func (b *sqliteBackend) close() error {
	return errors.Join(b.r.Close(), b.w.Close())
}

// ---- PostgreSQL (pgx) ----

type pgxQ interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type pgQ struct{ q pgxQ }

func (p pgQ) dialect() dialect { return dialectPostgres }

func (p pgQ) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := p.q.Exec(ctx, rebind(dialectPostgres, q), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (p pgQ) query(ctx context.Context, q string, args ...any) (rowsIter, error) {
	rows, err := p.q.Query(ctx, rebind(dialectPostgres, q), args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (p pgQ) queryRow(ctx context.Context, q string, args ...any) rowScanner {
	return p.q.QueryRow(ctx, rebind(dialectPostgres, q), args...)
}

type pgBackend struct {
	pgQ
	pool *pgxpool.Pool
}

func (b *pgBackend) readTx(ctx context.Context, fn func(q querier) error) error {
	return pgx.BeginTxFunc(ctx, b.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return fn(pgTxQ{pgQ{tx}, tx})
	})
}

func (b *pgBackend) writeTx(ctx context.Context, fn func(q querier) error) error {
	return pgx.BeginTxFunc(ctx, b.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		return fn(pgTxQ{pgQ{tx}, tx})
	})
}

func (b *pgBackend) ping(ctx context.Context) error { return b.pool.Ping(ctx) }

func (b *pgBackend) close() error {
	b.pool.Close()
	return nil
}

// pgTxQ is a PostgreSQL transaction, which can also COPY.
type pgTxQ struct {
	pgQ
	tx pgx.Tx
}

// ---- errors ----

// SQLite extended result codes (sqlite3.h).
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// isUnique reports a unique or primary key violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintUnique || se.Code() == sqliteConstraintPrimaryKey
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isForeignKey reports a reference to a row that does not exist.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintForeignKey
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// isRetryable reports a PostgreSQL transaction that failed only because
// another ran at the same time (serialisation failure, deadlock): it can
// simply run again. SQLite is not retried: its busy timeout has already
// waited for the other writer.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// dbErr wraps a database error with what was being done.
func dbErr(what string, err error) error {
	return fmt.Errorf("sqlstore: %s: %w", what, err)
}
