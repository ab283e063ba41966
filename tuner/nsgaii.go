package tuner

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/internal/nprand"
	"github.com/gradtune/gradtune/tuner/nsgaii"
)

// The attributes NSGAIISampler keeps in each trial it starts: its
// generation, as Optuna 3.1 keeps it (a JSON number), and the numbers of the
// trials it was bred from, a JSON list (Optuna keeps no parents).
const (
	attrNSGAGeneration = "nsga2:generation"
	attrNSGAParents    = "nsga2:parents"
)

// NSGAIISampler is the Non-dominated Sorting Genetic Algorithm II (Deb et
// al. 2002, "A fast and elitist multiobjective genetic algorithm:
// NSGA-II") as Optuna 3.1's optuna.samplers.NSGAIISampler runs it; the zero
// value has Optuna's defaults. It is the default sampler of a study of
// several objectives; it also runs a study of one (as Optuna's does).
//
// Each trial belongs to a generation, kept in its attribute
// "nsga2:generation" ("nsga2:parents" names the trials it was bred from).
// Generation 0 is drawn at random; a generation is full once
// PopulationSize of its trials are complete (failed and pruned ones do not
// count, and in a parallel study it may get more), and the trials started
// then belong to the next. The parents of generation g + 1 are the elite
// of generation g: the PopulationSize best of its complete trials and of
// generation g − 1's elite, by non-dominated rank, then crowding distance
// (package nsgaii's SelectElite). Each new trial is bred from the elite
// (nsgaii.Breed): with probability CrossoverProb a crossover of parents
// chosen by binary tournaments, otherwise a copy of one; then each
// parameter is mutated — drawn anew, uniformly — with probability
// MutationProb.
//
// The parameters bred are those that every complete trial holds with the
// same distribution (Optuna's intersection search space), in the order of
// their names; the others, and those mutated, are drawn at random, as
// Optuna's RandomSampler draws them. Constraints (Trial.SetConstraints)
// make domination constrained (pareto.ConstrainedDominates): feasible
// trials first, then the less violating ones; a trial that reported none
// comes after those that did.
//
// The draws come from SampleContext.Rand, seeded by the study's Seed and
// the trial's number, so trial n's values depend only on the seed and the
// trials finished before it. With NumpyStreams they come from two numpy
// RandomState(Seed) streams instead, exactly as Optuna's do, and a study
// run by one worker from its first trial, whose objective suggests its
// parameters in the order of their names, gets Optuna 3.1's parameters for
// NSGAIISampler(seed=Seed) — to the last bit, but where a parameter on a
// log scale goes through exp or log (correctly rounded here, about one in
// 750 of glibc's exp and one in 1,300 of its log differ by an ulp), and
// with crossovers that take a power or a QR decomposition (SBX, VSBX,
// UNDX, SPX), where Go's math and LAPACK's differ by an ulp or two (tested
// against Optuna 3.1 to 1e-12, testdata/optuna/gen_nsgaii.py).
//
// Where we differ from Optuna 3.1:
//   - the bred parameters are in the order of their names; Optuna's are
//     in the order the newest complete trial suggested them (the same when
//     the objective suggests in name order);
//   - generations are selected anew from the trials at each start
//     (remembered in memory while they do not change) rather than cached
//     in the study, so a trial that completes late in a parallel study
//     joins its generation's selection;
//   - a complete trial whose values are not one per objective (a study
//     written by another program) is left out of every generation;
//   - a crossover that leaves the search space nsgaii.MaxCrossoverTries
//     times in a row is clipped into it; Optuna tries forever.
//
// With Parallelism > 1, a trial is bred from the generations that were
// full when it started; the trials still running do not count, so several
// workers may start trials of one generation beyond PopulationSize, and the
// draws depend on the order in which trials start and finish.
//
// Use one NSGAIISampler per study: it keeps the streams (NumpyStreams) and
// the generations' selections.
type NSGAIISampler struct {
	// PopulationSize is the number of trials in a generation; 0 → 50. At
	// least 2, and at least the crossover's parents.
	PopulationSize int
	// MutationProb is the probability that a bred parameter is drawn anew;
	// 0 → 1/(number of bred parameters), Optuna's None.
	MutationProb float64
	// CrossoverProb is the probability that a trial is a crossover of
	// parents rather than a copy of one; 0 → 0.9.
	CrossoverProb float64
	// SwappingProb is the probability that a categorical parameter is the
	// first parent's rather than the last's, and the default crossover's
	// per parameter; 0 → 0.5.
	SwappingProb float64
	// Crossover crosses the numerical parameters: nsgaii.Uniform,
	// nsgaii.BLXAlpha, nsgaii.SBX, nsgaii.VSBX, nsgaii.UNDX, nsgaii.SPX or
	// one of the caller's; nil → nsgaii.Uniform{SwappingProb}. Categorical
	// parameters always cross uniformly.
	Crossover nsgaii.Crossover
	// NumpyStreams draws from two numpy RandomState streams that the
	// sampler holds, seeded with Seed, as Optuna does: one for selection,
	// crossover and mutation, one (its RandomSampler's) for generation 0
	// and the mutated parameters. The draws then depend on the order in which
	// trials start, and a study reopened with a new sampler starts the
	// streams anew.
	NumpyStreams bool
	// Seed seeds NumpyStreams: numpy's RandomState(Seed) below 2³², beyond
	// as RandomState([low 32 bits, high 32 bits]). Without NumpyStreams the
	// study's Config.Seed seeds the draws.
	Seed uint64

	mu      sync.Mutex
	gens    nsgaii.Generations
	rng     *nprand.RandomState // selection, crossover, mutation
	random  *nprand.RandomState // Optuna's RandomSampler(seed)
	pending map[int64]map[string]float64
}

