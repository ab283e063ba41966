package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// lengths cover empty, shorter than a register, whole registers plus every
// remainder, and a long run.
var lengths = []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 1000}

// special values, mixed into random data: zeros of both signs, a
// subnormal, huge values, infinities and NaN.
func special[T Float]() []T {
	return []T{0, T(math.Copysign(0, -1)), T(math.SmallestNonzeroFloat32), 3e38, -3e38, T(math.Inf(1)), T(math.Inf(-1)), T(math.NaN())}
}

func randomSlice[T Float](rng *rand.Rand, n int, specials bool) []T {
	s := make([]T, n)
	sp := special[T]()
	for i := range s {
		if specials && rng.IntN(8) == 0 {
			s[i] = sp[rng.IntN(len(sp))]
			continue
		}
		s[i] = T((rng.Float64()*2 - 1) * math.Pow(10, float64(rng.IntN(7)-3)))
	}
	return s
}

// sameValues compares bit patterns, counting any NaN equal to any NaN
// (which NaN an operation returns from two NaN inputs depends on operand
// order, which Go's compiler chooses).
func sameValues[T Float](x, y []T) error {
	if len(x) != len(y) {
		return fmt.Errorf("lengths %d and %d", len(x), len(y))
	}
	for i := range x {
		a, b := float64(x[i]), float64(y[i])
		if math.IsNaN(a) && math.IsNaN(b) {
			continue
		}
		if math.Float64bits(a) != math.Float64bits(b) {
			return fmt.Errorf("[%d]: %v (%#x) vs %v (%#x)", i, x[i], math.Float64bits(a), y[i], math.Float64bits(b))
		}
	}
	return nil
}

func requireAVX(t *testing.T) {
	t.Helper()
	if !Available() {
		t.Skip("no AVX loops on this machine or build")
	}
}

// adamConsts are step t's constants for lr, β₁ 0.9, β₂ 0.999, ε 1e-8, as
// the optimizers package computes them: in float64 at run time (1 − β₂ of
// a variable is 0.0010000000000000009; of the constant 0.999, 0.001), then
// rounded to T.
func adamConsts[T Float](t int, lr, wd float64, decoupled bool) AdamConsts[T] {
	beta1, beta2, eps := 0.9, 0.999, 1e-8
	bc1 := 1 - math.Pow(beta1, float64(t))
	bc2 := 1 - math.Pow(beta2, float64(t))
	decay := 1.0
	if decoupled {
		decay = 1 - lr*wd
	}
	return AdamConsts[T]{
		Beta1: T(beta1), OneMinusBeta1: T(1 - beta1), Beta2: T(beta2), OneMinusBeta2: T(1 - beta2),
		NegStepSize: T(-(lr / bc1)), BC2Sqrt: T(math.Sqrt(bc2)), Eps: T(eps),
		WeightDecay: T(wd), DecayFactor: T(decay), L2: !decoupled && wd != 0,
	}
}

func TestAdamStepMatchesScalar(t *testing.T) {
	requireAVX(t)
	testAdam[float32](t)
	testAdam[float64](t)
}

func testAdam[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	settings := []struct {
		wd        float64
		decoupled bool
	}{{0, false}, {1e-2, false}, {1e-2, true}}
	for _, n := range lengths {
		for _, st := range settings {
			for _, specials := range []bool{false, true} {
				name := fmt.Sprintf("%T/n=%d/wd=%g/decoupled=%v/specials=%v", T(0), n, st.wd, st.decoupled, specials)
				// Offset 1 puts the vectors off 32-byte alignment.
				w := randomSlice[T](rng, n+1, specials)[1:]
				m := make([]T, n)
				v := make([]T, n)
				w2, m2, v2 := slices.Clone(w), slices.Clone(m), slices.Clone(v)
				for step := 1; step <= 3; step++ {
					g := randomSlice[T](rng, n, specials)
					g2 := slices.Clone(g)
					h := adamConsts[T](step, 1e-3, st.wd, st.decoupled)
					AdamStep(w, g, m, v, h)
					adamScalar(w2, g2, m2, v2, h)
					for _, pair := range [][2][]T{{w, w2}, {m, m2}, {v, v2}, {g, g2}} {
						if err := sameValues(pair[0], pair[1]); err != nil {
							t.Fatalf("%s step %d: %v", name, step, err)
						}
					}
				}
			}
		}
	}
}

func TestAllFiniteMatchesScalar(t *testing.T) {
	testAllFinite[float32](t)
	testAllFinite[float64](t)
}

