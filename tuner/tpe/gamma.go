package tpe

import "math"

// MaxObservations bounds the observations TPE weighs: a study holds at
// most tuner.MaxTrials trials, 2^31 − 1 (trial numbers are 32-bit in
// Optuna's schema).
const MaxObservations = math.MaxInt32

// DefaultGamma is Optuna's default_gamma, the size of TPE's "good" group
// among n finished trials: min(⌈0.1·n⌉, 25).
func DefaultGamma(n int) int {
	return min(int(math.Ceil(0.1*float64(n))), 25)
}

// HyperoptGamma is Optuna's hyperopt_default_gamma, hyperopt 0.1.2's
// rule: min(⌈0.25·√n⌉, 25).
func HyperoptGamma(n int) int {
	return min(int(math.Ceil(0.25*math.Sqrt(float64(n)))), 25)
}

// DefaultWeights is Optuna's default_weights, the weights of n
// observations, oldest first (Bergstra et al. 2013, "Making a Science of
// Model Search"): all 1 below 25; from 25 on, the 25 newest weigh 1 and the
// n−25 older ones ramp linearly from 1/n up to 1 (numpy's linspace). It
// is empty for n < 0, and nil for n > MaxObservations (which Acquire then
// refuses with ErrOptions).
func DefaultWeights(n int) []float64 {
	if n > MaxObservations {
		return nil
	}
	w := make([]float64, max(n, 0))
	if n < 25 {
		for i := range w {
			w[i] = 1
		}
		return w
	}
	ramp := n - 25
	start := 1.0 / float64(n)
	step := (1.0 - start) / float64(ramp-1) // numpy: delta / (num − 1)
	for i := 0; i < ramp; i++ {
		w[i] = float64(i)*step + start
	}
	if ramp > 1 {
		w[ramp-1] = 1 // linspace sets its endpoint exactly
	} else if ramp == 1 {
		w[0] = start
	}
	for i := ramp; i < n; i++ {
		w[i] = 1
	}
	return w
}

// DefaultGammaMulti is Optuna 5's default_gamma_multiobjective, the size
// of the "good" group among n finished trials of a study of several
// objectives: ⌈0.1·n⌉, without DefaultGamma's cap of 25.
func DefaultGammaMulti(n int) int {
	return int(math.Ceil(0.1 * float64(n)))
}