// Validate reports settings Optuna refuses (ErrConfig): a PopulationSize
// below 2 or below the crossover's parents, a probability outside [0, 1].
// Open calls it.
func (s *NSGAIISampler) Validate() error {
	if s == nil {
		return fmt.Errorf("%w: a nil *NSGAIISampler", ErrConfig)
	}
	size := s.populationSize()
	if size < 2 {
		return fmt.Errorf("%w: NSGAIISampler.PopulationSize = %d, want ≥ 2 (0 → 50)", ErrConfig, s.PopulationSize)
	}
	o := s.options(0)
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%w: NSGAIISampler: %w", ErrConfig, err)
	}
	if s.Crossover != nil && size < s.Crossover.Parents() {
		return fmt.Errorf("%w: NSGAIISampler.PopulationSize = %d, want at least the %d parents of %T",
			ErrConfig, size, s.Crossover.Parents(), s.Crossover)
	}
	return nil
}

func (s *NSGAIISampler) populationSize() int {
	if s.PopulationSize == 0 {
		return 50
	}
	return s.PopulationSize
}

func (s *NSGAIISampler) options(objectives int) nsgaii.Options {
	return nsgaii.Options{MutationProb: s.MutationProb, CrossoverProb: s.CrossoverProb, SwappingProb: s.SwappingProb,
		Crossover: s.Crossover, Objectives: objectives}
}

