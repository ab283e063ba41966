package pareto

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/gradtune/gradtune/goal"
)

// ErrInput is wrapped by every error about malformed points, directions or
// reference points.
var ErrInput = errors.New("pareto: invalid input")

// Dominates reports whether a Pareto-dominates b: a is no worse than b in
// every objective and the two vectors differ (Optuna's _dominates: equal
// vectors do not dominate each other). A NaN value counts as the worst value
// of its objective, as Optuna counts a missing one. Vectors whose length is
// not len(dirs), or a direction other than Minimize or Maximize, dominate
// nothing; the functions returning errors check that first.
func Dominates(a, b []float64, dirs []goal.Direction) bool {
	if len(a) != len(dirs) || len(b) != len(dirs) {
		return false
	}
	strictly := false
	for i, d := range dirs {
		if d != goal.Minimize && d != goal.Maximize {
			return false
		}
		x, y := minimized(a[i], d), minimized(b[i], d)
		switch {
		case x > y:
			return false
		case x < y:
			strictly = true
		}
	}
	return strictly
}

// minimized maps v to minimization space: −v for Maximize, +Inf for NaN.
func minimized(v float64, d goal.Direction) float64 {
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	if d == goal.Maximize {
		return -v
	}
	return v
}

// Check validates points against dirs: every point has len(dirs) values, no
// value is NaN, and every direction is Minimize or Maximize. Errors wrap
// ErrInput.
func Check(points [][]float64, dirs []goal.Direction) error {
	if len(dirs) == 0 {
		return fmt.Errorf("%w: no directions (want one per objective)", ErrInput)
	}
	for i, d := range dirs {
		if d != goal.Minimize && d != goal.Maximize {
			return fmt.Errorf("%w: direction %d is %v, want minimize or maximize", ErrInput, i, d)
		}
	}
	for i, p := range points {
		if len(p) != len(dirs) {
			return fmt.Errorf("%w: point %d has %d values, want %d (one per direction)", ErrInput, i, len(p), len(dirs))
		}
		for j, v := range p {
			if math.IsNaN(v) {
				return fmt.Errorf("%w: point %d, objective %d is NaN", ErrInput, i, j)
			}
		}
	}
	return nil
}

// Front returns the indices, ascending, of the points that no other point
// dominates (the Pareto front); duplicates of a front point are all on it.
// Two objectives take O(n log n) (a sort and a sweep, as Optuna's
// _get_pareto_front_trials_2d); more take O(n²·d).
func Front(points [][]float64, dirs []goal.Direction) ([]int, error) {
	if err := Check(points, dirs); err != nil {
		return nil, err
	}
	if len(dirs) == 2 {
		return front2(points, dirs), nil
	}
	var front []int
	for i, p := range points {
		if !slices.ContainsFunc(points, func(q []float64) bool { return Dominates(q, p, dirs) }) {
			front = append(front, i)
		}
	}
	return front, nil
}

// front2 sorts by the first objective, then the second (both minimized), and
// keeps each point that the last kept one does not dominate.
func front2(points [][]float64, dirs []goal.Direction) []int {
	idx := make([]int, len(points))
	for i := range idx {
		idx[i] = i
	}
	key := func(i, j int) float64 { return minimized(points[i][j], dirs[j]) }
	sort.SliceStable(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		if x, y := key(ia, 0), key(ib, 0); x != y {
			return x < y
		}
		return key(ia, 1) < key(ib, 1)
	})
	var front []int
	for k, i := range idx {
		if k > 0 && Dominates(points[front[len(front)-1]], points[i], dirs) {
			continue
		}
		front = append(front, i)
	}
	slices.Sort(front)
	return front
}

// Ranks returns each point's non-domination rank: 0 for the Pareto front, 1
// for the front of what remains, and so on (the fast non-dominated sort of
// Deb et al., "A fast and elitist multiobjective genetic algorithm:
// NSGA-II", IEEE TEC 6(2), 2002), in O(n²·d).
func Ranks(points [][]float64, dirs []goal.Direction) ([]int, error) {
	if err := Check(points, dirs); err != nil {
		return nil, err
	}
	return ranksBy(len(points), func(i, j int) bool { return Dominates(points[i], points[j], dirs) }), nil
}

// ranksBy is the fast non-dominated sort under any dominance relation.
func ranksBy(n int, dominates func(i, j int) bool) []int {
	count := make([]int, n)   // how many points dominate i
	beats := make([][]int, n) // the points i dominates
	for i := range n {
		for j := i + 1; j < n; j++ {
			switch {
			case dominates(i, j):
				beats[i] = append(beats[i], j)
				count[j]++
			case dominates(j, i):
				beats[j] = append(beats[j], i)
				count[i]++
			}
		}
	}
	ranks := make([]int, n)
	var current []int
	for i, c := range count {
		if c == 0 {
			current = append(current, i)
		}
	}
	for r := 0; len(current) > 0; r++ {
		var next []int
		for _, i := range current {
			ranks[i] = r
			for _, j := range beats[i] {
				if count[j]--; count[j] == 0 {
					next = append(next, j)
				}
			}
		}
		current = next
	}
	return ranks
}
