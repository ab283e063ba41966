package trainer_test

// A user's own ReduceLROnPlateau and ModelCheckpoint, written with nothing
// but the trainer's exported API, make the same decisions as the built-ins:
// the seam they use is the one the built-ins use.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/rowmajor"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// myPlateau multiplies the rate by Factor once Monitor has not improved
// (relatively, by more than Threshold) for more than Patience epochs, then
// ignores Cooldown epochs; the rate never goes below MinLR, and a reduction
// of 1e-8 or less is skipped (torch's ReduceLROnPlateau).
type myPlateau struct {
	Monitor                  string
	Mode                     goal.Direction
	Factor, Threshold, MinLR float64
	Patience, Cooldown       int

	Reduced []int // epochs after which it lowered the rate

	dir           goal.Direction
	best          float64
	bad, cooldown int
}

func (p *myPlateau) OnEvent(_ context.Context, t *trainer.Trainer, e *trainer.Event) error {
	switch e.Kind {
	case trainer.FitStart:
		dir, err := t.ResolveMonitor("myPlateau", p.Monitor, p.Mode, e.Validation)
		if err != nil {
			return err
		}
		p.dir, p.best = dir, dir.Worst()
	case trainer.EpochEnd:
		v, ok := e.Stats.Value(p.Monitor)
		if !ok {
			return fmt.Errorf("myPlateau: epoch %d has no %q", e.Epoch, p.Monitor)
		}
		improved := v < p.best*(1-p.Threshold)
		if p.dir == goal.Maximize {
			improved = v > p.best*(1+p.Threshold)
		}
		if improved {
			p.best, p.bad = v, 0
		} else {
			p.bad++
		}
		if p.cooldown > 0 {
			p.cooldown--
			p.bad = 0
		}
		if p.bad <= p.Patience {
			return nil
		}
		p.cooldown, p.bad = p.Cooldown, 0
		lr := t.LR()
		newLR := max(lr*p.Factor, p.MinLR)
		if lr-newLR <= 1e-8 {
			return nil
		}
		p.Reduced = append(p.Reduced, e.Epoch)
		e.Stats.LRReduced = true
		return t.ScaleLR(newLR / lr)
	}
	return nil
}

// myCheckpoint writes the weights to Path whenever Monitor reaches a new best.
type myCheckpoint struct {
	Path    string
	Monitor string
	Mode    goal.Direction

	BestEpoch int

	dir  goal.Direction
	best float64
}

func (c *myCheckpoint) OnEvent(_ context.Context, t *trainer.Trainer, e *trainer.Event) error {
	switch e.Kind {
	case trainer.FitStart:
		dir, err := t.ResolveMonitor("myCheckpoint", c.Monitor, c.Mode, e.Validation)
		if err != nil {
			return err
		}
		c.dir, c.best, c.BestEpoch = dir, dir.Worst(), 0
	case trainer.EpochEnd:
		v, ok := e.Stats.Value(c.Monitor)
		if !ok {
			return fmt.Errorf("myCheckpoint: epoch %d has no %q", e.Epoch, c.Monitor)
		}
		if c.dir.Better(v, c.best) {
			c.best, c.BestEpoch = v, e.Epoch
			return t.SaveFile(c.Path)
		}
	}
	return nil
}

// scriptedScore is a validation metric whose value at each evaluation is
// set in advance: the test decides when the monitored value improves.
type scriptedScore struct {
	dir   goal.Direction
	vals  []float64
	calls int
}

func (s *scriptedScore) Name() string              { return "score" }
func (s *scriptedScore) Direction() goal.Direction { return s.dir }

func (s *scriptedScore) Eval(_, _ rowmajor.Matrix) (float64, error) {
	if s.calls >= len(s.vals) {
		return 0, fmt.Errorf("scriptedScore: evaluation %d, only %d values", s.calls+1, len(s.vals))
	}
	s.calls++
	return s.vals[s.calls-1], nil
}

// epochWeights keeps the weights at every epoch's end.
type epochWeights struct{ at [][]*tensor.Dense }

func (w *epochWeights) OnEvent(_ context.Context, t *trainer.Trainer, e *trainer.Event) error {
	if e.Kind == trainer.EpochEnd {
		w.at = append(w.at, t.Weights())
	}
	return nil
}

// scriptedFit fits a two-input linear model (seeded, so every call starts
// from the same weights) for len(score.vals) epochs at a constant rate of
// 0.1, validating every epoch with score as its only metric.
func scriptedFit(t *testing.T, score *scriptedScore, cbs ...trainer.Callback) (*trainer.Trainer, *trainer.History) {
	t.Helper()
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2, Seed: 5, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	xs := [][]float64{{0, 1}, {1, 0}, {1, 1}, {2, 1}, {1, 2}, {2, 2}}
	ys := make([][]float64, len(xs))
	for i, x := range xs {
		ys[i] = []float64{2*x[0] - x[1] + 0.5}
	}
	ds, err := data.FromRows(xs, ys, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: 0.1}, Epochs: len(score.vals), BatchSize: 3,
		Seed: 5, Quiet: true, Metrics: []metrics.Metric{score}, Callbacks: cbs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	h, err := tr.Fit(context.Background(), ds, ds)
	if err != nil {
		t.Fatal(err)
	}
	return tr, h
}

