package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// counted is what a TotalTrials budget counts.
func counted(trials []tuner.FrozenTrial) int {
	n := 0
	for _, t := range trials {
		if t.Counted() {
			n++
		}
	}
	return n
}

// A study cut off by a deadline keeps its trials in SQLite; running the
// same session again adds exactly the trials missing to TotalTrials, keeps
// the old ones as they were, finds a model far above the majority class,
// and the results turn into a CSV table and four PNG plots.
func TestInterruptedStudyResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("tunes an MLP with cross-validation for about 10 s")
	}
	v, err := loadVotes(5, 1)
	if err != nil {
		t.Fatal(err)
	}
	obj := objective(v)
	dir := t.TempDir()
	db := filepath.Join(dir, "study.db")

	// Far more trials than 3 s allow: the deadline must cut the session.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	before1, after1, err := session(ctx, db, obj, 1000)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || !interrupted(err) {
		t.Fatalf("session 1: err = %v, want a deadline", err)
	}
	n1 := counted(after1)
	if len(before1) != 0 || n1 == 0 || n1 >= 1000 {
		t.Fatalf("session 1: %d trials before, %d counted after; want 0 and some", len(before1), n1)
	}

	const more = 4
	before2, after2, err := session(context.Background(), db, obj, n1+more)
	if err != nil {
		t.Fatal(err)
	}
	if len(before2) != len(after1) {
		t.Errorf("session 2 opened %d trials, session 1 left %d", len(before2), len(after1))
	}
	if got := counted(after2); got != n1+more {
		t.Errorf("after session 2: %d counted trials, want %d (%s)", got, n1+more, census(after2))
	}
	for i, old := range after1 {
		now := after2[i]
		stale := old.State == tuner.Running && now.State == tuner.Failed
		if now.Number != old.Number || !reflect.DeepEqual(now.Params, old.Params) || now.State != old.State && !stale {
			t.Errorf("trial %d changed on resume: %v %v → %v %v", old.Number, old.State, old.Params, now.State, now.Params)
		}
	}
	for i, tr := range after2 {
		if tr.Number != i {
			t.Errorf("trial at %d has number %d", i, tr.Number)
		}
	}

	for _, tr := range after2 {
		checkSearchSpace(t, tr)
		switch tr.State {
		case tuner.Complete:
			if len(tr.Intermediate) != len(v.Folds) || tr.Attrs["cv_std"] == "" {
				t.Errorf("complete trial %d: %d fold reports, cv_std %q", tr.Number, len(tr.Intermediate), tr.Attrs["cv_std"])
			}
		case tuner.Pruned:
			// Pruned after fold 2 at the earliest, before the last fold.
			if n := len(tr.Intermediate); n < 2 || n >= len(v.Folds) {
				t.Errorf("pruned trial %d stopped after %d folds, want 2 to %d", tr.Number, n, len(v.Folds)-1)
			}
		}
	}
	// A configuration rerun without pruner reports the same running means,
	// bit for bit: the objective depends on the parameters only, which is
	// what makes auditPruning's reruns stand for the pruned trials.
	var sample []tuner.FrozenTrial
	for _, tr := range after2 {
		if (tr.State == tuner.Complete || tr.State == tuner.Pruned) && len(sample) < 3 {
			sample = append(sample, tr)
		}
	}
	reruns, err := rerunPruned(context.Background(), obj, sample)
	if err != nil || len(reruns) != len(sample) {
		t.Fatalf("rerunPruned: %d reruns of %d (%v)", len(reruns), len(sample), err)
	}
	for i, orig := range sample {
		re := reruns[i]
		if re.State != tuner.Complete || len(re.Intermediate) != len(v.Folds) || orig.State == tuner.Complete && re.Value != orig.Value {
			t.Errorf("rerun of trial %d: %v %v with %d folds, original %v %v", orig.Number, re.State, re.Value, len(re.Intermediate), orig.State, orig.Value)
		}
		for step, x := range orig.Intermediate {
			if re.Intermediate[step] != x {
				t.Errorf("rerun of trial %d: step %d = %v, originally %v", orig.Number, step, re.Intermediate[step], x)
			}
		}
	}

	// The majority class (democrat) alone scores 267/435 = 0.614.
	b, ok := best(after2)
	if !ok || b.Value < 0.9 {
		t.Errorf("best trial %+v (found %v), want CV accuracy ≥ 0.9", b, ok)
	}

	excerpt, err := csvExcerpt(filepath.Join(dir, "trials.csv"), after2, 3, "number", "state", "value", "param_optimizer", "attr_cv_std")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(excerpt)).ReadAll()
	if err != nil || len(rows) != 4 || strings.Join(rows[0], ",") != "number,state,value,param_optimizer,attr_cv_std" || rows[1][0] != "0" {
		t.Errorf("excerpt %q (%v)", excerpt, err)
	}
	full, err := os.ReadFile(filepath.Join(dir, "trials.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if all, err := csv.NewReader(bytes.NewReader(full)).ReadAll(); err != nil || len(all) != len(after2)+1 {
		t.Errorf("trials.csv: %d rows for %d trials (%v)", len(all), len(after2), err)
	}

	img := filepath.Join(dir, "img")
	imp, err := plots(img, after2, 3, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, x := range imp {
		sum += x
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("importances %v sum to %v, want 1", imp, sum)
	}
	for _, name := range []string{"history.png", "parallel.png", "importances.png", "intermediate.png"} {
		b, err := os.ReadFile(filepath.Join(img, name))
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 5000 {
			t.Errorf("%s: %d bytes, %v", name, len(b), err)
		}
	}
}

// checkSearchSpace asserts the define-by-run structure: conditional
// parameters exist exactly in the trials whose choices ask for them.
func checkSearchSpace(t *testing.T, tr tuner.FrozenTrial) {
	t.Helper()
	if tr.State != tuner.Complete && tr.State != tuner.Pruned {
		return
	}
	opt, _ := tr.Params["optimizer"].(string)
	layers, _ := tr.Params["layers"].(int)
	want := map[string]bool{
		"adam_beta1":    opt == "adam",
		"sgd_momentum":  opt == "sgd",
		"rmsprop_alpha": opt == "rmsprop",
		"units_0":       layers >= 1,
		"units_1":       layers >= 2,
		"units_2":       layers >= 3,
		"lr":            true,
		"l2":            true,
	}
	for name, in := range want {
		if _, ok := tr.Params[name]; ok != in {
			t.Errorf("trial %d (optimizer %s, %d layers): has %s = %v, want %v", tr.Number, opt, layers, name, ok, in)
		}
	}
	if _, ok := tr.Params["sgd_nesterov"]; ok && opt != "sgd" {
		t.Errorf("trial %d: sgd_nesterov with optimizer %s", tr.Number, opt)
	}
}

// Random and TPE draw the same 10 startup trials for a seed, then TPE takes
// over; every study is as long as asked and its best-so-far never falls.
func TestCompareSamplers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two 12-trial studies")
	}
	v, err := loadVotes(5, 1)
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	races, err := compareSamplers(context.Background(), objective(v), []uint64{7}, n)
	if err != nil {
		t.Fatal(err)
	}
	if len(races) != 2 || races[0].Sampler != "random" || races[1].Sampler != "tpe" {
		t.Fatalf("races %+v", races)
	}
	rnd, tpe := races[0], races[1]
	for _, r := range races {
		if len(r.Trials) != n {
			t.Errorf("%s: %d trials, want %d", r.Sampler, len(r.Trials), n)
		}
		if r.bestAt(5) > r.bestAt(10) || r.bestAt(10) > r.bestAt(n) {
			t.Errorf("%s: best so far falls: %v %v %v", r.Sampler, r.bestAt(5), r.bestAt(10), r.bestAt(n))
		}
	}
	for i := 0; i < 10; i++ {
		if !reflect.DeepEqual(rnd.Trials[i].Params, tpe.Trials[i].Params) {
			t.Errorf("startup trial %d differs: random %v, tpe %v", i, rnd.Trials[i].Params, tpe.Trials[i].Params)
		}
	}
	if reflect.DeepEqual(rnd.Trials[10].Params, tpe.Trials[10].Params) {
		t.Errorf("trial 10 is the same for both samplers: %v", tpe.Trials[10].Params)
	}
	var out strings.Builder
	raceTable(&out, races, []int{10, n})
	for _, want := range []string{
		fmt.Sprintf("| random | 7 | %.4f | %.4f | %d |", rnd.bestAt(10), rnd.bestAt(n), count(rnd.Trials, tuner.Pruned)),
		fmt.Sprintf("| **tpe, median** | | **%.4f** | **%.4f** |", tpe.bestAt(10), tpe.bestAt(n)),
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

// Fitting the scaler on a fold's training rows differs from fitting it on
// all rows, by at most 0.4 in the mean: all = 0.8·train + 0.2·val and the
// votes lie in [−1, 1].
func TestLeakageIsRealButBounded(t *testing.T) {
	v, err := loadVotes(5, 1)
	if err != nil {
		t.Fatal(err)
	}
	dMean, dScale, err := leakage(v)
	if err != nil {
		t.Fatal(err)
	}
	if dMean <= 0 || dMean > 0.4 || dScale <= 0 || dScale > 1 {
		t.Errorf("leakage: mean gap %v, scale gap %v", dMean, dScale)
	}
}

func TestHelpers(t *testing.T) {
	trials := []tuner.FrozenTrial{
		{Number: 0, State: tuner.Complete, Value: 0.9, Intermediate: map[int]float64{1: .9, 2: .9, 3: .9, 4: .9, 5: .9},
			Params: map[string]any{"lr": 0.01, "layers": 1}, Internal: map[string]float64{"lr": 0.01, "layers": 1}},
		{Number: 1, State: tuner.Pruned, Value: 0.7, Intermediate: map[int]float64{1: .7, 2: .7}},
		{Number: 2, State: tuner.Failed, Value: math.NaN(), Intermediate: map[int]float64{1: .5}},
		{Number: 3, State: tuner.Complete, Value: 0.95, Intermediate: map[int]float64{1: .9, 2: .9, 3: .9, 4: .9, 5: .9}},
	}
	trained, full := foldsTrained(trials, 5)
	b, _ := best(trials)
	wst, _ := worst(trials)
	kept := only(trials, []string{"lr"})
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"census", census(trials), "4 trials: 2 complete, 1 pruned, 1 failed"},
		{"foldsTrained", [2]int{trained, full}, [2]int{12, 15}},
		{"best", b.Number, 3},
		{"worst", wst.Number, 0},
		{"above", len(above(trials, 0.92)), 1},
		{"count pruned", count(trials, tuner.Pruned), 1},
		{"median odd", median([]float64{3, 1, 2}), 2.0},
		{"median even", median([]float64{4, 1, 3, 2}), 2.5},
		{"mean", mean([]float64{1, 2, 6}), 3.0},
		{"ranked", ranked(map[string]float64{"b": 0.2, "a": 0.2, "c": 0.6}), []string{"c", "a", "b"}},
		{"only", kept[0].Params, map[string]any{"lr": 0.01}},
		{"only keeps the original", len(trials[0].Params), 2},
		{"describe", describe(trials[0]), "layers=1 lr=0.01"},
		{"bestAt", race{Trials: trials}.bestAt(2), 0.9},
		{"choices", choices([]tuner.FrozenTrial{{Params: map[string]any{"o": "sgd"}}, {Params: map[string]any{"o": "adam"}}, {Params: map[string]any{"o": "sgd"}}, {}}, "o"), "adam 1, sgd 2"},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}
