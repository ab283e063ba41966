package dense

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Scalar reads Gorgonia's scalars and dense tensors without boxing their
// value through Data() (an allocation at every training step for the
// loss), and other Valuers as before.
func TestScalar(t *testing.T) {
	f32, f64 := G.NewF32(1.5), G.NewF64(-2.25)
	cases := []struct {
		v    Valuer
		want float64
	}{
		{f32, 1.5},
		{f64, -2.25},
		{tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{3, 4})), 3},
		{tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{5})), 5},
		{tensor.New(tensor.FromScalar(float32(6))), 6},
	}
	for _, c := range cases {
		if got := Scalar(c.v); got != c.want {
			t.Errorf("Scalar(%T %v) = %v, want %v", c.v, c.v, got, c.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Scalar(f32) + Scalar(f64) }); n != 0 {
		t.Errorf("Scalar of a Gorgonia scalar allocates %v times, want 0", n)
	}
}
