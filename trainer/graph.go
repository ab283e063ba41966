package trainer

import (
	"errors"
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/internal/graphexec"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/regularizers"
)

// lossGraph is one instance of the model with its loss: placeholders for the
// targets and the row mask, and the nodes the loop reads back.
//
// The reduced loss is Σ_i m_i·c_i·ℓ_i / Σ_i m_i·c_i, with m_i = 1 for the
// real rows of a batch and 0 for padding rows, and c the loss's sample
// weights (losses.SampleWeighter; ones otherwise). A short last batch,
// padded to the graph's fixed batch size, thus gives exactly torch's mean
// over its real samples, class weights included.
type lossGraph struct {
	*model.Graph
	target, mask *G.Node
	perSample    *G.Node // ℓ (batch,)
	sampleWeight *G.Node // c (batch,), nil when the loss has none
	dataLoss     *G.Node // scalar: Σ m·c·ℓ / Σ m·c
	weightSum    *G.Node // scalar: Σ m·c, to weigh batches in the epoch mean
	penalty      *G.Node // scalar or nil
	prog         *graphexec.Program

	// The training graph's gradients from the last run (collectGrads), and
	// the learnables with them as a solver takes them.
	grads      []G.Value
	gradCopies []*tensor.Dense
	vgs        []G.ValueGrad
	*readBack

	// in holds the batch tensors bound to the placeholders at each run;
	// the training graph's prefetch fills the next batch's beside them.
	in       *batchTensors
	prefetch *prefetcher

	// feedRNG fills the training graph's feeds (dropout masks) before each
	// run; the forward-only graphs have none.
	feedRNG *rand.Rand
}

// readBack holds the values the loop reads after each run (readValues).
type readBack struct {
	dataLossVal, weightSumVal, penaltyVal, perSampleVal, sampleWeightVal, outVal G.Value
	watchedVals                                                                  []G.Value // training graph: model.Graph.Watched
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
	lg := &lossGraph{Graph: mg, readBack: &readBack{}}
	dt := m.Dtype()
	width, err := targetWidth(cfg.Loss, m.Outputs())
	if err != nil {
		return nil, err
	}
	// The closure calls into Gorgonia; the calls into a user's loss and
	// regularizers inside it run behind their own gerr.User, which wins.
	err = gerr.Do("trainer: build loss graph", func() error {
		g := mg.G
		lg.target = G.NewMatrix(g, dt, G.WithShape(batch, width), G.WithName("target"))
		lg.mask = G.NewVector(g, dt, G.WithShape(batch), G.WithName("row_mask"))
		var err error
		op := fmt.Sprintf("trainer: loss %T PerSample", cfg.Loss)
		if lg.perSample, err = gerr.Value(op, func() (*G.Node, error) { return cfg.Loss.PerSample(mg.Out, lg.target) }); err != nil {
			return err
		}
		if sh := lg.perSample.Shape(); len(sh) != 1 || sh[0] != batch {
			return fmt.Errorf("%w: loss %v gave per-sample shape %v, want (%d,)", ErrConfig, cfg.Loss, sh, batch)
		}
		cm := lg.mask
		if sw, ok := cfg.Loss.(losses.SampleWeighter); ok {
			op := fmt.Sprintf("trainer: loss %T SampleWeights", cfg.Loss)
			if lg.sampleWeight, err = gerr.Value(op, func() (*G.Node, error) { return sw.SampleWeights(lg.target) }); err != nil {
				return err
			}
			if cm, err = G.HadamardProd(lg.sampleWeight, lg.mask); err != nil {
				return err
			}
		}
		weighted, err := G.HadamardProd(lg.perSample, cm)
		if err != nil {
			return err
		}
		num, err := G.Sum(weighted)
		if err != nil {
			return err
		}
		if lg.weightSum, err = G.Sum(cm); err != nil {
			return err
		}
		if lg.dataLoss, err = G.Div(num, lg.weightSum); err != nil {
			return err
		}
		if !training {
			lg.prog, err = graphexec.Compile(g)
			return err
		}
		lg.watchedVals = make([]G.Value, len(mg.Watched))
		cost := lg.dataLoss
		if lg.penalty, err = penalty(m, mg, cfg); err != nil {
			return err
		}
		if lg.penalty != nil {
			if cost, err = G.Add(cost, lg.penalty); err != nil {
				return err
			}
		}
		if _, err = G.Grad(cost, mg.Learnables...); err != nil {
			return fmt.Errorf("differentiating the loss (does every parameter affect the output?): %w", err)
		}
		lg.prog, err = graphexec.Compile(g)
		return err
	})
	if err != nil {
		if !errors.Is(err, ErrConfig) {
			err = fmt.Errorf("%w: %w", ErrConfig, err)
		}
		return nil, err
	}
	lg.in = newBatchTensors(dt, batch, m.Inputs(), width)
	if training {
		lg.prefetch = &prefetcher{spare: newBatchTensors(dt, batch, m.Inputs(), width)}
	}
	return lg, nil
}

