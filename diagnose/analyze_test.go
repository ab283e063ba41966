package diagnose

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/trainer"
)

// hist builds a History from per-epoch losses (val nil: not validated).
func hist(train, val []float64, mons ...trainer.StepMonitor) *trainer.History {
	h := &trainer.History{Monitor: mons}
	for i, l := range train {
		e := trainer.EpochStats{Epoch: i + 1, TrainLoss: l, ValLoss: math.NaN(), LR: 0.01, Steps: 10}
		if val != nil {
			e.ValLoss, e.ValMetrics = val[i], map[string]float64{}
		}
		h.Epochs = append(h.Epochs, e)
	}
	return h
}

// mlpMon is a monitored step of a 3-layer MLP: weight gradient norms g,
// update ratios r (for all three weights), one ReLU layer's dead fraction.
func mlpMon(step int, loss, lr float64, g, r [3]float64, dead float64) trainer.StepMonitor {
	m := trainer.StepMonitor{Epoch: 1 + step/100, Step: step, Loss: loss, LR: lr}
	total := 0.0
	for i, name := range []string{"dense0", "dense1", "dense2"} {
		// Biases: tiny norms and wild ratios, which the checks must ignore.
		m.Params = append(m.Params,
			trainer.ParamStats{Name: name + "/W", Decay: true, GradNorm: g[i], WeightNorm: 5, UpdateRatio: r[i]},
			trainer.ParamStats{Name: name + "/b", GradNorm: g[i] / 1e6, WeightNorm: 0.01, UpdateRatio: 3})
		total += g[i] * g[i]
	}
	m.GradNorm = math.Sqrt(total)
	m.Activations = []trainer.ActivationStats{{Name: "dense0/relu", Units: 128, DeadFraction: dead}, {Name: "dense1/relu", Units: 64, DeadFraction: 0.05}}
	return m
}

var healthyRatio = [3]float64{1e-3, 2e-3, 1.5e-3}

