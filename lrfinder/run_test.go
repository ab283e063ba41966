package lrfinder

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/trainer"
)

var optimizerByName = map[string]optimizers.Optimizer{"sgd": optimizers.SGD{}, "adam": optimizers.Adam{}}

// TestSweepsMatchTorch runs the generator's full-batch range tests through
// the trainer: every rate, loss and smoothed loss, the stop and the
// suggestion equal torch's.
func TestSweepsMatchTorch(t *testing.T) {
	g := loadGolden(t)
	for _, s := range g.Sweeps {
		t.Run(s.Name, func(t *testing.T) {
			m := linear(t)
			ds := quadratic(t, g, tensor.Float64)
			res, err := Run(context.Background(), m, trainer.Config{
				Loss: losses.MSE{}, Optimizer: optimizerByName[s.Optimizer],
				BatchSize: ds.Len(), NoShuffle: true, Quiet: true,
			}, ds, Config{MinLR: s.MinLR, MaxLR: s.MaxLR, Steps: s.Steps, Smoothing: s.Beta, DivergeFactor: s.Factor})
			if err != nil {
				t.Fatal(err)
			}
			w := max(checkSeries(t, "LRs", res.LRs, s.LRs, 1e-9),
				checkSeries(t, "Losses", res.Losses, s.Losses, 1e-9),
				checkSeries(t, "Smoothed", res.Smoothed, s.Smoothed, 1e-9))
			t.Logf("worst relative error %.3g; %s", w, res.Reason)
			checkAnalysis(t, s.Name, analyze(res.Smoothed, s.Steps), s.Analysis)
			wantDivAt := 0.0
			if s.Diverged {
				wantDivAt = res.LRs[len(res.LRs)-1]
			}
			if res.Diverged != s.Diverged || res.DivergedAt != wantDivAt {
				t.Errorf("Diverged = %v at %v, want %v at %v", res.Diverged, res.DivergedAt, s.Diverged, wantDivAt)
			}
			wantSugg := 0.0
			if s.Analysis.Verdict == "ok" {
				wantSugg = s.LRs[*s.Analysis.Index]
			}
			if res.Trustworthy != (s.Analysis.Verdict == "ok") || !near(res.Suggested, wantSugg, 1e-9) {
				t.Errorf("Suggested = %v (trustworthy %v), want %v (%s)", res.Suggested, res.Trustworthy, wantSugg, s.Analysis.Verdict)
			}
		})
	}
}

