// Package diagnose says why training failed and what to change: it reads a
// run's History (epochs and step monitors) and the model, and returns
// Diagnoses, each with its evidence, its likely cause and a concrete fix.
//
// Before training, Preflight checks the data (leakage, feature scales) and
// the model (initial loss against ln C, a gradient for every parameter,
// overfitting one batch). During training, a *Watchdog callback stops a
// diverging run within a few steps (ErrDiverged), and an Online applies
// the dead-unit and stuck-at-chance rules as the run goes
// (tuner/tunertrainer.PruneOnDiagnosis prunes a trial with both).
// Afterwards, Analyze reads the History, and Explain turns Fit's error
// (ErrDiverged, trainer.ErrNonFinite) into a diagnosis. Report writes them
// as text:
//
//	ds, err := diagnose.Preflight(ctx, m, cfg, train, val, diagnose.PreflightOptions{})
//	// … check err, read ds …
//	cfg.Callbacks = append(cfg.Callbacks, &diagnose.Watchdog{})
//	tr, err := trainer.New(m, cfg)
//	// … check err …
//	h, err := tr.Fit(ctx, train, val)
//	ds = append(diagnose.Explain(err, h), diagnose.Analyze(h, diagnose.Options{Classes: 10})...)
//	diagnose.Report(os.Stderr, ds)
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
	// PreflightFailed: a check before training failed (the model cannot
	// overfit one batch). Named so because func Preflight runs the checks.
	PreflightFailed Kind = "preflight"
	BadInit         Kind = "bad_initialization" // initial loss far above chance (ln C)
	NoGradient      Kind = "no_gradient"        // learnables whose gradient is exactly 0
	BadOptions      Kind = "invalid_options"    // Analyze was given invalid Options
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
	// Measures holds the numbers quoted in Evidence (and Where), by name —
	// e.g. "epoch", "ratio", "grad_norm" — unrounded, for programs and tests.
	Measures map[string]float64
}

// String formats d on one line per field, as in the text report.
func (d Diagnosis) String() string {
	return fmt.Sprintf("[%s] %s at %s\n  evidence: %s\n  cause:    %s\n  fix:      %s", d.Severity, d.Kind, d.Where, d.Evidence, d.Cause, d.Fix)
}
