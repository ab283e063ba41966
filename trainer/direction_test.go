package trainer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/rowmajor"
	"github.com/gradtune/gradtune/schedulers"
)

// scripted is a validation metric whose values are set in advance, one per
// evaluation, so that a test decides which epoch is best.
type scripted struct {
	name  string
	dir   goal.Direction
	vals  []float64
	calls int
}

func (s *scripted) Name() string              { return s.name }
func (s *scripted) Direction() goal.Direction { return s.dir }

func (s *scripted) Eval(_, _ rowmajor.Matrix) (float64, error) {
	if s.calls >= len(s.vals) {
		return 0, fmt.Errorf("scripted %s: evaluation %d, only %d values", s.name, s.calls+1, len(s.vals))
	}
	s.calls++
	return s.vals[s.calls-1], nil
}

// weightsAt keeps a copy of the weights at every epoch's end.
type weightsAt struct{ epochs [][]*tensor.Dense }

func (w *weightsAt) OnEvent(_ context.Context, t *Trainer, e *Event) error {
	if e.Kind == EpochEnd {
		w.epochs = append(w.epochs, t.Weights())
	}
	return nil
}

// scriptedRun trains a small MLP on blobs for len(m.vals) epochs with m as
// its only metric, validating every epoch, and returns the model, the
// history and the weights at each epoch's end (recorded after cbs ran).
func scriptedRun(t *testing.T, m metrics.Metric, epochs int, cbs ...Callback) (*model.Model, *Trainer, *History, *weightsAt) {
	t.Helper()
	mod, err := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	rec := &weightsAt{}
	tr, err := New(mod, Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Constant{LR: 0.01}, Epochs: epochs, BatchSize: 20, Seed: 3,
		Quiet: true, Metrics: []metrics.Metric{m}, Callbacks: append(cbs, rec)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	h, err := tr.Fit(ctx, blobs(t, 60, 1), blobs(t, 30, 2))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.epochs) != epochs {
		t.Fatalf("%d epochs recorded, want %d", len(rec.epochs), epochs)
	}
	return mod, tr, h, rec
}

// sameWeights reports whether got (a model's parameters) hold exactly want.
func sameWeights(got []*model.Param, want []*tensor.Dense) bool {
	for i, p := range got {
		if !reflect.DeepEqual(p.Value.Data(), want[i].Data()) {
			return false
		}
	}
	return true
}

// A metric that declares goal.Maximize, with a name that says nothing ("f1"
// has neither "acc" nor "auc"), is maximized: EarlyStopping restores the
// epoch with the highest value, not the lowest.
func TestEarlyStoppingMaximizesADeclaredMetric(t *testing.T) {
	f1 := &scripted{name: "f1", dir: goal.Maximize, vals: []float64{0.2, 0.9, 0.5, 0.3}}
	es := &EarlyStopping{Monitor: "val_f1", Patience: 10}
	m, _, h, rec := scriptedRun(t, f1, 4, es)
	if es.BestEpoch != 2 || es.Best != 0.9 {
		t.Errorf("best epoch %d (%v), want 2 (0.9, the highest val_f1)", es.BestEpoch, es.Best)
	}
	if !sameWeights(m.Params(), rec.epochs[1]) {
		t.Error("the weights after Fit are not those of epoch 2, the highest val_f1")
	}
	if sameWeights(m.Params(), rec.epochs[0]) || sameWeights(m.Params(), rec.epochs[3]) {
		t.Error("the weights after Fit equal those of epoch 1 or 4: training did not move them, the test proves nothing")
	}
	if got := h.Epochs[1].ValMetrics["f1"]; got != 0.9 {
		t.Errorf("epoch 2 val_f1 = %v, want 0.9", got)
	}
}

// ModelCheckpoint's best.json holds the epoch with the highest value of a
// maximized metric.
func TestModelCheckpointMaximizesADeclaredMetric(t *testing.T) {
	dir := t.TempDir()
	f1 := &scripted{name: "f1", dir: goal.Maximize, vals: []float64{0.2, 0.9, 0.5, 0.3}}
	_, _, _, rec := scriptedRun(t, f1, 4, &ModelCheckpoint{Dir: dir, Monitor: "val_f1", BestOnly: true})
	best, err := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 99})
	if err != nil {
		t.Fatal(err)
	}
	if err := best.LoadFile(filepath.Join(dir, "best.json")); err != nil {
		t.Fatal(err)
	}
	for e, w := range rec.epochs {
		if got, want := sameWeights(best.Params(), w), e == 1; got != want {
			t.Errorf("best.json equals epoch %d's weights: %v, want %v (epoch 2 has the highest val_f1)", e+1, got, want)
		}
	}
}

