package noise

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// PlateauStopper says a study has stopped improving by more than its
// noise: the best Complete value of the last Patience finished trials
// improves on the best before them by no more than Noise. Only feasible
// trials have a value to improve on (Study.Best's rule: a trial whose
// constraints are all ≤ 0, or that reported none). It is the
// anchor of Ray Tune's TrialPlateauStopper (stop when the last results
// vary by less than a threshold) and of Optuna's Terminator (stop when the
// possible improvement is below the evaluation's error, estimated there
// from cross-validation folds), with the noise measured by Reevaluate's
// repeats (Report.Noise) or given.
type PlateauStopper struct {
	// Noise σ, in the objective's units: an improvement ≤ Noise is noise.
	// Must be > 0 (Report.Noise of a re-evaluation, or a known σ).
	Noise float64
	// Patience is the number N of last finished trials (Complete, Pruned or
	// Failed by the objective, ordered by number) that must not improve
	// the best by more than Noise; 0 → 10.
	Patience int
}

// Validate returns an error wrapping tuner.ErrConfig for a field out of
// range.
func (p PlateauStopper) Validate() error {
	switch {
	case !(p.Noise > 0) || math.IsInf(p.Noise, 0):
		return fmt.Errorf("%w: noise.PlateauStopper Noise = %v, want a finite σ > 0 (Report.Noise)", tuner.ErrConfig, p.Noise)
	case p.Patience < 0:
		return fmt.Errorf("%w: noise.PlateauStopper Patience = %d, want ≥ 1 (0 = 10)", tuner.ErrConfig, p.Patience)
	}
	return nil
}

// ShouldStop reports whether the trials (a study's, in any order) have
// reached the plateau, and why in words. It never stops while fewer than
// Patience finished trials follow the first Complete one, nor when
// Validate fails.
func (p PlateauStopper) ShouldStop(trials []tuner.FrozenTrial, dir tuner.Direction) (bool, string) {
	if p.Validate() != nil {
		return false, ""
	}
	n := p.Patience
	if n == 0 {
		n = 10
	}
	var done []tuner.FrozenTrial
	for _, t := range trials {
		if t.Counted() {
			done = append(done, t)
		}
	}
	sort.Slice(done, func(i, j int) bool { return done[i].Number < done[j].Number })
	if len(done) <= n {
		return false, ""
	}
	before, okB := bestValue(done[:len(done)-n], dir)
	now, okN := bestValue(done, dir)
	if !okB || !okN {
		return false, ""
	}
	gain := before - now
	if dir == tuner.Maximize {
		gain = now - before
	}
	if gain > p.Noise {
		return false, ""
	}
	return true, fmt.Sprintf("the last %d trials improved the best value by %.4g (%.6g → %.6g), not more than the noise σ = %.4g",
		n, gain, before, now, p.Noise)
}

// bestValue is the best finite value of the feasible Complete trials (as
// Study.Best ranks them), false if none.
func bestValue(trials []tuner.FrozenTrial, dir tuner.Direction) (float64, bool) {
	best, ok := 0.0, false
	for _, t := range trials {
		if t.State != tuner.Complete || math.IsNaN(t.Value) || math.IsInf(t.Value, 0) || !pareto.Feasible(t.Constraints) {
			continue
		}
		if !ok || better(t.Value, best, dir) {
			best, ok = t.Value, true
		}
	}
	return best, ok
}

// Plateau is what a PlateauStopper's callback saw of an Optimize call, and
// OptimizeUntilPlateau's result.
type Plateau struct {
	Stopped bool   // the stopper stopped the study (Study.Stop)
	Reason  string // ShouldStop's words when Stopped
	// Trials is the number of trials the call ran and its callbacks saw
	// (see tuner.Callback: every end but an interruption by ctx), those
	// that finished after the stop included.
	Trials int
}

