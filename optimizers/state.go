package optimizers

import (
	"math"

	"gorgonia.org/tensor"
)

// newStates makes one state per parameter, in the parameter's dtype (bind
// has checked it is float32 or float64). opt carries the settings that decide
// which buffers a state needs.
func newStates[O, S32, S64 any](ps []param, mk32 func(n int, opt O) S32, mk64 func(n int, opt O) S64, opt O) []any {
	st := make([]any, len(ps))
	for i, p := range ps {
		if p.w.Dtype() == tensor.Float32 {
			st[i] = mk32(len(p.w.Float32s()), opt)
		} else {
			st[i] = mk64(len(p.w.Float64s()), opt)
		}
	}
	return st
}

// sqrt in T: for float32 the compiler turns this into one float32 square
// root, which is correctly rounded (as torch's).
func sqrt[T float](x T) T { return T(math.Sqrt(float64(x))) }
