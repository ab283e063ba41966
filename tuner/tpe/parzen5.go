package tpe

import (
	"math"
)

// Optuna 5's Parzen estimator (samplers/_tpe/parzen_estimator.py and
// probability_distributions.py at 5.0) differs from 3.1's (parzen.go) in:
//
//   - the prior kernel is always there, and the bandwidths come from the
//     observations alone (3.1 counted the prior's centre among the
//     neighbours), with the same rule for multivariate sampling (3.1 used
//     Scott's rule there);
//   - the kernels' log-density includes −log σ (optuna#5110);
//   - a Log int is discrete on the log scale: its density at x is the mass
//     of [log(x − ½), log(x + ½)] (3.1 took the density at log x);
//   - draws take the uniforms in another order (the kernels, then each
//     categorical parameter, then each numerical one), quantiles by
//     Newton's method (truncnorm5.go), and a gridded draw rounds
//     low + round((x − low)/step)·step, also for a Log int;
//   - the log-density has no shortcut for a lone categorical parameter,
//     and is −∞ rather than NaN where every kernel gives 0.

// kernelBounds5 is kernelBounds with a Log int discrete on the log scale:
// q is its step and [low, high] = [log(Low − q/2), log(High + q/2)].
func kernelBounds5(d Dist) paramKernels {
	k := kernelBounds(d)
	if d.Int && d.Log {
		k.q = max(d.Step, 1)
		k.low, k.high = math.Log(k.valLow-k.q/2), math.Log(k.valHigh+k.q/2)
	}
	return k
}

// newParzen5 fits Optuna 5's estimator to obs (obs[p][i]: parameter p of
// observation i, internal values); pre, when not nil, weighs the
// observations in place of o.Weights. o has its defaults filled in.
func newParzen5(space []Dist, obs [][]float64, pre []float64, o Options) (*parzen, error) {
	n := 0
	if len(obs) > 0 {
		n = len(obs[0])
	}
	var w []float64
	var err error
	if pre != nil {
		w, err = mixtureWeightsOf(pre, "Observations.BelowWeights", ErrInput, n, true, o.PriorWeight)
	} else {
		w, err = mixtureWeights(n, true, o)
	}
	if err != nil {
		return nil, err
	}
	pe := &parzen{weights: w, normalized: true}
	for p, d := range space {
		k := kernelBounds5(d)
		if k.categorical {
			if n == 0 {
				k.catWeights = [][]float64{uniform(d.Choices)}
			} else {
				k.catWeights = categoricalWeights(obs[p], d.Choices, true, o.PriorWeight)
			}
			pe.kernels = append(pe.kernels, k)
			continue
		}
		xs := make([]float64, n)
		for i, x := range obs[p] {
			xs[i] = k.toEstimator(x)
		}
		k.mus, k.sigmas = numericalKernels5(xs, k.low, k.high, o)
		k.standardize(logGaussMass5)
		pe.kernels = append(pe.kernels, k)
	}
	return pe, nil
}

// uniform is c equal probabilities.
func uniform(c int) []float64 {
	r := make([]float64, c)
	for i := range r {
		r[i] = 1.0 / float64(c)
	}
	return r
}

// numericalKernels5 returns the kernels' centres and bandwidths as Optuna
// 5's _calculate_numerical_distributions: each observation's bandwidth is
// the larger distance to a neighbour among the sorted observations and the
// bounds (without ConsiderEndpoints the outermost take their inner
// neighbour's distance), clipped to [(high−low)/min(100, n+2), high−low]
// (the magic clip; 1e-12 below without it); the prior's kernel, centred
// on (low+high)/2 with bandwidth high−low, comes last.
func numericalKernels5(xs []float64, low, high float64, o Options) (mus, sigmas []float64) {
	n := len(xs)
	order := argsort(xs)
	s := make([]float64, n+2) // sorted observations between the bounds
	s[0], s[n+1] = low, high
	for i, j := range order {
		s[i+1] = xs[j]
	}
	sorted := make([]float64, n)
	for i := range sorted {
		sorted[i] = max(s[i+1]-s[i], s[i+2]-s[i+1])
	}
	if !o.ConsiderEndpoints && len(s) >= 4 {
		sorted[0] = s[2] - s[1]
		sorted[n-1] = s[n] - s[n-1]
	}
	minSigma, maxSigma := 1e-12, high-low
	if !o.NoMagicClip {
		minSigma = (high - low) / min(100.0, 1.0+float64(n+1))
	}
	mus = append(make([]float64, 0, n+1), xs...)
	sigmas = make([]float64, n, n+1)
	for i, j := range order {
		sigmas[j] = min(max(sorted[i], minSigma), maxSigma)
	}
	return append(mus, 0.5*(low+high)), append(sigmas, high-low)
}