// Callback returns a tuner.Callback for Study.Optimize that stops the
// study (Study.Stop) once ShouldStop says it has plateaued, checked after
// every trial on the study's trials: the running trials finish, no other
// starts, and Optimize returns nil — the workers never wait for each other
// at a check. When res is not nil it records there what the callback saw
// (Plateau); read it once Optimize has returned, and give each call a
// Plateau and a callback of its own. The callback's errors, which stop the
// study and come back from Optimize: Validate's, one wrapping
// tuner.ErrConfig for a study of several objectives, and Study.Trials'.
func (p PlateauStopper) Callback(res *Plateau) tuner.Callback {
	return p.callback(res, 1)
}

// callback is Callback checking after every checkEvery-th trial only.
func (p PlateauStopper) callback(res *Plateau, checkEvery int) tuner.Callback {
	if res == nil {
		res = &Plateau{} // it still counts the trials between checks
	}
	return func(ctx context.Context, study *tuner.Study, _ tuner.FrozenTrial) error {
		if err := p.Validate(); err != nil {
			return err
		}
		if study == nil {
			return fmt.Errorf("%w: noise.PlateauStopper callback: nil study", tuner.ErrConfig)
		}
		if dirs := study.Directions(); len(dirs) != 1 {
			return fmt.Errorf("%w: noise.PlateauStopper: study %q has %d objectives (Directions %v), the stopper watches one",
				tuner.ErrConfig, study.Name(), len(dirs), dirs)
		}
		res.Trials++
		if res.Stopped || res.Trials%max(checkEvery, 1) != 0 {
			return nil
		}
		trials, err := study.Trials(ctx)
		if err != nil {
			return err
		}
		if stop, why := p.ShouldStop(trials, study.Direction()); stop {
			res.Stopped, res.Reason = true, why
			study.Stop()
		}
		return nil
	}
}

// OptimizeUntilPlateau runs study.Optimize(ctx, obj, b) with s's Callback
// until the budget b is spent (a zero b: no bound but the plateau), the
// study runs out of trials to run (an exhausted grid), or s.ShouldStop says
// the study has plateaued; then the trials running finish. The stopper
// checks after every checkEvery-th trial the call ends (0 → 1), which
// bounds what checking costs (ShouldStop reads every trial) on a long
// study; the workers go on between checks and at them. Errors: Optimize's
// and the callback's; an invalid s, checkEvery < 0, a nil study or a study
// of several objectives wrap tuner.ErrConfig.
func OptimizeUntilPlateau(ctx context.Context, study *tuner.Study, obj tuner.Objective, b tuner.Budget, s PlateauStopper, checkEvery int) (Plateau, error) {
	var res Plateau
	if ctx == nil || study == nil {
		return res, fmt.Errorf("%w: noise.OptimizeUntilPlateau needs a context and a study (got nil)", tuner.ErrConfig)
	}
	if err := s.Validate(); err != nil {
		return res, err
	}
	if checkEvery < 0 {
		return res, fmt.Errorf("%w: noise.OptimizeUntilPlateau checkEvery = %d, want ≥ 1 (0 = 1)", tuner.ErrConfig, checkEvery)
	}
	if b == (tuner.Budget{}) {
		b.Trials = tuner.MaxTrials
	}
	err := study.Optimize(ctx, obj, b, s.callback(&res, checkEvery))
	return res, err
}

// Noise is the pooled per-run standard deviation of the re-evaluated
// configurations, √(mean of Std²): the spread of one evaluation across
// seeds, for PlateauStopper.Noise. A configuration with a run that
// diverged (an infinite value, its Std NaN) has no spread to pool and is
// left out. NaN without a configuration whose runs are all finite.
func (r Report) Noise() float64 {
	v, n := 0.0, 0
	for _, c := range r.Configs {
		if math.IsNaN(c.Std) || math.IsInf(c.Std, 0) {
			continue
		}
		v += c.Std * c.Std
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return math.Sqrt(v / float64(n))
}
