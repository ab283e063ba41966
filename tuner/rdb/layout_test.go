package rdb_test

import (
	"database/sql"
	"math"
	"reflect"
	"regexp"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// TestStoredLayout: rows as Optuna writes them — ±Inf and NaN in the type
// columns, no trial_values row for a failed trial without value, JSON
// attribute values (strings quoted, grid index bare), the tuner's
// bookkeeping as system attributes, Optuna's datetime format, −0 marks.
func TestStoredLayout(t *testing.T) {
	path := tempPath(t)
	st := openAt(t, path)
	id, _, err := st.GetOrCreateStudy(ctx, "layout", []tuner.Direction{tuner.Maximize})
	if err != nil {
		t.Fatal(err)
	}
	values := []float64{1.25, math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1)}
	for i, v := range values {
		ft, err := st.CreateTrial(ctx, id, map[string]string{"owner": "h/1/ab", "note": "x"}, &tuner.Claim{Key: "grid_id",
			Pick: func(tuner.FrozenTrial, []tuner.FrozenTrial) (string, error) {
				return []string{"0", "1", "2", "3", "4"}[i], nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetTrialIntermediate(ctx, ft.ID, 3, v); err != nil {
			t.Fatal(err)
		}
		state, kind, reason, values := tuner.Complete, tuner.FailKind(""), "", []float64{v}
		if math.IsNaN(v) {
			state, kind, reason, values = tuner.Failed, tuner.FailNaN, "objective returned NaN", nil
		}
		if err := st.FinishTrial(ctx, ft.ID, state, values, kind, reason); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queries := []struct {
		query string
		want  [][]string
	}{
		{`SELECT study_name, direction, objective FROM studies JOIN study_directions USING (study_id)`, [][]string{{"layout", "MAXIMIZE", "0"}}},
		{`SELECT number, state FROM trials ORDER BY trial_id`, [][]string{{"0", "COMPLETE"}, {"1", "COMPLETE"}, {"2", "COMPLETE"}, {"3", "FAIL"}, {"4", "COMPLETE"}}},
		{`SELECT trial_id, objective, quote(value), value_type FROM trial_values ORDER BY trial_id`, [][]string{
			{"1", "0", "1.25", "FINITE"}, {"2", "0", "NULL", "INF_POS"}, {"3", "0", "NULL", "INF_NEG"}, {"5", "0", "0.0", "FINITE"}}},
		{`SELECT step, quote(intermediate_value), intermediate_value_type FROM trial_intermediate_values ORDER BY trial_id`, [][]string{
			{"3", "1.25", "FINITE"}, {"3", "NULL", "INF_POS"}, {"3", "NULL", "INF_NEG"}, {"3", "NULL", "NAN"}, {"3", "0.0", "FINITE"}}},
		{`SELECT DISTINCT "key", value_json FROM trial_user_attributes`, [][]string{{"note", `"x"`}}},
		{`SELECT "key", value_json FROM trial_system_attributes WHERE trial_id IN (4, 5) ORDER BY trial_id, "key"`, [][]string{
			{"fail_reason", `"objective returned NaN"`}, {"gradtune:fail_kind", `"nan"`}, {"gradtune:owner", `"h/1/ab"`}, {"grid_id", "3"},
			{"gradtune:negative_zero_step_3", "true"}, {"gradtune:negative_zero_value", "true"}, {"gradtune:owner", `"h/1/ab"`}, {"grid_id", "4"}}},
	}
	for _, q := range queries {
		if got := queryStrings(t, db, q.query); !reflect.DeepEqual(got, q.want) {
			t.Errorf("%s\n got %q\nwant %q", q.query, got, q.want)
		}
	}
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$`)
	for _, row := range queryStrings(t, db, `SELECT CAST(datetime_start AS TEXT), CAST(datetime_complete AS TEXT) FROM trials`) {
		if !stamp.MatchString(row[0]) || !stamp.MatchString(row[1]) {
			t.Errorf("datetimes %q, want SQLAlchemy's YYYY-MM-DD HH:MM:SS.ffffff", row)
		}
	}
	trials, err := st.Trials(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if v := trials[4].Value; v != 0 || !math.Signbit(v) || !math.Signbit(trials[4].Intermediate[3]) {
		t.Errorf("trial 4: value %v, step 3 %v, want −0 both", v, trials[4].Intermediate[3])
	}
}

func queryStrings(t *testing.T, db *sql.DB, query string) [][]string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		row := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		strs := make([]string, len(cols))
		for i, v := range row {
			strs[i] = v.String
		}
		out = append(out, strs)
	}
	return out
}
