package cmaes

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/gradtune/gradtune/internal/crmath"
)

// Constants of the cmaes library 0.9.1 (cmaes/_cma.py).
const (
	eigenFloor = 1e-8 // _EPS: the floor of C's eigenvalues, and of a norm in the negative weights
	meanMax    = 1e32 // _MEAN_MAX: tell refuses coordinates this large
	sigmaMax   = 1e32 // _SIGMA_MAX
)

// ErrCMA is wrapped by the optimizer's errors: arguments it cannot work
// with, or a state that is no longer finite.
var ErrCMA = errors.New("cmaes: CMA-ES optimizer")

// cma is one CMA-ES optimizer: a multivariate normal N(mean, σ²C) over ℝⁿ,
// sampled with ask and updated with tell, exactly as cmaes.CMA 0.9.1
// computes it (N. Hansen, "The CMA Evolution Strategy: A Tutorial",
// arXiv:1604.00772, 2016; the equation numbers below are the tutorial's).
// Only its eigendecomposition differs: gonum's Dsyev where numpy calls
// LAPACK's dsyevd, which agree to the last few bits.
type cma struct {
	n, popsize, mu int
	// Strategy parameters (the tutorial's Table 1).
	muEff, cc, c1, cmu, cSigma, dSigma, chiN float64
	weights                                  []float64 // eq. 53: positive for the best μ, negative after

	mean   []float64
	sigma  float64
	cov    []float64 // C, n×n row-major
	pSigma []float64 // the evolution path for σ
	pc     []float64 // the evolution path for C
	gen    int       // generations told

	lo, hi      []float64 // bounds; ask resamples, then clips, into them
	maxResample int

	// b and d hold C = B·diag(d)²·Bᵀ once decomposed (nil until then).
	b, d []float64

	// Termination (should_stop).
	tolX, tolXUp, tolFun, tolCond float64
	funhistTerm                   int
	funhist                       []float64 // best and worst value of the last funhistTerm generations
}

// cmaConstants are the strategy parameters of an n-dimensional CMA-ES
// with popsize samples per generation (cmaes.CMA.__init__).
type cmaConstants struct {
	popsize, mu                              int
	muEff, cc, c1, cmu, cSigma, dSigma, chiN float64
	weights                                  []float64
	funhistTerm                              int
}

// defaultPopsize is 4 + ⌊3 ln n⌋ (eq. 48).
func defaultPopsize(n int) int { return 4 + int(math.Floor(3*crmath.Log(float64(n)))) }

// constantsCache holds newConstants' results by (n, popsize argument): a
// study's every trial start rebuilds its optimizers, and the correctly
// rounded logarithms cost microseconds each.
var constantsCache sync.Map // [2]int → cmaConstants

// newConstants computes the strategy parameters; popsize 0 means the
// default. The error wraps ErrCMA for n < 2 or popsize < 4 (fewer than 4
// leave no rank-μ update: cmaes divides by zero). The result's weights are
// shared: read only.
func newConstants(n, popsize int) (cmaConstants, error) {
	key := [2]int{n, popsize}
	if k, ok := constantsCache.Load(key); ok {
		return k.(cmaConstants), nil
	}
	k, err := computeConstants(n, popsize)
	if err == nil {
		constantsCache.Store(key, k)
	}
	return k, err
}

