package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

var ctx = context.Background()

// TestMain lets the kill test re-run this binary as worker processes.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		holdTrial, _ = time.ParseDuration(os.Getenv(holdEnv))
		os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// childEnv makes the test binary a tune-worker; holdEnv sets its
// holdTrial.
const (
	childEnv = "GRADTUNE_TUNE_WORKER_CHILD"
	holdEnv  = "GRADTUNE_TUNE_WORKER_HOLD"
)

// Bad flags, URLs and a study of the other direction are refused with a
// message naming what was expected, and write nothing.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "study.db")
	st, err := rdb.OpenSQLite(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.GetOrCreateStudy(ctx, "min", []tuner.Direction{tuner.Minimize}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{nil, 2, "-storage is required: sqlite:///FILE"},
		{[]string{"-storage", "sqlite:///x.db", "-workers", "0"}, 2, "-workers = 0, want ≥ 1"},
		{[]string{"-storage", "sqlite:///x.db", "-sampler", "cma"}, 2, `-sampler = "cma", want tpe or grid`},
		{[]string{"-storage", "postgresql://u:secret@127.0.0.1:1/db"}, 1, "postgres://u:xxxxx@127.0.0.1:1/db"},
		{[]string{"-storage", "mysql://h/db"}, 1, `scheme "mysql" not supported; want sqlite:///FILE`},
		{[]string{"-storage", "sqlite://host/x.db"}, 1, "want sqlite:///FILE"},
		{[]string{"-storage", "sqlite:///" + dir + "/missing/study.db"}, 1, "missing/study.db"},
		{[]string{"-storage", "sqlite:///" + db, "-study", "min"}, 1, `study "min" exists with direction minimize, not maximize`},
	} {
		var out, errb bytes.Buffer
		code := run(ctx, c.args, &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.says) {
			t.Errorf("tune-worker %q: exit %d, stderr %q; want exit %d saying %q", c.args, code, errb.String(), c.code, c.says)
		}
	}
	st, err = rdb.OpenSQLite(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, _, err := st.GetOrCreateStudy(ctx, "min", []tuner.Direction{tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
	if trials, err := st.Trials(ctx, id); err != nil || len(trials) != 0 {
		t.Errorf("the refused study holds %d trials (%v), want none", len(trials), err)
	}
}
