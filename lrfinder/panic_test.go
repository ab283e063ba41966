package lrfinder_test

import (
	"context"
	"errors"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/lrfinder"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/trainer"
)

// brokenLoss is a user's loss whose PerSample panics.
type brokenLoss struct{ losses.MSE }

func (brokenLoss) PerSample(pred, target *G.Node) (*G.Node, error) { panic("not written yet") }

// The range test blames the user's loss, not Gorgonia, for its panic.
func TestRunUserLossPanicIsErrUser(t *testing.T) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := data.FromRows([][]float64{{1, 2}, {3, 4}}, [][]float64{{1}, {2}}, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lrfinder.Run(context.Background(), m, trainer.Config{Loss: brokenLoss{}, BatchSize: 2}, ds, lrfinder.Config{})
	var pe *panics.Error
	if !errors.As(err, &pe) || !errors.Is(err, panics.ErrUser) || errors.Is(err, panics.ErrGorgonia) {
		t.Fatalf("error %v: want a *panics.Error of kind ErrUser only", err)
	}
}
