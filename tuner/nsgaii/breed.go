package nsgaii

import (
	"errors"
	"fmt"
	"math"

	"github.com/gradtune/gradtune/goal"
)

// Errors of the package; match them with errors.Is.
var (
	// ErrInput: a population, search space or option NSGA-II cannot work
	// with (the error says which and why).
	ErrInput = errors.New("nsgaii: invalid input")
)

// Options are NSGA-II's settings for one child, Optuna 3.1's NSGAIISampler
// arguments; the zero value of each is Optuna's default.
type Options struct {
	// MutationProb is the probability that a parameter is dropped from the
	// child, to be drawn anew (Draw); 0 → 1/max(1, number of parameters).
	MutationProb float64
	// CrossoverProb is the probability that the child is a crossover of
	// parents; otherwise it copies one member of the population. 0 → 0.9.
	CrossoverProb float64
	// SwappingProb is the probability that a categorical parameter comes
	// from the first parent rather than the last (and the default
	// Uniform's, for the others); 0 → 0.5.
	SwappingProb float64
	// Crossover crosses the numerical parameters; nil → Uniform with
	// SwappingProb.
	Crossover Crossover
	// Objectives is the study's number of objectives (SBX's default Eta);
	// 0 → len(dirs).
	Objectives int
}

// Validate reports probabilities outside [0, 1] and a crossover that wants
// no parent (ErrInput).
func (o Options) Validate() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"MutationProb", o.MutationProb}, {"CrossoverProb", o.CrossoverProb}, {"SwappingProb", o.SwappingProb}} {
		if !(p.v >= 0 && p.v <= 1) {
			return fmt.Errorf("%w: %s = %v, want a probability in [0, 1] (0 for the default)", ErrInput, p.name, p.v)
		}
	}
	if o.Crossover != nil && o.Crossover.Parents() < 1 {
		return fmt.Errorf("%w: crossover %T wants %d parents, want at least 1", ErrInput, o.Crossover, o.Crossover.Parents())
	}
	return nil
}

func (o Options) crossover() Crossover {
	if o.Crossover != nil {
		return o.Crossover
	}
	return Uniform{SwappingProb: o.SwappingProb}
}

func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// MaxCrossoverTries bounds how many sets of parents Breed draws for one
// child whose crossover leaves the search space; Optuna tries until one
// stays inside. After that many, the last child is clipped into the
// space: a crossover that (nearly) never stays inside would loop forever.
const MaxCrossoverTries = 10000

// Child is what Breed makes.
type Child struct {
	// Params are the child's internal values of the search space's
	// parameters that were not mutated; a parameter left out is to be drawn
	// anew.
	Params map[string]float64
	// Parents are the numbers of the individuals it came from: the
	// crossover's parents, or the one it copies.
	Parents []int
}

// Breed makes one child of the parent population pop over the search
// space, as Optuna 3.1's NSGAIISampler.sample_relative does, drawing from r
// in Optuna's order:
//
//  1. One uniform: below CrossoverProb, a crossover (2); otherwise the
//     child copies the parameters of pop[r.IntN(len(pop))].
//  2. Crossover: draw Parents() parents, each by a binary tournament among
//     the members not drawn yet (two r.IntN, the first candidate if it
//     dominates the second, else the second). The categorical parameters
//     (in space's order) each take the first parent's value when a uniform
//     falls below SwappingProb, else the last's; the numerical ones (in
//     space's order) are crossed in the transformed space by Crossover and
//     untransformed. A child outside the space (Contains) is discarded and
//     new parents drawn.
//  3. Mutation: one uniform per parameter (categorical ones first after a
//     crossover, space's order after a copy); at or above MutationProb it
//     is kept, else dropped from Params.
//
// The parameters of pop must hold every parameter of space, with values
// inside it. Errors wrap ErrInput: no Rand, an empty pop, fewer individuals
// than the crossover's parents, an invalid Param or option, an individual
// lacking a parameter, SelectElite's errors of the population's values;
// and a Crossover's error is returned, wrapped.
func Breed(r Rand, pop []Individual, space []Param, dirs []goal.Direction, o Options) (Child, error) {
	if err := checkBreed(r, pop, space, dirs, o); err != nil {
		return Child{}, err
	}
	cross := o.crossover()
	var (
		names   []string
		values  []float64
		parents []int
	)
	if r.Float64() < orDefault(o.CrossoverProb, 0.9) {
		var err error
		if names, values, parents, err = crossChild(r, pop, space, dirs, o, cross); err != nil {
			return Child{}, err
		}
	} else {
		p := pop[r.IntN(len(pop))]
		for _, prm := range space {
			names, values = append(names, prm.Name), append(values, p.Params[prm.Name])
		}
		parents = []int{p.Number}
	}
	prob := o.MutationProb
	if prob == 0 {
		prob = 1 / math.Max(1, float64(len(names)))
	}
	child := Child{Params: make(map[string]float64, len(names)), Parents: parents}
	for i, name := range names {
		if r.Float64() >= prob {
			child.Params[name] = values[i]
		}
	}
	return child, nil
}

