package diagnose

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// lossRuleStop applies Divergence's documented loss rule to a loss
// trajectory: the first 1-based step whose debiased EMA exceeds factor ×
// the smallest earlier one and the first loss; 0 if none.
func lossRuleStop(ls []float64, factor, beta float64) (step int, smoothed, best float64) {
	avg, best := 0.0, math.Inf(1)
	for i, l := range ls {
		avg = beta*avg + (1-beta)*l
		s := avg / (1 - math.Pow(beta, float64(i+1)))
		if i > 0 && s > factor*best && s > ls[0] {
			return i + 1, s, best
		}
		best = math.Min(best, s)
	}
	return 0, 0, 0
}

// The seed's linear regression at lr 10 (torch's data and initial
// weights, float64): the watchdog stops it at the step where torch's own
// losses meet the loss rule — within a few steps — and its error and
// diagnosis quote torch's numbers.
func TestWatchdogStopsLinregLikeTorch(t *testing.T) {
	f := loadTorch(t)
	for _, c := range []linregCase{f.LinregAdam, f.LinregSGD} {
		t.Run(c.Optimizer, func(t *testing.T) {
			wantStep, wantSmoothed, wantBest := lossRuleStop(c.Loss, 4, 0.98)
			if wantStep < 2 || wantStep > 3 {
				t.Fatalf("torch's losses %v meet the rule at step %d, want 2 or 3 (golden file changed?)", c.Loss, wantStep)
			}
			m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Dtype: tensor.Float64})
			if err != nil {
				t.Fatal(err)
			}
			setParam(t, m, 0, []float64{c.W0})
			setParam(t, m, 1, []float64{c.B0})
			opt := map[string]optimizers.Optimizer{"adam": optimizers.Adam{}, "sgd": optimizers.SGD{}}[c.Optimizer]
			w := &Watchdog{}
			tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Optimizer: opt, Schedule: schedulers.Constant{LR: c.LR},
				Epochs: 50, BatchSize: 100, NoShuffle: true, Quiet: true, MonitorEvery: 1, Callbacks: []trainer.Callback{w}})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			h, err := tr.Fit(ctx, linregData(t, c), nil)
			if !errors.Is(err, ErrDiverged) {
				t.Fatalf("Fit error = %v, want ErrDiverged", err)
			}
			var de *DivergedError
			if !errors.As(err, &de) {
				t.Fatalf("Fit error %T does not hold a *DivergedError", err)
			}
			if de.Step != wantStep || de.Epoch != wantStep || de.Batch != 1 {
				t.Errorf("stopped at step %d (epoch %d, batch %d), want step %d (epoch %d, batch 1)", de.Step, de.Epoch, de.Batch, wantStep, wantStep)
			}
			for i, mon := range h.Monitor {
				if !closeTo(mon.Loss, c.Loss[i], 1e-9) || !closeTo(mon.GradNorm, c.GradNorm[i], 1e-9) {
					t.Errorf("step %d: loss %.17g, grad norm %.17g; torch %.17g, %.17g", mon.Step, mon.Loss, mon.GradNorm, c.Loss[i], c.GradNorm[i])
				}
			}
			i := wantStep - 1
			layer, layerNorm := "linear/W", c.GradNormW[i]
			if c.GradNormB[i] > layerNorm {
				layer, layerNorm = "linear/b", c.GradNormB[i]
			}
			d := de.Diagnosis
			for name, want := range map[string]float64{
				"step": float64(wantStep), "loss": c.Loss[i], "smoothed_loss": wantSmoothed, "min_smoothed_loss": wantBest,
				"first_loss": c.Loss[0], "loss_factor": wantSmoothed / wantBest, "global_grad_norm": c.GradNorm[i],
				"layer_grad_norm": layerNorm, "lr": c.LR,
			} {
				if got, ok := d.Measures[name]; !ok || !closeTo(got, want, 1e-9) {
					t.Errorf("Measures[%q] = %.17g (present %t), want %.17g (torch)", name, got, ok, want)
				}
			}
			if d.Kind != Exploding || d.Severity != Error {
				t.Errorf("diagnosis %v/%v, want exploding/error", d.Kind, d.Severity)
			}
			msg := err.Error()
			for _, part := range []string{fmt.Sprintf("step %d", wantStep), layer, "lower the learning rate (now 10)", "try 1", "ClipNorm", "lrfinder"} {
				if !strings.Contains(msg, part) {
					t.Errorf("error %q does not contain %q", msg, part)
				}
			}
			if !strings.Contains(d.Where, "layer "+layer) {
				t.Errorf("Where = %q, want it to name layer %s", d.Where, layer)
			}
			if len(w.Diagnoses) != 1 || w.Diagnoses[0].Evidence != d.Evidence {
				t.Errorf("Watchdog.Diagnoses = %v, want the one diagnosis of its error", w.Diagnoses)
			}
			if ex := Explain(err, h); len(ex) != 1 || ex[0].Evidence != d.Evidence {
				t.Errorf("Explain = %v, want the watchdog's diagnosis", ex)
			}
		})
	}
}

