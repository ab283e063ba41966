package nsgaii

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/internal/nprand"
)

var minMin = []goal.Direction{goal.Minimize, goal.Minimize}

func TestParamTransform(t *testing.T) {
	for _, c := range []struct {
		p          Param
		low, high  float64
		y, x       float64 // Untransform(y) = x
		contains   []float64
		notContain []float64
	}{
		{Param{Kind: Float, Low: -1, High: 2}, -1, 2, 2.5, math.Nextafter(2, 0), []float64{-1, 0.3, 2}, []float64{-1.5, 2.1}},
		{Param{Kind: Float, Low: -1, High: 2}, -1, 2, -1.5, -1.5, nil, nil}, // below Low: kept, Contains refuses it
		{Param{Kind: Float, Low: 0, High: 1, Step: 0.25}, -0.125, 1.125, 0.375, 0.5, []float64{0.25, 1}, []float64{0.3}},
		{Param{Kind: Int, Low: 0, High: 10, Step: 2}, -1, 11, 3, 4, []float64{0, 4, 10}, []float64{3, 12}},
		{Param{Kind: Int, Low: 1, High: 64, Log: true}, math.Log(0.5), math.Log(64.5), math.Log(2.5), 2, []float64{1, 17, 64}, []float64{0, 65, 1.5}},
		{Param{Kind: Float, Low: 3, High: 3}, 3, 3, 3, 3, []float64{3}, []float64{3.1}},
		{Param{Kind: Categorical, Choices: 3}, 0, 1, 0, 0, []float64{0, 2}, []float64{3, -1, 0.5}},
	} {
		if err := c.p.Validate(); err != nil {
			t.Fatalf("%+v: %v", c.p, err)
		}
		if lo, hi := c.p.Bounds(); lo != c.low || hi != c.high {
			t.Errorf("%+v: bounds [%v, %v], want [%v, %v]", c.p, lo, hi, c.low, c.high)
		}
		if c.p.Kind != Categorical {
			if got := c.p.Untransform(c.y); got != c.x {
				t.Errorf("%+v: Untransform(%v) = %v, want %v", c.p, c.y, got, c.x)
			}
		}
		for _, x := range c.contains {
			if !c.p.Contains(x) {
				t.Errorf("%+v: Contains(%v) = false", c.p, x)
			}
		}
		for _, x := range c.notContain {
			if c.p.Contains(x) {
				t.Errorf("%+v: Contains(%v) = true", c.p, x)
			}
		}
	}
	for _, bad := range []Param{
		{Kind: Float, Low: 2, High: 1}, {Kind: Float, Low: 0, High: math.Inf(1)}, {Kind: Float, Low: 0, High: 1, Log: true},
		{Kind: Int, Low: 0, High: 1, Step: -1}, {Kind: Categorical}, {Kind: 7},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrInput) {
			t.Errorf("Validate(%+v) = %v, want ErrInput", bad, err)
		}
	}
}

// Draw is Optuna's RandomSampler: a uniform on the bounds, or a categorical's
// argmax of one uniform per choice.
func TestDraw(t *testing.T) {
	r, ref := nprand.New(3), nprand.New(3)
	p := Param{Kind: Float, Low: 1e-3, High: 1, Log: true}
	if got, err := Draw(r, p); err != nil || math.Abs(got-math.Exp(ref.Uniform(math.Log(1e-3), 0))) > 1e-15 {
		t.Errorf("log draw %v (%v), want exp of a uniform on the logs", got, err)
	}
	us := []float64{ref.Float64(), ref.Float64(), ref.Float64()}
	want := float64(slices.Index(us, slices.Max(us)))
	if got, err := Draw(r, Param{Kind: Categorical, Choices: 3}); got != want || err != nil {
		t.Errorf("categorical draw %v (%v), want the argmax of %v", got, err, us)
	}
	if _, err := Draw(nil, p); !errors.Is(err, ErrInput) {
		t.Errorf("Draw without a Rand: %v, want ErrInput", err)
	}
	if _, err := Draw(r, Param{Kind: Float, Low: 1, High: 0}); !errors.Is(err, ErrInput) {
		t.Errorf("Draw of an invalid range: %v, want ErrInput", err)
	}
}

// pop2 is a population of n individuals with parameters x (float) and c
// (categorical of 2).
func pop2(n int) []Individual {
	pop := make([]Individual, n)
	for i := range pop {
		pop[i] = Individual{Number: i, Values: []float64{float64(i), float64(n - i)},
			Params: map[string]float64{"x": float64(i) / float64(n), "c": float64(i % 2)}}
	}
	return pop
}

