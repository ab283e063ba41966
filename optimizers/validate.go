package optimizers

import (
	"fmt"
	"math"
)

// errNilSolver is the error of Step, StepSnapshot and SetState called on a
// nil solver of the named type.
func errNilSolver(typ string) error {
	return fmt.Errorf("%w: nil *%s, want one made by its Optimizer's Solver method", ErrConfig, typ)
}

// checkLR accepts a finite rate > 0 (torch accepts 0; a rate of 0 here is
// always a mistake, such as an unset schedule).
func checkLR(lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("%w: lr = %v, want a finite value > 0", ErrConfig, lr)
	}
	return nil
}

// nonNegative accepts a finite v ≥ 0.
func nonNegative(opt, field string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s %s = %v, want a finite value ≥ 0", ErrConfig, opt, field, v)
	}
	return nil
}

// positive accepts a finite v > 0.
func positive(opt, field string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s %s = %v, want a finite value > 0", ErrConfig, opt, field, v)
	}
	return nil
}

// unitOpen accepts v in [0, 1).
func unitOpen(opt, field string, v float64) error {
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("%w: %s %s = %v, want a value in [0, 1)", ErrConfig, opt, field, v)
	}
	return nil
}

// unitClosed accepts v in [0, 1].
func unitClosed(opt, field string, v float64) error {
	if !(v >= 0 && v <= 1) {
		return fmt.Errorf("%w: %s %s = %v, want a value in [0, 1]", ErrConfig, opt, field, v)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
