package tpe

import (
	"fmt"
	"math"
)

// paramKernels is the per-parameter part of a parzen estimator: one kernel per
// observation (plus the prior), in the estimator's space (log space for Log
// distributions).
type paramKernels struct {
	d           Dist
	categorical bool
	log         bool
	low, high   float64 // the kernels' support, widened by q/2 on a grid
	q           float64 // grid step in the estimator's space; 0: continuous
	valLow      float64 // the distribution's range, for rounding and clipping
	valHigh     float64
	mus, sigmas []float64
	catWeights  [][]float64 // kernel × choice
	// Per kernel: standardized bounds, log(Φ(b) − Φ(a)) and log σ.
	a, b, logMass, logSigma []float64
}

// parzen is Optuna 3.1's _parzenEstimator: a mixture of products of
// per-parameter kernels (truncated normals for numbers, smoothed one-hot
// distributions for categories) with mixture weights.
type parzen struct {
	weights    []float64
	kernels    []paramKernels
	normalized bool
}

// kernelBounds returns the support of the kernels of d and its grid step
// (_calculate_parzen_bounds): a stepped or integer range widens by half a
// step on each side, a log range is taken in log space.
func kernelBounds(d Dist) paramKernels {
	switch {
	case d.Categorical():
		return paramKernels{d: d, categorical: true}
	case d.Int:
		low, high, step := int(d.Low), int(d.High), max(int(d.Step), 1)
		k := paramKernels{d: d, valLow: d.Low, valHigh: float64(low + (high-low)/step*step)}
		if d.Log {
			k.log, k.low, k.high = true, math.Log(d.Low-0.5), math.Log(d.High+0.5)
		} else {
			q := float64(step)
			k.q, k.low, k.high = q, k.valLow-0.5*q, k.valHigh+0.5*q
		}
		return k
	}
	k := paramKernels{d: d, valLow: d.Low, valHigh: d.High}
	switch {
	case d.Log:
		k.log, k.low, k.high = true, math.Log(d.Low), math.Log(d.High)
	case d.Step > 0:
		if g := (d.High - d.Low) / d.Step; math.Abs(g-math.Round(g)) >= 1e-8 { // Optuna moves High down onto the grid
			k.valHigh = d.Low + math.Floor(g+1e-9)*d.Step
		}
		k.q, k.low, k.high = d.Step, d.Low-0.5*d.Step, k.valHigh+0.5*d.Step
	default:
		k.low, k.high = d.Low, d.High
	}
	return k
}

// standardize computes each kernel's standardized bounds, its log-mass
// over them (by logMass) and log σ, from k.mus and k.sigmas.
func (k *paramKernels) standardize(logMass func(a, b float64) float64) {
	m := len(k.mus)
	k.a, k.b, k.logMass, k.logSigma = make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)
	for j := range k.mus {
		k.a[j] = (k.low - k.mus[j]) / k.sigmas[j]
		k.b[j] = (k.high - k.mus[j]) / k.sigmas[j]
		k.logMass[j] = logMass(k.a[j], k.b[j])
		k.logSigma[j] = math.Log(k.sigmas[j])
	}
}

// toEstimator maps an internal value into the estimator's space.
func (k *paramKernels) toEstimator(x float64) float64 {
	if k.log {
		return math.Log(x)
	}
	return x
}

// fromEstimator maps a draw back to an internal value of d: exp for Log,
// rounding half to even onto the grid (numpy's round) for steps and ints,
// then clipping into the range (_transform_from_uniform; Optuna does not clip
// continuous floats, we do so that a draw one ulp past High stays valid).
func (k *paramKernels) fromEstimator(x float64) float64 {
	if k.categorical {
		return x
	}
	switch {
	case k.log:
		x = math.Exp(x)
		if k.d.Int {
			x = math.RoundToEven(x)
		}
	case k.q > 0:
		x = math.RoundToEven((x-k.valLow)/k.q)*k.q + k.valLow
	}
	return min(max(x, k.valLow), k.valHigh)
}

// newParzen fits the estimator to obs (obs[p][i]: parameter p of
// observation i, internal values), following _parzenEstimator.__init__.
// The options o have their defaults filled in.
func newParzen(space []Dist, obs [][]float64, o Options) (*parzen, error) {
	n := 0
	if len(obs) > 0 {
		n = len(obs[0])
	}
	prior := !o.NoPrior || n == 0 // with nothing observed, the prior alone
	w, err := mixtureWeights(n, prior, o)
	if err != nil {
		return nil, err
	}
	pe := &parzen{weights: w, normalized: o.NormalizedDensity}
	var sigma0 float64
	if o.Multivariate {
		// Scott's rule, as in BOHB (Falkner et al. 2018), scaled by 0.2.
		sigma0 = 0.2 * math.Pow(float64(max(n, 1)), -1.0/float64(len(space)+4))
	}
	for p, d := range space {
		k := kernelBounds(d)
		if k.categorical {
			k.catWeights = categoricalWeights(obs[p], d.Choices, prior, o.PriorWeight)
		} else {
			xs := make([]float64, n)
			for i, x := range obs[p] {
				xs[i] = k.toEstimator(x)
			}
			k.mus, k.sigmas = numericalKernels(xs, k.low, k.high, prior, sigma0, o)
			k.standardize(logGaussMass)
		}
		pe.kernels = append(pe.kernels, k)
	}
	return pe, nil
}

