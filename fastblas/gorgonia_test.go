package fastblas

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// recording is Implementation noting the layouts of its GEMM calls.
type recording struct {
	Implementation
	layouts map[string]int
}

func layout(tA, tB blas.Transpose) string {
	s := map[blas.Transpose]string{blas.NoTrans: "N", blas.Trans: "T", blas.ConjTrans: "T"}
	return s[tA] + s[tB]
}

func (r recording) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	r.layouts[layout(tA, tB)]++
	r.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func (r recording) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	r.layouts[layout(tA, tB)]++
	r.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// mulAndGrads builds cost = Σ (x·w)² for x 13×20 and w 20×17 (tile edges
// in every dimension), runs it with the BLAS in place and returns x·w and
// the gradients with respect to x and w, flattened.
func mulAndGrads(t *testing.T, dt tensor.Dtype) [][]float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(31, 32))
	values := func(shape ...int) *tensor.Dense {
		n := shape[0] * shape[1]
		if dt == tensor.Float32 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.Float64()*2 - 1)
			}
			return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.Float64()*2 - 1
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	g := gorgonia.NewGraph()
	x := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(13, 20), gorgonia.WithName("x"), gorgonia.WithValue(values(13, 20)))
	w := gorgonia.NewMatrix(g, dt, gorgonia.WithShape(20, 17), gorgonia.WithName("w"), gorgonia.WithValue(values(20, 17)))
	y, err := gorgonia.Mul(x, w)
	if err != nil {
		t.Fatal(err)
	}
	sq, err := gorgonia.Square(y)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := gorgonia.Sum(sq)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gorgonia.Grad(cost, x, w); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(x, w))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, v := range []gorgonia.Value{y.Value(), mustGrad(t, x), mustGrad(t, w)} {
		var f []float64
		switch d := v.Data().(type) {
		case []float32:
			for _, e := range d {
				f = append(f, float64(e))
			}
		case []float64:
			f = append(f, d...)
		}
		out = append(out, f)
	}
	return out
}

func mustGrad(t *testing.T, n *gorgonia.Node) gorgonia.Value {
	t.Helper()
	g, err := n.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestGorgoniaMulAndGradientsGoThroughIt checks that, once installed,
// Gorgonia's Mul and both of its gradients reach our GEMM (NN forward, NT
// for dx = dy·wᵀ, TN for dw = xᵀ·dy) and give gonum's values.
func TestGorgoniaMulAndGradientsGoThroughIt(t *testing.T) {
	defer gorgonia.Use(gorgonia.WhichBLAS())
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		gorgonia.Use(gonum.Implementation{})
		want := mulAndGrads(t, dt)

		rec := recording{layouts: map[string]int{}}
		gorgonia.Use(rec)
		got := mulAndGrads(t, dt)

		var seen []string
		for l := range rec.layouts {
			seen = append(seen, l)
		}
		sort.Strings(seen)
		if len(seen) != 3 || seen[0] != "NN" || seen[1] != "NT" || seen[2] != "TN" {
			t.Errorf("%v: GEMM layouts called: %v, want NN, NT and TN", dt, rec.layouts)
		}
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-4 // float32 sums of 20 products of values in [-1, 1], then squared
		}
		for i, name := range []string{"x·w", "d/dx", "d/dw"} {
			for j := range want[i] {
				if d := math.Abs(got[i][j] - want[i][j]); d > tol*max(1, math.Abs(want[i][j])) {
					t.Fatalf("%v %s[%d] = %v, gonum %v", dt, name, j, got[i][j], want[i][j])
				}
			}
		}
	}
}
