package trainer

// Calls Fit never makes — on a Trainer not made by New, with a nil writer —
// return errors instead of panicking (issue 13's audit found each of them
// panicking). callback_misuse_test.go does the same for callbacks.

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
)

// linearTrainer is a Trainer of a 1-input linear model.
func linearTrainer(t *testing.T) *Trainer {
	t.Helper()
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 1, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

// wantConfigError fails t unless err wraps ErrConfig and says what.
func wantConfigError(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), what) {
		t.Errorf("got %v, want an error wrapping ErrConfig that says %q", err, what)
	}
}

// noPanic runs f, failing t if it panics.
func noPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("panicked: %v", p)
		}
	}()
	return f()
}

// A nil or zero Trainer (not made by New) answers its methods with errors
// saying so, or with zero values where a method has no error to return.
func TestZeroTrainerMethodsReturnErrors(t *testing.T) {
	ws := linearTrainer(t).Weights()
	for name, tr := range map[string]*Trainer{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			var lr float64
			var got []*tensor.Dense
			noPanic(t, func() error { lr, got = tr.LR(), tr.Weights(); return nil })
			if lr != 0 || got != nil {
				t.Errorf("LR() = %v, Weights() = %v; want 0 and nil", lr, got)
			}
			wantConfigError(t, noPanic(t, func() error { return tr.SetWeights(ws) }), "not created by trainer.New")
			wantConfigError(t, noPanic(t, func() error { return tr.Save(&bytes.Buffer{}) }), "not created by trainer.New")
		})
	}
}

func TestSaveRejectsNilWriter(t *testing.T) {
	tr := linearTrainer(t)
	wantConfigError(t, noPanic(t, func() error { return tr.Save(nil) }), "Save into a nil io.Writer")
}
