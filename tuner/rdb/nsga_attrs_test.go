package rdb_test

import (
	"database/sql"
	"reflect"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// NSGA-II's attributes are system attributes, nsga2:generation a bare JSON
// number as Optuna's NSGAIISampler keeps it (so that either continues the
// other's generations), nsga2:parents a bare JSON list; both read back
// as written.
func TestNSGAAttributesAreSystemAttributes(t *testing.T) {
	path := tempPath(t)
	st := openAt(t, path)
	id, _, err := st.GetOrCreateStudy(ctx, "nsga", []tuner.Direction{tuner.Minimize, tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
	ft, err := st.CreateTrial(ctx, id, map[string]string{"note": "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{"nsga2:generation": "2", "nsga2:parents": "[3, 7]"}
	for k, v := range attrs {
		if err := st.SetTrialAttr(ctx, ft.ID, k, v); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := [][]string{{"nsga2:generation", "2"}, {"nsga2:parents", "[3, 7]"}}
	if got := queryStrings(t, db, `SELECT "key", value_json FROM trial_system_attributes WHERE "key" LIKE 'nsga2:%' ORDER BY "key"`); !reflect.DeepEqual(got, want) {
		t.Errorf("system attributes %q, want %q", got, want)
	}
	if got := queryStrings(t, db, `SELECT "key" FROM trial_user_attributes`); !reflect.DeepEqual(got, [][]string{{"note"}}) {
		t.Errorf("user attributes %q, want the note only", got)
	}
	trials, err := st.Trials(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range attrs {
		if got := trials[0].Attrs[k]; got != v {
			t.Errorf("attribute %s read back as %q, want %q", k, got, v)
		}
	}
}
