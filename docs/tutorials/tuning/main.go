// Command tuning tunes an MLP on the 1984 US House votes (house-votes-84:
// 435 representatives, 16 recorded votes each, party as the class) with
// stratified 5-fold cross-validation, a persistent SQLite study that is
// interrupted and resumed, median pruning, and a comparison of the random
// and TPE samplers: the program behind docs/tuning.md.
//
//	go run ./docs/tutorials/tuning                # about 2.5 minutes on 2 cores; writes docs/img/tuning/*.png
//	go run ./docs/tutorials/tuning -db votes.db   # keep the study in votes.db: a rerun resumes it
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/importance"
	"github.com/gradtune/gradtune/tuner/prune"
	"github.com/gradtune/gradtune/tuner/sqlite"
	"github.com/gradtune/gradtune/tuner/tunerplot"
	"github.com/gradtune/gradtune/validation"
)

// votes is the data set with its cross-validation folds.
type votes struct {
	Full    *data.Dataset // X (435, 16): each vote as +1 or −1; Y (435, 1): 0 democrat, 1 republican
	Names   []string      // class names, by label
	Classes int
	Folds   []validation.Fold
}

// loadVotes reads house-votes-84.csv from golearn's module and splits it
// into k stratified folds. The split is seeded once: every trial must be
// scored on the same folds, or the pruner would compare running means over
// different rows.
func loadVotes(k int, seed uint64) (*votes, error) {
	path, err := datasets.GolearnFile("house-votes-84.csv")
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	full, names, err := data.LoadCSVClasses(f, data.CSVConfig{Header: true, Dtype: tensor.Float32})
	if err != nil {
		return nil, err
	}
	classes, err := validation.Classes(full) // from all rows, never from a fold
	if err != nil {
		return nil, err
	}
	labels, err := full.Labels()
	if err != nil {
		return nil, err
	}
	folds, _, err := validation.StratifiedKFold{K: k, Shuffle: true, Seed: seed}.Split(labels)
	if err != nil {
		return nil, err
	}
	return &votes{Full: full, Names: names, Classes: classes, Folds: folds}, nil
}

// hyper is one point of the search space.
type hyper struct {
	LR         float64
	Batch      int
	Epochs     int
	Optimizer  optimizers.Optimizer
	Hidden     []int // units per hidden layer
	Activation model.Activation
	Init       model.Initializer
	L2         float64
}

// suggest draws a configuration from the trial, define-by-run: the
// parameters of an optimizer exist only in the trials that chose it, and
// units_1, units_2 only in those with two or three hidden layers.
func suggest(t *tuner.Trial) (hyper, error) {
	h := hyper{
		LR:     t.Float("lr", 1e-4, 1e-1, tuner.Log()),
		Batch:  t.Categorical("batch_size", 16, 32, 64).(int),
		Epochs: t.Int("epochs", 5, 30, tuner.Step(5)),
	}
	switch t.String("optimizer", "adam", "sgd", "rmsprop") {
	case "adam":
		h.Optimizer = optimizers.Adam{Beta1: t.Float("adam_beta1", 0.8, 0.99)}
	case "sgd":
		m := t.Float("sgd_momentum", 0, 0.99)
		// Nesterov needs momentum: asked only when there is some.
		nesterov := m > 0 && t.Categorical("sgd_nesterov", false, true).(bool)
		h.Optimizer = optimizers.SGD{Momentum: m, Nesterov: nesterov}
	case "rmsprop":
		h.Optimizer = optimizers.RMSProp{Alpha: t.Float("rmsprop_alpha", 0.9, 0.999)}
	}
	h.Hidden = make([]int, t.Int("layers", 1, 3))
	for i := range h.Hidden {
		h.Hidden[i] = t.Int(fmt.Sprintf("units_%d", i), 4, 64, tuner.Log())
	}
	var err error
	if h.Activation, err = model.ActivationByName(t.String("activation", "relu", "tanh", "elu", "gelu")); err != nil {
		return h, err
	}
	if h.Init, err = model.InitializerByName(t.String("initializer", "he_normal", "xavier_uniform", "lecun_normal")); err != nil {
		return h, err
	}
	h.L2 = t.Float("l2", 1e-6, 1e-1, tuner.Log())
	return h, t.Err()
}

