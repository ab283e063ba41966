package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
)

var ctx = context.Background()

func setParams(t *testing.T, m *model.Model, vals ...[]float64) {
	t.Helper()
	for i, v := range vals {
		src, err := dense.FromFloat64(m.Dtype(), v, m.Params()[i].Value.Shape()...)
		if err != nil {
			t.Fatal(err)
		}
		if err := dense.CopyValues(m.Params()[i].Value, src); err != nil {
			t.Fatal(err)
		}
	}
}

func params(m *model.Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		out = append(out, dense.Float64s(p.Value))
	}
	return out
}

func closeTo(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(math.Abs(b), 1e-6)
}

// A full-batch linear model from fixed weights follows PyTorch's trajectory
// step by step, for every optimizer, with and without L1/L2 penalties on the
// weight (each Fit of one epoch = one step, which also checks that Fit
// continues the optimizer state). torch's weight_decay=wd is L2{wd/2}.
func TestLinearTrajectoryMatchesTorch(t *testing.T) {
	for _, c := range golden.Load(t).LinearTrajectories {
		var regs []regularizers.Regularizer
		if c.L1 > 0 {
			regs = append(regs, regularizers.L1{Lambda: c.L1})
		}
		if c.L2 > 0 {
			regs = append(regs, regularizers.L2{Lambda: c.L2})
		}
		if c.WeightDecay > 0 {
			regs = append(regs, regularizers.L2{Lambda: c.WeightDecay / 2})
		}
		t.Run(fmt.Sprintf("%s/l1=%g/l2=%g/wd=%g", c.Optimizer, c.L1, c.L2, c.WeightDecay), func(t *testing.T) {
			m, err := model.New(model.Linear{Out: 2}, model.Config{Inputs: 3, Dtype: tensor.Float64})
			if err != nil {
				t.Fatal(err)
			}
			setParams(t, m, golden.Flat(c.W0), c.B0)
			ds, err := data.FromRows(c.X, c.Y, tensor.Float64)
			if err != nil {
				t.Fatal(err)
			}
			opt := map[string]optimizers.Optimizer{
				"sgd": optimizers.SGD{}, "momentum": optimizers.SGD{Momentum: 0.9}, "adam": optimizers.Adam{},
				"adamw": optimizers.AdamW{}, "rmsprop": optimizers.RMSProp{}, "adagrad": optimizers.AdaGrad{},
			}[c.Optimizer]
			if opt == nil {
				t.Fatalf("unknown optimizer %q in the golden file", c.Optimizer)
			}
			tr, err := New(m, Config{Loss: losses.MSE{}, Optimizer: opt, Schedule: schedulers.Constant{LR: c.LR},
				Regularizers: regs, Epochs: 1, BatchSize: len(c.X), NoShuffle: true, Quiet: true})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			for step := 0; step < c.Steps; step++ {
				h, err := tr.Fit(ctx, ds, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got := h.Epochs[0].TrainLoss; !closeTo(got, c.LossBeforeStep[step], 1e-12) {
					t.Errorf("step %d: loss = %.17g, want %.17g (torch)", step+1, got, c.LossBeforeStep[step])
				}
				p := params(m)
				for i, want := range append(golden.Flat(c.W[step]), c.B[step]...) {
					got := append(p[0], p[1]...)[i]
					if !closeTo(got, want, 1e-9) {
						t.Errorf("step %d: param %d = %.17g, want %.17g (torch)", step+1, i, got, want)
					}
				}
			}
		})
	}
}

func TestBatchesUseEverySampleOnce(t *testing.T) {
	order := []int{9, 3, 0, 7, 1, 8, 2, 6, 4, 5}
	bs := batches(order, 4)
	var sizes []int
	seen := map[int]int{}
	for _, b := range bs {
		sizes = append(sizes, len(b))
		for _, i := range b {
			seen[i]++
		}
	}
	if !reflect.DeepEqual(sizes, []int{4, 4, 2}) {
		t.Errorf("batch sizes = %v, want [4 4 2]", sizes)
	}
	for i := 0; i < 10; i++ {
		if seen[i] != 1 {
			t.Errorf("sample %d used %d times, want 1", i, seen[i])
		}
	}
}

// Per-sample losses 0..9 in batches of 4, 4, 2: the epoch loss is their
// sample-weighted mean 4.5, not the mean of batch means (1.5+5.5+8.5)/3 = 5.17.
func TestEpochLossIsSampleWeighted(t *testing.T) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	setParams(t, m, []float64{0}, []float64{0})
	xs, ys := make([][]float64, 10), make([][]float64, 10)
	for i := range xs {
		xs[i] = []float64{0}
		ys[i] = []float64{math.Sqrt(float64(i))} // (0 − √i)² = i
	}
	ds, err := data.FromRows(xs, ys, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 1e-300},
		Epochs: 1, BatchSize: 4, NoShuffle: true, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := h.Epochs[0]; !closeTo(e.TrainLoss, 4.5, 1e-14) || e.Steps != 3 {
		t.Errorf("epoch loss = %.17g over %d steps, want 4.5 over 3", e.TrainLoss, e.Steps)
	}
}