func testAllFinite[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range lengths {
		x := randomSlice[T](rng, n, false)
		if !AllFinite(x) {
			t.Fatalf("%T n=%d: finite data reported not finite", T(0), n)
		}
		// Each non-finite value at each position must be found, in the
		// assembly part and in the scalar tail.
		for _, bad := range []T{T(math.NaN()), T(math.Inf(1)), T(math.Inf(-1))} {
			for i := range x {
				y := slices.Clone(x)
				y[i] = bad
				if AllFinite(y) || allFiniteScalar(y) {
					t.Fatalf("%T n=%d: %v at %d not found", T(0), n, bad, i)
				}
			}
		}
		// Extremes that are finite.
		for _, ok := range []T{T(math.SmallestNonzeroFloat32), 3e38, -3e38, T(math.Copysign(0, -1))} {
			y := slices.Clone(x)
			if n > 0 {
				y[rng.IntN(n)] = ok
			}
			if !AllFinite(y) {
				t.Fatalf("%T n=%d: %v reported not finite", T(0), n, ok)
			}
		}
	}
}

func TestReLUBackwardMatchesScalar(t *testing.T) {
	requireAVX(t)
	testReLUBackward[float32](t)
	testReLUBackward[float64](t)
}

func testReLUBackward[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range lengths {
		x := randomSlice[T](rng, n+2, true)[2:]
		g := randomSlice[T](rng, n, true)
		got, want := make([]T, n), make([]T, n)
		ReLUBackward(got, x, g)
		reluBackwardScalar(want, x, g)
		if err := sameValues(got, want); err != nil {
			t.Fatalf("%T n=%d: %v", T(0), n, err)
		}
		// In place over g, as a backward pass may run.
		inPlace := slices.Clone(g)
		ReLUBackward(inPlace, x, inPlace)
		if err := sameValues(inPlace, want); err != nil {
			t.Fatalf("%T n=%d in place: %v", T(0), n, err)
		}
	}
}

// TestReLUBackwardValues pins the semantics the scalar loop defines.
func TestReLUBackwardValues(t *testing.T) {
	nan := math.NaN()
	x := []float64{2, 0, math.Copysign(0, -1), -1, nan, math.Inf(1), math.Inf(-1), 1e-300, 3, -3}
	g := []float64{5, 5, 5, 5, 5, 5, 5, 5, nan, nan}
	want := []float64{5, 0, 0, 0, 5, 5, 0, 5, nan, 0}
	got := make([]float64, len(x))
	ReLUBackward(got, x, g)
	if err := sameValues(got, want); err != nil {
		t.Fatal(err)
	}
	if math.Signbit(got[1]) || math.Signbit(got[2]) {
		t.Fatalf("zero gradient is -0: %v", got)
	}
}

// AdamStepSnapshot is AdamStep plus a copy of the old weights and a
// finiteness check of the new ones, in one pass: the same w, m, v and g bit
// for bit, prev holding the weights from before, and the flag equal to
// AllFinite of the new weights (inputs with NaN and Inf included, so that
// non-finite weights turn up in the vector body and in the scalar tail).
func TestAdamStepSnapshotMatchesAdamStep(t *testing.T) {
	testAdamSnapshot[float32](t)
	testAdamSnapshot[float64](t)
}

func testAdamSnapshot[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sawNonFinite := 0
	for _, n := range lengths {
		for _, specials := range []bool{false, true} {
			for _, decoupled := range []bool{false, true} {
				name := fmt.Sprintf("%T/n=%d/specials=%v/decoupled=%v", T(0), n, specials, decoupled)
				w := randomSlice[T](rng, n+1, specials)[1:]
				m, v, prev := make([]T, n), make([]T, n), make([]T, n)
				w2, m2, v2 := slices.Clone(w), slices.Clone(m), slices.Clone(v)
				for step := 1; step <= 3; step++ {
					g := randomSlice[T](rng, n, false)
					g2 := slices.Clone(g)
					old := slices.Clone(w)
					h := adamConsts[T](step, 1e-3, 1e-2, decoupled)
					finite := AdamStepSnapshot(w, g, m, v, prev, h)
					AdamStep(w2, g2, m2, v2, h)
					for _, pair := range [][2][]T{{w, w2}, {m, m2}, {v, v2}, {g, g2}, {prev, old}} {
						if err := sameValues(pair[0], pair[1]); err != nil {
							t.Fatalf("%s step %d: %v", name, step, err)
						}
					}
					if want := allFiniteScalar(w2); finite != want {
						t.Fatalf("%s step %d: finite = %v, want %v", name, step, finite, want)
					}
					if !finite {
						sawNonFinite++
					}
				}
			}
		}
	}
	if sawNonFinite == 0 {
		t.Errorf("%T: no case made a non-finite weight: the flag is untested", T(0))
	}
}

// Add is dst[i] += x[i] element by element, bit for bit, over lengths with
// a vector body and a scalar tail and on unaligned slices.
func TestAddMatchesScalar(t *testing.T) {
	testAdd[float32](t)
	testAdd[float64](t)
}

func testAdd[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range lengths {
		dst := randomSlice[T](rng, n+1, true)[1:]
		x := randomSlice[T](rng, n+1, true)[1:]
		want := slices.Clone(dst)
		for i := range want {
			want[i] += x[i]
		}
		Add(dst, x)
		if err := sameValues(dst, want); err != nil {
			t.Fatalf("%T n=%d: %v", T(0), n, err)
		}
	}
}
