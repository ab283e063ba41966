package pareto

import (
	"fmt"
	"math"
	"sort"
)

// CrowdingDistance returns NSGA-II's crowding distance of each point of one
// front (Deb et al. 2002), with Optuna 3.1's conventions
// (optuna/samplers/nsgaii/_sampler.py, _calc_crowding_distance): per
// objective, the points are sorted by value (a stable sort that starts from
// the previous objective's order, as Optuna sorts its population in place);
// an objective whose values are all equal adds nothing; otherwise each point
// adds the gap between its neighbours' values divided by the spread of the
// finite values (1 if that spread is 0), the first and last points having
// −Inf and +Inf as outer neighbours, and Inf−Inf counting as 0. So the ends of
// each objective's range get +Inf. Larger means lonelier.
//
// points: (n, d), any directions (the distance is the same for −v).
// Errors wrap ErrInput: ragged points or a NaN value.
func CrowdingDistance(points [][]float64) ([]float64, error) {
	dist := make([]float64, len(points))
	if len(points) == 0 {
		return dist, nil
	}
	d := len(points[0])
	for i, p := range points {
		if len(p) != d {
			return nil, fmt.Errorf("%w: point %d has %d values, point 0 has %d", ErrInput, i, len(p), d)
		}
		for j, v := range p {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("%w: point %d, objective %d is NaN", ErrInput, i, j)
			}
		}
	}
	order := make([]int, len(points))
	for i := range order {
		order[i] = i
	}
	vs := make([]float64, len(points)+2)
	for k := range d {
		sort.SliceStable(order, func(a, b int) bool { return points[order[a]][k] < points[order[b]][k] })
		first, last := points[order[0]][k], points[order[len(order)-1]][k]
		if first == last {
			continue
		}
		vs[0], vs[len(vs)-1] = math.Inf(-1), math.Inf(1)
		for j, i := range order {
			vs[j+1] = points[i][k]
		}
		width := finiteSpread(vs)
		for j, i := range order {
			if vs[j] != vs[j+2] { // Inf−Inf and (−Inf)−(−Inf) add 0
				dist[i] += (vs[j+2] - vs[j]) / width
			}
		}
	}
	return dist, nil
}

// finiteSpread is the largest value that is not +Inf minus the smallest that
// is not −Inf, or 1 when that is not positive (all values equal or infinite).
func finiteSpread(sorted []float64) float64 {
	lo, hi := math.Inf(-1), math.Inf(1)
	for _, v := range sorted {
		if !math.IsInf(v, -1) {
			lo = v
			break
		}
	}
	for i := len(sorted) - 1; i >= 0; i-- {
		if !math.IsInf(sorted[i], 1) {
			hi = sorted[i]
			break
		}
	}
	if w := hi - lo; w > 0 {
		return w
	}
	return 1
}