// blobs is a 3-class problem: Gaussian clusters in 4 dimensions.
func blobs(t testing.TB, n int, seed uint64) *data.Dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	xs, labels := make([][]float64, n), make([]int, n)
	for i := range xs {
		c := i % 3
		xs[i] = []float64{float64(c) + 0.5*rng.NormFloat64(), -float64(c) + 0.5*rng.NormFloat64(), rng.NormFloat64(), float64(c * c)}
		labels[i] = c
	}
	ds, err := data.FromLabels(xs, labels, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func fitBlobs(t *testing.T, seed uint64, withVal bool) (*History, [][]float64) {
	t.Helper()
	m, err := model.New(model.MLP{Hidden: []int{16, 8}, Out: 3}, model.Config{Inputs: 4, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Exponential{LR: 0.01, Gamma: 0.9},
		Epochs: 5, BatchSize: 32, Seed: seed, Quiet: true, Metrics: []metrics.Metric{metrics.Accuracy{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var val *data.Dataset
	if withVal {
		val = blobs(t, 60, 99)
	}
	h, err := tr.Fit(ctx, blobs(t, 300, 1), val)
	if err != nil {
		t.Fatal(err)
	}
	for i := range h.Epochs {
		h.Epochs[i].Seconds = 0 // the only field allowed to differ
	}
	return h, params(m)
}

func TestSameSeedSameHistory(t *testing.T) {
	h1, p1 := fitBlobs(t, 3, true)
	h2, p2 := fitBlobs(t, 3, true)
	if !reflect.DeepEqual(h1, h2) || !reflect.DeepEqual(p1, p2) {
		t.Fatalf("same seed gave different runs:\n%+v\n%+v", h1, h2)
	}
	if h1.Epochs[4].LR != 0.01*math.Pow(0.9, 4) {
		t.Errorf("epoch 5 LR = %v, want 0.01·0.9⁴", h1.Epochs[4].LR)
	}
	if h1.Epochs[4].TrainLoss >= h1.Epochs[0].TrainLoss || h1.Epochs[4].ValMetrics["accuracy"] < 0.8 {
		t.Errorf("blobs did not learn: %+v", h1.Epochs)
	}
	h3, _ := fitBlobs(t, 4, true)
	if reflect.DeepEqual(h1, h3) {
		t.Errorf("seeds 3 and 4 gave the same history")
	}
}

// Evaluating a validation set every epoch must not change training at all.
func TestValidationDoesNotLeakIntoTraining(t *testing.T) {
	hv, pv := fitBlobs(t, 5, true)
	hn, pn := fitBlobs(t, 5, false)
	if !reflect.DeepEqual(pv, pn) {
		t.Fatal("weights differ with and without validation")
	}
	for i := range hv.Epochs {
		if hv.Epochs[i].TrainLoss != hn.Epochs[i].TrainLoss {
			t.Errorf("epoch %d train loss %v with validation, %v without", i+1, hv.Epochs[i].TrainLoss, hn.Epochs[i].TrainLoss)
		}
		if math.IsNaN(hv.Epochs[i].ValLoss) || !math.IsNaN(hn.Epochs[i].ValLoss) {
			t.Errorf("epoch %d val loss %v with validation, %v without (want NaN)", i+1, hv.Epochs[i].ValLoss, hn.Epochs[i].ValLoss)
		}
	}
}

func TestPredictComputesTheModel(t *testing.T) {
	m, err := model.New(model.Linear{Out: 2}, model.Config{Inputs: 3, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	setParams(t, m, []float64{1, 2, 3, 4, 5, 6}, []float64{0.5, -1})
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 1, EvalBatchSize: 2, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	x := tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float32{1, 0, 0, 0, 1, 0, 1, 1, 1}))
	out, err := tr.Predict(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1.5, 1, 3.5, 3, 9.5, 11} // x·W + b, with a padded second batch
	if got := dense.Float64s(out); !reflect.DeepEqual(got, want) || !out.Shape().Eq(tensor.Shape{3, 2}) {
		t.Errorf("Predict = %v %v, want %v (3, 2)", got, out.Shape(), want)
	}
}

func TestBadInputReturnsErrors(t *testing.T) {
	m, err := model.New(model.MLP{Hidden: []int{4}, Out: 3}, model.Config{Inputs: 4})
	if err != nil {
		t.Fatal(err)
	}
	good := Config{Loss: losses.CrossEntropy{}, Epochs: 1, BatchSize: 8, Quiet: true}
	for _, c := range []struct {
		name string
		mod  func(*Config)
		want error
		says string
	}{
		{"nil loss", func(c *Config) { c.Loss = nil }, ErrConfig, "Loss"},
		{"epochs 0", func(c *Config) { c.Epochs = 0 }, ErrConfig, "Epochs = 0"},
		{"batch 0", func(c *Config) { c.BatchSize = 0 }, ErrConfig, "BatchSize = 0"},
		{"batch -3", func(c *Config) { c.BatchSize = -3 }, ErrConfig, "BatchSize = -3"},
		{"lr 0", func(c *Config) { c.Schedule = schedulers.Constant{LR: 0} }, ErrConfig, "lr = 0"},
		{"lr -1", func(c *Config) { c.Schedule = schedulers.Constant{LR: -1} }, ErrConfig, "lr = -1"},
		{"adam beta1 1", func(c *Config) { c.Optimizer = optimizers.Adam{Beta1: 1} }, ErrConfig, "Beta1 = 1"},
	} {
		cfg := good
		c.mod(&cfg)
		_, err := New(m, cfg)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error = %v, want %v mentioning %q", c.name, err, c.want, c.says)
		}
	}

	tr, err := New(m, good)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	nan := blobs(t, 30, 1)
	nan.X.Data().([]float32)[4*7+2] = float32(math.NaN())
	wrongFeatures, _ := data.FromLabels([][]float64{{1, 2}}, []int{0}, tensor.Float32)
	outOfRange, _ := data.FromLabels([][]float64{{1, 2, 3, 4}, {1, 2, 3, 4}}, []int{0, 3}, tensor.Float32)
	for _, c := range []struct {
		name string
		ds   *data.Dataset
		says string
	}{
		{"nil", nil, "nil"},
		{"empty", &data.Dataset{}, "nil"},
		{"nan", nan, "row 7"},
		{"features", wrongFeatures, "2 features, the model expects 4"},
		{"label", outOfRange, "row 1 has label 3"},
	} {
		before := params(m)
		_, err := tr.Fit(ctx, c.ds, nil)
		if !errors.Is(err, ErrData) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error = %v, want ErrData mentioning %q", c.name, err, c.says)
		}
		if !reflect.DeepEqual(before, params(m)) {
			t.Errorf("%s: a refused Fit changed the weights", c.name)
		}
	}
	if _, err := tr.Predict(ctx, tensor.New(tensor.WithShape(2, 5), tensor.Of(tensor.Float32))); !errors.Is(err, ErrData) {
		t.Errorf("Predict with 5 features: error = %v, want ErrData", err)
	}
}

// A diverging run stops with ErrNonFinite naming epoch and step, and keeps
// the weights from before the step that went bad.
func TestNonFiniteLossStopsAndKeepsWeights(t *testing.T) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := data.FromRows([][]float64{{1}, {2}, {3}}, [][]float64{{3}, {6}, {9}}, tensor.Float32)
	tr, err := New(m, Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 10},
		Epochs: 1, BatchSize: 3, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var last [][]float64
	for epoch := 1; epoch <= 200; epoch++ {
		last = params(m)
		_, err = tr.Fit(ctx, ds, nil)
		if err != nil {
			if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "epoch ") || !strings.Contains(err.Error(), "step 1") {
				t.Fatalf("error = %v, want ErrNonFinite naming epoch and step", err)
			}
			if !reflect.DeepEqual(params(m), last) {
				t.Fatalf("weights after the error %v, want those from before the step %v", params(m), last)
			}
			return
		}
	}
	t.Fatal("lr 10 never diverged")
}

func TestCancelledContext(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 4})
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 3, BatchSize: 4, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	c, cancel := context.WithCancel(ctx)
	cancel()
	ds, _ := data.FromRows([][]float64{{1, 2, 3, 4}}, [][]float64{{1}}, tensor.Float32)
	h, err := tr.Fit(c, ds, nil)
	if !errors.Is(err, context.Canceled) || len(h.Epochs) != 0 {
		t.Fatalf("Fit on a cancelled context = %d epochs, %v; want 0 and context.Canceled", len(h.Epochs), err)
	}
}

