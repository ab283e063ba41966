package diagnose

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// regRows returns n rows of f standard-normal features with the target
// y = Σ_j (j+1)·x_j / f (easy to fit), from seed.
func regRows(n, f int, seed uint64) (xs, ys [][]float64) {
	rng := rand.New(rand.NewPCG(seed, 5))
	for i := 0; i < n; i++ {
		x := make([]float64, f)
		y := 0.0
		for j := range x {
			x[j] = rng.NormFloat64()
			y += float64(j+1) * x[j] / float64(f)
		}
		xs, ys = append(xs, x), append(ys, []float64{y})
	}
	return xs, ys
}

func mustRows(t *testing.T, xs, ys [][]float64) *data.Dataset {
	t.Helper()
	ds, err := data.FromRows(xs, ys, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// paramBits returns the exact bits of every parameter value.
func paramBits(m *model.Model) [][]uint64 {
	var out [][]uint64
	for _, p := range m.Params() {
		var bs []uint64
		for _, v := range dense.Float64s(p.Value) {
			bs = append(bs, math.Float64bits(v))
		}
		out = append(out, bs)
	}
	return out
}

// regCfg trains an MLP regressor quickly.
var regCfg = trainer.Config{Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: 1e-2}, Epochs: 10, BatchSize: 32}

func regModel(t *testing.T, features int) *model.Model {
	t.Helper()
	m, err := model.New(model.MLP{Hidden: []int{32}, Out: 1}, model.Config{Inputs: features, Dtype: tensor.Float64, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPreflightLeakage(t *testing.T) {
	xs, ys := regRows(100, 3, 1)
	vx, vy := regRows(40, 3, 2)
	// Validation rows 3, 10, … are copies of training rows 5, 0, …
	copies := map[int]int{3: 5, 10: 0, 11: 99, 20: 42, 25: 42, 33: 7, 39: 63}
	for v, tr := range copies {
		vx[v], vy[v] = append([]float64(nil), xs[tr]...), []float64{-1} // the target does not matter
	}
	ds, err := Preflight(ctx, regModel(t, 3), regCfg, mustRows(t, xs, ys), mustRows(t, vx, vy), PreflightOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(ds); !reflect.DeepEqual(got, []Kind{Leakage}) {
		t.Fatalf("kinds = %v, want [data_leakage]\n%v", got, ds)
	}
	d := ds[0]
	if want := "validation rows 3, 10, 11, 20, 25, 33, 39 (0-based)"; d.Where != want {
		t.Errorf("Where = %q, want %q", d.Where, want)
	}
	want := map[string]float64{"shared_rows": 7, "val_rows": 40, "fraction": 7.0 / 40, "first_val_row": 3, "first_train_row": 5}
	if !reflect.DeepEqual(d.Measures, want) {
		t.Errorf("Measures = %v, want %v", d.Measures, want)
	}
	if !strings.Contains(d.Evidence, "7 of 40 validation rows (17.5%)") {
		t.Errorf("Evidence = %q", d.Evidence)
	}
	// -0 and +0 are the same feature value.
	vx2 := [][]float64{{math.Copysign(0, -1), 1, 2}}
	ds, err = Preflight(ctx, regModel(t, 3), regCfg, mustRows(t, append(xs, []float64{0, 1, 2}), append(ys, []float64{0})), mustRows(t, vx2, [][]float64{{0}}), PreflightOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := find(ds, Leakage); !ok || d.Measures["shared_rows"] != 1 {
		t.Errorf("−0 row: %v, want one shared row", ds)
	}
}

// colStd is a column's population standard deviation, two-pass.
func colStd(xs [][]float64, j int) float64 {
	m := 0.0
	for _, r := range xs {
		m += r[j]
	}
	m /= float64(len(xs))
	s := 0.0
	for _, r := range xs {
		s += (r[j] - m) * (r[j] - m)
	}
	return math.Sqrt(s / float64(len(xs)))
}

func TestPreflightUnscaled(t *testing.T) {
	base, ys := regRows(200, 4, 3)
	scaled := func(edit func(r []float64, i int)) [][]float64 {
		out := make([][]float64, len(base))
		for i, r := range base {
			out[i] = append([]float64(nil), r...)
			edit(out[i], i)
		}
		return out
	}
	cases := []struct {
		name      string
		xs        [][]float64
		names     []string
		wantWhere string // "" → no diagnosis at all
		evidence  []string
		col       int
	}{
		{name: "standardized", xs: base},
		{name: "column ×1e4", xs: scaled(func(r []float64, _ int) { r[1] *= 1e4 }), wantWhere: "column 1", col: 1,
			evidence: []string{"column 1: values up to ±", "(limit 1000)", "× that of column "}},
		{name: "named", xs: scaled(func(r []float64, _ int) { r[1] *= 1e4 }), names: []string{"age", "income", "height", "weight"}, wantWhere: "income", col: 1,
			evidence: []string{"income: values up to ±"}},
		{name: "offset (a year)", xs: scaled(func(r []float64, _ int) { r[2] = 2010 + 6*r[2] }), wantWhere: "column 2", col: 2,
			evidence: []string{"column 2: values up to ±", "standard deviations", "from 0 (limit 10)"}},
		{name: "spread ×300", xs: scaled(func(r []float64, _ int) { r[3] *= 300 }), wantWhere: "column 3", col: 3,
			evidence: []string{"column 3: standard deviation", "; limit 100×)"}},
		// Sparse (non-zero in 1 row of 10, tiny values) and constant columns are not unscaled.
		{name: "sparse and constant", xs: scaled(func(r []float64, i int) {
			r[0] = 0
			if i%10 == 0 {
				r[0] = 0.004
			}
			r[3] = 7
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := Preflight(ctx, regModel(t, 4), regCfg, mustRows(t, c.xs, ys), nil, PreflightOptions{FeatureNames: c.names})
			if err != nil {
				t.Fatal(err)
			}
			if c.wantWhere == "" {
				if ds != nil {
					t.Fatalf("unexpected %v", ds)
				}
				return
			}
			if len(ds) != 1 || ds[0].Kind != Unscaled || ds[0].Where != c.wantWhere {
				t.Fatalf("diagnoses %v, want only unscaled_features at %q", ds, c.wantWhere)
			}
			d := ds[0]
			name := c.wantWhere
			if got, want := d.Measures[name+".std"], colStd(c.xs, c.col); !closeTo(got, want, 1e-12) {
				t.Errorf("Measures[%s.std] = %v, want %v", name, got, want)
			}
			for _, part := range c.evidence {
				if !strings.Contains(d.Evidence, part) {
					t.Errorf("Evidence %q lacks %q", d.Evidence, part)
				}
			}
		})
	}
}

// A ReLU layer whose bias is −100 is dead on every input: no gradient
// reaches it or anything before it, nor the output weight after it. The
// regularizers (trainer-wide and the layer's own), which would give the
// weights a gradient, are left out of the check and put back.
func TestPreflightNoGradient(t *testing.T) {
	l2 := []regularizers.Regularizer{regularizers.L2{Lambda: 1e-3}}
	m, err := model.New(model.Sequential{Layers: []model.Layer{
		model.Dense{Units: 8}, model.Act{Activation: model.ReLU{}},
		model.Dense{Units: 8, BiasInit: model.Constant{Value: -100}, Regularizers: l2}, model.Act{Activation: model.ReLU{}},
		model.Dense{Units: 1},
	}}, model.Config{Inputs: 3, Dtype: tensor.Float64, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := regRows(64, 3, 4)
	before := paramBits(m)
	cfg := regCfg
	cfg.Regularizers = l2
	ds, err := Preflight(ctx, m, cfg, mustRows(t, xs, ys), nil, PreflightOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The network outputs its last bias only: it cannot overfit either.
	if got := kinds(ds); !reflect.DeepEqual(got, []Kind{NoGradient, PreflightFailed}) {
		t.Fatalf("kinds = %v, want [no_gradient preflight]\n%v", got, ds)
	}
	d := ds[0]
	if want := "parameters layer0/W, layer0/b, layer2/W, layer2/b, layer4/W"; d.Where != want {
		t.Errorf("Where = %q, want %q", d.Where, want)
	}
	if d.Measures["zero_params"] != 5 || d.Measures["params"] != 6 || d.Measures["rows"] != 32 {
		t.Errorf("Measures = %v, want 5 of 6 parameters on 32 rows", d.Measures)
	}
	if !strings.Contains(d.Evidence, "every unit ≤ 0 on every row in layer3/relu") {
		t.Errorf("Evidence %q does not name the dead activation", d.Evidence)
	}
	if !reflect.DeepEqual(paramBits(m), before) {
		t.Error("Preflight changed the model's parameters")
	}
	if r := m.Params()[2].Regularizers; len(r) != 1 || r[0] != l2[0] {
		t.Errorf("layer2/W regularizers = %v, want them restored", r)
	}
}

// Preflight trains copies: with dropout, regularizers and Adam, the
// model's parameters come back bit for bit, and training afterwards gives
// what it gives without Preflight.
func TestPreflightRestoresParams(t *testing.T) {
	xs, ys := regRows(80, 5, 6)
	train := mustRows(t, xs, ys)
	net := model.Sequential{Layers: []model.Layer{
		model.Dense{Units: 16}, model.Act{Activation: model.ReLU{}}, model.Dropout{Rate: 0.2}, model.Dense{Units: 1}}}
	cfg := regCfg
	cfg.Regularizers = []regularizers.Regularizer{regularizers.L2{Lambda: 1e-3}}
	fitted := func(pre bool) [][]uint64 {
		m, err := model.New(net, model.Config{Inputs: 5, Dtype: tensor.Float64, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		if pre {
			before := paramBits(m)
			if _, err := Preflight(ctx, m, cfg, train, nil, PreflightOptions{Seed: 4}); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(paramBits(m), before) {
				t.Fatal("Preflight changed the model's parameters")
			}
		}
		c := cfg
		c.Quiet = true
		tr, err := trainer.New(m, c)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		if _, err := tr.Fit(ctx, train, nil); err != nil {
			t.Fatal(err)
		}
		return paramBits(m)
	}
	if !reflect.DeepEqual(fitted(true), fitted(false)) {
		t.Error("training after Preflight differs from training without it")
	}
}

// The torch sigmoid MLP: its initial loss (1.4× ln 3) passes, it cannot
// overfit its 64 rows in 100 Adam steps (torch's losses, to 1e-9), and
// with its output layer ×30 its initial loss is flagged.
func TestPreflightSigmoid10LikeTorch(t *testing.T) {
	f := loadTorch(t)
	s := f.Sigmoid10
	cfg := trainer.Config{Loss: losses.CrossEntropy{}, Epochs: 1, BatchSize: 64} // Adam at 1e-3, the defaults
	opts := PreflightOptions{InitRows: 64, OverfitRows: 64, OverfitSteps: s.Overfit.Steps}
	m, train := sigmoid10Model(t, f)
	ds, err := Preflight(ctx, m, cfg, train, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(ds); !reflect.DeepEqual(got, []Kind{PreflightFailed}) {
		t.Fatalf("kinds = %v, want [preflight]\n%v", got, ds)
	}
	for k, want := range map[string]float64{"initial_loss": s.Loss, "final_loss": s.Overfit.FinalLoss, "floor": 0,
		"left": s.Overfit.FinalLoss / s.Loss, "steps": 100, "rows": 64, "lr": s.Overfit.LR} {
		if got := ds[0].Measures[k]; !closeTo(got, want, 1e-9) {
			t.Errorf("Measures[%q] = %.17g, want %.17g (torch)", k, got, want)
		}
	}

	last := len(s.Weights) - 1
	for _, p := range []int{2 * last, 2*last + 1} {
		vals := dense.Float64s(m.Params()[p].Value)
		for j := range vals {
			vals[j] *= s.ScaledOut.Factor
		}
		setParam(t, m, p, vals)
	}
	ds, err = Preflight(ctx, m, cfg, train, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := find(ds, BadInit)
	if !ok || ds[0].Kind != BadInit {
		t.Fatalf("diagnoses %v, want bad_initialization first", ds)
	}
	lnC := math.Log(3)
	for k, want := range map[string]float64{"initial_loss": s.ScaledOut.Loss, "chance_loss": lnC, "ratio": s.ScaledOut.Loss / lnC, "rows": 64} {
		if got := d.Measures[k]; !closeTo(got, want, 1e-9) {
			t.Errorf("Measures[%q] = %.17g, want %.17g (torch)", k, got, want)
		}
	}
	if !strings.Contains(d.Evidence, fmt.Sprintf("initial loss %s is %s× ln 3 = 1.099", num(s.ScaledOut.Loss), num(s.ScaledOut.Loss/lnC))) {
		t.Errorf("Evidence = %q", d.Evidence)
	}
}

// The floors and the zero-logit losses match torch's.
func TestLossFloorLikeTorch(t *testing.T) {
	for i, c := range loadTorch(t).Floors {
		var l losses.Loss
		var tg targets
		outputs := c.Classes
		switch c.Loss {
		case "cross_entropy":
			l = losses.CrossEntropy{LabelSmoothing: c.LabelSmoothing, ClassWeights: c.ClassWeights}
		case "bce_with_logits":
			l = &losses.BCEWithLogits{PosWeight: c.PosWeight} // a pointer works too
			outputs = len(c.Probs[0])
		default:
			t.Fatalf("unknown loss %q", c.Loss)
		}
		if c.Labels != nil {
			tg = targets{n: len(c.Labels), k: 1}
			for _, y := range c.Labels {
				tg.y = append(tg.y, float64(y))
			}
		} else {
			tg = targets{n: len(c.Probs), k: len(c.Probs[0])}
			for _, r := range c.Probs {
				tg.y = append(tg.y, r...)
			}
		}
		if got := lossFloor(l, tg, outputs); !closeTo(got, c.Floor, 1e-12) {
			t.Errorf("case %d (%s): floor %.17g, want %.17g (torch)", i, c.Loss, got, c.Floor)
		}
		if c.Chance != 0 {
			if got, _, ok := chanceLoss(l, tg, outputs); !ok || !closeTo(got, c.Chance, 1e-12) {
				t.Errorf("case %d: chance loss %.17g (%t), want %.17g (torch)", i, got, ok, c.Chance)
			}
		}
	}
	if got, formula, ok := chanceLoss(losses.CrossEntropy{}, targets{}, 10); !ok || got != math.Log(10) || formula != "ln 10" {
		t.Errorf("cross-entropy chance = %v %q %t, want ln 10", got, formula, ok)
	}
	if _, _, ok := chanceLoss(losses.MSE{}, targets{}, 1); ok {
		t.Error("MSE has a chance loss")
	}
}

func TestPreflightErrors(t *testing.T) {
	xs, ys := regRows(20, 3, 1)
	train := mustRows(t, xs, ys)
	m := regModel(t, 3)
	wide := mustRows(t, [][]float64{{1, 2}}, [][]float64{{1}})
	var nilCtx context.Context // the misuse under test
	cases := []struct {
		name string
		run  func() ([]Diagnosis, error)
		want string
	}{
		{"nil context", func() ([]Diagnosis, error) { return Preflight(nilCtx, m, regCfg, train, nil, PreflightOptions{}) }, "nil context"},
		{"nil model", func() ([]Diagnosis, error) { return Preflight(ctx, nil, regCfg, train, nil, PreflightOptions{}) }, "nil model"},
		{"nil train", func() ([]Diagnosis, error) { return Preflight(ctx, m, regCfg, nil, nil, PreflightOptions{}) }, "training set is nil or empty"},
		{"features", func() ([]Diagnosis, error) { return Preflight(ctx, m, regCfg, wide, nil, PreflightOptions{}) }, "training set has 2 features, the model expects 3"},
		{"val features", func() ([]Diagnosis, error) { return Preflight(ctx, m, regCfg, train, wide, PreflightOptions{}) }, "validation set has 2 features"},
		{"config", func() ([]Diagnosis, error) {
			c := regCfg
			c.Epochs = 0
			return Preflight(ctx, m, c, train, nil, PreflightOptions{})
		}, "Epochs = 0, want ≥ 1"},
		{"InitLossRatio", func() ([]Diagnosis, error) {
			return Preflight(ctx, m, regCfg, train, nil, PreflightOptions{InitLossRatio: 0.5})
		}, "InitLossRatio = 0.5, want a finite value > 1"},
		{"OverfitRatio", func() ([]Diagnosis, error) {
			return Preflight(ctx, m, regCfg, train, nil, PreflightOptions{OverfitRatio: 1})
		}, "OverfitRatio = 1, want 0 < ratio < 1"},
		{"GradRows", func() ([]Diagnosis, error) {
			return Preflight(ctx, m, regCfg, train, nil, PreflightOptions{GradRows: -1})
		}, "GradRows = -1"},
		{"SpreadRatio", func() ([]Diagnosis, error) {
			return Preflight(ctx, m, regCfg, train, nil, PreflightOptions{SpreadRatio: 0.5})
		}, "SpreadRatio = 0.5"},
		{"FeatureNames", func() ([]Diagnosis, error) {
			return Preflight(ctx, m, regCfg, train, nil, PreflightOptions{FeatureNames: []string{"a"}})
		}, "FeatureNames has 1 names, want one per feature (3)"},
	}
	for _, c := range cases {
		ds, err := c.run()
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) || ds != nil {
			t.Errorf("%s: %v, %v; want ErrConfig containing %q", c.name, ds, err, c.want)
		}
	}
}
