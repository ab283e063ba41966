package studyfile

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// The way out is printed for the user to paste into a shell: a crafted
// name must not turn it into another command.
func TestWayOutQuotesNames(t *testing.T) {
	cases := []struct {
		path, name string
		long       bool
		want       string
	}{
		{"/tmp/study.db", "rewrite", false,
			"if you added it yourself: `sqlite3 /tmp/study.db 'DROP TRIGGER \"rewrite\"'`; otherwise start a new study: `mv /tmp/study.db /tmp/study.db.old`"},
		{"/tmp/my study.db", `x"'; rm -rf ~; '`, false,
			`if you added it yourself: ` + "`" + `sqlite3 '/tmp/my study.db' 'DROP TRIGGER "x""'\''; rm -rf ~; '\''"'` + "`" +
				`; otherwise start a new study: ` + "`" + `mv '/tmp/my study.db' '/tmp/my study.db.old'` + "`"},
		{"/tmp/study.db", "a\nb", false, "start a new study: `mv /tmp/study.db /tmp/study.db.old`"},
		{"/tmp/study.db", "cut", true, "start a new study: `mv /tmp/study.db /tmp/study.db.old`"},
	}
	for _, c := range cases {
		if got := dropIt(c.path, "trigger", c.name, c.long); got != c.want {
			t.Errorf("dropIt(%q, %q)\n got %s\nwant %s", c.path, c.name, got, c.want)
		}
	}
}

func TestAffinity(t *testing.T) {
	for typ, want := range map[string]string{
		"INTEGER": "INTEGER", "BIGINT": "INTEGER", "VARCHAR(512)": "TEXT", "TEXT": "TEXT", "CLOB": "TEXT",
		"": "BLOB", "BLOB": "BLOB", "FLOAT": "REAL", "DOUBLE PRECISION": "REAL", "REAL": "REAL",
		"DATETIME": "NUMERIC", "NUMERIC": "NUMERIC", "POINT": "INTEGER", // "POINT" holds "INT", as SQLite reads it
	} {
		if got := affinity(typ); got != want {
			t.Errorf("affinity(%q) = %s, want %s", typ, got, want)
		}
	}
}

// A spec's own statements pass CheckTables; a table with one more column,
// or missing one that is not optional, does not.
func TestCheckTables(t *testing.T) {
	stmts := []string{
		`CREATE TABLE a (id INTEGER PRIMARY KEY, v, note TEXT NOT NULL DEFAULT '')`,
		`CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id) ON DELETE CASCADE)`,
	}
	spec, err := NewSpec(stmts, "a.note")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, c := range map[string]struct {
		stmts []string
		want  string // "" passes
	}{
		"same":             {stmts, ""},
		"optional missing": {[]string{`CREATE TABLE a (id INTEGER PRIMARY KEY, v)`, stmts[1]}, ""},
		"b missing":        {stmts[:1], ""},
		"extra column":     {[]string{`CREATE TABLE a (id INTEGER PRIMARY KEY, v, note TEXT NOT NULL DEFAULT '', w)`, stmts[1]}, `column "w"`},
		"column missing":   {[]string{`CREATE TABLE a (id INTEGER PRIMARY KEY, note TEXT NOT NULL DEFAULT '')`, stmts[1]}, `no column "v"`},
		"rowid lost":       {[]string{`CREATE TABLE a (id INTEGER, v, note TEXT NOT NULL DEFAULT '')`, stmts[1]}, "primary-key position 0, want 1"},
		"generated":        {[]string{`CREATE TABLE a (id INTEGER PRIMARY KEY, v AS (id * 2), note TEXT NOT NULL DEFAULT '')`, stmts[1]}, "generated"},
		"key action":       {[]string{stmts[0], `CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id) ON DELETE SET NULL)`}, "SET NULL"},
		"collated index":   {append(stmts[:2:2], `CREATE INDEX ix ON a (note COLLATE NOCASE)`), "COLLATE"},
	} {
		db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "x.db"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range c.stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %s: %v", name, s, err)
			}
		}
		err = CheckTables(ctx, db, "x.db", spec, false)
		var unsafe *UnsafeError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v, want it accepted", name, err)
		case c.want != "" && (!errors.As(err, &unsafe) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want an *UnsafeError saying %q", name, err, c.want)
		}
		if err := CheckTables(ctx, db, "x.db", spec, true); c.want == "" && name != "same" && name != "optional missing" && err == nil {
			t.Errorf("%s: accepted with requireAll", name)
		}
		db.Close()
	}
}