func TestUseAfterClose(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 4, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	tr.Close()
	ds, _ := data.FromRows([][]float64{{1}}, [][]float64{{1}}, tensor.Float32)
	if _, err := tr.Fit(ctx, ds, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Fit after Close: %v, want ErrClosed", err)
	}
	if _, err := tr.Predict(ctx, ds.X); !errors.Is(err, ErrClosed) {
		t.Errorf("Predict after Close: %v, want ErrClosed", err)
	}
	if _, _, err := tr.Evaluate(ctx, ds); !errors.Is(err, ErrClosed) {
		t.Errorf("Evaluate after Close: %v, want ErrClosed", err)
	}
}

// The penalty covers the weights by default, and what Regularized selects
// otherwise: with W = [1, 2, 3, 4, 5, 6] and b = [0.5, -1], L2{0.1} is 9.1
// over W and 9.225 over W and b (the epoch's single step reads it before the
// update).
func TestRegularizedSelectsParameters(t *testing.T) {
	for _, c := range []struct {
		sel  func(*model.Param) bool
		want float64
	}{
		{nil, 0.1 * 91},
		{func(*model.Param) bool { return true }, 0.1 * 92.25},
	} {
		m, _ := model.New(model.Linear{Out: 2}, model.Config{Inputs: 3, Dtype: tensor.Float64})
		setParams(t, m, []float64{1, 2, 3, 4, 5, 6}, []float64{0.5, -1})
		tr, err := New(m, Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: 0.1}},
			Regularized: c.sel, Epochs: 1, BatchSize: 1, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := data.FromRows([][]float64{{1, 1, 1}}, [][]float64{{0, 0}}, tensor.Float64)
		h, err := tr.Fit(ctx, ds, nil)
		tr.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Epochs[0].Penalty; !closeTo(got, c.want, 1e-14) {
			t.Errorf("penalty = %.17g, want %.17g", got, c.want)
		}
	}
	m, _ := model.New(model.Linear{Out: 2}, model.Config{Inputs: 3})
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"selects nothing", Config{Regularizers: []regularizers.Regularizer{regularizers.L1{Lambda: 1}}, Regularized: func(*model.Param) bool { return false }}},
		{"negative lambda", Config{Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: -1}}}},
	} {
		c.cfg.Loss, c.cfg.Epochs, c.cfg.BatchSize = losses.MSE{}, 1, 1
		// Refused by New, not at the first Fit.
		if _, err := New(m, c.cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: New error = %v, want ErrConfig", c.name, err)
		}
	}
}