func computeConstants(n, popsize int) (cmaConstants, error) {
	if n < 2 {
		return cmaConstants{}, fmt.Errorf("%w: %d dimensions, want ≥ 2", ErrCMA, n)
	}
	if popsize == 0 {
		popsize = defaultPopsize(n)
	}
	if popsize < 4 {
		return cmaConstants{}, fmt.Errorf("%w: population size %d, want ≥ 4", ErrCMA, popsize)
	}
	mu := popsize / 2
	nf := float64(n)
	// eq. 49
	wp := make([]float64, popsize)
	for i := range wp {
		wp[i] = crmath.Log(float64(popsize+1)/2) - crmath.Log(float64(i+1))
	}
	muEff := sumSq(wp[:mu])
	muEffMinus := sumSq(wp[mu:])
	const alphaCov = 2
	c1 := alphaCov / ((nf+1.3)*(nf+1.3) + muEff)
	cmu := min(1-c1-1e-8, // 1e-8 is for large popsize
		alphaCov*(muEff-2+1/muEff)/((nf+2)*(nf+2)+alphaCov*muEff/2))
	if c1 > 1-cmu || cmu > 1-c1 {
		return cmaConstants{}, fmt.Errorf("%w: learning rates c1 = %v, cmu = %v", ErrCMA, c1, cmu)
	}
	minAlpha := min(1+c1/cmu, // eq. 50
		1+(2*muEffMinus)/(muEff+2), // eq. 51
		(1-c1-cmu)/(nf*cmu))        // eq. 52
	// eq. 53
	var posSum, negSum float64
	for _, w := range wp {
		if w > 0 {
			posSum += w
		} else if w < 0 {
			negSum += math.Abs(w)
		}
	}
	weights := make([]float64, popsize)
	for i, w := range wp {
		if w >= 0 {
			weights[i] = 1 / posSum * w
		} else {
			weights[i] = minAlpha / negSum * w
		}
	}
	// eq. 55, 56
	cSigma := (muEff + 2) / (nf + muEff + 5)
	dSigma := 1 + 2*max(0, math.Sqrt((muEff-1)/(nf+1))-1) + cSigma
	cc := (4 + muEff/nf) / (nf + 4 + 2*muEff/nf)
	if cSigma >= 1 || cc > 1 {
		return cmaConstants{}, fmt.Errorf("%w: learning rates c_sigma = %v, cc = %v", ErrCMA, cSigma, cc)
	}
	return cmaConstants{
		popsize: popsize, mu: mu, muEff: muEff, cc: cc, c1: c1, cmu: cmu, cSigma: cSigma, dSigma: dSigma,
		// E‖N(0, I)‖ (p. 28)
		chiN:        math.Sqrt(nf) * (1.0 - (1.0 / (4.0 * nf)) + 1.0/(21.0*float64(n*n))),
		weights:     weights,
		funhistTerm: 10 + int(math.Ceil(30*nf/float64(popsize))),
	}, nil
}

// sumSq is (Σw)² / Σw², an effective number of samples.
func sumSq(w []float64) float64 {
	var s, s2 float64
	for _, x := range w {
		s += x
		s2 += x * x
	}
	return s * s / s2
}

// newCMA returns the optimizer at mean with step size sigma and C = I,
// within [lo, hi] (nil: unbounded), sampling popsize points per generation
// (0: the default) and resampling an infeasible one up to maxResample
// times. The error wraps ErrCMA when sigma ≤ 0, a coordinate of mean is
// not finite or outside the bounds, or newConstants refuses n or popsize.
func newCMA(mean []float64, sigma float64, lo, hi []float64, popsize, maxResample int) (*cma, error) {
	n := len(mean)
	k, err := newConstants(n, popsize)
	if err != nil {
		return nil, err
	}
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("%w: sigma %v, want > 0 and finite", ErrCMA, sigma)
	}
	if lo != nil && (len(lo) != n || len(hi) != n) {
		return nil, fmt.Errorf("%w: %d lower and %d upper bounds for %d dimensions", ErrCMA, len(lo), len(hi), n)
	}
	for i, m := range mean {
		if !(math.Abs(m) < meanMax) || lo != nil && !(lo[i] <= m && m <= hi[i]) {
			return nil, fmt.Errorf("%w: mean[%d] = %v, want finite and within its bounds", ErrCMA, i, m)
		}
	}
	c := &cma{
		n: n, popsize: k.popsize, mu: k.mu,
		muEff: k.muEff, cc: k.cc, c1: k.c1, cmu: k.cmu, cSigma: k.cSigma, dSigma: k.dSigma, chiN: k.chiN,
		weights: k.weights,
		mean:    slices.Clone(mean), sigma: sigma,
		cov:    make([]float64, n*n),
		pSigma: make([]float64, n), pc: make([]float64, n),
		lo: lo, hi: hi, maxResample: maxResample,
		tolX: 1e-12 * sigma, tolXUp: 1e4, tolFun: 1e-12, tolCond: 1e14,
		funhistTerm: k.funhistTerm,
		funhist:     make([]float64, 2*k.funhistTerm),
	}
	for i := range n {
		c.cov[i*n+i] = 1
	}
	return c, nil
}

// eigen decomposes C (once per generation): it symmetrizes C, floors
// negative eigenvalues at eigenFloor and rebuilds C from the decomposition,
// as cmaes' _eigen_decomposition does. The error wraps ErrCMA when the
// decomposition fails (C not finite).
func (c *cma) eigen() error {
	if c.b != nil {
		return nil
	}
	n := c.n
	sym := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			v := (c.cov[i*n+j] + c.cov[j*n+i]) / 2
			c.cov[i*n+j], c.cov[j*n+i] = v, v
			sym.SetSym(i, j, v)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, true) {
		return fmt.Errorf("%w: the covariance matrix has no eigendecomposition (not finite?)", ErrCMA)
	}
	d := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	b := make([]float64, n*n)
	for i := range n {
		for j := range n {
			b[i*n+j] = vecs.At(i, j)
		}
	}
	for k, v := range d {
		if v < 0 {
			v = eigenFloor
		}
		d[k] = math.Sqrt(v)
	}
	// C = B·diag(D²)·Bᵀ
	for i := range n {
		for j := range n {
			var s float64
			for k := range n {
				s += b[i*n+k] * (d[k] * d[k]) * b[j*n+k]
			}
			c.cov[i*n+j] = s
		}
	}
	c.b, c.d = b, d
	return nil
}

