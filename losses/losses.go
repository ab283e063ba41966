// Package losses defines training losses as symbolic Gorgonia nodes.
//
// A Loss gives per-sample losses (batch,); the trainer reduces them with
// per-sample weights so that a short last batch and padding are exact. Mean
// gives the usual scalar for hand-written loops.
package losses

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
)

// ErrTarget is wrapped by every error about targets that don't fit the loss.
var ErrTarget = errors.New("losses: invalid target")

// Loss is a per-sample loss.
type Loss interface {
	// PerSample returns the per-sample losses, shape (batch,), for
	// pred (batch, outputs) and target (batch, TargetWidth(outputs)).
	PerSample(pred, target *G.Node) (*G.Node, error)
	// TargetWidth is the width of the encoded target for a model with the given outputs.
	TargetWidth(outputs int) int
	// EncodeTargets turns raw targets y, row-major (n, k), into encoded targets
	// (n, TargetWidth(outputs)). It returns an error wrapping ErrTarget that
	// names the first bad row.
	EncodeTargets(y []float64, n, k, outputs int) ([]float64, error)
	String() string
}

// Mean returns the scalar mean of l's per-sample losses (PyTorch's reduction="mean").
func Mean(l Loss, pred, target *G.Node) (*G.Node, error) {
	var out *G.Node
	err := gerr.Do("losses: mean "+l.String(), func() error {
		ps, err := l.PerSample(pred, target)
		if err != nil {
			return err
		}
		out, err = G.Mean(ps)
		return err
	})
	return out, err
}

// checkPair checks that pred and target are both (batch, outputs).
func checkPair(name string, pred, target *G.Node) error {
	ps, ts := pred.Shape(), target.Shape()
	if len(ps) != 2 || !ps.Eq(ts) {
		return fmt.Errorf("%w: %s: pred %v and target %v, want both (batch, outputs)", ErrTarget, name, ps, ts)
	}
	return nil
}
