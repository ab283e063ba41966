package rdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/gradtune/gradtune/tuner"
)

// postgresDialect runs the storage on PostgreSQL: $n placeholders; Waiting
// trials claimed with FOR UPDATE SKIP LOCKED; the study row locked by every
// transaction that numbers a trial or claims a value (see lockStudy); the
// schema created under an advisory lock; reads in REPEATABLE READ snapshots.
var postgresDialect = dialect{
	name:        "postgres",
	placeholder: postgresPlaceholder,
	lockWaiting: " FOR UPDATE SKIP LOCKED",
	lockStudy:   " FOR UPDATE",
	lockSchema:  `SELECT pg_advisory_xact_lock(` + schemaLockKey + `)`,
	schema:      postgresSchema,
	stepBits:    32,
	listTables: `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
	readOptions: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	retry:       retryPostgres,
	// Optuna's record_heartbeat and fail_stale_trials use func.now().
	now:            `now()`,
	heartbeatOlder: `h.heartbeat < now() - make_interval(secs => ?)`,
	lockStale:      ` FOR UPDATE OF t`,
}

// schemaLockKey is the advisory lock (a bigint, "gradtune" in ASCII) that
// serializes processes creating the schema in one new database.
const schemaLockKey = "7453010373645038949"

// postgresWriteConns bounds the writing connections of one Storage; the
// row locks, not the pool, order writers.
const postgresWriteConns = 4

// OpenPostgres opens the PostgreSQL database named by a postgres:// or
// postgresql:// URL (pgx's, e.g.
// postgres://user:pass@host:5432/db?sslmode=disable), creating Optuna
// 3.1's schema in its current schema (public by default) if that holds no
// tables. Python reaches the same study with OptunaURL's
// postgresql+psycopg2:// form. Errors name the URL without its password and
// wrap tuner.ErrConfig (a malformed URL) or tuner.ErrStorage (the server
// cannot be reached or refuses the login; the database holds Optuna's
// schema at another revision, ErrSchemaRevision, or other tables). A nil
// ctx is an error wrapping tuner.ErrConfig.
func OpenPostgres(ctx context.Context, rawURL string) (*Storage, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: rdb: OpenPostgres: nil context", tuner.ErrConfig)
	}
	u, err := parsePostgresURL(rawURL)
	if err != nil {
		return nil, err
	}
	dsn := u.String()
	s := &Storage{where: u.Redacted(), d: postgresDialect, optunaURL: OptunaURL(u)}
	if s.w, err = sql.Open("pgx", dsn); err != nil {
		return nil, wrap("open "+s.where, err)
	}
	s.w.SetMaxOpenConns(postgresWriteConns)
	if err := s.w.PingContext(ctx); err != nil {
		s.w.Close()
		return nil, wrap("open "+s.where, redactErr(err, u))
	}
	if err := s.ensureSchema(); err != nil {
		s.w.Close()
		return nil, err
	}
	if s.r, err = sql.Open("pgx", dsn); err != nil {
		s.w.Close()
		return nil, wrap("open "+s.where, err)
	}
	s.r.SetMaxOpenConns(readConns)
	return s, nil
}

// parsePostgresURL accepts postgres://, postgresql:// and SQLAlchemy's
// postgresql+psycopg2:// (read as postgresql://) URLs with a host.
func parsePostgresURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("%w: rdb: PostgreSQL URL %s: %w", tuner.ErrConfig, redactRaw(rawURL), err)
	}
	switch u.Scheme {
	case "postgres", "postgresql", "postgresql+psycopg2":
		u.Scheme = "postgres"
	default:
		return nil, fmt.Errorf("%w: rdb: URL %s has scheme %q, want postgres:// or postgresql://", tuner.ErrConfig, u.Redacted(), u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%w: rdb: PostgreSQL URL %s has no host, want postgres://user@host:port/database", tuner.ErrConfig, u.Redacted())
	}
	return u, nil
}

// OptunaURL is the storage URL under which Optuna (SQLAlchemy with
// psycopg2) opens the database of the postgres:// URL u, query included;
// "" for a nil u.
func OptunaURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	o := *u
	o.Scheme = "postgresql+psycopg2"
	return o.String()
}

// redactRaw is a URL that did not parse, for messages: the scheme and
// "..." only, since where a password ends is unknown.
func redactRaw(rawURL string) string {
	for i := 0; i+2 < len(rawURL); i++ {
		if rawURL[i:i+3] == "://" {
			return fmt.Sprintf("%q", rawURL[:i+3]+"...")
		}
	}
	return `"..."`
}

// redactErr drops u's password from err's text where the driver repeats
// it (pgx names the host and user, not the password, but be sure).
func redactErr(err error, u *url.URL) error {
	p, ok := u.User.Password()
	if !ok || p == "" {
		return err
	}
	return redactedError{err: err, password: p}
}

type redactedError struct {
	err      error
	password string
}

func (e redactedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.password, "xxxxx") }
func (e redactedError) Unwrap() error { return e.err }

// retryPostgres runs fn again, with a growing pause, while PostgreSQL
// aborts its transaction for a conflict with another one that a fresh
// attempt resolves: a serialization failure, a deadlock, or a unique key
// another transaction inserted first (two processes creating one study).
// It gives up after about 10 s, or when ctx ends.
func retryPostgres(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(10 * time.Second)
	for pause := time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		err := fn()
		var e *pgconn.PgError
		if !errors.As(err, &e) || !retryable(e.Code) || time.Now().Add(pause).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

func retryable(code string) bool {
	switch code {
	case "40001", "40P01", "23505": // serialization_failure, deadlock_detected, unique_violation
		return true
	}
	return false
}