// fit trains h on one fold's training rows and returns its accuracy on the
// fold's validation rows. Model and shuffling seeds depend on the fold only,
// so the score is a function of the hyperparameters.
func fit(ctx context.Context, h hyper, classes, fold int, train, val *data.Dataset) (float64, error) {
	m, err := model.New(model.MLP{Hidden: h.Hidden, Out: classes, Activation: h.Activation, Init: h.Init},
		model.Config{Inputs: train.Features(), Seed: uint64(fold) + 1})
	if err != nil {
		return 0, err
	}
	tr, err := trainer.New(m, trainer.Config{
		Loss: losses.CrossEntropy{}, Optimizer: h.Optimizer, Schedule: schedulers.Constant{LR: h.LR},
		Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: h.L2}},
		Epochs:       h.Epochs, BatchSize: h.Batch, Seed: uint64(fold) + 1,
		Metrics: []metrics.Metric{metrics.Accuracy{}}, Quiet: true, MonitorEvery: -1,
	})
	if err != nil {
		return 0, err
	}
	defer tr.Close()
	if _, err := tr.Fit(ctx, train, nil); err != nil {
		return 0, err
	}
	_, ms, err := tr.Evaluate(ctx, val)
	return ms["accuracy"], err
}

// objective scores a configuration by its cross-validated accuracy,
// (1/K)·Σₖ accuracy on fold k's validation rows after training on the other
// K−1 folds (scikit-learn's cross_val_score). After fold k it reports the
// running mean of the k accuracies at step k, and stops the trial when the
// study's pruner says so.
func objective(v *votes) tuner.Objective {
	return func(ctx context.Context, t *tuner.Trial) (float64, error) {
		h, err := suggest(t)
		if err != nil {
			return 0, err
		}
		var accs []float64
		score, err := validation.CrossValidate(ctx, v.Full, v.Folds, func(ctx context.Context, fold int, train, val *data.Dataset) (float64, error) {
			acc, err := fit(ctx, h, v.Classes, fold, train, val)
			if err != nil {
				return 0, err
			}
			accs = append(accs, acc)
			if err := t.Report(len(accs), mean(accs)); err != nil {
				return 0, err
			}
			// After the last fold there is nothing left to save.
			if len(accs) < len(v.Folds) && t.ShouldPrune() {
				return 0, fmt.Errorf("mean accuracy %.4f after %d folds: %w", mean(accs), len(accs), tuner.ErrPruned)
			}
			return acc, nil
		}, validation.CVOptions{Standardize: true}) // scaler fit on each fold's training rows only
		if err != nil {
			return 0, err // wraps tuner.ErrPruned when pruned
		}
		if err := t.SetAttr("cv_std", fmt.Sprintf("%.4f", score.Std)); err != nil {
			return 0, err
		}
		return score.Mean, nil
	}
}

// studyConfig is the study every run opens: same name, direction and pruner.
func studyConfig(storage tuner.Storage, sampler tuner.Sampler, seed uint64, parallel int) tuner.Config {
	return tuner.Config{
		Name: "house-votes-mlp", Direction: tuner.Maximize,
		Storage: storage, Sampler: sampler, Seed: seed, Parallelism: parallel,
		// No pruning before 5 trials have completed, nor before 2 folds.
		Pruner: prune.Median{StartupTrials: 5, WarmupSteps: 2},
	}
}

// session is one run of a tuning job: it opens the study kept in the SQLite
// file db (creating it the first time), runs trials until the study holds
// total of them or ctx ends, and closes the file. Running it again resumes
// the study where the last run stopped.
func session(ctx context.Context, db string, obj tuner.Objective, total int) (before, after []tuner.FrozenTrial, err error) {
	storage, err := sqlite.Open(db)
	if err != nil {
		return nil, nil, err
	}
	defer storage.Close()
	study, err := tuner.Open(ctx, studyConfig(storage, tuner.TPESampler{}, 1, 2))
	if err != nil {
		return nil, nil, err
	}
	if before, err = study.Trials(ctx); err != nil {
		return nil, nil, err
	}
	err = study.Optimize(ctx, obj, tuner.Budget{TotalTrials: total})
	// Read what the study holds even when ctx ended the run.
	after, rerr := study.Trials(context.WithoutCancel(ctx))
	if rerr != nil {
		return nil, nil, rerr
	}
	return before, after, err
}

