// Command asm generates the AVX2/FMA kernels of package gemm with avo
// (github.com/mmcloughlin/avo). It lives in its own module so that avo never
// becomes a dependency of gradtune; package gemm runs it through go:generate:
//
//	go generate ./internal/gemm
//
// which amounts to
//
//	go run -C internal/gemm/asm . -out ../kernel_amd64.s -stubs ../kernel_amd64.go -pkg gemm
//
// Every kernel is generated for float32 and float64 from one description;
// only the element size, the lane count and the instruction spellings differ.
// The layouts the kernels read and write are documented on the stubs (see
// doc strings below) and in package gemm.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// mr is the number of rows of C one micro-kernel call computes; each row
// takes two YMM accumulators, so 6 rows use 12 of the 16 YMM registers and
// leave 2 for the row of B and 2 for broadcasts of A.
const mr = 6

// elem describes one element type.
type elem struct {
	prefix string // "s" or "d", as in BLAS
	goType string
	size   int // bytes
	lanes  int // elements per YMM register

	broadcast func(m, y Op)
	fma       func(b, a, acc Op) // acc += a*b
	add       func(m, y, dst Op)
	mul       func(m, y, dst Op)
	// transpose turns lanes rows of lanes elements (one YMM each) into lanes
	// columns; it returns the registers holding column 0, 1, ... in order.
	transpose func(rows []VecVirtual) []VecVirtual
}

// nr is the number of columns of C one micro-kernel call computes: two YMM
// registers' worth.
func (e elem) nr() int { return 2 * e.lanes }

var float32Elem = elem{
	prefix:    "s",
	goType:    "float32",
	size:      4,
	lanes:     8,
	broadcast: func(m, y Op) { VBROADCASTSS(m, y) },
	fma:       func(b, a, acc Op) { VFMADD231PS(b, a, acc) },
	add:       func(m, y, dst Op) { VADDPS(m, y, dst) },
	mul:       func(m, y, dst Op) { VMULPS(m, y, dst) },
	transpose: transpose8x8,
}

var float64Elem = elem{
	prefix:    "d",
	goType:    "float64",
	size:      8,
	lanes:     4,
	broadcast: func(m, y Op) { VBROADCASTSD(m, y) },
	fma:       func(b, a, acc Op) { VFMADD231PD(b, a, acc) },
	add:       func(m, y, dst Op) { VADDPD(m, y, dst) },
	mul:       func(m, y, dst Op) { VMULPD(m, y, dst) },
	transpose: transpose4x4,
}

func main() {
	ConstraintExpr("amd64,!purego")
	for _, e := range []elem{float32Elem, float64Elem} {
		microKernel(e)
		packNN(e)
		packNT(e)
	}
	Generate()
}

