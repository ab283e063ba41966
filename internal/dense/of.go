package dense

import (
	"unsafe"

	"gorgonia.org/tensor"
)

// Of returns t's backing array as []T, or nil when t is not a
// *tensor.Dense of T. Unlike t.Data(), which builds its slice through
// reflect (two allocations and a type lookup a call, a few hundred per
// training step), it reads the typed view the tensor's storage keeps.
func Of[T float32 | float64](t tensor.Tensor) []T {
	d, ok := t.(*tensor.Dense)
	if !ok || d == nil {
		return nil
	}
	var z T
	switch any(z).(type) {
	case float32:
		if d.Dtype() != tensor.Float32 {
			return nil
		}
		s := d.Float32s()
		return *(*[]T)(unsafe.Pointer(&s))
	default:
		if d.Dtype() != tensor.Float64 {
			return nil
		}
		s := d.Float64s()
		return *(*[]T)(unsafe.Pointer(&s))
	}
}