func TestAnalyzeHandBuilt(t *testing.T) {
	ok := [3]float64{0.3, 0.5, 0.8}
	cases := []struct {
		name      string
		h         *trainer.History
		opts      Options
		want      []Kind
		wantWhere string
		measures  map[string]float64
		evidence  []string
	}{
		{name: "healthy", h: hist([]float64{0.8, 0.4, 0.3}, []float64{0.5, 0.35, 0.3},
			mlpMon(1, 2.3, 1e-3, ok, healthyRatio, 0.01), mlpMon(51, 0.9, 1e-3, ok, healthyRatio, 0.05), mlpMon(101, 0.5, 1e-3, ok, healthyRatio, 0.05)),
			opts: Options{Classes: 10}},
		{name: "nil history", h: nil},
		// Validation loss bottoms out at epoch 5, then rises for 5 epochs while training loss falls.
		{name: "overfitting", h: hist(
			[]float64{1.0, 0.8, 0.6, 0.5, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15},
			[]float64{1.1, 0.9, 0.7, 0.6, 0.55, 0.58, 0.62, 0.66, 0.71, 0.77}),
			want: []Kind{Overfitting}, wantWhere: "epochs 6–10",
			measures: map[string]float64{"best_epoch": 5, "last_epoch": 10, "val_best": 0.55, "val_last": 0.77, "train_best": 0.4, "train_last": 0.15,
				"gap_best": 0.55 - 0.4, "gap_last": 0.77 - 0.15, "rise": (0.77 - 0.55) / 0.55, "epochs_after_best": 5},
			evidence: []string{"from 0.55 at epoch 5 (its minimum) to 0.77 at epoch 10 (+40.0%)", "widened from 0.15 to 0.62"}},
		{name: "validation still falling", h: hist([]float64{1, 0.8, 0.6, 0.5}, []float64{1.1, 0.9, 0.8, 0.75})},
		{name: "rise shorter than patience", h: hist([]float64{1, 0.8, 0.6, 0.5}, []float64{1.1, 0.9, 1.0, 1.1})},
		{name: "rise of 2 epochs, patience 2", h: hist([]float64{1, 0.8, 0.6, 0.5}, []float64{1.1, 0.9, 1.0, 1.1}), opts: Options{Patience: 2},
			want: []Kind{Overfitting}, wantWhere: "epochs 3–4", measures: map[string]float64{"best_epoch": 2, "rise": 0.2 / 0.9}},
		{name: "both rising", h: hist([]float64{1, 0.8, 0.9, 0.95, 1.0}, []float64{1.1, 0.9, 1.0, 1.1, 1.2})},
		{name: "vanishing", h: hist([]float64{1.1, 1.0, 0.9}, nil, mlpMon(1, 1.1, 1e-3, [3]float64{1e-7, 1e-5, 1e-1}, healthyRatio, 0)),
			want: []Kind{Vanishing}, wantWhere: "layers dense0/W, dense1/W",
			measures: map[string]float64{"ratio": 1e-6, "first_grad_norm": 1e-7, "output_grad_norm": 0.1, "layers": 2, "monitored_steps": 1},
			evidence: []string{"dense0/W 1e-07, dense1/W 1e-05, dense2/W 0.1 (output layer)", "dense0/W gets 1e-06× the output layer's"}},
		{name: "vanishing, medians", h: hist([]float64{1.1, 1.0, 0.9}, nil,
			mlpMon(1, 1.1, 1e-3, [3]float64{1e-7, 0.5, 1e-1}, healthyRatio, 0),
			mlpMon(51, 1.0, 1e-3, [3]float64{3e-5, 0.5, 2e-1}, healthyRatio, 0),
			mlpMon(101, 0.9, 1e-3, [3]float64{2e-5, 0.5, 3e-1}, healthyRatio, 0)),
			want: []Kind{Vanishing}, wantWhere: "layers dense0/W", measures: map[string]float64{"ratio": 2e-5 / 2e-1, "layers": 1, "monitored_steps": 3}},
		{name: "gradients falling 100× only", h: hist([]float64{1.1, 1.0, 0.9}, nil, mlpMon(1, 1.1, 1e-3, [3]float64{1e-3, 1e-2, 1e-1}, healthyRatio, 0))},
		{name: "dead relu", h: hist([]float64{1.1, 1.0, 0.9}, nil,
			mlpMon(1, 1.1, 1e-3, ok, healthyRatio, 0.2), mlpMon(51, 1.0, 1e-3, ok, healthyRatio, 0.9),
			mlpMon(101, 1.0, 1e-3, ok, healthyRatio, 0.95), mlpMon(151, 0.9, 1e-3, ok, healthyRatio, 0.9)),
			want: []Kind{DeadReLU}, wantWhere: "activations dense0/relu",
			measures: map[string]float64{"dense0/relu.dead_fraction": 0.9, "dense0/relu.min_dead_fraction": 0.9, "dense0/relu.units": 128, "threshold": 0.5},
			evidence: []string{"dense0/relu: 90.0% of its 128 units dead at step 151, at least 90.0% at each of the last 3 monitored steps (steps 51, 101, 151)"}},
		{name: "dead on one batch only", h: hist([]float64{1.1, 1.0, 0.9}, nil,
			mlpMon(1, 1.1, 1e-3, ok, healthyRatio, 0.9), mlpMon(51, 1.0, 1e-3, ok, healthyRatio, 0.2), mlpMon(101, 0.9, 1e-3, ok, healthyRatio, 0.9))},
		{name: "lr too high", h: hist([]float64{1.1, 1.0, 0.9}, nil,
			mlpMon(1, 1.1, 0.1, ok, [3]float64{0.5, 1e-3, 1e-3}, 0), mlpMon(51, 1.0, 0.1, ok, [3]float64{0.6, 1e-3, 1e-3}, 0),
			mlpMon(101, 0.9, 0.1, ok, [3]float64{0.4, 1e-3, 1e-3}, 0)),
			want: []Kind{BadLR}, wantWhere: "layers dense0/W",
			measures: map[string]float64{"dense0/W.update_ratio": 0.5, "suggested_lr": 0.1 * 1e-3 / 0.5, "limit": 0.1},
			evidence: []string{"dense0/W 0.5; healthy ≈ 0.001, flagged above 0.1"}},
		{name: "lr too low", h: hist([]float64{1.1, 1.0, 0.9}, nil,
			mlpMon(1, 1.1, 1e-4, ok, [3]float64{1e-6, 2e-6, 1e-3}, 0), mlpMon(51, 1.0, 1e-4, ok, [3]float64{1e-6, 2e-6, 1e-3}, 0)),
			want: []Kind{BadLR}, wantWhere: "layers dense0/W, dense1/W",
			measures: map[string]float64{"dense0/W.update_ratio": 1e-6, "dense1/W.update_ratio": 2e-6, "suggested_lr": 1e-4 * 1e-3 / 1e-6}},
		{name: "chance", h: hist([]float64{2.35, 2.31, 2.30}, nil), opts: Options{Classes: 10},
			want: []Kind{Underfitting}, wantWhere: "epoch 3",
			measures: map[string]float64{"loss": 2.30, "ln_c": math.Log(10), "ratio": 2.30 / math.Log(10), "classes": 10},
			evidence: []string{"training loss 2.3 after epoch 3 is 99.9% of ln 10 = 2.303"}},
		{name: "flat", h: hist([]float64{0.500, 0.499, 0.498}, nil),
			want: []Kind{Underfitting}, wantWhere: "epochs 1–3", measures: map[string]float64{"first_loss": 0.5, "loss": 0.498, "drop": 1 - 0.498/0.5, "spread": 0.002 / 0.5}},
		{name: "flat at the ends only", h: hist([]float64{0.500, 0.3, 0.498}, nil)},
		{name: "loss growth", h: hist([]float64{1.0, 0.5, 20}, nil),
			want: []Kind{Exploding}, wantWhere: "epoch 3",
			measures: map[string]float64{"epoch": 3, "loss": 20, "best_loss": 0.5, "best_epoch": 2, "first_loss": 1, "factor": 40}},
		{name: "loss back up but below the first", h: hist([]float64{1.0, 0.2, 0.9}, nil)},
		{name: "gradient norm growth", h: hist([]float64{1.1, 1.5}, nil,
			mlpMon(1, 1, 1e-3, [3]float64{0.1, 0.2, 1}, healthyRatio, 0), mlpMon(51, 1.2, 1e-3, [3]float64{0.5, 1, 5}, healthyRatio, 0),
			mlpMon(101, 1.5, 1e-3, [3]float64{5, 10, 50}, healthyRatio, 0), mlpMon(151, 3, 1e-3, [3]float64{50, 100, 500}, healthyRatio, 0)),
			want: []Kind{Exploding}, wantWhere: "steps 1–151 (epochs 1–2), layer dense2/W",
			measures: map[string]float64{"norm_factor": 500, "layer_grad_norm": 500, "step": 151, "loss_from": 1, "loss": 3}},
		{name: "gradient norm growth, loss falling", h: hist([]float64{1.1, 1.0}, nil,
			mlpMon(1, 3, 1e-3, [3]float64{0.1, 0.2, 1}, healthyRatio, 0), mlpMon(51, 1.5, 1e-3, [3]float64{0.5, 1, 5}, healthyRatio, 0),
			mlpMon(101, 1.2, 1e-3, [3]float64{5, 10, 50}, healthyRatio, 0), mlpMon(151, 1, 1e-3, [3]float64{50, 100, 500}, healthyRatio, 0))},
		{name: "infinite validation loss", h: hist([]float64{1.0, 0.9}, []float64{1.0, math.Inf(1)}),
			want: []Kind{Exploding}, wantWhere: "epoch 2", measures: map[string]float64{"epoch": 2, "loss": 0.9}},
		{name: "invalid options", h: hist([]float64{1}, nil), opts: Options{Patience: -1},
			want: []Kind{BadOptions}, wantWhere: "diagnose.Options", evidence: []string{"Patience = -1, want ≥ 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := Analyze(c.h, c.opts)
			if got := kinds(ds); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("kinds = %v, want %v\n%v", got, c.want, ds)
			}
			if len(ds) == 0 {
				return
			}
			d := ds[0]
			if d.Where != c.wantWhere {
				t.Errorf("Where = %q, want %q", d.Where, c.wantWhere)
			}
			for k, want := range c.measures {
				if got, ok := d.Measures[k]; !ok || !closeTo(got, want, 1e-12) {
					t.Errorf("Measures[%q] = %v (present %t), want %v", k, got, ok, want)
				}
			}
			for _, part := range c.evidence {
				if !strings.Contains(d.Evidence, part) {
					t.Errorf("Evidence %q lacks %q", d.Evidence, part)
				}
			}
			if d.Cause == "" || d.Fix == "" {
				t.Errorf("empty Cause or Fix: %+v", d)
			}
		})
	}
}