// feed sends a FitStart and then one BatchEnd per loss to w, with a
// monitor carrying norms[i] when norms is not nil; it returns the step
// (1-based) of the first error, and the error.
func feed(w *Watchdog, lossesAt, norms []float64) (int, error) {
	if err := w.OnEvent(ctx, nil, &trainer.Event{Kind: trainer.FitStart}); err != nil {
		return 0, err
	}
	for i, l := range lossesAt {
		e := &trainer.Event{Kind: trainer.BatchEnd, Epoch: 1, Batch: i + 1, Step: i + 1, Loss: l, LR: 0.5}
		if norms != nil {
			e.Monitor = &trainer.StepMonitor{Epoch: 1, Step: i + 1, Loss: l, LR: 0.5, GradNorm: norms[i],
				Params: []trainer.ParamStats{{Name: "a/W", GradNorm: norms[i] / 2}, {Name: "b/W", GradNorm: norms[i] * 0.8}}}
		}
		if err := w.OnEvent(ctx, nil, e); err != nil {
			return i + 1, err
		}
	}
	return 0, nil
}

func TestWatchdogRules(t *testing.T) {
	cases := []struct {
		name         string
		div          Divergence
		loss, norms  []float64
		wantStep     int
		wantMeasures map[string]float64
		byLoss       bool // the rules DivergedError names
		byNorm       bool
	}{
		// 1, 1.1, 1.2, 1.3: the loss rule stays quiet; the norm rose 3 times, 1000× in all.
		{name: "norm rule", loss: []float64{1, 1.1, 1.2, 1.3}, norms: []float64{1, 10, 100, 1000}, wantStep: 4,
			wantMeasures: map[string]float64{"grad_norm_from": 1, "grad_norm": 1000, "norm_factor": 1000, "layer_grad_norm": 800}, byNorm: true},
		{name: "both rules at once", div: Divergence{Smoothing: 1e-9}, loss: []float64{1, 1.1, 1.2, 30}, norms: []float64{1, 10, 100, 1000}, wantStep: 4,
			wantMeasures: map[string]float64{"norm_factor": 1000, "loss": 30}, byLoss: true, byNorm: true},
		{name: "norm grows while loss falls", loss: []float64{1, 0.9, 0.8, 0.7}, norms: []float64{1, 10, 100, 1000}},
		{name: "norm grows too little", loss: []float64{1, 1.1, 1.2, 1.3}, norms: []float64{1, 2, 4, 8}},
		{name: "norm rule, 2 steps, 10×", div: Divergence{NormSteps: 2, NormFactor: 10}, loss: []float64{1, 1.1, 1.2}, norms: []float64{1, 4, 16}, wantStep: 3,
			wantMeasures: map[string]float64{"norm_factor": 16}, byNorm: true},
		// No smoothing to speak of: 2, 1, 30 → 30 > 4·1 and > 2.
		{name: "loss rule", div: Divergence{Smoothing: 1e-9}, loss: []float64{2, 1, 30}, wantStep: 3,
			wantMeasures: map[string]float64{"first_loss": 2, "loss": 30}, byLoss: true},
		// 2, 0.1, 1.5: 15× the minimum but below the first loss.
		{name: "below the first loss", div: Divergence{Smoothing: 1e-9}, loss: []float64{2, 0.1, 1.5}},
		{name: "healthy", loss: []float64{2.3, 2.1, 1.9, 1.2, 0.8, 0.9, 0.5}, norms: []float64{1, 1.5, 1.2, 2, 1, 0.8, 0.9}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := &Watchdog{Divergence: c.div}
			step, err := feed(w, c.loss, c.norms)
			if c.wantStep == 0 {
				if err != nil || len(w.Diagnoses) != 0 {
					t.Fatalf("error %v, diagnoses %v; want none", err, w.Diagnoses)
				}
				return
			}
			if step != c.wantStep || !errors.Is(err, ErrDiverged) {
				t.Fatalf("stopped at step %d with %v, want step %d with ErrDiverged", step, err, c.wantStep)
			}
			if de := err.(*DivergedError); de.ByLoss != c.byLoss || de.ByNorm != c.byNorm {
				t.Errorf("ByLoss %v, ByNorm %v; want %v, %v", de.ByLoss, de.ByNorm, c.byLoss, c.byNorm)
			}
			for k, want := range c.wantMeasures {
				if got := w.Diagnoses[0].Measures[k]; !closeTo(got, want, 1e-12) {
					t.Errorf("Measures[%q] = %v, want %v", k, got, want)
				}
			}
		})
	}
}

