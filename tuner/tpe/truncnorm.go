package tpe

import "math"

// The truncated normal distribution as Optuna 3.1's TPE computes it
// (optuna/samplers/_tpe/_truncnorm.py, itself after scipy.stats.truncnorm):
// a and b are the standardized bounds (low−μ)/σ and (high−μ)/σ.

// normLogC is log √(2π).
var normLogC = math.Log(math.Sqrt(2 * math.Pi))

// ndtr is Φ(a) through Optuna's erf (_truncnorm._ndtr).
func ndtr(a float64) float64 { return 0.5 + 0.5*erf(a/math.Sqrt2) }

// ndtrSingle is Φ(a) through libm's erf and erfc (_ndtr_single).
func ndtrSingle(a float64) float64 {
	x := a / math.Sqrt2
	switch {
	case x < -1/math.Sqrt2:
		return 0.5 * math.Erfc(-x)
	case x < 1/math.Sqrt2:
		return 0.5 + 0.5*math.Erf(x)
	}
	return 1 - 0.5*math.Erfc(x)
}

// logNdtr is log Φ(a) (_log_ndtr_single): log(1−Φ(−a)) ≈ −Φ(−a) above 6,
// the asymptotic series below −20.
func logNdtr(a float64) float64 {
	if a > 6 {
		return -ndtrSingle(-a)
	}
	if a > -20 {
		return math.Log(ndtrSingle(a))
	}
	logLHS := -0.5*a*a - math.Log(-a) - 0.5*math.Log(2*math.Pi)
	last, rhs, num, denom, sign := 0.0, 1.0, 1.0, 1.0, 1.0
	denomCons := 1 / (a * a)
	for i := 1; math.Abs(last-rhs) > 0x1p-52; i++ {
		last = rhs
		sign = -sign
		denom *= denomCons
		num *= float64(2*i - 1)
		rhs += sign * num * denom
	}
	return logLHS + math.Log(rhs)
}

// logAddExp is numpy's logaddexp: log(eˣ + eʸ) without overflow.
func logAddExp(x, y float64) float64 {
	if x == y {
		return x + math.Ln2
	}
	d := x - y
	switch {
	case d > 0:
		return x + math.Log1p(math.Exp(-d))
	case d <= 0:
		return y + math.Log1p(math.Exp(d))
	}
	return d // NaN
}

// logDiff is log(eᵖ − e^q) for p ≥ q.
func logDiff(p, q float64) float64 { return p + math.Log1p(-math.Exp(q-p)) }

// logGaussMass is log(Φ(b) − Φ(a)), computed in the left tail for
// accuracy (_log_gauss_mass).
func logGaussMass(a, b float64) float64 { return logGaussMassWith(a, b, ndtr) }

// logGaussMassWith is logGaussMass with Φ computed by phi in the central
// case.
func logGaussMassWith(a, b float64, phi func(float64) float64) float64 {
	switch {
	case b <= 0:
		return logDiff(logNdtr(b), logNdtr(a))
	case a > 0:
		return logDiff(logNdtr(-a), logNdtr(-b))
	}
	// Central: 1 − Φ(a) − Φ(−b) avoids the cancellation of log-space sums.
	return math.Log1p(-phi(a) - phi(-b))
}

// ndtriExp is the x with log Φ(x) = y, by 100 bisection steps on
// [−100, 100] (_ndtri_exp_single).
func ndtriExp(y float64) float64 {
	a, b := -100.0, 100.0
	if logNdtr(a) > y {
		a, b = b, a
	}
	var m float64
	for range 100 {
		m = (a + b) / 2
		if logNdtr(m) < y {
			a = m
		} else {
			b = m
		}
	}
	return m
}

// truncNormPPF is the quantile q of the standard normal truncated to
// [a, b] (_truncnorm.ppf): x with (Φ(x)−Φ(a))/(Φ(b)−Φ(a)) = q.
func truncNormPPF(q, a, b float64) float64 {
	switch {
	case a == b:
		return math.NaN()
	case q == 0:
		return a
	case q == 1:
		return b
	}
	if a < 0 {
		return ndtriExp(logAddExp(logNdtr(a), math.Log(q)+logGaussMass(a, b)))
	}
	return -ndtriExp(logAddExp(logNdtr(-b), math.Log1p(-q)+logGaussMass(a, b)))
}

// truncNormLogPDF is the log density at x of N(loc, scale²) truncated to
// the standardized bounds [a, b], given logMass = logGaussMass(a, b) and
// logScale = log scale:
//
//	log φ((x−loc)/scale) − log(Φ(b)−Φ(a)) − log scale
//
// Only with normalized is the −log scale term there: Optuna 3.1 to 3.4 leave
// it out (optuna#5109, fixed by optuna#5110), so their "density" does not
// integrate to 1 unless scale = 1.
func truncNormLogPDF(x, a, b, loc, scale, logMass, logScale float64, normalized bool) float64 {
	z := (x - loc) / scale
	if z < a || b < z {
		return math.Inf(-1)
	}
	out := -(z*z)/2.0 - normLogC - logMass
	if normalized {
		out -= logScale
	}
	return out
}
