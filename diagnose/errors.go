package diagnose

import (
	"errors"
	"fmt"
)

// Errors returned by this package; match them with errors.Is.
var (
	// ErrConfig: an invalid setting (Options, PreflightOptions, a
	// Watchdog's Divergence) or a misuse such as a nil model.
	ErrConfig = errors.New("diagnose: invalid configuration")
	// ErrDiverged: the Watchdog stopped a diverging run. The error is a
	// *DivergedError naming the step and the layer with the largest
	// gradient norm.
	ErrDiverged = errors.New("diagnose: training diverged")
)

// DivergedError is what Watchdog returns when it stops a run. Fit returns
// it wrapped (errors.As finds it); Explain turns it back into its Diagnosis.
type DivergedError struct {
	// Step counts optimizer steps since training began, this one included;
	// Epoch and Batch (1-based) locate it in the run.
	Step, Epoch, Batch int
	// ByLoss and ByNorm say which rule of Divergence fired: the loss rule,
	// the norm rule, or both at the same step.
	ByLoss, ByNorm bool
	// Diagnosis is the Exploding finding, its numbers in Measures.
	Diagnosis Diagnosis
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("%v at step %d (epoch %d, batch %d): %s; fix: %s",
		ErrDiverged, e.Step, e.Epoch, e.Batch, e.Diagnosis.Evidence, e.Diagnosis.Fix)
}

// Unwrap returns ErrDiverged.
func (e *DivergedError) Unwrap() error { return ErrDiverged }
