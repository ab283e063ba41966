package trainer

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/model"
)

// lossGraph is one instance of the model with its loss: placeholders for the
// targets and per-sample weights, and the nodes the loop reads back.
//
// The reduced loss is Σ_i w_i·ℓ_i with w_i = 1/n for the n real rows of a
// batch and 0 for padding rows, so a short last batch (padded to the fixed
// graph batch size) gives exactly the mean over its real samples.
type lossGraph struct {
	*model.Graph
	target, weight *G.Node
	perSample      *G.Node
	dataLoss       *G.Node // scalar: Σ w_i·ℓ_i
	penalty        *G.Node // scalar or nil
	vm             G.VM

	// Values read back after RunAll.
	dataLossVal, penaltyVal, perSampleVal, outVal G.Value

	// Reused batch tensors bound to the placeholders.
	bx, by, bw *tensor.Dense
}

// buildLossGraph instantiates m with batch rows. training=true adds the
// regularization penalty, differentiates and binds dual values; otherwise
// the graph is forward-only: it has no gradient nodes, so running it can
// never leak gradient into a training step.
func buildLossGraph(m *model.Model, cfg *Config, batch int, training bool) (*lossGraph, error) {
	mg, err := m.NewGraph(batch, training)
	if err != nil {
		return nil, err
	}
	if training && len(mg.Learnables) == 0 {
		return nil, fmt.Errorf("%w: the network declares no parameters to train (use model.Scope.Param)", ErrConfig)
	}
	lg := &lossGraph{Graph: mg}
	dt := m.Dtype()
	width := cfg.Loss.TargetWidth(m.Outputs())
	err = gerr.Do("trainer: build loss graph", func() error {
		g := mg.G
		lg.target = G.NewMatrix(g, dt, G.WithShape(batch, width), G.WithName("target"))
		lg.weight = G.NewVector(g, dt, G.WithShape(batch), G.WithName("sample_weight"))
		var err error
		if lg.perSample, err = cfg.Loss.PerSample(mg.Out, lg.target); err != nil {
			return err
		}
		if sh := lg.perSample.Shape(); sh.TotalSize() != batch {
			return fmt.Errorf("%w: loss %v gave per-sample shape %v, want (%d,)", ErrConfig, cfg.Loss, sh, batch)
		}
		weighted, err := G.HadamardProd(lg.perSample, lg.weight)
		if err != nil {
			return err
		}
		if lg.dataLoss, err = G.Sum(weighted); err != nil {
			return err
		}
		G.Read(lg.dataLoss, &lg.dataLossVal)
		if !training {
			G.Read(lg.perSample, &lg.perSampleVal)
			G.Read(mg.Out, &lg.outVal)
			lg.vm = G.NewTapeMachine(g)
			return nil
		}
		cost := lg.dataLoss
		if lg.penalty, err = penalty(m, mg, cfg); err != nil {
			return err
		}
		if lg.penalty != nil {
			G.Read(lg.penalty, &lg.penaltyVal)
			if cost, err = G.Add(cost, lg.penalty); err != nil {
				return err
			}
		}
		if _, err = G.Grad(cost, mg.Learnables...); err != nil {
			return fmt.Errorf("differentiating the loss (does every parameter affect the output?): %w", err)
		}
		lg.vm = G.NewTapeMachine(g, G.BindDualValues(mg.Learnables...))
		return nil
	})
	if err != nil {
		if !errors.Is(err, ErrConfig) {
			err = fmt.Errorf("%w: %w", ErrConfig, err)
		}
		return nil, err
	}
	lg.bx = tensor.New(tensor.Of(dt), tensor.WithShape(batch, m.Inputs()))
	lg.by = tensor.New(tensor.Of(dt), tensor.WithShape(batch, width))
	lg.bw = tensor.New(tensor.Of(dt), tensor.WithShape(batch))
	return lg, nil
}

// penalty sums every regularizer's penalty over the parameters that
// cfg.Regularized selects.
func penalty(m *model.Model, mg *model.Graph, cfg *Config) (*G.Node, error) {
	if len(cfg.Regularizers) == 0 {
		return nil, nil
	}
	selected := cfg.Regularized
	if selected == nil {
		selected = func(p *model.Param) bool { return p.Decay }
	}
	var ws G.Nodes
	for i, p := range m.Params() {
		if selected(p) {
			ws = append(ws, mg.Learnables[i])
		}
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("%w: Regularizers given but Regularized selects none of the model's parameters", ErrConfig)
	}
	var total *G.Node
	for _, r := range cfg.Regularizers {
		p, err := r.Penalty(ws)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = p
		} else if total, err = G.Add(total, p); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// run binds the batch tensors and runs the machine once.
func (lg *lossGraph) run() error {
	return gerr.Do("trainer: run graph", func() error {
		for _, b := range []struct {
			n *G.Node
			v *tensor.Dense
		}{{lg.X, lg.bx}, {lg.target, lg.by}, {lg.weight, lg.bw}} {
			if err := G.Let(b.n, b.v); err != nil {
				return err
			}
		}
		return lg.vm.RunAll()
	})
}

func (lg *lossGraph) close() {
	if lg != nil && lg.vm != nil {
		lg.vm.Close()
	}
}
