package optimizers

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// param is one parameter as a Step sees it: weights and gradient of the same
// dtype (float32 or float64) and shape.
type param struct {
	w, g *tensor.Dense
}

// binding checks every Step's parameters against those of the first Step:
// a solver's state (moments, buffers) belongs to one parameter list.
type binding struct {
	bound  bool
	shapes []tensor.Shape
	dtypes []tensor.Dtype
	ps     []param // reused by every Step
}

// bind checks all of vgs before anything is updated, so that a failing Step
// leaves every parameter untouched. first reports whether this is the first
// successful bind (the caller then allocates its state).
func (b *binding) bind(vgs []G.ValueGrad) (ps []param, first bool, err error) {
	if b.bound && len(vgs) != len(b.shapes) {
		return nil, false, fmt.Errorf("%w: Step got %d parameters, but this solver's first Step had %d: use one solver per parameter list",
			ErrParam, len(vgs), len(b.shapes))
	}
	if len(b.ps) != len(vgs) {
		b.ps = make([]param, len(vgs))
	}
	for i, vg := range vgs {
		w, g, err := denseParam(vg, i)
		if err != nil {
			return nil, false, err
		}
		if b.bound && (w.Dtype() != b.dtypes[i] || !sameShape(w.Shape(), b.shapes[i])) {
			return nil, false, fmt.Errorf("%w: parameter %d%s is %v %v, but was %v %v at this solver's first Step: use one solver per parameter list",
				ErrParam, i, nameOf(vg), w.Dtype(), w.Shape(), b.dtypes[i], b.shapes[i])
		}
		b.ps[i] = param{w: w, g: g}
	}
	if b.bound {
		return b.ps, false, nil
	}
	b.shapes = make([]tensor.Shape, len(vgs))
	b.dtypes = make([]tensor.Dtype, len(vgs))
	for i, p := range b.ps {
		b.shapes[i] = p.w.Shape().Clone()
		b.dtypes[i] = p.w.Dtype()
	}
	b.bound = true
	return b.ps, true, nil
}

// denseParam returns parameter i's weights and gradient, or an error saying
// why they cannot be updated elementwise.
func denseParam(vg G.ValueGrad, i int) (w, g *tensor.Dense, err error) {
	if g, err = denseGrad(vg, i); err != nil {
		return nil, nil, err
	}
	w, ok := vg.Value().(*tensor.Dense)
	if !ok || w == nil {
		return nil, nil, fmt.Errorf("%w: parameter %d%s: value is %T, want a *tensor.Dense", ErrParam, i, nameOf(vg), vg.Value())
	}
	if w.Dtype() != g.Dtype() || !sameShape(w.Shape(), g.Shape()) {
		return nil, nil, fmt.Errorf("%w: parameter %d%s: value is %v %v but its gradient is %v %v, want the same dtype and shape",
			ErrParam, i, nameOf(vg), w.Dtype(), w.Shape(), g.Dtype(), g.Shape())
	}
	if w.IsMaterializable() {
		return nil, nil, fmt.Errorf("%w: parameter %d%s: value is a view or transposed tensor, want a plain *tensor.Dense", ErrParam, i, nameOf(vg))
	}
	return w, g, nil
}

// denseGrad returns parameter i's gradient: a plain float32 or float64
// *tensor.Dense.
func denseGrad(vg G.ValueGrad, i int) (*tensor.Dense, error) {
	if vg == nil {
		return nil, fmt.Errorf("%w: parameter %d is nil", ErrParam, i)
	}
	gv, err := vg.Grad()
	if err != nil {
		return nil, fmt.Errorf("%w: parameter %d%s has no gradient: %w", ErrParam, i, nameOf(vg), err)
	}
	g, ok := gv.(*tensor.Dense)
	if !ok || g == nil {
		return nil, fmt.Errorf("%w: parameter %d%s: gradient is %T, want a *tensor.Dense", ErrParam, i, nameOf(vg), gv)
	}
	if dt := g.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("%w: parameter %d%s: gradient dtype is %v, want float32 or float64", ErrParam, i, nameOf(vg), dt)
	}
	if g.IsMaterializable() {
		return nil, fmt.Errorf("%w: parameter %d%s: gradient is a view or transposed tensor, want a plain *tensor.Dense", ErrParam, i, nameOf(vg))
	}
	return g, nil
}

// sameShape compares exactly; tensor.Shape.Eq treats (n) and (1, n) as equal.
func sameShape(a, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// nameOf gives " (name)" for a Gorgonia node, so errors say which parameter.
func nameOf(vg G.ValueGrad) string {
	if n, ok := vg.(G.Namer); ok {
		return fmt.Sprintf(" (%s)", n.Name())
	}
	return ""
}
