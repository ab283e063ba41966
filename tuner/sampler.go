package tuner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
)

// SampleContext is what a sampler sees when it draws.
type SampleContext struct {
	// Trials are the study's other trials (any state), ordered by number.
	Trials []FrozenTrial
	// Trial is the trial being sampled, with its parameters so far.
	Trial *FrozenTrial
	// Direction is the direction of a study of one objective; goal.Auto
	// for a study of several, whose Directions hold one per objective (a
	// study of one has [Direction] there). A sampler that models one
	// objective (TPESampler) refuses several with ErrConfig.
	Direction  Direction
	Directions []Direction
	// Rand is seeded by (study seed, trial number, parameter name).
	Rand *rand.Rand
}

// Sampler proposes parameter values. The study calls it under a lock, so it
// need not be safe for concurrent use.
type Sampler interface {
	// Sample returns the internal value of parameter name in d.
	Sample(c *SampleContext, name string, d Distribution) (float64, error)
}

// RelativeSampler also proposes several parameters jointly when a trial
// starts (multivariate TPE); the study then uses those values for the
// parameters the objective suggests with the same distribution.
type RelativeSampler interface {
	Sampler
	SampleRelative(c *SampleContext) (map[string]float64, error)
}

// TrialStarter is told when a trial starts (before any suggestion); an
// error fails that trial and ends Optimize when it wraps
// ErrSearchSpaceExhausted.
type TrialStarter interface {
	StartTrial(c *SampleContext) error
}

// RandomSampler draws every parameter independently and uniformly (log-
// uniformly with Log; on the grid with Step). Its draws depend only on the
// study seed, the trial number and the parameter name.
type RandomSampler struct{}

// Sample implements Sampler. Errors wrap ErrConfig: a SampleContext
// without Rand, a distribution that is invalid or not a FloatDist, IntDist
// or CategoricalDist.
func (RandomSampler) Sample(c *SampleContext, name string, d Distribution) (float64, error) {
	if c == nil || c.Rand == nil {
		return 0, fmt.Errorf("%w: RandomSampler: parameter %q: a SampleContext with a Rand, want one from the study", ErrConfig, name)
	}
	if err := checkUniform(d); err != nil {
		return 0, fmt.Errorf("RandomSampler: parameter %q: %w", name, err)
	}
	return sampleUniform(c.Rand, d), nil
}

// checkUniform refuses what sampleUniform cannot draw from: a
// distribution that is invalid or of a kind it does not know (ErrConfig).
func checkUniform(d Distribution) error {
	switch d := d.(type) {
	case FloatDist:
		return d.Validate()
	case IntDist:
		return d.Validate()
	case CategoricalDist:
		return d.Validate()
	}
	return fmt.Errorf("%w: distribution %T, want FloatDist, IntDist or CategoricalDist", ErrConfig, d)
}

// sampleUniform draws an internal value of d uniformly; d is valid
// (checkUniform).
func sampleUniform(r *rand.Rand, d Distribution) float64 {
	switch d := d.(type) {
	case FloatDist:
		switch {
		case d.Log:
			return math.Exp(math.Log(d.Low) + r.Float64()*(math.Log(d.High)-math.Log(d.Low)))
		case d.Step > 0:
			n := int(math.Floor((d.High-d.Low)/d.Step + 1e-9))
			return d.Low + float64(r.IntN(n+1))*d.Step
		}
		return d.Low + r.Float64()*(d.High-d.Low)
	case IntDist:
		if d.Log {
			v := math.Exp(math.Log(float64(d.Low)) + r.Float64()*(math.Log(float64(d.High)+1)-math.Log(float64(d.Low))))
			return float64(min(max(int(math.Floor(v)), d.Low), d.High))
		}
		n := (d.High - d.Low) / d.IntStep()
		return float64(d.Low + r.IntN(n+1)*d.IntStep())
	case CategoricalDist:
		return float64(r.IntN(len(d.Choices)))
	}
	return math.NaN()
}

// GridSampler evaluates every point of a declared search space exactly once
// (Optuna's GridSampler), in a seeded order; Optimize stops when all points
// are taken. Space maps each parameter to its values (float64, int or a
// choice); the objective must suggest each with a distribution that
// contains them.
//
// Each trial claims its point (attribute "grid_id") atomically with its
// creation in the storage (see Claim), so the trials of several goroutines,
// Study handles or processes sharing a study never run the same point,
// where Optuna's GridSampler only makes that unlikely. A point is held by a
// Running trial or a finished one that counts (FrozenTrial.Counted): the
// point of a stale or interrupted trial is run again.
//
// A grid holds at most MaxGridPoints points. Choosing a trial's point takes
// time and memory in proportion to the trials, never to the points, also
// with Shuffle.
type GridSampler struct {
	Space map[string][]any
	// Shuffle visits the points in a seeded random order instead of
	// row-major order (a permutation computed point by point, never held in
	// memory).
	Shuffle bool
	Seed    uint64
}

// MaxGridPoints bounds a GridSampler's points: each point is a trial, and a
// study holds at most MaxTrials trials.
const MaxGridPoints = MaxTrials

// Points returns the number of grid points, the product of the numbers of
// values; math.MaxInt when that product overflows an int.
func (g *GridSampler) Points() int {
	n := 1
	for _, vs := range g.Space {
		switch {
		case len(vs) == 0:
			return 0
		case n > math.MaxInt/len(vs):
			n = math.MaxInt // saturated; an empty list may still make it 0
		default:
			n *= len(vs)
		}
	}
	return n
}

