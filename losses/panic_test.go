package losses_test

import (
	"errors"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/panics"
)

// unfinishedLoss is a user's loss whose PerSample panics.
type unfinishedLoss struct{ losses.MSE }

func (unfinishedLoss) PerSample(pred, target *G.Node) (*G.Node, error) {
	panic("PerSample: not written yet")
}

// Reduce over a user's loss blames the user, not Gorgonia, for its panic.
func TestReduceUserLossPanicIsErrUser(t *testing.T) {
	g := G.NewGraph()
	pred := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 1), G.WithName("pred"))
	target := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 1), G.WithName("target"))
	_, err := losses.Reduce(unfinishedLoss{}, pred, target, losses.Mean)
	var pe *panics.Error
	if !errors.As(err, &pe) || !errors.Is(err, panics.ErrUser) || errors.Is(err, panics.ErrGorgonia) {
		t.Fatalf("error %v: want a *panics.Error of kind ErrUser only", err)
	}
	if !strings.Contains(pe.Op, "losses_test.unfinishedLoss PerSample") || !strings.Contains(string(pe.Stack), "losses_test.unfinishedLoss.PerSample") {
		t.Errorf("op %q or its stack does not name the user's PerSample:\n%s", pe.Op, pe.Stack)
	}
}
