package rdb_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfiletest"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// studyFile writes a study file with OpenSQLite (studyfiletest.WriteStudy).
func studyFile(t *testing.T) string {
	t.Helper()
	path := tempPath(t)
	studyfiletest.WriteStudy(t, openAt(t, path))
	return path
}

// The crafted files of issue 13, in Optuna's schema. Before, OpenSQLite
// accepted each: the trigger rewrote every value stored, the view fed
// Trials its own rows, and the recursive views made reads spin forever or
// grow a string to SQLite's 1 GB limit. Now OpenSQLite refuses each,
// naming the object, at once, with little memory, and leaves the file as
// it was.
var craftedFiles = []studyfiletest.Crafted{
	{Name: "trigger rewriting values on insert", Stmts: []string{
		`CREATE TRIGGER rewrite AFTER INSERT ON trial_values BEGIN
			UPDATE trial_values SET value = 0.0, value_type = 'FINITE' WHERE trial_value_id = NEW.trial_value_id; END`,
	}, Want: []string{`trigger "rewrite" on "trial_values"`, `'DROP TRIGGER "rewrite"'`}},
	{Name: "view shadowing a table", Stmts: []string{
		`DROP TABLE trial_values`,
		`CREATE VIEW trial_values AS SELECT trial_id AS trial_value_id, trial_id, 0 AS objective, 0.0 AS value, 'FINITE' AS value_type FROM trials`,
	}, Want: []string{`view "trial_values"`, `'DROP VIEW "trial_values"'`}},
	{Name: "recursive view that never ends", Stmts: []string{
		`DROP TABLE studies`,
		`CREATE VIEW studies AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r)
			SELECT count(*) AS study_id, 's' AS study_name FROM r`,
	}, Want: []string{`view "studies"`}},
	{Name: "recursive view that allocates", Stmts: []string{
		`DROP TABLE trial_user_attributes`,
		`CREATE VIEW trial_user_attributes AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r)
			SELECT 1 AS trial_user_attribute_id, 1 AS trial_id, 'k' AS "key", group_concat(printf('%.1000c', 'x')) AS value_json FROM r`,
	}, Want: []string{`view "trial_user_attributes"`}},
	{Name: "column whose affinity turns values into text", Stmts: []string{
		`DROP TABLE trial_values`,
		`CREATE TABLE trial_values (trial_value_id INTEGER NOT NULL, trial_id INTEGER NOT NULL, objective INTEGER NOT NULL,
			value TEXT, value_type VARCHAR(7) NOT NULL, PRIMARY KEY (trial_value_id), UNIQUE (trial_id, objective),
			FOREIGN KEY(trial_id) REFERENCES trials (trial_id))`,
	}, Want: []string{`table "trial_values"`, `column "value" has TEXT type affinity, want REAL`, "mv "}},
	{Name: "missing table", Stmts: []string{`DROP TABLE trial_heartbeats`}, Want: []string{`table "trial_heartbeats"`, "missing"}},
	{Name: "foreign key that cascades", Stmts: []string{
		`DROP TABLE trial_system_attributes`,
		`CREATE TABLE trial_system_attributes (trial_system_attribute_id INTEGER NOT NULL, trial_id INTEGER, "key" VARCHAR(512),
			value_json TEXT, PRIMARY KEY (trial_system_attribute_id), UNIQUE (trial_id, "key"),
			FOREIGN KEY(trial_id) REFERENCES trials (trial_id) ON DELETE CASCADE)`,
	}, Want: []string{`table "trial_system_attributes"`, "on delete CASCADE"}},
}

func TestOpenRefusesCraftedFiles(t *testing.T) {
	studyfiletest.CheckRefused(t, craftedFiles, studyFile, func(path string) error {
		st, err := rdb.Open(ctx, "sqlite:///"+path)
		if err == nil {
			_, err = st.Trials(ctx, 1)
			st.Close()
		}
		return err
	}, rdb.ErrUnsafeSchema)
}

// SQL put in the file after OpenSQLite checked it never runs: the
// authorizer refuses every statement that would fire a trigger or reach
// into a view.
func TestStoredSQLNeverRuns(t *testing.T) {
	path := tempPath(t)
	st := openAt(t, path)
	id, _, err := st.GetOrCreateStudy(ctx, "s", []tuner.Direction{tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
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
	studyfiletest.Exec(t, path, `DROP TRIGGER rewrite`, `DROP TABLE trial_user_attributes`,
		`CREATE VIEW trial_user_attributes AS SELECT 1 AS trial_user_attribute_id, 1 AS trial_id, 'forged' AS "key", '"x"' AS value_json`)
	if _, err := st.Trials(ctx, id); !errors.Is(err, tuner.ErrStorage) || !strings.Contains(err.Error(), "not authorized") {
		t.Errorf("Trials with a view added after Open = %v, want ErrStorage, not authorized", err)
	}
}

// A file we did not write is read within limits: no value over 16 MiB, no
// more than 2^14 parameters or user attributes a trial.
func TestReadsAreBounded(t *testing.T) {
	cases := []studyfiletest.Oversized{
		{Name: "a 17 MB attribute", Stmt: `INSERT INTO trial_user_attributes (trial_id, "key", value_json) VALUES (1, 'big', printf('"%.*c"', 17000000, 'x'))`,
			Want: "too big"},
		{Name: "16385 parameters", Stmt: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16385)
			INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json)
			SELECT 1, 'p' || i, 0.5, (SELECT distribution_json FROM trial_params LIMIT 1) FROM n`, Want: "more than 16384 parameters for trial id 1"},
		{Name: "16385 user attributes", Stmt: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16384)
			INSERT INTO trial_user_attributes (trial_id, "key", value_json) SELECT 1, 'k' || i, '"v"' FROM n`,
			Want: "more than 16384 trial user attributes for trial id 1"},
	}
	studyfiletest.CheckReadsBounded(t, cases, studyFile, func(path string) (tuner.Storage, error) { return rdb.OpenSQLite(path) })
}

// A study file Optuna 3.1 created itself (its own DDL through SQLAlchemy,
// its own rows) passes the schema check and reads back.
func TestOpenOptunaCreatedFile(t *testing.T) {
	requireOptuna(t)
	path := tempPath(t)
	script := `import sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
s = optuna.create_study(study_name="py", storage="sqlite:///" + sys.argv[1])
s.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 1, 3), n_trials=3)
`
	if out, err := exec.Command(python, "-c", script, path).CombinedOutput(); err != nil {
		t.Fatalf("optuna: %v\n%s", err, out)
	}
	st := openAt(t, path)
	id, created, err := st.GetOrCreateStudy(ctx, "py", []tuner.Direction{tuner.Minimize})
	if err != nil || created {
		t.Fatalf("GetOrCreateStudy = %d, %v, %v; want Optuna's study", id, created, err)
	}
	trials, err := st.Trials(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(trials) != 3 {
		t.Fatalf("%d trials, want 3", len(trials))
	}
	for _, tr := range trials {
		x, _ := tr.Params["x"].(float64)
		n, _ := tr.Params["n"].(int)
		if tr.State != tuner.Complete || tr.Value != x+float64(n) {
			t.Errorf("trial %d: %v %v with %v, want complete with x + n", tr.Number, tr.State, tr.Value, tr.Params)
		}
	}
}
