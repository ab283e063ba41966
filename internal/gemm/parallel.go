package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// minPartFlops is the least work (2·m·n·k per goroutine) worth a helper.
// Waking one costs ~70 µs on the 2-vCPU machine this was measured on, and
// two busy cores run ~15 % slower each than one; splitting over 2 lost
// 5–15 % at 17 MFLOP, gained ~1.08× at 26 MFLOP and 1.2–1.4× at 51 MFLOP (the
// MLP's first layer). So calls of ≥ 24 MFLOP are split.
const minPartFlops = 12e6

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
	return gomaxprocs(0)
}

// gomaxprocs is runtime.GOMAXPROCS; a test counts the calls.
var gomaxprocs = runtime.GOMAXPROCS

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

// parallel runs p on the caller and as many helpers as its size,
// MaxThreads and the free helpers allow.
func (ks *kernelSet[T]) parallel(p problem[T]) {
	flops := 2 * float64(p.m) * float64(p.n) * float64(p.k)
	// Too small to split, whatever MaxThreads says: decided before asking
	// it, because runtime.GOMAXPROCS takes the scheduler's global lock, and
	// small models make many small calls from parallel trials.
	if flops < 2*minPartFlops {
		ks.serial(p)
		return
	}
	workers := int(min(flops/minPartFlops, float64(MaxThreads())))
	if workers < 2 {
		ks.serial(p)
		return
	}
	helpers := acquireHelpers(workers-1, MaxThreads()-1)
	if helpers == 0 {
		ks.serial(p)
		return
	}
	ks.split(p, chunksPerWorker*(helpers+1), helpers, func() { releaseHelpers(1) })
}

// chunksPerWorker: a call is cut into more chunks than goroutines so that
// a helper that starts late (its CPU busy with other work) costs little:
// the caller takes the chunks the helper has not claimed. Each chunk
// re-streams A and repacks its part of B: 8 chunks of a 51 MFLOP product
// ran 5–10 % slower than one on one goroutine, 4 chunks within noise.
const chunksPerWorker = 2

// split cuts p into (at most) chunks pieces by columns of C when there are
// enough micro-panels (each chunk then packs only its own part of B),
// otherwise by rows, and runs them on the caller and on helpers new
// goroutines, each of which calls helperDone as it exits. It returns when
// every chunk is done, without waiting for helpers that found none left.
// The inner dimension is never split, so the result is bit-identical to
// serial(p).
func (ks *kernelSet[T]) split(p problem[T], chunks, helpers int, helperDone func()) {
	nTiles := (p.n + ks.nr - 1) / ks.nr
	mTiles := (p.m + mr - 1) / mr
	byCols := nTiles >= chunks || nTiles >= mTiles
	tiles, tile := mTiles, mr
	if byCols {
		tiles, tile = nTiles, ks.nr
	}
	chunks = min(chunks, tiles)
	chunk := func(i int) problem[T] {
		lo := i * tiles / chunks * tile
		hi := (i + 1) * tiles / chunks * tile
		if byCols {
			return p.cols(lo, min(hi, p.n))
		}
		return p.rows(lo, min(hi, p.m))
	}
	var next atomic.Int64
	var pending sync.WaitGroup // chunks claimed or not, until done
	pending.Add(chunks)
	work := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= chunks {
				return
			}
			ks.serial(chunk(i))
			pending.Done()
		}
	}
	for range helpers {
		go func() {
			defer helperDone()
			work()
		}()
	}
	work()
	pending.Wait()
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
