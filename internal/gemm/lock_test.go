package gemm

import (
	"testing"
)

// A product too small to split never asks for GOMAXPROCS, which takes the
// scheduler's global lock: a small model's step makes about ten such calls
// and parallel trials made them contend. A large one still does.
func TestSmallProductsDoNotAskGOMAXPROCS(t *testing.T) {
	requireKernels(t)
	calls := 0
	defer func(f func(int) int) { gomaxprocs = f }(gomaxprocs)
	gomaxprocs = func(n int) int { calls++; return 2 }
	product := func(m, n, k int) {
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
	}
	product(16, 64, 64) // the Iris MLP's largest: 131 kFLOP
	if calls != 0 {
		t.Errorf("a 16×64×64 product asked for GOMAXPROCS %d times, want 0", calls)
	}
	product(256, 256, 256) // 34 MFLOP: split if the threads allow
	if calls == 0 {
		t.Error("a 256³ product never asked for GOMAXPROCS: the test's hook is not where MaxThreads reads it")
	}
}
