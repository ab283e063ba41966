// Package diagnose says why training failed and what to change: it reads a
// run's History (epochs and step monitors) and the model, and returns
// Diagnoses, each with its evidence, its likely cause and a concrete fix.
package diagnose

import "fmt"

// Kind names a training problem.
type Kind string

// The problems diagnose recognizes.
const (
	Exploding    Kind = "exploding_gradients" // non-finite or fast-growing loss or gradient norm
	Vanishing    Kind = "vanishing_gradients" // gradient norms falling by orders of magnitude toward the input
	DeadReLU     Kind = "dead_relu"           // units that never activate
	Overfitting  Kind = "overfitting"         // validation loss rising while training loss falls
	Underfitting Kind = "underfitting"        // loss stuck near chance (ln C) or flat
	BadLR        Kind = "bad_learning_rate"   // update/weight ratios far from ~1e-3
	Leakage      Kind = "data_leakage"        // rows shared by training and validation data
	Unscaled     Kind = "unscaled_features"   // features on very different scales
	Preflight    Kind = "preflight"           // a check before training failed
)

// Severity orders diagnoses.
type Severity int

const (
	Info Severity = iota
	Warning
	Error // training cannot succeed as configured
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Diagnosis is one finding.
type Diagnosis struct {
	Kind     Kind
	Severity Severity
	// Where names the epoch, step or layers concerned, e.g. "epoch 12" or
	// "layers dense0/W, dense1/W".
	Where string
	// Evidence states the measured facts, with numbers.
	Evidence string
	// Cause is the likely reason, Fix the concrete change to try.
	Cause, Fix string
}

// String formats d on one line per field, as in the text report.
func (d Diagnosis) String() string {
	return fmt.Sprintf("[%s] %s at %s\n  evidence: %s\n  cause:    %s\n  fix:      %s", d.Severity, d.Kind, d.Where, d.Evidence, d.Cause, d.Fix)
}
