package optimizers

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/internal/vec"
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
	_, err := runStepSnapshot[K, S32, S64](k, what, lr, b, state, vgs, nil)
	return err
}

// snapStepper is a stepper whose loop can also save the old weights into
// prev and check the new ones, in the same pass over memory.
type snapStepper[T float, H any] interface {
	stepSnapshot(w, g, prev []T, h H) (finite bool)
}

// runStepSnapshot is runStep that, with prev non-nil (one tensor per
// parameter, of its dtype and size), first copies each parameter's value
// into prev and reports whether every updated value is finite: in the
// update's own pass where the state can (a snapStepper), else by a copy
// before and a vectorized check after. A bad prev changes nothing.
func runStepSnapshot[K kernel[H32, H64], S32 stepper[float32, H32], S64 stepper[float64, H64], H32, H64 any](
	k K, what string, lr float64, b *binding, state *[]any, vgs []G.ValueGrad, prev []*tensor.Dense,
) (finite bool, err error) {
	finite = true
	err = gerr.Do(what, func() error {
		if err := checkLR(lr); err != nil {
			return err
		}
		ps, first, err := b.bind(vgs)
		if err != nil {
			return err
		}
		if prev != nil {
			if err := checkPrev(ps, prev); err != nil {
				return err
			}
		}
		if first {
			*state = k.newState(sizesOf(ps))
		}
		h32, h64 := k.scalars(first)
		for i, p := range ps {
			switch st := (*state)[i].(type) {
			case S32:
				if prev == nil {
					st.step(p.w.Float32s(), p.g.Float32s(), h32)
				} else {
					finite = stepSaving(st, p.w.Float32s(), p.g.Float32s(), prev[i].Float32s(), h32) && finite
				}
			case S64:
				if prev == nil {
					st.step(p.w.Float64s(), p.g.Float64s(), h64)
				} else {
					finite = stepSaving(st, p.w.Float64s(), p.g.Float64s(), prev[i].Float64s(), h64) && finite
				}
			}
		}
		return nil
	})
	return finite, err
}

// stepSaving updates w, saving it into prev first, and reports whether the
// new w are finite.
func stepSaving[T float, H any](st stepper[T, H], w, g, prev []T, h H) bool {
	if ss, ok := st.(snapStepper[T, H]); ok {
		return ss.stepSnapshot(w, g, prev, h)
	}
	copy(prev, w)
	st.step(w, g, h)
	return vec.AllFinite(w)
}

// checkPrev checks that prev holds one tensor per parameter, of its dtype
// and size.
func checkPrev(ps []param, prev []*tensor.Dense) error {
	if len(prev) != len(ps) {
		return fmt.Errorf("%w: %d snapshot tensors for %d parameters", ErrParam, len(prev), len(ps))
	}
	for i, p := range ps {
		if q := prev[i]; q == nil || q.Dtype() != p.w.Dtype() || q.DataSize() != p.w.DataSize() {
			return fmt.Errorf("%w: parameter %d: snapshot tensor %v, want %v of %d values", ErrParam, i, describe(q), p.w.Dtype(), p.w.DataSize())
		}
	}
	return nil
}

func describe(t *tensor.Dense) string {
	if t == nil {
		return "nil"
	}
	return fmt.Sprintf("%v of %d values", t.Dtype(), t.DataSize())
}

// sqrt in T: for float32 the compiler turns this into one float32 square
// root, which is correctly rounded (as torch's).
func sqrt[T float](x T) T { return T(math.Sqrt(float64(x))) }
