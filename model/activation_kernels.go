package model

import (
	"github.com/gradtune/gradtune/internal/vec"
	"math"
	"strconv"
)

// The elementwise formulas of the activations, written as PyTorch 1.13
// computes them on the CPU (aten/src/ATen/native/cpu/Activation.cpp,
// UnaryOpsKernel.cpp, BinaryOpsKernel.cpp), in the tensor's own precision:
// float32 tensors are computed in float32, as torch does, so both round the
// same way where a formula cancels (e.g. 1 − σ(x) near x = 15). Only exp,
// log1p, tanh and erf go through float64 and are rounded back.

type float interface{ float32 | float64 }

// unary is one activation for one dtype, over slices: fwd sets
// dst[i] = f(x[i]) and bwd sets dst[i] = g[i]·f′(x[i]). dst may alias an
// input.
type unary[T float] struct {
	fwd func(dst, x []T)
	bwd func(dst, x, g []T)
}

// perElement lifts scalar formulas to slices. The cheap activations (ReLU,
// LeakyReLU) write their loops out instead, so the compiler inlines the
// formula: a call per element would cost more than the formula.
func perElement[T float](f func(x T) T, df func(x, g T) T) unary[T] {
	return unary[T]{
		fwd: func(dst, x []T) {
			for i, v := range x {
				dst[i] = f(v)
			}
		},
		bwd: func(dst, x, g []T) {
			for i, v := range x {
				dst[i] = df(v, g[i])
			}
		},
	}
}

// kernel is one activation for both dtypes. name identifies it with its
// parameters (it is hashed into the graph, so different parameters must give
// different names).
type kernel struct {
	name string
	f64  unary[float64]
	f32  unary[float32]
}

func exp[T float](x T) T   { return T(math.Exp(float64(x))) }
func log1p[T float](x T) T { return T(math.Log1p(float64(x))) }
func tanh[T float](x T) T  { return T(math.Tanh(float64(x))) }
func erf[T float](x T) T   { return T(math.Erf(float64(x))) }

// relu: clamp_min(x, 0); backward threshold_backward(g, y, 0): 0 where y ≤ 0.
func relu[T float]() unary[T] {
	return unary[T]{
		// max(x, 0) is x where x > 0 or NaN and +0 elsewhere (-0 included):
		// ReLUBackward with g = x, vectorized where AVX is available.
		fwd: func(dst, x []T) { vec.ReLUBackward(dst, x, x) },
		bwd: vec.ReLUBackward[T], // g where x > 0 (or NaN), else +0; AVX where available
	}
}

// leakyReLU: x > 0 ? x : x·slope, and the same test for the gradient
// (so f′(0) = slope, as torch).
func leakyReLU[T float](slope float64) unary[T] {
	s := T(slope)
	return unary[T]{
		fwd: func(dst, x []T) {
			for i, v := range x {
				y := v * s
				if v > 0 {
					y = v
				}
				dst[i] = y
			}
		},
		bwd: func(dst, x, g []T) {
			for i, v := range x {
				d := g[i] * s
				if v > 0 {
					d = g[i]
				}
				dst[i] = d
			}
		},
	}
}

// elu: x ≤ 0 ? (exp(x) − 1)·α : x (torch 1.13 uses exp − 1, not expm1);
// gradient x ≤ 0 ? g·α·exp(x) : g.
func elu[T float](alpha float64) unary[T] {
	a := T(alpha)
	return perElement(
		func(x T) T {
			if x <= 0 {
				return (exp(x) - 1) * a
			}
			return x
		},
		func(x, g T) T {
			if x <= 0 {
				return g * a * exp(x)
			}
			return g
		})
}

// tanhAct: y = tanh(x); gradient g·(1 − y²).
func tanhAct[T float]() unary[T] {
	return perElement(tanh[T], func(x, g T) T {
		y := tanh(x)
		return g * (1 - y*y)
	})
}

// sigmoid: y = 1 / (1 + exp(−x)), finite for every x (exp(−x) = +Inf gives
// 0); gradient g·(1 − y)·y.
func sigmoid[T float]() unary[T] {
	f := func(x T) T { return 1 / (1 + exp(-x)) }
	return perElement(f, func(x, g T) T {
		y := f(x)
		return g * (1 - y) * y
	})
}

// softplus: x·β > threshold ? x : log1p(exp(x·β)) / β; gradient
// x·β > threshold ? g : g·z / (z + 1) with z = exp(x·β).
func softplus[T float](beta, threshold float64) unary[T] {
	b, th := T(beta), T(threshold)
	return perElement(
		func(x T) T {
			if x*b > th {
				return x
			}
			return log1p(exp(x*b)) / b
		},
		func(x, g T) T {
			if x*b > th {
				return g
			}
			z := exp(x * b)
			return g * z / (z + 1)
		})
}

// geluErf: x·½·(1 + erf(x/√2)); gradient g·(Φ(x) + x·φ(x)) with
// Φ(x) = ½·(1 + erf(x/√2)) and φ(x) = exp(−x²/2)/√(2π).
func geluErf[T float]() unary[T] {
	alpha := T(math.Sqrt2 / 2)                      // M_SQRT1_2
	beta := T(2 / math.SqrtPi * math.Sqrt2 / 2 / 2) // M_2_SQRTPI·M_SQRT1_2·½ = 1/√(2π)
	return perElement(
		func(x T) T { return x * 0.5 * (1 + erf(x*alpha)) },
		func(x, g T) T {
			cdf := 0.5 * (1 + erf(x*alpha))
			pdf := beta * exp(x*x*-0.5)
			return g * (cdf + x*pdf)
		})
}

// geluTanh: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) and its exact derivative.
func geluTanh[T float]() unary[T] {
	beta := T(math.Sqrt2 * (2 / math.SqrtPi) * 0.5) // √(2/π)
	kappa := T(0.044715)
	return perElement(
		func(x T) T {
			inner := beta * (x + kappa*(x*x*x))
			return 0.5 * x * (1 + tanh(inner))
		},
		func(x, g T) T {
			xSq := x * x
			inner := beta * (x + kappa*(xSq*x))
			t := tanh(inner)
			left := 0.5 * x
			right := 1 + t
			leftD := 0.5 * right
			tanhD := 1 - t*t
			innerD := beta * (1 + 3*kappa*xSq)
			rightD := left * tanhD * innerD
			return g * (leftD + rightD)
		})
}

// fmtFloat writes v so that it round-trips: kernel names must differ
// whenever the parameters differ.
func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
