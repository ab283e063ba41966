//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// hasAVX: the loops use VEX-encoded YMM instructions only (no FMA, no AVX2
// integer ones); cpu.X86.HasAVX also checks that the OS saves YMM registers.
var hasAVX = cpu.X86.HasAVX

// lanes is the elements of T per YMM register.
func lanes[T Float]() int {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return 8
	}
	return 4
}

// whole is the longest prefix of n elements that fills whole registers.
func whole[T Float](n int) int { return n - n%lanes[T]() }

// adamAVX runs the assembly over whole registers and returns how many
// elements it did. The slices have equal lengths.
func adamAVX[T Float](w, g, m, v []T, h AdamConsts[T]) int {
	n := whole[T](len(w))
	if n == 0 {
		return 0
	}
	c := [9]T{h.Beta1, h.OneMinusBeta1, h.Beta2, h.OneMinusBeta2, h.NegStepSize, h.BC2Sqrt, h.Eps, h.WeightDecay, h.DecayFactor}
	switch c := any(&c).(type) {
	case *[9]float32:
		w, g, m, v := any(w).([]float32), any(g).([]float32), any(m).([]float32), any(v).([]float32)
		sadam(n, &w[0], &g[0], &m[0], &v[0], c, h.L2)
	case *[9]float64:
		w, g, m, v := any(w).([]float64), any(g).([]float64), any(m).([]float64), any(v).([]float64)
		dadam(n, &w[0], &g[0], &m[0], &v[0], c, h.L2)
	}
	return n
}

// adamSnapAVX is adamAVX saving w into prev first; it returns how many
// elements it did and whether their new w are finite.
func adamSnapAVX[T Float](w, g, m, v, prev []T, h AdamConsts[T]) (int, bool) {
	n := whole[T](len(w))
	if n == 0 {
		return 0, true
	}
	c := [9]T{h.Beta1, h.OneMinusBeta1, h.Beta2, h.OneMinusBeta2, h.NegStepSize, h.BC2Sqrt, h.Eps, h.WeightDecay, h.DecayFactor}
	switch c := any(&c).(type) {
	case *[9]float32:
		w, g, m, v, prev := any(w).([]float32), any(g).([]float32), any(m).([]float32), any(v).([]float32), any(prev).([]float32)
		return n, sadamSnap(n, &w[0], &g[0], &m[0], &v[0], &prev[0], c, h.L2)
	case *[9]float64:
		w, g, m, v, prev := any(w).([]float64), any(g).([]float64), any(m).([]float64), any(v).([]float64), any(prev).([]float64)
		return n, dadamSnap(n, &w[0], &g[0], &m[0], &v[0], &prev[0], c, h.L2)
	}
	return 0, true
}

func finiteAVX[T Float](x []T) (done int, ok bool) {
	n := whole[T](len(x))
	if n == 0 {
		return 0, true
	}
	switch x := any(x).(type) {
	case []float32:
		return n, sfinite(n, &x[0])
	case []float64:
		return n, dfinite(n, &x[0])
	}
	return 0, true
}

func reluBackwardAVX[T Float](dst, x, g []T) int {
	n := whole[T](len(dst))
	if n == 0 {
		return 0
	}
	switch dst := any(dst).(type) {
	case []float32:
		x, g := any(x).([]float32), any(g).([]float32)
		sreluBackward(n, &dst[0], &x[0], &g[0])
	case []float64:
		x, g := any(x).([]float64), any(g).([]float64)
		dreluBackward(n, &dst[0], &x[0], &g[0])
	}
	return n
}

func addAVX[T Float](dst, x []T) int {
	n := whole[T](len(dst))
	if n == 0 {
		return 0
	}
	switch dst := any(dst).(type) {
	case []float32:
		sadd(n, &dst[0], &any(x).([]float32)[0])
	case []float64:
		dadd(n, &dst[0], &any(x).([]float64)[0])
	}
	return n
}
