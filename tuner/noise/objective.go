package noise

import (
	"context"
	"errors"
	"fmt"

	"github.com/gradtune/gradtune/tuner"
)

// ErrNotComplete is wrapped by ReevaluateObjective's error when a re-run
// of a configuration did not complete (its objective failed or pruned it),
// and by Reevaluate's when the EvalFunc returned NaN.
var ErrNotComplete = errors.New("noise: a re-run did not complete")

// ReevaluateObjective is Reevaluate with the study's own objective in place
// of an EvalFunc: for each seed, objective(seed) must return the objective
// as it would run with that seed (its initialization, shuffling, folds);
// each re-run is one trial of a scratch in-memory study with the
// configuration's parameters enqueued (Optuna's enqueue_trial), so the
// objective's suggestions return them and nothing else changes. The
// scratch study never prunes. Errors: Reevaluate's; a nil objective, or
// nil returned by it, wraps tuner.ErrConfig; a re-run that fails or is
// pruned wraps ErrNotComplete with its reason.
func ReevaluateObjective(ctx context.Context, study *tuner.Study, objective func(seed int64) tuner.Objective, opt Options) (Report, error) {
	if ctx == nil || study == nil || objective == nil {
		return Report{}, fmt.Errorf("%w: noise.ReevaluateObjective needs a context, a study and an objective (got nil)", tuner.ErrConfig)
	}
	return reevaluate(ctx, study, func(ctx context.Context, t tuner.FrozenTrial, seed int64) (float64, error) {
		obj := objective(seed)
		if obj == nil {
			return 0, fmt.Errorf("%w: the objective function returned nil for seed %d", tuner.ErrConfig, seed)
		}
		return rerun(ctx, study.Direction(), obj, t)
	}, opt)
}

// rerun runs obj once with t's parameters in a scratch study and returns
// its value.
func rerun(ctx context.Context, dir tuner.Direction, obj tuner.Objective, t tuner.FrozenTrial) (float64, error) {
	scratch, err := tuner.Open(ctx, tuner.Config{Name: "reevaluate", Direction: dir, Parallelism: 1, MaxConsecutiveFailures: 1})
	if err != nil {
		return 0, err
	}
	if err := scratch.Enqueue(ctx, t.Params, t.Distributions); err != nil {
		return 0, err
	}
	if err := scratch.Optimize(ctx, obj, tuner.Budget{Trials: 1}); err != nil && !errors.Is(err, tuner.ErrTooManyFailures) {
		return 0, err
	}
	ran, err := scratch.Trials(ctx)
	if err != nil {
		return 0, err
	}
	if len(ran) != 1 {
		return 0, fmt.Errorf("%w: the scratch study holds %d trials, want 1", ErrNotComplete, len(ran))
	}
	if r := ran[0]; r.State != tuner.Complete {
		return 0, fmt.Errorf("%w: it ended %s: %s", ErrNotComplete, r.State, r.FailReason)
	}
	return ran[0].Value, nil
}