func TestUserPlateauMatchesBuiltIn(t *testing.T) {
	// Maximized (ResolveMonitor takes the metric's direction). With patience
	// 1, cooldown 1 and min_lr 0.03 from 0.1: epoch 4 is the second without
	// improvement (0.1 → 0.05); cooldown forgives epoch 5, so epoch 6 is not
	// a second bad one; epoch 9 reduces 0.05 → 0.03 (min_lr); epoch 12
	// would, but the rate is already at min_lr.
	script := []float64{0.5, 0.6, 0.6, 0.55, 0.58, 0.59, 0.7, 0.7, 0.65, 0.6, 0.6, 0.6}
	cfg := schedulers.ReduceLROnPlateau{Factor: 0.5, Patience: 1, Cooldown: 1, MinLR: 0.03}

	builtin := &trainer.ReduceLROnPlateau{Monitor: "val_score", Config: cfg}
	trB, hB := scriptedFit(t, &scriptedScore{dir: goal.Maximize, vals: script}, builtin)
	mine := &myPlateau{Monitor: "val_score", Factor: cfg.Factor, Threshold: 1e-4, MinLR: cfg.MinLR, Patience: cfg.Patience, Cooldown: cfg.Cooldown}
	trM, hM := scriptedFit(t, &scriptedScore{dir: goal.Maximize, vals: script}, mine)

	var reducedB, reducedM []int
	var lrB, lrM []float64
	for i := range hB.Epochs {
		if hB.Epochs[i].LRReduced {
			reducedB = append(reducedB, hB.Epochs[i].Epoch)
		}
		if hM.Epochs[i].LRReduced {
			reducedM = append(reducedM, hM.Epochs[i].Epoch)
		}
		lrB, lrM = append(lrB, hB.Epochs[i].LR), append(lrM, hM.Epochs[i].LR)
	}
	if want := []int{4, 9}; !reflect.DeepEqual(reducedB, want) || !reflect.DeepEqual(mine.Reduced, want) || !reflect.DeepEqual(reducedM, want) {
		t.Errorf("rate reduced after epochs %v (built-in), %v (myPlateau, History %v), want %v", reducedB, mine.Reduced, reducedM, want)
	}
	if !reflect.DeepEqual(lrB, lrM) {
		t.Errorf("epoch rates differ:\nbuilt-in   %v\nmyPlateau  %v", lrB, lrM)
	}
	if trB.LR() != 0.03 || trM.LR() != 0.03 {
		t.Errorf("final rate %v (built-in), %v (myPlateau), want 0.03 (min_lr)", trB.LR(), trM.LR())
	}
	if !reflect.DeepEqual(trB.Weights(), trM.Weights()) {
		t.Error("same rates, yet the final weights differ")
	}
}

func TestUserCheckpointMatchesBuiltIn(t *testing.T) {
	// Minimized: epoch 4 is the best, and training goes on after it, so the
	// best weights are not the last.
	script := []float64{0.9, 0.5, 0.7, 0.3, 0.4, 0.35}
	dir := t.TempDir()
	builtin := &trainer.ModelCheckpoint{Dir: filepath.Join(dir, "builtin"), Monitor: "val_score", BestOnly: true}
	mine := &myCheckpoint{Path: filepath.Join(dir, "mine.json"), Monitor: "val_score"}
	weights := &epochWeights{}
	tr, _ := scriptedFit(t, &scriptedScore{dir: goal.Minimize, vals: script}, builtin, mine, weights)

	if mine.BestEpoch != 4 {
		t.Errorf("myCheckpoint best epoch %d, want 4", mine.BestEpoch)
	}
	fromBuiltin, err := os.ReadFile(filepath.Join(dir, "builtin", "best.json"))
	if err != nil {
		t.Fatal(err)
	}
	fromMine, err := os.ReadFile(mine.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fromBuiltin, fromMine) {
		t.Errorf("best.json and myCheckpoint's file differ:\n%s\n%s", fromBuiltin, fromMine)
	}
	// The file holds epoch 4's weights, not the model's stale parameters
	// nor the last epoch's.
	loaded, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2, Seed: 99, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.LoadFile(mine.Path); err != nil {
		t.Fatal(err)
	}
	for i, p := range loaded.Params() {
		if !reflect.DeepEqual(p.Value.Data(), weights.at[3][i].Data()) {
			t.Errorf("saved %s = %v, epoch 4 had %v", p.Name, p.Value.Data(), weights.at[3][i].Data())
		}
	}
	if reflect.DeepEqual(weights.at[3], tr.Weights()) {
		t.Error("epoch 4's weights equal the last epoch's: the run does not tell them apart")
	}
}

// ScaleLR refuses a factor that is not finite and > 0, changing nothing, and
// a closed Trainer.
func TestScaleLRErrors(t *testing.T) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trainer.New(m, trainer.Config{Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: 0.1}, Epochs: 1, BatchSize: 1, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if err := tr.ScaleLR(bad); !errors.Is(err, trainer.ErrConfig) {
			t.Errorf("ScaleLR(%v) = %v, want ErrConfig", bad, err)
		}
	}
	if err := tr.ScaleLR(0.25); err != nil || tr.LR() != 0.025 {
		t.Errorf("ScaleLR(0.25) = %v, LR %v, want nil, 0.025", err, tr.LR())
	}
	tr.Close()
	if err := tr.ScaleLR(0.5); !errors.Is(err, trainer.ErrClosed) {
		t.Errorf("ScaleLR after Close = %v, want ErrClosed", err)
	}
	if err := tr.SaveFile(filepath.Join(t.TempDir(), "w.json")); !errors.Is(err, trainer.ErrClosed) {
		t.Errorf("SaveFile after Close = %v, want ErrClosed", err)
	}
}
