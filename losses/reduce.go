package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
)

// Reduction is torch's reduction= argument. The zero value is Mean.
type Reduction int

const (
	// Mean is Σ_i c_i·ℓ_i / Σ_i c_i, a scalar: torch's reduction="mean".
	Mean Reduction = iota
	// Sum is Σ_i c_i·ℓ_i, a scalar: torch's reduction="sum".
	Sum
	// None is c ⊙ ℓ, shape (batch,): torch's reduction="none" (for the
	// element-wise losses with several outputs, its row sums).
	None
)

func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	case None:
		return "none"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// Reduce returns l reduced over the batch as torch's reduction=r, with ℓ =
// l.PerSample(pred, target) and c = l.SampleWeights(target) (all ones if l is
// not a SampleWeighter):
//
//	Mean: Σ_i c_i·ℓ_i / Σ_i c_i   (scalar)
//	Sum:  Σ_i c_i·ℓ_i             (scalar)
//	None: c ⊙ ℓ                   (batch,)
//
// pred: (batch, outputs); target: (batch, l.TargetWidth(outputs)). As in torch,
// a Mean whose weights sum to 0 (say, class weights 0 for every label in the
// batch) is NaN.
func Reduce(l Loss, pred, target *G.Node, r Reduction) (*G.Node, error) {
	if l == nil {
		return nil, fmt.Errorf("%w: nil loss", ErrConfig)
	}
	if r != Mean && r != Sum && r != None {
		return nil, fmt.Errorf("%w: reduction = %d, want Mean (0), Sum (1) or None (2)", ErrConfig, int(r))
	}
	// l may be a user's loss: its methods run behind gerr.User, which wins
	// over the gerr.Do around our own Gorgonia calls.
	var out *G.Node
	err := gerr.Do(fmt.Sprintf("losses: reduce %T %v", l, r), func() error {
		ps, err := gerr.Value(fmt.Sprintf("losses: %T PerSample", l), func() (*G.Node, error) { return l.PerSample(pred, target) })
		if err != nil {
			return err
		}
		if s, b := ps.Shape(), pred.Shape()[0]; len(s) != 1 || s[0] != b {
			return fmt.Errorf("%w: %T gave per-sample shape %v, want (%d,)", ErrConfig, l, s, b)
		}
		sw, ok := l.(SampleWeighter)
		if !ok {
			switch r {
			case Mean:
				out, err = G.Mean(ps)
			case Sum:
				out, err = G.Sum(ps)
			default:
				out = ps
			}
			return err
		}
		c, err := gerr.Value(fmt.Sprintf("losses: %T SampleWeights", l), func() (*G.Node, error) { return sw.SampleWeights(target) })
		if err != nil {
			return err
		}
		if out, err = G.HadamardProd(c, ps); err != nil || r == None {
			return err
		}
		if out, err = G.Sum(out); err != nil || r == Sum {
			return err
		}
		total, err := G.Sum(c)
		if err != nil {
			return err
		}
		out, err = G.Div(out, total)
		return err
	})
	return out, err
}
