package optimizers

import (
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/gerr"
)

// paramSize is what a parameter's optimizer state depends on: its dtype
// (float32 or float64) and its number of elements.
type paramSize struct {
	dtype tensor.Dtype
	n     int
}

// sizesOf returns the sizes of bound parameters (bind has checked their dtype).
func sizesOf(ps []param) []paramSize {
	out := make([]paramSize, len(ps))
	for i, p := range ps {
		n := 0
		if p.w.Dtype() == tensor.Float32 {
			n = len(p.w.Float32s())
		} else {
			n = len(p.w.Float64s())
		}
		out[i] = paramSize{dtype: p.w.Dtype(), n: n}
	}
	return out
}

// newStates makes one state per parameter, in the parameter's dtype. opt
// carries the settings that decide which buffers a state needs.
func newStates[O, S32, S64 any](ps []paramSize, mk32 func(n int, opt O) S32, mk64 func(n int, opt O) S64, opt O) []any {
	st := make([]any, len(ps))
	for i, p := range ps {
		if p.dtype == tensor.Float32 {
			st[i] = mk32(p.n, opt)
		} else {
			st[i] = mk64(p.n, opt)
		}
	}
	return st
}

// stepper is one parameter's optimizer state, updated in place with one
// Step's scalars h.
type stepper[T float, H any] interface {
	step(w, g []T, h H) // h by value: a pointer would escape through the generic call
}

// kernel is what a solver adds to runStep: its per-parameter state and one
// Step's scalars. Methods, not closures, so a Step allocates nothing.
type kernel[H32, H64 any] interface {
	newState(ps []paramSize) []any
	// scalars runs once binding succeeded, so a solver may count its
	// steps there.
	scalars(first bool) (H32, H64)
}

// runStep is the body every solver's Step shares: check the rate, bind the
// parameters (a failed check changes nothing), make the per-parameter state
// on the first Step, compute the Step's scalars in both dtypes, then update
// each parameter in its own.
func runStep[K kernel[H32, H64], S32 stepper[float32, H32], S64 stepper[float64, H64], H32, H64 any](
	k K, what string, lr float64, b *binding, state *[]any, vgs []G.ValueGrad,
) error {
	return gerr.Do(what, func() error {
		if err := checkLR(lr); err != nil {
			return err
		}
		ps, first, err := b.bind(vgs)
		if err != nil {
			return err
		}
		if first {
			*state = k.newState(sizesOf(ps))
		}
		h32, h64 := k.scalars(first)
		for i, p := range ps {
			switch st := (*state)[i].(type) {
			case S32:
				st.step(p.w.Float32s(), p.g.Float32s(), h32)
			case S64:
				st.step(p.w.Float64s(), p.g.Float64s(), h64)
			}
		}
		return nil
	})
}

// sqrt in T: for float32 the compiler turns this into one float32 square
// root, which is correctly rounded (as torch's).
func sqrt[T float](x T) T { return T(math.Sqrt(float64(x))) }
