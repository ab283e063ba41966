package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gradtune/gradtune/internal/iristune"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/noise"
)

// noiseRepeats is how many other seeds re-run each of the top
// configurations: 5, the fewest with which the signed-rank test can reach
// p < 0.05.
const noiseRepeats = 5

// reevaluate re-runs the study's top 3 configurations with noiseRepeats
// seeds other than the study's (each its own folds, initializations and
// shuffling) and returns the noise analysis. ok is false, with the reason
// printed, when it cannot run (fewer than two complete trials, time up).
func reevaluate(ctx context.Context, w io.Writer, study *tuner.Study, iris *iristune.Problem) (r noise.Report, ok bool, err error) {
	var seeds []int64
	for i := range noiseRepeats {
		seeds = append(seeds, int64(iris.Seed)+int64(i)+1)
	}
	r, err = noise.ReevaluateObjective(ctx, study, func(seed int64) tuner.Objective {
		q, err := iris.Reseeded(uint64(seed))
		if err != nil {
			return func(context.Context, *tuner.Trial) (float64, error) { return 0, err }
		}
		q.PruneOnDiagnosis = false // a re-run that diverges scores what it scores
		return q.Objective()
	}, noise.Options{Seeds: seeds})
	switch {
	case errors.Is(err, noise.ErrTooFewTrials), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		fmt.Fprintf(w, "tune: noise: not measured: %v\n", err)
		return r, false, nil
	case err != nil:
		return r, false, err
	}
	return r, true, nil
}

// printNoise prints the re-evaluation in two lines: each configuration's
// mean ± std over the seeds, then whether the best beat the runner-up by
// more than the seeds' noise.
func printNoise(w io.Writer, r noise.Report) {
	var cs []string
	for _, c := range r.Configs {
		cs = append(cs, fmt.Sprintf("trial %d %.4f±%.4f (study %.4f)", c.Number, c.Mean, c.Std, c.StudyValue))
	}
	fmt.Fprintf(w, "tune: noise: top %d re-run with %d other seeds (folds, initializations) %v: %s; σ of one CV run %.4f\n",
		len(r.Configs), len(r.Seeds), r.Seeds, strings.Join(cs, ", "), r.Noise())
	best, runner := r.Configs[0].Number, r.Configs[1].Number
	if r.Distinguishable {
		fmt.Fprintf(w, "tune: noise: verdict: trial %d beats trial %d by more than seed noise (Wilcoxon signed-rank p=%.3g < α=%g)\n", best, runner, r.P, r.Alpha)
		return
	}
	fmt.Fprintf(w, "tune: noise: verdict: trial %d is not distinguishable from trial %d (Wilcoxon signed-rank p=%.3g ≥ α=%g): the ranking between them is seed noise\n", best, runner, r.P, r.Alpha)
}
