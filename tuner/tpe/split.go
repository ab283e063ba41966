package tpe

import (
	"fmt"
	"math"
	"sort"

	"github.com/gradtune/gradtune/goal"
)

// State is the state of a trial TPE learns from.
type State int

const (
	Complete State = iota // finished with Trial.Value
	Pruned                // stopped early; ranked by its last report
	Running               // still running: a constant liar counts it as the worst
)

// Trial is one trial as TPE ranks it.
type Trial struct {
	Number int
	State  State
	// Value is a Complete trial's objective value.
	Value float64
	// LastStep and LastValue are a Pruned trial's last (highest) reported
	// step and its value; Reported is false if it reported none.
	LastStep  int
	LastValue float64
	Reported  bool
	// X holds the trial's internal value of each parameter of the search
	// space, in the space's order; NaN where the trial lacks it.
	X []float64
	// Values are a Complete trial's objective values, one per direction,
	// for SplitMulti; Split reads Value.
	Values []float64
	// Constraints are the trial's constraint values, ≤ 0 feasible (nil:
	// none). With Version Optuna5, a Complete or Pruned trial whose
	// positive values sum to more than 0 is infeasible and ranks after
	// every feasible one; Optuna31 ignores them.
	Constraints []float64
}

// score ranks a trial for TPE's split, lower is better, compared as the
// pair (step, value) (Optuna 3.1's _get_observation_pairs): a complete trial
// is (−∞, ±value); a pruned one (−last step, ±its value), so pruned trials
// rank after every complete one and the longer-lived first; a NaN last
// value counts as +∞; a pruned trial with no report is (1, 0); a running
// one (constant liar) is (+∞, ±∞). ± flips values when maximizing.
type score struct{ step, value float64 }

func (a score) less(b score) bool {
	return a.step < b.step || a.step == b.step && a.value < b.value
}

// Observations are the trials TPE learns from, split into the "below"
// (good) and "above" groups.
type Observations struct {
	// N counts the Complete and Pruned trials (Running ones do not count).
	N int
	// Below[p][i] and Above[p][i] are parameter p of the group's i-th
	// trial, in trial order, over the trials that hold every parameter.
	Below, Above [][]float64
	// BelowNumbers and AboveNumbers are the Numbers of each group's trials,
	// also those dropped for lacking a parameter.
	BelowNumbers, AboveNumbers []int
	// BelowWeights, when not nil, weigh the Below observations in place of
	// Options.Weights (Optuna 5's predetermined_weights): SplitMulti makes
	// them uniform, as Optuna 5 weighs the good trials of several
	// objectives. One per observation, finite ≥ 0, not all 0; Version
	// Optuna5 only.
	BelowWeights []float64
}

// Split ranks trials (Complete, Pruned, and Running ones as a constant liar
// counts them) and splits them, as Optuna 3.1's _split_observation_pairs:
// the Gamma(N) best, stable by score, go below, the rest above (see score
// for the ranking; Gamma is o.Gamma, nil → DefaultGamma). params is the
// number of parameters, len(t.X) for every trial. With o.Version Optuna5
// it is Optuna 5's _split_trials for one objective (see SplitMulti), which
// also ranks infeasible trials last. Errors: a Trial whose X has another
// length or whose State is unknown (ErrInput); a negative Gamma result or
// invalid Options (ErrOptions).
func Split(trials []Trial, dir goal.Direction, params int, o Options) (obs Observations, err error) {
	defer recoverOptions(&err)
	switch o.Version {
	case Optuna5:
		return split5(trials, []goal.Direction{dir}, params, o)
	case Optuna31:
	default:
		return obs, o.Validate()
	}
	o = o.withDefaults()
	sign := 1.0
	if dir == goal.Maximize {
		sign = -1
	}
	scores := make([]score, len(trials))
	for i := range trials {
		t := &trials[i]
		if len(t.X) != params {
			return obs, fmt.Errorf("%w: trial %d has %d parameters, want %d", ErrInput, t.Number, len(t.X), params)
		}
		switch t.State {
		case Complete:
			scores[i] = score{math.Inf(-1), sign * t.Value}
			obs.N++
		case Pruned:
			switch {
			case !t.Reported:
				scores[i] = score{1, 0}
			case math.IsNaN(t.LastValue):
				scores[i] = score{-float64(t.LastStep), math.Inf(1)}
			default:
				scores[i] = score{-float64(t.LastStep), sign * t.LastValue}
			}
			obs.N++
		case Running:
			scores[i] = score{math.Inf(1), sign * math.Inf(1)}
		default:
			return obs, fmt.Errorf("%w: trial %d has state %d, want Complete, Pruned or Running", ErrInput, t.Number, t.State)
		}
	}
	nBelow := o.Gamma(obs.N)
	if nBelow < 0 {
		return obs, fmt.Errorf("%w: Gamma(%d) = %d, want ≥ 0", ErrOptions, obs.N, nBelow)
	}
	nBelow = min(nBelow, len(scores))
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]].less(scores[order[b]]) })
	below, above := order[:nBelow:nBelow], order[nBelow:]
	sort.Ints(below) // back to trial order, as Optuna keeps it
	sort.Ints(above)
	obs.Below, obs.BelowNumbers = gather(below, trials, params)
	obs.Above, obs.AboveNumbers = gather(above, trials, params)
	return obs, nil
}

// gather returns the values (per parameter) of the trials idx that hold
// every parameter, and the numbers of all of idx.
func gather(idx []int, trials []Trial, params int) ([][]float64, []int) {
	out := make([][]float64, params)
	for p := range out {
		out[p] = []float64{}
	}
	nums := make([]int, 0, len(idx))
	for _, i := range idx {
		nums = append(nums, trials[i].Number)
		complete := true
		for _, x := range trials[i].X {
			complete = complete && !math.IsNaN(x)
		}
		if !complete {
			continue
		}
		for p, x := range trials[i].X {
			out[p] = append(out[p], x)
		}
	}
	return out, nums
}
