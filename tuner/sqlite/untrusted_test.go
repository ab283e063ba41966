package sqlite_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfiletest"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

// studyFile writes a study file with Open (studyfiletest.WriteStudy).
func studyFile(t *testing.T) string {
	t.Helper()
	path := tempPath(t)
	studyfiletest.WriteStudy(t, openAt(t, path))
	return path
}

// The crafted files of issue 13 ("views and triggers stored in a SQLite
// study run inside our queries"). Before, Open accepted each: the trigger
// rewrote every value stored, the view fed Trials its own rows, and the
// recursive views made Open spin forever or grow a string to SQLite's 1 GB
// limit (2.3 GB held). Now Open refuses each, naming the object, at once,
// with little memory, and leaves the file as it was.
var craftedFiles = []studyfiletest.Crafted{
	{Name: "trigger rewriting values on insert", Stmts: []string{
		`CREATE TRIGGER rewrite AFTER INSERT ON trial_values BEGIN
			UPDATE trial_values SET value = 0.0, value_type = 'FINITE' WHERE trial_value_id = NEW.trial_value_id; END`,
	}, Want: []string{`trigger "rewrite" on "trial_values"`, `'DROP TRIGGER "rewrite"'`}},
	{Name: "view shadowing a table", Stmts: []string{
		`DROP TABLE trial_values`,
		`CREATE VIEW trial_values AS SELECT trial_id AS trial_value_id, trial_id, 0.0 AS value, 'FINITE' AS value_type FROM trials`,
	}, Want: []string{`view "trial_values"`, `'DROP VIEW "trial_values"'`}},
	{Name: "recursive view that never ends", Stmts: []string{
		`DROP TABLE version_info`,
		`CREATE VIEW version_info AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r)
			SELECT 1 AS version_info_id, count(*) AS schema_version, '' AS library_version FROM r`,
	}, Want: []string{`view "version_info"`}},
	{Name: "recursive view that allocates", Stmts: []string{
		`DROP TABLE version_info`,
		`CREATE VIEW version_info AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r)
			SELECT 1 AS version_info_id, length(group_concat(printf('%.1000c', 'x'))) AS schema_version, '' AS library_version FROM r`,
	}, Want: []string{`view "version_info"`}},
	{Name: "column whose affinity loses -0", Stmts: []string{
		`DROP TABLE trial_values`,
		`CREATE TABLE trial_values (trial_value_id INTEGER PRIMARY KEY, trial_id INTEGER NOT NULL UNIQUE REFERENCES trials (trial_id) ON DELETE CASCADE,
			value REAL, value_type TEXT NOT NULL)`,
	}, Want: []string{`table "trial_values"`, `column "value" has REAL type affinity, want BLOB`, "mv "}},
	{Name: "default that rewrites what an insert leaves out", Stmts: []string{
		`DROP TABLE trials`,
		`CREATE TABLE trials (trial_id INTEGER PRIMARY KEY, number INTEGER NOT NULL, study_id INTEGER NOT NULL REFERENCES studies (study_id) ON DELETE CASCADE,
			state TEXT NOT NULL, datetime_start INTEGER, datetime_complete INTEGER, fail_reason TEXT NOT NULL DEFAULT 'forged',
			fail_kind TEXT NOT NULL DEFAULT '', UNIQUE (study_id, number))`,
	}, Want: []string{`table "trials"`, `column "fail_reason" has default 'forged', want ''`}},
	{Name: "case-blind attribute keys", Stmts: []string{
		`DROP TABLE trial_attributes`,
		`CREATE TABLE trial_attributes (trial_attribute_id INTEGER PRIMARY KEY, trial_id INTEGER NOT NULL REFERENCES trials (trial_id) ON DELETE CASCADE,
			key TEXT NOT NULL COLLATE NOCASE, value TEXT NOT NULL, UNIQUE (trial_id, key))`,
	}, Want: []string{`table "trial_attributes"`, "COLLATE"}},
	{Name: "virtual table", Stmts: []string{
		`CREATE VIRTUAL TABLE notes USING fts5(body)`,
	}, Want: []string{`virtual table "notes"`}},
}

