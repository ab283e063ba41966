package tunertrainer

import (
	"context"
	"fmt"
	"strings"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
)

// MonitorParams is a monitor of PruneOnMulti besides the epoch statistics:
// the model's number of scalar weights and biases (Cost.Params), constant
// through training and minimized, the size a study trades against
// accuracy.
const MonitorParams = "params"

// PruneOnMulti is PruneOn for a trial of several objectives: after every
// epoch it reports the value of each monitor to t as one vector
// (tuner.Trial.ReportValues), monitors[i] as objective i, with the epoch as
// the step, and stops training with tuner.ErrPruned when the study's pruner
// says so (prune.SuccessiveHalving and prune.Hyperband judge several
// objectives: see package tuner/prune). The objective then returns the Fit
// error, and the trial ends Pruned with its last vector as its values. A
// monitor is an epoch statistic, as PruneOn's ("val_loss",
// "val_accuracy", …), or MonitorParams.
//
// At FitStart it checks that there is one monitor per objective of t's
// study (tuner.Trial.Directions) and that each improves in its objective's
// direction (MonitorParams is minimized); those checks, a monitor whose
// direction is unknown, a val_* monitor in a Fit without a validation set
// and an epoch without a monitor fail Fit with tuner.ErrConfig. An error
// from t.ReportValues is returned as is. With one monitor, on a study of
// one objective, it is PruneOn.
//
//	tunertrainer.PruneOnMulti(t, "val_accuracy", tunertrainer.MonitorParams) // Directions: Maximize, Minimize
func PruneOnMulti(t *tuner.Trial, monitors ...string) trainer.Callback {
	monitors = append([]string(nil), monitors...)
	params := 0
	return trainer.CallbackFunc(func(_ context.Context, tr *trainer.Trainer, e *trainer.Event) error {
		if e.Kind == trainer.FitStart {
			params = paramCount(tr.Model())
			return checkMonitorDirections(t, tr, monitors, e.Validation)
		}
		if e.Kind != trainer.EpochEnd {
			return nil
		}
		values := make([]float64, len(monitors))
		for i, m := range monitors {
			if m == MonitorParams {
				values[i] = float64(params)
				continue
			}
			v, ok := e.Stats.Value(m)
			if !ok {
				return fmt.Errorf("%w: PruneOnMulti monitors %q, which epoch %d does not have", tuner.ErrConfig, m, e.Epoch)
			}
			values[i] = v
		}
		if err := t.ReportValues(e.Epoch, values); err != nil {
			return err
		}
		if t.ShouldPrune() {
			return fmt.Errorf("%w at epoch %d (%s)", tuner.ErrPruned, e.Epoch, describe(monitors, values))
		}
		return nil
	})
}

// describe writes monitors with their values: "val_accuracy = 0.9, params = 410".
func describe(monitors []string, values []float64) string {
	parts := make([]string, len(monitors))
	for i, m := range monitors {
		parts[i] = fmt.Sprintf("%s = %g", m, values[i])
	}
	return strings.Join(parts, ", ")
}

// checkMonitorDirections returns an error wrapping tuner.ErrConfig unless
// monitors has one monitor per objective of t's study, each improving in
// its objective's direction and recorded by Fit.
func checkMonitorDirections(t *tuner.Trial, tr *trainer.Trainer, monitors []string, validation bool) error {
	dirs := t.Directions()
	if len(monitors) != len(dirs) || len(dirs) == 0 {
		return fmt.Errorf("%w: PruneOnMulti monitors %q, %d values, for a study of %d objectives (Directions %v): want one monitor per objective",
			tuner.ErrConfig, monitors, len(monitors), len(dirs), dirs)
	}
	for i, m := range monitors {
		d := goal.Minimize
		if m != MonitorParams {
			var err error
			if d, err = tr.ResolveMonitor("PruneOnMulti", m, goal.Auto, validation); err != nil {
				return fmt.Errorf("%w: %w", tuner.ErrConfig, err)
			}
		}
		if d != dirs[i] {
			return fmt.Errorf("%w: PruneOnMulti monitors %q, whose direction is %v, as objective %d, whose direction is %v: the pruner would keep the worst trials",
				tuner.ErrConfig, m, d, i, dirs[i])
		}
	}
	return nil
}

// paramCount is the number of scalar weights and biases of m.
func paramCount(m *model.Model) int {
	n := 0
	for _, p := range m.Params() {
		n += p.Value.Size()
	}
	return n
}
