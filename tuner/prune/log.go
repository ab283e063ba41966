package prune

import (
	"math"
	"math/big"
	"sync"
)

// glibcLog returns ln x for a finite x > 0, correctly rounded to float64, as
// glibc's log (which Python's math.log calls) returns it. Go's math.Log can
// be one ulp off (ln 3 comes out 1.0986122886681096, glibc's is …098), and
// Hyperband's bracket count ⌊ln(R/r)/ln η⌋ + 1 must match Optuna's even where
// the quotient lands next to an integer (R/r = 243, η = 3: 4.999… in Python).
//
// With x = m·2^e, m ∈ [√½, √2): ln x = e·ln 2 + ln m, each from
// ln y = 2·atanh((y−1)/(y+1)) = 2·Σ z^(2k+1)/(2k+1), in 256-bit arithmetic.
func glibcLog(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 1) {
		return math.Log(x)
	}
	m, e := math.Frexp(x) // m ∈ [½, 1)
	if m < math.Sqrt2/2 {
		m, e = 2*m, e-1
	}
	r := lnBig(new(big.Float).SetPrec(logPrec).SetFloat64(m), logPrec)
	if e != 0 {
		eln2 := new(big.Float).SetPrec(logPrec).SetInt64(int64(e))
		r.Add(r, eln2.Mul(eln2, ln2()))
	}
	f, _ := r.Float64() // rounds to nearest, ties to even
	return f
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
