package tuner

import (
	"fmt"
	"math"
	"slices"

	"github.com/gradtune/gradtune/tuner/internal/pyjson"
)

// attrConstraints is the attribute that keeps a trial's constraints, a
// JSON list as Python writes it ("[0.5, -1.0]"): Optuna's system attribute
// "constraints" (optuna/samplers/_base.py, _CONSTRAINTS_KEY), which
// tuner/rdb stores under that name, so that Optuna reads them.
const attrConstraints = "constraints"

// SetConstraints records the trial's constraint values: each ≤ 0 is
// satisfied, > 0 violated by that much (Optuna's constraints_func
// convention), and the trial is feasible when all are satisfied. Best and
// BestTrials consider feasible trials first; samplers see the values in
// FrozenTrial.Constraints. A later call replaces the values. Call it before
// the objective returns, for Complete trials (Pruned ones keep them too);
// Optuna sees them as the trial's system attribute "constraints".
//
// Errors wrap ErrConfig: a nil *Trial or one no study made, no values. A
// NaN value is an error too: nothing is stored, and the trial fails
// (FailNaN) even if its objective then returns values. Like SetAttr,
// it refuses (ErrTrialFinished) once the trial was lost to another worker.
func (t *Trial) SetConstraints(values ...float64) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(values) == 0 {
		return fmt.Errorf("%w: Trial.SetConstraints with no value, want one per constraint", ErrConfig)
	}
	if i := slices.IndexFunc(values, math.IsNaN); i >= 0 {
		err := fmt.Errorf("%w: Trial.SetConstraints: constraint %d of %v is NaN, want a number (≤ 0 satisfied)", ErrConfig, i, values)
		if t.constraintErr == nil {
			t.constraintErr = err
		}
		return err
	}
	if err := t.checkLost(nil); err != nil {
		return err
	}
	if err := t.study.storage.SetTrialAttr(t.ctx, t.frozen.ID, attrConstraints, pyjson.Floats(values)); err != nil {
		return t.checkLost(err)
	}
	t.frozen.Constraints = slices.Clone(values)
	return nil
}

// takeConstraints moves the constraints a storage keeps in attribute
// "constraints" into t.Constraints. An attribute that is not a list of
// numbers (not written by SetConstraints or Optuna) stays an attribute;
// Optuna's null (no constraints) is dropped.
func takeConstraints(t *FrozenTrial) {
	v, ok := t.Attrs[attrConstraints]
	if !ok {
		return
	}
	cs, err := pyjson.ParseFloats(v)
	if err != nil {
		return
	}
	t.Constraints = cs
	delete(t.Attrs, attrConstraints)
}
