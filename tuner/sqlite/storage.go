package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfile"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// BusyTimeoutMillis is how long a write waits for another writer (a
// goroutine of another Storage, or another process) to release the file
// before it fails with "database is locked".
const BusyTimeoutMillis = 10000

// readConns bounds the reading connections of one Storage; WAL readers do
// not block each other or the writer.
const readConns = 4

// Storage is a tuner.Storage in a SQLite file. It is safe for concurrent
// use by the goroutines of one process, and several processes may open the
// same file at once (see the package comment). Every method taking a
// context returns an error wrapping tuner.ErrConfig for a nil context, or
// for a nil Storage or one not made by Open, and leaves the file as it was.
type Storage struct {
	path string
	// w is the one writing connection: its BEGIN is BEGIN IMMEDIATE, and
	// holding a single connection queues this process's writers in Go
	// rather than in SQLite's polling busy handler.
	w *sql.DB
	// r serves reads, in deferred (snapshot) transactions.
	r *sql.DB
}

var _ tuner.Storage = (*Storage)(nil)

// Open opens the SQLite database at path, creating the file and its tables
// if needed. path is a file name (not a URI); ":memory:" is refused, since
// tuner.NewMemoryStorage is the in-memory store.
//
// The file is data, not code: before anything is written to it, Open
// refuses a file holding views, triggers or virtual tables, or tables of
// ours whose columns, defaults or foreign keys differ from Open's own
// (ErrUnsafeSchema, naming the object, with a one-line way out), and leaves
// it as it was. Every connection then refuses SQL stored in the file (an
// authorizer), runs with PRAGMA trusted_schema=OFF and SQLite's defensive
// mode, and reads or writes no string, blob or row over 16 MiB; the reading
// connections open the file read-only. Reads take at most 2^20 trials per
// study and 2^14 parameters, 2^14 attributes and 2^20 intermediate values
// per trial; more is an error wrapping tuner.ErrStorage.
//
// Errors wrap tuner.ErrConfig (bad path) or tuner.ErrStorage (the file
// cannot be opened, is not a database, holds another schema version, or
// ErrUnsafeSchema).
func Open(path string) (*Storage, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("%w: sqlite path = %q, want a file name (use tuner.NewMemoryStorage for memory)", tuner.ErrConfig, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("%w: sqlite path = %q: %w", tuner.ErrConfig, path, err)
	}
	s := &Storage{path: abs}
	// Checked read-only first, so that a file refused is left untouched
	// (the write connection turns it to WAL as it opens).
	if err := studyfile.PreCheck(context.Background(), readOnlyDSN(abs), s.checkSchema); err != nil {
		return nil, wrap("open "+abs, err)
	}
	if s.w, err = studyfile.OpenDB(dsn(abs, "&_txlock=immediate&_pragma=foreign_keys(1)")); err != nil {
		return nil, wrap("open "+abs, err)
	}
	s.w.SetMaxOpenConns(1)
	// The schema first: it also turns the file to WAL before readers come.
	if err := s.migrate(); err != nil {
		s.w.Close()
		return nil, err
	}
	if s.r, err = studyfile.OpenDB(dsn(abs, "&_query_only=1&mode=ro")); err != nil {
		s.w.Close()
		return nil, wrap("open "+abs, err)
	}
	s.r.SetMaxOpenConns(readConns)
	return s, nil
}

// dsn builds a SQLite URI for the absolute path abs: WAL, the busy timeout,
// the settings that keep the file's stored SQL from running
// (studyfile.SafeDSN) and extra parameters.
func dsn(abs, extra string) string {
	return studyfile.URI(abs) + fmt.Sprintf("?_busy_timeout=%d&_pragma=journal_mode(WAL)", BusyTimeoutMillis) + studyfile.SafeDSN + extra
}

// readOnlyDSN opens abs read-only, without the WAL switch (a write).
func readOnlyDSN(abs string) string {
	return studyfile.URI(abs) + fmt.Sprintf("?mode=ro&_busy_timeout=%d", BusyTimeoutMillis) + studyfile.SafeDSN
}

// Path returns the absolute path of the database file.
func (s *Storage) Path() string { return s.path }

// Close closes the database; the last process to close it folds the WAL
// back into the file. Closing a zero Storage (never opened) does nothing;
// closing a nil one is an error wrapping tuner.ErrConfig.
func (s *Storage) Close() error {
	switch {
	case s == nil:
		return fmt.Errorf("%w: sqlite: Close of a nil *Storage", tuner.ErrConfig)
	case s.w == nil:
		return nil
	}
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return wrap("close "+s.path, err)
	}
	return nil
}

// wrap names the operation and makes err match tuner.ErrStorage, unless it
// already matches one of the tuner's sentinels.
func wrap(what string, err error) error {
	if errors.Is(err, tuner.ErrStorage) || errors.Is(err, tuner.ErrConfig) || errors.Is(err, tuner.ErrTrialFinished) ||
		errors.Is(err, tuner.ErrSearchSpaceExhausted) {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return fmt.Errorf("%w: sqlite: %s: %w", tuner.ErrStorage, what, err)
}
