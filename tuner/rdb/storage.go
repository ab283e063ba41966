package rdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfile"
)

// BusyTimeoutMillis is how long a SQLite write waits for another writer
// (another Storage or process) before it fails with "database is locked".
const BusyTimeoutMillis = 10000

// readConns bounds the reading connections of one Storage.
const readConns = 4

// Storage is a tuner.Storage in Optuna's RDB schema. It is safe for
// concurrent use, and several processes (gradtune or Optuna) may use the
// same database at once. Every method taking a context returns an error
// wrapping tuner.ErrConfig for a nil context, or for a nil Storage or one
// not made by Open, OpenSQLite or OpenPostgres, and leaves the database as
// it was.
type Storage struct {
	where string // the file, or the URL without its password, for messages
	d     dialect
	// optunaURL is the storage URL Optuna opens the same database with.
	optunaURL string
	// w writes: one connection, whose transactions are BEGIN IMMEDIATE
	// on SQLite, so this process's writers queue in Go.
	w *sql.DB
	// r reads, in deferred snapshot transactions.
	r *sql.DB
}

var _ tuner.Storage = (*Storage)(nil)

// OpenSQLite opens the SQLite study database at path (a file name, not a
// URI), creating the file with Optuna 3.1's tables if it is new.
//
// The file is data, not code: before anything is written to it, OpenSQLite
// refuses a file holding views, triggers or virtual tables, or Optuna
// tables whose columns, defaults or foreign keys differ from Optuna 3.1's
// (ErrUnsafeSchema, naming the object, with a one-line way out), and
// leaves it as it was. Every connection then refuses SQL stored in the file
// (an authorizer), runs with PRAGMA trusted_schema=OFF and SQLite's
// defensive mode, and reads or writes no string, blob or row over 16 MiB;
// the reading connections open the file read-only. Reads take at most 2^20 trials per
// study and 2^14 parameters, 2^14 user and 2^14 system attributes and 2^20
// intermediate values per trial; more is an error wrapping
// tuner.ErrStorage.
//
// Errors wrap tuner.ErrConfig (a bad path) or tuner.ErrStorage: the file
// cannot be opened or is not a database; it holds gradtune's earlier schema
// (ErrOldSchema); Optuna's schema at another alembic revision than
// AlembicRevision (ErrSchemaRevision); or ErrUnsafeSchema.
func OpenSQLite(path string) (*Storage, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("%w: sqlite path = %q, want a file name (use tuner.NewMemoryStorage for memory)", tuner.ErrConfig, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("%w: sqlite path = %q: %w", tuner.ErrConfig, path, err)
	}
	s := &Storage{where: abs, d: sqliteDialect, optunaURL: "sqlite:///" + abs}
	// Checked read-only first, so that a file refused is left untouched
	// (the write connection turns it to WAL as it opens).
	if err := studyfile.PreCheck(context.Background(), sqliteReadOnlyDSN(abs), s.checkFile); err != nil {
		return nil, wrap("open "+abs, err)
	}
	if s.w, err = studyfile.OpenDB(sqliteDSN(abs, "&_txlock=immediate&_pragma=foreign_keys(1)")); err != nil {
		return nil, wrap("open "+abs, err)
	}
	s.w.SetMaxOpenConns(1)
	if err := retryBusy(s.ensureSchema); err != nil { // first: it also turns the file to WAL
		s.w.Close()
		return nil, err
	}
	if s.r, err = studyfile.OpenDB(sqliteDSN(abs, "&_query_only=1&mode=ro")); err != nil {
		s.w.Close()
		return nil, wrap("open "+abs, err)
	}
	s.r.SetMaxOpenConns(readConns)
	return s, nil
}

// sqliteDSN is the modernc URI of the absolute path abs, escaped, in WAL
// mode with the busy timeout and the settings that keep the file's stored
// SQL from running (studyfile.SafeDSN), plus extra parameters.
func sqliteDSN(abs, extra string) string {
	return studyfile.URI(abs) + fmt.Sprintf("?_busy_timeout=%d&_pragma=journal_mode(WAL)", BusyTimeoutMillis) + studyfile.SafeDSN + extra
}

