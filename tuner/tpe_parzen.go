package tuner

import (
	"fmt"
	"math"
)

// tpeParam is one parameter of a Parzen estimator's search space.
type tpeParam struct {
	name string
	d    Distribution
}

// tpeParzenConfig holds the estimator's settings (Optuna's
// _ParzenEstimatorParameters, plus the density fix).
type tpeParzenConfig struct {
	considerPrior     bool
	priorWeight       float64
	magicClip         bool
	considerEndpoints bool
	weights           func(n int) []float64
	multivariate      bool
	normalized        bool // include −log σ in continuous kernels (optuna#5110)
}

// tpeKernels is the per-parameter part of a Parzen estimator: one kernel per
// observation (plus the prior), in the estimator's space (log space for Log
// distributions).
type tpeKernels struct {
	d           Distribution
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

// tpeParzen is Optuna 3.1's _ParzenEstimator: a mixture of products of
// per-parameter kernels (truncated normals for numbers, smoothed one-hot
// distributions for categories) with mixture weights.
type tpeParzen struct {
	weights    []float64
	kernels    []tpeKernels
	normalized bool
}

// tpeKernelBounds returns the support of the kernels of d and its grid step
// (_calculate_parzen_bounds): a stepped or integer range widens by half a
// step on each side, a log range is taken in log space.
func tpeKernelBounds(d Distribution) tpeKernels {
	switch d := d.(type) {
	case FloatDist:
		k := tpeKernels{d: d, valLow: d.Low, valHigh: d.High}
		switch {
		case d.Log:
			k.log, k.low, k.high = true, math.Log(d.Low), math.Log(d.High)
		case d.Step > 0:
			if !d.Contains(d.High) { // Optuna moves High down onto the grid
				k.valHigh = d.Low + math.Floor((d.High-d.Low)/d.Step+1e-9)*d.Step
			}
			k.q, k.low, k.high = d.Step, d.Low-0.5*d.Step, k.valHigh+0.5*d.Step
		default:
			k.low, k.high = d.Low, d.High
		}
		return k
	case IntDist:
		step := d.IntStep()
		k := tpeKernels{d: d, valLow: float64(d.Low), valHigh: float64(d.Low + (d.High-d.Low)/step*step)}
		if d.Log {
			k.log, k.low, k.high = true, math.Log(float64(d.Low)-0.5), math.Log(float64(d.High)+0.5)
		} else {
			q := float64(step)
			k.q, k.low, k.high = q, k.valLow-0.5*q, k.valHigh+0.5*q
		}
		return k
	case CategoricalDist:
		return tpeKernels{d: d, categorical: true}
	}
	return tpeKernels{d: d}
}

// toEstimator maps an internal value into the estimator's space.
func (k *tpeKernels) toEstimator(x float64) float64 {
	if k.log {
		return math.Log(x)
	}
	return x
}

// fromEstimator maps a draw back to an internal value of d: exp for Log,
// rounding half to even onto the grid (numpy's round) for steps and ints,
// then clipping into the range (_transform_from_uniform; Optuna does not clip
// continuous floats, we do so that a draw one ulp past High stays valid).
func (k *tpeKernels) fromEstimator(x float64) float64 {
	if k.categorical {
		return x
	}
	switch {
	case k.log:
		x = math.Exp(x)
		if _, isInt := k.d.(IntDist); isInt {
			x = math.RoundToEven(x)
		}
	case k.q > 0:
		x = math.RoundToEven((x-k.valLow)/k.q)*k.q + k.valLow
	}
	return min(max(x, k.valLow), k.valHigh)
}

// newTPEParzen fits the estimator to obs (obs[p][i]: parameter p of
// observation i, internal values), following _ParzenEstimator.__init__.
func newTPEParzen(space []tpeParam, obs [][]float64, cfg tpeParzenConfig) (*tpeParzen, error) {
	n := 0
	if len(obs) > 0 {
		n = len(obs[0])
	}
	prior := cfg.considerPrior || n == 0 // with nothing observed, the prior alone
	w, err := tpeMixtureWeights(n, prior, cfg)
	if err != nil {
		return nil, err
	}
	pe := &tpeParzen{weights: w, normalized: cfg.normalized}
	var sigma0 float64
	if cfg.multivariate {
		// Scott's rule, as in BOHB (Falkner et al. 2018), scaled by 0.2.
		sigma0 = 0.2 * math.Pow(float64(max(n, 1)), -1.0/float64(len(space)+4))
	}
	for p, sp := range space {
		k := tpeKernelBounds(sp.d)
		if k.categorical {
			k.catWeights = tpeCategoricalWeights(obs[p], len(sp.d.(CategoricalDist).Choices), prior, cfg.priorWeight)
		} else {
			xs := make([]float64, n)
			for i, x := range obs[p] {
				xs[i] = k.toEstimator(x)
			}
			k.mus, k.sigmas = tpeNumericalKernels(xs, k.low, k.high, prior, sigma0, cfg)
			m := len(k.mus)
			k.a, k.b, k.logMass, k.logSigma = make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)
			for j := range k.mus {
				k.a[j] = (k.low - k.mus[j]) / k.sigmas[j]
				k.b[j] = (k.high - k.mus[j]) / k.sigmas[j]
				k.logMass[j] = tpeLogGaussMass(k.a[j], k.b[j])
				k.logSigma[j] = math.Log(k.sigmas[j])
			}
		}
		pe.kernels = append(pe.kernels, k)
	}
	return pe, nil
}