// microKernel generates
//
//	func {s,d}kernel6xNR(k int, a *T, rsA, csA uintptr, b *T, c *T, ldc uintptr, accumulate bool)
//
// which computes the 6×NR product of a 6×k sliver of A and a packed k×NR
// micro-panel of B. Element (i, p) of the sliver is read at a + i*rsA +
// p*csA (strides in bytes), so the same code reads A in place whether A is
// stored by rows or by columns, or from a packed copy. The micro-panel holds
// row p of B at b + p*NR (NR contiguous elements). Row i of C starts at
// c + i*ldc (bytes); accumulate selects C += AB over C = AB.
//
// Each element's sum is one chain of fused multiply-adds in order of p, so
// the result does not depend on where the tile lies in C.
func microKernel(e elem) {
	nr := e.nr()
	name := fmt.Sprintf("%skernel6x%d", e.prefix, nr)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, a *%[1]s, rsA, csA uintptr, b *%[1]s, c *%[1]s, ldc uintptr, accumulate bool)", e.goType))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes the %d×%d tile C (+)= A·B; see the generator for the layouts.", name, mr, nr))

	k := Load(Param("k"), GP64())
	a0 := Load(Param("a"), GP64())
	rs := Load(Param("rsA"), GP64())
	cs := Load(Param("csA"), GP64())
	b := Load(Param("b"), GP64())

	// Rows 0-2 are read through a0, rows 3-5 through a1 = a0 + 3*rs, each as
	// base, base+rs, base+2*rs: x86 scales an index by 1, 2, 4 or 8 only.
	a1 := GP64()
	LEAQ(Mem{Base: a0, Index: rs, Scale: 2}, a1)
	ADDQ(rs, a1)
	rowA := func(i int) Mem {
		base := a0
		if i >= 3 {
			base = a1
		}
		switch i % 3 {
		case 0:
			return Mem{Base: base}
		case 1:
			return Mem{Base: base, Index: rs, Scale: 1}
		default:
			return Mem{Base: base, Index: rs, Scale: 2}
		}
	}

	Comment("Y0-Y11: accumulators, row i in Y(2i) and Y(2i+1).")
	acc := []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11}
	for _, r := range acc {
		VXORPS(r, r, r)
	}
	bLo, bHi := Y12, Y13
	bcast := []VecPhysical{Y14, Y15} // alternate so two broadcasts are in flight

	step := func(bOffset int) {
		VMOVUPS(Mem{Base: b, Disp: bOffset}, bLo)
		VMOVUPS(Mem{Base: b, Disp: bOffset + 32}, bHi)
		for i := 0; i < mr; i++ {
			x := bcast[i%2]
			e.broadcast(rowA(i), x)
			e.fma(bLo, x, acc[2*i])
			e.fma(bHi, x, acc[2*i+1])
		}
		ADDQ(cs, a0)
		ADDQ(cs, a1)
	}
	const unroll = 4
	rowBytes := nr * e.size

	Label(name + "_loop4")
	CMPQ(k, U8(unroll))
	JL(LabelRef(name + "_tail"))
	for u := 0; u < unroll; u++ {
		step(u * rowBytes)
	}
	ADDQ(U32(unroll*rowBytes), b)
	SUBQ(U8(unroll), k)
	JMP(LabelRef(name + "_loop4"))

	Label(name + "_tail")
	TESTQ(k, k)
	JE(LabelRef(name + "_store"))
	step(0)
	ADDQ(U32(rowBytes), b)
	DECQ(k)
	JMP(LabelRef(name + "_tail"))

	Label(name + "_store")
	c := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	accumulate := Load(Param("accumulate"), GP8())
	TESTB(accumulate, accumulate)
	JE(LabelRef(name + "_overwrite"))
	for i := 0; i < mr; i++ {
		e.add(Mem{Base: c}, acc[2*i], acc[2*i])
		e.add(Mem{Base: c, Disp: 32}, acc[2*i+1], acc[2*i+1])
		VMOVUPS(acc[2*i], Mem{Base: c})
		VMOVUPS(acc[2*i+1], Mem{Base: c, Disp: 32})
		if i < mr-1 {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()

	Label(name + "_overwrite")
	for i := 0; i < mr; i++ {
		VMOVUPS(acc[2*i], Mem{Base: c})
		VMOVUPS(acc[2*i+1], Mem{Base: c, Disp: 32})
		if i < mr-1 {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()
}

// packNN generates
//
//	func {s,d}packNN{16,8}(k int, b *T, ldb uintptr, dst *T, alpha T)
//
// which copies k rows of NR contiguous elements, row p at b + p*ldb (bytes),
// into the micro-panel dst (row p at dst + p*NR), multiplied by alpha.
func packNN(e elem) {
	nr := e.nr()
	name := fmt.Sprintf("%spackNN%d", e.prefix, nr)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, b *%[1]s, ldb uintptr, dst *%[1]s, alpha %[1]s)", e.goType))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s packs k rows of %d elements of B, times alpha, into a micro-panel.", name, nr))

	k := Load(Param("k"), GP64())
	src := Load(Param("b"), GP64())
	ldb := Load(Param("ldb"), GP64())
	dst := Load(Param("dst"), GP64())
	alphaParam, err := Param("alpha").Resolve()
	if err != nil {
		panic(err)
	}
	alpha := YMM()
	e.broadcast(alphaParam.Addr, alpha)

	lo, hi := YMM(), YMM()
	Label(name + "_loop")
	TESTQ(k, k)
	JE(LabelRef(name + "_done"))
	e.mul(Mem{Base: src}, alpha, lo)
	e.mul(Mem{Base: src, Disp: 32}, alpha, hi)
	VMOVUPS(lo, Mem{Base: dst})
	VMOVUPS(hi, Mem{Base: dst, Disp: 32})
	ADDQ(ldb, src)
	ADDQ(U32(nr*e.size), dst)
	DECQ(k)
	JMP(LabelRef(name + "_loop"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// packNT generates
//
//	func {s,d}packNT{16,8}(blocks int, b *T, ldb uintptr, dst *T, alpha T)
//
// which packs a transposed operand: column j of the micro-panel is row j of
// B (at b + j*ldb bytes, contiguous along p). It handles blocks·lanes values
// of p (8 per block for float32, 4 for float64), transposing lanes×lanes
// squares in registers, and multiplies by alpha.
func packNT(e elem) {
	nr := e.nr()
	name := fmt.Sprintf("%spackNT%d", e.prefix, nr)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(blocks int, b *%[1]s, ldb uintptr, dst *%[1]s, alpha %[1]s)", e.goType))
	Pragma("noescape")
	Doc(fmt.Sprintf("%s packs blocks×%d rows of a transposed B, times alpha, into a micro-panel.", name, e.lanes))

	blocks := Load(Param("blocks"), GP64())
	src := Load(Param("b"), GP64())
	ldb := Load(Param("ldb"), GP64())
	dst := Load(Param("dst"), GP64())
	alphaParam, err := Param("alpha").Resolve()
	if err != nil {
		panic(err)
	}
	alpha := YMM()
	e.broadcast(alphaParam.Addr, alpha)

	// Row j of B is read through base j/3 at index 0, ldb or 2*ldb.
	bases := make([]Register, (nr+2)/3)
	bases[0] = src
	for i := 1; i < len(bases); i++ {
		bases[i] = GP64()
		LEAQ(Mem{Base: bases[i-1], Index: ldb, Scale: 2}, bases[i])
		ADDQ(ldb, bases[i])
	}
	rowB := func(j int) Mem {
		base := bases[j/3]
		switch j % 3 {
		case 0:
			return Mem{Base: base}
		case 1:
			return Mem{Base: base, Index: ldb, Scale: 1}
		default:
			return Mem{Base: base, Index: ldb, Scale: 2}
		}
	}

	rowBytes := nr * e.size
	Label(name + "_loop")
	TESTQ(blocks, blocks)
	JE(LabelRef(name + "_done"))
	for half := 0; half < 2; half++ {
		rows := make([]VecVirtual, e.lanes)
		for j := range rows {
			rows[j] = YMM()
			VMOVUPS(rowB(half*e.lanes+j), rows[j])
		}
		for p, col := range e.transpose(rows) {
			e.mul(col, alpha, col)
			VMOVUPS(col, Mem{Base: dst, Disp: p*rowBytes + half*32})
		}
	}
	for _, base := range bases {
		ADDQ(U8(32), base)
	}
	ADDQ(U32(e.lanes*rowBytes), dst)
	DECQ(blocks)
	JMP(LabelRef(name + "_loop"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// transpose8x8 transposes 8 rows of 8 float32 (r[j][q] = row j, element q)
// into 8 columns (c[q][j]).
func transpose8x8(r []VecVirtual) []VecVirtual {
	// t: interleave pairs of rows within each 128-bit lane.
	t := make([]VecVirtual, 8)
	for i := 0; i < 8; i += 2 {
		t[i], t[i+1] = YMM(), YMM()
		VUNPCKLPS(r[i+1], r[i], t[i])   // r_i0 r_j0 r_i1 r_j1 | r_i4 r_j4 r_i5 r_j5
		VUNPCKHPS(r[i+1], r[i], t[i+1]) // r_i2 r_j2 r_i3 r_j3 | r_i6 r_j6 r_i7 r_j7
	}
	// s: gather four rows' element q (and q+4) per lane.
	s := make([]VecVirtual, 8)
	for g := 0; g < 8; g += 4 { // rows 0-3, then rows 4-7
		for h := 0; h < 2; h++ { // unpcklps results, then unpckhps results
			lo, hi := t[g+h], t[g+2+h]
			s[g+2*h], s[g+2*h+1] = YMM(), YMM()
			VSHUFPS(U8(0x44), hi, lo, s[g+2*h])   // element 2h   (and 2h+4)
			VSHUFPS(U8(0xEE), hi, lo, s[g+2*h+1]) // element 2h+1 (and 2h+5)
		}
	}
	// c: join the 128-bit lanes of rows 0-3 and rows 4-7.
	c := make([]VecVirtual, 8)
	for q := 0; q < 4; q++ {
		c[q], c[q+4] = YMM(), YMM()
		VPERM2F128(U8(0x20), s[q+4], s[q], c[q])
		VPERM2F128(U8(0x31), s[q+4], s[q], c[q+4])
	}
	return c
}

// transpose4x4 transposes 4 rows of 4 float64 into 4 columns.
func transpose4x4(r []VecVirtual) []VecVirtual {
	t := make([]VecVirtual, 4)
	for i := 0; i < 4; i += 2 {
		t[i], t[i+1] = YMM(), YMM()
		VUNPCKLPD(r[i+1], r[i], t[i])   // r_i0 r_j0 | r_i2 r_j2
		VUNPCKHPD(r[i+1], r[i], t[i+1]) // r_i1 r_j1 | r_i3 r_j3
	}
	c := make([]VecVirtual, 4)
	for q := 0; q < 2; q++ {
		c[q], c[q+2] = YMM(), YMM()
		VPERM2F128(U8(0x20), t[q+2], t[q], c[q])
		VPERM2F128(U8(0x31), t[q+2], t[q], c[q+2])
	}
	return c
}
