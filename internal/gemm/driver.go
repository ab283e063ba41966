package gemm

import (
	"sync"
	"unsafe"
)

type float interface{ float32 | float64 }

// kernelSet holds the assembly routines of one element type, the blocking
// that suits them and a pool of scratch buffers.
type kernelSet[T float] struct {
	nr    int // columns of C per micro-kernel call
	lanes int // elements per YMM register: the p-block of packNT
	// kc: inner-dimension block (a kc×nr micro-panel of B stays in L1);
	// mc: rows of A per block (mc×kc of A stays in L2);
	// nc: columns of B packed at once.
	kc, mc, nc int

	micro  func(k int, a *T, rsA, csA uintptr, b *T, c *T, ldc uintptr, accumulate bool)
	packNN func(k int, b *T, ldb uintptr, dst *T, alpha T)
	packNT func(blocks int, b *T, ldb uintptr, dst *T, alpha T)

	pool sync.Pool // *workspace[T]
}

// problem is one call: C (+)= alpha·op(A)·op(B), with beta already applied
// (overwrite: the first kc block stores instead of adding).
type problem[T float] struct {
	tA, tB    bool
	m, n, k   int
	alpha     T
	a         []T
	lda       int
	b         []T
	ldb       int
	overwrite bool
	c         []T
	ldc       int
}

// workspace is one goroutine's scratch.
type workspace[T float] struct {
	b []T // packed kc×nc block of op(B), micro-panel after micro-panel
	// a holds the last, partial sliver of op(A), zero-padded to mr rows,
	// then, if A is packed (see serial), the mc×kc block of op(A).
	a    []T
	tile [mr * 16]T // an edge tile of C (mr×nr, row stride nr)
}

func (ks *kernelSet[T]) getWorkspace(p problem[T], packA bool) *workspace[T] {
	ws, _ := ks.pool.Get().(*workspace[T])
	if ws == nil {
		ws = new(workspace[T])
	}
	kb := min(p.k, ks.kc)
	panels := (min(p.n, ks.nc) + ks.nr - 1) / ks.nr
	if need := panels * ks.nr * kb; cap(ws.b) < need {
		ws.b = make([]T, need)
	}
	need := mr * kb
	if packA {
		need += min(p.m, ks.mc) * kb
	}
	if cap(ws.a) < need {
		ws.a = make([]T, need)
	}
	return ws
}

// serial computes the product on the calling goroutine.
func (ks *kernelSet[T]) serial(p problem[T]) {
	// A is read in place, except a transposed A whose row stride is a
	// multiple of 4 KiB: the kernel would step through kc rows that all
	// map to the same few cache sets (1024³ Aᵀ·B ran at 60 % speed), so
	// such blocks are copied first.
	packA := p.tA && uintptr(p.lda)*unsafe.Sizeof(T(0))%4096 == 0
	ws := ks.getWorkspace(p, packA)
	defer ks.pool.Put(ws)
	for jc := 0; jc < p.n; jc += ks.nc {
		nb := min(ks.nc, p.n-jc)
		for pc := 0; pc < p.k; pc += ks.kc {
			kb := min(ks.kc, p.k-pc)
			ks.packB(ws.b, p, pc, kb, jc, nb)
			for ic := 0; ic < p.m; ic += ks.mc {
				mb := min(ks.mc, p.m-ic)
				full := mb - mb%mr
				if full < mb {
					packAEdge(ws.a[:mr*kb], p, ic+full, mb-full, pc, kb)
				}
				if packA {
					packATrans(ws.a[mr*kb:], p, ic, full, pc, kb)
				}
				ks.block(ws, p, packA, block{ic: ic, mb: mb, pc: pc, kb: kb, jc: jc, nb: nb})
			}
		}
	}
}

// block is the part of C (rows ic.., columns jc..) and of the inner
// dimension (pc..) whose op(B) and op(A) edges are packed in a workspace.
type block struct{ ic, mb, pc, kb, jc, nb int }

// block runs the micro-kernel over the tiles of one block, micro-panel by
// micro-panel so that each stays in L1 while the slivers of A stream by.
func (ks *kernelSet[T]) block(ws *workspace[T], p problem[T], packA bool, blk block) {
	nr := ks.nr
	size := unsafe.Sizeof(T(0))
	accumulate := blk.pc > 0 || !p.overwrite
	for jr := 0; jr < blk.nb; jr += nr {
		cols := min(nr, blk.nb-jr)
		panel := &ws.b[(jr/nr)*blk.kb*nr]
		for ir := 0; ir < blk.mb; ir += mr {
			rows := min(mr, blk.mb-ir)
			i := blk.ic + ir
			a, rs, cs := sliverOfA(ws, p, packA, blk, ir, rows)
			off := i*p.ldc + blk.jc + jr
			if rows == mr && cols == nr {
				ks.micro(blk.kb, a, rs, cs, panel, &p.c[off], uintptr(p.ldc)*size, accumulate)
				continue
			}
			ks.micro(blk.kb, a, rs, cs, panel, &ws.tile[0], uintptr(nr)*size, false)
			mergeTile(p.c[off:], p.ldc, ws.tile[:mr*nr], nr, rows, cols, accumulate)
		}
	}
}

