package pareto

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/gradtune/gradtune/goal"
)

func TestDominates(t *testing.T) {
	minmin := []goal.Direction{goal.Minimize, goal.Minimize}
	maxmin := []goal.Direction{goal.Maximize, goal.Minimize}
	for _, c := range []struct {
		a, b []float64
		dirs []goal.Direction
		want bool
	}{
		{[]float64{1, 1}, []float64{2, 1}, minmin, true},
		{[]float64{1, 1}, []float64{1, 1}, minmin, false}, // equal: neither dominates
		{[]float64{1, 2}, []float64{2, 1}, minmin, false}, // a trade-off
		{[]float64{2, 1}, []float64{1, 1}, maxmin, true},  // higher first objective is better
		{[]float64{1, 1}, []float64{math.NaN(), 1}, minmin, true},
		{[]float64{math.NaN(), 1}, []float64{1, 1}, minmin, false},
		{[]float64{1}, []float64{2, 1}, minmin, false},                            // wrong length
		{[]float64{1, 1}, []float64{2, 2}, []goal.Direction{goal.Auto, 1}, false}, // no direction
	} {
		if got := Dominates(c.a, c.b, c.dirs); got != c.want {
			t.Errorf("Dominates(%v, %v, %v) = %t, want %t", c.a, c.b, c.dirs, got, c.want)
		}
	}
}

func TestFrontAndRanksInput(t *testing.T) {
	dirs := []goal.Direction{goal.Minimize, goal.Maximize, goal.Minimize}
	points := [][]float64{{1, 5, 1}, {1, 5, 1}, {2, 5, 2}, {0, 0, 0}}
	front, err := Front(points, dirs)
	if err != nil || !slices.Equal(front, []int{0, 1, 3}) {
		t.Errorf("front %v, %v; want [0 1 3] (duplicates both on it)", front, err)
	}
	ranks, err := Ranks(points, dirs)
	if err != nil || !slices.Equal(ranks, []int{0, 0, 1, 0}) {
		t.Errorf("ranks %v, %v; want [0 0 1 0]", ranks, err)
	}
	for name, c := range map[string]struct {
		points [][]float64
		dirs   []goal.Direction
	}{
		"no directions":  {[][]float64{{1}}, nil},
		"auto direction": {[][]float64{{1, 2}}, []goal.Direction{goal.Minimize, goal.Auto}},
		"ragged":         {[][]float64{{1, 2}, {1}}, []goal.Direction{goal.Minimize, goal.Minimize}},
		"NaN":            {[][]float64{{1, math.NaN()}}, []goal.Direction{goal.Minimize, goal.Minimize}},
	} {
		if _, err := Front(c.points, c.dirs); !errors.Is(err, ErrInput) {
			t.Errorf("Front, %s: err %v, want ErrInput", name, err)
		}
		if _, err := Ranks(c.points, c.dirs); !errors.Is(err, ErrInput) {
			t.Errorf("Ranks, %s: err %v, want ErrInput", name, err)
		}
	}
	if _, err := CrowdingDistance([][]float64{{1, 2}, {1}}); !errors.Is(err, ErrInput) {
		t.Errorf("CrowdingDistance of ragged points: err %v, want ErrInput", err)
	}
	if _, err := ConstrainedRanks(points, [][]float64{{1}}, dirs); !errors.Is(err, ErrInput) {
		t.Errorf("ConstrainedRanks with too few constraint lists: err %v, want ErrInput", err)
	}
}
