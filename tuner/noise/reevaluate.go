package noise

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/gradtune/gradtune/internal/signedrank"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// ErrTooFewTrials is wrapped by Reevaluate's error when the study has fewer
// than two distinct Complete configurations to compare.
var ErrTooFewTrials = errors.New("noise: too few complete trials")

// EvalFunc evaluates one configuration (a trial's Params) with a seed, or
// a fold index, and returns the objective in the study's direction. It
// must be deterministic given (params, seed): the seed is what pairs the
// configurations' runs.
type EvalFunc func(ctx context.Context, params map[string]any, seed int64) (float64, error)

// Options of Reevaluate; the zero value re-runs the top 3 with seeds
// 1…5 and tests at α = 0.05.
type Options struct {
	// TopK configurations to re-run (the study's best Complete trials
	// among the feasible ones, as Study.Best ranks them; duplicates of
	// parameters skipped); 0 → 3, at least 2.
	TopK int
	// Seeds passed to EvalFunc, the same for every configuration; nil →
	// 1, 2, …, Repeats. At least 2 (a spread needs two runs); with fewer
	// than 5 the test can never reach p < 0.05 (its least p is 2⁻ᴿ).
	Seeds []int64
	// Repeats when Seeds is nil; 0 → 5.
	Repeats int
	// Alpha is the significance level of the test; 0 → 0.05.
	Alpha float64
}

// Config is one re-evaluated configuration.
type Config struct {
	Number     int            // the trial's number in the study
	Params     map[string]any // the trial's parameters
	StudyValue float64        // the value the study recorded
	Values     []float64      // one per seed, in Report.Seeds order
	Mean, Std  float64        // of Values; Std is the sample std (n−1)
}

// Report is Reevaluate's result.
type Report struct {
	Direction tuner.Direction
	Seeds     []int64
	// Configs are the re-run configurations, best mean first (ties by
	// trial number).
	Configs []Config
	// P is the one-sided p-value of the Wilcoxon signed-rank test of
	// Configs[1].Values − Configs[0].Values (paired by seed) against "the
	// best is not better": exact for R ≤ 50 untied differences, else as
	// scipy.stats.wilcoxon(zero_method="zsplit") chooses (internal/signedrank).
	P     float64
	Alpha float64
	// Distinguishable is P < Alpha: the best beats the runner-up by more
	// than the seeds' noise.
	Distinguishable bool
}

// Reevaluate re-runs the top-k Complete configurations of study with every
// seed of opt and compares them (see Report). The configurations run one
// after another, seed by seed. A run may diverge to ±Inf: its
// configuration's Mean is then infinite and its Std NaN. Errors: a nil
// study or eval, bad Options or a study of several objectives wrap
// tuner.ErrConfig; fewer than two distinct feasible Complete trials wrap
// ErrTooFewTrials; an eval error (or panic) is returned wrapped with the
// trial number and seed, and a NaN it returns wraps ErrNotComplete; ctx's
// error stops it.
func Reevaluate(ctx context.Context, study *tuner.Study, eval EvalFunc, opt Options) (Report, error) {
	if ctx == nil || study == nil || eval == nil {
		return Report{}, fmt.Errorf("%w: noise.Reevaluate needs a context, a study and an EvalFunc (got nil)", tuner.ErrConfig)
	}
	return reevaluate(ctx, study, func(ctx context.Context, t tuner.FrozenTrial, seed int64) (float64, error) {
		return safeEval(ctx, eval, t.Params, seed)
	}, opt)
}

// trialEval evaluates a study's trial again with a seed.
type trialEval func(ctx context.Context, t tuner.FrozenTrial, seed int64) (float64, error)