// Parameters edited between Fit calls (a loaded checkpoint, say) are what the
// next Predict, Evaluate and Fit use.
func TestParamEditsBetweenFitsAreUsed(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Dtype: tensor.Float64, Seed: 2})
	ds, _ := data.FromRows([][]float64{{1}, {2}, {3}}, [][]float64{{3}, {6}, {9}}, tensor.Float64)
	tr, err := New(m, Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 1e-3}, Epochs: 1, BatchSize: 3, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Fit(ctx, ds, nil); err != nil {
		t.Fatal(err)
	}
	setParams(t, m, []float64{3}, []float64{0}) // the exact solution
	out, err := tr.Predict(ctx, tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{1})))
	if err != nil || dense.Float64s(out)[0] != 3 {
		t.Errorf("Predict after editing the weights = %v, %v; want 3", out, err)
	}
	if loss, _, err := tr.Evaluate(ctx, ds); err != nil || loss != 0 {
		t.Errorf("Evaluate after editing the weights = %v, %v; want 0", loss, err)
	}
	h, err := tr.Fit(ctx, ds, nil)
	if err != nil || h.Epochs[0].TrainLoss != 0 || !reflect.DeepEqual(params(m), [][]float64{{3}, {0}}) {
		t.Errorf("Fit from the exact solution: loss %v, params %v, %v; want 0 and unchanged", h.Epochs[0].TrainLoss, params(m), err)
	}
}