// tpeMixtureWeights returns the normalized mixture weights: cfg.weights(n)
// for the observations, then the prior's weight (_calculate_weights).
func tpeMixtureWeights(n int, prior bool, cfg tpeParzenConfig) ([]float64, error) {
	w := cfg.weights(n)
	if len(w) < n {
		return nil, fmt.Errorf("%w: TPESampler.Weights(%d) returned %d values, want %d", ErrConfig, n, len(w), n)
	}
	w = w[:n]
	sum := 0.0
	for i, x := range w {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: TPESampler.Weights(%d)[%d] = %v, want finite ≥ 0", ErrConfig, n, i, x)
		}
		sum += x
	}
	if n > 0 && sum <= 0 {
		return nil, fmt.Errorf("%w: TPESampler.Weights(%d) sums to %v, want > 0", ErrConfig, n, sum)
	}
	out := append(make([]float64, 0, n+1), w...)
	if prior {
		out = append(out, cfg.priorWeight)
		sum += cfg.priorWeight
	}
	for i := range out {
		out[i] /= sum
	}
	return out, nil
}

// tpeCategoricalWeights gives each observation a distribution over the
// choices: priorWeight/(n+1) on every choice (priorWeight/n without the
// prior), plus 1 on the observed one, normalized; the prior's row is
// uniform (_calculate_categorical_params).
func tpeCategoricalWeights(obs []float64, choices int, prior bool, priorWeight float64) [][]float64 {
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

// tpeNumericalKernels returns the kernels' centres and bandwidths
// (_calculate_numerical_params). Centres are the observations, plus the
// prior's (low+high)/2 with bandwidth high−low. Univariate bandwidths are
// the larger distance to a neighbour among the sorted centres and the
// bounds (without ConsiderEndpoints the outermost take their inner
// neighbour's distance); multivariate ones are sigma0·(high−low). Magic clip
// bounds them below by (high−low)/min(100, 1+kernels).
func tpeNumericalKernels(xs []float64, low, high float64, prior bool, sigma0 float64, cfg tpeParzenConfig) (mus, sigmas []float64) {
	n := len(xs)
	mus = append(make([]float64, 0, n+1), xs...)
	if prior {
		mus = append(mus, 0.5*(low+high))
	}
	sigmas = make([]float64, len(mus))
	if cfg.multivariate {
		for i := range sigmas {
			sigmas[i] = sigma0 * (high - low)
		}
	} else {
		order := tpeArgsort(mus)
		s := make([]float64, len(mus)+2) // sorted centres between the bounds
		s[0], s[len(s)-1] = low, high
		for i, j := range order {
			s[i+1] = mus[j]
		}
		sorted := make([]float64, len(mus))
		for i := range sorted {
			sorted[i] = max(s[i+1]-s[i], s[i+2]-s[i+1])
		}
		if !cfg.considerEndpoints && len(s) >= 4 {
			sorted[0] = s[2] - s[1]
			sorted[len(sorted)-1] = s[len(s)-2] - s[len(s)-3]
		}
		for i, j := range order {
			sigmas[j] = sorted[i]
		}
	}
	maxSigma, minSigma := high-low, 1e-12
	if cfg.magicClip {
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

// sample draws size points from the mixture (_ParzenEstimator.sample),
// consuming uniforms from u in numpy's order: one per point for the
// kernel, then, parameter by parameter, one per point for its value. It
// returns out[p][i], internal values.
func (pe *tpeParzen) sample(u func() float64, size int) [][]float64 {
	// The kernel: numpy's choice(p=weights), searchsorted on the
	// normalized cumulative weights.
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
	out := make([][]float64, len(pe.kernels))
	for p := range pe.kernels {
		k := &pe.kernels[p]
		out[p] = make([]float64, size)
		for i, j := range active {
			x := u()
			if k.categorical {
				c, acc := 0, 0.0
				for _, pc := range k.catWeights[j] {
					acc += pc
					if acc < x {
						c++
					}
				}
				// Rounding can leave the cumulative sum a hair below x < 1.
				out[p][i] = float64(min(c, len(k.catWeights[j])-1))
				continue
			}
			z := tpeTruncNormPPF(x, k.a[j], k.b[j])
			out[p][i] = k.fromEstimator(z*k.sigmas[j] + k.mus[j])
		}
	}
	return out
}

// logPDF returns the mixture's log density at each point of xs (xs[p][i],
// internal values; _ParzenEstimator.log_pdf): log Σₖ wₖ Πₚ kₖₚ(xₚ), where
// a continuous kernel is the truncated normal's density in the estimator's
// space and a gridded one its mass over [x−q/2, x+q/2] ∩ [low, high].
func (pe *tpeParzen) logPDF(xs [][]float64) []float64 {
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
					comp[j] += tpeTruncNormLogPDF(x, k.a[j], k.b[j], k.mus[j], k.sigmas[j], k.logMass[j], k.logSigma[j], pe.normalized)
				}
			default:
				row, ok := masses[p][x]
				if !ok {
					row = make([]float64, len(comp))
					hi, lo := min(x+k.q/2.0, k.high), max(x-k.q/2.0, k.low)
					for j := range row {
						row[j] = tpeLogGaussMass((lo-k.mus[j])/k.sigmas[j], (hi-k.mus[j])/k.sigmas[j]) - k.logMass[j]
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
