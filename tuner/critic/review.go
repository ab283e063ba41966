package critic

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// Review reads a study's trials and returns what is wrong with its search
// space, ordered by Kind (BadRegion, AtBound, UseLog, NeverWins,
// Unimportant) then by parameter; none (nil) when nothing is. It works on
// the trials of a finished study or of one still running (Study.Trials,
// or any Storage's Trials): Running and Waiting trials are left out.
// dirs are the study's directions, one per objective (Study.Directions).
//
// The best trials. Complete trials are ranked as tuner.Study.BestTrials
// ranks them: by non-domination rank (pareto.ConstrainedRanks: feasible
// trials first, then the least violation; with one objective, by value).
// For each parameter, the best trials are the top Options.TopFraction (at
// least 3, all of a tied rank) of the Complete trials that suggested it;
// with several objectives they are the first Pareto fronts, whole.
//
// A parameter is judged on the trials that suggested it with its current
// distribution, that of the latest trial that has it, once there are
// MinTrials of them; trials that drew it from another range (a dynamic
// range, or a space edited between runs) are left out for it. The checks:
//
//   - BadRegion. A trial ends bad when it Failed (a FailKind that Counted,
//     other than FailSuggest and FailSampler), was Pruned with the
//     attribute AttrDiagnosis set (pruning by diagnosis), or completed
//     with an infinite value on the wrong side (diverged); good when it
//     completed otherwise or the pruner pruned it. A region of a numeric
//     parameter is its trials below a cut, above a cut, or both, cut
//     between two distinct sampled values, each part holding at least
//     MinRegion trials, more than BadShare of them bad, and MinRegion
//     trials left between; a region of a categorical parameter is one
//     choice. Each parameter's regions with a lower tail, an upper tail,
//     both, or its choices, are a family: the region with the least
//     one-sided Fisher exact p-value (more bad trials inside than outside)
//     passes when that p-value, corrected for the family by permutations
//     of the outcomes (see adjusted), is at most Alpha/4 ÷ the number of
//     families; each parameter reports its strongest. Taken strongest
//     first, each is tested again without the trials of those before it,
//     which may explain it. The new bound is the roundest value between
//     the two sides of a cut.
//   - AtBound. At each end of a numeric range: more than half of the best
//     trials lie within a tenth of the range (in its search scale, log for
//     a Log range) of that end, or more than half of the trials nearest it
//     (max(3, half the best) of them) are among the best; and a one-sided
//     rank-sum test says the best trials lie nearer that end than the
//     others (p ≤ Alpha/4 ÷ the number of ends tested). The range widens
//     by half a decade on a log scale, by half its width on a linear one.
//   - UseLog. A range with Low > 0 and High/Low ≥ 100 on a linear scale
//     draws 90% of its values or more in its top decade [High/10, High].
//     Reported when at least 2 of the best trials lie below High/10, and
//     they are most of the best or most of the trials drawn there, and the
//     rank-sum test says the best trials lie lower than the others (p ≤
//     Alpha/4 ÷ the number of such ranges). It replaces AtBound at those
//     ranges' lower end: search on a log scale first.
//   - NeverWins. A choice that at least MinTries Complete trials took,
//     none of them among the best, whose trials rank worse than the other
//     choices' (one-sided rank-sum, p ≤ Alpha/4 ÷ the number of choices
//     tested).
//   - Unimportant. Repeats times, a dummy parameter drawn uniformly in
//     [0, 1] joins the Complete trials (those with every value in range)
//     and importance.Evaluate (fANOVA) runs with its own forest seed. A
//     parameter whose mean importance is neither above the dummy's
//     largest nor above twice its mean is reported, fixed to its median
//     (most common choice) among the best trials — but only when another
//     parameter is clearly important, its mean at least 4 times the
//     dummy's largest: on a study where nothing stands out, fixing
//     parameters would rest on noise. A parameter with a UseLog finding
//     does not count as that one: most of its trials lie in its top
//     decade, away from its best, where the others may not show (at a
//     learning rate far too high, nothing else matters), and their spread
//     there shrinks every other parameter's share. With several
//     objectives, fANOVA explains the non-domination rank. A parameter
//     with another finding gets no Unimportant one: the other says more.
//
// Under an objective that does not depend on the parameters, the trials'
// ranks and outcomes are exchangeable whatever the sampler chose, so the
// p-values are valid and the chance of any BadRegion, AtBound, UseLog or
// NeverWins finding is at most about Alpha (the rank-sum test's normal
// approximation makes it "about"). The rank-sum tests and the
// permutations compare trials only within blocks of consecutive numbers
// (choiceBlock, driftBlock): a sampler that drifts, as TPE does toward
// where the trials went well, then does not lend a parameter that does
// not matter the merit or the failures of the others.
//
// Cost: on the 2-core machine of the tests, 0.15 s for 200 trials of 5
// parameters, 1 s for 1,000, 4.5 s for 3,000 (the permutations of
// BadRegion and the forests of Unimportant take most of it).
//
// Errors wrap tuner.ErrConfig: invalid Options; dirs empty or holding a
// direction other than Minimize or Maximize; a distribution that is not a
// valid FloatDist, IntDist or CategoricalDist; a Complete trial whose
// values do not fit dirs (another number of them, or NaN), or whose
// constraints are NaN or of another length than the others'. Too few
// trials is not an error: Review then finds nothing.
func Review(trials []tuner.FrozenTrial, dirs []tuner.Direction, opts Options) ([]Finding, error) {
	o, err := opts.resolved()
	if err != nil {
		return nil, err
	}
	s, err := newStudy(trials, dirs, o)
	if err != nil {
		return nil, err
	}
	var out []Finding
	out = append(out, s.badRegions()...)
	out = append(out, s.bounds()...)
	out = append(out, s.neverWins()...)
	judged := map[string]bool{}
	misScaled := map[string]bool{} // no yardstick for Unimportant
	for _, f := range out {
		judged[f.Param] = true
		if f.Kind == UseLog {
			misScaled[f.Param] = true
		}
	}
	for _, f := range s.unimportant(misScaled) {
		if !judged[f.Param] { // a finding that says more stands
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := kindOrder[out[i].Kind], kindOrder[out[j].Kind]; a != b {
			return a < b
		}
		return out[i].Param < out[j].Param
	})
	return out, nil
}