func TestWatchdogConfigErrors(t *testing.T) {
	for _, c := range []struct {
		div  Divergence
		want string
	}{
		{Divergence{LossFactor: 0.5}, "LossFactor = 0.5, want a finite value > 1"},
		{Divergence{LossFactor: math.Inf(1)}, "LossFactor = +Inf"},
		{Divergence{Smoothing: 1}, "Smoothing = 1, want 0 < β < 1"},
		{Divergence{Smoothing: -0.1}, "Smoothing = -0.1"},
		{Divergence{NormSteps: -2}, "NormSteps = -2, want ≥ 1"},
		{Divergence{NormFactor: 1}, "NormFactor = 1, want a finite value > 1"},
	} {
		w := &Watchdog{Divergence: c.div}
		err := w.OnEvent(ctx, nil, &trainer.Event{Kind: trainer.FitStart})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want ErrConfig containing %q", c.div, err, c.want)
		}
	}
}

// With thresholds too loose to fire, SGD at lr 10 overflows float32: the
// trainer stops with ErrNonFinite and the watchdog records why.
func TestWatchdogRecordsNonFinite(t *testing.T) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	w := &Watchdog{Divergence: Divergence{LossFactor: 1e300, NormFactor: 1e300}}
	tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 10},
		Epochs: 100, BatchSize: 100, Quiet: true, MonitorEvery: 1, Callbacks: []trainer.Callback{w}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, seedLinreg(t, tensor.Float32), nil)
	if !errors.Is(err, trainer.ErrNonFinite) {
		t.Fatalf("Fit error = %v, want trainer.ErrNonFinite", err)
	}
	if len(w.Diagnoses) != 1 || w.Diagnoses[0].Kind != Exploding {
		t.Fatalf("Watchdog.Diagnoses = %v, want one exploding diagnosis", w.Diagnoses)
	}
	if got, want := w.Diagnoses[0].Measures["epoch"], float64(len(h.Epochs)+1); got != want {
		t.Errorf("diagnosis names epoch %v, want %v (the one after the %d completed)", got, want, len(h.Epochs))
	}
}

// A nil context is an error, as everywhere in gradtune (Fit never passes
// one), and it leaves the Watchdog's state alone: the next event with a
// context proceeds as if it had not happened.
func TestWatchdogRefusesNilContext(t *testing.T) {
	w := &Watchdog{}
	//lint:ignore SA1012 a nil context is what is tested
	err := w.OnEvent(nil, nil, &trainer.Event{Kind: trainer.FitStart}) //nolint:staticcheck
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "nil context") {
		t.Fatalf("OnEvent(nil ctx): error %v, want ErrConfig naming the nil context", err)
	}
	err = w.OnEvent(ctx, nil, &trainer.Event{Kind: trainer.BatchEnd, Loss: 1})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "BatchEnd before FitStart") {
		t.Errorf("BatchEnd after a refused FitStart: error %v, want the BatchEnd-before-FitStart error", err)
	}
}