// penalty sums every regularizer's penalty: cfg.Regularizers over the
// parameters that cfg.Regularized selects, and each parameter's own. It
// returns nil when there is none.
func penalty(m *model.Model, mg *model.Graph, cfg *Config) (*G.Node, error) {
	selected := cfg.Regularized
	if selected == nil {
		selected = func(p *model.Param) bool { return p.Decay }
	}
	var ws G.Nodes
	for i, p := range m.Params() {
		ok, err := gerr.Value("trainer: Config.Regularized", func() (bool, error) { return selected(p), nil })
		if err != nil {
			return nil, err
		}
		if ok {
			ws = append(ws, mg.Learnables[i])
		}
	}
	if len(cfg.Regularizers) > 0 && len(ws) == 0 {
		return nil, fmt.Errorf("%w: Regularizers given but Regularized selects none of the model's parameters", ErrConfig)
	}
	var total *G.Node
	add := func(r regularizers.Regularizer, over G.Nodes) error {
		p, err := gerr.Value(fmt.Sprintf("trainer: regularizer %T Penalty", r), func() (*G.Node, error) { return r.Penalty(over) })
		if err != nil {
			return err
		}
		if total == nil {
			total = p
		} else if total, err = G.Add(total, p); err != nil {
			return err
		}
		return nil
	}
	for _, r := range cfg.Regularizers {
		if err := add(r, ws); err != nil {
			return nil, err
		}
	}
	// Per-layer regularizers declared by the network (model.Dense's
	// Regularizers), on top of the global ones.
	for i, p := range m.Params() {
		for _, r := range p.Regularizers {
			if err := add(r, G.Nodes{mg.Learnables[i]}); err != nil {
				return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
			}
		}
	}
	return total, nil
}

// run binds the batch tensors, fills the feeds and runs the program once.
func (lg *lossGraph) run() error {
	if len(lg.Feeds) > 0 {
		if err := lg.FillFeeds(lg.feedRNG); err != nil {
			return err
		}
	}
	return gerr.Do("trainer: run graph", func() error {
		for _, b := range []struct {
			n *G.Node
			v *tensor.Dense
		}{{lg.X, lg.in.x}, {lg.target, lg.in.y}, {lg.mask, lg.in.mask}} {
			// Bound already (the batch tensors are reused): G.Let would
			// only check the shape again, for an allocation a call.
			if b.n.Value() == G.Value(b.v) {
				continue
			}
			if err := G.Let(b.n, b.v); err != nil {
				return err
			}
		}
		if err := lg.prog.Run(); err != nil {
			return err
		}
		lg.readValues()
		return nil
	})
}

// readValues points readBack at the values of the last run.
func (lg *lossGraph) readValues() {
	p, rb := lg.prog, lg.readBack
	rb.dataLossVal, rb.weightSumVal = p.Value(lg.dataLoss), p.Value(lg.weightSum)
	if lg.penalty != nil {
		rb.penaltyVal = p.Value(lg.penalty)
	}
	if rb.watchedVals != nil { // the training graph
		for i, w := range lg.Watched {
			rb.watchedVals[i] = p.Value(w.Node)
		}
		return
	}
	rb.perSampleVal, rb.outVal = p.Value(lg.perSample), p.Value(lg.Out)
	if lg.sampleWeight != nil {
		rb.sampleWeightVal = p.Value(lg.sampleWeight)
	}
}

// targetWidth is l.TargetWidth(outputs), a user's loss method, behind gerr.User.
func targetWidth(l losses.Loss, outputs int) (int, error) {
	return gerr.Value(fmt.Sprintf("trainer: loss %T TargetWidth", l), func() (int, error) { return l.TargetWidth(outputs), nil })
}

func (lg *lossGraph) close() {
	if lg != nil && lg.prefetch != nil {
		lg.prefetch.wait()
	}
}
