package schedulers

import (
	"fmt"
	"math"
)

// Shared field checks. Each error wraps ErrConfig and names the field, the
// bad value and the allowed range. NaN fails every check.

func checkLR(lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("%w: lr = %v, want a finite value > 0", ErrConfig, lr)
	}
	return nil
}

func checkGamma(g float64) error {
	if !(g > 0 && g <= 1) {
		return fmt.Errorf("%w: Gamma = %v, want a value in (0, 1]", ErrConfig, g)
	}
	return nil
}

func checkPositive(field string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s = %v, want a finite value > 0", ErrConfig, field, v)
	}
	return nil
}

func checkNonNegative(field string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s = %v, want a finite value ≥ 0", ErrConfig, field, v)
	}
	return nil
}

// checkEtaMin checks a floor rate against the peak rate lr.
func checkEtaMin(etaMin, lr float64) error {
	if !(etaMin >= 0 && etaMin <= lr) {
		return fmt.Errorf("%w: EtaMin = %v, want a value in [0, lr = %v]", ErrConfig, etaMin, lr)
	}
	return nil
}
