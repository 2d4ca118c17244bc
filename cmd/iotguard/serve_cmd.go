package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/iotguard/iotguard/auditlog"
	"github.com/iotguard/iotguard/catalogfmt"
	"github.com/iotguard/iotguard/server"
	"github.com/iotguard/iotguard/sqlstore"
	"github.com/iotguard/iotguard/store"
)

func init() { extraCommands = append(extraCommands, newServeCmd, newAuditCmd) }

const serveLong = `Run the iotguard server: a JSON REST API under /api/v1 (described at /api/v1/openapi.json) for
tenants, users and tokens, solutions and their devices, evidence files, attestations with review,
assessments and their history, findings with a lifecycle, the Statement of Applicability and a
tamper-evident audit log; /healthz, /readyz and Prometheus /metrics.

--db is an SQLite file (the default, created on first start) or a postgres:// URL. On an empty
database the first start creates an administrator (--admin-email), a default tenant and an API
token: the value of IOTGUARD_ADMIN_TOKEN when set (for automation), otherwise a new one that is
printed once on standard output. Audit checkpoints are signed with an Ed25519 key created on first
start (--audit-key; beside an SQLite file by default). Stop with Ctrl-C or SIGTERM: requests in
flight finish first.`

func newServeCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the REST API server (SQLite by default, PostgreSQL at scale)",
		Long:  serveLong,
		Example: `  iotguard serve
  iotguard serve --listen 0.0.0.0:8400 --db /var/lib/iotguard/iotguard.db
  iotguard serve --db postgres://iotguard@db.internal:5432/iotguard --audit-key /etc/iotguard/audit.key
  IOTGUARD_ADMIN_TOKEN=$(openssl rand -hex 32) iotguard serve   # known admin token, for automation`,
		Args: cobra.NoArgs,
	}
	var listen, db, key, email string
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8400", "`address` to listen on")
	cmd.Flags().StringVar(&db, "db", "iotguard.db", "SQLite `file` or postgres:// URL")
	cmd.Flags().StringVar(&key, "audit-key", "", "Ed25519 key `file` that signs audit checkpoints (default beside an SQLite file)")
	cmd.Flags().StringVar(&email, "admin-email", "admin@localhost", "e-mail of the administrator created on an empty database")
	logFmt := enumFlag(cmd, "log-format", "", "text", []string{"text", "json"}, true, "log format on standard error")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		log := newLogger(a, logFmt.value)
		cat, err := a.catalog()
		if err != nil {
			return err
		}
		st, err := sqlstore.Open(ctx, db, sqlstore.Options{KeyFile: key, Catalog: cat, Logger: log})
		if err != nil {
			return storeError(err)
		}
		defer st.Close()
		if err := server.Bootstrap(ctx, st, email, os.Getenv("IOTGUARD_ADMIN_TOKEN"), a.stdout); err != nil {
			return asUsage(err)
		}
		log.Info("iotguard serving", "listen", listen, "backend", backendName(db), "version", version)
		err = server.Run(ctx, listen, server.New(st, cat, server.Options{Logger: log}), log)
		if err != nil && ctx.Err() != nil {
			return nil // a signal asked us to stop; the shutdown was graceful
		}
		return err
	}
	return cmd
}

func newLogger(a *app, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(a.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(a.stderr, nil))
}

// backendName names the database kind without its credentials.
func backendName(dsn string) string {
	if sqlstore.IsPostgres(dsn) {
		return "postgresql"
	}
	return "sqlite " + dsn
}

// storeError makes a database that cannot be opened a usage error when
// the cause is the address or file the user gave.
func storeError(err error) error {
	if errors.Is(err, store.ErrInvalid) {
		return asUsage(err)
	}
	return fmt.Errorf("database: %w", err)
}

func newAuditCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Verify and export the server's tamper-evident audit log",
		Long: `Every change on the server appends a record (actor, time, action, object, digests of the object
before and after) to a SHA-256 hash chain, whose head is signed with Ed25519 (checkpoints) and
also kept in a witness file beside the key. Verification recomputes the chain and the signatures
and names the first record that was edited, deleted, inserted, reordered or truncated.`,
	}
	var db, key, exportFile, pubKey, out string
	verify := &cobra.Command{
		Use:   "verify (--db DB | --export FILE --public-key KEY)",
		Short: "Verify the audit log in a database, or an exported log offline",
		Example: `  iotguard audit verify --db iotguard.db
  iotguard audit verify --export audit.json --public-key iotguard.db.audit-key.pub`,
		Args: cobra.NoArgs,
	}
	verify.Flags().StringVar(&db, "db", "", "SQLite `file` or postgres:// URL")
	verify.Flags().StringVar(&key, "audit-key", "", "the server's audit key `file` (default beside an SQLite file)")
	verify.Flags().StringVar(&exportFile, "export", "", "an exported log `file` to verify offline")
	verify.Flags().StringVar(&pubKey, "public-key", "", "the trusted public key `file` for --export")
	format := enumFlag(verify, "format", "f", "text", []string{"text", "json"}, true, "output format")
	verify.RunE = func(cmd *cobra.Command, _ []string) error {
		var res store.VerifyResult
		switch {
		case exportFile != "":
			if pubKey == "" {
				return usagef("--export needs --public-key: the key you trust, obtained from the server's operator")
			}
			pub, err := auditlog.ReadPublicKeyFile(pubKey)
			if err != nil {
				return asUsage(err)
			}
			f, err := os.Open(exportFile)
			if err != nil {
				return asUsage(err)
			}
			defer f.Close()
			r, err := auditlog.VerifyExport(f, pub)
			if err != nil {
				return asUsage(err)
			}
			res = r.VerifyResult
			if r.Head != nil && format.value == "text" {
				// A copy cut at an older checkpoint is itself a valid export:
				// the auditor compares this head with the one they expect.
				fmt.Fprintf(a.stdout, "export signed by key %s; head: record %d, signed %s\n", r.KeyID, r.Head.Seq, r.Head.At.Format(time.RFC3339))
			}
		case db != "":
			st, err := sqlstore.Open(cmd.Context(), db, sqlstore.Options{KeyFile: key, MustExist: true})
			if err != nil {
				return storeError(err)
			}
			defer st.Close()
			if res, err = st.Audit().Verify(cmd.Context()); err != nil {
				return err
			}
		default:
			return usagef("give --db DB, or --export FILE with --public-key KEY")
		}
		if format.value == "json" {
			if err := catalogfmt.JSON(a.stdout, res); err != nil {
				return err
			}
		} else if res.OK {
			fmt.Fprintf(a.stdout, "audit log intact: %d records, %d signed checkpoints\n", res.Records, res.Checkpoints)
		} else {
			fmt.Fprintf(a.stdout, "audit log TAMPERED: first bad record %d: %s\n", res.FirstBadSeq, res.Problem)
		}
		if !res.OK {
			return &findingsError{msg: fmt.Sprintf("audit log verification failed at record %d", res.FirstBadSeq)}
		}
		return nil
	}
	export := &cobra.Command{
		Use:     "export --db DB -o FILE",
		Short:   "Export the audit log with its checkpoints and public key, for offline verification",
		Example: `  iotguard audit export --db iotguard.db -o audit.json`,
		Args:    cobra.NoArgs,
	}
	export.Flags().StringVar(&db, "db", "", "SQLite `file` or postgres:// URL")
	export.Flags().StringVar(&key, "audit-key", "", "the server's audit key `file`")
	export.Flags().StringVarP(&out, "output", "o", "", "write to `file` (default standard output)")
	export.RunE = func(cmd *cobra.Command, _ []string) error {
		if db == "" {
			return usagef("give --db DB")
		}
		st, err := sqlstore.Open(cmd.Context(), db, sqlstore.Options{KeyFile: key, MustExist: true})
		if err != nil {
			return storeError(err)
		}
		defer st.Close()
		return a.writeOutput(out, func(w io.Writer) error { return st.Audit().Export(cmd.Context(), w) })
	}
	cmd.AddCommand(verify, export)
	return groupCommand(cmd)
}