// interrupted reports whether err only says that the run was stopped.
func interrupted(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// census counts trials by state: "N trials: a complete, b pruned, c failed",
// saying how many of the failed ones a TotalTrials budget does not count
// (interrupted by a cancelled context, or stale).
func census(trials []tuner.FrozenTrial) string {
	n := map[tuner.TrialState]int{}
	uncounted := 0
	for _, t := range trials {
		n[t.State]++
		if t.State == tuner.Failed && !t.Counted() {
			uncounted++
		}
	}
	s := fmt.Sprintf("%d trials: %d complete, %d pruned, %d failed", len(trials), n[tuner.Complete], n[tuner.Pruned], n[tuner.Failed])
	switch {
	case uncounted > 0 && uncounted == n[tuner.Failed]:
		s += " (not counted)"
	case uncounted > 0:
		s += fmt.Sprintf(" (%d not counted)", uncounted)
	}
	if n[tuner.Running] > 0 {
		s += fmt.Sprintf(", %d running", n[tuner.Running])
	}
	return s
}

// foldsTrained counts the folds trained by the complete and pruned trials
// (one reported step per fold), and the folds they would have trained
// without pruning.
func foldsTrained(trials []tuner.FrozenTrial, k int) (trained, full int) {
	for _, t := range trials {
		if t.State == tuner.Complete || t.State == tuner.Pruned {
			trained += len(t.Intermediate)
			full += k
		}
	}
	return trained, full
}

// describe prints a trial's parameters sorted by name, floats to 4 digits.
func describe(t tuner.FrozenTrial) string {
	var names []string
	for k := range t.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	var ps []string
	for _, k := range names {
		if f, ok := t.Params[k].(float64); ok {
			ps = append(ps, fmt.Sprintf("%s=%.4g", k, f))
		} else {
			ps = append(ps, fmt.Sprintf("%s=%v", k, t.Params[k]))
		}
	}
	return strings.Join(ps, " ")
}

// best returns the best Complete trial of trials (maximizing), ok false if none.
func best(trials []tuner.FrozenTrial) (tuner.FrozenTrial, bool) {
	var b tuner.FrozenTrial
	ok := false
	for _, t := range trials {
		if t.State == tuner.Complete && (!ok || t.Value > b.Value) {
			b, ok = t, true
		}
	}
	return b, ok
}

// worst returns the worst Complete trial of trials (maximizing), ok false if none.
func worst(trials []tuner.FrozenTrial) (tuner.FrozenTrial, bool) {
	var w tuner.FrozenTrial
	ok := false
	for _, t := range trials {
		if t.State == tuner.Complete && (!ok || t.Value < w.Value) {
			w, ok = t, true
		}
	}
	return w, ok
}

// csvExcerpt writes trials as a CSV table (tuner.WriteTrialsCSV) to path
// and returns its first rows, keeping only the named columns.
func csvExcerpt(path string, trials []tuner.FrozenTrial, rows int, columns ...string) (string, error) {
	var buf bytes.Buffer
	if err := tuner.WriteTrialsCSV(&buf, trials); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", err
	}
	table, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		return "", err
	}
	index := map[string]int{}
	for i, name := range table[0] {
		index[name] = i
	}
	var out strings.Builder
	w := csv.NewWriter(&out)
	for r := 0; r < len(table) && r <= rows; r++ {
		var cells []string
		for _, c := range columns {
			if i, ok := index[c]; ok {
				cells = append(cells, table[r][i])
			} else {
				cells = append(cells, "")
			}
		}
		if err := w.Write(cells); err != nil {
			return "", err
		}
	}
	w.Flush()
	return out.String(), w.Error()
}

// ranked returns the parameter names by decreasing importance.
func ranked(imp map[string]float64) []string {
	var names []string
	for k := range imp {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if imp[names[i]] != imp[names[j]] {
			return imp[names[i]] > imp[names[j]]
		}
		return names[i] < names[j]
	})
	return names
}