// TestSuggestionInKnownRange: full-batch gradient descent on a quadratic
// converges iff lr < 2/λmax of the Hessian. The slow sweep's suggestion
// lies inside, within a decade of the edge, and 100 steps at it come within
// 20 % of the least-squares optimum (the loss torch reaches there too).
func TestSuggestionInKnownRange(t *testing.T) {
	g := loadGolden(t)
	q := g.Quadratic
	m := linear(t)
	ds := quadratic(t, g, tensor.Float64)
	cfg := trainer.Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, BatchSize: ds.Len(), NoShuffle: true, Quiet: true}
	res, err := Run(context.Background(), m, cfg, ds, Config{MinLR: 1e-3, MaxLR: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Trustworthy || !(res.Suggested > q.ConvergesBelow/10 && res.Suggested < q.ConvergesBelow) {
		t.Fatalf("Suggested = %v (trustworthy %v), want in (%v, %v): %s", res.Suggested, res.Trustworthy, q.ConvergesBelow/10, q.ConvergesBelow, res.Reason)
	}
	if !near(res.Suggested, q.Suggested, 1e-9) {
		t.Errorf("Suggested = %.17g, torch's %.17g", res.Suggested, q.Suggested)
	}
	cfg.Optimizer, cfg.Epochs = optimizers.SGD{}, 100
	cfg.Schedule = nil
	tr, err := trainer.New(m, withRate(cfg, res.Suggested))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Fit(context.Background(), ds, nil); err != nil {
		t.Fatal(err)
	}
	loss, _, err := tr.Evaluate(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if !near(loss, q.LossAfter100AtSuggested, 1e-9) || loss > 1.2*q.LstsqLoss {
		t.Errorf("loss after 100 steps at %v = %.17g, want torch's %.17g, ≤ 1.2 × optimum %.6g", res.Suggested, loss, q.LossAfter100AtSuggested, q.LstsqLoss)
	}
}

// TestRandomLabelsUntrustworthy: with labels independent of the features
// there is nothing to learn; the curve is flat noise until it diverges, and
// Run must say so instead of suggesting a rate.
func TestRandomLabelsUntrustworthy(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		ds := randomLabels(t, 2000, 20, seed)
		m, err := model.New(model.MLP{Hidden: []int{32}, Out: 10}, model.Config{Inputs: 20, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), m, trainer.Config{Loss: losses.CrossEntropy{}, BatchSize: 64, Quiet: true}, ds, Config{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if res.Trustworthy || res.Suggested != 0 || !strings.Contains(res.Reason, "no clear descent") {
			t.Errorf("seed %d: Suggested %v, trustworthy %v, reason %q; want none, no clear descent", seed, res.Suggested, res.Trustworthy, res.Reason)
		}
		t.Logf("seed %d: %s", seed, res.Reason)
	}
}

// TestNonFiniteEndsAsDivergence: with the factor stop off, a float32 model
// at huge rates overflows; the trainer's ErrNonFinite ends the sweep as a
// divergence at that step's rate, not as an error.
func TestNonFiniteEndsAsDivergence(t *testing.T) {
	g := loadGolden(t)
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	ds := quadratic(t, g, tensor.Float32)
	rc := Config{MinLR: 1e-3, MaxLR: 1e12, Steps: 60, DivergeFactor: math.Inf(1)}
	res, err := Run(context.Background(), m, trainer.Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, BatchSize: 32, Quiet: true}, ds, rc)
	if err != nil {
		t.Fatal(err)
	}
	n := len(res.LRs)
	next := sweep{min: rc.MinLR, max: rc.MaxLR, steps: rc.Steps}.At(n)
	if !res.Diverged || n == rc.Steps || res.DivergedAt != next || !strings.Contains(res.Reason, "non-finite") {
		t.Errorf("Diverged %v at %v after %d steps, reason %q; want the non-finite step %d at %v", res.Diverged, res.DivergedAt, n, res.Reason, n+1, next)
	}
	for i, l := range res.Losses {
		if math.IsNaN(l) || math.IsInf(l, 0) || math.IsInf(res.Smoothed[i], 0) {
			t.Fatalf("recorded a non-finite loss at step %d: %v, smoothed %v", i+1, l, res.Smoothed[i])
		}
	}
}

// cancelAfter is a context whose Err turns to context.Canceled after n
// calls: the trainer checks it once per step, so the sweep fails mid-way.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestWeightsRestored: after Run the model holds its weights from before,
// bit for bit, however the sweep ended.
func TestWeightsRestored(t *testing.T) {
	g := loadGolden(t)
	ds := quadratic(t, g, tensor.Float32)
	bad, err := data.FromRows([][]float64{{1, 2, 3}}, [][]float64{{1}}, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	sgd := trainer.Config{Loss: losses.MSE{}, Optimizer: optimizers.SGD{Momentum: 0.9}, BatchSize: 8, Quiet: true}
	for _, c := range []struct {
		name    string
		ctx     context.Context
		ds      *data.Dataset
		rc      Config
		wantErr error
	}{
		{"complete", context.Background(), ds, Config{MinLR: 1e-4, MaxLR: 1e-2, Steps: 20}, nil},
		{"diverged", context.Background(), ds, Config{MinLR: 1e-3, MaxLR: 100}, nil},
		{"non-finite", context.Background(), ds, Config{MinLR: 1e-3, MaxLR: 1e12, DivergeFactor: math.Inf(1)}, nil},
		{"cancelled mid-sweep", &cancelAfter{Context: context.Background(), n: 7}, ds, Config{}, context.Canceled},
		{"data that do not fit", context.Background(), bad, Config{}, trainer.ErrData},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := model.New(model.MLP{Hidden: []int{4}, Out: 1}, model.Config{Inputs: 2, Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			before := bits(m)
			res, err := Run(c.ctx, m, sgd, c.ds, c.rc)
			if c.wantErr == nil && err != nil || c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
			if p := sameBits(m, before); p != "" {
				t.Errorf("parameter %s changed", p)
			}
			if c.wantErr == nil && len(res.LRs) < 2 {
				t.Errorf("%d steps recorded: the sweep did not train", len(res.LRs))
			}
		})
	}
}

// TestRunOverridesConfig: the user's schedule, epochs, plateau and callbacks
// do not reach the sweep, and the sweep runs over several epochs.
func TestRunOverridesConfig(t *testing.T) {
	g := loadGolden(t)
	ds := quadratic(t, g, tensor.Float64)
	called := 0
	cfg := trainer.Config{
		Loss: losses.MSE{}, Optimizer: optimizers.SGD{}, BatchSize: 5, Epochs: 1, Quiet: true,
		Callbacks: []trainer.Callback{&trainer.ReduceLROnPlateau{Config: schedulersPlateau}, trainer.CallbackFunc(func(context.Context, *trainer.Trainer, *trainer.Event) error {
			called++
			return nil
		})},
	}
	// 7 steps per epoch: 5 epochs; minibatch noise would trip the stop.
	rc := Config{MinLR: 1e-4, MaxLR: 1e-1, Steps: 30, DivergeFactor: math.Inf(1)}
	res, err := Run(context.Background(), linear(t), cfg, ds, rc)
	if err != nil {
		t.Fatal(err)
	}
	if called != 0 || len(res.LRs) != rc.Steps || res.Diverged {
		t.Fatalf("user callback called %d times, %d steps, diverged %v; want 0, %d, false", called, len(res.LRs), res.Diverged, rc.Steps)
	}
	for i, lr := range res.LRs {
		want := rc.MinLR * math.Pow(rc.MaxLR/rc.MinLR, float64(i)/float64(rc.Steps-1))
		if lr != want {
			t.Errorf("LRs[%d] = %.17g, want %.17g", i, lr, want)
		}
	}
}
