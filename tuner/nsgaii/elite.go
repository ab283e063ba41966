package nsgaii

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// Individual is a complete trial as NSGA-II sees it: its number, objective
// values, constraints (nil: none reported) and internal parameter values.
type Individual struct {
	Number      int
	Values      []float64
	Constraints []float64
	Params      map[string]float64
}

// dominates is Optuna 3.1's domination between two individuals of one
// population: pareto.ConstrainedDominates, so Dominates when neither
// reported constraints.
func dominates(a, b *Individual, dirs []goal.Direction) bool {
	return pareto.ConstrainedDominates(a.Values, b.Values, a.Constraints, b.Constraints, dirs)
}

// checkPopulation refuses what Optuna refuses to compare (ErrInput): values
// that are not one per direction or NaN, constraints of different lengths
// or NaN.
func checkPopulation(pop []Individual, dirs []goal.Direction) error {
	if err := pareto.Check(nil, dirs); err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	width := -1
	for _, ind := range pop {
		if len(ind.Values) != len(dirs) {
			return fmt.Errorf("%w: trial %d has %d values, want %d (one per direction)", ErrInput, ind.Number, len(ind.Values), len(dirs))
		}
		if slices.ContainsFunc(ind.Values, math.IsNaN) {
			return fmt.Errorf("%w: trial %d has a NaN value %v", ErrInput, ind.Number, ind.Values)
		}
		if ind.Constraints == nil {
			continue
		}
		if slices.ContainsFunc(ind.Constraints, math.IsNaN) {
			return fmt.Errorf("%w: trial %d has a NaN constraint %v", ErrInput, ind.Number, ind.Constraints)
		}
		if width >= 0 && len(ind.Constraints) != width {
			return fmt.Errorf("%w: trial %d has %d constraints, others %d", ErrInput, ind.Number, len(ind.Constraints), width)
		}
		width = len(ind.Constraints)
	}
	return nil
}

// SelectElite returns the size best individuals of pop, in Optuna 3.1's
// order (NSGAIISampler._select_elite_population): whole fronts of the
// non-dominated sort while they fit, best first, each in the order of
// Optuna's sort (which moves the last individual into each one it takes);
// then the front that does not fit fully (or just fits) sorted by crowding
// distance, largest first (ties in the reverse of their order after the
// crowding distance's per-objective sorts), cut to what is left. Domination
// is constrained (pareto.ConstrainedDominates): the individuals that
// reported no constraints come after those that did. pop itself is left
// as it is.
//
// Errors wrap ErrInput: values that are not one per direction, or NaN,
// constraints of different lengths or NaN, a direction other than
// Minimize or Maximize, size < 1.
func SelectElite(pop []Individual, size int, dirs []goal.Direction) ([]Individual, error) {
	if size < 1 {
		return nil, fmt.Errorf("%w: elite of size %d, want ≥ 1", ErrInput, size)
	}
	if err := checkPopulation(pop, dirs); err != nil {
		return nil, err
	}
	var elite []Individual
	for _, front := range fronts(pop, dirs) {
		if len(elite)+len(front) < size {
			for _, i := range front {
				elite = append(elite, pop[i])
			}
			continue
		}
		front, err := crowdingSort(pop, front)
		if err != nil {
			return nil, err
		}
		for _, i := range front[:size-len(elite)] {
			elite = append(elite, pop[i])
		}
		break
	}
	return elite, nil
}

// fronts is Optuna 3.1's _fast_non_dominated_sort: the indices of pop by
// front, best first, each in the order that sort leaves them.
func fronts(pop []Individual, dirs []goal.Direction) [][]int {
	n := len(pop)
	count := make([]int, n)
	beats := make([][]int, n)
	for i := range n {
		for j := i + 1; j < n; j++ {
			switch {
			case dominates(&pop[i], &pop[j], dirs):
				beats[i] = append(beats[i], j)
				count[j]++
			case dominates(&pop[j], &pop[i], dirs):
				beats[j] = append(beats[j], i)
				count[i]++
			}
		}
	}
	rest := make([]int, n)
	for i := range rest {
		rest[i] = i
	}
	var out [][]int
	for len(rest) > 0 {
		var front []int
		for i := 0; i < len(rest); {
			if count[rest[i]] != 0 {
				i++
				continue
			}
			front = append(front, rest[i])
			// Python's population[i] = population.pop(): the last one
			// takes the place of the one taken, and is looked at next.
			last := len(rest) - 1
			rest[i] = rest[last]
			rest = rest[:last]
		}
		for _, x := range front {
			for _, y := range beats[x] {
				count[y]--
			}
		}
		out = append(out, front)
	}
	return out
}

// crowdingSort is Optuna 3.1's _crowding_distance_sort of one front
// (indices into pop): stable sorts by each objective in turn (as
// _calc_crowding_distance sorts the population in place), a stable sort by
// crowding distance, then the whole reversed.
func crowdingSort(pop []Individual, front []int) ([]int, error) {
	if len(front) == 0 {
		return nil, nil
	}
	// The distances depend on the order of ties in each sort, which starts
	// from the front's order: pareto.CrowdingDistance sorts as Optuna does.
	points := make([][]float64, len(front))
	for i, j := range front {
		points[i] = pop[j].Values
	}
	dist, err := pareto.CrowdingDistance(points)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	order := make([]int, len(front)) // positions in front
	for i := range order {
		order[i] = i
	}
	for k := range points[0] {
		sort.SliceStable(order, func(a, b int) bool { return points[order[a]][k] < points[order[b]][k] })
	}
	sort.SliceStable(order, func(a, b int) bool { return dist[order[a]] < dist[order[b]] })
	out := make([]int, len(order))
	for i, p := range order {
		out[len(out)-1-i] = front[p]
	}
	return out, nil
}
