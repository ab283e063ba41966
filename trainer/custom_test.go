package trainer

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/rowmajor"
	"github.com/gradtune/gradtune/schedulers"
)

// myMSE is MSE written as a user would, with losses.Func.
var myMSE = losses.Func("my_mse", func(pred, target *G.Node) (*G.Node, error) {
	d, err := G.Sub(pred, target)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, err
	}
	return G.Mean(sq, 1)
})

// regression is n rows of 3 features and `outputs` noisy linear targets.
func regression(t *testing.T, n, outputs int, seed uint64) *data.Dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 11))
	xs, ys := make([][]float64, n), make([][]float64, n)
	for i := range xs {
		xs[i] = []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		ys[i] = make([]float64, outputs)
		for j := range ys[i] {
			ys[i][j] = float64(j+1)*xs[i][0] - xs[i][2] + 0.1*rng.NormFloat64()
		}
	}
	ds, err := data.FromRows(xs, ys, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func fitRegression(t *testing.T, l losses.Loss, outputs int, ms ...metrics.Metric) (*History, [][]float64, *Trainer) {
	t.Helper()
	m, err := model.New(model.MLP{Hidden: []int{5}, Out: outputs}, model.Config{Inputs: 3, Seed: 2, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	// 50 rows in batches of 16: the last batch is padded with 14 masked rows.
	tr, err := New(m, Config{Loss: l, Schedule: schedulers.Constant{LR: 0.01}, Epochs: 4, BatchSize: 16,
		Seed: 2, Quiet: true, Metrics: ms})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	h, err := tr.Fit(ctx, regression(t, 50, outputs, 1), regression(t, 20, outputs, 2))
	if err != nil {
		t.Fatal(err)
	}
	for i := range h.Epochs {
		h.Epochs[i].Seconds = 0
	}
	return h, params(m), tr
}

// A losses.Func that computes MSE trains exactly as losses.MSE{}: same
// masked mean over the padded batches, same gradients, same weights. With
// one output MSE's sample weights are all 1, so the runs agree bit for bit;
// with two, MSE weighs every row by 2 and divides by 2·rows, which may
// round differently in the last bits.
func TestFuncLossTrainsAsMSE(t *testing.T) {
	for _, c := range []struct {
		outputs int
		rel     float64
	}{{1, 0}, {2, 1e-12}} {
		hw, pw, _ := fitRegression(t, losses.MSE{}, c.outputs)
		hg, pg, _ := fitRegression(t, myMSE, c.outputs)
		if c.rel == 0 {
			if !reflect.DeepEqual(hg, hw) || !reflect.DeepEqual(pg, pw) {
				t.Errorf("outputs=%d: losses.Func MSE gave\n%+v\nlosses.MSE{} gave\n%+v", c.outputs, hg.Epochs, hw.Epochs)
			}
			continue
		}
		for i, e := range hg.Epochs {
			w := hw.Epochs[i]
			if !closeTo(e.TrainLoss, w.TrainLoss, c.rel) || !closeTo(e.ValLoss, w.ValLoss, c.rel) {
				t.Errorf("outputs=%d epoch %d: loss %.17g / val %.17g, MSE gives %.17g / %.17g", c.outputs, i+1, e.TrainLoss, e.ValLoss, w.TrainLoss, w.ValLoss)
			}
		}
		for i := range pw {
			for j := range pw[i] {
				if !closeTo(pg[i][j], pw[i][j], 1e-9) {
					t.Errorf("outputs=%d param %d[%d] = %.17g, MSE gives %.17g", c.outputs, i, j, pg[i][j], pw[i][j])
				}
			}
		}
	}
}

// maxError is the largest |out − y| over all elements: a custom metric.
func maxError(out, y rowmajor.Matrix) (float64, error) {
	if out.Cols != y.Cols {
		return 0, errors.New("max_error wants targets as wide as the outputs")
	}
	worst := 0.0
	for i, o := range out.Data {
		worst = max(worst, math.Abs(o-y.Data[i]))
	}
	return worst, nil
}

// A metrics.Func is reported in History under its name, with the value its
// function gives on the validation set's predictions, and callbacks take its
// direction.
func TestFuncMetricInHistory(t *testing.T) {
	h, _, tr := fitRegression(t, losses.MSE{}, 2, metrics.Func("max_error", goal.Minimize, maxError), metrics.MAE{})
	last, _ := h.Last()
	got, ok := last.Value("val_max_error")
	if !ok {
		t.Fatalf("History has no val_max_error: %+v", last.ValMetrics)
	}
	val := regression(t, 20, 2, 2)
	pred, err := tr.Predict(ctx, val.X)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := maxError(rowmajor.Matrix{Rows: 20, Cols: 2, Data: dense.Float64s(pred)},
		rowmajor.Matrix{Rows: 20, Cols: 2, Data: dense.Float64s(val.Y)})
	if got != want || want == 0 {
		t.Errorf("val_max_error = %.17g, max |pred − y| on the validation set = %.17g", got, want)
	}
	if mae := last.ValMetrics["mae"]; !(mae > 0 && mae < got) {
		t.Errorf("val_mae = %v, want in (0, val_max_error = %v)", mae, got)
	}
	if dir, err := tr.MonitorDirection("val_max_error"); err != nil || dir != goal.Minimize {
		t.Errorf("MonitorDirection(val_max_error) = %v, %v; want minimize", dir, err)
	}
}

// A custom loss or metric that breaks its contract is an error from New or
// Fit, never a panic.
func TestCustomLossAndMetricMistakes(t *testing.T) {
	m, err := model.New(model.Linear{Out: 2}, model.Config{Inputs: 3, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 8, Quiet: true}

	bad := cfg
	bad.Metrics = []metrics.Metric{metrics.Func("nothing", goal.Minimize, nil)}
	if _, err := New(m, bad); !errors.Is(err, ErrConfig) || !errors.Is(err, metrics.ErrConfig) || !strings.Contains(err.Error(), "nil function") {
		t.Errorf("metrics.Func with a nil function: New error = %v, want ErrConfig and metrics.ErrConfig", err)
	}
	bad = cfg
	bad.Loss = losses.Func("", nil)
	if _, err := New(m, bad); !errors.Is(err, ErrConfig) || !errors.Is(err, losses.ErrConfig) {
		t.Errorf("losses.Func without a name: New error = %v, want ErrConfig and losses.ErrConfig", err)
	}

	panicky := cfg
	panicky.Metrics = []metrics.Metric{metrics.Func("oops", goal.Maximize, func(out, _ rowmajor.Matrix) (float64, error) {
		return out.Data[len(out.Data)], nil // index out of range
	})}
	tr, err := New(m, panicky)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	_, err = tr.Fit(ctx, regression(t, 8, 2, 1), regression(t, 4, 2, 2))
	var pe *panics.Error
	if !errors.Is(err, panics.ErrUser) || !errors.As(err, &pe) || !strings.Contains(err.Error(), "metric oops") {
		t.Errorf("a panicking metric: Fit error = %v, want a *panics.Error wrapping ErrUser naming the metric", err)
	}

	wide := cfg
	wide.Loss = wrongWidth{}
	tr2, err := New(m, wide)
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.Close()
	if _, _, err := tr2.Evaluate(ctx, regression(t, 8, 2, 1)); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "want (8, 2)") {
		t.Errorf("a loss encoding 3 columns for TargetWidth 2: error = %v, want ErrConfig naming the shapes", err)
	}
}

// wrongWidth is MSE whose EncodeTargets adds a column TargetWidth does not
// announce.
type wrongWidth struct{ losses.MSE }

func (wrongWidth) EncodeTargets(y rowmajor.Matrix, _ int) (rowmajor.Matrix, error) {
	out := rowmajor.Matrix{Rows: y.Rows, Cols: y.Cols + 1, Data: make([]float64, y.Rows*(y.Cols+1))}
	for i := range y.Rows {
		copy(out.Row(i), y.Row(i))
	}
	return out, nil
}
