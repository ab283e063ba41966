package studyreport_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
	"github.com/gradtune/gradtune/tuner/importance"
	"github.com/gradtune/gradtune/tuner/noise"
	"github.com/gradtune/gradtune/tuner/pareto"
	"github.com/gradtune/gradtune/tuner/studyreport"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

var ctx = context.Background()

var minimize = []tuner.Direction{tuner.Minimize}

// craftedNoise is a re-evaluation of the top 2 of trials over 5 seeds in
// which the best beats the runner-up with every seed: the exact one-sided
// Wilcoxon p of 5 differences of one sign is 2⁻⁵ = 0.03125.
func craftedNoise(trials []tuner.FrozenTrial) *noise.Report {
	var complete []tuner.FrozenTrial
	for _, t := range trials {
		if t.State == tuner.Complete {
			complete = append(complete, t)
		}
	}
	sort.Slice(complete, func(i, j int) bool { return complete[i].Value < complete[j].Value })
	r := &noise.Report{Direction: tuner.Minimize, Seeds: []int64{1, 2, 3, 4, 5}, P: 0.03125, Alpha: 0.05, Distinguishable: true}
	for i, values := range [][]float64{{0.15, 0.14, 0.16, 0.15, 0.14}, {0.17, 0.18, 0.17, 0.19, 0.16}} {
		mean, std := meanStd(values)
		t := complete[i]
		r.Configs = append(r.Configs, noise.Config{Number: t.Number, StudyValue: t.Value, Params: t.Params, Values: values, Mean: mean, Std: std})
	}
	return r
}

func meanStd(v []float64) (mean, std float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v)-1))
}

