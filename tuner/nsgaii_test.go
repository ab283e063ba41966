package tuner

import (
	"context"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner/nsgaii"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// runNSGA runs n trials of obj in a fresh study with sampler s.
func runNSGA(t *testing.T, s *NSGAIISampler, dirs []Direction, seed uint64, parallel, n int, obj MultiObjective) []FrozenTrial {
	t.Helper()
	study := open(t, Config{Directions: dirs, Sampler: s, Seed: seed, Parallelism: parallel, MaxConsecutiveFailures: -1})
	if err := study.OptimizeMulti(ctx, obj, Budget{Trials: n}); err != nil {
		t.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

var minMin = []Direction{Minimize, Minimize}

// At Parallelism 1 a study's trials depend only on the seed: two runs give
// the same parameters, another seed others. Generation 1 on, the bred
// trials are valid (inside the space) and do better than generation 0.
func TestNSGAIIDeterministicAtParallelismOne(t *testing.T) {
	run := func(seed uint64) []FrozenTrial {
		return runNSGA(t, &NSGAIISampler{PopulationSize: 10}, minMin, seed, 1, 60, zdt1)
	}
	a, b, c := run(1), run(1), run(2)
	same := func(x, y []FrozenTrial) bool {
		for i := range x {
			if !maps.Equal(x[i].Internal, y[i].Internal) {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("two runs with seed 1 differ")
	}
	if same(a, c) {
		t.Error("seeds 1 and 2 give the same trials")
	}
	if last := a[len(a)-1].Attrs[attrNSGAGeneration]; last == "0" || last == "" {
		t.Errorf("the last of 60 trials with a population of 10 is in generation %q, want a later one", last)
	}
	hv := func(trials []FrozenTrial) float64 {
		var pts [][]float64
		for _, tr := range trials {
			pts = append(pts, tr.Values)
		}
		return hypervolumeOf(t, pts, []float64{1.1, 11})
	}
	if first, all := hv(a[:10]), hv(a); !(all > first) {
		t.Errorf("hypervolume %v after 60 trials, %v after generation 0: no progress", all, first)
	}
}

// With several workers every trial is valid, and a trial of generation
// g ≥ 1 started after generation g − 1 had PopulationSize complete trials.
func TestNSGAIIParallel(t *testing.T) {
	const size = 8
	trials := runNSGA(t, &NSGAIISampler{PopulationSize: size}, minMin, 3, 4, 80, zdt1)
	complete := map[int]int{} // generation → complete trials
	for _, tr := range trials {
		if tr.State != Complete {
			t.Fatalf("trial %d: %v (%s)", tr.Number, tr.State, tr.FailReason)
		}
		g, err := strconv.Atoi(tr.Attrs[attrNSGAGeneration])
		if err != nil {
			t.Fatalf("trial %d: generation %q", tr.Number, tr.Attrs[attrNSGAGeneration])
		}
		complete[g]++
	}
	for g := 1; complete[g] > 0; g++ {
		if complete[g-1] < size {
			t.Errorf("generation %d has trials, generation %d only %d complete, want ≥ %d", g, g-1, complete[g-1], size)
		}
	}
	if complete[1] == 0 {
		t.Errorf("80 trials with a population of %d reached no generation 1: %v", size, complete)
	}
}

// Optuna 3.1 runs NSGA-II on one objective too; so do we.
func TestNSGAIIOneObjective(t *testing.T) {
	trials := runNSGA(t, &NSGAIISampler{PopulationSize: 10}, []Direction{Maximize}, 5, 1, 80, func(_ context.Context, tr *Trial) ([]float64, error) {
		x, y := tr.Float("x", -4, 4), tr.Float("y", -4, 4)
		return []float64{-(x-1)*(x-1) - (y+2)*(y+2)}, nil
	})
	best := func(ts []FrozenTrial) float64 {
		b := math.Inf(-1)
		for _, tr := range ts {
			b = max(b, tr.Value)
		}
		return b
	}
	if first, all := best(trials[:10]), best(trials); !(all > first) || trials[79].Attrs[attrNSGAGeneration] == "0" {
		t.Errorf("best %v after 80 trials, %v after generation 0; last generation %q", all, first, trials[79].Attrs[attrNSGAGeneration])
	}
}

// A search space that changes: a conditional parameter, one of a dynamic
// range and one whose kind is the same but its range not are drawn at
// random; the parameters every trial shares are bred. Nothing fails.
func TestNSGAIIChangingSearchSpace(t *testing.T) {
	trials := runNSGA(t, &NSGAIISampler{PopulationSize: 6}, minMin, 7, 1, 40, func(_ context.Context, tr *Trial) ([]float64, error) {
		depth := 1.0
		if tr.String("arch", "shallow", "deep") == "deep" {
			depth = float64(tr.Int("depth", 2, 6))
		}
		hi := tr.Float("hi", 0.5, 1)
		lo := tr.Float("lo", 0, hi)
		w := tr.Float("w", 0, float64(1+tr.Number()%2)) // two ranges: never bred
		return []float64{depth*0.1 + lo + w, (1-lo)*hi + (1 - w)}, nil
	})
	bredAny := false
	for _, tr := range trials {
		if tr.State != Complete {
			t.Fatalf("trial %d: %v (%s)", tr.Number, tr.State, tr.FailReason)
		}
		if _, ok := tr.Attrs[attrNSGAParents]; ok {
			bredAny = true
		}
	}
	if !bredAny {
		t.Error("no trial was bred")
	}
}

// Settings Optuna refuses are refused when the study opens.
func TestNSGAIIValidate(t *testing.T) {
	for _, s := range []*NSGAIISampler{
		nil,
		{PopulationSize: 1},
		{PopulationSize: -3},
		{MutationProb: 1.5},
		{CrossoverProb: -0.1},
		{SwappingProb: math.NaN()},
		{PopulationSize: 2, Crossover: nsgaii.UNDX{}}, // three parents
	} {
		_, err := Open(ctx, Config{Directions: minMin, Sampler: s})
		if !errors.Is(err, ErrConfig) {
			t.Errorf("Open with %+v: %v, want ErrConfig", s, err)
		}
	}
	if _, err := Open(ctx, Config{Directions: minMin, Sampler: &NSGAIISampler{PopulationSize: 3, Crossover: nsgaii.SPX{}}}); err != nil {
		t.Errorf("a population of 3 with SPX (3 parents): %v", err)
	}
}

// panicky is a crossover of the caller's that panics.
type panicky struct{}

func (panicky) Parents() int { return 2 }
func (panicky) Cross(nsgaii.Rand, [][]float64, nsgaii.Space) ([]float64, error) {
	panic("a bug in the caller's crossover")
}

// What the study cannot give it never panics: the sampler's methods called
// directly without a context, a population whose constraints cannot be
// compared, complete trials without values, a crossover that panics.
func TestNSGAIIBadInput(t *testing.T) {
	s := &NSGAIISampler{PopulationSize: 2}
	if err := s.StartTrial(nil); !errors.Is(err, ErrConfig) {
		t.Errorf("StartTrial(nil) = %v, want ErrConfig", err)
	}
	if _, err := s.SampleRelative(nil); !errors.Is(err, ErrConfig) {
		t.Errorf("SampleRelative(nil) = %v, want ErrConfig", err)
	}
	if _, err := s.Sample(nil, "x", FloatDist{Low: 0, High: 1}); !errors.Is(err, ErrConfig) {
		t.Errorf("Sample(nil) = %v, want ErrConfig", err)
	}
	if _, err := s.Sample(&SampleContext{}, "x", FloatDist{Low: 1, High: 0}); !errors.Is(err, ErrConfig) {
		t.Errorf("Sample of an invalid range = %v, want ErrConfig", err)
	}
	if x, err := s.Sample(nil, "x", IntDist{Low: 3, High: 3}); x != 3 || err != nil {
		t.Errorf("Sample of a single value = %v, %v; want 3 without a draw", x, err)
	}
	member := func(n int, values, constraints []float64) FrozenTrial {
		return FrozenTrial{ID: int64(n), Number: n, State: Complete, Values: values, Constraints: constraints,
			Internal:      map[string]float64{"x": 0.5},
			Distributions: map[string]Distribution{"x": FloatDist{Low: 0, High: 1}},
			Attrs:         map[string]string{attrNSGAGeneration: "0"}}
	}
	start := func(trials ...FrozenTrial) (*FrozenTrial, error) {
		tr := &FrozenTrial{ID: 99, Number: 99, Attrs: map[string]string{}}
		c := &SampleContext{Trials: trials, Trial: tr, Directions: minMin, Rand: newTestRand()}
		return tr, s.StartTrial(c)
	}
	if _, err := start(member(0, []float64{1, 2}, []float64{1}), member(1, []float64{2, 1}, []float64{1, 2})); !errors.Is(err, ErrConfig) ||
		!strings.Contains(err.Error(), "constraints") {
		t.Errorf("constraints of different lengths: %v, want ErrConfig naming them", err)
	}
	// Complete trials without one value per objective (written by another
	// program) are no members: generation 0 is not full.
	tr, err := start(member(0, nil, nil), member(1, []float64{1}, nil), member(2, []float64{1, 2}, nil))
	if err != nil || tr.Attrs[attrNSGAGeneration] != "0" {
		t.Errorf("trials lacking values: %v, generation %q; want no error, generation 0", err, tr.Attrs[attrNSGAGeneration])
	}
	s.Crossover = panicky{}
	if _, err := start(member(0, []float64{1, 2}, nil), member(1, []float64{2, 1}, nil)); !errors.Is(err, ErrConfig) {
		t.Errorf("a crossover that panics: %v, want ErrConfig", err)
	}
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// hypervolumeOf is the hypervolume of the points below ref (minimized).
func hypervolumeOf(t *testing.T, points [][]float64, ref []float64) float64 {
	t.Helper()
	var in [][]float64
	for _, p := range points {
		if p[0] < ref[0] && p[1] < ref[1] {
			in = append(in, p)
		}
	}
	hv, err := pareto.Hypervolume(in, ref)
	if err != nil {
		t.Fatal(err)
	}
	return hv
}
