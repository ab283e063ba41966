package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

var ctx = context.Background()

// newDB writes a study database with study "lr" (minimize): 12 trials,
// trials 3, 6 and 9 pruned by diagnosis, and a trial still running on
// another machine; and study "two" of two objectives, 6 trials.
func newDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "study.db")
	st, err := rdb.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	study, err := tuner.Open(ctx, tuner.Config{Name: "lr", Storage: st, Sampler: tuner.RandomSampler{}, Seed: 1, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		lr := tr.Float("lr", 1e-3, 0.1)
		if err := tr.Err(); err != nil {
			return 0, err
		}
		if tr.Number()%3 == 0 && tr.Number() > 0 {
			if err := tr.SetAttr("diagnosis", "diverging"); err != nil {
				return 0, err
			}
			if err := tr.SetAttr("diagnosis_reason", fmt.Sprintf("trial %d: the loss grew 10×", tr.Number())); err != nil {
				return 0, err
			}
			return 0, tuner.ErrPruned
		}
		if err := tr.Report(1, lr+1); err != nil {
			return 0, err
		}
		return lr, nil
	}, tuner.Budget{Trials: 12})
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := st.GetOrCreateStudy(ctx, "lr", []tuner.Direction{tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateTrial(ctx, id, map[string]string{"owner": "elsewhere/1/0000000000000001"}, nil); err != nil {
		t.Fatal(err)
	}
	// A trial of a dead process on this machine: the workers' recovery
	// fails and re-runs it, the report must not get there first.
	host, _ := os.Hostname()
	if _, err := st.CreateTrial(ctx, id, map[string]string{"owner": fmt.Sprintf("%s/%d/dead", host, 1<<30)}, nil); err != nil {
		t.Fatal(err)
	}
	two, err := tuner.Open(ctx, tuner.Config{Name: "two", Storage: st, Directions: []tuner.Direction{tuner.Minimize, tuner.Maximize},
		Sampler: tuner.RandomSampler{}, Seed: 1, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = two.OptimizeMulti(ctx, func(ctx context.Context, tr *tuner.Trial) ([]float64, error) {
		x := tr.Float("x", 0, 1)
		return []float64{x, x * x}, tr.Err()
	}, tuner.Budget{Trials: 6})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// The report of a study in a SQLite file: every file, the diagnoses
// counted, and the trial running elsewhere left running.
func TestReport(t *testing.T) {
	db := newDB(t)
	out := filepath.Join(t.TempDir(), "report")
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"-storage", "sqlite:///" + db, "-study", "lr", "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	files := "trials.csv, trials.json, history.png, history.svg, importances.png, importances.svg, parallel.png, parallel.svg, intermediate.png, intermediate.svg, report.txt"
	if want := fmt.Sprintf("study-report: study \"lr\": %s in %s\n", files, out); stdout.String() != want {
		t.Errorf("stdout %q, want %q", stdout.String(), want)
	}
	for _, f := range strings.Split(files, ", ") {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"name:       lr\ndirections: minimize\ntrials:     14: 9 complete, 3 pruned, 2 running\n",
		"pruned by diagnosis: 3 trials\n  diverging: 3 trials: 3, 6, 9\n    trial 3: trial 3: the loss grew 10×\n",
		"no re-evaluation was run",
	} {
		if !strings.Contains(string(b), s) {
			t.Errorf("report.txt does not say %q:\n%s", s, b)
		}
	}
	st, err := rdb.OpenSQLite(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id, _, err := st.GetOrCreateStudy(ctx, "lr", []tuner.Direction{tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := st.Trials(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trials[len(trials)-2:] {
		if tr.State != tuner.Running {
			t.Errorf("trial %d (owner %s) is now %v (%s): the report must leave it to the workers", tr.Number, tr.Attrs["owner"], tr.State, tr.FailReason)
		}
	}
}

// A study of two objectives, named by -objectives.
func TestReportTwoObjectives(t *testing.T) {
	db := newDB(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-storage", "sqlite:///" + db, "-study", "two", "-out", out, "-objectives", "error,size"}
	if code := run(ctx, args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, f := range []string{"pareto.svg", "importances_1.png", "parallel_0.svg"} {
		if !strings.Contains(stdout.String(), f) {
			t.Errorf("stdout %q does not list %s", stdout.String(), f)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if s := "directions: error: minimize, size: maximize\n"; !strings.Contains(string(b), s) {
		t.Errorf("report.txt does not say %q:\n%s", s, b)
	}
}

// Bad flags exit 2, a missing database or study 1, each with a message
// naming what was expected; nothing is written.
func TestBadInput(t *testing.T) {
	db := newDB(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "none.db")
	ok := []string{"-storage", "sqlite:///" + db, "-study", "lr", "-out", filepath.Join(dir, "out")}
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{nil, 2, "-storage is required"},
		{[]string{"-storage", "sqlite:///" + db}, 2, "-study is required"},
		{[]string{"-storage", "sqlite:///" + db, "-study", "lr"}, 2, "-out is required"},
		{append(slices.Clone(ok), "extra"), 2, `unexpected arguments ["extra"]`},
		{[]string{"-bogus"}, 2, "flag provided but not defined: -bogus"},
		{append(slices.Clone(ok[:4]), "-out", file), 2, "is a file, want a folder"},
		{append(slices.Clone(ok), "-objectives", "a,,b"), 2, `-objectives = "a,,b": an empty name`},
		{append(slices.Clone(ok), "-objectives", "a,b"), 1, `-objectives names 2 objectives, study "lr" has 1 [minimize]`},
		{[]string{"-storage", "sqlite:///" + missing, "-study", "lr", "-out", dir}, 1, "no database there"},
		{[]string{"-storage", "mysql://h/db", "-study", "lr", "-out", dir}, 1, `scheme "mysql" not supported`},
		{[]string{"-storage", "sqlite:///" + db, "-study", "nope", "-out", dir}, 1, `no such study: "nope" in ` + db + `, which holds "lr", "two"`},
	} {
		var stdout, stderr bytes.Buffer
		code := run(ctx, c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.says) {
			t.Errorf("study-report %q: exit %d, stderr %q; want exit %d saying %q", c.args, code, stderr.String(), c.code, c.says)
		}
		if stdout.Len() != 0 {
			t.Errorf("study-report %q: stdout %q", c.args, stdout.String())
		}
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created (%v)", missing, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the report folder was created (%v)", err)
	}
}