// ReduceLROnPlateau on val_accuracy maximizes it, as metrics.Accuracy
// declares: a rise keeps the rate, a stall or a fall halves it.
func TestReduceLROnPlateauMaximizesAccuracy(t *testing.T) {
	acc := &scripted{name: "accuracy", dir: metrics.Accuracy{}.Direction(), vals: []float64{0.5, 0.7, 0.7, 0.9, 0.8}}
	plateau := &ReduceLROnPlateau{Monitor: "val_accuracy", Config: schedulers.ReduceLROnPlateau{Patience: 0, Factor: 0.5}}
	_, tr, h, _ := scriptedRun(t, acc, 5, plateau)
	var reduced []bool
	var lrs []float64
	for _, e := range h.Epochs {
		reduced, lrs = append(reduced, e.LRReduced), append(lrs, e.LR)
	}
	if want := []bool{false, false, true, false, true}; !reflect.DeepEqual(reduced, want) {
		t.Errorf("LRReduced %v, want %v (reduce when val_accuracy stops rising)", reduced, want)
	}
	if want := []float64{0.01, 0.01, 0.01, 0.005, 0.005}; !reflect.DeepEqual(lrs, want) {
		t.Errorf("epoch rates %v, want %v", lrs, want)
	}
	if tr.LR() != 0.0025 {
		t.Errorf("rate after Fit %v, want 0.0025", tr.LR())
	}
}

// A monitor whose direction is unknown stops Fit at FitStart, before any
// epoch, with ErrConfig and the names it could have used.
func TestUnresolvableMonitorIsAnError(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		cb      Callback
		monitor string
	}{
		{"EarlyStopping typo", &EarlyStopping{Monitor: "val_f2"}, "val_f2"},
		{"EarlyStopping lr", &EarlyStopping{Monitor: "lr"}, "lr"},
		{"ModelCheckpoint", &ModelCheckpoint{Dir: dir, Monitor: "val_f2"}, "val_f2"},
		{"ReduceLROnPlateau", &ReduceLROnPlateau{Monitor: "val_acc"}, "val_acc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 3})
			tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Epochs: 2, BatchSize: 20, Quiet: true,
				Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: []Callback{c.cb}})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			h, err := tr.Fit(ctx, blobs(t, 60, 1), blobs(t, 30, 2))
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("Fit = %v, want ErrConfig", err)
			}
			for _, want := range []string{fmt.Sprintf("%q", c.monitor), "known: loss, val_loss, accuracy, val_accuracy"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if len(h.Epochs) != 0 {
				t.Errorf("%d epochs trained before the error, want 0 (refused at FitStart)", len(h.Epochs))
			}
		})
	}
}

// An explicit Mode needs no resolution; an out-of-range one is refused.
func TestExplicitMode(t *testing.T) {
	for _, c := range []struct {
		es      *EarlyStopping
		wantErr bool
	}{
		{&EarlyStopping{Monitor: "lr", Mode: goal.Minimize, Patience: 5}, false},
		{&EarlyStopping{Mode: goal.Direction(9)}, true},
	} {
		m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
		tr, _ := New(m, Config{Loss: losses.MSE{}, Epochs: 2, BatchSize: 2, Quiet: true, Callbacks: []Callback{c.es}})
		ds := linearData(t)
		h, err := tr.Fit(ctx, ds, ds)
		tr.Close()
		if got := errors.Is(err, ErrConfig); got != c.wantErr || !c.wantErr && err != nil {
			t.Errorf("Mode %v: Fit = %v, want ErrConfig: %v", c.es.Mode, err, c.wantErr)
		}
		if !c.wantErr && (len(h.Epochs) != 2 || c.es.BestEpoch != 1) {
			t.Errorf("Mode minimize on a constant lr: %d epochs, best epoch %d; want 2 and 1", len(h.Epochs), c.es.BestEpoch)
		}
	}
}

func linearData(t *testing.T) *data.Dataset {
	t.Helper()
	ds, err := data.FromRows([][]float64{{1}, {2}, {3}, {4}}, [][]float64{{2}, {4}, {6}, {8}}, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestMonitorDirection(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 1, Quiet: true,
		Metrics: []metrics.Metric{metrics.MAE{}, &scripted{name: "r2", dir: goal.Maximize}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for name, want := range map[string]goal.Direction{
		"loss": goal.Minimize, "val_loss": goal.Minimize, "mae": goal.Minimize, "val_mae": goal.Minimize,
		"r2": goal.Maximize, "val_r2": goal.Maximize,
	} {
		if got, err := tr.MonitorDirection(name); got != want || err != nil {
			t.Errorf("MonitorDirection(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, name := range []string{"lr", "", "val_", "accuracy", "val_rmse"} {
		if _, err := tr.MonitorDirection(name); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "known: loss, val_loss, mae, val_mae, r2, val_r2") {
			t.Errorf("MonitorDirection(%q) error = %v, want ErrConfig listing the known names", name, err)
		}
	}
}

// Metrics whose History keys would collide, or whose direction is not
// declared, are refused by New.
func TestMetricsAreChecked(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	for _, c := range []struct {
		ms   []metrics.Metric
		want string
	}{
		{[]metrics.Metric{nil}, "Metrics[0] is nil"},
		{[]metrics.Metric{&scripted{dir: goal.Minimize}}, "empty Name"},
		{[]metrics.Metric{metrics.MAE{}, metrics.MAE{}}, `Metrics[1] (metrics.MAE) is named "mae"`},
		{[]metrics.Metric{&scripted{name: "loss", dir: goal.Minimize}}, `named "loss"`},
		{[]metrics.Metric{&scripted{name: "f1"}}, `Metrics[0] ("f1") has Direction auto`},
		{[]metrics.Metric{&scripted{name: "f1", dir: 4}}, `has Direction direction(4)`},
	} {
		_, err := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 1, Metrics: c.ms})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Metrics %v: New error = %v, want ErrConfig containing %q", c.ms, err, c.want)
		}
	}
}
