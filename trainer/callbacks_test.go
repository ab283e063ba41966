package trainer

import (
	"context"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
)

// recorder logs the events it sees.
type recorder struct{ kinds []string }

func (r *recorder) OnEvent(_ context.Context, _ *Trainer, e *Event) error {
	r.kinds = append(r.kinds, e.Kind.String())
	return nil
}

func TestEventOrder(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	rec := &recorder{}
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 2, BatchSize: 2, Quiet: true, Callbacks: []Callback{rec}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ds, _ := data.FromRows([][]float64{{1}, {2}, {3}}, [][]float64{{1}, {2}, {3}}, tensor.Float32)
	if _, err := tr.Fit(ctx, ds, nil); err != nil {
		t.Fatal(err)
	}
	epoch := []string{"epoch_start", "batch_start", "batch_end", "batch_start", "batch_end", "epoch_end"}
	want := append(append(append([]string{"fit_start"}, epoch...), epoch...), "fit_end")
	if !reflect.DeepEqual(rec.kinds, want) {
		t.Errorf("events %v, want %v", rec.kinds, want)
	}
}

// overfitRun trains a large MLP on 50 noisy samples: validation loss falls,
// then rises. es may stop it.
func overfitRun(t *testing.T, es *EarlyStopping, epochs int) (*Trainer, *History, *data.Dataset) {
	t.Helper()
	m, err := model.New(model.MLP{Hidden: []int{256, 256}, Out: 3}, model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cbs := []Callback{}
	if es != nil {
		cbs = append(cbs, es)
	}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Constant{LR: 3e-3}, Epochs: epochs, BatchSize: 10, Seed: 1,
		Quiet: true, Callbacks: cbs, Metrics: []metrics.Metric{metrics.Accuracy{}}})
	if err != nil {
		t.Fatal(err)
	}
	noisy := func(n int, seed uint64) *data.Dataset {
		d := blobs(t, n, seed)
		xs := d.X.Data().([]float32)
		for i := range xs {
			xs[i] *= 1.5 // widen the clusters so they overlap: memorizing hurts
		}
		return d
	}
	val := noisy(150, 11)
	h, err := tr.Fit(ctx, noisy(50, 10), val)
	if err != nil {
		t.Fatal(err)
	}
	return tr, h, val
}

// EarlyStopping stops an overfitting run and restores the best epoch's
// weights: the validation loss after Fit equals the recorded minimum.
func TestEarlyStoppingRestoresBest(t *testing.T) {
	es := &EarlyStopping{Patience: 3}
	tr, h, val := overfitRun(t, es, 200)
	defer tr.Close()
	if h.StoppedBy == "" || es.StoppedEpoch == 0 || len(h.Epochs) == 200 {
		t.Fatalf("did not stop early: %d epochs, StoppedBy %q", len(h.Epochs), h.StoppedBy)
	}
	minLoss, minEpoch := math.Inf(1), 0
	for _, e := range h.Epochs {
		if e.ValLoss < minLoss {
			minLoss, minEpoch = e.ValLoss, e.Epoch
		}
	}
	if es.BestEpoch != minEpoch || es.StoppedEpoch != minEpoch+3 {
		t.Errorf("best epoch %d stopped %d, want %d and %d (Keras: after Patience epochs without improvement)", es.BestEpoch, es.StoppedEpoch, minEpoch, minEpoch+3)
	}
	got, _, err := tr.Evaluate(ctx, val)
	if err != nil || got != minLoss {
		t.Errorf("validation loss after Fit = %v, %v; want the recorded minimum %v", got, err, minLoss)
	}
}

// The best weights come back also when the run ends at its last epoch.
func TestEarlyStoppingRestoresAtMaxEpochs(t *testing.T) {
	es := &EarlyStopping{Patience: 1000}
	tr, h, val := overfitRun(t, es, 40)
	defer tr.Close()
	last, _ := h.Last()
	got, _, _ := tr.Evaluate(ctx, val)
	if h.StoppedBy != "" || got != es.Best || got >= last.ValLoss {
		t.Errorf("after 40 epochs: val loss %v, best %v (epoch %d), last %v; want the best restored", got, es.Best, es.BestEpoch, last.ValLoss)
	}
}

func TestEarlyStoppingNeedsItsMonitor(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	tr, _ := New(m, Config{Loss: losses.MSE{}, Epochs: 2, BatchSize: 2, Quiet: true, Callbacks: []Callback{&EarlyStopping{}}})
	defer tr.Close()
	ds, _ := data.FromRows([][]float64{{1}, {2}}, [][]float64{{1}, {2}}, tensor.Float32)
	_, err := tr.Fit(ctx, ds, nil) // no validation set: no val_loss
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `"val_loss"`) || !strings.Contains(err.Error(), "needs a validation set") {
		t.Errorf("error = %v, want ErrConfig naming val_loss and saying it needs a validation set", err)
	}
}

