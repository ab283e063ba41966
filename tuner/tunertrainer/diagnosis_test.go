package tunertrainer_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/prune"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// blobs3 is a 3-class problem of n rows and 8 standard normal features,
// class c shifted by +2 on feature c; with random, the labels ignore the
// features, and no model beats chance.
func blobs3(t testing.TB, n int, seed uint64, random bool) *data.Dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 9))
	xs, ls := make([][]float64, n), make([]int, n)
	for i := range xs {
		l := rng.IntN(3)
		x := make([]float64, 8)
		for j := range x {
			x[j] = rng.NormFloat64()
		}
		if !random {
			x[l] += 2
		}
		xs[i], ls[i] = x, l
	}
	ds, err := data.FromLabels(xs, ls, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// run is a crafted training run on blobs3(512, seed): 16 batches of 32 an
// epoch.
type run struct {
	net          model.Network // nil → MLP{Hidden: {16}, Out: 3}, ReLU
	opt          optimizers.Optimizer
	lr           float64
	sched        schedulers.Schedule // nil → Constant{LR: lr}
	monitorEvery int                 // 0 → 5
	epochs       int                 // 0 → 20
	random       bool                // labels independent of the features
	seed         uint64
}

// fit trains r with callbacks and returns Fit's History and error.
func (r run) fit(ctx context.Context, t testing.TB, val *data.Dataset, callbacks ...trainer.Callback) (*trainer.History, error) {
	t.Helper()
	net := r.net
	if net == nil {
		net = model.MLP{Hidden: []int{16}, Out: 3}
	}
	m, err := model.New(net, model.Config{Inputs: 8, Seed: r.seed + 1})
	if err != nil {
		return nil, err
	}
	every, epochs := r.monitorEvery, r.epochs
	if every == 0 {
		every = 5
	}
	if epochs == 0 {
		epochs = 20
	}
	var sched schedulers.Schedule = schedulers.Constant{LR: r.lr}
	if r.sched != nil {
		sched = r.sched
	}
	tr, err := trainer.New(m, trainer.Config{Loss: losses.CrossEntropy{}, Optimizer: r.opt, Schedule: sched,
		Epochs: epochs, BatchSize: 32, Seed: r.seed, MonitorEvery: every, Quiet: true, Callbacks: callbacks})
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	return tr.Fit(ctx, blobs3(t, 512, r.seed, r.random), val)
}

// diagnosed runs r as the one trial of a fresh study, watched by
// PruneOnDiagnosis(opts): the trial as stored, and Fit's History and error.
func diagnosed(t *testing.T, r run, opts diagnose.Options) (tuner.FrozenTrial, *trainer.History, error) {
	t.Helper()
	ctx := context.Background()
	s, err := tuner.Open(ctx, tuner.Config{Parallelism: 1, Pruner: tuner.NopPruner{}})
	if err != nil {
		t.Fatal(err)
	}
	var h *trainer.History
	var fitErr error
	err = s.Optimize(ctx, func(ctx context.Context, trial *tuner.Trial) (float64, error) {
		h, fitErr = r.fit(ctx, t, nil, tunertrainer.PruneOnDiagnosis(trial, opts))
		if fitErr != nil {
			return 0, fitErr
		}
		last, _ := h.Last()
		return last.TrainLoss, nil
	}, tuner.Budget{Trials: 1})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return trials[0], h, fitErr
}

func hasDiagnosis(tr tuner.FrozenTrial) bool {
	_, a := tr.Attrs[tunertrainer.AttrDiagnosis]
	_, b := tr.Attrs[tunertrainer.AttrDiagnosisReason]
	return a || b
}

// Runs whose right diagnosis is known are pruned with its code, within a
// bounded number of steps, and the trial records the code and the
// doctor's evidence: a rate that makes the loss blow up (diverging), one
// that overflows float32 at the second step (exploding), ReLUs all dead
// from a bias of −100 (dead units), and two runs stuck at chance, a rate
// of 1e-9 and labels that ignore the features.
func TestPruneOnDiagnosisCraftedRuns(t *testing.T) {
	deadNet := model.Sequential{Layers: []model.Layer{
		model.Dense{Units: 16, BiasInit: model.Constant{Value: -100}}, model.Act{Activation: model.ReLU{}}, model.Dense{Units: 3},
	}}
	for _, c := range []struct {
		name     string
		run      run
		code     tunertrainer.DiagnosisCode
		maxStep  int      // pruned at this step or before
		epoch    int      // pruned at the end of this epoch (0: during one)
		reason   []string // in AttrDiagnosisReason
		alsoWrap error    // besides tuner.ErrPruned
	}{
		{name: "SGD lr 50", run: run{opt: optimizers.SGD{}, lr: 50}, code: tunertrainer.Diverging, maxStep: 3,
			reason: []string{"the smoothed loss", "its running minimum", "learning rate 50"}, alsoWrap: diagnose.ErrDiverged},
		{name: "Adam lr 10", run: run{opt: optimizers.Adam{}, lr: 10}, code: tunertrainer.Diverging, maxStep: 3,
			reason: []string{"the smoothed loss", "learning rate 10"}, alsoWrap: diagnose.ErrDiverged},
		{name: "SGD lr 1e20", run: run{opt: optimizers.SGD{}, lr: 1e20}, code: tunertrainer.Exploding, maxStep: 2,
			reason: []string{"epoch 1, step 2 of the epoch", "non-finite value (trainer.ErrNonFinite): loss = NaN", "learning rate 1e+20"}, alsoWrap: trainer.ErrNonFinite},
		// Monitored steps 1, 6, 11: the third is the DeadSteps-th.
		{name: "bias −100", run: run{net: deadNet, opt: optimizers.Adam{}, lr: 0.01}, code: tunertrainer.DeadUnits, maxStep: 11,
			reason: []string{"layer1/relu: 100.0% of its 16 units dead at step 11", "steps 1, 6, 11"}},
		// Three flat epochs above ln 3.
		{name: "lr 1e-9", run: run{opt: optimizers.Adam{}, lr: 1e-9}, code: tunertrainer.StuckAtChance, maxStep: 48, epoch: 3,
			reason: []string{"epochs 1–3: training loss ", " after epoch 3 is ", "of ln 3 = 1.099", "no epoch's loss is more than 0.0% from the first"}},
		// The loss falls to chance in 4 epochs, then stays: pruned at the 6th.
		{name: "random labels", run: run{net: model.Linear{Out: 3}, opt: optimizers.Adam{}, lr: 0.01, random: true}, code: tunertrainer.StuckAtChance, maxStep: 96, epoch: 6,
			reason: []string{"epochs 4–6: training loss ", "of ln 3 = 1.099"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, h, err := diagnosed(t, c.run, diagnose.Options{Classes: 3})
			var de *tunertrainer.DiagnosisError
			if !errors.As(err, &de) || !errors.Is(err, tuner.ErrPruned) || c.alsoWrap != nil && !errors.Is(err, c.alsoWrap) {
				t.Fatalf("Fit error = %v, want a *DiagnosisError wrapping tuner.ErrPruned and %v", err, c.alsoWrap)
			}
			if de.Code != c.code || de.Step > c.maxStep || c.epoch > 0 && (de.Epoch != c.epoch || len(h.Epochs) != c.epoch) {
				t.Errorf("pruned %q at step %d (epoch %d, %d epochs done), want %q by step %d (epoch %d)", de.Code, de.Step, de.Epoch, len(h.Epochs), c.code, c.maxStep, c.epoch)
			}
			if c.epoch > 0 {
				if got, want := de.Diagnosis.Measures["loss"], h.Epochs[c.epoch-1].TrainLoss; got != want || !(got >= 0.95*math.Log(3)) {
					t.Errorf("measured loss %v, want epoch %d's %v, ≥ 0.95·ln 3", got, c.epoch, want)
				}
			}
			reason := tr.Attrs[tunertrainer.AttrDiagnosisReason]
			if tr.State != tuner.Pruned || tr.Attrs[tunertrainer.AttrDiagnosis] != string(c.code) || reason != de.Diagnosis.Where+": "+de.Diagnosis.Evidence {
				t.Errorf("trial %v, attributes %v; want Pruned, %q, the diagnosis's where and evidence", tr.State, tr.Attrs, c.code)
			}
			for _, part := range c.reason {
				if !strings.Contains(reason, part) {
					t.Errorf("reason %q lacks %q", reason, part)
				}
			}
			// Nothing was reported: the pruned trial has no value.
			if !math.IsNaN(tr.Value) || tr.Values != nil || len(tr.Intermediate) != 0 {
				t.Errorf("value %v, values %v, intermediate %v; want none", tr.Value, tr.Values, tr.Intermediate)
			}
			t.Logf("%s at step %d: %s", de.Code, de.Step, reason)
		})
	}
}

// The norm rule, on a run fed by hand: the global gradient norm rises
// 10× at each monitored step while the loss creeps up, too slowly for the
// loss rule. The trial is pruned as exploding at the fourth step.
func TestPruneOnDiagnosisNormRule(t *testing.T) {
	ctx := context.Background()
	s, err := tuner.Open(ctx, tuner.Config{Parallelism: 1, Pruner: tuner.NopPruner{}})
	if err != nil {
		t.Fatal(err)
	}
	var stopped int
	err = s.Optimize(ctx, func(ctx context.Context, trial *tuner.Trial) (float64, error) {
		cb := tunertrainer.PruneOnDiagnosis(trial, diagnose.Options{})
		if err := cb.OnEvent(ctx, nil, &trainer.Event{Kind: trainer.FitStart}); err != nil {
			return 0, err
		}
		for i, norm := range []float64{1, 10, 100, 1000, 1e4} {
			loss := 1 + 0.1*float64(i)
			e := &trainer.Event{Kind: trainer.BatchEnd, Epoch: 1, Batch: i + 1, Step: i + 1, Loss: loss, LR: 0.5,
				Monitor: &trainer.StepMonitor{Epoch: 1, Step: i + 1, Loss: loss, LR: 0.5, GradNorm: norm,
					Params: []trainer.ParamStats{{Name: "dense0/W", GradNorm: norm}}}}
			if err := cb.OnEvent(ctx, nil, e); err != nil {
				stopped = i + 1
				return 0, err
			}
		}
		return 1, nil
	}, tuner.Budget{Trials: 1})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tr := trials[0]
	want := "step 4 (epoch 1, batch 4), layer dense0/W: the global gradient norm rose at each of the last 3 monitored steps, from 1 (step 1) to 1000 (step 4), 1000× in all"
	if stopped != 4 || tr.State != tuner.Pruned || tr.Attrs[tunertrainer.AttrDiagnosis] != "exploding" ||
		!strings.HasPrefix(tr.Attrs[tunertrainer.AttrDiagnosisReason], want) {
		t.Errorf("stopped at step %d, trial %v with %v; want step 4, Pruned, exploding, reason %q…", stopped, tr.State, tr.Attrs, want)
	}
}

// Healthy runs, every step monitored, are never pruned: two optimizers,
// five seeds, 20 epochs each.
func TestPruneOnDiagnosisNoFalseAlarm(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		for _, r := range []run{
			{net: model.MLP{Hidden: []int{32, 16}, Out: 3}, opt: optimizers.Adam{}, lr: 0.01},
			{net: model.MLP{Hidden: []int{32, 16}, Out: 3}, opt: optimizers.SGD{Momentum: 0.9}, lr: 0.05},
		} {
			r.seed, r.monitorEvery = seed, 1
			tr, h, err := diagnosed(t, r, diagnose.Options{Classes: 3})
			if err != nil || tr.State != tuner.Complete || hasDiagnosis(tr) || len(h.Epochs) != 20 {
				t.Errorf("seed %d, %s lr %v: %v, trial %v %v after %d epochs; want 20 epochs, Complete, no attributes", seed, r.opt, r.lr, err, tr.State, tr.Attrs, len(h.Epochs))
			}
			if last, _ := h.Last(); last.TrainLoss > 0.5 {
				t.Errorf("seed %d, %s lr %v: final loss %v, want a run that learned (< 0.5)", seed, r.opt, r.lr, last.TrainLoss)
			}
		}
	}
}

