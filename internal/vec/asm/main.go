// Command asm generates the AVX2 loops of package vec with avo
// (github.com/mmcloughlin/avo), in a module of its own so that avo never
// becomes a dependency of gradtune. Run it through go:generate:
//
//	go generate ./internal/vec
//
// Gradients are named grad: g is the assembler's name for the goroutine
// register.
//
// Each loop handles n elements, n a multiple of the lanes of a YMM register
// (8 float32, 4 float64); package vec runs its scalar loop over the rest.
// The loops perform the scalar loops' operations in the same order, with no
// fused multiply-add, so that results are bit-identical.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// elem describes one element type.
type elem struct {
	prefix string // "s" or "d"
	goType string
	size   int
	lanes  int

	broadcast       func(m, y Op)
	add, sub        func(m, y, dst Op)
	mul, div        func(m, y, dst Op)
	sqrt            func(m, dst Op)
	and, or         func(m, y, dst Op)
	cmpNotLessEqual func(m, y, dst Op) // dst = !(y <= m) per lane, true for NaN
}

// cmpNLEUQ is VCMPPS/VCMPPD's predicate "not less or equal, unordered,
// quiet": a NaN operand compares true.
const cmpNLEUQ = 0x16

var float32Elem = elem{
	prefix: "s", goType: "float32", size: 4, lanes: 8,
	broadcast:       func(m, y Op) { VBROADCASTSS(m, y) },
	add:             func(m, y, dst Op) { VADDPS(m, y, dst) },
	sub:             func(m, y, dst Op) { VSUBPS(m, y, dst) },
	mul:             func(m, y, dst Op) { VMULPS(m, y, dst) },
	div:             func(m, y, dst Op) { VDIVPS(m, y, dst) },
	sqrt:            func(m, dst Op) { VSQRTPS(m, dst) },
	and:             func(m, y, dst Op) { VANDPS(m, y, dst) },
	or:              func(m, y, dst Op) { VORPS(m, y, dst) },
	cmpNotLessEqual: func(m, y, dst Op) { VCMPPS(U8(cmpNLEUQ), m, y, dst) },
}

var float64Elem = elem{
	prefix: "d", goType: "float64", size: 8, lanes: 4,
	broadcast:       func(m, y Op) { VBROADCASTSD(m, y) },
	add:             func(m, y, dst Op) { VADDPD(m, y, dst) },
	sub:             func(m, y, dst Op) { VSUBPD(m, y, dst) },
	mul:             func(m, y, dst Op) { VMULPD(m, y, dst) },
	div:             func(m, y, dst Op) { VDIVPD(m, y, dst) },
	sqrt:            func(m, dst Op) { VSQRTPD(m, dst) },
	and:             func(m, y, dst Op) { VANDPD(m, y, dst) },
	or:              func(m, y, dst Op) { VORPD(m, y, dst) },
	cmpNotLessEqual: func(m, y, dst Op) { VCMPPD(U8(cmpNLEUQ), m, y, dst) },
}

func main() {
	ConstraintExpr("amd64,!purego")
	for _, e := range []elem{float32Elem, float64Elem} {
		adam(e, false)
		adam(e, true)
		finite(e)
		reluBackward(e)
		add(e)
	}
	Generate()
}

// loop emits "for n > 0 { body; n -= lanes }" with body given the byte
// offset of the current vector.
func loop(name string, n Register, e elem, body func(off Register)) {
	off := GP64()
	XORQ(off, off)
	Label(name + "_loop")
	TESTQ(n, n)
	JE(LabelRef(name + "_done"))
	body(off)
	ADDQ(U8(32), off)
	SUBQ(U8(e.lanes), n)
	JMP(LabelRef(name + "_loop"))
	Label(name + "_done")
}