// choices counts the values of categorical parameter name in trials, as
// "adam 2, rmsprop 2, sgd 6", values sorted.
func choices(trials []tuner.FrozenTrial, name string) string {
	n := map[string]int{}
	for _, t := range trials {
		if v, ok := t.Params[name]; ok {
			n[fmt.Sprint(v)]++
		}
	}
	var vs []string
	for v := range n {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s %d", v, n[v]))
	}
	return strings.Join(out, ", ")
}

// only returns copies of trials that keep just the named parameters, so
// that the parallel-coordinates plot has a readable handful of axes.
func only(trials []tuner.FrozenTrial, names []string) []tuner.FrozenTrial {
	out := make([]tuner.FrozenTrial, len(trials))
	for i, t := range trials {
		c := t
		c.Params, c.Internal, c.Distributions = map[string]any{}, map[string]float64{}, map[string]tuner.Distribution{}
		for _, k := range names {
			if _, ok := t.Params[k]; ok {
				c.Params[k], c.Internal[k], c.Distributions[k] = t.Params[k], t.Internal[k], t.Distributions[k]
			}
		}
		out[i] = c
	}
	return out
}

// above returns the trials that are Complete with a value of at least v.
func above(trials []tuner.FrozenTrial, v float64) []tuner.FrozenTrial {
	var out []tuner.FrozenTrial
	for _, t := range trials {
		if t.State == tuner.Complete && t.Value >= v {
			out = append(out, t)
		}
	}
	return out
}

// plots writes the study's four charts into dir and returns the parameter
// importances. The parallel coordinates show the top most important
// parameters of the trials scoring at least floor: a few models that never
// learned would otherwise squeeze all the others into the top of the
// objective's axis.
func plots(dir string, trials []tuner.FrozenTrial, top int, floor float64) (map[string]float64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	imp, err := importance.Evaluate(trials, importance.Options{})
	if err != nil {
		return nil, err
	}
	names := ranked(imp)
	if len(names) > top {
		names = names[:top]
	}
	for _, draw := range []func() error{
		func() error {
			return tunerplot.OptimizationHistory(filepath.Join(dir, "history.png"), trials, tuner.Maximize)
		},
		func() error {
			return tunerplot.ParallelCoordinates(filepath.Join(dir, "parallel.png"), only(above(trials, floor), names), tuner.Maximize)
		},
		func() error { return tunerplot.Importances(filepath.Join(dir, "importances.png"), imp) },
		func() error { return tunerplot.IntermediateValues(filepath.Join(dir, "intermediate.png"), trials) },
	} {
		if err := draw(); err != nil {
			return nil, err
		}
	}
	return imp, nil
}

// rerunPruned trains every pruned trial's configuration on all folds, in a
// study of its own without a pruner: Enqueue fixes a trial's parameters, so
// the objective's suggestions return them. The reruns come back in the
// order of pruned.
func rerunPruned(ctx context.Context, obj tuner.Objective, pruned []tuner.FrozenTrial) ([]tuner.FrozenTrial, error) {
	study, err := tuner.Open(ctx, tuner.Config{Direction: tuner.Maximize, Parallelism: 2})
	if err != nil || len(pruned) == 0 {
		return nil, err
	}
	for _, t := range pruned {
		if err := study.Enqueue(ctx, t.Params, t.Distributions); err != nil {
			return nil, err
		}
	}
	if err := study.Optimize(ctx, obj, tuner.Budget{Trials: len(pruned)}); err != nil {
		return nil, err
	}
	reruns, err := study.Trials(ctx) // numbered in the order enqueued
	if err != nil {
		return nil, err
	}
	for i, t := range reruns {
		if !reflect.DeepEqual(t.Params, pruned[i].Params) {
			return nil, fmt.Errorf("rerun %d has parameters %v, want %v", i, t.Params, pruned[i].Params)
		}
	}
	return reruns, nil
}

