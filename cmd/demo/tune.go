package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/gradtune/gradtune/internal/iristune"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
	"github.com/gradtune/gradtune/tuner/prune"
	"github.com/gradtune/gradtune/tuner/studyreport"
)

type tuneOpts struct {
	trials  int    // total trials the study should hold
	seed    uint64 // data folds, sampler, initialization
	out     string // folder for the study database, table and plots; "" → in memory, nothing written
	workers int    // trials at once; 0 → number of CPUs
}

// runTune tunes an MLP on the Iris data set (150 flowers, 4 measurements,
// 3 species, from golearn's module) with stratified 5-fold cross-validation
// and prints the best parameters and their CV accuracy. The study lives in
// out/study.db: running again resumes it.
func runTune(ctx context.Context, w io.Writer, o tuneOpts) error {
	start := time.Now()
	iris, err := iristune.Load(o.seed)
	if err != nil {
		return err
	}
	iris.PruneOnDiagnosis = true // a run diverging or stuck at chance prunes its trial, cause recorded
	for _, warn := range iris.Warnings {
		fmt.Fprintln(w, "tune: warning:", warn)
	}
	storage, err := openStorage(o.out)
	if err != nil {
		return err
	}
	defer storage.Close()
	study, err := tuner.Open(ctx, tuner.Config{
		Name: "iris-mlp", Direction: tuner.Maximize, Storage: storage, Seed: o.seed, Parallelism: o.workers,
		Sampler: &tuner.TPESampler{}, // also the default; named here for the reader
		Pruner:  prune.Median{StartupTrials: 5, WarmupSteps: 1},
	})
	if err != nil {
		return err
	}
	err = study.Optimize(ctx, iris.Objective(), tuner.Budget{TotalTrials: o.trials})
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	took := time.Since(start)
	if err := summarize(ctx, w, study, took); err != nil {
		return err
	}
	r, measured, err := reevaluate(ctx, w, study, iris)
	if err != nil {
		return err
	}
	if measured {
		printNoise(w, r)
	}
	if o.out == "" {
		return nil
	}
	in := studyreport.Input{Study: study, Objectives: []string{"cv_accuracy"}}
	if measured {
		in.Noise = &r
	}
	files, err := studyreport.Write(ctx, o.out, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "tune: report=%s (%s); rerun to resume the study\n", o.out, baseNames(files))
	return nil
}

// summarize prints the best trial and the search-space critic's findings.
func summarize(ctx context.Context, w io.Writer, study *tuner.Study, took time.Duration) error {
	trials, err := study.Trials(ctx)
	if err != nil {
		return err
	}
	count := map[tuner.TrialState]int{}
	for _, t := range trials {
		count[t.State]++
	}
	best, err := study.Best(ctx)
	if err != nil {
		return err
	}
	var names []string
	for k := range best.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	var ps []string
	for _, k := range names {
		v := best.Params[k]
		if f, ok := v.(float64); ok {
			ps = append(ps, fmt.Sprintf("%s=%.4g", k, f))
		} else {
			ps = append(ps, fmt.Sprintf("%s=%v", k, v))
		}
	}
	fmt.Fprintf(w, "tune: best_cv_accuracy=%.4f±%s trial=%d trials=%d complete=%d pruned=%d failed=%d seconds=%.0f\n",
		best.Value, best.Attrs["cv_std"], best.Number, len(trials), count[tuner.Complete], count[tuner.Pruned], count[tuner.Failed], took.Seconds())
	fmt.Fprintf(w, "tune: best %s\n", strings.Join(ps, " "))
	return printCritic(w, trials, study.Directions())
}

// printCritic prints the search-space critic's findings on the study, one
// line each: what to change in the space before the next study.
func printCritic(w io.Writer, trials []tuner.FrozenTrial, dirs []tuner.Direction) error {
	findings, err := critic.Review(trials, dirs, critic.Options{})
	if err != nil {
		return err
	}
	if len(findings) == 0 {
		// The critic's tests miss real flaws in small studies (docs/tuning.md §9).
		finished := 0
		for _, t := range trials {
			if t.State.Finished() {
				finished++
			}
		}
		fmt.Fprintf(w, "tune: critic: no finding in %d trials: read it as \"not shown\", not as \"fine\"\n", finished)
	}
	for _, f := range findings {
		fmt.Fprintf(w, "tune: critic: [%s] %s: %s (%s)\n", f.Kind, f.Param, f.Fix, f.Evidence)
	}
	return nil
}
