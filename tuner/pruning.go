package tuner

import (
	"context"
	"fmt"

	"github.com/gradtune/gradtune/trainer"
)

// PruneOn returns a trainer callback that reports monitor ("val_loss",
// "val_accuracy", …, see trainer.EpochStats.Value) to t after every epoch,
// with the epoch as the step, and stops training with ErrPruned when the
// study's pruner says so. The objective then returns the Fit error, and the
// trial ends Pruned with its last reported value:
//
//	_, err := tr.Fit(ctx, train, val) // Callbacks: []trainer.Callback{tuner.PruneOn(t, "val_loss")}
//	if err != nil {
//		return 0, err // errors.Is(err, tuner.ErrPruned) → Pruned
//	}
func PruneOn(t *Trial, monitor string) trainer.Callback {
	return trainer.CallbackFunc(func(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
		if e.Kind != trainer.EpochEnd {
			return nil
		}
		v, ok := e.Stats.Value(monitor)
		if !ok {
			return fmt.Errorf("%w: PruneOn monitors %q, which epoch %d does not have", ErrConfig, monitor, e.Epoch)
		}
		if err := t.Report(e.Epoch, v); err != nil {
			return err
		}
		if t.ShouldPrune() {
			return fmt.Errorf("%w at epoch %d (%s = %g)", ErrPruned, e.Epoch, monitor, v)
		}
		return nil
	})
}