var space2 = []Param{{Name: "c", Kind: Categorical, Choices: 2}, {Name: "x", Kind: Float, Low: 0, High: 1}}

func TestBreedInput(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct {
		name  string
		pop   []Individual
		space []Param
		o     Options
	}{
		{"empty population", nil, space2, Options{}},
		{"fewer than the parents", pop2(2), space2, Options{Crossover: SPX{}}},
		{"a bad probability", pop2(4), space2, Options{MutationProb: 2}},
		{"a bad parameter", pop2(4), []Param{{Name: "x", Kind: Float, Low: 1, High: 0}}, Options{}},
		{"a missing parameter", pop2(4), []Param{{Name: "y", Kind: Float, Low: 0, High: 1}}, Options{}},
		{"a value outside", pop2(4), []Param{{Name: "x", Kind: Float, Low: 0.5, High: 1}}, Options{}},
		{"ragged values", append(pop2(3), Individual{Number: 9, Values: []float64{1}, Params: pop2(1)[0].Params}), space2, Options{}},
	} {
		if _, err := Breed(r, c.pop, c.space, minMin, c.o); !errors.Is(err, ErrInput) {
			t.Errorf("%s: %v, want ErrInput", c.name, err)
		}
	}
}

// Without mutation the child holds every parameter, each from a parent; with
// MutationProb 1 none.
func TestBreedParentsAndMutation(t *testing.T) {
	pop := pop2(6)
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 0))
		child, err := Breed(r, pop, space2, minMin, Options{MutationProb: 1e-300})
		if err != nil {
			t.Fatal(err)
		}
		if len(child.Params) != 2 || len(child.Parents) == 0 {
			t.Fatalf("seed %d: child %+v, want both parameters and its parents", seed, child)
		}
		for name, v := range child.Params {
			if !slices.ContainsFunc(child.Parents, func(n int) bool { return pop[n].Params[name] == v }) {
				t.Errorf("seed %d: %s = %v is none of parents %v's", seed, name, v, child.Parents)
			}
		}
		child, err = Breed(r, pop, space2, minMin, Options{MutationProb: 1})
		if err != nil || len(child.Params) != 0 {
			t.Errorf("seed %d, MutationProb 1: %+v, %v; want every parameter dropped", seed, child, err)
		}
	}
}

// away always leaves the space.
type away struct{}

func (away) Parents() int { return 2 }
func (away) Cross(_ Rand, parents [][]float64, s Space) ([]float64, error) {
	out := make([]float64, len(s.Low))
	for i := range out {
		out[i] = s.High[i] + 5
	}
	return out, nil
}

// A crossover that never stays inside does not loop forever: after
// MaxCrossoverTries its child is clipped into the space.
func TestBreedClipsAfterMaxTries(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	child, err := Breed(r, pop2(5), space2, minMin, Options{CrossoverProb: 1, MutationProb: 1e-300, Crossover: away{}})
	if err != nil {
		t.Fatal(err)
	}
	if x := child.Params["x"]; !space2[1].Contains(x) {
		t.Errorf("x = %v, want it clipped into [0, 1)", x)
	}
}

// Parents picks the last full generation and remembers its selection: a
// second call with the same members returns the same, one with a changed
// member selects anew.
func TestGenerations(t *testing.T) {
	var g Generations
	var members []Member
	for i, ind := range pop2(7) {
		members = append(members, Member{Individual: ind, Generation: i / 3})
	}
	gen, parents, err := g.Parents(members, 3, minMin)
	if err != nil || gen != 1 || len(parents) != 3 {
		t.Fatalf("Parents = %d, %d parents, %v; want generation 1, 3 parents (generation 2 has 1 member)", gen, len(parents), err)
	}
	again, parents2, _ := g.Parents(members, 3, minMin)
	if again != gen || !slices.EqualFunc(parents, parents2, func(a, b Individual) bool { return a.Number == b.Number }) {
		t.Error("a second call with the same members differs")
	}
	members[4].Values = []float64{-10, -10} // dominates all
	_, parents3, _ := g.Parents(members, 3, minMin)
	if parents3[0].Number != 4 {
		t.Errorf("after trial 4 improved, the elite starts with %d, want 4", parents3[0].Number)
	}
	if gen, parents, err := g.Parents(members[:2], 3, minMin); gen != -1 || parents != nil || err != nil {
		t.Errorf("generation 0 not full: %d, %v, %v; want -1, none", gen, parents, err)
	}
	if _, _, err := g.Parents(members, 0, minMin); !errors.Is(err, ErrInput) {
		t.Errorf("size 0: %v, want ErrInput", err)
	}
}