// Padding rows of a short batch repeat a real row: a network undefined at
// x = 0 (here log x) trains on 5 positive rows in batches of 4 and 1.
func TestPaddingRowsAreRealRows(t *testing.T) {
	net := model.Func(func(s *model.Scope, x *G.Node) (*G.Node, error) {
		lx, err := G.Log(x)
		if err != nil {
			return nil, err
		}
		return model.Dense{Units: 1}.Build(s, lx, "d")
	})
	m, err := model.New(net, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := data.FromRows([][]float64{{1}, {2}, {3}, {4}, {5}}, [][]float64{{0}, {1}, {2}, {3}, {4}}, tensor.Float32)
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 3, BatchSize: 4, EvalBatchSize: 4, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Fit(ctx, ds, ds); err != nil {
		t.Fatalf("Fit with a short batch through log x: %v", err)
	}
}

// Predict on every size from 1 to 300 rows builds few forward graphs.
func TestEvalGraphCacheIsBounded(t *testing.T) {
	m, _ := model.New(model.MLP{Hidden: []int{8}, Out: 2}, model.Config{Inputs: 3})
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Epochs: 1, BatchSize: 8, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for n := 1; n <= 300; n++ {
		out, err := tr.Predict(ctx, tensor.New(tensor.WithShape(n, 3), tensor.Of(tensor.Float32)))
		if err != nil || !out.Shape().Eq(tensor.Shape{n, 2}) {
			t.Fatalf("Predict(%d rows) = %v, %v", n, out.Shape(), err)
		}
	}
	if len(tr.evals) > 10 {
		t.Errorf("%d forward graphs cached for sizes 1..300, want ≤ 10", len(tr.evals))
	}
}

// An update that overflows the weights (float32, lr 1e39 is +Inf) is undone
// and reported, even though the loss and gradient before it were finite:
// with each of our solvers (which save the weights and check the new ones
// in the update's own pass) and with one of Gorgonia's (a copy before and a
// check after).
func TestOverflowingUpdateIsUndone(t *testing.T) {
	for _, opt := range []optimizers.Optimizer{optimizers.SGD{}, optimizers.SGD{Momentum: 0.9}, optimizers.Adam{}, optimizers.Adam{AMSGrad: true},
		optimizers.AdamW{}, optimizers.RMSProp{}, optimizers.AdaGrad{}, gorgoniaVanilla{}} {
		t.Run(opt.String(), func(t *testing.T) {
			m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
			ds, _ := data.FromRows([][]float64{{1}, {2}}, [][]float64{{3}, {6}}, tensor.Float32)
			tr, err := New(m, Config{Loss: losses.MSE{}, Optimizer: opt, Schedule: schedulers.Constant{LR: 1e39}, Epochs: 1, BatchSize: 2, Quiet: true})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			before := params(m)
			_, err = tr.Fit(ctx, ds, nil)
			if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "epoch 1 step 1") || !strings.Contains(err.Error(), "update") {
				t.Fatalf("error = %v, want ErrNonFinite for the update at epoch 1 step 1", err)
			}
			if !reflect.DeepEqual(params(m), before) {
				t.Errorf("weights %v after the undone step, want %v", params(m), before)
			}
		})
	}
}

