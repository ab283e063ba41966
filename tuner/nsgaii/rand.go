package nsgaii

// Rand is the randomness NSGA-II draws: the three calls Optuna 3.1's
// NSGAIISampler makes on numpy's RandomState. *nprand.RandomState (numpy's
// own stream) and math/rand/v2's *rand.Rand both satisfy it.
type Rand interface {
	// Float64 is a uniform in [0, 1) (rand()).
	Float64() float64
	// IntN is a uniform integer in [0, n), n > 0 (choice(n)).
	IntN(n int) int
	// NormFloat64 is a standard normal (standard_normal()).
	NormFloat64() float64
}
