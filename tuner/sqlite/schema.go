package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlitelib "modernc.org/sqlite/lib"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfile"
)

// SchemaVersion is the version of the tables below, kept in version_info.
// Open brings a file of an earlier version up to it (see migrations) and
// refuses a later one.
//
// Version 2 added trials.fail_kind (tuner.FailKind). Rows written before
// it, or by a version-1 process still running on a migrated file, hold ”
// there, and their kind is read from their message (tuner.LegacyFailKind).
const SchemaVersion = 2

// schema is Optuna's RDB layout (optuna/storages/_rdb/models.py) for one
// objective. The CHECKs keep a value and its type in step: value is NULL
// exactly when the type says ±Inf or NaN, which we keep out of the number
// column as Optuna does (SQLite turns NaN into NULL). Float columns are
// declared without a type, and checked to hold 'real': a REAL column would
// store integral values as integers and lose the sign of −0; an untyped one
// keeps the 8-byte double bit for bit.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS version_info (
		version_info_id INTEGER PRIMARY KEY CHECK (version_info_id = 1),
		schema_version  INTEGER NOT NULL,
		library_version TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS studies (
		study_id   INTEGER PRIMARY KEY,
		study_name TEXT NOT NULL UNIQUE,
		direction  TEXT NOT NULL CHECK (direction IN ('MINIMIZE', 'MAXIMIZE'))
	)`,
	`CREATE TABLE IF NOT EXISTS trials (
		trial_id          INTEGER PRIMARY KEY,
		number            INTEGER NOT NULL CHECK (number >= 0),
		study_id          INTEGER NOT NULL REFERENCES studies (study_id) ON DELETE CASCADE,
		state             TEXT NOT NULL CHECK (state IN ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING')),
		datetime_start    INTEGER,
		datetime_complete INTEGER,
		fail_reason       TEXT NOT NULL DEFAULT '',
		fail_kind         TEXT NOT NULL DEFAULT '',
		UNIQUE (study_id, number)
	)`,
	`CREATE INDEX IF NOT EXISTS ix_trials_study_state ON trials (study_id, state)`,
	`CREATE TABLE IF NOT EXISTS trial_params (
		param_id          INTEGER PRIMARY KEY,
		trial_id          INTEGER NOT NULL REFERENCES trials (trial_id) ON DELETE CASCADE,
		param_name        TEXT NOT NULL,
		param_value       NOT NULL CHECK (typeof(param_value) = 'real'),
		distribution_json TEXT NOT NULL,
		UNIQUE (trial_id, param_name)
	)`,
	`CREATE TABLE IF NOT EXISTS trial_values (
		trial_value_id INTEGER PRIMARY KEY,
		trial_id       INTEGER NOT NULL UNIQUE REFERENCES trials (trial_id) ON DELETE CASCADE,
		value          CHECK (value IS NULL OR typeof(value) = 'real'),
		value_type     TEXT NOT NULL CHECK (value_type IN ('FINITE', 'INF_POS', 'INF_NEG', 'NAN')),
		CHECK ((value_type = 'FINITE') = (value IS NOT NULL))
	)`,
	`CREATE TABLE IF NOT EXISTS trial_intermediate_values (
		trial_intermediate_value_id INTEGER PRIMARY KEY,
		trial_id   INTEGER NOT NULL REFERENCES trials (trial_id) ON DELETE CASCADE,
		step       INTEGER NOT NULL,
		value      CHECK (value IS NULL OR typeof(value) = 'real'),
		value_type TEXT NOT NULL CHECK (value_type IN ('FINITE', 'INF_POS', 'INF_NEG', 'NAN')),
		CHECK ((value_type = 'FINITE') = (value IS NOT NULL)),
		UNIQUE (trial_id, step)
	)`,
	`CREATE TABLE IF NOT EXISTS trial_attributes (
		trial_attribute_id INTEGER PRIMARY KEY,
		trial_id INTEGER NOT NULL REFERENCES trials (trial_id) ON DELETE CASCADE,
		key      TEXT NOT NULL,
		value    TEXT NOT NULL,
		UNIQUE (trial_id, key)
	)`,
}

// migrations[v] brings a file from schema version v+1 to v+2; the tables
// above, created only where missing, are those of the latest version.
var migrations = []string{
	`ALTER TABLE trials ADD COLUMN fail_kind TEXT NOT NULL DEFAULT ''`,
}

// ErrUnsafeSchema: the file holds what Open will not run or write into:
// views, triggers or virtual tables (their stored SQL or code would run
// inside our queries), or tables of ours whose columns, defaults, foreign
// keys or collations differ from the schema above. The message names the
// object and the way out.
var ErrUnsafeSchema = errors.New("sqlite: study file holds objects gradtune will not use")

// schemaSpec is the tables of schema as SQLite reports them; a file of
// schema version 1 lacks trials.fail_kind (migrations add it).
var schemaSpec = sync.OnceValues(func() (*studyfile.Spec, error) {
	return studyfile.NewSpec(schema, "trials.fail_kind")
})

// checkSchema refuses, wrapping ErrUnsafeSchema, a file whose schema
// objects would run inside our queries or whose tables differ from ours,
// and an Optuna study file (tuner/rdb's) with tuner.ErrStorage; tables it
// lacks are created by createSchema.
func (s *Storage) checkSchema(ctx context.Context, q studyfile.Querier) error {
	spec, err := schemaSpec()
	if err != nil {
		return err
	}
	err = studyfile.CheckObjects(ctx, q, s.path)
	if err == nil {
		var optuna bool
		if optuna, err = studyfile.HasTable(ctx, q, "alembic_version"); err == nil && optuna {
			return fmt.Errorf("%w: %s holds Optuna's schema (alembic_version), not tuner/sqlite's: open it with tuner/rdb.OpenSQLite",
				tuner.ErrStorage, s.path)
		}
	}
	if err == nil {
		err = studyfile.CheckTables(ctx, q, s.path, spec, false)
	}
	var unsafe *studyfile.UnsafeError
	if errors.As(err, &unsafe) {
		return fmt.Errorf("%w: %w", ErrUnsafeSchema, err)
	}
	return err
}

// libraryVersion names the writer in version_info, for people reading the file.
const libraryVersion = "gradtune/tuner/sqlite"

// migrate creates the tables if they are missing and brings an earlier
// schema version up to date, in one IMMEDIATE transaction, so that
// processes opening a file at once do not race.
//
// While several processes turn a new file to WAL at once, SQLite may answer
// SQLITE_BUSY without waiting in the busy handler (it would risk a deadlock
// while the WAL index is being set up); such a busy is retried here, within
// BusyTimeoutMillis, as a busy handler would.
func (s *Storage) migrate() error {
	deadline := time.Now().Add(BusyTimeoutMillis * time.Millisecond)
	for pause := time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		err := s.createSchema()
		if !isBusy(err) || time.Now().Add(pause).After(deadline) {
			return err
		}
		time.Sleep(pause)
	}
}

// isBusy reports a SQLITE_BUSY answer (any extended code of it).
func isBusy(err error) bool {
	var e *sqlite3.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlitelib.SQLITE_BUSY
}

func (s *Storage) createSchema() error {
	return s.write(context.Background(), "create schema in "+s.path, func(tx *sql.Tx) error {
		// Again inside the write lock: the file may have changed since
		// Open's read-only check, or been unreadable read-only then.
		if err := s.checkSchema(context.Background(), tx); err != nil {
			return err
		}
		for _, stmt := range schema {
			if _, err := tx.Exec(stmt); err != nil {
				return err
			}
		}
		var v int
		err := tx.QueryRow(`SELECT schema_version FROM version_info WHERE version_info_id = 1`).Scan(&v)
		switch {
		case err == sql.ErrNoRows:
			_, err = tx.Exec(`INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, ?, ?)`,
				SchemaVersion, libraryVersion)
			return err
		case err != nil:
			return err
		case v < 1 || v > SchemaVersion:
			return fmt.Errorf("%w: schema version = %d, want 1 to %d", tuner.ErrStorage, v, SchemaVersion)
		case v == SchemaVersion:
			return nil
		}
		for ; v < SchemaVersion; v++ {
			if _, err := tx.Exec(migrations[v-1]); err != nil {
				return fmt.Errorf("schema version %d to %d: %w", v, v+1, err)
			}
		}
		_, err = tx.Exec(`UPDATE version_info SET schema_version = ?, library_version = ? WHERE version_info_id = 1`,
			SchemaVersion, libraryVersion)
		return err
	})
}
