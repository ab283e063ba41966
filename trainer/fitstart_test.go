package trainer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
)

// refusedAtStart fits a fresh MLP with cbs on blobs (val, may be nil) and
// checks that Fit fails with ErrConfig, mentioning each of want, before any
// step: no epoch recorded and the model's weights exactly as they were.
func refusedAtStart(t *testing.T, withVal bool, want []string, cbs ...Callback) {
	t.Helper()
	m, err := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Epochs: 2, BatchSize: 20, Quiet: true,
		Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: cbs})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	before := tr.Weights()
	val := blobs(t, 30, 2)
	if !withVal {
		val = nil
	}
	h, err := tr.Fit(ctx, blobs(t, 60, 1), val)
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("Fit = %v, want ErrConfig", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Fit = %v, want it to mention %q", err, w)
		}
	}
	if len(h.Epochs) != 0 || tr.solver.Steps() != 0 {
		t.Errorf("Fit ran %d epochs, %d steps before refusing; want none", len(h.Epochs), tr.solver.Steps())
	}
	if !sameWeights(m.Params(), before) {
		t.Error("the weights changed: Fit trained before refusing the configuration")
	}
}

// Appending to a log whose header differs from the run's columns (with or
// without validation) is refused at FitStart: no step, file untouched.
func TestCSVLoggerAppendRefusedBeforeTraining(t *testing.T) {
	const noVal, withVal = "epoch,loss,val_loss,lr,seconds", "epoch,loss,val_loss,val_accuracy,lr,seconds"
	for _, fileVal := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "log.csv")
		csvRun(t, &CSVLogger{Path: path}, 1, fileVal)
		before, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.SplitN(string(before), "\n", 2)[0], map[bool]string{false: noVal, true: withVal}[fileVal]; got != want {
			t.Fatalf("the first run's header is %s, want %s", got, want)
		}
		refusedAtStart(t, !fileVal, []string{noVal, withVal}, &CSVLogger{Path: path, Append: true})
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("file with validation %v: the log changed:\n%s\nwant\n%s", fileVal, after, before)
		}
	}
}

// A built-in callback monitoring a val_* quantity, given a Fit without a
// validation set, is refused at FitStart, whatever its Mode.
func TestValMonitorWithoutValidationRefusedBeforeTraining(t *testing.T) {
	for _, c := range []struct {
		name string
		cb   Callback
		want string
	}{
		{"EarlyStopping default", &EarlyStopping{}, `EarlyStopping monitors "val_loss"`},
		{"EarlyStopping Minimize", &EarlyStopping{Monitor: "val_loss", Mode: goal.Minimize}, `EarlyStopping monitors "val_loss"`},
		{"ModelCheckpoint", &ModelCheckpoint{Dir: t.TempDir(), Monitor: "val_accuracy"}, `ModelCheckpoint monitors "val_accuracy"`},
		{"ReduceLROnPlateau", &ReduceLROnPlateau{Monitor: "val_loss"}, `ReduceLROnPlateau monitors "val_loss"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			refusedAtStart(t, false, []string{c.want, "needs a validation set"}, c.cb)
		})
	}
}

// ReduceLROnPlateau on val_loss, attached by a Fit with validation, refuses
// a later Fit without one at its start, leaving the weights as they are.
func TestReduceLROnPlateauRefusesALaterFitWithoutValidation(t *testing.T) {
	m, err := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Constant{LR: 0.01}, Epochs: 1, BatchSize: 20, Quiet: true,
		Callbacks: []Callback{&ReduceLROnPlateau{Monitor: "val_loss"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Fit(ctx, blobs(t, 60, 1), blobs(t, 30, 2)); err != nil {
		t.Fatal(err)
	}
	before, steps := tr.Weights(), tr.solver.Steps()
	h, err := tr.Fit(ctx, blobs(t, 60, 1), nil)
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "needs a validation set") {
		t.Errorf("second Fit = %v, want ErrConfig saying a validation set is needed", err)
	}
	if len(h.Epochs) != 0 || tr.solver.Steps() != steps || !sameWeights(m.Params(), before) {
		t.Errorf("second Fit ran %d epochs, %d steps, or changed the weights before refusing", len(h.Epochs), tr.solver.Steps()-steps)
	}
}

// Event.Validation says, at every event, whether Fit has a validation set.
func TestEventValidation(t *testing.T) {
	m, err := model.New(model.Linear{Out: 3}, model.Config{Inputs: 4})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[bool]int{} // Validation value → events seen with it
	rec := CallbackFunc(func(_ context.Context, _ *Trainer, e *Event) error {
		seen[e.Validation]++
		return nil
	})
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Epochs: 1, BatchSize: 30, Quiet: true, Callbacks: []Callback{rec}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := tr.Fit(ctx, blobs(t, 60, 1), blobs(t, 30, 2)); err != nil {
		t.Fatal(err)
	}
	// FitStart, EpochStart, 2 × (BatchStart, BatchEnd), EpochEnd, FitEnd.
	if seen[true] != 8 || seen[false] != 0 {
		t.Errorf("with validation: %d events with Validation, %d without; want 8, 0", seen[true], seen[false])
	}
	clear(seen)
	if _, err := tr.Fit(ctx, blobs(t, 60, 1), nil); err != nil {
		t.Fatal(err)
	}
	if seen[true] != 0 || seen[false] != 8 {
		t.Errorf("without validation: %d events with Validation, %d without; want 0, 8", seen[true], seen[false])
	}
}
