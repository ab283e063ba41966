package trainer

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
)

// paramGrad is a learnable and its gradient from the last run: what a
// solver updates (G.ValueGrad). Gorgonia's solvers and ours zero the
// gradient once used, which is harmless: the next run overwrites it.
type paramGrad struct {
	n *G.Node
	g *G.Value // into lossGraph.grads
}

func (p paramGrad) Value() G.Value { return p.n.Value() }
func (p paramGrad) Name() string   { return p.n.Name() }

func (p paramGrad) Grad() (G.Value, error) {
	if *p.g == nil {
		return nil, fmt.Errorf("trainer: no gradient of %s: the graph has not run", p.n.Name())
	}
	return *p.g, nil
}

// collectGrads points lg.grads at each learnable's gradient from the last
// run. A gradient whose buffer is not its node's own — a view of another
// value, a constant — is copied into one of ours first, so that a solver
// zeroing it cannot change anything the next run reads.
func (lg *lossGraph) collectGrads() error {
	if lg.vgs == nil {
		lg.grads = make([]G.Value, len(lg.Learnables))
		lg.gradCopies = make([]*tensor.Dense, len(lg.Learnables))
		lg.vgs = make([]G.ValueGrad, len(lg.Learnables))
		for i, n := range lg.Learnables {
			lg.vgs[i] = paramGrad{n: n, g: &lg.grads[i]}
		}
	}
	for i, n := range lg.Learnables {
		g, err := lg.prog.Grad(n)
		if err != nil {
			return err
		}
		if !lg.prog.OwnsValue(n.Deriv()) {
			src, ok := g.(*tensor.Dense)
			if !ok {
				return fmt.Errorf("trainer: gradient of %s is %T, want a *tensor.Dense", n.Name(), g)
			}
			if lg.gradCopies[i] == nil {
				lg.gradCopies[i] = src.Clone().(*tensor.Dense)
			} else if err := dense.CopyValues(lg.gradCopies[i], src); err != nil {
				return fmt.Errorf("trainer: gradient of %s: %w", n.Name(), err)
			}
			g = lg.gradCopies[i]
		}
		lg.grads[i] = g
	}
	return nil
}