// sample5 draws size points from the mixture as Optuna 5's
// _MixtureOfProductDistribution.sample, consuming uniforms from u in its
// order: one per point for the kernel, then one per point for each
// categorical parameter, then one per point for each numerical one. It
// returns out[p][i], internal values.
func (pe *parzen) sample5(u func() float64, size int) [][]float64 {
	active := pe.chooseKernels(u, size)
	out := make([][]float64, len(pe.kernels))
	for p := range pe.kernels {
		out[p] = make([]float64, size)
		if k := &pe.kernels[p]; k.categorical {
			for i, j := range active {
				out[p][i] = drawChoice(k.catWeights[j], u())
			}
		}
	}
	// The numerical parameters' quantiles form one batch, as Optuna solves
	// them together (the batch decides how many Newton steps each takes).
	var q, a, b []float64
	for p := range pe.kernels {
		if k := &pe.kernels[p]; !k.categorical {
			for _, j := range active {
				q, a, b = append(q, u()), append(a, k.a[j]), append(b, k.b[j])
			}
		}
	}
	z := truncNormPPFBatch(q, a, b)
	for p := range pe.kernels {
		k := &pe.kernels[p]
		if k.categorical {
			continue
		}
		for i, j := range active {
			x := z[0]*k.sigmas[j] + k.mus[j]
			z = z[1:]
			if k.log {
				x = math.Exp(x)
			}
			if k.q > 0 {
				x = k.valLow + math.RoundToEven((x-k.valLow)/k.q)*k.q
			}
			out[p][i] = min(max(x, k.valLow), k.valHigh)
		}
	}
	return out
}

// logPDF5 returns the mixture's log density at each point of xs (xs[p][i],
// internal values) as Optuna 5's _MixtureOfProductDistribution.log_pdf: a
// categorical kernel's log-probability, a gridded kernel's log-mass of
// [x − q/2, x + q/2] (on the log scale for a Log int) less its total, and
// the continuous kernels' normalized log-densities summed, then weighted
// and log-sum-exp'd over the kernels.
func (pe *parzen) logPDF5(xs [][]float64) []float64 {
	size := len(xs[0])
	out := make([]float64, size)
	logW := make([]float64, len(pe.weights))
	for j, w := range pe.weights {
		logW[j] = math.Log(w)
	}
	comp := make([]float64, len(pe.weights))
	cont := make([]float64, len(pe.weights))
	masses := make([]map[float64][]float64, len(pe.kernels))
	anyCont := false
	for p := range pe.kernels {
		k := &pe.kernels[p]
		switch {
		case k.categorical:
		case k.q > 0:
			masses[p] = map[float64][]float64{}
		default:
			anyCont = true
		}
	}
	for i := range out {
		clear(comp)
		clear(cont)
		for p := range pe.kernels {
			k := &pe.kernels[p]
			x := xs[p][i]
			switch {
			case k.categorical:
				for j := range comp {
					comp[j] += math.Log(k.catWeights[j][int(x)])
				}
			case k.q > 0:
				row, ok := masses[p][x]
				if !ok {
					lo, hi := x-k.q/2, x+k.q/2
					if k.log {
						lo, hi = math.Log(lo), math.Log(hi)
					}
					row = make([]float64, len(comp))
					for j := range row {
						row[j] = logGaussMass5((lo-k.mus[j])/k.sigmas[j], (hi-k.mus[j])/k.sigmas[j])
					}
					masses[p][x] = row
				}
				for j, r := range row {
					comp[j] += r
					comp[j] -= k.logMass[j]
				}
			default:
				x = k.toEstimator(x)
				for j := range cont {
					cont[j] += truncNormLogPDF(x, k.a[j], k.b[j], k.mus[j], k.sigmas[j], k.logMass[j], k.logSigma[j], true)
				}
			}
		}
		m := math.Inf(-1)
		for j := range comp {
			if anyCont {
				comp[j] += cont[j]
			}
			comp[j] += logW[j]
			if comp[j] > m || math.IsNaN(comp[j]) {
				m = comp[j]
			}
		}
		if math.IsInf(m, -1) { // every kernel gives 0: log 0, not NaN
			m = 0
		}
		s := 0.0
		for _, c := range comp {
			s += math.Exp(c - m)
		}
		out[i] = math.Log(s) + m
	}
	return out
}
