package nsgaii

import (
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/internal/nprand"
)

// The reference values come from Optuna 3.1 itself, through
// testdata/optuna/gen_nsgaii.py (see its docstring for the sections); whole
// studies are compared in package tuner (nsgaii_golden_test.go).

type goldenFile struct {
	Crossovers []struct {
		Crossover  string
		Args       map[string]float64
		Seed       uint32
		Objectives int
		Parents    [][]float64
		Low, High  []float64
		Child      []float64
		Next       float64
	}
	Elite []struct {
		Values      [][]golden.Num
		Constraints [][]float64
		Directions  []string
		Size        int
		Elite       []int
	}
}

var (
	goldenOnce sync.Once
	goldenData goldenFile
)

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	goldenOnce.Do(func() { golden.ReadTestdata(t, "optuna/nsgaii.json", &goldenData) })
	if len(goldenData.Crossovers) == 0 || len(goldenData.Elite) == 0 {
		t.Fatal("nsgaii.json: no crossover or elite cases")
	}
	return &goldenData
}

// crossoverOf builds the crossover a golden case names.
func crossoverOf(t *testing.T, name string, args map[string]float64) Crossover {
	t.Helper()
	switch name {
	case "uniform":
		return Uniform{SwappingProb: args["swapping_prob"]}
	case "blxalpha":
		return BLXAlpha{Alpha: args["alpha"]}
	case "sbx":
		return SBX{Eta: args["eta"]}
	case "vsbx":
		return VSBX{Eta: args["eta"]}
	case "undx":
		return UNDX{SigmaXi: args["sigma_xi"], SigmaEta: args["sigma_eta"]}
	case "spx":
		return SPX{Epsilon: args["epsilon"]}
	}
	t.Fatalf("unknown crossover %q", name)
	return nil
}

// Each crossover makes Optuna's child from numpy's stream, and takes as many
// draws: Uniform and BLXAlpha to the last bit (sums and products only), the
// others to 1e-12 (they take powers, square roots, a QR decomposition; numpy
// calls glibc and LAPACK, we Go's math and our own Householder QR).
func TestCrossoversMatchOptuna(t *testing.T) {
	for i, c := range loadGolden(t).Crossovers {
		x := crossoverOf(t, c.Crossover, c.Args)
		if x.Parents() != len(c.Parents) {
			t.Fatalf("case %d: %s takes %d parents, Optuna %d", i, c.Crossover, x.Parents(), len(c.Parents))
		}
		r := nprand.New(c.Seed)
		got, err := x.Cross(r, c.Parents, Space{Low: c.Low, High: c.High, Objectives: c.Objectives})
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, c.Crossover, err)
		}
		if len(got) != len(c.Child) {
			t.Fatalf("case %d (%s): child of %d coordinates, want %d", i, c.Crossover, len(got), len(c.Child))
		}
		exact := c.Crossover == "uniform" || c.Crossover == "blxalpha"
		for j := range got {
			if exact && got[j] != c.Child[j] || !(math.Abs(got[j]-c.Child[j]) <= 1e-12*math.Max(1, math.Abs(c.Child[j]))) {
				t.Errorf("case %d (%s%v, %d objectives): child[%d] = %.17g, Optuna %.17g", i, c.Crossover, c.Args, c.Objectives, j, got[j], c.Child[j])
			}
		}
		if next := r.Float64(); next != c.Next {
			t.Errorf("case %d (%s): the stream after the crossover draws %v, Optuna's %v: not as many draws", i, c.Crossover, next, c.Next)
		}
	}
}

func directions(t *testing.T, names []string) []goal.Direction {
	t.Helper()
	dirs := make([]goal.Direction, len(names))
	for i, n := range names {
		switch n {
		case "minimize":
			dirs[i] = goal.Minimize
		case "maximize":
			dirs[i] = goal.Maximize
		default:
			t.Fatalf("direction %q", n)
		}
	}
	return dirs
}

// SelectElite keeps Optuna's individuals in Optuna's order: the fronts in the
// order of its non-dominated sort, the last one by crowding distance.
func TestSelectEliteMatchesOptuna(t *testing.T) {
	for i, c := range loadGolden(t).Elite {
		pop := make([]Individual, len(c.Values))
		for j, v := range c.Values {
			pop[j] = Individual{Number: j, Values: floats(v)}
			if c.Constraints != nil {
				pop[j].Constraints = c.Constraints[j]
			}
		}
		elite, err := SelectElite(pop, c.Size, directions(t, c.Directions))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		got := make([]int, len(elite))
		for j, e := range elite {
			got[j] = e.Number
		}
		if !slices.Equal(got, c.Elite) {
			t.Errorf("case %d (%d points, size %d, %v, constrained %v): elite %v, Optuna %v",
				i, len(pop), c.Size, c.Directions, c.Constraints != nil, got, c.Elite)
		}
	}
}

func floats(v []golden.Num) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