// StartTrial implements TrialStarter: it gives the trial its generation
// and, past generation 0, breeds its parameters, which SampleRelative then
// returns. Errors wrap ErrConfig: invalid settings, a SampleContext the
// study did not make, a population NSGA-II cannot compare (constraints of
// different lengths; a panic in the Crossover).
func (s *NSGAIISampler) StartTrial(c *SampleContext) (err error) {
	defer func() {
		if r := recover(); r != nil { // in a Crossover of the caller's
			err = fmt.Errorf("%w: %w", ErrConfig, gerr.Recovered("NSGAIISampler", r))
		}
	}()
	if err := s.Validate(); err != nil {
		return err
	}
	if c == nil || c.Trial == nil || (!s.NumpyStreams && c.Rand == nil) {
		return fmt.Errorf("%w: NSGAIISampler needs a SampleContext with its Trial and Rand, want one from the study", ErrConfig)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dirs := c.Directions
	if len(dirs) == 0 {
		dirs = []Direction{c.Direction}
	}
	var members []nsgaii.Member
	for _, t := range c.Trials {
		if t.State != Complete {
			continue
		}
		g, err := strconv.Atoi(t.Attrs[attrNSGAGeneration])
		if err != nil || g < 0 || len(t.Values) != len(dirs) {
			continue
		}
		members = append(members, nsgaii.Member{Generation: g, Individual: nsgaii.Individual{
			Number: t.Number, Values: t.Values, Constraints: t.Constraints, Params: t.Internal}})
	}
	gen, parents, err := s.gens.Parents(members, s.populationSize(), dirs)
	if err != nil {
		return fmt.Errorf("%w: NSGAIISampler: %w", ErrConfig, err)
	}
	if c.Trial.Attrs == nil {
		c.Trial.Attrs = map[string]string{}
	}
	c.Trial.Attrs[attrNSGAGeneration] = strconv.Itoa(gen + 1)
	if gen < 0 {
		return nil
	}
	complete := make([]FrozenTrial, 0, len(c.Trials))
	for _, t := range c.Trials {
		if t.State == Complete {
			complete = append(complete, t)
		}
	}
	var space []nsgaii.Param
	for _, p := range tpeIntersection(complete) { // Optuna's IntersectionSearchSpace: complete trials only
		prm, err := nsgaParam(p.name, p.d)
		if err != nil {
			return err
		}
		space = append(space, prm)
	}
	child, err := nsgaii.Breed(s.relativeRand(c), parents, space, dirs, s.options(len(dirs)))
	if err != nil {
		return fmt.Errorf("%w: NSGAIISampler: %w", ErrConfig, err)
	}
	c.Trial.Attrs[attrNSGAParents] = intList(child.Parents)
	if s.pending == nil {
		s.pending = map[int64]map[string]float64{}
	}
	s.pending[c.Trial.ID] = child.Params
	return nil
}

// SampleRelative implements RelativeSampler: the parameters StartTrial
// bred for this trial (nil in generation 0).
func (s *NSGAIISampler) SampleRelative(c *SampleContext) (map[string]float64, error) {
	if s == nil || c == nil || c.Trial == nil {
		return nil, fmt.Errorf("%w: NSGAIISampler needs a SampleContext with its Trial, want one from the study", ErrConfig)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	params := s.pending[c.Trial.ID]
	delete(s.pending, c.Trial.ID)
	return params, nil
}

// Sample implements Sampler: a uniform draw in Optuna's transformed space
// (nsgaii.Draw), for generation 0, the mutated parameters and those
// outside the bred search space; a distribution of one value is that value
// without a draw. Errors wrap ErrConfig: a SampleContext without Rand
// (without NumpyStreams), a distribution that is invalid or not a
// FloatDist, IntDist or CategoricalDist.
func (s *NSGAIISampler) Sample(c *SampleContext, name string, d Distribution) (float64, error) {
	if s == nil {
		return 0, fmt.Errorf("%w: a nil *NSGAIISampler", ErrConfig)
	}
	if err := checkUniform(d); err != nil {
		return 0, fmt.Errorf("NSGAIISampler: parameter %q: %w", name, err)
	}
	p, err := nsgaParam(name, d)
	if err != nil {
		return 0, err
	}
	if Single(d) {
		if p.Kind == nsgaii.Categorical {
			return 0, nil
		}
		return p.Low, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var r nsgaii.Rand
	switch {
	case s.NumpyStreams:
		s.streams()
		r = s.random
	case c == nil || c.Rand == nil:
		return 0, fmt.Errorf("%w: NSGAIISampler: parameter %q: a SampleContext with a Rand, want one from the study", ErrConfig, name)
	default:
		r = c.Rand
	}
	x, err := nsgaii.Draw(r, p)
	if err != nil {
		return 0, fmt.Errorf("%w: NSGAIISampler: %w", ErrConfig, err)
	}
	return x, nil
}

// relativeRand is the generator breeding draws from.
func (s *NSGAIISampler) relativeRand(c *SampleContext) nsgaii.Rand {
	if s.NumpyStreams {
		s.streams()
		return s.rng
	}
	return c.Rand
}

// streams seeds the numpy streams on first use.
func (s *NSGAIISampler) streams() {
	if s.rng == nil {
		s.rng, s.random = nprand.NewSeed(s.Seed), nprand.NewSeed(s.Seed)
	}
}

// nsgaParam describes d for package nsgaii.
func nsgaParam(name string, d Distribution) (nsgaii.Param, error) {
	switch d := d.(type) {
	case FloatDist:
		return nsgaii.Param{Name: name, Kind: nsgaii.Float, Low: d.Low, High: d.High, Log: d.Log, Step: d.Step}, nil
	case IntDist:
		return nsgaii.Param{Name: name, Kind: nsgaii.Int, Low: float64(d.Low), High: float64(d.High), Log: d.Log, Step: float64(d.IntStep())}, nil
	case CategoricalDist:
		return nsgaii.Param{Name: name, Kind: nsgaii.Categorical, Choices: len(d.Choices)}, nil
	}
	return nsgaii.Param{}, fmt.Errorf("%w: NSGAIISampler: parameter %q has distribution %T, want FloatDist, IntDist or CategoricalDist", ErrConfig, name, d)
}

// intList writes ns as a JSON list, as Python's json does ("[3, 7]").
func intList(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