// gorgoniaVanilla is Gorgonia's own SGD solver, which has no StepSnapshot.
type gorgoniaVanilla struct{}

func (gorgoniaVanilla) String() string { return "gorgonia-vanilla" }
func (gorgoniaVanilla) Solver(lr float64) (G.Solver, error) {
	return G.NewVanillaSolver(G.WithLearnRate(lr)), nil
}

func TestCustomNetworkMistakesAreConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		net  model.Func
		says string
	}{
		{"no parameters", func(s *model.Scope, x *G.Node) (*G.Node, error) { return x, nil }, "no parameters"},
		{"unused parameter", func(s *model.Scope, x *G.Node) (*G.Node, error) {
			if _, err := s.Param(model.ParamSpec{Name: "unused", Shape: []int{1, 1}}); err != nil {
				return nil, err
			}
			return model.Dense{Units: 1}.Build(s, x, "d")
		}, "every parameter"},
	} {
		m, err := model.New(c.net, model.Config{Inputs: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 1})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error = %v, want ErrConfig mentioning %q", c.name, err, c.says)
		}
	}
}

func TestNilContextAndZeroTrainer(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	tr, _ := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 1})
	ds, _ := data.FromRows([][]float64{{1}}, [][]float64{{1}}, tensor.Float32)
	//lint:ignore SA1012 testing the nil-context guard
	if _, err := tr.Fit(nil, ds, nil); !errors.Is(err, ErrConfig) { //nolint:staticcheck
		t.Errorf("Fit(nil ctx) = %v, want ErrConfig", err)
	}
	var zero Trainer
	if _, err := zero.Fit(ctx, ds, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("zero Trainer Fit = %v, want ErrConfig", err)
	}
}

// Without a terminal the progress output is one summary line per epoch.
func TestProgressWithoutTerminal(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	var buf strings.Builder
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 2, BatchSize: 1, Progress: &buf})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ds, _ := data.FromRows([][]float64{{1}, {2}}, [][]float64{{1}, {2}}, tensor.Float32)
	if _, err := tr.Fit(ctx, ds, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "epoch 1: loss=") || !strings.Contains(lines[1], "steps=2") || strings.Contains(buf.String(), "\r") {
		t.Errorf("progress output %q, want two epoch summary lines", buf.String())
	}
}