// The crafted study's report: every file, and report.txt's sections with
// the numbers the crafted trials imply, computed here from the trials
// themselves; then the whole text against testdata/crafted-report.txt
// (STUDYREPORT_UPDATE=1 rewrites it), which pins the layout.
func TestWriteCrafted(t *testing.T) {
	trials := crafted()
	dir := filepath.Join(t.TempDir(), "report")
	r := craftedNoise(trials)
	files, err := studyreport.Write(ctx, dir, studyreport.Input{Trials: trials, Directions: minimize, Name: "crafted", Noise: r})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]string{"trials.csv", "trials.json"}, chartFiles("history", "importances", "parallel", "intermediate")...), "report.txt")
	if got := names(files); !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	for _, f := range files {
		if filepath.Dir(f) != dir {
			t.Errorf("%s is not in %s", f, dir)
		}
		if ext := filepath.Ext(f); ext == ".png" || ext == ".svg" {
			checkImage(t, f)
		}
	}
	csv, err := os.ReadFile(filepath.Join(dir, "trials.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(string(csv), "\n"); rows != 41 {
		t.Errorf("trials.csv has %d lines, want a header and 40 rows", rows)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	txt := string(b)

	// What the crafted trials imply.
	states := map[tuner.TrialState]int{}
	codes := map[string][]int{}
	best := -1
	for i, tr := range trials {
		states[tr.State]++
		if c := tr.Attrs[critic.AttrDiagnosis]; c != "" {
			codes[c] = append(codes[c], tr.Number)
		}
		if tr.State == tuner.Complete && (best < 0 || tr.Value < trials[best].Value) {
			best = i
		}
	}
	list := func(ns []int) string {
		s := make([]string, len(ns))
		for i, n := range ns {
			s[i] = strconv.Itoa(n)
		}
		return strings.Join(s, ", ")
	}
	diagnosed := len(codes["diverging"]) + len(codes["exploding"])
	findings, err := critic.Review(trials, minimize, critic.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) == 0 || findings[0].Kind != critic.BadRegion || findings[0].Param != "lr" || findings[0].Measures["bad"] != float64(diagnosed) || findings[0].Measures["high_threshold"] != 0.05 {
		t.Fatalf("the critic's first finding is %+v, want the %d diverged trials with lr > 0.05", findings, diagnosed)
	}
	imp, err := importance.Evaluate(trials, importance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	says := []string{
		"name:       crafted\ndirections: minimize\n",
		fmt.Sprintf("trials:     40: %d complete, %d pruned, 2 failed, 1 running\n", states[tuner.Complete], states[tuner.Pruned]),
		"failed:     1 nan, 1 timeout\n",
		fmt.Sprintf("best of the %d Complete trials:\n  trial %d: value %s\n    activation=%q lr=%s units=%d\n", states[tuner.Complete],
			trials[best].Number, strconv.FormatFloat(trials[best].Value, 'g', 6, 64), trials[best].Params["activation"],
			strconv.FormatFloat(trials[best].Params["lr"].(float64), 'g', 6, 64), trials[best].Params["units"]),
		findings[0].String(),
		"lr > 0.05",
		r.String(),
		fmt.Sprintf("noise σ = %s (the pooled spread", strconv.FormatFloat(r.Noise(), 'g', 6, 64)),
		fmt.Sprintf("pruned by diagnosis: %d trials\n", diagnosed),
		fmt.Sprintf("  diverging: %d trials: %s\n", len(codes["diverging"]), list(codes["diverging"])),
		fmt.Sprintf("  exploding: %d trials: %s\n", len(codes["exploding"]), list(codes["exploding"])),
		fmt.Sprintf("    trial %d: batch loss at step %d (trial %d)", codes["exploding"][2], 10+codes["exploding"][2], codes["exploding"][2]),
		"failed: 2 trials\n  nan: 1 trial: 3\n    trial 3: objective returned NaN\n",
		"  timeout: 1 trial: 9\n    trial 9: timeout: ran past Config.TrialTimeout = 2s (the objective returned after 2.013s)\n",
		"pruned by the pruner, without a diagnosis: 1 trial\n",
		fmt.Sprintf("  lr          %.3f\n  units       %.3f\n  activation  %.3f\n", imp["lr"], imp["units"], imp["activation"]),
		"history.png, history.svg: ", "importances.png, importances.svg: ", "parallel.png, parallel.svg: ", "intermediate.png, intermediate.svg: ",
	}
	for _, s := range says {
		if !strings.Contains(txt, s) {
			t.Errorf("report.txt does not say %q:\n%s", s, txt)
		}
	}
	// The trials after the third of each code are counted, not quoted.
	if d := codes["diverging"][3]; strings.Contains(txt, fmt.Sprintf("(trial %d)", d)) {
		t.Errorf("report.txt quotes the reason of trial %d, the fourth diverging one:\n%s", d, txt)
	}
	sections := []string{"Study", "Search-space critic", "Noise analysis", "Doctor's causes", "Importances", "Charts"}
	at := -1
	for _, s := range sections {
		i := strings.Index(txt, "\n"+s+"\n"+strings.Repeat("=", len(s))+"\n")
		if i <= at {
			t.Errorf("section %q missing or out of order (at %d, after %d)", s, i, at)
		}
		at = i
	}
	golden(t, "crafted-report.txt", txt)
}

// golden compares got with testdata/name, or rewrites the file when
// STUDYREPORT_UPDATE is set.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("STUDYREPORT_UPDATE") != "" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("report.txt differs from %s (STUDYREPORT_UPDATE=1 rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// The same trials give the same report.txt, whatever their order.
func TestWriteDeterministic(t *testing.T) {
	trials := crafted()
	read := func(trials []tuner.FrozenTrial) string {
		dir := t.TempDir()
		if _, err := studyreport.Write(ctx, dir, studyreport.Input{Trials: trials, Directions: minimize}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "report.txt"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first := read(trials)
	reversed := slices.Clone(trials)
	slices.Reverse(reversed)
	if again := read(reversed); again != first {
		t.Errorf("report.txt changed with the trials' order:\n%s\n---\n%s", first, again)
	}
	if !strings.Contains(first, "name:       (unnamed)\n") {
		t.Errorf("report.txt of a study without a name:\n%s", first)
	}
}

// A study whose trials ended before any completed: every chart that needs
// a Complete trial is skipped with its reason, never an error; an empty
// study skips the intermediate values too.
func TestWriteNoComplete(t *testing.T) {
	var trials []tuner.FrozenTrial
	for _, tr := range crafted() {
		if tr.State == tuner.Failed || tr.State == tuner.Pruned {
			trials = append(trials, tr)
		}
	}
	for _, c := range []struct {
		name   string
		trials []tuner.FrozenTrial
		charts []string
		says   []string
	}{
		{"failed and pruned", trials, []string{"intermediate"}, []string{
			"best trial: none, no Complete trial\n",
			"history: skipped: no Complete trial with a finite value\n",
			"importances: skipped: 0 Complete trials with a finite value, fANOVA needs at least 2\n",
			"  none: 0 Complete trials with a finite value, fANOVA needs at least 2\n",
			"parallel: skipped: no Complete trial with a finite value\n",
			"intermediate.png, intermediate.svg: ",
			"no finding in 24 finished trials (critic.Review)",
		}},
		{"empty", nil, nil, []string{
			"trials:     0\n",
			"intermediate: skipped: no trial reported an intermediate value (Trial.Report)\n",
			"no trial was pruned by diagnosis, failed or diverged\n",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := studyreport.Write(ctx, dir, studyreport.Input{Trials: c.trials, Directions: minimize, Name: "early"})
			if err != nil {
				t.Fatal(err)
			}
			want := append(append([]string{"trials.csv", "trials.json"}, chartFiles(c.charts...)...), "report.txt")
			if got := names(files); !slices.Equal(got, want) {
				t.Errorf("files %q, want %q", got, want)
			}
			b, err := os.ReadFile(filepath.Join(dir, "report.txt"))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range c.says {
				if !strings.Contains(string(b), s) {
					t.Errorf("report.txt does not say %q:\n%s", s, b)
				}
			}
		})
	}
}

// A study of two objectives gets the Pareto front instead of the history,
// and importances and parallel coordinates per objective; its best trials
// are the feasible front, found here by brute force.
func TestWriteMultiObjective(t *testing.T) {
	dirs := []tuner.Direction{tuner.Minimize, tuner.Maximize}
	var trials []tuner.FrozenTrial
	for _, tr := range crafted() {
		if tr.State == tuner.Complete {
			lr, units := tr.Params["lr"].(float64), tr.Params["units"].(int)
			// error falls with the rate's loss; throughput rises with the rate, falls with the width.
			tr.Values = []float64{tr.Value, 100*lr - float64(units)/10}
			tr.IntermediateVectors = map[int][]float64{0: {tr.Value + 1, 0}}
		}
		if tr.Number == 12 { // a trial that would lead in throughput, but breaks a constraint
			tr.State, tr.Value, tr.Values, tr.Constraints = tuner.Complete, 0.5, []float64{0.5, 1e3}, []float64{2}
			delete(tr.Attrs, critic.AttrDiagnosis)
		}
		trials = append(trials, tr)
	}
	var front []int
	for _, a := range trials {
		if a.State != tuner.Complete || !pareto.Feasible(a.Constraints) {
			continue
		}
		if !slices.ContainsFunc(trials, func(b tuner.FrozenTrial) bool {
			return b.State == tuner.Complete && pareto.Feasible(b.Constraints) && pareto.Dominates(b.Values, a.Values, dirs)
		}) {
			front = append(front, a.Number)
		}
	}
	if len(front) < 2 || slices.Contains(front, 12) {
		t.Fatalf("crafted front %v: want 2 or more trials, not 12", front)
	}
	dir := t.TempDir()
	files, err := studyreport.Write(ctx, dir, studyreport.Input{Trials: trials, Directions: dirs, Name: "two", Objectives: []string{"error", "throughput"}})
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]string{"trials.csv", "trials.json"},
		chartFiles("pareto", "importances_0", "importances_1", "parallel_0", "parallel_1", "intermediate")...), "report.txt")
	if got := names(files); !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	for _, f := range files {
		if ext := filepath.Ext(f); ext == ".png" || ext == ".svg" {
			checkImage(t, f)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	txt := string(b)
	says := []string{
		"directions: error: minimize, throughput: maximize\n",
		fmt.Sprintf("Pareto front: %d of the 15 feasible Complete trials (1 of the 16 violates a constraint):\n", len(front)),
		"none: noise.Reevaluate compares one objective, the study has 2\n",
		"error (minimize):\n    lr ", "throughput (maximize):\n    ",
		"pareto.png, pareto.svg: the Pareto front",
		"parallel_1.png, parallel_1.svg: parallel coordinates: each Complete trial across the parameters, for throughput (maximize)\n",
	}
	for _, n := range front {
		var tr tuner.FrozenTrial
		for _, x := range trials {
			if x.Number == n {
				tr = x
			}
		}
		says = append(says, fmt.Sprintf("  trial %d: error %s, throughput %s\n", n,
			strconv.FormatFloat(tr.Values[0], 'g', 6, 64), strconv.FormatFloat(tr.Values[1], 'g', 6, 64)))
	}
	for _, s := range says {
		if !strings.Contains(txt, s) {
			t.Errorf("report.txt does not say %q:\n%s", s, txt)
		}
	}
	if strings.Contains(txt, "trial 12:") {
		t.Errorf("report.txt lists the infeasible trial 12 on the front:\n%s", txt)
	}
}

// A real study, read through Input.Study, with pruning by diagnosis, a
// NaN, a real timeout and a real re-evaluation.
func TestWriteStudy(t *testing.T) {
	const timeoutTrial, nanTrial = 4, 6
	study, err := tuner.Open(ctx, tuner.Config{Name: "real", Sampler: tuner.RandomSampler{}, Seed: 3, Parallelism: 1,
		TrialTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	loss := func(params map[string]any, seed int64) float64 {
		lr := params["lr"].(float64)
		return math.Pow(math.Log10(lr/3e-3), 2)/2 + 0.01*math.Sin(float64(seed)+1e3*lr)
	}
	err = study.Optimize(ctx, func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		lr := tr.Float("lr", 1e-4, 0.1)
		if err := tr.Err(); err != nil {
			return 0, err
		}
		switch {
		case tr.Number() == timeoutTrial:
			<-ctx.Done()
			return 0, ctx.Err()
		case tr.Number() == nanTrial:
			return math.NaN(), nil
		case lr > 0.05: // as tunertrainer.PruneOnDiagnosis records it
			if err := tr.Report(0, 9.5); err != nil {
				return 0, err
			}
			if err := errors.Join(tr.SetAttr(tunertrainer.AttrDiagnosis, string(tunertrainer.Diverging)),
				tr.SetAttr(tunertrainer.AttrDiagnosisReason, fmt.Sprintf("lr %.3g", lr))); err != nil {
				return 0, err
			}
			return 0, tuner.ErrPruned
		}
		v := loss(map[string]any{"lr": lr}, 0)
		return v, tr.Report(0, v)
	}, tuner.Budget{Trials: 20})
	if err != nil {
		t.Fatal(err)
	}
	r, err := noise.Reevaluate(ctx, study, func(_ context.Context, params map[string]any, seed int64) (float64, error) {
		return loss(params, seed), nil
	}, noise.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := studyreport.Write(ctx, dir, studyreport.Input{Study: study, Noise: &r}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	txt := string(b)
	trials, err := study.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var diverged []string
	for _, tr := range trials {
		if tr.Attrs[tunertrainer.AttrDiagnosis] != "" {
			diverged = append(diverged, strconv.Itoa(tr.Number))
		}
	}
	if len(diverged) == 0 {
		t.Fatal("no trial diverged: the test lost its point")
	}
	best, err := study.Best(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"name:       real\n",
		fmt.Sprintf("  trial %d: value %s\n", best.Number, strconv.FormatFloat(best.Value, 'g', 6, 64)),
		fmt.Sprintf("  diverging: %d trial", len(diverged)),
		strings.Join(diverged, ", ") + "\n",
		fmt.Sprintf("  nan: 1 trial: %d\n", nanTrial),
		fmt.Sprintf("  timeout: 1 trial: %d\n    trial %d: timeout: ran past Config.TrialTimeout = 100ms", timeoutTrial, timeoutTrial),
		r.String(),
	} {
		if !strings.Contains(txt, s) {
			t.Errorf("report.txt does not say %q:\n%s", s, txt)
		}
	}
}

// Bad input is refused with an error wrapping ErrInput (and the cause's
// sentinel), before anything is written.
func TestWriteBadInput(t *testing.T) {
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "taken")
	if err := os.WriteFile(file, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	nanParam := crafted()
	nanParam[0].Params["lr"] = math.NaN()
	noValues := crafted()
	other := craftedNoise(crafted())
	other.Direction = tuner.Maximize
	ok := studyreport.Input{Trials: crafted(), Directions: minimize}
	with := func(f func(*studyreport.Input)) studyreport.Input {
		in := ok
		f(&in)
		return in
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		dir  string
		in   studyreport.Input
		also error
		says string
	}{
		{"nil context", nil, "r", ok, nil, "nil context"},
		{"empty directory", ctx, "", ok, nil, "empty directory name"},
		{"no study", ctx, "r", studyreport.Input{}, nil, "no study"},
		{"trials without directions", ctx, "r", studyreport.Input{Trials: crafted()}, nil, "no study"},
		{"a file for the directory", ctx, file, ok, nil, "is a file, want a directory"},
		{"study and trials", ctx, "r", studyreport.Input{Study: study, Trials: crafted()}, nil, "Study with Trials"},
		{"a study not made by Open", ctx, "r", studyreport.Input{Study: &tuner.Study{}}, tuner.ErrConfig, "Study.Trials"},
		{"auto direction", ctx, "r", studyreport.Input{Directions: []tuner.Direction{goal.Auto}}, nil, "direction 0 is auto"},
		{"names of another number", ctx, "r", with(func(in *studyreport.Input) { in.Objectives = []string{"a", "b"} }), nil, "2 Objectives for 1 directions"},
		{"noise of another direction", ctx, "r", with(func(in *studyreport.Input) { in.Noise = other }), nil, "re-evaluation to maximize"},
		{"zero noise report", ctx, "r", with(func(in *studyreport.Input) { in.Noise = &noise.Report{} }), nil, "re-evaluation to auto"},
		{"bad critic options", ctx, "r", with(func(in *studyreport.Input) { in.Critic.TopFraction = 2 }), tuner.ErrConfig, "TopFraction = 2"},
		{"bad importance options", ctx, "r", with(func(in *studyreport.Input) { in.Importance.Trees = -1 }), nil, "Importance.Trees = -1"},
		{"an unknown importance parameter", ctx, "r", with(func(in *studyreport.Input) { in.Importance.Params = []string{"nope"} }), tuner.ErrConfig, "nope"},
		{"values that do not fit the directions", ctx, "r", studyreport.Input{Trials: noValues, Directions: []tuner.Direction{tuner.Minimize, tuner.Minimize}}, tuner.ErrConfig, "critic.Review"},
		{"a NaN parameter", ctx, "r", studyreport.Input{Trials: nanParam, Directions: minimize}, tuner.ErrConfig, "trials.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := c.dir
			if dir == "r" {
				dir = filepath.Join(t.TempDir(), "r")
			}
			files, err := studyreport.Write(c.ctx, dir, c.in)
			if !errors.Is(err, studyreport.ErrInput) && !(c.also != nil && errors.Is(err, c.also)) {
				t.Fatalf("err = %v, want one wrapping studyreport.ErrInput", err)
			}
			if c.also != nil && !errors.Is(err, c.also) {
				t.Errorf("err = %v, want one wrapping %v too", err, c.also)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("err = %v, want it to say %q", err, c.says)
			}
			if c.name == "a NaN parameter" {
				if got := names(files); !slices.Equal(got, []string{"trials.csv"}) {
					t.Errorf("files %q, want the CSV written before the JSON failed", got)
				}
				return
			}
			if files != nil {
				t.Errorf("files %q written", files)
			}
			if c.dir == "r" {
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s created (%v)", dir, err)
				}
			}
		})
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "mine" {
		t.Errorf("the file in the directory's place now holds %q (%v)", b, err)
	}
}