// mixtureWeights returns the normalized mixture weights: o.Weights(n)
// for the observations, then the prior's weight (_calculate_weights).
func mixtureWeights(n int, prior bool, o Options) ([]float64, error) {
	return mixtureWeightsOf(o.Weights(n), fmt.Sprintf("Weights(%d)", n), ErrOptions, n, prior, o.PriorWeight)
}

// mixtureWeightsOf checks the n observations' weights w (what names them
// in errors, which wrap kind) and returns them normalized, with the
// prior's weight last when prior.
func mixtureWeightsOf(w []float64, what string, kind error, n int, prior bool, priorWeight float64) ([]float64, error) {
	if len(w) < n {
		return nil, fmt.Errorf("%w: %s returned %d values, want %d", kind, what, len(w), n)
	}
	w = w[:n]
	sum := 0.0
	for i, x := range w {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %s[%d] = %v, want finite ≥ 0", kind, what, i, x)
		}
		sum += x
	}
	if n > 0 && sum <= 0 {
		return nil, fmt.Errorf("%w: %s sums to %v, want > 0", kind, what, sum)
	}
	out := append(make([]float64, 0, n+1), w...)
	if prior {
		out = append(out, priorWeight)
		sum += priorWeight
	}
	for i := range out {
		out[i] /= sum
	}
	return out, nil
}

// categoricalWeights gives each observation a distribution over the
// choices: priorWeight/(n+1) on every choice (priorWeight/n without the
// prior), plus 1 on the observed one, normalized; the prior's row is
// uniform (_calculate_categorical_params).
func categoricalWeights(obs []float64, choices int, prior bool, priorWeight float64) [][]float64 {
	n := len(obs)
	rows, fill := n, priorWeight/float64(n)
	if prior {
		rows, fill = n+1, priorWeight/float64(n+1)
	}
	out := make([][]float64, rows)
	for i := range out {
		r := make([]float64, choices)
		for c := range r {
			r[c] = fill
		}
		if i < n {
			r[int(obs[i])]++
		}
		sum := 0.0
		for _, x := range r {
			sum += x
		}
		for c := range r {
			r[c] /= sum
		}
		out[i] = r
	}
	return out
}

// numericalKernels returns the kernels' centres and bandwidths
// (_calculate_numerical_params). Centres are the observations, plus the
// prior's (low+high)/2 with bandwidth high−low. Univariate bandwidths are
// the larger distance to a neighbour among the sorted centres and the
// bounds (without ConsiderEndpoints the outermost take their inner
// neighbour's distance); multivariate ones are sigma0·(high−low). Magic clip
// bounds them below by (high−low)/min(100, 1+kernels).
func numericalKernels(xs []float64, low, high float64, prior bool, sigma0 float64, o Options) (mus, sigmas []float64) {
	n := len(xs)
	mus = append(make([]float64, 0, n+1), xs...)
	if prior {
		mus = append(mus, 0.5*(low+high))
	}
	sigmas = make([]float64, len(mus))
	if o.Multivariate {
		for i := range sigmas {
			sigmas[i] = sigma0 * (high - low)
		}
	} else {
		order := argsort(mus)
		s := make([]float64, len(mus)+2) // sorted centres between the bounds
		s[0], s[len(s)-1] = low, high
		for i, j := range order {
			s[i+1] = mus[j]
		}
		sorted := make([]float64, len(mus))
		for i := range sorted {
			sorted[i] = max(s[i+1]-s[i], s[i+2]-s[i+1])
		}
		if !o.ConsiderEndpoints && len(s) >= 4 {
			sorted[0] = s[2] - s[1]
			sorted[len(sorted)-1] = s[len(s)-2] - s[len(s)-3]
		}
		for i, j := range order {
			sigmas[j] = sorted[i]
		}
	}
	maxSigma, minSigma := high-low, 1e-12
	if !o.NoMagicClip {
		minSigma = (high - low) / min(100.0, 1.0+float64(len(mus)))
	}
	for i := range sigmas {
		sigmas[i] = min(max(sigmas[i], minSigma), maxSigma)
	}
	if prior {
		sigmas[n] = high - low
	}
	return mus, sigmas
}

