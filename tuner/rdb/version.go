package rdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gradtune/gradtune/tuner/internal/studyfile"
)

var (
	// ErrOldSchema: the database holds gradtune's own tables from before
	// Optuna's schema (tuner/sqlite). Its error message gives the command
	// that moves the file aside, to start over.
	ErrOldSchema = errors.New("rdb: gradtune's pre-Optuna schema")
	// ErrSchemaRevision: the database holds Optuna's schema at an alembic
	// revision other than AlembicRevision, or another schema version.
	ErrSchemaRevision = errors.New("rdb: Optuna schema revision")
	// ErrUnsafeSchema: a SQLite file holds what OpenSQLite will not run or
	// write into: views, triggers or virtual tables (their stored SQL or
	// code would run inside our queries), or Optuna tables whose columns,
	// defaults, foreign keys or collations differ from Optuna 3.1's. The
	// message names the object and the way out.
	ErrUnsafeSchema = errors.New("rdb: study file holds objects gradtune will not use")
)

// sqliteSpec is Optuna 3.1's tables as SQLite reports them.
var sqliteSpec = sync.OnceValues(func() (*studyfile.Spec, error) { return studyfile.NewSpec(sqliteSchema) })

// checkFile refuses, wrapping ErrUnsafeSchema, a SQLite file whose schema
// objects would run inside our queries, or that holds Optuna's tables
// (alembic_version) with other columns than Optuna 3.1's or without some.
// Other files are told apart by ensureSchema.
func (s *Storage) checkFile(ctx context.Context, q studyfile.Querier) error {
	err := studyfile.CheckObjects(ctx, q, s.where)
	if err == nil {
		var optuna bool
		if optuna, err = studyfile.HasTable(ctx, q, "alembic_version"); err == nil && optuna {
			var spec *studyfile.Spec
			if spec, err = sqliteSpec(); err == nil {
				err = studyfile.CheckTables(ctx, q, s.where, spec, true)
			}
		}
	}
	var unsafe *studyfile.UnsafeError
	if errors.As(err, &unsafe) {
		return fmt.Errorf("%w: %w", ErrUnsafeSchema, err)
	}
	return err
}

// olderRevisions are Optuna's alembic revisions before AlembicRevision
// (optuna/storages/_rdb/alembic/versions), oldest first.
var olderRevisions = []string{"v0.9.0.a", "v1.2.0.a", "v1.3.0.a", "v2.4.0.a", "v2.6.0.a", "v3.0.0.a", "v3.0.0.b", "v3.0.0.c"}

// ensureSchema creates Optuna's tables and version rows in an empty
// database, or checks that a database holds them at AlembicRevision; one
// write transaction, so processes opening a new file at once do not race
// and a refused file is left as it was.
func (s *Storage) ensureSchema() error {
	return s.write(context.Background(), "open "+s.where, func(t txn) error {
		if t.d.lockSchema != "" {
			if _, err := t.exec(t.d.lockSchema); err != nil {
				return err
			}
		}
		if t.d.file {
			// Again inside the write lock: the file may have changed since
			// OpenSQLite's read-only check, or been unreadable read-only then.
			if err := s.checkFile(t.ctx, t.tx); err != nil {
				return err
			}
		}
		tables, err := tableNames(t)
		if err != nil {
			return err
		}
		switch {
		case len(tables) == 0:
			return createSchema(t)
		case slices.Contains(tables, "trial_attributes") && !slices.Contains(tables, "alembic_version"):
			return fmt.Errorf("%w: %s has gradtune's own tables (tuner/sqlite, before Optuna's schema), want Optuna 3.1's; "+
				"start over with `mv %s %s.old`, or keep using it with tuner/sqlite.Open", ErrOldSchema, s.where, s.where, s.where)
		case !slices.Contains(tables, "alembic_version") || !slices.Contains(tables, "version_info"):
			return fmt.Errorf("%w: %s holds tables %s but no Optuna alembic_version and version_info: not an Optuna study database",
				ErrSchemaRevision, s.where, strings.Join(tables, ", "))
		}
		var rev string
		if err := t.row(`SELECT version_num FROM alembic_version`).Scan(&rev); err != nil {
			return fmt.Errorf("%w: %s: alembic_version: %w", ErrSchemaRevision, s.where, err)
		}
		if rev != AlembicRevision {
			how := "it was written by a newer Optuna, whose schema gradtune does not know; open it with that Optuna"
			if slices.Contains(olderRevisions, rev) {
				how = fmt.Sprintf("upgrade it with Optuna 3.1: `optuna storage upgrade --storage %s`", s.optunaURLForMessages())
			}
			return fmt.Errorf("%w: %s is at alembic revision %q, want %q (Optuna 3.0 and 3.1): %s",
				ErrSchemaRevision, s.where, rev, AlembicRevision, how)
		}
		var v sql.NullInt64
		if err := t.row(`SELECT schema_version FROM version_info WHERE version_info_id = 1`).Scan(&v); err != nil || v.Int64 != SchemaVersion {
			return fmt.Errorf("%w: %s: version_info.schema_version = %v (%v), want %d", ErrSchemaRevision, s.where, v.Int64, err, SchemaVersion)
		}
		return nil
	})
}

func tableNames(t txn) ([]string, error) {
	rows, err := t.query(t.d.listTables)
	if err != nil {
		return nil, err
	}
	var names []string
	count := studyfile.NewCounter("tables", studyfile.MaxRowsSmall, 0)
	err = eachRow(rows, func() error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		if err := count.Row(0); err != nil {
			return err
		}
		names = append(names, n)
		return nil
	})
	return names, err
}

func createSchema(t txn) error {
	for _, stmt := range t.d.schema {
		if _, err := t.exec(stmt); err != nil {
			return fmt.Errorf("%s: %w", strings.SplitN(stmt, "(", 2)[0], err)
		}
	}
	if _, err := t.exec(`INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, ?, ?)`,
		SchemaVersion, LibraryVersion); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO alembic_version (version_num) VALUES (?)`, AlembicRevision)
	return err
}