// sliverOfA returns where the micro-kernel reads rows blk.ic+ir.. of op(A)
// from column blk.pc on: a pointer and the byte strides between rows and
// between columns.
func sliverOfA[T float](ws *workspace[T], p problem[T], packA bool, blk block, ir, rows int) (a *T, rs, cs uintptr) {
	size := unsafe.Sizeof(T(0))
	i := blk.ic + ir
	switch {
	case rows < mr: // the zero-padded copy of the last rows
		return &ws.a[0], size, mr * size
	case packA:
		return &ws.a[mr*blk.kb+ir*blk.kb], size, mr * size
	case p.tA: // op(A)[i][q] = a[q*lda+i]
		return &p.a[blk.pc*p.lda+i], size, uintptr(p.lda) * size
	default: // op(A)[i][q] = a[i*lda+q]
		return &p.a[i*p.lda+blk.pc], uintptr(p.lda) * size, size
	}
}

// packB packs rows pc..pc+kb-1 and columns jc..jc+nb-1 of alpha·op(B) into
// dst as kb×nr micro-panels; the last one is zero-padded.
func (ks *kernelSet[T]) packB(dst []T, p problem[T], pc, kb, jc, nb int) {
	nr := ks.nr
	size := unsafe.Sizeof(T(0))
	for jr := 0; jr < nb; jr += nr {
		panel := dst[(jr/nr)*kb*nr : (jr/nr+1)*kb*nr]
		j := jc + jr
		nrr := min(nr, nb-jr)
		switch {
		case nrr < nr:
			packBScalar(panel, p, pc, 0, kb, j, nrr, nr)
		case !p.tB: // op(B)[q][j] = b[q*ldb+j]
			ks.packNN(kb, &p.b[pc*p.ldb+j], uintptr(p.ldb)*size, &panel[0], p.alpha)
		default: // op(B)[q][j] = b[j*ldb+q]
			blocks := kb / ks.lanes
			if blocks > 0 {
				ks.packNT(blocks, &p.b[j*p.ldb+pc], uintptr(p.ldb)*size, &panel[0], p.alpha)
			}
			packBScalar(panel, p, pc, blocks*ks.lanes, kb, j, nr, nr)
		}
	}
}

// packBScalar fills rows from..kb-1 of a micro-panel with alpha·op(B) for
// rows pc+from.. and columns j..j+cols-1, and zeros in columns cols..nr-1.
func packBScalar[T float](panel []T, p problem[T], pc, from, kb, j, cols, nr int) {
	for q := from; q < kb; q++ {
		row := panel[q*nr : q*nr+nr]
		if p.tB { // op(B)[pc+q][j+jj] = b[(j+jj)*ldb+pc+q]
			for jj := range cols {
				row[jj] = p.alpha * p.b[(j+jj)*p.ldb+pc+q]
			}
		} else {
			src := p.b[(pc+q)*p.ldb+j : (pc+q)*p.ldb+j+cols]
			for jj, v := range src {
				row[jj] = p.alpha * v
			}
		}
		clear(row[cols:])
	}
}

// packAEdge copies rows i..i+rows-1 (rows < mr) and columns pc..pc+kb-1 of
// op(A) into dst, element (r, q) at dst[q*mr+r], with zero rows below.
func packAEdge[T float](dst []T, p problem[T], i, rows, pc, kb int) {
	for q := 0; q < kb; q++ {
		col := dst[q*mr : q*mr+mr]
		for r := range col {
			switch {
			case r >= rows:
				col[r] = 0
			case p.tA:
				col[r] = p.a[(pc+q)*p.lda+i+r]
			default:
				col[r] = p.a[(i+r)*p.lda+pc+q]
			}
		}
	}
}

// mergeTile writes the rows×cols corner of tile (row stride nr) into C at c
// (row stride ldc), adding when accumulate is set. c + tile is the sum the
// micro-kernel forms when it writes C directly, so results are the same.
func mergeTile[T float](c []T, ldc int, tile []T, nr, rows, cols int, accumulate bool) {
	for r := 0; r < rows; r++ {
		dst := c[r*ldc : r*ldc+cols]
		src := tile[r*nr : r*nr+cols]
		if !accumulate {
			copy(dst, src)
			continue
		}
		for j := range dst {
			dst[j] += src[j]
		}
	}
}

// packATrans copies the full slivers of rows ic..ic+rows-1 (rows a multiple
// of mr) and columns pc..pc+kb-1 of op(A) = Aᵀ into dst, sliver after
// sliver, element (r, q) of a sliver at q*mr+r.
func packATrans[T float](dst []T, p problem[T], ic, rows, pc, kb int) {
	for ir := 0; ir < rows; ir += mr {
		sliver := dst[ir*kb : ir*kb+mr*kb]
		for q := 0; q < kb; q++ {
			at := (pc+q)*p.lda + ic + ir
			copy(sliver[q*mr:q*mr+mr], p.a[at:at+mr])
		}
	}
}
