// Package iristune holds the demo's tuning job, shared by cmd/demo (which
// tunes with it) and cmd/bench (which measures how fast trials run): an MLP
// on the Iris data set scored by stratified 5-fold cross-validation, with
// its search space.
package iristune

import (
	"context"
	"fmt"
	"maps"
	"os"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
	"github.com/gradtune/gradtune/validation"
)

// Folds is the number of cross-validation folds.
const Folds = 5

// Problem is Iris split into folds once: every trial is scored on the same
// folds, or the pruner would compare running means over different rows.
type Problem struct {
	Full     *data.Dataset // X (150, 4) float32: the measurements in cm; Y (150, 1): the species, 0–2
	Classes  int           // 3, from all rows, never from a fold
	Folds    []validation.Fold
	Warnings []string // what StratifiedKFold said about the split (none for Iris)
	Seed     uint64   // folds, initialization and shuffling
	// PruneOnDiagnosis has the training doctor watch every fold's training
	// (tunertrainer.PruneOnDiagnosis): a run diverging, exploding, stuck at
	// chance or with dead units prunes the trial, its cause recorded.
	PruneOnDiagnosis bool
}

// Load reads iris_headers.csv from golearn's Go module (downloading it the
// first time, see datasets.GolearnFile) and splits it into Folds stratified
// folds shuffled by seed. Errors come from datasets.GolearnFile, the CSV loader
// and validation.
func Load(seed uint64) (*Problem, error) {
	path, err := datasets.GolearnFile("iris_headers.csv")
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	full, _, err := data.LoadCSVClasses(f, data.CSVConfig{Header: true, Dtype: tensor.Float32})
	f.Close()
	if err != nil {
		return nil, err
	}
	classes, err := validation.Classes(full)
	if err != nil {
		return nil, err
	}
	return split(full, classes, seed)
}

// split makes the Problem of full's rows split into Folds stratified folds
// shuffled by seed.
func split(full *data.Dataset, classes int, seed uint64) (*Problem, error) {
	labels, err := full.Labels()
	if err != nil {
		return nil, err
	}
	folds, warnings, err := validation.StratifiedKFold{K: Folds, Shuffle: true, Seed: seed}.Split(labels)
	if err != nil {
		return nil, err
	}
	return &Problem{Full: full, Classes: classes, Folds: folds, Warnings: warnings, Seed: seed}, nil
}

// Reseeded returns the same problem with another seed: other folds, other
// initializations, another shuffling, for re-evaluating a configuration
// (tuner/noise). It shares p's rows; PruneOnDiagnosis is kept.
func (p *Problem) Reseeded(seed uint64) (*Problem, error) {
	q, err := split(p.Full, p.Classes, seed)
	if err != nil {
		return nil, err
	}
	q.PruneOnDiagnosis = p.PruneOnDiagnosis
	return q, nil
}

// Objective trains one configuration on every fold and returns the mean
// validation accuracy (in [0, 1]; its population std goes into the trial's
// attribute "cv_std"). After each fold it reports the running mean, so that
// a pruner can stop a poor configuration early: the trial then ends with an
// error wrapping tuner.ErrPruned. The search space: lr, batch_size, epochs,
// optimizer (with beta1 or momentum), layers, units_i, activation,
// initializer, l2.
func (p *Problem) Objective() tuner.Objective {
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
		// One model and one trainer serve every fold: each fold draws fresh
		// weights (Reinit) and forgets the last one's training (Reset), which
		// gives what a new model and trainer would, bit for bit, without
		// building and compiling the graphs again (most of a trial's garbage).
		var (
			m  *model.Model
			tr *trainer.Trainer
		)
		defer func() { tr.Close() }()
		var accs []float64
		score, err := validation.CrossValidate(ctx, p.Full, p.Folds, func(ctx context.Context, fold int, train, val *data.Dataset) (float64, error) {
			seed := p.Seed + uint64(fold)
			if tr != nil {
				if err := m.Reinit(seed); err != nil {
					return 0, err
				}
				if err := tr.Reset(); err != nil {
					return 0, err
				}
			} else {
				var err error
				if m, err = model.New(model.MLP{Hidden: hidden, Out: p.Classes, Activation: act, Init: init}, model.Config{Inputs: p.Full.Features(), Seed: seed}); err != nil {
					return 0, err
				}
				cfg := trainer.Config{
					Loss: losses.CrossEntropy{}, Optimizer: opt, Schedule: schedulers.Constant{LR: lr},
					Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: l2}},
					Epochs:       epochs, BatchSize: batch, Seed: p.Seed, Quiet: true, MonitorEvery: -1,
					Metrics: []metrics.Metric{metrics.Accuracy{}},
				}
				if p.PruneOnDiagnosis { // it starts afresh at every FitStart
					cfg.Callbacks = []trainer.Callback{tunertrainer.PruneOnDiagnosis(t, diagnose.Options{Classes: p.Classes})}
				}
				if tr, err = trainer.New(m, cfg); err != nil {
					return 0, err
				}
			}
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

// RandomSearch runs trials trials of p's objective in a fresh in-memory
// study, parallelism at a time, and returns them ordered by number. A
// RandomSampler seeded with p.Seed draws trial n's configuration from
// (Seed, n) alone and no pruner stops a trial, so every trial trains all
// Folds folds and the work done is the same at any parallelism: what
// cmd/bench times. Errors: the tuner's (an invalid parallelism wraps
// tuner.ErrConfig) or ctx's.
func (p *Problem) RandomSearch(ctx context.Context, trials, parallelism int) ([]tuner.FrozenTrial, error) {
	if parallelism < 1 {
		return nil, fmt.Errorf("%w: parallelism %d, want ≥ 1", tuner.ErrConfig, parallelism)
	}
	study, err := tuner.Open(ctx, tuner.Config{
		Name: "iris-mlp-random", Direction: tuner.Maximize, Seed: p.Seed, Parallelism: parallelism,
		Sampler: tuner.RandomSampler{}, Pruner: tuner.NopPruner{},
	})
	if err != nil {
		return nil, err
	}
	if err := study.Optimize(ctx, p.Objective(), tuner.Budget{Trials: trials}); err != nil {
		return nil, err
	}
	return study.Trials(ctx)
}

// SameConfigs returns nil if a and b hold the same trial numbers with the
// same parameters, each trial Complete, or an error naming the first
// difference: then the two runs did different work.
func SameConfigs(a, b []tuner.FrozenTrial) error {
	if len(a) != len(b) {
		return fmt.Errorf("iristune: %d trials against %d", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		switch {
		case x.Number != y.Number:
			return fmt.Errorf("iristune: trial %d against %d at index %d", x.Number, y.Number, i)
		case x.State != tuner.Complete || y.State != tuner.Complete:
			return fmt.Errorf("iristune: trial %d ended %v and %v (%q %q), want Complete", x.Number, x.State, y.State, x.FailReason, y.FailReason)
		case !maps.EqualFunc(x.Params, y.Params, func(u, v any) bool { return u == v }):
			return fmt.Errorf("iristune: trial %d has parameters %v and %v", x.Number, x.Params, y.Params)
		}
	}
	return nil
}