// names returns the parameters in a fixed order.
func (g *GridSampler) names() []string {
	var ns []string
	for k := range g.Space {
		ns = append(ns, k)
	}
	sort.Strings(ns)
	return ns
}

// point returns the values of grid point i (row-major over sorted names).
func (g *GridSampler) point(i int) map[string]any {
	out := map[string]any{}
	ns := g.names()
	for k := len(ns) - 1; k >= 0; k-- {
		vs := g.Space[ns[k]]
		out[ns[k]] = vs[i%len(vs)]
		i /= len(vs)
	}
	return out
}

// taken returns the grid points that trials hold (counted or running).
func (g *GridSampler) taken(trials []FrozenTrial) map[int]bool {
	taken := map[int]bool{}
	for _, t := range trials {
		if v, ok := t.Attrs[attrSamplerSystemGrid]; ok && (counted(t) || t.State == Running) {
			if i, err := strconv.Atoi(v); err == nil {
				taken[i] = true
			}
		}
	}
	return taken
}

// Exhausted reports whether every grid point is taken by one of trials
// (Running, or finished and counted).
func (g *GridSampler) Exhausted(trials []FrozenTrial) bool {
	return len(g.taken(trials)) >= g.Points()
}

// Validate reports a nil GridSampler, a Space with no parameter, a
// parameter with no value or more than MaxGridPoints points (ErrConfig);
// Open calls it.
func (g *GridSampler) Validate() error {
	if g == nil || len(g.Space) == 0 {
		return fmt.Errorf("%w: GridSampler with an empty Space", ErrConfig)
	}
	for _, name := range g.names() {
		if len(g.Space[name]) == 0 {
			return fmt.Errorf("%w: GridSampler: parameter %q has no values", ErrConfig, name)
		}
	}
	if g.Points() > MaxGridPoints {
		return fmt.Errorf("%w: GridSampler: %d parameters with more than MaxGridPoints = %d points", ErrConfig, len(g.Space), MaxGridPoints)
	}
	return nil
}

// TrialClaim implements TrialClaimer: each trial claims a free point.
func (g *GridSampler) TrialClaim() *Claim {
	return &Claim{Key: attrSamplerSystemGrid, Pick: g.pick}
}

// pick chooses the point of trial: the one its fixed parameters hold if
// that is free (a re-queued stale trial keeps its point) or held only by
// failed runs that trial re-runs (a retry, Config.MaxRetries), else the
// first free one in the visiting order; ErrSearchSpaceExhausted if none is
// free.
func (g *GridSampler) pick(trial FrozenTrial, others []FrozenTrial) (string, error) {
	if err := g.Validate(); err != nil {
		return "", err
	}
	taken := g.taken(others)
	if i, ok := g.pointOf(trial); ok && (!taken[i] || g.retryKeeps(trial, others, i)) {
		return strconv.Itoa(i), nil
	}
	// At most len(taken) positions are passed over before a free one.
	n := g.Points()
	var order gridOrder
	if g.Shuffle {
		order = newGridOrder(n, g.Seed)
	}
	for p := 0; p < n; p++ {
		i := p
		if g.Shuffle {
			i = order.at(p)
		}
		if !taken[i] {
			return strconv.Itoa(i), nil
		}
	}
	return "", ErrSearchSpaceExhausted
}

// retryKeeps reports whether trial, a re-queued trial, may run point i
// though other trials hold it: all of them failed, so the point has no
// result yet, and trial runs it again.
func (g *GridSampler) retryKeeps(trial FrozenTrial, others []FrozenTrial, i int) bool {
	if _, requeued := trial.Attrs[attrRequeuedFrom]; !requeued {
		return false
	}
	for _, o := range others {
		if v, ok := o.Attrs[attrSamplerSystemGrid]; ok && v == strconv.Itoa(i) && o.State != Failed {
			return false
		}
	}
	return true
}

// pointOf returns the grid point that trial's parameters are at (the
// inverse of point), ok false unless it has every parameter of the grid at
// one of its values.
func (g *GridSampler) pointOf(trial FrozenTrial) (i int, ok bool) {
	for _, name := range g.names() {
		d, has := trial.Distributions[name]
		if !has {
			return 0, false
		}
		vs := g.Space[name]
		j := slices.IndexFunc(vs, func(v any) bool {
			x, err := d.ToInternal(v)
			return err == nil && x == trial.Internal[name]
		})
		if j < 0 {
			return 0, false
		}
		i = i*len(vs) + j
	}
	return i, true
}

// Sample implements Sampler: the current point's value of name. Errors
// wrap ErrConfig: an invalid grid, a SampleContext without a Trial, a trial
// without a grid point (or with one outside the grid), a name not in Space,
// a value d does not hold.
func (g *GridSampler) Sample(c *SampleContext, name string, d Distribution) (float64, error) {
	if err := g.Validate(); err != nil {
		return 0, err
	}
	if c == nil || c.Trial == nil || d == nil {
		return 0, fmt.Errorf("%w: GridSampler: parameter %q: want a SampleContext with its Trial and a Distribution", ErrConfig, name)
	}
	s, ok := c.Trial.Attrs[attrSamplerSystemGrid]
	if !ok {
		return 0, fmt.Errorf("%w: GridSampler: trial %d has no grid point", ErrConfig, c.Trial.Number)
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= g.Points() {
		return 0, fmt.Errorf("%w: GridSampler: trial %d has grid point %q, want 0 to %d", ErrConfig, c.Trial.Number, s, g.Points()-1)
	}
	v, ok := g.point(i)[name]
	if !ok {
		return 0, fmt.Errorf("%w: GridSampler: parameter %q is not in the grid's Space", ErrConfig, name)
	}
	return d.ToInternal(v)
}
