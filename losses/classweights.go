package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
)

// labelWeights is c_i = Σ_c w_c·t_ic (w[y_i] for one-hot rows) for target
// (batch, C), or with flagged, for target (batch, C + 1) whose last column is
// 1 for label rows: c_i = w[y_i] there and 1 for probability rows. Without
// weights c ≡ 1.
func labelWeights(name string, ws []float64, target *G.Node, flagged bool) (*G.Node, error) {
	if target == nil {
		return nil, fmt.Errorf("%w: %s: target is a nil node", ErrTarget, name)
	}
	s := target.Shape()
	if len(s) != 2 {
		return nil, fmt.Errorf("%w: %s: target %v, want (batch, classes)", ErrTarget, name, s)
	}
	if len(ws) == 0 {
		return filled(target, s[0], 1)
	}
	if err := checkClassWeights(name, ws); err != nil {
		return nil, err
	}
	want := len(ws)
	if flagged {
		want++
	}
	if s[1] != want {
		return nil, fmt.Errorf("%w: %s: target %v, want (batch, %d) for %d class weights", ErrTarget, name, s, want, len(ws))
	}
	var out *G.Node
	err := gerr.Do("losses: "+name+" sample weights", func() error {
		wv, err := constVec(target, fmt.Sprintf("class_weights%v", ws), ws)
		if err != nil {
			return err
		}
		t, flag, err := splitFlag(target, len(ws), flagged)
		if err != nil {
			return err
		}
		if flag == nil {
			out, err = G.Mul(t, wv)
			return err
		}
		out, err = sampleWeights(t, flag, wv)
		return err
	})
	return out, err
}

// sampleWeights is flag ⊙ (t·w) + (1 − flag): w[y_i] for label rows (flag 1)
// and 1 for probability rows (flag 0).
func sampleWeights(t, flag, ws *G.Node) (*G.Node, error) {
	sel, err := G.Mul(t, ws)
	if err != nil {
		return nil, err
	}
	a, err := G.HadamardProd(flag, sel)
	if err != nil {
		return nil, err
	}
	b, err := G.Sub(constScalar(flag, 1), flag)
	if err != nil {
		return nil, err
	}
	return G.Add(a, b)
}

// splitFlag splits target (batch, classes + 1) into the distribution
// (batch, classes) and the flag column (batch,); without flag it returns
// target and nil. It multiplies by 0/1 selection matrices, exact for finite
// targets: Gorgonia's Slice turns a (1,) column into a scalar at run time.
func splitFlag(target *G.Node, classes int, flagged bool) (t, flag *G.Node, err error) {
	if !flagged {
		return target, nil, nil
	}
	sel := make([]float64, (classes+1)*classes)
	for c := range classes {
		sel[c*classes+c] = 1
	}
	first, err := constMat(target, fmt.Sprintf("first(%d)", classes), sel, classes+1, classes)
	if err != nil {
		return nil, nil, err
	}
	last := make([]float64, classes+1)
	last[classes] = 1
	unit, err := constVec(target, fmt.Sprintf("last(%d)", classes+1), last)
	if err != nil {
		return nil, nil, err
	}
	if t, err = G.Mul(target, first); err != nil {
		return nil, nil, err
	}
	if flag, err = G.Mul(target, unit); err != nil {
		return nil, nil, err
	}
	return t, flag, nil
}

// pick is flag ⊙ a + (1 − flag) ⊙ b: a where flag is 1, b where it is 0.
// With flag exactly 0 or 1 it returns a or b bit for bit.
func pick(flag, a, b *G.Node) (*G.Node, error) {
	fa, err := G.HadamardProd(flag, a)
	if err != nil {
		return nil, err
	}
	nf, err := G.Sub(constScalar(flag, 1), flag)
	if err != nil {
		return nil, err
	}
	fb, err := G.HadamardProd(nf, b)
	if err != nil {
		return nil, err
	}
	return G.Add(fa, fb)
}

// negSum is −Σ_c x_ic, (batch, C) ↦ (batch,).
func negSum(x *G.Node) (*G.Node, error) {
	s, err := G.Sum(x, 1)
	if err != nil {
		return nil, err
	}
	return G.Neg(s)
}

// negMatVec is −Σ_c x_ic·w_c, (batch, C) ↦ (batch,).
func negMatVec(x, w *G.Node) (*G.Node, error) {
	s, err := G.Mul(x, w)
	if err != nil {
		return nil, err
	}
	return G.Neg(s)
}