// leakage measures what a scaler fit on all rows would leak into each
// fold: the largest gap between the feature means (and the relative gap
// between the scales) fit on a fold's training rows and on all rows.
func leakage(v *votes) (dMean, dScale float64, err error) {
	all, err := validation.Fit(v.Full)
	if err != nil {
		return 0, 0, err
	}
	for _, fold := range v.Folds {
		train, err := v.Full.Subset(fold.Train)
		if err != nil {
			return 0, 0, err
		}
		s, err := validation.Fit(train)
		if err != nil {
			return 0, 0, err
		}
		for j := range s.Mean {
			dMean = math.Max(dMean, math.Abs(s.Mean[j]-all.Mean[j]))
			dScale = math.Max(dScale, math.Abs(s.Scale[j]/all.Scale[j]-1))
		}
	}
	return dMean, dScale, nil
}

// race is one sampler's in-memory study for one seed.
type race struct {
	Sampler string
	Seed    uint64
	Trials  []tuner.FrozenTrial
}

// bestAt returns the best Complete value among the first n trials, NaN if none.
func (r race) bestAt(n int) float64 {
	if b, ok := best(r.Trials[:min(n, len(r.Trials))]); ok {
		return b.Value
	}
	return math.NaN()
}

// compareSamplers runs, for each seed, one in-memory study with
// RandomSampler and one with TPESampler, n trials each and one trial at a
// time: TPE then always sees the same finished trials and each study
// is reproducible. The two studies of a seed run side by side.
func compareSamplers(ctx context.Context, obj tuner.Objective, seeds []uint64, n int) ([]race, error) {
	samplers := []struct {
		name string
		s    tuner.Sampler
	}{{"random", tuner.RandomSampler{}}, {"tpe", tuner.TPESampler{}}}
	var out []race
	for _, seed := range seeds {
		rs := make([]race, len(samplers))
		errs := make([]error, len(samplers))
		var wg sync.WaitGroup
		for i, s := range samplers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				study, err := tuner.Open(ctx, studyConfig(nil, s.s, seed, 1))
				if err == nil {
					err = study.Optimize(ctx, obj, tuner.Budget{Trials: n})
				}
				if err == nil {
					rs[i].Trials, err = study.Trials(ctx)
				}
				rs[i].Sampler, rs[i].Seed, errs[i] = s.name, seed, err
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// raceTable prints, per seed and sampler, the best CV accuracy after each
// checkpoint number of trials, the number of pruned trials, and the median
// over the seeds.
func raceTable(w io.Writer, races []race, checkpoints []int) {
	fmt.Fprint(w, "| sampler | seed |")
	for _, c := range checkpoints {
		fmt.Fprintf(w, " best of %d |", c)
	}
	fmt.Fprintln(w, " pruned |")
	fmt.Fprintln(w, "|---|---|"+strings.Repeat("---|", len(checkpoints)+1))
	bySampler := map[string][]race{}
	var order []string
	for _, r := range races {
		if _, ok := bySampler[r.Sampler]; !ok {
			order = append(order, r.Sampler)
		}
		bySampler[r.Sampler] = append(bySampler[r.Sampler], r)
	}
	for _, name := range order {
		for _, r := range bySampler[name] {
			fmt.Fprintf(w, "| %s | %d |", r.Sampler, r.Seed)
			for _, c := range checkpoints {
				fmt.Fprintf(w, " %.4f |", r.bestAt(c))
			}
			fmt.Fprintf(w, " %d |\n", count(r.Trials, tuner.Pruned))
		}
	}
	for _, name := range order {
		fmt.Fprintf(w, "| **%s, median** | |", name)
		for _, c := range checkpoints {
			var vs []float64
			for _, r := range bySampler[name] {
				vs = append(vs, r.bestAt(c))
			}
			fmt.Fprintf(w, " **%.4f** |", median(vs))
		}
		var ps []float64
		for _, r := range bySampler[name] {
			ps = append(ps, float64(count(r.Trials, tuner.Pruned)))
		}
		fmt.Fprintf(w, " %g |\n", median(ps))
	}
}

func count(trials []tuner.FrozenTrial, s tuner.TrialState) int {
	n := 0
	for _, t := range trials {
		if t.State == s {
			n++
		}
	}
	return n
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// options are the program's flags.
type options struct {
	DB         string        // the study's SQLite file; "" → a temporary one
	Trials     int           // trials the study should hold (Budget.TotalTrials)
	Interrupt  time.Duration // the first session's deadline
	Img        string        // folder for the plots
	Seeds      int           // seeds of the sampler comparison
	RaceTrials int           // trials per study of the comparison
}

// run is the whole tutorial: it prints what docs/tuning.md quotes.
func run(ctx context.Context, w io.Writer, o options) error {
	start := time.Now()
	v, err := loadVotes(5, 1)
	if err != nil {
		return err
	}
	if err := describeData(w, v); err != nil {
		return err
	}
	if o.DB == "" {
		tmp, err := os.MkdirTemp("", "tuning")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		o.DB = filepath.Join(tmp, "study.db")
	}
	obj := objective(v)
	trials, err := interruptAndResume(ctx, w, o, obj)
	if err != nil {
		return err
	}
	if err := auditPruning(ctx, w, obj, trials, len(v.Folds)); err != nil {
		return err
	}
	if err := results(w, o, trials); err != nil {
		return err
	}
	var seeds []uint64
	for s := 1; s <= o.Seeds; s++ {
		seeds = append(seeds, uint64(s))
	}
	races, err := compareSamplers(ctx, obj, seeds, o.RaceTrials)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "samplers, %d trials per study:\n", o.RaceTrials)
	var checkpoints []int
	for c := 10; c <= o.RaceTrials; c += 10 {
		checkpoints = append(checkpoints, c)
	}
	raceTable(w, races, checkpoints)
	fmt.Fprintf(w, "seconds: %.0f\n", time.Since(start).Seconds())
	return nil
}

// describeData prints the class counts and how far the scaling statistics
// of a fold's training rows are from those of all rows.
func describeData(w io.Writer, v *votes) error {
	labels, err := v.Full.Labels()
	if err != nil {
		return err
	}
	perClass := make([]int, v.Classes)
	for _, l := range labels {
		perClass[l]++
	}
	fmt.Fprintf(w, "data: %d rows, %d features; %s %d, %s %d\n", v.Full.Len(), v.Full.Features(), v.Names[0], perClass[0], v.Names[1], perClass[1])
	dMean, dScale, err := leakage(v)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "scaling: fit on a fold's training rows vs on all rows: means differ by up to %.4f, scales by up to %.2f%%\n", dMean, 100*dScale)
	return nil
}

// interruptAndResume runs the study twice, as two runs of one job: the first
// runs out of time (o.Interrupt), the second resumes it up to o.Trials. It
// returns the study's trials.
func interruptAndResume(ctx context.Context, w io.Writer, o options, obj tuner.Objective) ([]tuner.FrozenTrial, error) {
	ctx1, cancel := context.WithTimeout(ctx, o.Interrupt)
	before, after, err := session(ctx1, o.DB, obj, o.Trials)
	cancel()
	if err != nil && !interrupted(err) {
		return nil, err
	}
	fmt.Fprintf(w, "session 1: opened the study with %s\n", census(before))
	if err != nil {
		fmt.Fprintf(w, "session 1: stopped after %v (%v) with %s\n", o.Interrupt, err, census(after))
	} else {
		fmt.Fprintf(w, "session 1: budget reached with %s\n", census(after))
	}
	for _, t := range after[len(before):] {
		if t.State == tuner.Failed {
			fmt.Fprintf(w, "session 1: trial %d failed: %s\n", t.Number, t.FailReason)
		}
	}
	before, after, err = session(ctx, o.DB, obj, o.Trials)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "session 2: opened the study with %s\n", census(before))
	fmt.Fprintf(w, "session 2: ran %d trials, numbers %d to %d; the study holds %s\n",
		len(after)-len(before), len(before), len(after)-1, census(after))
	return after, nil
}

