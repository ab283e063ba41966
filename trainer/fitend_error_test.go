package trainer

import (
	"context"
	"errors"
	"testing"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
)

// A callback's error at FitEnd comes back from Fit whatever the run ended
// with: joined to a failed run's error (a NaN here), in place of a
// callback's clean stop. Both were dropped.
func TestFitEndCallbackErrorIsReturned(t *testing.T) {
	errAtEnd := errors.New("classed at FitEnd")
	for _, c := range []struct {
		name      string
		lr        float64
		stopAt    int   // a callback returns ErrStopTraining at this epoch's end (0: never)
		wantAlso  error // besides errAtEnd
		stoppedBy string
	}{
		{name: "after a NaN", lr: 1e20, wantAlso: ErrNonFinite},
		{name: "after a clean stop", lr: 0.01, stopAt: 1, stoppedBy: "trainer.CallbackFunc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			stop := CallbackFunc(func(_ context.Context, _ *Trainer, e *Event) error {
				if e.Kind == EpochEnd && e.Epoch == c.stopAt {
					return ErrStopTraining
				}
				return nil
			})
			var sawErr error
			atEnd := CallbackFunc(func(_ context.Context, _ *Trainer, e *Event) error {
				if e.Kind == FitEnd {
					sawErr = e.Err
					return errAtEnd
				}
				return nil
			})
			tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: c.lr},
				Epochs: 3, BatchSize: 30, Quiet: true, Callbacks: []Callback{stop, atEnd}})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			h, err := tr.Fit(ctx, blobs(t, 90, 1), nil)
			if !errors.Is(err, errAtEnd) || c.wantAlso != nil && (!errors.Is(err, c.wantAlso) || !errors.Is(sawErr, c.wantAlso)) {
				t.Fatalf("Fit error = %v (FitEnd saw %v), want %v joined with %v", err, sawErr, errAtEnd, c.wantAlso)
			}
			if h.StoppedBy != c.stoppedBy {
				t.Errorf("StoppedBy = %q, want %q", h.StoppedBy, c.stoppedBy)
			}
		})
	}
}