func TestCheckpointCSVLoggerLRMonitor(t *testing.T) {
	dir := t.TempDir()
	m, _ := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 2})
	lrm := &LRMonitor{}
	ckpt := &ModelCheckpoint{Dir: filepath.Join(dir, "ckpt")}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Exponential{LR: 0.01, Gamma: 0.5}, Epochs: 3, BatchSize: 50, Quiet: true,
		Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: []Callback{ckpt, &CSVLogger{Path: filepath.Join(dir, "log.csv")}, lrm}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, blobs(t, 100, 1), blobs(t, 30, 2))
	if err != nil {
		t.Fatal(err)
	}
	// LRMonitor: 2 steps per epoch at 0.01, 0.005, 0.0025.
	if !reflect.DeepEqual(lrm.LRs, []float64{0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025}) || !reflect.DeepEqual(lrm.Steps, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("LRMonitor %v %v", lrm.Steps, lrm.LRs)
	}
	// CSV: header and one row per epoch, matching the History.
	f, _ := os.Open(filepath.Join(dir, "log.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 4 || strings.Join(rows[0], ",") != "epoch,loss,val_loss,val_accuracy,lr,seconds" {
		t.Fatalf("csv %v, %v", rows, err)
	}
	// last.json holds the final weights; best.json the best epoch's.
	final, _ := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 99})
	if err := final.LoadFile(filepath.Join(dir, "ckpt", "last.json")); err != nil {
		t.Fatal(err)
	}
	for i := range m.Params() {
		if !reflect.DeepEqual(final.Params()[i].Value.Data(), m.Params()[i].Value.Data()) {
			t.Errorf("last.json parameter %d differs from the trained model", i)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ckpt", "best.json")); err != nil {
		t.Errorf("best.json: %v (history %+v)", err, h.Epochs)
	}
}

func TestMonitorRecordsGradientStats(t *testing.T) {
	m, _ := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 2})
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Epochs: 2, BatchSize: 10, MonitorEvery: 4, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, blobs(t, 30, 1), nil) // 3 steps per epoch: steps 1..6
	if err != nil {
		t.Fatal(err)
	}
	var steps []int
	for _, mon := range h.Monitor {
		steps = append(steps, mon.Step)
		total := 0.0
		for _, p := range mon.Params {
			total += p.GradNorm * p.GradNorm
			if p.WeightNorm <= 0 && strings.HasSuffix(p.Name, "/W") || p.UpdateRatio < 0 {
				t.Errorf("step %d %s: %+v", mon.Step, p.Name, p)
			}
		}
		if math.Abs(math.Sqrt(total)-mon.GradNorm) > 1e-9*mon.GradNorm || mon.GradNorm == 0 {
			t.Errorf("step %d: global norm %v, per-layer norms give %v", mon.Step, mon.GradNorm, math.Sqrt(total))
		}
		if len(mon.Activations) != 1 || mon.Activations[0].Units != 8 || mon.Activations[0].DeadFraction < 0 || mon.Activations[0].DeadFraction > 1 {
			t.Errorf("step %d activations %+v", mon.Step, mon.Activations)
		}
	}
	if !reflect.DeepEqual(steps, []int{1, 5}) {
		t.Errorf("monitored steps %v, want [1 5] (the first, then every 4)", steps)
	}
	// With Adam lr 1e-3 the first step moves each weight by ≈ lr.
	if r := h.Monitor[0].Params[0].UpdateRatio; r <= 0 || r > 0.1 {
		t.Errorf("first update ratio %v, want small and positive", r)
	}
}

// A callback's error stops Fit and comes back wrapped; ErrStopTraining
// stops it cleanly.
func TestCallbackErrors(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	boom := errors.New("boom")
	ds, _ := data.FromRows([][]float64{{1}, {2}}, [][]float64{{1}, {2}}, tensor.Float32)
	for _, c := range []struct {
		ret     error
		wantErr error
		epochs  int
	}{{boom, boom, 0}, {ErrStopTraining, nil, 1}} {
		cb := CallbackFunc(func(_ context.Context, _ *Trainer, e *Event) error {
			if e.Kind == EpochEnd {
				return c.ret
			}
			return nil
		})
		tr, _ := New(m, Config{Loss: losses.MSE{}, Epochs: 5, BatchSize: 2, Quiet: true, Callbacks: []Callback{cb}})
		h, err := tr.Fit(ctx, ds, nil)
		tr.Close()
		if !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) || len(h.Epochs) != 1 {
			t.Errorf("callback returning %v: Fit = %d epochs, %v", c.ret, len(h.Epochs), err)
		}
		if c.wantErr == nil && h.StoppedBy == "" {
			t.Error("StoppedBy not set")
		}
	}
}
