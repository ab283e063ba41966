package trainer

import (
	"context"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
)

// lineCounter is a progress callback that counts the epoch lines it would
// write.
type lineCounter struct{ epochs []int }

func (c *lineCounter) OnEvent(_ context.Context, _ *Trainer, e *Event) error {
	if e.Kind == EpochEnd {
		c.epochs = append(c.epochs, e.Epoch)
	}
	return nil
}
func (*lineCounter) ShowsProgress() {}

func fiveRows(t *testing.T) *data.Dataset {
	t.Helper()
	ds, err := data.FromRows([][]float64{{1}, {2}, {3}, {4}, {5}}, [][]float64{{2}, {4}, {6}, {8}, {10}}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// A progress callback in Callbacks replaces the default EpochLogger (no line
// twice) and runs before the others: placed after a callback that stops
// training, it still sees the last epoch.
func TestProgressCallbackReplacesDefaultAndRunsFirst(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	var buf strings.Builder
	shows := &lineCounter{}
	stopAt2 := CallbackFunc(func(_ context.Context, _ *Trainer, e *Event) error {
		if e.Kind == EpochEnd && e.Epoch == 2 {
			return ErrStopTraining
		}
		return nil
	})
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 4, BatchSize: 2, Progress: &buf,
		Callbacks: []Callback{stopAt2, shows}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, fiveRows(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 2 || len(shows.epochs) != 2 || shows.epochs[1] != 2 {
		t.Errorf("%d epochs ran, the progress callback saw the ends of %v; want 2 and [1 2]", len(h.Epochs), shows.epochs)
	}
	if buf.Len() != 0 {
		t.Errorf("the default EpochLogger wrote %q beside a progress callback, want nothing", buf.String())
	}
}

// Quiet turns the default off; an EpochLogger added by hand still writes
// History's epochs, each as EpochStats.String.
func TestQuietAndExplicitEpochLogger(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	var def, mine strings.Builder
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 2, BatchSize: 2, Quiet: true, Progress: &def,
		Callbacks: []Callback{EpochLogger{W: &mine}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, fiveRows(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := h.Epochs[0].String() + "\n" + h.Epochs[1].String() + "\n"
	if def.Len() != 0 || mine.String() != want {
		t.Errorf("Quiet default wrote %q and the explicit EpochLogger %q; want nothing and %q", def.String(), mine.String(), want)
	}
	if !strings.HasPrefix(want, "epoch 1: loss=") || !strings.Contains(want, " steps=3 ") {
		t.Errorf("epoch lines %q, want Keras-style lines of 3 steps", want)
	}
}

// The events carry what a progress bar needs: the last epoch of the Fit, the
// batches per epoch, and at BatchEnd the running loss, which ends as the
// epoch's TrainLoss.
func TestEventProgressFields(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	var got []Event
	rec := CallbackFunc(func(_ context.Context, _ *Trainer, e *Event) error {
		got = append(got, *e)
		return nil
	})
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 2, BatchSize: 2, Quiet: true, Callbacks: []Callback{rec}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	h1, err := tr.Fit(ctx, fiveRows(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	first := len(got)
	h2, err := tr.Fit(ctx, fiveRows(t), nil) // continues: epochs 3 and 4
	if err != nil {
		t.Fatal(err)
	}
	epochs := append(h1.Epochs, h2.Epochs...)
	var batchLosses []float64
	for i, e := range got {
		wantLast := 2
		if i >= first {
			wantLast = 4
		}
		if e.Epochs != wantLast || e.Batches != 3 {
			t.Fatalf("event %d (%v, epoch %d): Epochs=%d Batches=%d, want %d and 3", i, e.Kind, e.Epoch, e.Epochs, e.Batches, wantLast)
		}
		if e.Kind != BatchEnd {
			continue
		}
		batchLosses = append(batchLosses, e.Loss)
		if e.Batch == 1 && e.RunningLoss != e.Loss {
			t.Errorf("epoch %d batch 1: RunningLoss %v, want its Loss %v", e.Epoch, e.RunningLoss, e.Loss)
		}
		if e.Batch == 3 {
			// Batches of 2, 2 and 1 rows: the mean weighs each by its rows.
			n := len(batchLosses)
			mean := (2*batchLosses[n-3] + 2*batchLosses[n-2] + batchLosses[n-1]) / 5
			if want := epochs[e.Epoch-1].TrainLoss; e.RunningLoss != want || math.Abs(mean-want) > 1e-12*want {
				t.Errorf("epoch %d last batch: RunningLoss %v, weighted mean of batch losses %v; want TrainLoss %v", e.Epoch, e.RunningLoss, mean, want)
			}
		}
	}
	if len(batchLosses) != 12 {
		t.Errorf("%d BatchEnd events, want 12", len(batchLosses))
	}
}