// Weights selects the matrices; a model whose names follow no convention
// is judged on all its parameters.
func TestAnalyzeWeightsSelector(t *testing.T) {
	mon := trainer.StepMonitor{Step: 1, Loss: 1, LR: 1e-3, Params: []trainer.ParamStats{
		{Name: "w_in", GradNorm: 1e-8}, {Name: "b_in", GradNorm: 1e-4}, {Name: "w_out", GradNorm: 1}}}
	for _, c := range []struct {
		name      string
		weights   func(string) bool
		wantWhere string
	}{
		{"all parameters", nil, "layers w_in, b_in"},
		{"selector", func(n string) bool { return strings.HasPrefix(n, "w_") }, "layers w_in"},
	} {
		ds := Analyze(hist([]float64{1, 0.9, 0.8}, nil, mon), Options{Weights: c.weights})
		if len(ds) != 1 || ds[0].Kind != Vanishing || ds[0].Where != c.wantWhere {
			t.Errorf("%s: %v, want one vanishing diagnosis at %q", c.name, ds, c.wantWhere)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{}, ""},
		{Options{Classes: 10, Patience: 5, VanishingRatio: 1e-4}, ""},
		{Options{Classes: 1}, "Classes = 1, want 0 (unknown) or ≥ 2"},
		{Options{Classes: -3}, "Classes = -3"},
		{Options{ChanceMargin: 1}, "ChanceMargin = 1, want 0 ≤ margin < 1"},
		{Options{FlatEpochs: 1}, "FlatEpochs = 1, want ≥ 2"},
		{Options{FlatDrop: -0.1}, "FlatDrop = -0.1"},
		{Options{Patience: -1}, "Patience = -1, want ≥ 1"},
		{Options{MinRise: math.NaN()}, "MinRise = NaN"},
		{Options{VanishingRatio: 2}, "VanishingRatio = 2, want 0 < ratio < 1"},
		{Options{DeadFraction: 1.5}, "DeadFraction = 1.5"},
		{Options{DeadSteps: -1}, "DeadSteps = -1"},
		{Options{UpdateRatioLow: 0.5}, "UpdateRatioLow = 0.5, UpdateRatioHigh = 0.1, want 0 < low < high"},
		{Options{Divergence: Divergence{NormSteps: -1}}, "Divergence.NormSteps = -1"},
	} {
		err := c.o.Validate()
		if c.want == "" {
			if err != nil {
				t.Errorf("%+v: %v, want nil", c.o, err)
			}
			continue
		}
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want ErrConfig containing %q", err, c.want)
		}
	}
}
