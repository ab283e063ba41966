package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
)

// perSamplePoint is the mean over outputs of an element-wise loss:
// (batch, outputs) ↦ (batch,).
func perSamplePoint(name string, fn pointFn, pred, target *G.Node) (*G.Node, error) {
	if err := checkPair(name, pred, target, same); err != nil {
		return nil, err
	}
	var out *G.Node
	err := gerr.Do("losses: "+name, func() error {
		el, err := applyPoint(fn, pred, target)
		if err != nil {
			return err
		}
		out, err = G.Mean(el, 1)
		return err
	})
	return out, err
}

// outputsWeights is c_i = outputs for each row of target (batch, outputs):
// with per-sample means over outputs, Σ c_i·ℓ_i is torch's sum over all
// elements, and Σ c_i·ℓ_i / Σ c_i still its mean.
func outputsWeights(target *G.Node) (*G.Node, error) {
	if target == nil {
		return nil, fmt.Errorf("%w: target is a nil node", ErrTarget)
	}
	s := target.Shape()
	if len(s) != 2 {
		return nil, fmt.Errorf("%w: target %v, want (batch, outputs)", ErrTarget, s)
	}
	return filled(target, s[0], float64(s[1]))
}

// filled is a constant (n,) of v in target's graph and dtype.
func filled(target *G.Node, n int, v float64) (*G.Node, error) {
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = v
	}
	return constVec(target, fmt.Sprintf("fill(%d,%v)", n, v), vals)
}

// constVec is a constant vector in like's graph and dtype. Gorgonia merges
// constants by name: name must tell these values apart from any others.
func constVec(like *G.Node, name string, vals []float64) (*G.Node, error) {
	return constMat(like, name, vals, len(vals))
}

// constMat is a constant of the given shape (row-major vals) in like's graph
// and dtype, named as for constVec.
func constMat(like *G.Node, name string, vals []float64, shape ...int) (*G.Node, error) {
	dt := like.Dtype()
	v, err := dense.FromFloat64(dt, vals, shape...)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrTarget, name, err)
	}
	var out *G.Node
	err = gerr.Do("losses: constant", func() error {
		out = G.NewConstant(v, G.In(like.Graph()), G.WithName(fmt.Sprintf("losses.%s.%v", name, dt)))
		return nil
	})
	return out, err
}

// constScalar is a scalar constant in like's graph and dtype.
func constScalar(like *G.Node, x float64) *G.Node {
	var v any = x
	if like.Dtype() == tensor.Float32 {
		v = float32(x)
	}
	return G.NewConstant(v, G.In(like.Graph()), G.WithName(fmt.Sprintf("losses.%v.%v", like.Dtype(), x)))
}
