package tunertrainer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// trialRun is what one objective call did.
type trialRun struct {
	number, steps int    // trial number, steps this call trained
	resumed       bool   // it loaded a state
	weights       string // final weights
	value         float64
}

// resumableObjective trains a small MLP (12 steps) whose rate the trial
// suggests, saving its state when interrupted and resuming a re-queued
// trial from it. With cancel set, it cancels the study's context after
// step 1 of epoch 2, as a SIGTERM would.
func resumableObjective(t *testing.T, dir string, ds *data.Dataset, runs *[]trialRun, cancel context.CancelFunc) tuner.Objective {
	return func(ctx context.Context, trial *tuner.Trial) (float64, error) {
		lr := trial.Float("lr", 0.01, 0.1, tuner.Log())
		save, resume := tunertrainer.StatePaths(trial, dir)
		m, err := model.New(model.MLP{Hidden: []int{8}, Out: 2}, model.Config{Inputs: 2, Seed: 1, Dtype: tensor.Float64})
		if err != nil {
			return 0, err
		}
		stop := trainer.CallbackFunc(func(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
			if cancel != nil && e.Kind == trainer.BatchEnd && e.Epoch == 2 && e.Batch == 1 {
				cancel()
			}
			return nil
		})
		tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: lr},
			Epochs: 4, BatchSize: 2, Seed: 3, Quiet: true, Callbacks: []trainer.Callback{stop, trainer.SaveOnInterrupt{Path: save}}})
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		if resume != "" {
			if err := tr.LoadStateFile(resume); err != nil {
				return 0, err
			}
		}
		before := tr.Steps()
		h, err := tr.Fit(ctx, ds, nil)
		if err != nil {
			return 0, err
		}
		value := h.Epochs[len(h.Epochs)-1].TrainLoss
		*runs = append(*runs, trialRun{trial.Number(), tr.Steps() - before, resume != "", fmt.Sprint(tr.Weights()), value})
		return value, nil
	}
}

// A trial interrupted by a cancelled context saves its state; the study
// reopened with RequeueStale re-runs it, and the objective, through
// StatePaths, resumes from the checkpoint: it trains only the 8 steps left
// of 12 and ends with the weights and value of the same trial run without
// interruption, bit for bit.
func TestInterruptedTrialResumesFromItsState(t *testing.T) {
	ctx := context.Background()
	ds, err := data.FromLabels([][]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {2, 3}}, []int{0, 0, 0, 1, 1, 1}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st := tuner.NewMemoryStorage()
	cfg := tuner.Config{Name: "resume", Storage: st, Sampler: tuner.RandomSampler{}, Parallelism: 1, RequeueStale: true, Seed: 5}
	var runs []trialRun
	cctx, cancel := context.WithCancel(ctx)
	first, err := tuner.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Optimize(cctx, resumableObjective(t, dir, ds, &runs, cancel), tuner.Budget{Trials: 1}); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if len(runs) != 0 {
		t.Fatalf("the interrupted trial completed: %+v", runs)
	}
	trials, _ := first.Trials(ctx)
	lr := trials[0].Params["lr"]

	reopened, err := tuner.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := reopened.Optimize(ctx, resumableObjective(t, dir, ds, &runs, nil), tuner.Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || !runs[0].resumed || runs[0].number != 1 || runs[0].steps != 8 {
		t.Fatalf("re-queued trial: %+v, want trial 1 resumed, training the 8 steps left of 12", runs)
	}

	// The same trial (same rate), never interrupted, in a study of its own.
	var whole []trialRun
	ref, err := tuner.Open(ctx, tuner.Config{Name: "ref", Sampler: tuner.RandomSampler{}, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.Enqueue(ctx, map[string]any{"lr": lr}, map[string]tuner.Distribution{"lr": trials[0].Distributions["lr"]}); err != nil {
		t.Fatal(err)
	}
	if err := ref.Optimize(ctx, resumableObjective(t, t.TempDir(), ds, &whole, nil), tuner.Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	if len(whole) != 1 || whole[0].steps != 12 || whole[0].resumed {
		t.Fatalf("reference trial: %+v, want 12 steps from scratch", whole)
	}
	if runs[0].weights != whole[0].weights || runs[0].value != whole[0].value {
		t.Errorf("resumed trial ended with\n%s value %v\nthe uninterrupted one with\n%s value %v", runs[0].weights, runs[0].value, whole[0].weights, whole[0].value)
	}
}

// StatePaths of a nil trial is "" for both paths; it panicked.
func TestStatePathsOfNilTrial(t *testing.T) {
	var save, resume string
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("StatePaths(nil, dir) panicked: %v", r)
			}
		}()
		save, resume = tunertrainer.StatePaths(nil, t.TempDir())
	}()
	if save != "" || resume != "" {
		t.Errorf("StatePaths(nil, dir) = %q, %q; want empty paths", save, resume)
	}
}
