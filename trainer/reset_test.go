package trainer

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
)

// resetRig is a dropout network with stateful callbacks and a hook a test
// can set to interfere with a Fit.
type resetRig struct {
	m    *model.Model
	tr   *Trainer
	hook func(ctx context.Context, t *Trainer, e *Event) error
}

func newResetRig(t *testing.T, seed uint64) *resetRig {
	t.Helper()
	m, err := model.New(dropoutNet(0.2), model.Config{Inputs: 4, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	r := &resetRig{m: m}
	cfg := Config{
		Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: 0.05},
		Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: 1e-3}},
		Epochs:       6, BatchSize: 16, Seed: 3, Quiet: true, MonitorEvery: 2,
		Metrics: []metrics.Metric{metrics.Accuracy{}},
		Callbacks: []Callback{
			&EarlyStopping{Patience: 2},
			&ReduceLROnPlateau{Config: schedulers.ReduceLROnPlateau{Factor: 0.5, Patience: 0}},
			CallbackFunc(func(ctx context.Context, t *Trainer, e *Event) error {
				if r.hook == nil {
					return nil
				}
				return r.hook(ctx, t, e)
			}),
		},
	}
	if r.tr, err = New(m, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.tr.Close)
	return r
}

// outcome fits 120 rows (validated on 30) and describes everything the run
// gives, floats printed exactly: History (Seconds aside), the weights,
// Evaluate, Predict and the counters.
func (r *resetRig) outcome(t *testing.T) string {
	t.Helper()
	train, val := blobs(t, 120, 1), blobs(t, 30, 2)
	h, err := r.tr.Fit(ctx, train, val)
	if err != nil {
		t.Fatal(err)
	}
	for i := range h.Epochs {
		h.Epochs[i].Seconds = 0
	}
	loss, ms, err := r.tr.Evaluate(ctx, val)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := r.tr.Predict(ctx, val.X)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("history %#v\nweights %#v\nevaluate %#v %#v\npredict %#v\nsteps %d epochs %d lr %#v",
		*h, params(r.m), loss, ms, pred.Data(), r.tr.Steps(), r.tr.Epochs(), r.tr.LR())
}

var errPrunedHere = errors.New("pruned by the test")

// A trainer reset (and its model reinitialized) after anything a fold may
// have done gives exactly what a new model and trainer give.
func TestResetTrainsAsNew(t *testing.T) {
	const seed = 11
	want := newResetRig(t, seed).outcome(t)
	prior := map[string]func(t *testing.T, r *resetRig){
		"a finished Fit": func(t *testing.T, r *resetRig) {
			if _, err := r.tr.Fit(ctx, blobs(t, 120, 5), blobs(t, 30, 6)); err != nil {
				t.Fatal(err)
			}
		},
		"a Fit on fewer rows than a batch": func(t *testing.T, r *resetRig) {
			if _, err := r.tr.Fit(ctx, blobs(t, 10, 5), blobs(t, 7, 6)); err != nil {
				t.Fatal(err)
			}
		},
		"a Fit that overflowed": func(t *testing.T, r *resetRig) {
			if err := r.tr.ScaleLR(1e300); err != nil {
				t.Fatal(err)
			}
			if _, err := r.tr.Fit(ctx, blobs(t, 120, 5), blobs(t, 30, 6)); !errors.Is(err, ErrNonFinite) {
				t.Fatalf("Fit at a rate of 1e298: %v, want ErrNonFinite", err)
			}
		},
		"a Fit pruned by a callback": func(t *testing.T, r *resetRig) {
			r.hook = func(_ context.Context, _ *Trainer, e *Event) error {
				if e.Kind == BatchEnd && e.Step == 13 {
					return errPrunedHere
				}
				return nil
			}
			if _, err := r.tr.Fit(ctx, blobs(t, 120, 5), blobs(t, 30, 6)); !errors.Is(err, errPrunedHere) {
				t.Fatalf("Fit: %v, want the callback's error", err)
			}
		},
		"a Fit interrupted by its context": func(t *testing.T, r *resetRig) {
			c, cancel := context.WithCancel(ctx)
			defer cancel()
			r.hook = func(_ context.Context, _ *Trainer, e *Event) error {
				if e.Kind == BatchEnd && e.Step == 13 {
					cancel()
				}
				return nil
			}
			if _, err := r.tr.Fit(c, blobs(t, 120, 5), blobs(t, 30, 6)); !errors.Is(err, context.Canceled) {
				t.Fatalf("Fit: %v, want context.Canceled", err)
			}
		},
		"TrainBatch, Evaluate and ScaleLR": func(t *testing.T, r *resetRig) {
			if _, err := r.tr.TrainBatch(ctx, blobs(t, 16, 5)); err != nil {
				t.Fatal(err)
			}
			if _, _, err := r.tr.Evaluate(ctx, blobs(t, 7, 6)); err != nil {
				t.Fatal(err)
			}
			if err := r.tr.ScaleLR(0.1); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, do := range prior {
		t.Run(name, func(t *testing.T) {
			r := newResetRig(t, 1)
			do(t, r)
			r.hook = nil
			if err := r.m.Reinit(seed); err != nil {
				t.Fatal(err)
			}
			if err := r.tr.Reset(); err != nil {
				t.Fatal(err)
			}
			if got := r.outcome(t); got != want {
				t.Errorf("after %s, Reinit and Reset:\n%s\nwant (a new model and trainer):\n%s", name, got, want)
			}
		})
	}
}

// Reset keeps the graphs: the next Fit on as many rows builds none.
func TestResetKeepsTheGraphs(t *testing.T) {
	r := newResetRig(t, 1)
	if _, err := r.tr.Fit(ctx, blobs(t, 120, 5), blobs(t, 30, 6)); err != nil {
		t.Fatal(err)
	}
	train, eval := r.tr.train, r.tr.evals[32]
	if train == nil || eval == nil {
		t.Fatalf("no training graph (%p) or evaluation graph of 32 rows (%p) after Fit", train, eval)
	}
	if err := r.m.Reinit(2); err != nil {
		t.Fatal(err)
	}
	if err := r.tr.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.tr.Fit(ctx, blobs(t, 120, 7), blobs(t, 30, 8)); err != nil {
		t.Fatal(err)
	}
	if r.tr.train != train || r.tr.evals[32] != eval || len(r.tr.evals) != 1 {
		t.Errorf("Fit after Reset built new graphs: training %p → %p, evaluation %p → %p (%d cached)", train, r.tr.train, eval, r.tr.evals[32], len(r.tr.evals))
	}
}

func TestResetMisuse(t *testing.T) {
	var zero Trainer
	if err := zero.Reset(); !errors.Is(err, ErrConfig) {
		t.Errorf("zero Trainer: %v, want ErrConfig", err)
	}
	var nilT *Trainer
	if err := nilT.Reset(); !errors.Is(err, ErrConfig) {
		t.Errorf("nil Trainer: %v, want ErrConfig", err)
	}
	r := newResetRig(t, 1)
	var inside error
	r.hook = func(_ context.Context, t *Trainer, e *Event) error {
		if e.Kind == EpochEnd {
			inside = t.Reset()
		}
		return nil
	}
	if _, err := r.tr.Fit(ctx, blobs(t, 40, 5), blobs(t, 10, 6)); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(inside, ErrConfig) {
		t.Errorf("Reset inside Fit: %v, want ErrConfig", inside)
	}
	if r.tr.Epochs() != 6 {
		t.Errorf("Reset refused inside Fit still changed the epoch count: %d, want 6", r.tr.Epochs())
	}
	r.tr.Close()
	if err := r.tr.Reset(); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}