// reevaluate is Reevaluate and ReevaluateObjective after their checks of
// nil arguments.
func reevaluate(ctx context.Context, study *tuner.Study, eval trialEval, opt Options) (Report, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Report{}, err
	}
	if n := len(study.Directions()); n > 1 {
		return Report{}, fmt.Errorf("%w: noise.Reevaluate compares one objective, the study has %d", tuner.ErrConfig, n)
	}
	dir := study.Direction()
	trials, err := study.Trials(ctx)
	if err != nil {
		return Report{}, err
	}
	top := topK(trials, dir, opt.TopK)
	if len(top) < 2 {
		return Report{}, fmt.Errorf("%w: %d distinct feasible Complete configurations, want ≥ 2 to compare", ErrTooFewTrials, len(top))
	}
	r := Report{Direction: dir, Seeds: opt.Seeds, Alpha: opt.Alpha}
	for _, t := range top {
		c := Config{Number: t.Number, Params: t.Params, StudyValue: t.Value}
		for _, seed := range opt.Seeds {
			if err := ctx.Err(); err != nil {
				return Report{}, err
			}
			v, err := eval(ctx, t, seed)
			if err == nil && math.IsNaN(v) {
				// No rank, mean or test has a place for it; ReevaluateObjective's
				// scratch study fails it the same way.
				err = fmt.Errorf("%w: it returned NaN, want a number (an infinite value counts as diverged)", ErrNotComplete)
			}
			if err != nil {
				return Report{}, fmt.Errorf("noise: re-evaluating trial %d with seed %d: %w", t.Number, seed, err)
			}
			c.Values = append(c.Values, v)
		}
		c.Mean, c.Std = meanStd(c.Values)
		r.Configs = append(r.Configs, c)
	}
	sort.SliceStable(r.Configs, func(i, j int) bool { return better(r.Configs[i].Mean, r.Configs[j].Mean, dir) })
	r.P = pairedP(r.Configs[0].Values, r.Configs[1].Values, dir)
	r.Distinguishable = r.P < r.Alpha
	return r, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.TopK == 0 {
		o.TopK = 3
	}
	if o.Repeats == 0 {
		o.Repeats = 5
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	switch {
	case o.TopK < 2:
		return o, fmt.Errorf("%w: noise Options.TopK = %d, want ≥ 2 (0 = 3)", tuner.ErrConfig, o.TopK)
	case o.Seeds == nil && o.Repeats < 2:
		return o, fmt.Errorf("%w: noise Options.Repeats = %d, want ≥ 2 (0 = 5)", tuner.ErrConfig, o.Repeats)
	case o.Seeds != nil && len(o.Seeds) < 2:
		return o, fmt.Errorf("%w: noise Options.Seeds has %d seeds, want ≥ 2", tuner.ErrConfig, len(o.Seeds))
	case !(o.Alpha > 0 && o.Alpha < 1):
		return o, fmt.Errorf("%w: noise Options.Alpha = %v, want 0 < Alpha < 1 (0 = 0.05)", tuner.ErrConfig, o.Alpha)
	}
	if o.Seeds == nil {
		for i := 1; i <= o.Repeats; i++ {
			o.Seeds = append(o.Seeds, int64(i))
		}
	}
	return o, nil
}

// topK returns the k best feasible Complete trials with finite values,
// best first (ties by number), skipping a trial whose parameters repeat a
// better one's.
func topK(trials []tuner.FrozenTrial, dir tuner.Direction, k int) []tuner.FrozenTrial {
	var ok []tuner.FrozenTrial
	for _, t := range trials {
		if t.State == tuner.Complete && !math.IsNaN(t.Value) && !math.IsInf(t.Value, 0) && pareto.Feasible(t.Constraints) {
			ok = append(ok, t)
		}
	}
	sort.SliceStable(ok, func(i, j int) bool { return better(ok[i].Value, ok[j].Value, dir) })
	seen := map[string]bool{}
	var top []tuner.FrozenTrial
	for _, t := range ok {
		key := fmt.Sprint(t.Params) // fmt sorts map keys
		if seen[key] {
			continue
		}
		seen[key] = true
		if top = append(top, t); len(top) == k {
			break
		}
	}
	return top
}

func better(a, b float64, dir tuner.Direction) bool {
	if dir == tuner.Maximize {
		return a > b
	}
	return a < b
}

// pairedP is the one-sided signed-rank p-value that best beats runner:
// d = runner − best per seed, H1 "d > 0" when minimizing, "d < 0" when
// maximizing.
func pairedP(best, runner []float64, dir tuner.Direction) float64 {
	d := make([]float64, len(best))
	for i := range best {
		if best[i] != runner[i] { // both diverged alike (Inf − Inf is NaN): a tie
			d[i] = runner[i] - best[i]
		}
	}
	alt := signedrank.Greater
	if dir == tuner.Maximize {
		alt = signedrank.Less
	}
	p, _ := signedrank.Test(d, alt)
	return p
}

func meanStd(v []float64) (float64, float64) {
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	ss := 0.0
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)-1))
}

// safeEval turns a panic of the user's function into an error.
func safeEval(ctx context.Context, eval EvalFunc, params map[string]any, seed int64) (v float64, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("EvalFunc panicked: %v", p)
		}
	}()
	return eval(ctx, params, seed)
}
