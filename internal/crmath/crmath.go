// Package crmath holds correctly rounded ln and exp: the float64 nearest
// the exact value, as glibc's log and exp (which Python's math.log and
// math.exp call) return it. Go's math.Log and math.Exp can be one ulp off,
// and where a sampler or pruner must decide as Optuna does — a Hyperband
// bracket count, a log-scale parameter — one ulp is a different answer.
// They cost microseconds (256-bit arithmetic): use them where parity
// matters, not in a hot loop.
package crmath

import (
	"math"
	"math/big"
	"sync"
)

// Log returns ln x correctly rounded, for a finite x > 0 (Go's math.Log
// gives ln 3 as 1.0986122886681096, glibc …098); elsewhere it is math.Log.
func Log(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 1) {
		return math.Log(x)
	}
	f, _ := lnOf(new(big.Float).SetPrec(logPrec).SetFloat64(x)).Float64() // to nearest, ties to even
	return f
}

// lnOf is ln x to logPrec bits for x > 0: with x = m·2^e, m ∈ [√½, √2),
// ln x = e·ln 2 + ln m, each from ln y = 2·atanh((y−1)/(y+1)) =
// 2·Σ z^(2k+1)/(2k+1).
func lnOf(x *big.Float) *big.Float {
	m := new(big.Float).SetPrec(logPrec)
	e := x.MantExp(m) // m ∈ [½, 1)
	if m.Cmp(sqrtHalf) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	r := lnBig(m, logPrec)
	if e != 0 {
		eln2 := new(big.Float).SetPrec(logPrec).SetInt64(int64(e))
		r.Add(r, eln2.Mul(eln2, ln2()))
	}
	return r
}

var sqrtHalf = new(big.Float).SetFloat64(math.Sqrt2 / 2)

// Exp returns e^x correctly rounded where the result is a normal float64;
// elsewhere (overflow, underflow, subnormal results) it is math.Exp. Go's
// math.Exp is within one ulp, so the answer is it or a neighbour: Exp picks
// the one whose rounding interval holds e^x, comparing x with the logarithm
// of the interval's ends (the midpoints to the neighbours).
func Exp(x float64) float64 {
	y := math.Exp(x)
	if !(y >= 2*math.SmallestNonzeroFloat64*(1<<53)) || math.IsInf(y, 0) || y > math.MaxFloat64/2 {
		return y // not normal, or too near the ends of the range to step
	}
	up, down := math.Nextafter(y, math.Inf(1)), math.Nextafter(y, 0)
	bx := new(big.Float).SetPrec(logPrec).SetFloat64(x)
	if lnOf(midpoint(y, up)).Cmp(bx) < 0 {
		return up
	}
	if lnOf(midpoint(down, y)).Cmp(bx) > 0 {
		return down
	}
	return y
}

// midpoint is (a+b)/2, exactly.
func midpoint(a, b float64) *big.Float {
	m := new(big.Float).SetPrec(logPrec).SetFloat64(a)
	m.Add(m, new(big.Float).SetPrec(logPrec).SetFloat64(b))
	return m.SetMantExp(m, -1)
}

const logPrec = 256

// ln2 is ln 2 to logPrec bits; callers must not modify it.
var ln2 = sync.OnceValue(func() *big.Float {
	return lnBig(new(big.Float).SetPrec(logPrec).SetInt64(2), logPrec)
})

// lnBig is ln y = 2·atanh(z), z = (y−1)/(y+1), for y near 1 (|z| ≤ 1/3).
func lnBig(y *big.Float, prec uint) *big.Float {
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	z := new(big.Float).SetPrec(prec).Quo(new(big.Float).SetPrec(prec).Sub(y, one), new(big.Float).SetPrec(prec).Add(y, one))
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	sum := new(big.Float).SetPrec(prec).Set(z)
	pow := new(big.Float).SetPrec(prec).Set(z)
	term := new(big.Float).SetPrec(prec)
	for k := int64(3); z.Sign() != 0; k += 2 {
		pow.Mul(pow, z2)
		term.Quo(pow, new(big.Float).SetPrec(prec).SetInt64(k))
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -int(prec) {
			break
		}
		sum.Add(sum, term)
	}
	return sum.Mul(sum, new(big.Float).SetPrec(prec).SetInt64(2))
}
