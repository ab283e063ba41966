package trainer_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// trainBatchData is 10 rows of a noisy plane, y = 2·x0 − x1 + 0.5.
func trainBatchData(t *testing.T) *data.Dataset {
	t.Helper()
	var x, y [][]float64
	for i := range 10 {
		a, b := float64(i)/10, math.Sin(float64(i))
		x = append(x, []float64{a, b})
		y = append(y, []float64{2*a - b + 0.5 + 0.01*math.Cos(float64(7*i))})
	}
	ds, err := data.FromRows(x, y, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func trainBatchTrainer(t *testing.T) *trainer.Trainer {
	t.Helper()
	m, err := model.New(model.Sequential{Layers: []model.Layer{model.Dense{Units: 3}, model.Act{Activation: model.Tanh{}}, model.Dense{Units: 1}}}, model.Config{Inputs: 2, Seed: 4, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainer.New(m, trainer.Config{
		Loss: losses.MSE{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Exponential{LR: 0.05, Gamma: 0.9},
		ScheduleEvery: schedulers.PerStep, BatchSize: 4, Epochs: 3, NoShuffle: true, Quiet: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

// A loop of TrainBatch over Fit's batches (no shuffle: rows 0–3, 4–7, 8–9
// each epoch) takes the same steps as Fit, bit for bit: it is the step Fit
// runs, exposed for a loop of one's own.
func TestTrainBatchLoopEqualsFit(t *testing.T) {
	ctx := context.Background()
	ds := trainBatchData(t)
	fit := trainBatchTrainer(t)
	hist, err := fit.Fit(ctx, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	loop := trainBatchTrainer(t)
	var losses []float64
	for range 3 {
		var sum float64
		for lo := 0; lo < 10; lo += 4 {
			idx := []int{}
			for i := lo; i < min(lo+4, 10); i++ {
				idx = append(idx, i)
			}
			b, err := ds.Subset(idx)
			if err != nil {
				t.Fatal(err)
			}
			st, err := loop.TrainBatch(ctx, b)
			if err != nil {
				t.Fatal(err)
			}
			sum += st.Loss * float64(len(idx))
		}
		losses = append(losses, sum/10)
	}
	if fit.Steps() != 9 || loop.Steps() != 9 {
		t.Fatalf("Steps: Fit %d, TrainBatch loop %d; want 9 and 9", fit.Steps(), loop.Steps())
	}
	for e, st := range hist.Epochs {
		if math.Abs(st.TrainLoss-losses[e]) > 1e-12*math.Abs(st.TrainLoss) {
			t.Errorf("epoch %d: Fit loss %.17g, TrainBatch loop %.17g", e+1, st.TrainLoss, losses[e])
		}
	}
	want, got := fit.Weights(), loop.Weights()
	for i := range want {
		w, g := want[i].Data().([]float64), got[i].Data().([]float64)
		for j := range w {
			if w[j] != g[j] {
				t.Fatalf("parameter %d[%d]: Fit %.17g, TrainBatch loop %.17g", i, j, w[j], g[j])
			}
		}
	}
	// The updated weights are the model's: the next Fit starts from them.
	if p := loop.Model().Params()[0].Value.Data().([]float64); p[0] != want[0].Data().([]float64)[0] {
		t.Errorf("model parameter after TrainBatch = %v, want the trained %v", p[0], want[0].Data().([]float64)[0])
	}
}

func TestTrainBatchRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	ds := trainBatchData(t)
	tr := trainBatchTrainer(t)
	before := tr.Weights()[0].Data().([]float64)[0]
	if _, err := tr.TrainBatch(ctx, ds); !errors.Is(err, trainer.ErrData) {
		t.Errorf("10 rows with BatchSize 4: %v, want ErrData", err)
	}
	if _, err := tr.TrainBatch(ctx, nil); !errors.Is(err, trainer.ErrData) {
		t.Errorf("nil batch: %v, want ErrData", err)
	}
	wide, _ := data.FromRows([][]float64{{1, 2, 3}}, [][]float64{{1}}, tensor.Float64)
	if _, err := tr.TrainBatch(ctx, wide); !errors.Is(err, trainer.ErrData) {
		t.Errorf("3 features for a 2-input model: %v, want ErrData", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	small, _ := ds.Subset([]int{0, 1})
	if _, err := tr.TrainBatch(cancelled, small); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v, want context.Canceled", err)
	}
	if tr.Steps() != 0 || tr.Weights()[0].Data().([]float64)[0] != before {
		t.Errorf("refused batches changed the trainer: %d steps", tr.Steps())
	}
	// From a callback during Fit: refused, Fit stops with the error.
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2})
	inFit, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, BatchSize: 4, Epochs: 1, Quiet: true,
		Callbacks: []trainer.Callback{trainer.CallbackFunc(func(ctx context.Context, t *trainer.Trainer, e *trainer.Event) error {
			if e.Kind == trainer.EpochEnd {
				_, err := t.TrainBatch(ctx, small)
				return err
			}
			return nil
		})}})
	if err != nil {
		t.Fatal(err)
	}
	defer inFit.Close()
	if _, err := inFit.Fit(ctx, ds, nil); !errors.Is(err, trainer.ErrConfig) {
		t.Errorf("TrainBatch inside Fit: %v, want ErrConfig", err)
	}
	tr.Close()
	if _, err := tr.TrainBatch(ctx, small); !errors.Is(err, trainer.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

// Epochs counts completed epochs only: a Fit interrupted inside its second
// epoch has completed one, before and after its state is saved and loaded.
func TestEpochsAfterInterruptedFit(t *testing.T) {
	ds := trainBatchData(t) // 10 rows, BatchSize 4: 3 steps an epoch
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopAt := trainer.CallbackFunc(func(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd && e.Step == 5 {
			cancel()
		}
		return nil
	})
	m, err := model.New(model.Sequential{Layers: []model.Layer{model.Dense{Units: 3}, model.Act{Activation: model.Tanh{}}, model.Dense{Units: 1}}}, model.Config{Inputs: 2, Seed: 4, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, BatchSize: 4, Epochs: 3, NoShuffle: true, Quiet: true, Callbacks: []trainer.Callback{stopAt}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	hist, err := tr.Fit(ctx, ds, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit = %v, want context.Canceled", err)
	}
	if len(hist.Epochs) != 1 || tr.Steps() != 5 || tr.Epochs() != 1 {
		t.Fatalf("after the interruption: %d epochs in History, Steps %d, Epochs %d; want 1, 5, 1", len(hist.Epochs), tr.Steps(), tr.Epochs())
	}
	path := t.TempDir() + "/state"
	if err := tr.SaveStateFile(path); err != nil {
		t.Fatal(err)
	}
	again, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, BatchSize: 4, Epochs: 3, NoShuffle: true, Quiet: true, Callbacks: []trainer.Callback{stopAt}})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.LoadStateFile(path); err != nil {
		t.Fatal(err)
	}
	if again.Epochs() != 1 || again.Steps() != 5 {
		t.Errorf("after LoadState: Epochs %d, Steps %d; want 1, 5", again.Epochs(), again.Steps())
	}
	if _, err := again.Fit(context.Background(), ds, nil); err != nil {
		t.Fatal(err)
	}
	if again.Epochs() != 3 || again.Steps() != 9 {
		t.Errorf("after the resumed Fit: Epochs %d, Steps %d; want 3, 9", again.Epochs(), again.Steps())
	}
}

// Found by a newcomer review: nil arguments and a nil Trainer panicked.
func TestNilArgumentsAreErrors(t *testing.T) {
	tr := trainBatchTrainer(t)
	if err := tr.SaveState(nil); !errors.Is(err, trainer.ErrConfig) {
		t.Errorf("SaveState(nil) = %v, want ErrConfig", err)
	}
	if err := tr.LoadState(nil); !errors.Is(err, trainer.ErrConfig) {
		t.Errorf("LoadState(nil) = %v, want ErrConfig", err)
	}
	var none *trainer.Trainer
	none.Close() // must not panic
	ctx, stop := trainer.InterruptContext(nil)
	defer stop()
	if ctx == nil || ctx.Err() != nil {
		t.Errorf("InterruptContext(nil) = %v (%v), want a live context", ctx, ctx.Err())
	}
}
