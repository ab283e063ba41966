package trainer_test

import (
	"context"
	"testing"

	"github.com/gradtune/gradtune/internal/racedetect"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// A training step of a Fit without callbacks — a tuning trial's — allocates
// nothing: the graph's run keeps its buffers (internal/graphexec), the
// batch tensors stay bound, and the events no callback would see are never
// built. Measured as the allocations two more epochs of 15 steps add to a
// Fit, per step; an epoch's own record and row order are a few allocations.
// At 59bf9db a step of this MLP made ~270.
func TestFitStepsDoNotAllocate(t *testing.T) {
	if racedetect.On {
		t.Skip("the race detector's allocations are not the program's")
	}
	train, _ := irisLike(t)
	ctx := context.Background()
	fitAllocs := func(epochs int) float64 {
		m, err := model.New(model.MLP{Hidden: []int{16}, Out: 3, Activation: model.ELU{}}, model.Config{Inputs: 4, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := trainer.New(m, trainer.Config{
			Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: 1e-2},
			Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: 1e-4}},
			Epochs:       epochs, BatchSize: 8, Seed: 1, Quiet: true, MonitorEvery: -1,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		if _, err := tr.Fit(ctx, train, nil); err != nil { // builds the graph and the buffers
			t.Fatal(err)
		}
		var fitErr error
		n := testing.AllocsPerRun(5, func() { _, fitErr = tr.Fit(ctx, train, nil) })
		if fitErr != nil {
			t.Fatal(fitErr)
		}
		return n
	}
	const stepsPerEpoch = irisRows / 8
	one, three := fitAllocs(1), fitAllocs(3)
	perStep := (three - one) / (2 * stepsPerEpoch)
	t.Logf("a Fit of 1 epoch: %v allocations, of 3: %v; %.2f a step", one, three, perStep)
	if perStep > 0.5 {
		t.Errorf("%.2f allocations a training step (Fit of 1 epoch: %v, of 3: %v), want none but an epoch's few", perStep, one, three)
	}
}
