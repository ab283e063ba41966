package tpe

import "math"

// The truncated normal distribution as Optuna 5 computes it
// (optuna/samplers/_tpe/_truncnorm.py at 5.0): the same log Φ, a Φ through
// libm's erf, and a quantile found by Newton's method on whole batches.

// ndtriExpC is √3/π, the slope of the logistic approximation of Φ.
var ndtriExpC = math.Sqrt(3) / math.Pi

// ndtr5 is Φ(a) through libm's erf, as Optuna 5's _ndtr does for arrays
// of fewer than 2,000 values; its own polynomial for larger ones differs
// in the last bits.
func ndtr5(a float64) float64 { return 0.5 + 0.5*math.Erf(a/math.Sqrt2) }

// logGaussMass5 is log(Φ(b) − Φ(a)) as Optuna 5 computes it.
func logGaussMass5(a, b float64) float64 { return logGaussMassWith(a, b, ndtr5) }

// ndtriExpBatch sets each y[i] to the x with log Φ(x) = y[i] (Optuna 5's
// _ndtri_exp): a first guess from Φ's tail asymptote (y far below 0) or the
// logistic approximation (Φ(x) ≈ 1/(1+e^(−πx/√3))), worked in the other
// tail where y is near 0, then Newton steps on log Φ(x) − y until every
// step of the batch is below 1e-8 of its x (at most 100). The batch
// matters: every value takes as many steps as the slowest.
func ndtriExpBatch(y []float64) {
	z := make([]float64, len(y))
	flipped := make([]bool, len(y))
	for i, v := range y {
		z[i] = v
		if v > -1e-2 { // log Φ(−x) = log(1 − eʸ): far from 0
			flipped[i], z[i] = true, math.Log(-math.Expm1(v))
		}
	}
	x := y
	for i, v := range z {
		switch {
		case v < -5:
			x[i] = -math.Sqrt(-2.0 * (v + normLogC))
		case v >= -5:
			x[i] = -ndtriExpC * math.Log(math.Expm1(-v))
		default:
			x[i] = math.NaN()
		}
	}
	for range 100 {
		done := true
		for i := range x {
			lx := logNdtr(x[i])
			lpdf := -0.5*(x[i]*x[i]) - normLogC
			dx := (lx - z[i]) * math.Exp(lx-lpdf)
			x[i] -= dx
			done = done && math.Abs(dx) < 1e-8*math.Abs(x[i])
		}
		if done {
			break
		}
	}
	for i, f := range flipped {
		if f {
			x[i] = -x[i]
		}
	}
}

// truncNormPPFBatch returns the quantiles q[i] of the standard normal
// truncated to [a[i], b[i]] (Optuna 5's _truncnorm.ppf on one batch: the
// values with a < 0 solved together in the left tail, the others mirrored
// into it).
func truncNormPPFBatch(q, a, b []float64) []float64 {
	out := make([]float64, len(q))
	var left, right []int
	for i := range q {
		if a[i] < 0 {
			left = append(left, i)
		} else {
			right = append(right, i)
		}
	}
	for _, side := range []struct {
		idx  []int
		left bool
	}{{left, true}, {right, false}} {
		if len(side.idx) == 0 {
			continue
		}
		y := make([]float64, len(side.idx))
		for k, i := range side.idx {
			m := logGaussMass5(a[i], b[i])
			if side.left {
				y[k] = logAddExp(logNdtr(a[i]), math.Log(q[i])+m)
			} else {
				y[k] = logAddExp(logNdtr(-b[i]), math.Log1p(-q[i])+m)
			}
		}
		ndtriExpBatch(y)
		for k, i := range side.idx {
			if side.left {
				out[i] = y[k]
			} else {
				out[i] = -y[k]
			}
		}
	}
	for i := range out {
		switch {
		case a[i] == b[i]:
			out[i] = math.NaN()
		case q[i] == 0:
			out[i] = a[i]
		case q[i] == 1:
			out[i] = b[i]
		}
	}
	return out
}
