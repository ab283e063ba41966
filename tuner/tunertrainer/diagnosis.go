package tunertrainer

import (
	"context"
	"errors"
	"fmt"

	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
)

// DiagnosisCode names why PruneOnDiagnosis pruned a trial: the value of its
// attribute AttrDiagnosis. The values never change between versions, so
// that a study's trials can be grouped by cause (as tuner.FailKind's).
type DiagnosisCode string

const (
	// Diverging: the smoothed batch loss grew LossFactor× above its running
	// minimum and above the first loss (the Watchdog's loss rule,
	// diagnose.Divergence).
	Diverging DiagnosisCode = "diverging"
	// Exploding: the global gradient norm rose at each of NormSteps
	// monitored steps, NormFactor× in all, while the loss rose (the
	// Watchdog's norm rule, which wins when both rules fire at one step); or
	// a loss, gradient or weight became NaN or infinite (trainer.ErrNonFinite).
	Exploding DiagnosisCode = "exploding"
	// StuckAtChance: the training loss is at chance, ≥ (1 − ChanceMargin)·ln C,
	// and flat over the last FlatEpochs epochs (diagnose.Online.Epoch).
	StuckAtChance DiagnosisCode = "stuck_at_chance"
	// DeadUnits: a ReLU activation more than DeadFraction dead at each of
	// the last DeadSteps monitored steps (diagnose.Online.Step).
	DeadUnits DiagnosisCode = "dead_units"
)

// The trial attributes PruneOnDiagnosis records when it prunes.
const (
	AttrDiagnosis       = "diagnosis"        // a DiagnosisCode
	AttrDiagnosisReason = "diagnosis_reason" // the doctor's words, with numbers
)

// DiagnosisError is the error PruneOnDiagnosis stops Fit with. It wraps
// tuner.ErrPruned, so the objective that returns Fit's error ends its
// trial Pruned, and, for a divergence, the Watchdog's
// *diagnose.DivergedError (errors.Is(err, diagnose.ErrDiverged)). Fit
// returns it wrapped: errors.As finds it.
type DiagnosisError struct {
	Code DiagnosisCode
	// Step and Epoch locate the stop: optimizer steps completed, and the
	// 1-based epoch.
	Step, Epoch int
	// Diagnosis is the doctor's finding; its Where and Evidence make the
	// trial's AttrDiagnosisReason.
	Diagnosis diagnose.Diagnosis
	cause     error
}

func (e *DiagnosisError) Error() string {
	return fmt.Sprintf("%v by diagnosis: %s at step %d (epoch %d): %s; fix: %s",
		tuner.ErrPruned, e.Code, e.Step, e.Epoch, reason(e.Diagnosis), e.Diagnosis.Fix)
}

// Unwrap returns tuner.ErrPruned, and the Watchdog's error for a
// divergence.
func (e *DiagnosisError) Unwrap() []error {
	if e.cause == nil {
		return []error{tuner.ErrPruned}
	}
	return []error{tuner.ErrPruned, e.cause}
}

func reason(d diagnose.Diagnosis) string { return d.Where + ": " + d.Evidence }

// PruneOnDiagnosis returns a trainer callback that watches a run with the
// training doctor (package diagnose) and, as soon as it finds the training
// diverging, exploding, stuck at chance or with dead units, records why on
// t, as the attributes AttrDiagnosis (a DiagnosisCode) and
// AttrDiagnosisReason (where, and the evidence with its numbers), and stops
// training with a *DiagnosisError, which wraps tuner.ErrPruned: the
// objective returns Fit's error and the trial ends Pruned. It uses the
// doctor's rules and thresholds, opts (zero fields are diagnose's
// defaults):
//
//   - diverging and exploding: a diagnose.Watchdog with opts.Divergence, at
//     every step (its norm rule on the monitored steps); a NaN or Inf
//     (trainer.ErrNonFinite), which stops Fit before any callback sees the
//     step, is pruned at FitEnd: Fit's error then wraps both
//     trainer.ErrNonFinite and tuner.ErrPruned.
//   - dead units: diagnose.Online.Step on the monitored steps, with
//     opts.DeadFraction and DeadSteps, for the activations the model
//     watches (model.MLP's; model.Act layers').
//   - stuck at chance: diagnose.Online.Epoch after every epoch, with
//     opts.Classes (0: no such check), ChanceMargin, FlatEpochs, FlatDrop.
//
// The norm rule and dead units need monitored steps: set
// trainer.Config.MonitorEvery (every 50 steps by default, < 0 never; 1
// watches every step, at a cost). How soon each fires is the rule's: a
// NaN at once, the loss rule within a few steps of a blow-up, dead units
// at the DeadSteps-th monitored step, a loss at chance after FlatEpochs
// epochs. A dead-unit count on a batch of a few rows is noisy (a unit is
// dead when it is ≤ 0 on every row): keep batches of 16 rows or more.
//
// It needs no pruner and reports nothing, so it works in a study of
// several objectives too, and beside PruneOn. A single-objective trial
// it prunes keeps its last reported value (PruneOn's), or none; pruners
// and Study.Best read Complete trials only, and TPE ranks a pruned trial
// below them by its last report, as Optuna does.
//
// At FitStart, a nil t and invalid opts fail Fit with an error wrapping
// tuner.ErrConfig (and diagnose.ErrConfig for opts). An error recording
// the attributes (t.SetAttr's) is returned in place of the prune. Use one
// per Trainer; its state is reset at every FitStart. On the steps it does
// not monitor it does not allocate.
//
//	cb := tunertrainer.PruneOnDiagnosis(t, diagnose.Options{Classes: 3})
//	// trainer.Config{…, MonitorEvery: 10, Callbacks: []trainer.Callback{cb}}
//	_, err := tr.Fit(ctx, train, val)
//	if err != nil {
//		return 0, err // errors.Is(err, tuner.ErrPruned) → Pruned
//	}
func PruneOnDiagnosis(t *tuner.Trial, opts diagnose.Options) trainer.Callback {
	return &diagnosisPruner{t: t, opts: opts, dog: diagnose.Watchdog{Divergence: opts.Divergence}}
}

