package vec

import (
	"math/rand/v2"
	"testing"
)

// mlpParams is the MNIST MLP 784-256-128-10's parameter count.
const mlpParams = 235146

// Run briefly: go test ./internal/vec -run - -bench . -benchtime 200x
func BenchmarkAdamStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	w, g := randomSlice[float32](rng, mlpParams, false), randomSlice[float32](rng, mlpParams, false)
	m, v := make([]float32, mlpParams), make([]float32, mlpParams)
	h := adamConsts[float32](10, 1e-3, 0, false)
	b.Run("scalar", func(b *testing.B) {
		for b.Loop() {
			adamScalar(w, g, m, v, h)
		}
	})
	b.Run("vec", func(b *testing.B) {
		for b.Loop() {
			AdamStep(w, g, m, v, h)
		}
	})
}

func BenchmarkAllFinite(b *testing.B) {
	x := randomSlice[float32](rand.New(rand.NewPCG(3, 4)), mlpParams, false)
	b.Run("scalar", func(b *testing.B) {
		for b.Loop() {
			allFiniteScalar(x)
		}
	})
	b.Run("vec", func(b *testing.B) {
		for b.Loop() {
			AllFinite(x)
		}
	})
}

func BenchmarkReLUBackward(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 128 * 256 // layer 1's activations at batch 128
	x, g, dst := randomSlice[float32](rng, n, false), randomSlice[float32](rng, n, false), make([]float32, n)
	b.Run("scalar", func(b *testing.B) {
		for b.Loop() {
			reluBackwardScalar(dst, x, g)
		}
	})
	b.Run("vec", func(b *testing.B) {
		for b.Loop() {
			ReLUBackward(dst, x, g)
		}
	})
}
