package tuner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
)

// SampleContext is what a sampler sees when it draws.
type SampleContext struct {
	// Trials are the study's other trials (any state), ordered by number.
	Trials []FrozenTrial
	// Trial is the trial being sampled, with its parameters so far.
	Trial     *FrozenTrial
	Direction Direction
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
// error fails that trial and ends Optimize when it wraps errSearchSpaceDone.
type TrialStarter interface {
	StartTrial(c *SampleContext) error
}

// RandomSampler draws every parameter independently and uniformly (log-
// uniformly with Log; on the grid with Step). Its draws depend only on the
// study seed, the trial number and the parameter name.
type RandomSampler struct{}

// Sample implements Sampler.
func (RandomSampler) Sample(c *SampleContext, _ string, d Distribution) (float64, error) {
	return sampleUniform(c.Rand, d), nil
}

// sampleUniform draws an internal value of d uniformly.
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
type GridSampler struct {
	Space map[string][]any
	// Shuffle visits the points in a seeded random order instead of
	// row-major order.
	Shuffle bool
	Seed    uint64
}

// Points returns the number of grid points.
func (g *GridSampler) Points() int {
	n := 1
	for _, vs := range g.Space {
		n *= len(vs)
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

// Exhausted reports whether every grid point is taken, so that Optimize
// stops before creating a trial with nothing to run.
func (g *GridSampler) Exhausted(trials []FrozenTrial) bool {
	return len(g.taken(trials)) >= g.Points()
}

// StartTrial implements TrialStarter: it assigns the next unvisited point,
// recorded in the trial's attributes.
func (g *GridSampler) StartTrial(c *SampleContext) error {
	if len(g.Space) == 0 || g.Points() == 0 {
		return fmt.Errorf("%w: GridSampler with an empty Space", ErrConfig)
	}
	taken := g.taken(c.Trials)
	var perm []int
	if g.Shuffle {
		perm = rand.New(rand.NewPCG(g.Seed, 0x67726964)).Perm(g.Points())
	}
	for p := 0; p < g.Points(); p++ {
		i := p
		if perm != nil {
			i = perm[p]
		}
		if !taken[i] {
			c.Trial.Attrs[attrSamplerSystemGrid] = strconv.Itoa(i)
			return nil
		}
	}
	return errSearchSpaceDone
}

// Sample implements Sampler: the current point's value of name.
func (g *GridSampler) Sample(c *SampleContext, name string, d Distribution) (float64, error) {
	s, ok := c.Trial.Attrs[attrSamplerSystemGrid]
	if !ok {
		return 0, fmt.Errorf("%w: GridSampler: trial %d has no grid point", ErrConfig, c.Trial.Number)
	}
	i, _ := strconv.Atoi(s)
	v, ok := g.point(i)[name]
	if !ok {
		return 0, fmt.Errorf("%w: GridSampler: parameter %q is not in the grid's Space", ErrConfig, name)
	}
	return d.ToInternal(v)
}