// auditPruning prints what pruning saved, and what it cost: the CV
// accuracy the pruned configurations reach when they train on every fold.
func auditPruning(ctx context.Context, w io.Writer, obj tuner.Objective, trials []tuner.FrozenTrial, k int) error {
	trained, full := foldsTrained(trials, k)
	fmt.Fprintf(w, "pruning: %d of %d trials pruned; %d folds trained instead of %d (%.0f%% fewer)\n",
		count(trials, tuner.Pruned), len(trials), trained, full, 100*(1-float64(trained)/float64(full)))
	var pruned []tuner.FrozenTrial
	var finals []float64
	for _, t := range trials {
		switch t.State {
		case tuner.Pruned:
			pruned = append(pruned, t)
		case tuner.Complete:
			finals = append(finals, t.Value)
		}
	}
	reruns, err := rerunPruned(ctx, obj, pruned)
	if err != nil {
		return err
	}
	var accs []float64
	for _, t := range reruns {
		if t.State == tuner.Complete {
			accs = append(accs, t.Value)
		}
	}
	if len(accs) == 0 || len(finals) == 0 {
		return nil
	}
	bar, top := median(finals), slices.Max(finals)
	beatBar, beatTop := 0, 0
	for _, a := range accs {
		if a >= bar {
			beatBar++
		}
		if a >= top {
			beatTop++
		}
	}
	fmt.Fprintf(w, "pruning: the %d pruned configurations rerun on all %d folds: median %.4f, best %.4f\n",
		len(accs), k, median(accs), slices.Max(accs))
	fmt.Fprintf(w, "pruning: %d of them reach the completed trials' median %.4f, %d their best %.4f\n", beatBar, bar, beatTop, top)
	return nil
}

