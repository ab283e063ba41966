package pareto

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/internal/golden"
)

// num is a JSON number that may also be "inf" or "-inf".
type num = golden.Num

type vecs [][]num

func (v vecs) floats() [][]float64 {
	if v == nil {
		return nil
	}
	out := make([][]float64, len(v))
	for i, p := range v {
		if p == nil {
			continue
		}
		out[i] = make([]float64, len(p))
		for j, x := range p {
			out[i][j] = float64(x)
		}
	}
	return out
}

type goldenFile struct {
	Optuna string
	Front  []struct {
		Points     vecs
		Directions []string
		Front      []int
	}
	Ranks []struct {
		Points     vecs
		Directions []string
		Ranks      []int
	}
	Constrained []struct {
		Points      vecs
		Constraints vecs
		Directions  []string
		Ranks       []int
	}
	Crowding []struct {
		Points   vecs
		Distance []num
	}
	Hypervolume []struct {
		Points      vecs
		Reference   []num
		Hypervolume float64
	}
}

func loadGolden(t *testing.T) goldenFile {
	t.Helper()
	b, err := os.ReadFile("../../testdata/optuna/pareto.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Front) < 20 || len(g.Hypervolume) < 20 || len(g.Crowding) < 10 || len(g.Constrained) < 10 {
		t.Fatalf("golden file has too few cases: %d front, %d hypervolume, %d crowding, %d constrained",
			len(g.Front), len(g.Hypervolume), len(g.Crowding), len(g.Constrained))
	}
	return g
}

func directions(t *testing.T, names []string) []goal.Direction {
	t.Helper()
	var dirs []goal.Direction
	for _, n := range names {
		d, err := goal.Parse(n)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	return dirs
}

func TestFrontMatchesOptuna(t *testing.T) {
	for i, c := range loadGolden(t).Front {
		got, err := Front(c.Points.floats(), directions(t, c.Directions))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !slices.Equal(got, c.Front) {
			t.Errorf("case %d (%d points, %v): front %v, Optuna %v", i, len(c.Points), c.Directions, got, c.Front)
		}
	}
}

func TestRanksMatchOptuna(t *testing.T) {
	g := loadGolden(t)
	for i, c := range g.Ranks {
		got, err := Ranks(c.Points.floats(), directions(t, c.Directions))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !slices.Equal(got, c.Ranks) {
			t.Errorf("case %d: ranks %v, Optuna %v", i, got, c.Ranks)
		}
	}
	for i, c := range g.Constrained {
		got, err := ConstrainedRanks(c.Points.floats(), c.Constraints.floats(), directions(t, c.Directions))
		if err != nil {
			t.Fatalf("constrained case %d: %v", i, err)
		}
		if !slices.Equal(got, c.Ranks) {
			t.Errorf("constrained case %d: ranks %v, Optuna %v", i, got, c.Ranks)
		}
	}
}

func TestCrowdingDistanceMatchesOptuna(t *testing.T) {
	for i, c := range loadGolden(t).Crowding {
		got, err := CrowdingDistance(c.Points.floats())
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		for j, want := range c.Distance {
			if got[j] != float64(want) {
				t.Errorf("case %d, point %d: distance %v, Optuna %v", i, j, got[j], float64(want))
			}
		}
	}
}

func TestHypervolumeMatchesOptuna(t *testing.T) {
	for i, c := range loadGolden(t).Hypervolume {
		ref := make([]float64, len(c.Reference))
		for j, r := range c.Reference {
			ref[j] = float64(r)
		}
		got, err := Hypervolume(c.Points.floats(), ref)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		// The same steps in the same order as Optuna: equal to the last bit.
		if got != c.Hypervolume {
			t.Errorf("case %d (%d points in %d-D): hypervolume %.17g, Optuna %.17g", i, len(c.Points), len(ref), got, c.Hypervolume)
		}
	}
}
