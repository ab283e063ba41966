package nsgaii

import "math"

// UNDX is unimodal normal distribution crossover (Kita, Ono and Kobayashi
// 1999, "Multi-parental extension of the unimodal normal distribution
// crossover for real-coded genetic algorithms", §2), as Optuna's
// UNDXCrossover: the child is the midpoint of the first two parents, plus
// ξ·(x₁ − x₂) along the line through them, plus Σ ηₖ·eₖ·D over an
// orthonormal basis eₖ of the space orthogonal to that line, D being the
// third parent's distance from the line. ξ and the ηₖ are normal with
// standard deviations SigmaXi² and SigmaEta², as in Optuna, which passes
// the squares where numpy's normal takes a standard deviation (the paper's
// variances would be SigmaXi² and SigmaEta²).
type UNDX struct {
	SigmaXi  float64 // 0 → 0.5
	SigmaEta float64 // 0 → 0.35/√d for d coordinates
}

// Parents implements Crossover: 3.
func (UNDX) Parents() int { return 3 }

// Cross implements Crossover. It draws d normals (the ηₖ), then one (ξ).
func (c UNDX) Cross(r Rand, parents [][]float64, s Space) ([]float64, error) {
	if err := checkCross("UNDX", 3, r, parents, s); err != nil {
		return nil, err
	}
	n := len(s.Low)
	x1, x2, x3 := parents[0], parents[1], parents[2]
	sigmaXi, sigmaEta := c.SigmaXi, c.SigmaEta
	if sigmaXi == 0 {
		sigmaXi = 0.5
	}
	if sigmaEta == 0 {
		sigmaEta = 0.35 / math.Sqrt(float64(n))
	}
	etas := make([]float64, n)
	for i := range etas {
		etas[i] = float64(sigmaEta*sigmaEta) * r.NormFloat64()
	}
	xi := float64(sigmaXi*sigmaXi) * r.NormFloat64()
	child := make([]float64, n)
	for i := range child {
		child[i] = (x1[i]+x2[i])/2 + float64(xi*(x1[i]-x2[i]))
	}
	if n <= 1 {
		return child, nil // no direction orthogonal to the line
	}
	e12 := direction(x1, x2)
	v13 := make([]float64, n)
	for i := range v13 {
		v13[i] = x3[i] - x1[i]
	}
	along := dot(v13, e12)
	for i := range v13 {
		v13[i] -= float64(along * e12[i])
	}
	d := math.Sqrt(dot(v13, v13))
	es := orthonormalBasis(e12)
	three := make([]float64, n)
	for k := range n - 1 {
		for i := range three {
			three[i] += float64(etas[k] * es[k][i])
		}
	}
	for i := range child {
		child[i] += float64(three[i] * d)
	}
	return child, nil
}

// direction is (x₂ − x₁)/max(‖x₂ − x₁‖, 1e-10).
func direction(x1, x2 []float64) []float64 {
	v := make([]float64, len(x1))
	for i := range v {
		v[i] = x2[i] - x1[i]
	}
	m := max(math.Sqrt(dot(v, v)), 1e-10)
	for i := range v {
		v[i] /= m
	}
	return v
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += float64(a[i] * b[i])
	}
	return s
}

// orthonormalBasis returns n − 1 orthonormal vectors orthogonal to e, a
// unit vector of n coordinates (or 0), as Optuna computes them: the Q of
// the QR decomposition of the identity whose first column is e (left as
// the identity when e is 0), by Householder reflections with LAPACK's
// signs (numpy's qr: dgeqrf, dorgqr), its columns 2 to n.
func orthonormalBasis(e []float64) [][]float64 {
	n := len(e)
	a := make([][]float64, n) // a[row][col], column 0 = e
	for i := range a {
		a[i] = make([]float64, n)
		a[i][i] = 1
	}
	if nonzero(e) {
		for i := range a {
			a[i][0] = e[i]
		}
	}
	q := householderQ(a)
	basis := make([][]float64, n-1)
	for k := range basis {
		basis[k] = make([]float64, n)
		for i := range n {
			basis[k][i] = q[i][k+1]
		}
	}
	return basis
}

func nonzero(v []float64) bool {
	for _, x := range v {
		if x != 0 {
			return true
		}
	}
	return false
}

// householderQ returns the orthogonal factor Q of the square matrix a
// (a[row][col]) as LAPACK's unblocked dgeqr2 and dorg2r compute it: H₀H₁…
// with Hᵢ = I − τᵢvᵢvᵢᵀ, vᵢ's head 1, and βᵢ = −sign(αᵢ)·‖(αᵢ, xᵢ)‖
// (dlarfg). a is overwritten.
func householderQ(a [][]float64) [][]float64 {
	n := len(a)
	tau := make([]float64, n)
	for i := range n {
		// dlarfg on column i, rows i..n-1.
		alpha := a[i][i]
		xnorm := 0.0
		for r := i + 1; r < n; r++ {
			xnorm = math.Hypot(xnorm, a[r][i])
		}
		if xnorm == 0 {
			tau[i] = 0
		} else {
			beta := -math.Copysign(math.Hypot(alpha, xnorm), alpha)
			tau[i] = (beta - alpha) / beta
			scale := 1 / (alpha - beta)
			for r := i + 1; r < n; r++ {
				a[r][i] *= scale
			}
			a[i][i] = beta
		}
		// Apply Hᵢ to the columns right of i (dlarf, from the left).
		if i < n-1 && tau[i] != 0 {
			aii := a[i][i]
			a[i][i] = 1
			applyReflector(a, i, i+1, tau[i])
			a[i][i] = aii
		}
	}
	// dorg2r: form Q in place, from the last reflector to the first.
	for i := n - 1; i >= 0; i-- {
		if i < n-1 {
			a[i][i] = 1
			applyReflector(a, i, i+1, tau[i])
		}
		for r := i + 1; r < n; r++ {
			a[r][i] *= -tau[i]
		}
		a[i][i] = 1 - tau[i]
		for r := range i {
			a[r][i] = 0
		}
	}
	return a
}

// applyReflector applies I − τvvᵀ, v being column i of a from row i down,
// to columns from..n-1 of a, rows i..n-1: w = Cᵀv, C −= τ·v·wᵀ.
func applyReflector(a [][]float64, i, from int, tau float64) {
	n := len(a)
	for c := from; c < n; c++ {
		w := 0.0
		for r := i; r < n; r++ {
			w += float64(a[r][c] * a[r][i])
		}
		w *= tau
		for r := i; r < n; r++ {
			a[r][c] -= float64(w * a[r][i])
		}
	}
}