// In a study of two objectives, where Trial.Report is refused, a
// diverging trial is pruned all the same, with no values, and a healthy
// one completes.
func TestPruneOnDiagnosisSeveralObjectives(t *testing.T) {
	ctx := context.Background()
	s, err := tuner.Open(ctx, tuner.Config{Directions: []tuner.Direction{tuner.Minimize, tuner.Minimize}, Parallelism: 1,
		Sampler: &tuner.GridSampler{Space: map[string][]any{"lr": {50.0, 0.01}}}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.OptimizeMulti(ctx, func(ctx context.Context, trial *tuner.Trial) ([]float64, error) {
		r := run{opt: optimizers.SGD{}, lr: trial.Categorical("lr", 50.0, 0.01).(float64), epochs: 5}
		h, err := r.fit(ctx, t, nil, tunertrainer.PruneOnDiagnosis(trial, diagnose.Options{Classes: 3}))
		if err != nil {
			return nil, err
		}
		last, _ := h.Last()
		return []float64{last.TrainLoss, r.lr}, nil
	}, tuner.Budget{Trials: 2})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trials {
		switch lr := tr.Params["lr"]; {
		case lr == 50.0 && (tr.State != tuner.Pruned || tr.Values != nil || tr.Attrs[tunertrainer.AttrDiagnosis] != "diverging"):
			t.Errorf("lr 50: %v, values %v, attributes %v; want Pruned, no values, diverging", tr.State, tr.Values, tr.Attrs)
		case lr == 0.01 && (tr.State != tuner.Complete || len(tr.Values) != 2 || hasDiagnosis(tr)):
			t.Errorf("lr 0.01: %v, values %v, attributes %v; want Complete with 2 values", tr.State, tr.Values, tr.Attrs)
		}
	}
}

// Beside PruneOn and a median pruner: a trial pruned by diagnosis keeps its
// last reported value (Optuna's value of a pruned trial) and counts for
// neither the pruner nor Study.Best, which read Complete trials; a trial
// the pruner stops records no diagnosis. The runs, in grid order: a
// warm-up to lr 50 reports epoch 1 (at lr 0.05) and diverges in epoch 2,
// before any trial completes (the pruner waits for 2); lr 0.05 and 0.1
// complete; lr 3e-4 is far behind them at epoch 1, and the median pruner
// stops it.
func TestPruneOnDiagnosisBesidePruneOn(t *testing.T) {
	ctx := context.Background()
	runs := map[string]run{
		"lr 0.05": {opt: optimizers.SGD{Momentum: 0.9}, lr: 0.05},
		"lr 0.1":  {opt: optimizers.SGD{Momentum: 0.9}, lr: 0.1},
		"warm-up": {opt: optimizers.SGD{Momentum: 0.9}, sched: schedulers.Warmup{Steps: 3, StartFactor: 0.001, Then: schedulers.Constant{LR: 50}}},
		"lr 3e-4": {opt: optimizers.SGD{Momentum: 0.9}, lr: 3e-4},
	}
	names := []any{"warm-up", "lr 0.05", "lr 0.1", "lr 3e-4"}
	s, err := tuner.Open(ctx, tuner.Config{Parallelism: 1, Pruner: prune.Median{StartupTrials: 2},
		Sampler: &tuner.GridSampler{Space: map[string][]any{"run": names}}})
	if err != nil {
		t.Fatal(err)
	}
	val := blobs3(t, 256, 99, false)
	err = s.Optimize(ctx, func(ctx context.Context, trial *tuner.Trial) (float64, error) {
		r := runs[trial.Categorical("run", names...).(string)]
		r.epochs = 5
		h, err := r.fit(ctx, t, val, tunertrainer.PruneOn(trial, "val_loss"), tunertrainer.PruneOnDiagnosis(trial, diagnose.Options{Classes: 3}))
		if err != nil {
			return 0, err
		}
		last, _ := h.Last()
		return last.ValLoss, nil
	}, tuner.Budget{Trials: len(names)})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]tuner.FrozenTrial{}
	for _, tr := range trials {
		by[tr.Params["run"].(string)] = tr
		t.Logf("%-8s %-8v value %.4f, reported %v, %v", tr.Params["run"], tr.State, tr.Value, tr.Intermediate, tr.Attrs[tunertrainer.AttrDiagnosis])
	}
	for _, name := range []string{"lr 0.05", "lr 0.1"} {
		if tr := by[name]; tr.State != tuner.Complete || len(tr.Intermediate) != 5 || hasDiagnosis(tr) {
			t.Errorf("%s: %v after %d reports, %v; want Complete after 5, no diagnosis", name, tr.State, len(tr.Intermediate), tr.Attrs)
		}
	}
	if w := by["warm-up"]; w.State != tuner.Pruned || w.Attrs[tunertrainer.AttrDiagnosis] != "diverging" ||
		len(w.Intermediate) != 1 || w.Value != w.Intermediate[1] || len(w.Values) != 1 || w.Values[0] != w.Value {
		t.Errorf("warm-up: %v, value %v (values %v), reported %v, %v; want Pruned as diverging, valued by its one report",
			w.State, w.Value, w.Values, w.Intermediate, w.Attrs)
	}
	if slow := by["lr 3e-4"]; slow.State != tuner.Pruned || hasDiagnosis(slow) || len(slow.Intermediate) != 1 {
		t.Errorf("lr 3e-4: %v after %d reports, %v; want pruned by the median pruner at epoch 1, no diagnosis", slow.State, len(slow.Intermediate), slow.Attrs)
	}
	best, err := s.Best(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if name := best.Params["run"]; best.State != tuner.Complete || name != "lr 0.05" && name != "lr 0.1" {
		t.Errorf("best trial %v (%v), want one of the completed", name, best.State)
	}
}

// Misuse fails Fit at its start with tuner.ErrConfig: a nil trial, options
// the doctor refuses (wrapping diagnose.ErrConfig too); and an event out
// of order, or a nil context, is an error wrapping ErrConfig.
func TestPruneOnDiagnosisConfigErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		nilTrial bool
		opts     diagnose.Options
		want     string
		diagErr  bool // wraps diagnose.ErrConfig
	}{
		{name: "nil trial", nilTrial: true, want: "PruneOnDiagnosis with a nil trial"},
		{name: "one class", opts: diagnose.Options{Classes: 1}, want: "Classes = 1, want 0 (unknown) or ≥ 2", diagErr: true},
		{name: "loss factor", opts: diagnose.Options{Divergence: diagnose.Divergence{LossFactor: 0.5}}, want: "Divergence.LossFactor = 0.5", diagErr: true},
	} {
		s, err := tuner.Open(ctx, tuner.Config{Parallelism: 1, Pruner: tuner.NopPruner{}})
		if err != nil {
			t.Fatal(err)
		}
		var h *trainer.History
		var fitErr error
		err = s.Optimize(ctx, func(ctx context.Context, trial *tuner.Trial) (float64, error) {
			if c.nilTrial {
				trial = nil
			}
			h, fitErr = run{opt: optimizers.Adam{}, lr: 0.01}.fit(ctx, t, nil, tunertrainer.PruneOnDiagnosis(trial, c.opts))
			return 0, fitErr
		}, tuner.Budget{Trials: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(fitErr, tuner.ErrConfig) || c.diagErr != errors.Is(fitErr, diagnose.ErrConfig) || !strings.Contains(fitErr.Error(), c.want) || len(h.Epochs) != 0 {
			t.Errorf("%s: Fit = %d epochs, %v; want tuner.ErrConfig containing %q before any epoch", c.name, len(h.Epochs), fitErr, c.want)
		}
	}
	err := s1(ctx, t, func(ctx context.Context, trial *tuner.Trial) error {
		cb := tunertrainer.PruneOnDiagnosis(trial, diagnose.Options{})
		for _, e := range []*trainer.Event{{Kind: trainer.BatchEnd, Loss: 1}, {Kind: trainer.EpochEnd, Stats: &trainer.EpochStats{}}} {
			if err := cb.OnEvent(ctx, nil, e); !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), "before FitStart") {
				t.Errorf("%v before FitStart: %v, want ErrConfig", e.Kind, err)
			}
		}
		//lint:ignore SA1012 a nil context is the misuse under test
		if err := cb.OnEvent(nil, nil, &trainer.Event{Kind: trainer.FitStart}); !errors.Is(err, trainer.ErrConfig) { //nolint:staticcheck
			t.Errorf("nil context: %v, want ErrConfig", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// s1 runs f as the objective of the one trial of a fresh study.
func s1(ctx context.Context, _ testing.TB, f func(context.Context, *tuner.Trial) error) error {
	s, err := tuner.Open(ctx, tuner.Config{Parallelism: 1, Pruner: tuner.NopPruner{}})
	if err != nil {
		return err
	}
	return s.Optimize(ctx, func(ctx context.Context, trial *tuner.Trial) (float64, error) { return 0, f(ctx, trial) }, tuner.Budget{Trials: 1})
}

// The steps the trainer does not monitor cost no allocation: BatchStart
// and BatchEnd without a Monitor, after a FitStart.
func TestPruneOnDiagnosisDoesNotAllocatePerStep(t *testing.T) {
	ctx := context.Background()
	err := s1(ctx, t, func(ctx context.Context, trial *tuner.Trial) error {
		cb := tunertrainer.PruneOnDiagnosis(trial, diagnose.Options{Classes: 3})
		if err := cb.OnEvent(ctx, nil, &trainer.Event{Kind: trainer.FitStart}); err != nil {
			return err
		}
		start := &trainer.Event{Kind: trainer.BatchStart, Epoch: 1}
		end := &trainer.Event{Kind: trainer.BatchEnd, Epoch: 1, Loss: 1, LR: 0.01}
		var err error
		allocs := testing.AllocsPerRun(1000, func() {
			end.Step++
			end.Loss *= 0.999
			if e := cb.OnEvent(ctx, nil, start); e != nil {
				err = e
			}
			if e := cb.OnEvent(ctx, nil, end); e != nil {
				err = e
			}
		})
		if err != nil || allocs != 0 {
			t.Errorf("%v allocations per step (error %v), want 0", allocs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
