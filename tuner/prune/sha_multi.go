package prune

import (
	"fmt"
	"sort"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// promotableMulti is promotable for several objectives: competing[0], the
// asking trial's vector, goes on if it is among the best
// max(⌊|V|/η⌋, 1) of the vectors V = competing, ordered as NSGA-II orders
// a population (Deb et al., "A fast and elitist multiobjective genetic
// algorithm: NSGA-II", IEEE TEC 6(2), 2002): by non-domination rank
// (pareto.Ranks) first, then, within a rank, by crowding distance among
// that rank's vectors (pareto.CrowdingDistance), larger first. A vector
// tied with the last one kept (same rank and distance) goes on too, as
// ties do with one objective. With one objective this is promotable: the
// rank orders by value, and equal values have equal distance (0).
func promotableMulti(competing [][]float64, eta int, dirs []tuner.Direction) bool {
	ranks, err := pareto.Ranks(competing, dirs)
	if err != nil {
		return true // not reached: shaDecide passes no NaN and one value per objective
	}
	byRank := map[int][]int{}
	for i, r := range ranks {
		byRank[r] = append(byRank[r], i)
	}
	crowding := make([]float64, len(competing))
	for _, members := range byRank {
		points := make([][]float64, len(members))
		for j, i := range members {
			points[j] = competing[i]
		}
		d, err := pareto.CrowdingDistance(points)
		if err != nil {
			return true // not reached, as above
		}
		for j, i := range members {
			crowding[i] = d[j]
		}
	}
	order := make([]int, len(competing))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if ranks[i] != ranks[j] {
			return ranks[i] < ranks[j]
		}
		return crowding[i] > crowding[j]
	})
	last := order[max(len(competing)/eta, 1)-1]
	return ranks[0] < ranks[last] || ranks[0] == ranks[last] && crowding[0] >= crowding[last]
}

// checkDirections is ValidateDirections of the successive-halving pruners:
// every direction Minimize or Maximize.
func checkDirections(dirs []tuner.Direction) error {
	for i, d := range dirs {
		if d != tuner.Minimize && d != tuner.Maximize {
			return fmt.Errorf("%w: pruner: direction %d is %v, want minimize or maximize", tuner.ErrConfig, i, d)
		}
	}
	return nil
}

// directions returns the study's directions that c gives: Directions with
// several objectives, else [Direction] (a context built by hand for one
// objective may leave Directions nil).
func directions(c *tuner.PruneContext) []tuner.Direction {
	if len(c.Directions) > 1 {
		return c.Directions
	}
	return []tuner.Direction{c.Direction}
}
