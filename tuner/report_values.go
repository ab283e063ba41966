package tuner

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gradtune/gradtune/tuner/internal/pyjson"
)

// How a trial of several objectives keeps what it reports per step
// (ReportValues), in every storage:
//
//   - objective 0's value is the step's intermediate value (Storage's
//     SetTrialIntermediate; Optuna's trial_intermediate_values, one float
//     per step), so FrozenTrial.Intermediate, the intermediate-values plot,
//     the auto resources of the successive-halving pruners and Optuna's
//     tools read the first objective's curve;
//   - the whole vector is the trial's attribute "intermediate_values_<step>",
//     a JSON list as Python's json writes it ("[0.91, 2410.0]"), which
//     tuner/rdb keeps as the system attribute
//     "gradtune:intermediate_values_<step>" (Optuna's tools leave it out of
//     user_attrs). Study.Trials moves these attributes into
//     FrozenTrial.IntermediateVectors, and Attrs then leaves them out.
const attrVectorPrefix = "intermediate_values_"

// MaxVectorSteps is how many steps one trial of several objectives may
// report (ReportValues): each step's vector is an attribute, and the
// persistent storages read at most 2^14 attributes per trial.
const MaxVectorSteps = 10_000

// vectorAttr returns the attribute that keeps step's vector.
func vectorAttr(step int) string { return attrVectorPrefix + strconv.Itoa(step) }

// ReportValues records the values of every objective at step (an epoch),
// one per Config.Directions entry in that order, for a pruner that judges
// several objectives (prune.SuccessiveHalving, prune.Hyperband) and for
// plots; see the package documentation of tuner/prune for how they are
// judged. A NaN value is stored as given (a pruner then stops the trial).
// On a study of one objective it takes one value and is Report. Reporting
// a step again replaces its values.
//
// Errors wrap ErrConfig: a nil *Trial or one no study made, values of
// another length than the study's objectives, more than MaxVectorSteps
// steps; nothing is stored then. An error wrapping ErrTrialFinished means
// the trial is no longer this worker's (see Report).
func (t *Trial) ReportValues(step int, values []float64) error {
	if err := t.check(); err != nil {
		return err
	}
	dirs := t.study.cfg.Directions
	if len(values) != len(dirs) {
		return fmt.Errorf("%w: Trial.ReportValues at step %d: %d values %v, want %d, one per objective (Directions %v)",
			ErrConfig, step, len(values), values, len(dirs), dirs)
	}
	if len(dirs) == 1 {
		return t.Report(step, values[0])
	}
	if _, again := t.frozen.IntermediateVectors[step]; !again && len(t.frozen.IntermediateVectors) >= MaxVectorSteps {
		return fmt.Errorf("%w: Trial.ReportValues at step %d: the trial reported %d steps already, the most a trial of several objectives keeps (MaxVectorSteps)",
			ErrConfig, step, len(t.frozen.IntermediateVectors))
	}
	if err := t.checkLost(nil); err != nil {
		return err
	}
	if err := t.study.storage.SetTrialIntermediate(t.ctx, t.frozen.ID, step, values[0]); err != nil {
		return t.checkLost(err)
	}
	if err := t.study.storage.SetTrialAttr(t.ctx, t.frozen.ID, vectorAttr(step), pyjson.Floats(values)); err != nil {
		return t.checkLost(err)
	}
	t.frozen.Intermediate[step] = values[0]
	if t.frozen.IntermediateVectors == nil {
		t.frozen.IntermediateVectors = map[int][]float64{}
	}
	t.frozen.IntermediateVectors[step] = slices.Clone(values)
	return nil
}

// LastVector returns the highest step that ReportValues reported and its
// values (ok false if none): what a pruner of several objectives judges.
func (t *FrozenTrial) LastVector() (step int, values []float64, ok bool) {
	for s, v := range t.IntermediateVectors {
		if !ok || s > step {
			step, values, ok = s, v, true
		}
	}
	return step, values, ok
}

// takeIntermediateVectors moves the vectors a storage keeps in attributes
// "intermediate_values_<step>" into t.IntermediateVectors, for a study of
// objectives objectives (> 1; a study of one has none). An attribute that
// is not a list of that many numbers stays an attribute.
func takeIntermediateVectors(t *FrozenTrial, objectives int) {
	if objectives < 2 {
		return
	}
	for k, v := range t.Attrs {
		rest, found := strings.CutPrefix(k, attrVectorPrefix)
		if !found {
			continue
		}
		step, err := strconv.Atoi(rest)
		if err != nil || strconv.Itoa(step) != rest {
			continue
		}
		xs, err := pyjson.ParseFloats(v)
		if err != nil || len(xs) != objectives {
			continue
		}
		if t.IntermediateVectors == nil {
			t.IntermediateVectors = map[int][]float64{}
		}
		t.IntermediateVectors[step] = xs
		delete(t.Attrs, k)
	}
}

// Directions returns the directions of the trial's study, one per
// objective (a copy), in the order ReportValues and a MultiObjective take
// values; nil for a nil *Trial or one no study made.
func (t *Trial) Directions() []Direction {
	if t == nil || t.study == nil {
		return nil
	}
	return slices.Clone(t.study.cfg.Directions)
}

// DirectionsValidator is a Pruner that says which studies it can judge:
// Open calls ValidateDirections with the study's directions and refuses the
// study with its error, which wraps ErrConfig. A study of several
// objectives takes NopPruner or a pruner that implements it and accepts
// them (prune.SuccessiveHalving, prune.Hyperband): a pruner written for one
// objective would judge objective 0 alone.
type DirectionsValidator interface {
	ValidateDirections(dirs []Direction) error
}

// checkPrunerDirections is Open's check of cfg.Pruner against the study's
// directions.
func checkPrunerDirections(p Pruner, dirs []Direction) error {
	if v, ok := p.(DirectionsValidator); ok {
		if err := v.ValidateDirections(slices.Clone(dirs)); err != nil {
			return fmt.Errorf("tuner: Pruner: %w", err)
		}
		return nil
	}
	switch p.(type) {
	case NopPruner, *NopPruner:
		return nil
	}
	if len(dirs) < 2 {
		return nil
	}
	return fmt.Errorf("%w: Pruner %T judges one objective (it has no ValidateDirections), and the study has %d (Directions %v): use prune.SuccessiveHalving, prune.Hyperband or none",
		ErrConfig, p, len(dirs), dirs)
}
