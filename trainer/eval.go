package trainer

import (
	"context"
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/rowmajor"
)

// Evaluate returns the mean data loss of the current weights on ds and each
// Config.Metrics value by name. It runs a forward-only graph: no gradient is
// computed, so it never affects training.
func (t *Trainer) Evaluate(ctx context.Context, ds *data.Dataset) (loss float64, metrics map[string]float64, err error) {
	if ctx == nil {
		return 0, nil, fmt.Errorf("%w: nil context", ErrConfig)
	}
	p, err := t.prepare(ds, "evaluation")
	if err != nil {
		return 0, nil, err
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	return t.evaluate(p)
}

// evaluate runs p through the forward-only graph in batches.
func (t *Trainer) evaluate(p *prepared) (float64, map[string]float64, error) {
	n := p.raw.Len()
	out, losses, weights, err := t.forward(p.raw.X, p.targets, n)
	if err != nil {
		return 0, nil, err
	}
	// Σ c·ℓ / Σ c, as in training (c = 1 when the loss has no sample weights).
	sum, wsum := 0.0, 0.0
	for i, l := range losses {
		c := 1.0
		if weights != nil {
			c = weights[i]
		}
		sum += c * l
		wsum += c
	}
	ms := map[string]float64{}
	outM := rowmajor.Matrix{Rows: n, Cols: t.m.Outputs(), Data: out}
	for _, m := range t.cfg.Metrics {
		// A metric is often the caller's own code (metrics.Func): its panic
		// is an error of theirs, not a crash of the run.
		v, err := gerr.Value("trainer: metric "+m.Name()+" Eval", func() (float64, error) { return m.Eval(outM, p.rawY) })
		if err != nil {
			return 0, nil, fmt.Errorf("metric %s: %w", m.Name(), err)
		}
		ms[m.Name()] = v
	}
	return sum / wsum, ms, nil
}

// forward runs n rows of x (and targets, which may be nil) through the
// forward-only graph and returns the outputs (n, outputs), the per-sample
// losses (n) and the loss's sample weights (n; nil if it has none), all as
// float64.
func (t *Trainer) forward(x, targets *tensor.Dense, n int) (out, losses, weights []float64, err error) {
	batch := t.evalBatch(n)
	eg, err := t.evalGraph(batch)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := t.syncEval(eg); err != nil {
		return nil, nil, nil, err
	}
	if targets == nil {
		targets = tensor.New(tensor.Of(t.m.Dtype()), tensor.WithShape(n, eg.in.y.Shape()[1]))
	}
	outputs := t.m.Outputs()
	out = make([]float64, 0, n*outputs)
	losses = make([]float64, 0, n)
	idx := make([]int, 0, batch)
	for lo := 0; lo < n; lo += batch {
		idx = idx[:0]
		for i := lo; i < min(lo+batch, n); i++ {
			idx = append(idx, i)
		}
		eg.in.fill(x, targets, idx)
		err := eg.run()
		if err != nil {
			return nil, nil, nil, err
		}
		o := dense.Float64s(eg.outVal)
		l := dense.Float64s(eg.perSampleVal)
		out = append(out, o[:len(idx)*outputs]...)
		losses = append(losses, l[:len(idx)]...)
		if eg.sampleWeightVal != nil {
			weights = append(weights, dense.Float64s(eg.sampleWeightVal)[:len(idx)]...)
		}
	}
	return out, losses, weights, nil
}

// Predict returns the model's outputs (n, outputs) for x (n, features), in
// the model's dtype, computed with the current weights on the forward-only
// graph (dropout off). x may be float32 or float64; NaN/Inf in x, a feature
// count that differs from the model's or an empty x is an error wrapping
// ErrData.
func (t *Trainer) Predict(ctx context.Context, x *tensor.Dense) (*tensor.Dense, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrConfig)
	}
	if x == nil {
		return nil, fmt.Errorf("%w: nil input", ErrData)
	}
	if sh := x.Shape(); len(sh) != 2 {
		return nil, fmt.Errorf("%w: input shape %v, want (n, %d)", ErrData, sh, t.m.Inputs())
	}
	n := x.Shape()[0]
	y := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(n, 1))
	ds, err := data.New(x, y)
	if err != nil {
		return nil, fmt.Errorf("%w: predict input: %w", ErrData, err)
	}
	if ds.Features() != t.m.Inputs() {
		return nil, fmt.Errorf("%w: predict input has %d features, the model expects %d", ErrData, ds.Features(), t.m.Inputs())
	}
	if ds, err = ds.AsType(t.m.Dtype()); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, _, _, err := t.forward(ds.X, nil, n)
	if err != nil {
		return nil, err
	}
	return dense.FromFloat64(t.m.Dtype(), out, n, t.m.Outputs())
}