// adam generates
//
//	func {s,d}adam(n int, w, g, m, v *T, c *[9]T, l2 bool)
//
// and, with snap,
//
//	func {s,d}adamSnap(n int, w, g, m, v, prev *T, c *[9]T, l2 bool) (finite bool)
//
// which also stores each w into prev before updating it and reports
// whether every new w is finite (the OR of w − w, as finite), in the same
// pass: a separate copy and check would read w twice more.
//
// with c = beta1, 1-beta1, beta2, 1-beta2, -stepSize, sqrt(bias correction
// 2), eps, weightDecay, decayFactor: per element, as package vec's scalar
// loop,
//
//	wi := w*decay; gi := g (+ wd*wi if l2)
//	m = beta1*m + (1-beta1)*gi; v = beta2*v + ((1-beta2)*gi)*gi
//	w = wi + (negStep*m) / (sqrt(v)/bc2Sqrt + eps); g = 0
func adam(e elem, snap bool) {
	name := e.prefix + "adam"
	if snap {
		name += "Snap"
		TEXT(name, NOSPLIT, fmt.Sprintf("func(n int, w, grad, m, v, prev *%[1]s, c *[9]%[1]s, l2 bool) bool", e.goType))
		Doc(name + " runs n elements of an Adam step, saving w into prev first, and reports whether the new w are finite.")
	} else {
		TEXT(name, NOSPLIT, fmt.Sprintf("func(n int, w, grad, m, v *%[1]s, c *[9]%[1]s, l2 bool)", e.goType))
		Doc(name + " runs n elements of an Adam step; see the generator for the formula.")
	}
	Pragma("noescape")
	n := Load(Param("n"), GP64())
	w := Load(Param("w"), GP64())
	g := Load(Param("grad"), GP64())
	m := Load(Param("m"), GP64())
	v := Load(Param("v"), GP64())
	var prev Register
	var acc VecVirtual
	if snap {
		prev = Load(Param("prev"), GP64())
		acc = YMM()
		VXORPS(acc, acc, acc)
	}
	c := Load(Param("c"), GP64())
	l2 := Load(Param("l2"), GP8())

	consts := make([]VecVirtual, 9)
	for i := range consts {
		consts[i] = YMM()
		e.broadcast(Mem{Base: c, Disp: i * e.size}, consts[i])
	}
	b1, omb1, b2, omb2, negStep, bc2Sqrt, eps, wd, decay := consts[0], consts[1], consts[2], consts[3], consts[4], consts[5], consts[6], consts[7], consts[8]
	zero := YMM()
	VXORPS(zero, zero, zero)

	for _, withL2 := range []bool{false, true} {
		label := name
		if withL2 {
			label += "_l2"
			Label(label)
		} else {
			TESTB(l2, l2)
			JNE(LabelRef(name + "_l2"))
		}
		loop(label, n, e, func(off Register) {
			at := func(base Register) Mem { return Mem{Base: base, Index: off, Scale: 1} }
			wi, gi, t, u := YMM(), YMM(), YMM(), YMM()
			if snap {
				VMOVUPS(at(w), wi) // prev = w
				VMOVUPS(wi, at(prev))
				e.mul(wi, decay, wi) // wi = w*decay
			} else {
				e.mul(at(w), decay, wi) // wi = w*decay
			}
			VMOVUPS(at(g), gi)
			if withL2 {
				e.mul(wi, wd, t) // gi += wd*wi
				e.add(t, gi, gi)
			}
			e.mul(at(m), b1, t) // m = b1*m + omb1*gi
			e.mul(gi, omb1, u)
			e.add(u, t, t)
			VMOVUPS(t, at(m))
			e.mul(gi, omb2, u) // v = b2*v + (omb2*gi)*gi
			e.mul(gi, u, u)
			e.mul(at(v), b2, gi)
			e.add(u, gi, gi)
			VMOVUPS(gi, at(v))
			e.sqrt(gi, gi) // den = sqrt(v)/bc2Sqrt + eps
			e.div(bc2Sqrt, gi, gi)
			e.add(eps, gi, gi)
			e.mul(t, negStep, t) // w = wi + (negStep*m)/den
			e.div(gi, t, t)
			e.add(t, wi, wi)
			VMOVUPS(wi, at(w))
			VMOVUPS(zero, at(g))
			if snap {
				e.sub(wi, wi, wi) // +0 when finite, NaN otherwise
				e.or(wi, acc, acc)
			}
		})
		if snap {
			VPTEST(acc, acc)
			ok := GP8()
			SETEQ(ok)
			Store(ok, ReturnIndex(0))
		}
		VZEROUPPER()
		RET()
	}
}

// finite generates
//
//	func {s,d}finite(n int, x *T) bool
//
// which reports whether none of n elements is NaN or ±Inf: x − x is +0 for
// every finite x and NaN otherwise, so the OR of all differences is zero
// exactly when all are finite.
func finite(e elem) {
	name := e.prefix + "finite"
	TEXT(name, NOSPLIT, fmt.Sprintf("func(n int, x *%s) bool", e.goType))
	Pragma("noescape")
	Doc(name + " reports whether n elements are all finite.")
	n := Load(Param("n"), GP64())
	x := Load(Param("x"), GP64())
	acc := YMM()
	VXORPS(acc, acc, acc)
	loop(name, n, e, func(off Register) {
		d := YMM()
		VMOVUPS(Mem{Base: x, Index: off, Scale: 1}, d)
		e.sub(d, d, d)
		e.or(d, acc, acc)
	})
	VPTEST(acc, acc)
	ok := GP8()
	SETEQ(ok)
	Store(ok, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// reluBackward generates
//
//	func {s,d}reluBackward(n int, dst, x, g *T)
//
// dst = grad where !(x <= 0) (x > 0 or NaN), else +0; dst may alias x or
// grad.
func reluBackward(e elem) {
	name := e.prefix + "reluBackward"
	TEXT(name, NOSPLIT, fmt.Sprintf("func(n int, dst, x, grad *%s)", e.goType))
	Pragma("noescape")
	Doc(name + " sets n elements of dst to grad, or 0 where x <= 0.")
	n := Load(Param("n"), GP64())
	dst := Load(Param("dst"), GP64())
	x := Load(Param("x"), GP64())
	g := Load(Param("grad"), GP64())
	zero := YMM()
	VXORPS(zero, zero, zero)
	loop(name, n, e, func(off Register) {
		xv, mask := YMM(), YMM()
		VMOVUPS(Mem{Base: x, Index: off, Scale: 1}, xv)
		e.cmpNotLessEqual(zero, xv, mask)
		e.and(Mem{Base: g, Index: off, Scale: 1}, mask, mask)
		VMOVUPS(mask, Mem{Base: dst, Index: off, Scale: 1})
	})
	VZEROUPPER()
	RET()
}

// add generates
//
//	func {s,d}add(n int, dst, x *T)
//
// which sets dst[i] += x[i] for n elements (a bias row added to each row of
// a product, the rows of a gradient summed into a bias's).
func add(e elem) {
	name := e.prefix + "add"
	TEXT(name, NOSPLIT, fmt.Sprintf("func(n int, dst, x *%s)", e.goType))
	Pragma("noescape")
	Doc(name + " adds n elements of x into dst.")
	n := Load(Param("n"), GP64())
	dst := Load(Param("dst"), GP64())
	x := Load(Param("x"), GP64())
	loop(name, n, e, func(off Register) {
		d := YMM()
		VMOVUPS(Mem{Base: dst, Index: off, Scale: 1}, d)
		e.add(Mem{Base: x, Index: off, Scale: 1}, d, d)
		VMOVUPS(d, Mem{Base: dst, Index: off, Scale: 1})
	})
	VZEROUPPER()
	RET()
}