// checkBreed is Breed's check of its input.
func checkBreed(r Rand, pop []Individual, space []Param, dirs []goal.Direction, o Options) error {
	if r == nil {
		return fmt.Errorf("%w: Breed: no Rand", ErrInput)
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if n := o.crossover().Parents(); len(pop) < max(n, 1) {
		return fmt.Errorf("%w: a population of %d, want at least %d (the crossover's parents)", ErrInput, len(pop), max(n, 1))
	}
	if err := checkPopulation(pop, dirs); err != nil {
		return err
	}
	for _, p := range space {
		if err := p.Validate(); err != nil {
			return err
		}
		for _, ind := range pop {
			if x, ok := ind.Params[p.Name]; !ok || !p.Contains(x) {
				return fmt.Errorf("%w: trial %d: parameter %q missing or outside the search space (%v)", ErrInput, ind.Number, p.Name, x)
			}
		}
	}
	return nil
}

// crossChild is Breed's step 2: the child's names and values, categorical
// parameters first, and its parents' numbers.
func crossChild(r Rand, pop []Individual, space []Param, dirs []goal.Direction, o Options, cross Crossover) ([]string, []float64, []int, error) {
	var cat, num []Param
	for _, p := range space {
		if p.Kind == Categorical {
			cat = append(cat, p)
		} else {
			num = append(num, p)
		}
	}
	s := Space{Low: make([]float64, len(num)), High: make([]float64, len(num)), Objectives: o.Objectives}
	if s.Objectives == 0 {
		s.Objectives = len(dirs)
	}
	for i, p := range num {
		s.Low[i], s.High[i] = p.Bounds()
	}
	swap := orDefault(o.SwappingProb, 0.5)
	names := make([]string, 0, len(space))
	for _, p := range cat {
		names = append(names, p.Name)
	}
	for _, p := range num {
		names = append(names, p.Name)
	}
	values := make([]float64, len(names))
	for try := 1; ; try++ {
		parents := tournament(r, pop, cross.Parents(), dirs)
		for i, p := range cat {
			from := parents[len(parents)-1]
			if r.Float64() < swap {
				from = parents[0]
			}
			values[i] = from.Params[p.Name]
		}
		inside := true
		if len(num) > 0 {
			xs := make([][]float64, len(parents))
			for j, par := range parents {
				xs[j] = make([]float64, len(num))
				for i, p := range num {
					xs[j][i] = p.Transform(par.Params[p.Name])
				}
			}
			y, err := cross.Cross(r, xs, s)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("crossover %T: %w", cross, err)
			}
			for i, p := range num {
				v := math.NaN()
				if i < len(y) {
					v = p.Untransform(y[i])
				}
				if !p.Contains(v) {
					inside = false
					if try >= MaxCrossoverTries {
						v = p.Untransform(clip(yAt(y, i, s.Low[i]), s.Low[i], s.High[i]))
						v = clip(v, p.Low, p.High)
					}
				}
				values[len(cat)+i] = v
			}
		}
		if inside || try >= MaxCrossoverTries {
			numbers := make([]int, len(parents))
			for j, p := range parents {
				numbers[j] = p.Number
			}
			return names, values, numbers, nil
		}
	}
}

// yAt is y[i], or def when y is too short or y[i] is NaN (a crossover of
// the caller's own that went wrong).
func yAt(y []float64, i int, def float64) float64 {
	if i < len(y) && !math.IsNaN(y[i]) {
		return y[i]
	}
	return def
}

// tournament draws n distinct parents, each the winner of a binary
// tournament among the members not drawn yet (Optuna's _select_parents).
func tournament(r Rand, pop []Individual, n int, dirs []goal.Direction) []*Individual {
	taken := make([]bool, len(pop))
	parents := make([]*Individual, 0, n)
	cands := make([]int, 0, len(pop))
	for range n {
		cands = cands[:0]
		for i := range pop {
			if !taken[i] {
				cands = append(cands, i)
			}
		}
		a, b := cands[r.IntN(len(cands))], cands[r.IntN(len(cands))]
		win := b
		if dominates(&pop[a], &pop[b], dirs) {
			win = a
		}
		taken[win] = true
		parents = append(parents, &pop[win])
	}
	return parents
}
