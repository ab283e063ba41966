package critic

import (
	"math"
	"math/rand/v2"

	"github.com/gradtune/gradtune/tuner"
)

// The crafted studies: each objective's right answer is known.

// aboveRange: lr's best value, 0.5, lies above its range's upper bound
// 0.1 (log scale); x's best is inside.
func aboveRange(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	lr := tr.Float("lr", 1e-4, 1e-1, tuner.Log())
	x := tr.Float("x", 0, 1)
	return sq(math.Log10(lr/0.5)) + 2*sq(x-0.5) + 0.1*rng.NormFloat64(), nil
}

// belowRange: the less dropout the better, down to 0, below its range's
// lower bound 0.1; units' best, 20, is inside.
func belowRange(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	dropout := tr.Float("dropout", 0.1, 0.5)
	units := tr.Int("units", 4, 64)
	return 3*dropout + sq(float64(units-20)/80) + 0.05*rng.NormFloat64(), nil
}

// linearLR: lr's best value, 1e-3, sits in the lowest decade of a linear
// range [1e-4, 0.1], which a linear scale draws 0.9% of the time.
func linearLR(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	lr := tr.Float("lr", 1e-4, 1e-1)
	x := tr.Float("x", 0, 1)
	return sq(math.Log10(lr/1e-3)) + 2*sq(x-0.5) + 0.1*rng.NormFloat64(), nil
}

// oneIrrelevant: x and y matter, z and the choice c do not.
func oneIrrelevant(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	x := tr.Float("x", 0, 1)
	y := tr.Float("y", 0, 1)
	_ = tr.Float("z", 0, 1)
	_ = tr.String("c", "a", "b", "c")
	return 4*sq(x-0.3) + sq(y-0.7) + 0.02*rng.NormFloat64(), nil
}

// badSigmoid: "sigmoid" costs 0.3 more than the other activations.
func badSigmoid(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	x := tr.Float("x", 0, 1)
	a := tr.String("activation", "relu", "tanh", "sigmoid")
	v := sq(x-0.5) + 0.05*rng.NormFloat64()
	if a == "sigmoid" {
		v += 0.3
	}
	return v, nil
}

// diverging: 90% of the trials with lr > 0.05 diverge and are pruned by
// diagnosis; lr itself does not change the value of the others.
func diverging(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	lr := tr.Float("lr", 0, 0.2)
	x := tr.Float("x", 0, 1)
	if lr > 0.05 && rng.Float64() < 0.9 {
		if err := tr.SetAttr(AttrDiagnosis, "diverging"); err != nil {
			return 0, err
		}
		return 0, tuner.ErrPruned
	}
	return sq(x-0.5) + 0.05*rng.NormFloat64(), nil
}

// twoEnds: lr below 1e-4 stays at chance, above 1 diverges (both pruned
// by diagnosis; a sixth of the log range each).
func twoEnds(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	lr := tr.Float("lr", 1e-5, 10, tuner.Log())
	x := tr.Float("x", 0, 1)
	cause := ""
	switch {
	case lr < 1e-4:
		cause = "stuck_at_chance"
	case lr > 1:
		cause = "diverging"
	}
	if cause != "" {
		if err := tr.SetAttr(AttrDiagnosis, cause); err != nil {
			return 0, err
		}
		return 0, tuner.ErrPruned
	}
	return sq(x-0.5) + 0.05*rng.NormFloat64(), nil
}

// nanChoice: "sigmoid" returns NaN.
func nanChoice(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	a := tr.String("activation", "relu", "tanh", "sigmoid")
	x := tr.Float("x", 0, 1)
	if a == "sigmoid" {
		return math.NaN(), nil
	}
	return sq(x-0.5) + 0.05*rng.NormFloat64(), nil
}

// noise: nothing matters; a fifth of the trials are pruned by diagnosis
// and a tenth fail, at random.
func noise(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	tr.Float("lr", 1e-4, 1e-1)
	tr.Float("x", 0, 1)
	tr.Float("w", 1e-3, 1, tuner.Log())
	tr.Int("n", 1, 5)
	tr.String("a", "p", "q", "r")
	switch u := rng.Float64(); {
	case u < 0.2:
		if err := tr.SetAttr(AttrDiagnosis, "diverging"); err != nil {
			return 0, err
		}
		return 0, tuner.ErrPruned
	case u < 0.3:
		return math.NaN(), nil
	}
	return rng.NormFloat64(), nil
}

// oneMatters: only x matters, to the value and to the failures (x > 0.8
// diverges); z, lr, w and c do not. TPE soon concentrates x, and with it
// the study's good trials, late in the study.
func oneMatters(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	x := tr.Float("x", 0, 1)
	tr.Float("z", 0, 1)
	tr.Float("lr", 1e-4, 1e-1)
	tr.Int("w", 1, 5)
	tr.String("c", "a", "b", "c")
	if x > 0.8 {
		if err := tr.SetAttr(AttrDiagnosis, "diverging"); err != nil {
			return 0, err
		}
		return 0, tuner.ErrPruned
	}
	return 4*sq(x-0.3) + 0.05*rng.NormFloat64(), nil
}

// maskedChoice: lr as in linearLR, and an initializer whose choice "bad"
// costs 1, but only at a good learning rate (lr < 0.01): where a linear
// scale puts 90% of the trials, the loss is too high for anything else to
// show, as a network trained at too high a rate learns nothing whatever
// its initialization.
func maskedChoice(tr *tuner.Trial, rng *rand.Rand) (float64, error) {
	lr := tr.Float("lr", 1e-4, 1e-1)
	init := tr.String("init", "a", "b", "bad")
	v := sq(math.Log10(lr/1e-3)) + 0.1*rng.NormFloat64()
	if init == "bad" && lr < 0.01 {
		v++
	}
	return v, nil
}
