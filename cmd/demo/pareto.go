package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/prune"
	"github.com/gradtune/gradtune/tuner/tunerplot"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

type paretoOpts struct {
	trials  int           // trials to run
	seed    uint64        // data subset, sampler, initialization
	latency time.Duration // the constraint: latency per sample at most this
	workers int           // trials at once; 0 → number of CPUs
	dir     string        // folder with the MNIST idx files; "" → the GoMNIST module
	out     string        // folder for front.png and trials.csv; "" → nothing written
}

// The MNIST subset the pareto part trains on: small enough that a trial
// takes about a second.
const (
	paretoTrain  = 4000
	paretoVal    = 1000
	paretoEpochs = 4
)

// runPareto trades accuracy against size on real data: MLPs on an MNIST
// subset, a study of two objectives (validation accuracy, maximized; the
// number of parameters, minimized) with a constraint on the latency per
// sample that tunertrainer.RecordCost measures, pruned by successive
// halving on both objectives (PruneOnMulti). It prints the feasible Pareto
// front, a line per trial, and writes front.png and trials.csv to out.
func runPareto(ctx context.Context, w io.Writer, o paretoOpts) error {
	start := time.Now()
	train, val, err := paretoData(o.dir, o.seed)
	if err != nil {
		return err
	}
	study, err := tuner.Open(ctx, tuner.Config{
		Name:       "mnist-pareto",
		Directions: []tuner.Direction{tuner.Maximize, tuner.Minimize}, // val_accuracy, params
		Seed:       o.seed, Parallelism: o.workers,
		Pruner: &prune.SuccessiveHalving{MinResource: 2, ReductionFactor: 3},
	})
	if err != nil {
		return err
	}
	err = study.OptimizeMulti(ctx, paretoObjective(train, val, o), tuner.Budget{Trials: o.trials})
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		return err
	}
	front, err := study.BestTrials(ctx)
	if err != nil {
		return err
	}
	count := map[tuner.TrialState]int{}
	infeasible := 0
	for _, t := range trials {
		count[t.State]++
		if t.State == tuner.Complete && t.Constraints != nil && t.Constraints[0] > 0 {
			infeasible++
		}
	}
	if o.out != "" {
		if err := writeParetoFiles(o.out, trials, study.Directions()); err != nil {
			return err
		}
		fmt.Fprintf(w, "pareto: front.png and trials.csv in %s\n", o.out)
	}
	fmt.Fprintf(w, "pareto: front=%d trials=%d complete=%d pruned=%d failed=%d infeasible=%d (latency > %v) seconds=%.0f\n",
		len(front), len(trials), count[tuner.Complete], count[tuner.Pruned], count[tuner.Failed], infeasible, o.latency, time.Since(start).Seconds())
	// By size: accuracy rises along the front.
	sort.SliceStable(front, func(i, j int) bool { return front[i].Values[1] < front[j].Values[1] })
	for _, t := range front {
		fmt.Fprintf(w, "pareto: trial %2d accuracy=%.4f params=%6.0f latency=%v hidden=%v\n",
			t.Number, t.Values[0], t.Values[1], latencyOf(t), t.Attrs["hidden"])
	}
	return nil
}

// paretoData returns paretoTrain training and paretoVal validation images
// drawn from MNIST's training set by seed.
func paretoData(dir string, seed uint64) (train, val *data.Dataset, err error) {
	full, _, err := datasets.MNIST(data.MNISTConfig{Dir: dir, Dtype: tensor.Float32})
	if err != nil {
		return nil, nil, err
	}
	idx := make([]int, paretoTrain+paretoVal)
	for i := range idx {
		idx[i] = i
	}
	subset, err := full.Subset(idx)
	if err != nil {
		return nil, nil, err
	}
	return subset.Split(float64(paretoVal)/float64(len(idx)), seed)
}

// paretoObjective trains an MLP of one or two hidden layers and returns
// its validation accuracy and parameter count; its latency per sample on
// the validation images is recorded (RecordCost) and bounded by a
// constraint.
func paretoObjective(train, val *data.Dataset, o paretoOpts) tuner.MultiObjective {
	return func(ctx context.Context, t *tuner.Trial) ([]float64, error) {
		hidden := make([]int, t.Int("layers", 1, 2))
		for i := range hidden {
			hidden[i] = t.Int(fmt.Sprintf("units_%d", i), 4, 256, tuner.Log())
		}
		lr := t.Float("lr", 1e-3, 1e-2, tuner.Log())
		if err := t.Err(); err != nil {
			return nil, err
		}
		if err := t.SetAttr("hidden", fmt.Sprint(hidden)); err != nil {
			return nil, err
		}
		m, err := model.New(model.MLP{Hidden: hidden, Out: 10}, model.Config{Inputs: train.Features(), Seed: o.seed})
		if err != nil {
			return nil, err
		}
		var cost tunertrainer.Cost
		tr, err := trainer.New(m, trainer.Config{
			Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: lr},
			Epochs: paretoEpochs, BatchSize: 64, Seed: o.seed, Quiet: true, MonitorEvery: -1,
			Metrics: []metrics.Metric{metrics.Accuracy{}},
			Callbacks: []trainer.Callback{
				tunertrainer.PruneOnMulti(t, "val_accuracy", tunertrainer.MonitorParams),
				tunertrainer.RecordCost(t, val.X, tunertrainer.CostOptions{Repeats: 15}, &cost), // a median of 15: the machine may be busy
			},
		})
		if err != nil {
			return nil, err
		}
		defer tr.Close()
		h, err := tr.Fit(ctx, train, val)
		if err != nil {
			return nil, err
		}
		// ≤ 0 is feasible: the latency over the bound, in microseconds.
		if err := t.SetConstraints(float64(cost.LatencyPerSample-o.latency) / float64(time.Microsecond)); err != nil {
			return nil, err
		}
		last, _ := h.Last()
		return []float64{last.ValMetrics["accuracy"], float64(cost.Params)}, nil
	}
}

// latencyOf reads the latency RecordCost stored on t.
func latencyOf(t tuner.FrozenTrial) time.Duration {
	ns, err := strconv.ParseInt(t.Attrs[tunertrainer.AttrLatencyNs], 10, 64)
	if err != nil {
		return 0
	}
	return time.Duration(ns).Round(100 * time.Nanosecond)
}

// writeParetoFiles writes the trials table and the Pareto front's plot.
func writeParetoFiles(out string, trials []tuner.FrozenTrial, dirs []tuner.Direction) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(out, "trials.csv"))
	if err != nil {
		return err
	}
	if err := tuner.WriteTrialsCSV(f, trials); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return tunerplot.ParetoFront(filepath.Join(out, "front.png"), trials, dirs, "validation accuracy", "parameters")
}
