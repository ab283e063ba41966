package vec

import "math"

// The scalar loops define the results; the assembly loops match them bit
// for bit. Go does not fuse x*y + z into an FMA on amd64 (GOAMD64=v1, the
// default); with GOAMD64=v3 the scalar loops may round differently.

func adamScalar[T Float](w, g, m, v []T, h AdamConsts[T]) {
	b1, omb1, b2, omb2 := h.Beta1, h.OneMinusBeta1, h.Beta2, h.OneMinusBeta2
	negStep, bc2Sqrt, eps, wd, decay := h.NegStepSize, h.BC2Sqrt, h.Eps, h.WeightDecay, h.DecayFactor
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		gi, wi := g[i], w[i]*decay
		if h.L2 {
			gi += wd * wi
		}
		mi := b1*m[i] + omb1*gi
		vi := b2*v[i] + omb2*gi*gi
		m[i], v[i] = mi, vi
		w[i] = wi + negStep*mi/(sqrt(vi)/bc2Sqrt+eps)
		g[i] = 0
	}
}

// sqrt is correctly rounded in T: float64's square root rounded to float32
// is float32's square root (53 ≥ 2·24 + 2 bits), as VSQRTPS computes it.
func sqrt[T Float](x T) T { return T(math.Sqrt(float64(x))) }

func allFiniteScalar[T Float](x []T) bool {
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

func reluBackwardScalar[T Float](dst, x, g []T) {
	x, g = x[:len(dst)], g[:len(dst)]
	for i, v := range x {
		d := g[i]
		if v <= 0 {
			d = 0
		}
		dst[i] = d
	}
}