// sample draws size points from the mixture (_parzenEstimator.sample),
// consuming uniforms from u in numpy's order: one per point for the
// kernel, then, parameter by parameter, one per point for its value. It
// returns out[p][i], internal values.
func (pe *parzen) sample(u func() float64, size int) [][]float64 {
	active := pe.chooseKernels(u, size)
	out := make([][]float64, len(pe.kernels))
	for p := range pe.kernels {
		k := &pe.kernels[p]
		out[p] = make([]float64, size)
		for i, j := range active {
			x := u()
			if k.categorical {
				out[p][i] = drawChoice(k.catWeights[j], x)
				continue
			}
			z := truncNormPPF(x, k.a[j], k.b[j])
			out[p][i] = k.fromEstimator(z*k.sigmas[j] + k.mus[j])
		}
	}
	return out
}

// chooseKernels draws the kernel of each of size points as numpy's
// choice(p=weights) does: one uniform each, searchsorted on the
// normalized cumulative weights.
func (pe *parzen) chooseKernels(u func() float64, size int) []int {
	cdf := make([]float64, len(pe.weights))
	acc := 0.0
	for i, w := range pe.weights {
		acc += w
		cdf[i] = acc
	}
	for i := range cdf {
		cdf[i] /= acc
	}
	active := make([]int, size)
	for i := range active {
		x := u()
		j := 0
		for j < len(cdf)-1 && cdf[j] <= x {
			j++
		}
		active[i] = j
	}
	return active
}

// drawChoice returns the choice whose cumulative probability first
// reaches x: the number of choices whose cumulative sum is below x.
func drawChoice(probs []float64, x float64) float64 {
	c, acc := 0, 0.0
	for _, pc := range probs {
		acc += pc
		if acc < x {
			c++
		}
	}
	// Rounding can leave the cumulative sum a hair below x < 1.
	return float64(min(c, len(probs)-1))
}

// logPDF returns the mixture's log density at each point of xs (xs[p][i],
// internal values; _parzenEstimator.log_pdf): log Σₖ wₖ Πₚ kₖₚ(xₚ), where
// a continuous kernel is the truncated normal's density in the estimator's
// space and a gridded one its mass over [x−q/2, x+q/2] ∩ [low, high].
func (pe *parzen) logPDF(xs [][]float64) []float64 {
	size := len(xs[0])
	out := make([]float64, size)
	if len(pe.kernels) == 1 && pe.kernels[0].categorical {
		// Optuna's shortcut for a lone categorical: log Σₖ wₖ·pₖ(x).
		k := &pe.kernels[0]
		for i := range out {
			c, s := int(xs[0][i]), 0.0
			for j, w := range pe.weights {
				s += k.catWeights[j][c] * w
			}
			out[i] = math.Log(s)
		}
		return out
	}
	logW := make([]float64, len(pe.weights))
	for j, w := range pe.weights {
		logW[j] = math.Log(w)
	}
	comp := make([]float64, len(pe.weights))
	// A gridded kernel's masses depend on x alone, and candidates repeat
	// grid points: compute each point's row once.
	masses := make([]map[float64][]float64, len(pe.kernels))
	for p := range pe.kernels {
		if k := &pe.kernels[p]; !k.categorical && k.q > 0 {
			masses[p] = map[float64][]float64{}
		}
	}
	for i := range out {
		clear(comp) // summed over parameters first, then weighted, as Optuna does
		for p := range pe.kernels {
			k := &pe.kernels[p]
			x := xs[p][i]
			switch {
			case k.categorical:
				for j := range comp {
					comp[j] += math.Log(k.catWeights[j][int(x)])
				}
			case k.q == 0:
				x = k.toEstimator(x)
				for j := range comp {
					comp[j] += truncNormLogPDF(x, k.a[j], k.b[j], k.mus[j], k.sigmas[j], k.logMass[j], k.logSigma[j], pe.normalized)
				}
			default:
				row, ok := masses[p][x]
				if !ok {
					row = make([]float64, len(comp))
					hi, lo := min(x+k.q/2.0, k.high), max(x-k.q/2.0, k.low)
					for j := range row {
						row[j] = logGaussMass((lo-k.mus[j])/k.sigmas[j], (hi-k.mus[j])/k.sigmas[j]) - k.logMass[j]
					}
					masses[p][x] = row
				}
				for j, r := range row {
					comp[j] += r
				}
			}
		}
		m := math.Inf(-1)
		for j, lw := range logW {
			comp[j] += lw
		}
		for _, c := range comp {
			if c > m || math.IsNaN(c) {
				m = c
			}
		}
		s := 0.0
		for _, c := range comp {
			s += math.Exp(c - m)
		}
		out[i] = math.Log(s) + m
	}
	return out
}
