package gemm

import (
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"unsafe"

	"github.com/gradtune/gradtune/internal/gemm/gemmtest"
)

// guarded copies s into memory between two inaccessible pages, flush
// against the one after (atEnd) or the one before, so that any access
// outside s faults and kills the test. free unmaps it.
func guarded[T gemmtest.Float](t *testing.T, s []T, atEnd bool) (g []T, free func()) {
	t.Helper()
	page := syscall.Getpagesize()
	size := len(s) * int(unsafe.Sizeof(T(0)))
	body := (size + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, body+2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	free = func() {
		if err := syscall.Munmap(mem); err != nil {
			t.Errorf("munmap: %v", err)
		}
	}
	for _, guard := range [][]byte{mem[:page], mem[page+body:]} {
		if err := syscall.Mprotect(guard, syscall.PROT_NONE); err != nil {
			free()
			t.Fatalf("mprotect: %v", err)
		}
	}
	if len(s) == 0 {
		return nil, free
	}
	off := page
	if atEnd {
		off = page + body - size
	}
	g = unsafe.Slice((*T)(unsafe.Pointer(&mem[off])), len(s))
	copy(g, s)
	return g, free
}

// TestKernelsStayInsideSlices runs the sweep with every operand flush
// against an inaccessible page, first at its end, then at its start: a
// read or write outside the slices faults. Results must equal those of the
// same call on ordinary memory.
func TestKernelsStayInsideSlices(t *testing.T) {
	requireKernels(t)
	cases := append(gemmtest.Cases(true), blockCases...)
	rng := rand.New(rand.NewPCG(11, 12))
	for _, atEnd := range []bool{true, false} {
		for _, c := range cases {
			guardedMatches[float32](t, c, rng, atEnd, Sgemm)
			guardedMatches[float64](t, c, rng, atEnd, Dgemm)
		}
	}
}

func guardedMatches[T gemmtest.Float](t *testing.T, c gemmtest.Case, rng *rand.Rand, atEnd bool,
	gemm func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	t.Helper()
	a, b, c0 := gemmtest.Operands[T](c, rng)
	want := slices.Clone(c0)
	gemm(c.TA, c.TB, c.M, c.N, c.K, T(c.Alpha), a, c.LDA(), b, c.LDB(), T(c.Beta), want, c.LDC())

	ga, freeA := guarded(t, a, atEnd)
	defer freeA()
	gb, freeB := guarded(t, b, atEnd)
	defer freeB()
	gc, freeC := guarded(t, c0, atEnd)
	defer freeC()
	gemm(c.TA, c.TB, c.M, c.N, c.K, T(c.Alpha), ga, c.LDA(), gb, c.LDB(), T(c.Beta), gc, c.LDC())
	if !gemmtest.SameBits(gc, want) {
		t.Fatalf("%v: result in guarded memory differs", c)
	}
}
