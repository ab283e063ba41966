package nsgaii

import "math"

// SBX is simulated binary crossover (Deb and Agrawal 1995, "Simulated binary
// crossover for continuous search space"; eqs. 3 to 5 of Raghuwanshi's
// "Simulated binary crossover with lognormal distribution"), as Optuna's
// SBXCrossover makes one child: per coordinate, each of the two children
// c₁, c₂ of the polynomial distribution of index Eta, kept inside the
// bounds as Optuna does, or either parent, each with probability ¼.
type SBX struct {
	// Eta is the distribution index; larger keeps the child nearer its
	// parents. 0 → 20 for several objectives, 2 for one (Optuna's).
	Eta float64
}

// Parents implements Crossover: 2.
func (SBX) Parents() int { return 2 }

// Cross implements Crossover. It draws d uniforms, then two per coordinate.
func (c SBX) Cross(r Rand, parents [][]float64, s Space) ([]float64, error) {
	if err := checkCross("SBX", 2, r, parents, s); err != nil {
		return nil, err
	}
	eta := defaultEta(c.Eta, s.Objectives)
	lo, hi := minMax(parents)
	us := uniforms(r, len(s.Low))
	c1, c2 := make([]float64, len(us)), make([]float64, len(us))
	for i, u := range us {
		diff := max(hi[i]-lo[i], 1e-10)
		beta1 := 1 + float64(2*(lo[i]-s.Low[i]))/diff
		beta2 := 1 + float64(2*(s.High[i]-hi[i]))/diff
		alpha1 := 2 - math.Pow(beta1, -(eta+1))
		alpha2 := 2 - math.Pow(beta2, -(eta+1))
		bq1 := sbxBeta(u, alpha1, eta)
		bq2 := sbxBeta(u, alpha2, eta)
		c1[i] = 0.5 * ((lo[i] + hi[i]) - float64(bq1*diff))
		c2[i] = 0.5 * ((lo[i] + hi[i]) + float64(bq2*diff))
	}
	return pick(r, c1, c2, parents), nil
}

// sbxBeta is eq. 3's spread factor: (u·α)^(1/(η+1)) for u ≤ 1/α, else
// (1/(2 − u·α))^(1/(η+1)).
func sbxBeta(u, alpha, eta float64) float64 {
	if u > 1/alpha {
		return math.Pow(1/(2-float64(u*alpha)), 1/(eta+1))
	}
	return math.Pow(float64(u*alpha), 1/(eta+1))
}

// VSBX is Ballester and Carter's modified SBX (2003, "Real-parameter genetic
// algorithms for finding multiple optimal solutions in multi-modal
// optimization", §3.2), which reaches every region of the space, as Optuna's
// VSBXCrossover makes one child: per coordinate, each of two children or
// either parent, each with probability ¼.
type VSBX struct {
	// Eta is the distribution index. 0 → 20 for several objectives, 2 for
	// one (Optuna's).
	Eta float64
}

// Parents implements Crossover: 2.
func (VSBX) Parents() int { return 2 }

// Cross implements Crossover. It draws d uniforms, then two per coordinate.
func (c VSBX) Cross(r Rand, parents [][]float64, s Space) ([]float64, error) {
	if err := checkCross("VSBX", 2, r, parents, s); err != nil {
		return nil, err
	}
	eta := defaultEta(c.Eta, s.Objectives)
	us := uniforms(r, len(s.Low))
	x1, x2 := parents[0], parents[1]
	c1, c2 := make([]float64, len(us)), make([]float64, len(us))
	for i, u := range us {
		b1 := math.Pow(0.5*u, 1/(eta+1))
		b2 := math.Pow(0.5*(1-u), 1/(eta+1))
		if u > 0.5 {
			c1[i] = 0.5 * (float64((1-b1)*x1[i]) + float64((1+b1)*x2[i]))
			c2[i] = 0.5 * (float64(-(1-b2)*x1[i]) + float64((3-b2)*x2[i]))
		} else {
			c1[i] = 0.5 * (float64((1+b1)*x1[i]) + float64((1-b1)*x2[i]))
			c2[i] = 0.5 * (float64((3-b2)*x1[i]) - float64((1-b2)*x2[i]))
		}
	}
	return pick(r, c1, c2, parents), nil
}

func defaultEta(eta float64, objectives int) float64 {
	switch {
	case eta != 0:
		return eta
	case objectives > 1:
		return 20
	}
	return 2
}

// uniforms draws n uniforms (numpy's rand(n)).
func uniforms(r Rand, n int) []float64 {
	us := make([]float64, n)
	for i := range us {
		us[i] = r.Float64()
	}
	return us
}

// pick takes each coordinate from c1 or c2 (a crossover, probability ½,
// then ½ each) or from the first or second parent, two uniforms per
// coordinate, as SBX and VSBX make their one child in Optuna.
func pick(r Rand, c1, c2 []float64, parents [][]float64) []float64 {
	child := make([]float64, len(c1))
	for i := range child {
		if r.Float64() < 0.5 {
			if r.Float64() < 0.5 {
				child[i] = c1[i]
			} else {
				child[i] = c2[i]
			}
		} else {
			if r.Float64() < 0.5 {
				child[i] = parents[0][i]
			} else {
				child[i] = parents[1][i]
			}
		}
	}
	return child
}