func TestOpenRefusesCraftedFiles(t *testing.T) {
	studyfiletest.CheckRefused(t, craftedFiles, studyFile, func(path string) error {
		st, err := sqlite.Open(path)
		if err == nil {
			st.Close()
		}
		return err
	}, sqlite.ErrUnsafeSchema)
}

// SQL put in the file after Open checked it never runs: the authorizer
// refuses every statement that would reach into a view or fire a trigger,
// so the trigger cannot rewrite the value and the view cannot feed Trials.
func TestStoredSQLNeverRuns(t *testing.T) {
	path := tempPath(t)
	st := openAt(t, path)
	id := studyID(t, st, "s")
	ft, err := st.CreateTrial(ctx, id, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	studyfiletest.Exec(t, path, `CREATE TRIGGER rewrite AFTER INSERT ON trial_values BEGIN
		UPDATE trial_values SET value = 0.0 WHERE trial_value_id = NEW.trial_value_id; END`)
	err = st.FinishTrial(ctx, ft.ID, tuner.Complete, []float64{0.7}, "", "")
	if !errors.Is(err, tuner.ErrStorage) || !strings.Contains(err.Error(), "not authorized") {
		t.Errorf("FinishTrial with a trigger added after Open = %v, want ErrStorage, not authorized", err)
	}
	studyfiletest.Exec(t, path, `DROP TRIGGER rewrite`, `DROP TABLE trial_attributes`,
		`CREATE VIEW trial_attributes AS SELECT 1 AS trial_attribute_id, 1 AS trial_id, 'forged' AS key, 'x' AS value`)
	if _, err := st.Trials(ctx, id); !errors.Is(err, tuner.ErrStorage) || !strings.Contains(err.Error(), "not authorized") {
		t.Errorf("Trials with a view added after Open = %v, want ErrStorage, not authorized", err)
	}
}

// A file we did not write is read within limits: no value over 16 MiB, no
// more than 2^14 parameters or attributes a trial.
func TestReadsAreBounded(t *testing.T) {
	cases := []studyfiletest.Oversized{
		{Name: "a 17 MB attribute", Stmt: `INSERT INTO trial_attributes (trial_id, key, value) VALUES (1, 'big', printf('%.*c', 17000000, 'x'))`,
			Want: "too big"},
		{Name: "16385 parameters", Stmt: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16385)
			INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json)
			SELECT 1, 'p' || i, 0.5, (SELECT distribution_json FROM trial_params LIMIT 1) FROM n`, Want: "more than 16384 parameters for trial id 1"},
		{Name: "16385 attributes", Stmt: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16384)
			INSERT INTO trial_attributes (trial_id, key, value) SELECT 1, 'k' || i, 'v' FROM n`, Want: "more than 16384 attributes for trial id 1"},
	}
	studyfiletest.CheckReadsBounded(t, cases, studyFile, func(path string) (tuner.Storage, error) { return sqlite.Open(path) })
}

// An Optuna study file (tuner/rdb's) was given tuner/sqlite's missing
// tables before Open refused its schema version; it is refused untouched,
// with the package that opens it.
func TestOpenRefusesOptunaFile(t *testing.T) {
	path := tempPath(t)
	studyfiletest.Exec(t, path, `CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, PRIMARY KEY (version_num))`,
		`CREATE TABLE studies (study_id INTEGER NOT NULL, study_name VARCHAR(512) NOT NULL, PRIMARY KEY (study_id))`)
	_, err := sqlite.Open(path)
	if !errors.Is(err, tuner.ErrStorage) || !strings.Contains(err.Error(), "tuner/rdb.OpenSQLite") {
		t.Fatalf("Open = %v, want an error wrapping tuner.ErrStorage naming tuner/rdb.OpenSQLite", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := queryStrings(t, db, `SELECT name FROM sqlite_master ORDER BY name`); len(got) != 3 { // 2 tables, 1 autoindex
		t.Errorf("the refused file now holds %v", got)
	}
}