type diagnosisPruner struct {
	t      *tuner.Trial
	opts   diagnose.Options
	dog    diagnose.Watchdog
	online *diagnose.Online
}

func (p *diagnosisPruner) OnEvent(ctx context.Context, tr *trainer.Trainer, e *trainer.Event) error {
	if err := trainer.CheckEvent(ctx, "PruneOnDiagnosis", e); err != nil {
		return err
	}
	switch e.Kind {
	case trainer.BatchEnd:
		if p.online == nil {
			return fmt.Errorf("%w: PruneOnDiagnosis got a step before FitStart", tuner.ErrConfig)
		}
		if err := p.dog.OnEvent(ctx, tr, e); err != nil {
			var de *diagnose.DivergedError
			if !errors.As(err, &de) {
				return err
			}
			code := Diverging
			if de.ByNorm {
				code = Exploding
			}
			return p.prune(code, e.Step, e.Epoch, de.Diagnosis, de)
		}
		if d, ok := p.online.Step(e.Monitor); ok {
			return p.prune(DeadUnits, e.Step, e.Epoch, d, nil)
		}
	case trainer.EpochEnd:
		if p.online == nil {
			return fmt.Errorf("%w: PruneOnDiagnosis got an epoch before FitStart", tuner.ErrConfig)
		}
		if d, ok := p.online.Epoch(e.Stats); ok {
			return p.prune(StuckAtChance, e.Step, e.Epoch, d, nil)
		}
	case trainer.FitStart:
		return p.start(ctx, tr, e)
	case trainer.FitEnd:
		var nf *trainer.NonFiniteError
		if err := e.Err; err != nil && errors.As(err, &nf) && !errors.Is(err, tuner.ErrPruned) {
			if ds := diagnose.Explain(err, e.History); len(ds) > 0 {
				return p.prune(Exploding, nf.Step, nf.Epoch, ds[0], nil) // the step that overflowed
			}
		}
	}
	return nil
}

// start checks t and the options and resets the state.
func (p *diagnosisPruner) start(ctx context.Context, tr *trainer.Trainer, e *trainer.Event) error {
	p.online = nil
	if p.t == nil {
		return fmt.Errorf("%w: PruneOnDiagnosis with a nil trial", tuner.ErrConfig)
	}
	online, err := diagnose.NewOnline(p.opts)
	if err != nil {
		return fmt.Errorf("%w: PruneOnDiagnosis: %w", tuner.ErrConfig, err)
	}
	if err := p.dog.OnEvent(ctx, tr, e); err != nil {
		return fmt.Errorf("%w: PruneOnDiagnosis: %w", tuner.ErrConfig, err)
	}
	p.online = online
	return nil
}

// prune records d on the trial and returns the error that stops Fit.
func (p *diagnosisPruner) prune(code DiagnosisCode, step, epoch int, d diagnose.Diagnosis, cause error) error {
	if err := p.t.SetAttr(AttrDiagnosis, string(code)); err != nil {
		return err
	}
	if err := p.t.SetAttr(AttrDiagnosisReason, reason(d)); err != nil {
		return err
	}
	return &DiagnosisError{Code: code, Step: step, Epoch: epoch, Diagnosis: d, cause: cause}
}
