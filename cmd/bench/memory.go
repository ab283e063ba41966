package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gradtune/gradtune/internal/longrun"
)

// memoryRuns sizes the memory job.
type memoryRuns struct {
	steps, trials int // 0 skips that run
	points        int // samples per run
}

// benchMemory prints the curves of a long run of training steps and of a
// long study of build–fit–close trials (internal/longrun): the live heap,
// the resident set and the goroutines every steps/points steps and every
// trials/points trials, then each run's growth past the warm-up against
// the bounds the tests hold (longrun.Flat) for 5,000 steps and 100 trials.
func benchMemory(w io.Writer, runs memoryRuns) error {
	if runs.points < 2 || runs.steps < 0 || runs.trials < 0 {
		return fmt.Errorf("-mem-steps %d, -mem-trials %d, -mem-points %d: want ≥ 0, ≥ 0, ≥ 2", runs.steps, runs.trials, runs.points)
	}
	ctx := context.Background()
	if runs.steps > 0 {
		r, err := longrun.Steps(ctx, longrun.StepsConfig{Steps: runs.steps, Every: max(1, runs.steps/runs.points)})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "memory, %d steps of one Fit (4-32-16-3 MLP, batch %d, validated every %d steps):\n", r.End.At, longrun.Batch, longrun.StepsPerEpoch)
		printCurve(w, r)
	}
	if runs.trials > 0 {
		r, err := longrun.Trials(ctx, longrun.TrialsConfig{Trials: runs.trials, Every: max(1, runs.trials/runs.points)})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "memory, a study of %d build–fit–close trials (TPE, median pruner, 2 at a time):\n", runs.trials)
		printCurve(w, r)
	}
	return nil
}

func printCurve(w io.Writer, r *longrun.Run) {
	const mib = 1 << 20
	fmt.Fprintf(w, "%8s %14s %10s %11s\n", r.What, "live heap MiB", "RSS MiB", "goroutines")
	for _, p := range r.Points {
		fmt.Fprintf(w, "%8d %14.3f %10.2f %11d\n", p.At, float64(p.Heap)/mib, float64(p.RSS)/mib, p.Goroutines)
	}
	h, s := longrun.Trend(r.Points, longrun.HeapOf), longrun.Trend(r.Points, longrun.RSSOf)
	fmt.Fprintf(w, "past the warm-up (%s %d to %d): live heap %+.3f MiB (%.1f B per %s), RSS %+.2f MiB; the results keep %.3f MiB of heap, %.2f MiB resident\n",
		r.What, h.From, h.To, h.Total/mib, h.Slope, r.What, s.Total/mib, float64(r.Kept())/mib, float64(r.KeptRSS())/mib)
	fmt.Fprintf(w, "before %.3f MiB live, %.2f MiB RSS, %d goroutines; all dropped %.3f MiB live, %.2f MiB RSS, %d goroutines\n",
		float64(r.Before.Heap)/mib, float64(r.Before.RSS)/mib, r.Before.Goroutines, float64(r.After.Heap)/mib, float64(r.After.RSS)/mib, r.After.Goroutines)
	if err := r.Check(longrun.Flat); err != nil {
		fmt.Fprintf(w, "beyond the tests' bounds: %v\n\n", err)
	} else {
		fmt.Fprintf(w, "within the tests' bounds (heap %d KiB, RSS %d MiB beyond what the results keep)\n\n", longrun.Flat.Heap>>10, longrun.Flat.RSS>>20)
	}
}