// ask draws one point of N(mean, σ²C) from r's normals, within the bounds:
// up to maxResample draws outside them are discarded, then one more is
// clipped into them (cmaes' ask and _repair_infeasible_params).
func (c *cma) ask(r *rand.Rand) ([]float64, error) {
	if err := c.eigen(); err != nil {
		return nil, err
	}
	x := make([]float64, c.n)
	for range c.maxResample {
		c.sample(r, x)
		if c.feasible(x) {
			return x, nil
		}
	}
	c.sample(r, x)
	if c.lo != nil {
		for i := range x {
			x[i] = min(max(x[i], c.lo[i]), c.hi[i])
		}
	}
	return x, nil
}

// sample writes mean + σ·B·diag(D)·z to x, z ~ N(0, I).
func (c *cma) sample(r *rand.Rand, x []float64) {
	n := c.n
	z := make([]float64, n)
	for i := range z {
		z[i] = r.NormFloat64()
	}
	for i := range n {
		var y float64
		for k := range n {
			y += c.b[i*n+k] * c.d[k] * z[k]
		}
		x[i] = c.mean[i] + c.sigma*y
	}
}

func (c *cma) feasible(x []float64) bool {
	if c.lo == nil {
		return true
	}
	for i, v := range x {
		if !(v >= c.lo[i] && v <= c.hi[i]) {
			return false
		}
	}
	return true
}

// solution is one evaluated point; lower values are better.
type solution struct {
	x     []float64
	value float64
}

// tell updates the distribution from one generation of popsize solutions
// (cmaes' tell: eq. 41–47 of the tutorial). It sorts sols by value, stably.
// The error wraps ErrCMA for a wrong count, a coordinate beyond 1e32 in
// absolute value or of the wrong dimension, or a failed decomposition.
func (c *cma) tell(sols []solution) error {
	if len(sols) != c.popsize {
		return fmt.Errorf("%w: told %d solutions, want the population size %d", ErrCMA, len(sols), c.popsize)
	}
	for _, s := range sols {
		if len(s.x) != c.n {
			return fmt.Errorf("%w: a solution of %d coordinates, want %d", ErrCMA, len(s.x), c.n)
		}
		for _, v := range s.x {
			if !(math.Abs(v) < meanMax) {
				return fmt.Errorf("%w: a solution's coordinate %v, want less than %g in absolute value", ErrCMA, v, meanMax)
			}
		}
	}
	if err := c.eigen(); err != nil {
		return err
	}
	b, d := c.b, c.d
	c.b, c.d = nil, nil
	n := c.n
	c.gen++
	sols = slices.Clone(sols)
	slices.SortStableFunc(sols, func(a, b solution) int { return cmpValue(a.value, b.value) })
	i := 2 * (c.gen % c.funhistTerm)
	c.funhist[i], c.funhist[i+1] = sols[0].value, sols[len(sols)-1].value

	// y_k = (x_k − m) / σ ~ N(0, C)
	y := make([][]float64, len(sols))
	for k, s := range sols {
		y[k] = make([]float64, n)
		for i := range n {
			y[k][i] = (s.x[i] - c.mean[i]) / c.sigma
		}
	}
	// Selection and recombination, eq. 41
	yw := make([]float64, n)
	for i := range n {
		for k := range c.mu {
			yw[i] += y[k][i] * c.weights[k]
		}
	}
	for i := range n {
		c.mean[i] += 1 * c.sigma * yw[i] // c_m = 1 (eq. 54)
	}

	// Step-size control, eq. 43–44, with C^(−1/2) = B·D⁻¹·Bᵀ
	invSqrt := make([]float64, n*n)
	for i := range n {
		for j := range n {
			var s float64
			for k := range n {
				s += b[i*n+k] * (1 / d[k]) * b[j*n+k]
			}
			invSqrt[i*n+j] = s
		}
	}
	cs := math.Sqrt(c.cSigma * (2 - c.cSigma) * c.muEff)
	zw := matVec(invSqrt, yw)
	for i := range n {
		c.pSigma[i] = (1-c.cSigma)*c.pSigma[i] + cs*zw[i]
	}
	normPSigma := norm(c.pSigma)
	c.sigma *= math.Exp((c.cSigma / c.dSigma) * (normPSigma/c.chiN - 1)) // numpy's exp: its own or libm's, not always correctly rounded either
	c.sigma = min(c.sigma, sigmaMax)

	// Covariance matrix adaptation, with the stall of p_c (p. 28)
	left := normPSigma / math.Sqrt(1-math.Pow(1-c.cSigma, float64(2*(c.gen+1))))
	right := (1.4 + 2/float64(n+1)) * c.chiN
	hSigma := 0.0
	if left < right {
		hSigma = 1
	}
	// eq. 45
	ccs := math.Sqrt(c.cc * (2 - c.cc) * c.muEff)
	for i := range n {
		c.pc[i] = (1-c.cc)*c.pc[i] + hSigma*ccs*yw[i]
	}
	// eq. 46: negative weights are scaled by n / ‖C^(−1/2)·y_k‖²
	wio := make([]float64, len(sols))
	for k, w := range c.weights {
		if w >= 0 {
			wio[k] = w * 1
		} else {
			z := norm(matVec(invSqrt, y[k]))
			wio[k] = w * (float64(n) / (z*z + eigenFloor))
		}
	}
	deltaHSigma := (1 - hSigma) * c.cc * (2 - c.cc)
	var sumW float64
	for _, w := range c.weights {
		sumW += w
	}
	// eq. 47
	a := 1 + c.c1*deltaHSigma - c.c1 - c.cmu*sumW
	for i := range n {
		for j := range n {
			var rankMu float64
			for k := range y {
				rankMu += wio[k] * (y[k][i] * y[k][j])
			}
			c.cov[i*n+j] = a*c.cov[i*n+j] + c.c1*(c.pc[i]*c.pc[j]) + c.cmu*rankMu
		}
	}
	return c.check()
}