// results prints the best trial, an excerpt of trials.csv (written next to
// the study's file) and the parameter importances, and draws the plots.
func results(w io.Writer, o options, trials []tuner.FrozenTrial) error {
	b, ok := best(trials)
	if !ok {
		return fmt.Errorf("no complete trial in %s", census(trials))
	}
	fmt.Fprintf(w, "best: trial %d, CV accuracy %.4f ± %s (std over the 5 folds)\n", b.Number, b.Value, b.Attrs["cv_std"])
	fmt.Fprintf(w, "best: %s\n", describe(b))
	if poor, ok := worst(trials); ok {
		fmt.Fprintf(w, "worst: trial %d, CV accuracy %.4f: %s\n", poor.Number, poor.Value, describe(poor))
	}
	// TPESampler draws its first 10 trials at random, then from the history.
	if startup := 10; len(trials) > startup {
		for _, name := range []string{"optimizer", "activation"} {
			fmt.Fprintf(w, "%s: trials 0-%d (random) %s; trials %d-%d (TPE) %s\n", name, startup-1, choices(trials[:startup], name),
				startup, len(trials)-1, choices(trials[startup:], name))
		}
	}
	excerpt, err := csvExcerpt(filepath.Join(filepath.Dir(o.DB), "trials.csv"), trials, 5,
		"number", "state", "value", "duration_seconds", "param_optimizer", "param_lr", "param_layers", "param_units_0", "attr_cv_std")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "trials.csv, first rows and some columns:\n%s", excerpt)
	imp, err := plots(o.Img, trials, 5, 0.9)
	if err != nil {
		return err
	}
	// The same importances without the models that never learned.
	good := above(trials, 0.9)
	impGood, err := importance.Evaluate(good, importance.Options{})
	if err != nil && !errors.Is(err, importance.ErrNotAssessable) { // too few trials: leave the column empty
		return err
	}
	fmt.Fprintf(w, "importances (fANOVA): %d complete trials | the %d scoring ≥ 0.9\n", count(trials, tuner.Complete), len(good))
	for _, k := range ranked(imp) {
		g := "-"
		if x, ok := impGood[k]; ok {
			g = fmt.Sprintf("%.3f", x)
		}
		fmt.Fprintf(w, "  %-12s %.3f | %s\n", k, imp[k], g)
	}
	fmt.Fprintf(w, "plots: %s/{history,parallel,importances,intermediate}.png\n", o.Img)
	return nil
}

func main() {
	db := flag.String("db", "", "SQLite file of the study; \"\" → a temporary file, removed at exit")
	total := flag.Int("trials", 60, "trials the study should hold")
	deadline := flag.Duration("interrupt", 10*time.Second, "the first session stops after this long")
	img := flag.String("img", "docs/img/tuning", "folder for the plots")
	seeds := flag.Int("seeds", 5, "seeds of the sampler comparison")
	raceTrials := flag.Int("race", 30, "trials per study of the sampler comparison")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, options{DB: *db, Trials: *total, Interrupt: *deadline, Img: *img, Seeds: *seeds, RaceTrials: *raceTrials}); err != nil {
		log.Fatal(err)
	}
}
