package longrun

import (
	"cmp"
	"context"
	"fmt"
	"runtime"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/prune"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// TrialsConfig sizes Trials. The zero value is the tests' run.
type TrialsConfig struct {
	Trials      int // trials in the study; 0 → 100
	Every       int // trials between samples; 0 → 5
	Parallelism int // trials at once; 0 → 2
	// Callbacks are added to every trial's trainer (a test injects a leak here).
	Callbacks []trainer.Callback
}

// trialEpochs and trialRows size a trial: 4 epochs of 6 batches.
const trialEpochs, trialRows = 4, 6 * Batch

// Trials runs a study (in memory, Optuna's defaults: TPE sampler, here the
// median pruner) of cfg.Trials trials, each of which builds an MLP (1 or 2
// hidden layers of 4 to 32 units), a trainer (Adam, its rate sampled) with
// tunertrainer.PruneOn reporting val_loss, fits it on synthetic 3-class
// data for 4 epochs and closes it. It runs the study cfg.Every trials at a
// time and samples the process (Measure) before the first and after each
// batch of trials, when none is running; Run.Kept is what the study holds at
// the end (its trials, the sampler's and pruner's state). Errors: an
// invalid cfg, the tuner's, ctx's, or one naming the first trial that
// failed (a trial must end Complete or Pruned).
func Trials(ctx context.Context, cfg TrialsConfig) (*Run, error) {
	trials, every, par := cmp.Or(cfg.Trials, 100), cmp.Or(cfg.Every, 5), cmp.Or(cfg.Parallelism, 2)
	if trials < 1 || every < 1 || par < 1 {
		return nil, fmt.Errorf("longrun: Trials %d, Every %d, Parallelism %d: want ≥ 1 each", trials, every, par)
	}
	train, err := Blobs(trialRows, 3)
	if err != nil {
		return nil, err
	}
	val, err := Blobs(2*Batch, 4)
	if err != nil {
		return nil, err
	}
	run := &Run{What: "trial", Before: Measure(0), Points: make([]Point, 0, trials/every+2)}
	study, err := studySampled(ctx, trials, every, par, run, objective(train, val, cfg.Callbacks))
	if err != nil {
		return nil, err
	}
	run.End = Measure(trials)
	runtime.KeepAlive(study)
	run.After = Measure(trials)
	runtime.KeepAlive(train) // the data were made before Before: keep them to After too
	runtime.KeepAlive(val)
	return run, nil
}

// studySampled opens the study and runs it, measuring between batches of
// every trials.
func studySampled(ctx context.Context, trials, every, par int, run *Run, obj tuner.Objective) (*tuner.Study, error) {
	study, err := tuner.Open(ctx, tuner.Config{Name: "longrun", Direction: tuner.Minimize, Seed: 1, Parallelism: par, Pruner: prune.Median{}})
	if err != nil {
		return nil, err
	}
	run.Points = append(run.Points, Measure(0))
	for done := 0; done < trials; {
		n := min(every, trials-done)
		if err := study.Optimize(ctx, obj, tuner.Budget{Trials: n}); err != nil {
			return nil, err
		}
		done += n
		run.Points = append(run.Points, Measure(done))
	}
	ts, err := study.Trials(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.State != tuner.Complete && t.State != tuner.Pruned {
			return nil, fmt.Errorf("longrun: trial %d ended %v: %s", t.Number, t.State, t.FailReason)
		}
	}
	return study, nil
}

// objective is one trial: build, fit with pruning, close.
func objective(train, val *data.Dataset, more []trainer.Callback) tuner.Objective {
	return func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-3, 1e-1, tuner.Log())
		hidden := make([]int, t.Int("layers", 1, 2))
		for i := range hidden {
			hidden[i] = t.Int(fmt.Sprintf("units_%d", i), 4, 32, tuner.Log())
		}
		if err := t.Err(); err != nil {
			return 0, err
		}
		m, err := model.New(model.MLP{Hidden: hidden, Out: 3}, model.Config{Inputs: 4, Seed: uint64(t.Number()) + 1})
		if err != nil {
			return 0, err
		}
		tr, err := trainer.New(m, trainer.Config{
			Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: lr},
			Epochs: trialEpochs, BatchSize: Batch, Seed: 1, Quiet: true,
			Callbacks: append([]trainer.Callback{tunertrainer.PruneOn(t, "val_loss")}, more...),
		})
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		h, err := tr.Fit(ctx, train, val)
		if err != nil {
			return 0, err
		}
		return h.Epochs[len(h.Epochs)-1].ValLoss, nil
	}
}