// check reports a state that is no longer finite (ErrCMA): values
// overflowed, for instance.
func (c *cma) check() error {
	if !(c.sigma > 0) || math.IsInf(c.sigma, 0) {
		return fmt.Errorf("%w: sigma became %v after generation %d", ErrCMA, c.sigma, c.gen)
	}
	for _, v := range c.mean {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: the mean became %v after generation %d", ErrCMA, c.mean, c.gen)
		}
	}
	for _, v := range c.cov {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: the covariance matrix is not finite after generation %d", ErrCMA, c.gen)
		}
	}
	return nil
}

// cmpValue orders values as Python's sort does floats: ascending, with
// −Inf and +Inf at the ends. (Values are never NaN: such trials fail.)
func cmpValue(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// shouldStop reports whether the optimizer has converged or stalled
// (cmaes' should_stop; IPOP then restarts): the values of the recent
// generations lie within tolFun, the distribution is narrower than tolX,
// it diverges past tolXUp, a step of 0.2σ along a coordinate or 0.1σ along
// an axis of C no longer moves the mean, or C's condition number passes
// tolCond.
func (c *cma) shouldStop() (bool, error) {
	if err := c.eigen(); err != nil {
		return false, err
	}
	n := c.n
	dC := make([]float64, n)
	for i := range n {
		dC[i] = c.cov[i*n+i]
	}
	if c.gen > c.funhistTerm && slices.Max(c.funhist)-slices.Min(c.funhist) < c.tolFun {
		return true, nil
	}
	narrow := true
	for i := range n {
		narrow = narrow && c.sigma*dC[i] < c.tolX && c.sigma*c.pc[i] < c.tolX
	}
	if narrow {
		return true, nil
	}
	if c.sigma*slices.Max(c.d) > c.tolXUp {
		return true, nil
	}
	for i := range n {
		if c.mean[i] == c.mean[i]+(0.2*c.sigma*math.Sqrt(dC[i])) {
			return true, nil
		}
	}
	axis := c.gen % n
	still := true
	for i := range n {
		still = still && c.mean[i] == c.mean[i]+(0.1*c.sigma*c.d[axis]*c.b[i*n+axis])
	}
	if still {
		return true, nil
	}
	return slices.Max(c.d)/slices.Min(c.d) > c.tolCond, nil
}

func matVec(m, v []float64) []float64 {
	n := len(v)
	out := make([]float64, n)
	for i := range n {
		var s float64
		for k := range n {
			s += m[i*n+k] * v[k]
		}
		out[i] = s
	}
	return out
}

func norm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