// study holds the trials Review judges.
type study struct {
	o    Options
	dirs []tuner.Direction
	// finished are the finished trials; front[i] is finished[i]'s
	// non-domination rank if it is Complete, else -1.
	finished []tuner.FrozenTrial
	front    []int
	// params are the parameters' names, sorted, and dist their current
	// distributions.
	params []string
	dist   map[string]tuner.Distribution
}

// newStudy checks dirs and the trials' values and ranks the Complete ones.
func newStudy(trials []tuner.FrozenTrial, dirs []tuner.Direction, o Options) (*study, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%w: critic.Review: no directions, want one per objective (Study.Directions)", tuner.ErrConfig)
	}
	for i, d := range dirs {
		if !d.Resolved() {
			return nil, fmt.Errorf("%w: critic.Review: direction %d is %v, want minimize or maximize", tuner.ErrConfig, i, d)
		}
	}
	s := &study{o: o, dirs: slices.Clone(dirs), dist: map[string]tuner.Distribution{}}
	var points, constraints [][]float64
	var complete []int
	latest := map[string]int{}
	for _, t := range trials {
		if !t.State.Finished() {
			continue
		}
		i := len(s.finished)
		s.finished, s.front = append(s.finished, t), append(s.front, -1)
		for name, d := range t.Distributions {
			if err := checkDist(d); err != nil {
				return nil, fmt.Errorf("critic.Review: trial %d, parameter %q: %w", t.Number, name, err)
			}
			if n, seen := latest[name]; !seen || t.Number > n {
				latest[name], s.dist[name] = t.Number, d
			}
		}
		if t.State != tuner.Complete {
			continue
		}
		v := t.Values
		if v == nil && len(dirs) == 1 {
			v = []float64{t.Value}
		}
		if len(v) != len(dirs) || slices.ContainsFunc(v, math.IsNaN) {
			return nil, fmt.Errorf("%w: critic.Review: complete trial %d has values %v, want a number (not NaN) per direction: %d (%v)",
				tuner.ErrConfig, t.Number, v, len(dirs), dirs)
		}
		points, constraints, complete = append(points, v), append(constraints, t.Constraints), append(complete, i)
	}
	if len(points) > 0 {
		ranks, err := pareto.ConstrainedRanks(points, constraints, dirs)
		if err != nil {
			return nil, fmt.Errorf("%w: critic.Review: %w", tuner.ErrConfig, err)
		}
		for k, i := range complete {
			s.front[i] = ranks[k]
		}
	}
	for name := range s.dist {
		s.params = append(s.params, name)
	}
	sort.Strings(s.params)
	return s, nil
}

