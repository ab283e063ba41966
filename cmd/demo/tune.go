package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/tunerplot"
	"github.com/gradtune/gradtune/validation"
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
	path, err := data.GolearnFile("iris_headers.csv")
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	full, _, err := data.LoadCSVClasses(f, data.CSVConfig{Header: true, Dtype: tensor.Float32})
	f.Close()
	if err != nil {
		return err
	}
	classes, err := validation.Classes(full) // from the full label set, never a fold
	if err != nil {
		return err
	}
	labels, err := full.Labels()
	if err != nil {
		return err
	}
	folds, warnings, err := validation.StratifiedKFold{K: 5, Shuffle: true, Seed: o.seed}.Split(labels)
	if err != nil {
		return err
	}
	for _, warn := range warnings {
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
		Pruner:  tuner.MedianPruner{StartupTrials: 5, WarmupSteps: 1},
	})
	if err != nil {
		return err
	}
	err = study.Optimize(ctx, irisObjective(full, classes, folds, o.seed), tuner.Budget{TotalTrials: o.trials})
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	return summarize(ctx, w, study, o.out, time.Since(start))
}

// irisObjective trains one configuration on every fold and returns the
// mean validation accuracy; after each fold it reports the running mean so
// that the pruner can stop a poor configuration early.
func irisObjective(full *data.Dataset, classes int, folds []validation.Fold, seed uint64) tuner.Objective {
	return func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-4, 3e-1, tuner.Log())
		batch := t.Categorical("batch_size", 8, 16, 32).(int)
		epochs := t.Int("epochs", 10, 80, tuner.Step(10))
		var opt optimizers.Optimizer
		switch t.String("optimizer", "adam", "sgd", "rmsprop") {
		case "adam":
			opt = optimizers.Adam{Beta1: t.Float("beta1", 0.8, 0.99)}
		case "sgd":
			opt = optimizers.SGD{Momentum: t.Float("momentum", 0, 0.95)}
		default:
			opt = optimizers.RMSProp{}
		}
		hidden := make([]int, t.Int("layers", 1, 3))
		for i := range hidden {
			hidden[i] = t.Int(fmt.Sprintf("units_%d", i), 4, 64, tuner.Log())
		}
		act, err := model.ActivationByName(t.String("activation", "relu", "tanh", "elu"))
		if err != nil {
			return 0, err
		}
		init, err := model.InitializerByName(t.String("initializer", "he_normal", "xavier_uniform"))
		if err != nil {
			return 0, err
		}
		l2 := t.Float("l2", 1e-6, 1e-2, tuner.Log())
		if err := t.Err(); err != nil {
			return 0, err
		}
		var accs []float64
		score, err := validation.CrossValidate(ctx, full, folds, func(ctx context.Context, fold int, train, val *data.Dataset) (float64, error) {
			m, err := model.New(model.MLP{Hidden: hidden, Out: classes, Activation: act, Init: init}, model.Config{Inputs: full.Features(), Seed: seed + uint64(fold)})
			if err != nil {
				return 0, err
			}
			tr, err := trainer.New(m, trainer.Config{
				Loss: losses.CrossEntropy{}, Optimizer: opt, Schedule: schedulers.Constant{LR: lr},
				Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: l2}},
				Epochs:       epochs, BatchSize: batch, Seed: seed, Quiet: true, MonitorEvery: -1,
				Metrics: []metrics.Metric{metrics.Accuracy{}},
			})
			if err != nil {
				return 0, err
			}
			defer tr.Close()
			if _, err := tr.Fit(ctx, train, nil); err != nil {
				return 0, err
			}
			_, ms, err := tr.Evaluate(ctx, val)
			if err != nil {
				return 0, err
			}
			accs = append(accs, ms["accuracy"])
			if err := t.Report(fold, mean(accs)); err != nil {
				return 0, err
			}
			if t.ShouldPrune() {
				return 0, fmt.Errorf("fold %d, running accuracy %.3f: %w", fold+1, mean(accs), tuner.ErrPruned)
			}
			return ms["accuracy"], nil
		}, validation.CVOptions{Standardize: true}) // each fold scaled by its own training part
		if err != nil {
			return 0, err
		}
		if err := t.SetAttr("cv_std", fmt.Sprintf("%.4f", score.Std)); err != nil {
			return 0, err
		}
		return score.Mean, nil
	}
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// summarize prints the best trial and writes the trials table and plots.
func summarize(ctx context.Context, w io.Writer, study *tuner.Study, out string, took time.Duration) error {
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
	if out != "" {
		if err := writeStudyFiles(out, trials, study.Direction()); err != nil {
			return err
		}
		fmt.Fprintf(w, "tune: study %s in %s (trials.csv, history.png, importances.png, parallel.png, intermediate.png); rerun to resume it\n", study.Name(), out)
	}
	fmt.Fprintf(w, "tune: best_cv_accuracy=%.4f±%s trial=%d trials=%d complete=%d pruned=%d failed=%d seconds=%.0f\n",
		best.Value, best.Attrs["cv_std"], best.Number, len(trials), count[tuner.Complete], count[tuner.Pruned], count[tuner.Failed], took.Seconds())
	fmt.Fprintf(w, "tune: best %s\n", strings.Join(ps, " "))
	return nil
}

// writeStudyFiles writes the trials table, the importances and the plots.
func writeStudyFiles(out string, trials []tuner.FrozenTrial, dir tuner.Direction) error {
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
	if err := tunerplot.OptimizationHistory(filepath.Join(out, "history.png"), trials, dir); err != nil {
		return err
	}
	if err := tunerplot.ParallelCoordinates(filepath.Join(out, "parallel.png"), trials, dir); err != nil {
		return err
	}
	if err := tunerplot.IntermediateValues(filepath.Join(out, "intermediate.png"), trials); err != nil {
		return err
	}
	imp, err := tuner.Importances(trials, tuner.ImportanceOptions{})
	if err != nil {
		return err
	}
	return tunerplot.Importances(filepath.Join(out, "importances.png"), imp)
}
