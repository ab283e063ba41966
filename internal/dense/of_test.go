package dense

import (
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// Of is Data() without its allocations: the same backing array (writes go
// through), nil for another dtype or a non-Dense tensor.
func TestOfIsTheBackingArray(t *testing.T) {
	f32 := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6}))
	f64 := tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{7, 8, 9}))
	if s := Of[float32](f32); !slices.Equal(s, f32.Data().([]float32)) || len(s) != 6 || cap(s) != 6 {
		t.Fatalf("Of[float32] = %v (len %d cap %d), want %v", s, len(s), cap(s), f32.Data())
	}
	Of[float32](f32)[4] = 50
	if f32.Data().([]float32)[4] != 50 {
		t.Error("a write through Of does not reach the tensor")
	}
	if s := Of[float64](f64); !slices.Equal(s, []float64{7, 8, 9}) {
		t.Errorf("Of[float64] = %v", s)
	}
	if Of[float64](f32) != nil || Of[float32](f64) != nil || Of[float32](nil) != nil {
		t.Error("Of of another dtype or nil is not nil")
	}
	if n := testing.AllocsPerRun(100, func() { _ = Of[float32](f32) }); n != 0 {
		t.Errorf("Of allocates %v times a call, want 0", n)
	}
}
