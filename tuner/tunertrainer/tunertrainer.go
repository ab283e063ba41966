// Package tunertrainer connects a tuner study to the trainer: PruneOn is
// the trainer callback that reports a monitored value to a trial after
// every epoch and stops a trial the study's pruner gives up on, as
// Optuna's PyTorchLightningPruningCallback and KerasPruningCallback do;
// PruneOnMulti does the same with one monitor per objective of a study of
// several.
//
// PruneOnDiagnosis stops a trial whose training the doctor (package
// diagnose) finds diverging, exploding, stuck at chance or with dead
// units, and records why.
//
// It lives apart from package tuner so that tuner, its samplers, pruners
// and storages do not import the trainer, and through it Gorgonia.
package tunertrainer

import (
	"context"
	"fmt"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
)

// PruneOn returns a trainer callback that reports monitor ("val_loss",
// "val_accuracy", …, see trainer.EpochStats.Value) to t after every epoch,
// with the epoch as the step, and stops training with tuner.ErrPruned when
// the study's pruner says so. The objective then returns the Fit error, and
// the trial ends Pruned with its last reported value. At FitStart it checks
// that monitor improves in the study's direction (trainer.MonitorDirection):
// reporting a loss to a maximizing study would prune the best trials, so
// that, a monitor whose direction is unknown, and a val_* monitor in a Fit
// without a validation set fail Fit with tuner.ErrConfig, and so does a
// trial of a study of several objectives, which reports one monitor per
// objective with PruneOnMulti. An epoch without
// monitor fails Fit with tuner.ErrConfig too; an error from t.Report is
// returned as is.
//
//	_, err := tr.Fit(ctx, train, val) // Callbacks: []trainer.Callback{tunertrainer.PruneOn(t, "val_loss")}
//	if err != nil {
//		return 0, err // errors.Is(err, tuner.ErrPruned) → Pruned
//	}
func PruneOn(t *tuner.Trial, monitor string) trainer.Callback {
	return trainer.CallbackFunc(func(_ context.Context, tr *trainer.Trainer, e *trainer.Event) error {
		if e.Kind == trainer.FitStart {
			return checkMonitorDirection(t, tr, monitor, e.Validation)
		}
		if e.Kind != trainer.EpochEnd {
			return nil
		}
		v, ok := e.Stats.Value(monitor)
		if !ok {
			return fmt.Errorf("%w: PruneOn monitors %q, which epoch %d does not have", tuner.ErrConfig, monitor, e.Epoch)
		}
		if err := t.Report(e.Epoch, v); err != nil {
			return err
		}
		if t.ShouldPrune() {
			return fmt.Errorf("%w at epoch %d (%s = %g)", tuner.ErrPruned, e.Epoch, monitor, v)
		}
		return nil
	})
}

// checkMonitorDirection returns an error wrapping tuner.ErrConfig unless
// monitor improves in t's study's direction and Fit will record it (a val_*
// monitor needs a validation set).
func checkMonitorDirection(t *tuner.Trial, tr *trainer.Trainer, monitor string, validation bool) error {
	d, err := tr.ResolveMonitor("PruneOn", monitor, goal.Auto, validation)
	if err != nil {
		return fmt.Errorf("%w: %w", tuner.ErrConfig, err)
	}
	if want := t.Direction(); want == goal.Auto {
		return fmt.Errorf("%w: PruneOn monitors %q for a trial whose study has several objectives (or no study): monitor one per objective with PruneOnMulti", tuner.ErrConfig, monitor)
	} else if d != want {
		return fmt.Errorf("%w: PruneOn monitors %q, whose direction is %v, in a study whose direction is %v: the pruner would keep the worst trials",
			tuner.ErrConfig, monitor, d, want)
	}
	return nil
}