// checkDist returns an error wrapping tuner.ErrConfig for a distribution
// other than a valid FloatDist, IntDist or CategoricalDist.
func checkDist(d tuner.Distribution) error {
	switch d := d.(type) {
	case tuner.FloatDist:
		return d.Validate()
	case tuner.IntDist:
		return d.Validate()
	case tuner.CategoricalDist:
		return d.Validate()
	}
	return fmt.Errorf("%w: distribution %T, want tuner.FloatDist, IntDist or CategoricalDist", tuner.ErrConfig, d)
}

// ranked is one parameter's Complete trials: their internal values, their
// ranks (0 = on the first front) and which of them are the best.
type ranked struct {
	name   string
	dist   tuner.Distribution
	x      []float64
	number []int // the trials' numbers
	front  []int
	top    []bool
	nTop   int
}

// ranked returns the Complete trials that suggested name with its
// current distribution, with their best marked.
func (s *study) ranked(name string) ranked {
	r := ranked{name: name, dist: s.dist[name]}
	for i, t := range s.finished {
		if s.front[i] < 0 {
			continue
		}
		if x, ok := value(t, name, r.dist); ok {
			r.x, r.front, r.number = append(r.x, x), append(r.front, s.front[i]), append(r.number, t.Number)
		}
	}
	n := len(r.x)
	r.top = make([]bool, n)
	if n == 0 {
		return r
	}
	k := min(n, max(3, int(math.Ceil(s.o.TopFraction*float64(n)))))
	sorted := slices.Clone(r.front)
	slices.Sort(sorted)
	cut := sorted[k-1] // every trial of the k-th best's rank is among the best
	for i, f := range r.front {
		if f <= cut {
			r.top[i] = true
			r.nTop++
		}
	}
	return r
}

// value returns t's internal value of name if t drew it from d.
func value(t tuner.FrozenTrial, name string, d tuner.Distribution) (float64, bool) {
	td, ok := t.Distributions[name]
	if !ok || !tuner.Equal(td, d) {
		return 0, false
	}
	x, ok := t.Internal[name]
	if !ok {
		var err error
		if x, err = d.ToInternal(t.Params[name]); err != nil {
			return 0, false
		}
	}
	if math.IsNaN(x) || !d.Contains(x) {
		return 0, false
	}
	return x, true
}

// blocks returns each trial's block for stratifiedGreater: the trials by
// number, in runs of size.
func (r ranked) blocks(size int) []int {
	idx := make([]int, len(r.number))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return r.number[idx[a]] < r.number[idx[b]] })
	out := make([]int, len(idx))
	for k, i := range idx {
		out[i] = k / size
	}
	return out
}

// midranks returns each trial's rank among r's trials by front, 1 the
// best, ties sharing the mean of their ranks.
func (r ranked) midranks() []float64 {
	idx := make([]int, len(r.front))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return r.front[idx[a]] < r.front[idx[b]] })
	out := make([]float64, len(idx))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && r.front[idx[j]] == r.front[idx[i]] {
			j++
		}
		for k := i; k < j; k++ {
			out[idx[k]] = float64(i+j+1) / 2
		}
		i = j
	}
	return out
}

// worse reports whether v is worse than the direction's every finite
// value: an infinite value on the wrong side, a diverged run.
func worse(v float64, d goal.Direction) bool {
	return d == goal.Minimize && math.IsInf(v, 1) || d == goal.Maximize && math.IsInf(v, -1)
}
