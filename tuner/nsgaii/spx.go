package nsgaii

import "math"

// SPX is simplex crossover (Tsutsui, Goldberg and Sastry 2000, "Progress
// toward linkage learning in real-coded GAs with simplex crossover", §2),
// as Optuna's SPXCrossover: the child is drawn uniformly from the simplex of
// three parents expanded by Epsilon about their centre of mass.
type SPX struct {
	Epsilon float64 // 0 → √(d + 2) for d coordinates
}

// Parents implements Crossover: 3.
func (SPX) Parents() int { return 3 }

// Cross implements Crossover. It draws two uniforms.
func (c SPX) Cross(r Rand, parents [][]float64, s Space) ([]float64, error) {
	const k = 3
	if err := checkCross("SPX", k, r, parents, s); err != nil {
		return nil, err
	}
	n := len(s.Low)
	rs := []float64{r.Float64(), math.Pow(r.Float64(), 0.5)} // rᵢ = uᵢ^(1/(i+1)), eq. 2
	eps := c.Epsilon
	if eps == 0 {
		eps = math.Sqrt(float64(n + 2))
	}
	g := make([]float64, n) // eq. 1
	for i := range g {
		g[i] = (parents[0][i] + parents[1][i] + parents[2][i]) / k
	}
	xs := make([][]float64, k) // eq. 3
	for j := range xs {
		xs[j] = make([]float64, n)
		for i := range n {
			xs[j][i] = g[i] + float64(eps*(parents[j][i]-g[i]))
		}
	}
	ck := make([]float64, n) // eq. 4
	for j := 1; j < k; j++ {
		for i := range ck {
			ck[i] = rs[j-1] * (xs[j-1][i] - xs[j][i] + ck[i])
		}
	}
	child := make([]float64, n) // eq. 5
	for i := range child {
		child[i] = xs[k-1][i] + ck[i]
	}
	return child, nil
}