// sqliteReadOnlyDSN opens abs read-only, without the WAL switch (a write).
func sqliteReadOnlyDSN(abs string) string {
	return studyfile.URI(abs) + fmt.Sprintf("?mode=ro&_busy_timeout=%d", BusyTimeoutMillis) + studyfile.SafeDSN
}

// retryBusy runs fn again while SQLite answers SQLITE_BUSY without waiting
// (it does while several processes turn a new file to WAL at once), within
// BusyTimeoutMillis, as its busy handler would.
func retryBusy(fn func() error) error {
	deadline := time.Now().Add(BusyTimeoutMillis * time.Millisecond)
	for pause := time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		err := fn()
		var e *sqlite3.Error
		if !errors.As(err, &e) || e.Code()&0xff != sqlitelib.SQLITE_BUSY || time.Now().Add(pause).After(deadline) {
			return err
		}
		time.Sleep(pause)
	}
}

// Path returns the database's absolute file name, or its URL without the
// password.
func (s *Storage) Path() string { return s.where }

// OptunaStorageURL returns the storage URL under which Optuna opens this
// database: sqlite:////abs/path or postgresql+psycopg2://... (with the
// password, if the URL opened had one).
func (s *Storage) OptunaStorageURL() string { return s.optunaURL }

// Close closes the database. Closing a zero Storage (never opened) does
// nothing; closing a nil one is an error wrapping tuner.ErrConfig.
func (s *Storage) Close() error {
	switch {
	case s == nil:
		return fmt.Errorf("%w: rdb: Close of a nil *Storage", tuner.ErrConfig)
	case s.w == nil:
		return nil
	}
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return wrap("close "+s.where, err)
	}
	return nil
}

// txn runs the dialect's form of each query in one transaction.
type txn struct {
	ctx context.Context
	tx  *sql.Tx
	d   dialect
}

func (t txn) exec(q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, t.d.rebind(q), args...)
}

func (t txn) query(q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, t.d.rebind(q), args...)
}

func (t txn) row(q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, t.d.rebind(q), args...)
}

// write runs fn in one write transaction (BEGIN IMMEDIATE on SQLite) and
// commits it; an error or panic rolls everything back.
func (s *Storage) write(ctx context.Context, what string, fn func(t txn) error) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if s.d.retry != nil {
		return s.d.retry(ctx, func() error { return s.inTx(ctx, s.w, nil, what, fn) })
	}
	return s.inTx(ctx, s.w, nil, what, fn)
}

// read runs fn in one read-only snapshot.
func (s *Storage) read(ctx context.Context, what string, fn func(t txn) error) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, s.r, s.d.readOptions, what, fn)
}

// usable refuses, before database/sql sees them, a nil or never-opened
// Storage and a nil context, with errors wrapping tuner.ErrConfig:
// database/sql panics on a nil context while it holds the pool's lock, after
// which every later call, and Close, would block forever.
func (s *Storage) usable(ctx context.Context) error {
	switch {
	case s == nil || s.w == nil:
		return fmt.Errorf("%w: rdb: the Storage is nil or was not opened, want one from rdb.Open, OpenSQLite or OpenPostgres", tuner.ErrConfig)
	case ctx == nil:
		return fmt.Errorf("%w: rdb: nil context", tuner.ErrConfig)
	}
	return nil
}

func (s *Storage) inTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, what string, fn func(t txn) error) (err error) {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return wrap(what, err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %w", tuner.ErrStorage, gerr.RecoveredAs("rdb: "+what, panics.ErrDependency, r))
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err := fn(txn{ctx: ctx, tx: tx, d: s.d}); err != nil {
		return wrap(what, err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(what, err)
	}
	return nil
}

// wrap names the operation and makes err match tuner.ErrStorage, unless it
// already matches one of the tuner's sentinels.
func wrap(what string, err error) error {
	if errors.Is(err, tuner.ErrStorage) || errors.Is(err, tuner.ErrConfig) || errors.Is(err, tuner.ErrTrialFinished) ||
		errors.Is(err, tuner.ErrSearchSpaceExhausted) {
		return fmt.Errorf("rdb: %s: %w", what, err)
	}
	return fmt.Errorf("%w: rdb: %s: %w", tuner.ErrStorage, what, err)
}

// eachRow calls fn for every row, then closes rows and reports the first error.
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}
