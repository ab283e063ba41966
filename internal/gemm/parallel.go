package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// minPartFlops is the least work (2·m·n·k of one part) worth handing to
// another goroutine: the hand-off costs 20–60 µs, about 2–6 MFLOP at
// 100 GFLOP/s. With 2 parts a call of ≥ 20 MFLOP is split, the threshold the
// benchmarks in package fastblas measured.
const minPartFlops = 10e6

var (
	// maxThreads caps the goroutines one call uses, caller included; 0
	// means GOMAXPROCS.
	maxThreads atomic.Int64
	// helpersBusy counts helper goroutines running for any call, so that
	// concurrent callers share maxThreads-1 helpers instead of each starting
	// its own.
	helpersBusy atomic.Int64
)

// SetMaxThreads caps the goroutines one large call may use, the caller
// included, and returns the previous setting. n ≤ 0 restores the default,
// GOMAXPROCS; 1 turns splitting off.
func SetMaxThreads(n int) (previous int) {
	return int(maxThreads.Swap(int64(max(n, 0))))
}

// MaxThreads returns the cap now in force: the setting, or GOMAXPROCS.
func MaxThreads() int {
	if n := maxThreads.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// acquireHelpers reserves up to want helpers out of limit shared ones and
// returns how many it got; releaseHelpers gives them back.
func acquireHelpers(want, limit int) int {
	for {
		busy := helpersBusy.Load()
		got := min(int64(want), int64(limit)-busy)
		if got <= 0 {
			return 0
		}
		if helpersBusy.CompareAndSwap(busy, busy+got) {
			return int(got)
		}
	}
}

func releaseHelpers(n int) { helpersBusy.Add(-int64(n)) }

// parallel runs p split over as many goroutines as its size, MaxThreads and
// the free helpers allow.
func (ks *kernelSet[T]) parallel(p problem[T]) {
	parts := int(min(2*float64(p.m)*float64(p.n)*float64(p.k)/minPartFlops, 1<<20))
	if parts < 2 {
		ks.serial(p)
		return
	}
	parts = min(parts, MaxThreads())
	if parts < 2 {
		ks.serial(p)
		return
	}
	helpers := acquireHelpers(parts-1, MaxThreads()-1)
	defer releaseHelpers(helpers)
	ks.split(p, helpers+1)
}

// split runs p as (at most) parts pieces, the calling goroutine taking one.
// It splits the columns of C when there are enough micro-panels for every
// piece (each piece then packs only its own part of B), otherwise the rows.
// The inner dimension is never split, so the result is bit-identical to
// serial(p).
func (ks *kernelSet[T]) split(p problem[T], parts int) {
	nTiles := (p.n + ks.nr - 1) / ks.nr
	mTiles := (p.m + mr - 1) / mr
	byCols := nTiles >= 2*parts || nTiles >= mTiles
	tiles, tile := mTiles, mr
	if byCols {
		tiles, tile = nTiles, ks.nr
	}
	parts = min(parts, tiles)
	if parts < 2 {
		ks.serial(p)
		return
	}
	var wg sync.WaitGroup
	for w := parts - 1; w >= 0; w-- {
		lo := w * tiles / parts * tile
		hi := (w + 1) * tiles / parts * tile
		var q problem[T]
		if byCols {
			q = p.cols(lo, min(hi, p.n))
		} else {
			q = p.rows(lo, min(hi, p.m))
		}
		if w == 0 {
			ks.serial(q)
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ks.serial(q)
		}()
	}
	wg.Wait()
}

// cols returns the problem for columns lo..hi-1 of C.
func (p problem[T]) cols(lo, hi int) problem[T] {
	q := p
	q.n = hi - lo
	q.c = p.c[lo:]
	if p.tB {
		q.b = p.b[lo*p.ldb:]
	} else {
		q.b = p.b[lo:]
	}
	return q
}

// rows returns the problem for rows lo..hi-1 of C.
func (p problem[T]) rows(lo, hi int) problem[T] {
	q := p
	q.m = hi - lo
	q.c = p.c[lo*p.ldc:]
	if p.tA {
		q.a = p.a[lo:]
	} else {
		q.a = p.a[lo*p.lda:]
	}
	return q
}
