package nsgaii

import (
	"fmt"
	"math"
)

// Crossover makes a child from parents in the transformed space (Param's
// Bounds): Optuna 3.1's BaseCrossover. The sampler applies it to the
// numerical parameters only; categorical ones always take Uniform's
// per-parameter swap.
type Crossover interface {
	// Parents is the number of parents a child takes (n_parents), at least 1.
	Parents() int
	// Cross returns the child of parents ([Parents()][d]) as d coordinates.
	// It may leave the space; the sampler then draws new parents and tries
	// again. An error stops the breeding (Breed returns it).
	Cross(r Rand, parents [][]float64, s Space) ([]float64, error)
}

// Space is what a crossover knows of the search: each coordinate's bounds
// in the transformed space, and the study's number of objectives.
type Space struct {
	Low, High  []float64
	Objectives int
}

// checkCross refuses what the built-in crossovers cannot cross (ErrInput):
// no Rand, other than n parents, bounds or parents of different lengths.
func checkCross(name string, n int, r Rand, parents [][]float64, s Space) error {
	switch {
	case r == nil:
		return fmt.Errorf("%w: %s: no Rand", ErrInput, name)
	case len(parents) != n:
		return fmt.Errorf("%w: %s: %d parents, want %d", ErrInput, name, len(parents), n)
	case len(s.Low) != len(s.High):
		return fmt.Errorf("%w: %s: %d low bounds, %d high", ErrInput, name, len(s.Low), len(s.High))
	}
	for i, p := range parents {
		if len(p) != len(s.Low) {
			return fmt.Errorf("%w: %s: parent %d has %d coordinates, the space %d", ErrInput, name, i, len(p), len(s.Low))
		}
	}
	return nil
}

// Uniform takes each coordinate from one of two parents (Syswerda 1989,
// "Uniform crossover in genetic algorithms"): the first with probability
// SwappingProb, the second otherwise, as Optuna's UniformCrossover, its
// default, does.
type Uniform struct {
	SwappingProb float64 // 0 → 0.5
}

// Parents implements Crossover: 2.
func (Uniform) Parents() int { return 2 }

// Cross implements Crossover: one uniform per coordinate, which takes the
// first parent's value below SwappingProb, the second's otherwise (Optuna's
// masks = rand(d) >= swapping_prob pick row 1).
func (c Uniform) Cross(r Rand, parents [][]float64, s Space) ([]float64, error) {
	if err := checkCross("Uniform", 2, r, parents, s); err != nil {
		return nil, err
	}
	p := c.SwappingProb
	if p == 0 {
		p = 0.5
	}
	child := make([]float64, len(s.Low))
	for i := range child {
		if r.Float64() >= p {
			child[i] = parents[1][i]
		} else {
			child[i] = parents[0][i]
		}
	}
	return child, nil
}

// BLXAlpha draws each coordinate uniformly from the parents' interval
// widened by Alpha times its length on each side (Eshelman and Schaffer
// 1993, "Real-coded genetic algorithms and interval-schemata", eq. 1):
// Optuna's BLXAlphaCrossover.
type BLXAlpha struct {
	Alpha float64 // 0 → 0.5
}

// Parents implements Crossover: 2.
func (BLXAlpha) Parents() int { return 2 }

// Cross implements Crossover.
func (c BLXAlpha) Cross(r Rand, parents [][]float64, s Space) ([]float64, error) {
	if err := checkCross("BLXAlpha", 2, r, parents, s); err != nil {
		return nil, err
	}
	alpha := c.Alpha
	if alpha == 0 {
		alpha = 0.5
	}
	lo, hi := minMax(parents)
	child := make([]float64, len(s.Low))
	for i := range child {
		diff := float64(alpha * (hi[i] - lo[i]))
		low, high := lo[i]-diff, hi[i]+diff
		child[i] = float64((high-low)*r.Float64()) + low
	}
	return child, nil
}

// minMax returns the smallest and largest value of each coordinate over
// the rows.
// rows is not empty.
func minMax(rows [][]float64) (lo, hi []float64) {
	lo, hi = make([]float64, len(rows[0])), make([]float64, len(rows[0]))
	for i := range lo {
		lo[i], hi[i] = math.Inf(1), math.Inf(-1)
		for _, row := range rows {
			lo[i], hi[i] = min(lo[i], row[i]), max(hi[i], row[i])
		}
	}
	return lo, hi
}
