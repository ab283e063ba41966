package tuner

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/internal/gerr"
)

// TrialState is where a trial is in its life.
type TrialState int

const (
	Running  TrialState = iota // being evaluated
	Complete                   // finished with a value
	Pruned                     // stopped by the pruner; Value is its last intermediate value
	Failed                     // the objective errored, panicked or returned NaN; never the best
	Waiting                    // queued with fixed parameters (Study.Enqueue, or re-queued after a crash)
)

func (s TrialState) String() string {
	switch s {
	case Running:
		return "running"
	case Complete:
		return "complete"
	case Pruned:
		return "pruned"
	case Failed:
		return "failed"
	case Waiting:
		return "waiting"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Finished reports whether the state is final.
func (s TrialState) Finished() bool { return s == Complete || s == Pruned || s == Failed }

// FrozenTrial is a read-only record of a trial.
type FrozenTrial struct {
	ID     int64 // the storage's key
	Number int   // 0-based order of creation within the study
	State  TrialState
	// Value is the objective (Complete) or last intermediate value
	// (Pruned), Values[0]; NaN when there is none (Failed, Running, Waiting,
	// Pruned before a report).
	Value float64
	// Values holds one value per objective of the study (Config.Directions),
	// in order, for a Complete trial, and for a Pruned trial its last
	// report: [Value] of one objective, the last vector of several
	// (IntermediateVectors); nil when there is none (or one is NaN).
	// No value is NaN; ±Inf are kept.
	Values []float64
	// Constraints are the values the trial reported with SetConstraints
	// (≤ 0 is feasible, Optuna's convention); nil: none reported. They are
	// kept in the trial's attribute "constraints" (as Optuna's system
	// attribute), which Attrs then leaves out.
	Constraints []float64
	// Params holds the external values (float64, int or the choice);
	// Internal the same in internal form; Distributions their ranges.
	Params        map[string]any
	Internal      map[string]float64
	Distributions map[string]Distribution
	// Intermediate holds the values reported per step (epoch): Report's, or
	// objective 0's of ReportValues.
	Intermediate map[int]float64
	// IntermediateVectors holds, in a study of several objectives, the
	// values of every objective reported per step (Trial.ReportValues); nil
	// in a study of one, and when none was reported. They are kept in the
	// trial's attributes "intermediate_values_<step>", which Attrs then
	// leaves out.
	IntermediateVectors map[int][]float64
	// Attrs are the trial's attributes: the user's (Trial.SetAttr) and the
	// tuner's own (its process owner, a grid point, pruning rungs).
	Attrs map[string]string
	// FailKind says why a Failed trial failed, in a value that is stable
	// across versions (it decides Counted); empty for other states.
	FailKind FailKind
	// FailReason says the same in words, for people; it may be reworded.
	FailReason      string
	Start, Complete time.Time
}

// LastStep returns the highest reported step and its value (ok false if none).
func (t *FrozenTrial) LastStep() (step int, v float64, ok bool) {
	step = math.MinInt
	for s, x := range t.Intermediate {
		if s > step {
			step, v, ok = s, x, true
		}
	}
	return step, v, ok
}

// Trial is the live trial an Objective works with. Suggest parameters with
// Float, Int and Categorical (define-by-run: conditional parameters are plain
// ifs); report progress with Report (ReportValues in a study of several
// objectives) and ask ShouldPrune. Methods are safe to
// call from the objective's goroutine only.
//
// A parameter's range may depend on other parameters and so differ between
// trials (Float("other", 0, 1-top)), as in Optuna; its kind (float, int or
// categorical), Log flag and choices may not (see Compatible). A suggestion
// that cannot be honoured (a kind that changed, a name asked for again in
// the same trial with another range, a bad range, a Trial no study made)
// does not panic: it returns the range's lower end (a categorical's first
// choice), and the trial fails with that error when the objective returns.
// Err reports it early.
type Trial struct {
	study  *Study
	frozen FrozenTrial
	err    error
	// relative holds the values a RelativeSampler proposed at the start.
	relative map[string]float64
	// history is the study's trials when this one started; suggestions
	// sample against it.
	history []FrozenTrial
	// suggested holds the names the objective asked for; the others in
	// frozen.Params are enqueued values.
	suggested map[string]bool
	ctx       context.Context
	// cancel cancels ctx with errTrialLost once another worker failed the
	// trial as stale (heartbeats); lost says so to later writes.
	cancel context.CancelCauseFunc
	lost   atomic.Bool
	// constraintErr is set when SetConstraints was given a NaN: the trial
	// then fails (FailNaN) when its objective returns.
	constraintErr error
}

// Number returns the trial's 0-based number in the study.
func (t *Trial) Number() int { return t.frozen.Number }

// Direction returns the direction of the trial's study (Minimize or
// Maximize), so that code reporting to the trial can check that its values
// improve the same way (tunertrainer.PruneOn does); goal.Auto for a study
// of several objectives, a nil *Trial or one no study made (its zero
// value).
func (t *Trial) Direction() Direction {
	if t == nil || t.study == nil {
		return goal.Auto
	}
	return t.study.cfg.Direction
}

// errNoTrial is what the methods of a nil *Trial, or of a Trial no study
// made (its zero value), return or record.
var errNoTrial = fmt.Errorf("%w: a nil *Trial or one no study made (a Trial comes to an Objective)", ErrConfig)

// check refuses a trial no study made.
func (t *Trial) check() error {
	if t == nil || t.study == nil {
		return errNoTrial
	}
	return nil
}

// RequeuedFrom returns the number of the trial this one re-runs with the
// same parameters — one that a dead process left Running, or that a
// cancelled context interrupted, re-queued by Config.RequeueStale — and
// whether it is such a re-run. An objective that saved the interrupted
// trial's training state under that number resumes from it
// (tunertrainer.StatePaths).
func (t *Trial) RequeuedFrom() (number int, ok bool) {
	v, found := t.frozen.Attrs[attrRequeuedFrom]
	if !found {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

// Err returns the first suggestion error, if any; on a nil *Trial or one no
// study made, an error wrapping ErrConfig.
func (t *Trial) Err() error {
	if err := t.check(); err != nil {
		return err
	}
	return t.err
}

// Params returns the parameters suggested so far.
func (t *Trial) Params() map[string]any {
	out := make(map[string]any, len(t.frozen.Params))
	for k, v := range t.frozen.Params {
		out[k] = v
	}
	return out
}

// Option modifies a numeric suggestion.
type Option func(*suggestOpts)

type suggestOpts struct {
	log  bool
	step float64
}

// Log samples on a log scale.
func Log() Option { return func(o *suggestOpts) { o.log = true } }

// Step restricts values to low + k·step.
func Step(step float64) Option { return func(o *suggestOpts) { o.step = step } }

// apply applies the options of a suggestion of name; nil ones are
// skipped, and a panicking one (an Option made by reflection) is an error.
func (o *suggestOpts) apply(name string, opts []Option) error {
	return gerr.User(fmt.Sprintf("tuner: options of parameter %q", name), func() error {
		for _, f := range opts {
			if f != nil {
				f(o)
			}
		}
		return nil
	})
}

// Float suggests a float64 in [low, high] (Optuna's suggest_float).
func (t *Trial) Float(name string, low, high float64, opts ...Option) float64 {
	var o suggestOpts
	if err := o.apply(name, opts); err != nil {
		t.fail(err)
		return low
	}
	v, err := t.suggest(name, FloatDist{Low: low, High: high, Log: o.log, Step: o.step})
	if err != nil {
		t.fail(err)
		return low
	}
	return v.(float64)
}

// Int suggests an int in [low, high] (Optuna's suggest_int).
func (t *Trial) Int(name string, low, high int, opts ...Option) int {
	var o suggestOpts
	if err := o.apply(name, opts); err != nil {
		t.fail(err)
		return low
	}
	if o.step != math.Trunc(o.step) || math.Abs(o.step) > 1<<53 {
		t.fail(fmt.Errorf("%w: parameter %q: int Step = %v, want a whole number up to 2^53", ErrConfig, name, o.step))
		return low
	}
	v, err := t.suggest(name, IntDist{Low: low, High: high, Log: o.log, Step: int(o.step)})
	if err != nil {
		t.fail(err)
		return low
	}
	return v.(int)
}

// Categorical suggests one of choices (strings, ints, float64s or bools).
func (t *Trial) Categorical(name string, choices ...any) any {
	v, err := t.suggest(name, CategoricalDist{Choices: choices})
	if err != nil {
		t.fail(err)
		if len(choices) > 0 {
			return choices[0]
		}
		return nil
	}
	return v
}

// String suggests one of the string choices.
func (t *Trial) String(name string, choices ...string) string {
	cs := make([]any, len(choices))
	for i, c := range choices {
		cs[i] = c
	}
	v, _ := t.Categorical(name, cs...).(string)
	return v
}

func (t *Trial) fail(err error) {
	if t != nil && t.err == nil {
		t.err = err
	}
}

type validator interface{ Validate() error }

// suggest returns the value of name in d, sampling it the first time.
func (t *Trial) suggest(name string, d Distribution) (any, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if v, ok := d.(validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("parameter %q: %w", name, err)
		}
	}
	if t.suggested == nil {
		t.suggested = map[string]bool{}
	}
	prev, ok := t.frozen.Distributions[name]
	switch {
	case ok && Equal(prev, d):
		t.suggested[name] = true
		return t.frozen.Params[name], nil
	case ok && t.suggested[name]:
		return nil, fmt.Errorf("%w: parameter %q suggested as %v, earlier in this trial as %v", ErrConfig, name, d, prev)
	case ok:
		return t.fixed(name, prev, d)
	}
	x, err := t.study.sample(t, name, d)
	if err != nil {
		return nil, fmt.Errorf("parameter %q: %w", name, err)
	}
	return t.set(name, x, d)
}

// fixed returns the value name was enqueued with, which the objective now
// asks for with d, another range of the same kind (a dynamic range, as
// Optuna's fixed_params allow); the trial then records d. A value outside
// d is an error: the objective's code may rely on the range.
func (t *Trial) fixed(name string, prev, d Distribution) (any, error) {
	if err := Compatible(prev, d); err != nil {
		return nil, fmt.Errorf("parameter %q, enqueued: %w", name, err)
	}
	x := t.frozen.Internal[name]
	if !d.Contains(x) {
		return nil, fmt.Errorf("%w: parameter %q was enqueued as %v, outside %v", ErrConfig, name, t.frozen.Params[name], d)
	}
	return t.set(name, x, d)
}

// set stores name's internal value x, drawn from d, and returns its value.
func (t *Trial) set(name string, x float64, d Distribution) (any, error) {
	if err := t.checkLost(nil); err != nil {
		return nil, err
	}
	if err := t.study.storage.SetTrialParam(t.ctx, t.frozen.ID, name, x, d); err != nil {
		return nil, t.checkLost(err)
	}
	v := d.FromInternal(x)
	t.frozen.Params[name], t.frozen.Internal[name], t.frozen.Distributions[name] = v, x, d
	t.suggested[name] = true
	return v, nil
}

// Report records the objective's intermediate value at step (an epoch), for
// pruners and plots. A NaN value is stored as given. An error wrapping
// ErrTrialFinished means the trial is no longer this worker's (another
// worker failed it as stale): stop, its result will be dropped.
//
// A nil *Trial or one no study made is an error wrapping ErrConfig, and so
// is a trial of a study of several objectives, which reports every
// objective at once with ReportValues.
func (t *Trial) Report(step int, value float64) error {
	if err := t.check(); err != nil {
		return err
	}
	if t.study.multi() {
		return fmt.Errorf("%w: Trial.Report: study %q has %d objectives (Directions %v): report one value per objective with ReportValues",
			ErrConfig, t.study.cfg.Name, len(t.study.cfg.Directions), t.study.cfg.Directions)
	}
	if err := t.checkLost(nil); err != nil {
		return err
	}
	if err := t.study.storage.SetTrialIntermediate(t.ctx, t.frozen.ID, step, value); err != nil {
		return t.checkLost(err)
	}
	t.frozen.Intermediate[step] = value
	return nil
}

// ShouldPrune asks the study's pruner whether to stop this trial now; the
// objective then returns ErrPruned. A nil *Trial and one no study made are
// never pruned. When the study cannot be read, the answer is false; in a
// reproducible study the trial then fails (see Err), since going on
// unpruned could change its result.
func (t *Trial) ShouldPrune() bool {
	if t.check() != nil {
		return false
	}
	return t.study.shouldPrune(t)
}

// SetAttr stores a user attribute (say, the CV score's standard deviation).
// Like Report, it refuses (ErrTrialFinished) once the trial was lost to
// another worker. A nil *Trial or one no study made, the key "constraints"
// (SetConstraints keeps them there) and keys that start with
// "intermediate_values_" (ReportValues keeps its vectors there) are errors
// wrapping ErrConfig.
func (t *Trial) SetAttr(key, value string) error {
	if err := t.check(); err != nil {
		return err
	}
	if key == attrConstraints {
		return fmt.Errorf("%w: Trial.SetAttr: attribute %q keeps the trial's constraints: report them with SetConstraints", ErrConfig, key)
	}
	if strings.HasPrefix(key, attrVectorPrefix) {
		return fmt.Errorf("%w: Trial.SetAttr: attributes %q… keep the values ReportValues reports: choose another key", ErrConfig, attrVectorPrefix)
	}
	if err := t.checkLost(nil); err != nil {
		return err
	}
	if err := t.study.storage.SetTrialAttr(t.ctx, t.frozen.ID, key, value); err != nil {
		return t.checkLost(err)
	}
	t.frozen.Attrs[key] = value
	return nil
}