// ReduceLROnPlateau on the training loss (no validation set): with a
// threshold no epoch can meet and patience 0, every epoch after the first
// halves the rate.
func TestPlateauReducesTheRate(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 3})
	ds, _ := data.FromRows([][]float64{{1}, {2}, {3}}, [][]float64{{3}, {6}, {9}}, tensor.Float32)
	tr, err := New(m, Config{Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: 1e-3}, Epochs: 4, BatchSize: 3, Quiet: true,
		Callbacks: []Callback{&ReduceLROnPlateau{Config: schedulers.ReduceLROnPlateau{Factor: 0.5, Patience: 0, Threshold: 0.999}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	var lrs []float64
	var reduced []bool
	for _, e := range h.Epochs {
		lrs, reduced = append(lrs, e.LR), append(reduced, e.LRReduced)
	}
	if !reflect.DeepEqual(lrs, []float64{1e-3, 1e-3, 5e-4, 2.5e-4}) || !reflect.DeepEqual(reduced, []bool{false, true, true, true}) {
		t.Errorf("epoch rates %v reduced %v, want [0.001 0.001 0.0005 0.00025] [false true true true]", lrs, reduced)
	}
	bad, err := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 1, Quiet: true,
		Callbacks: []Callback{&ReduceLROnPlateau{Config: schedulers.ReduceLROnPlateau{Factor: 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if _, err := bad.Fit(ctx, ds, nil); !errors.Is(err, ErrConfig) || bad.Steps() != 0 {
		t.Errorf("Plateau Factor 2: Fit error = %v after %d steps, want ErrConfig before any step", err, bad.Steps())
	}
}

// A warm-up longer than the run is refused before training starts.
func TestWarmupLongerThanRun(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	ds, _ := data.FromRows([][]float64{{1}, {2}}, [][]float64{{1}, {2}}, tensor.Float32)
	for _, c := range []struct {
		every  schedulers.Interval
		epochs int
		ok     bool
	}{
		{schedulers.PerEpoch, 5, false}, // 10 warm-up epochs in a 5-epoch run
		{schedulers.PerStep, 5, false},  // 10 warm-up steps in 5 epochs × 2 steps
		{schedulers.PerStep, 6, true},   // 12 steps
	} {
		tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: c.epochs, BatchSize: 1, Quiet: true, ScheduleEvery: c.every,
			Schedule: schedulers.Warmup{Steps: 10, Then: schedulers.Constant{LR: 0.01}}})
		if err != nil {
			t.Fatal(err)
		}
		before := params(m)
		_, err = tr.Fit(ctx, ds, nil)
		tr.Close()
		if c.ok != (err == nil) || (!c.ok && (!errors.Is(err, ErrConfig) || !reflect.DeepEqual(before, params(m)))) {
			t.Errorf("interval %v, %d epochs: error = %v, want ok=%v (ErrConfig, weights untouched)", c.every, c.epochs, err, c.ok)
		}
	}
}

// Clipping acts on the raw gradients before the step: SGD with lr 1 from
// W = 0, b = 0 on one sample x = (3, 4), y = 13 (MSE gradient −2·13·(3, 4)
// and −2·13) moves the parameters by exactly minus the clipped gradient.
func TestGradientClipping(t *testing.T) {
	g := []float64{-78, -104, -26} // dW, dW, db; global norm 2·13·√26
	norm := math.Sqrt(78*78 + 104*104 + 26*26)
	for _, c := range []struct {
		name           string
		value, maxNorm float64
		want           []float64
	}{
		{"none", 0, 0, []float64{78, 104, 26}},
		{"value 30", 30, 0, []float64{30, 30, 26}},
		{"norm 13", 0, 13, []float64{-g[0] * 13 / (norm + 1e-6), -g[1] * 13 / (norm + 1e-6), -g[2] * 13 / (norm + 1e-6)}},
	} {
		m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2, Dtype: tensor.Float64})
		setParams(t, m, []float64{0, 0}, []float64{0})
		tr, err := New(m, Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 1},
			ClipValue: c.value, ClipNorm: c.maxNorm, Epochs: 1, BatchSize: 1, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := data.FromRows([][]float64{{3, 4}}, [][]float64{{13}}, tensor.Float64)
		_, err = tr.Fit(ctx, ds, nil)
		tr.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := append(params(m)[0], params(m)[1]...)
		for i := range got {
			if !closeTo(got[i], c.want[i], 1e-12) {
				t.Errorf("%s: params %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2})
	if _, err := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 1, ClipNorm: -1}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "ClipNorm = -1") {
		t.Errorf("ClipNorm -1: error = %v, want ErrConfig naming it", err)
	}
}

// With class weights the trainer's epoch loss and Evaluate give torch's
// weighted mean Σ w[y]·ℓ / Σ w[y], also across a short padded batch: logits
// are all zero (W = 0, b = 0), so every ℓ = ln 3 and the weighted mean is ln 3
// whatever the weights; a second check uses unequal per-sample losses.
func TestClassWeightedLossMatchesTorchMean(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 3}, model.Config{Inputs: 1, Dtype: tensor.Float64})
	setParams(t, m, []float64{1, 0, 0}, []float64{0, 0, 0}) // logits (x, 0, 0)
	xs := [][]float64{{0}, {1}, {2}, {0}, {3}}
	labels := []int{0, 1, 2, 1, 0}
	ds, _ := data.FromLabels(xs, labels, tensor.Float64)
	weights := []float64{1, 2, 0.5}
	loss := losses.CrossEntropy{ClassWeights: weights}
	tr, err := New(m, Config{Loss: loss, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 1e-300},
		Epochs: 1, BatchSize: 2, EvalBatchSize: 4, NoShuffle: true, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	// Reference: ℓ_i = logsumexp(x_i, 0, 0) − logit[label_i].
	num, den := 0.0, 0.0
	for i, x := range xs {
		lse := math.Log(math.Exp(x[0]) + 2)
		logit := 0.0
		if labels[i] == 0 {
			logit = x[0]
		}
		num += weights[labels[i]] * (lse - logit)
		den += weights[labels[i]]
	}
	h, err := tr.Fit(ctx, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Epochs[0].TrainLoss; !closeTo(got, num/den, 1e-12) {
		t.Errorf("epoch loss = %.17g, want Σw·ℓ/Σw = %.17g", got, num/den)
	}
	if got, _, err := tr.Evaluate(ctx, ds); err != nil || !closeTo(got, num/den, 1e-12) {
		t.Errorf("Evaluate = %.17g, %v; want %.17g", got, err, num/den)
	}
}

func dropoutNet(rate float64) model.Sequential {
	return model.Sequential{Layers: []model.Layer{
		model.Dense{Units: 16}, model.Act{Activation: model.ReLU{}}, model.Dropout{Rate: rate}, model.Dense{Units: 3},
	}}
}

// Dropout is active in training (it changes the run), seeded (the same seed
// gives the same run), and off in Evaluate and Predict (repeatable outputs).
func TestDropoutSeededAndTrainingOnly(t *testing.T) {
	fit := func(rate float64, seed uint64) (*History, *Trainer) {
		m, err := model.New(dropoutNet(rate), model.Config{Inputs: 4, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Epochs: 3, BatchSize: 16, Seed: seed, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		h, err := tr.Fit(ctx, blobs(t, 120, 1), blobs(t, 30, 2))
		if err != nil {
			t.Fatal(err)
		}
		for i := range h.Epochs {
			h.Epochs[i].Seconds = 0
		}
		return h, tr
	}
	h1, tr1 := fit(0.5, 7)
	defer tr1.Close()
	h2, tr2 := fit(0.5, 7)
	defer tr2.Close()
	h3, tr3 := fit(0.5, 8)
	defer tr3.Close()
	h0, tr0 := fit(0, 7)
	defer tr0.Close()
	if !reflect.DeepEqual(h1, h2) {
		t.Error("same seed, dropout 0.5: different histories")
	}
	if reflect.DeepEqual(h1.Epochs[0].TrainLoss, h3.Epochs[0].TrainLoss) {
		t.Error("seeds 7 and 8 gave the same dropout run")
	}
	if h1.Epochs[0].TrainLoss == h0.Epochs[0].TrainLoss {
		t.Error("dropout 0.5 did not change training")
	}
	x := blobs(t, 10, 3).X
	p1, err1 := tr1.Predict(ctx, x)
	p2, err2 := tr1.Predict(ctx, x)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(dense.Float64s(p1), dense.Float64s(p2)) {
		t.Errorf("Predict with dropout layers is not repeatable: %v %v", err1, err2)
	}
	l1, _, _ := tr1.Evaluate(ctx, blobs(t, 30, 2))
	if last, _ := h1.Last(); l1 != last.ValLoss {
		t.Errorf("Evaluate = %v, the last epoch's validation loss = %v: want equal (no dropout in either)", l1, last.ValLoss)
	}
}

// A layer's own regularizer is added to the loss on top of the global ones.
func TestPerLayerRegularizer(t *testing.T) {
	net := model.Sequential{Layers: []model.Layer{model.Dense{Units: 2, Regularizers: []regularizers.Regularizer{regularizers.L1{Lambda: 0.5}}}}}
	m, err := model.New(net, model.Config{Inputs: 3, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	setParams(t, m, []float64{1, -2, 3, -4, 5, -6}, []float64{7, 8})
	tr, err := New(m, Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: 0.01}},
		Epochs: 1, BatchSize: 1, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ds, _ := data.FromRows([][]float64{{0, 0, 0}}, [][]float64{{0, 0}}, tensor.Float64)
	h, err := tr.Fit(ctx, ds, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.5*21 + 0.01*91 // L1 of the layer's W + the global L2 of W; biases untouched
	if got := h.Epochs[0].Penalty; !closeTo(got, want, 1e-14) {
		t.Errorf("penalty = %.17g, want %.17g", got, want)
	}
}
