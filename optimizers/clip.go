package optimizers

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/gerr"
)

// Clipping works on the raw gradients, so call it after the forward/backward
// run and before the solver's Step (which consumes and zeroes them). Both
// functions check every gradient before changing any, and never allocate.

// ClipByValue clamps every gradient element to [−clip, clip], in place, as
// torch.nn.utils.clip_grad_value_(parameters, clip). NaN elements stay NaN.
// Each vgs[i].Grad() must be a float32 or float64 *tensor.Dense (any shape).
// It returns an error wrapping ErrConfig when clip is not > 0 (+Inf is a
// no-op), or ErrParam for an unusable gradient.
func ClipByValue(vgs []G.ValueGrad, clip float64) error {
	if !(clip > 0) {
		return fmt.Errorf("%w: clip = %v, want a value > 0", ErrConfig, clip)
	}
	return gerr.Do("optimizers: clip by value", func() error {
		if err := checkGrads(vgs); err != nil {
			return err
		}
		for i, vg := range vgs {
			g, _ := denseGrad(vg, i)
			if g.Dtype() == tensor.Float32 {
				clamp(g.Float32s(), float32(clip))
			} else {
				clamp(g.Float64s(), clip)
			}
		}
		return nil
	})
}

func clamp[T float](g []T, c T) {
	for i, x := range g {
		if x > c {
			g[i] = c
		} else if x < -c {
			g[i] = -c
		}
	}
}

// ClipByGlobalNorm scales all gradients together so that their joint L2 norm
// is at most maxNorm, as torch.nn.utils.clip_grad_norm_(parameters, maxNorm,
// norm_type=2, error_if_nonfinite=True):
//
//	total = √(Σ_params Σ_elements g²)
//	g ← g · min(1, maxNorm / (total + 1e-6))
//
// It returns total (computed before clipping). Example: gradients [3, 4] and
// [12], maxNorm 6.5: total 13, both scaled by 6.5/(13 + 1e-6) ≈ 0.5 to
// ≈ [1.5, 2] and [6]. Like torch, gradients whose total lies just below
// maxNorm (within 1e-6) are scaled too, by a factor just below 1.
//
// Each vgs[i].Grad() must be a float32 or float64 *tensor.Dense (any shape).
// Errors: ErrConfig when maxNorm is not > 0 (+Inf never clips); ErrParam for
// an unusable gradient; ErrNonFinite when total is NaN or +Inf (a NaN or Inf
// gradient), in which case no gradient is changed. Where we differ from
// PyTorch: the sum of squares is accumulated in float64 (torch uses the
// gradients' dtype), and when it overflows while every gradient is finite
// (float64 elements beyond about 1e154) the norm is recomputed with scaling
// instead of reported as +Inf.
func ClipByGlobalNorm(vgs []G.ValueGrad, maxNorm float64) (totalNorm float64, err error) {
	if !(maxNorm > 0) {
		return 0, fmt.Errorf("%w: maxNorm = %v, want a value > 0", ErrConfig, maxNorm)
	}
	err = gerr.Do("optimizers: clip by global norm", func() error {
		if err := checkGrads(vgs); err != nil {
			return err
		}
		totalNorm = globalNorm(vgs)
		if math.IsNaN(totalNorm) || math.IsInf(totalNorm, 0) {
			return fmt.Errorf("%w: the total L2 norm of the gradients is %v, so they cannot be clipped", ErrNonFinite, totalNorm)
		}
		coef := maxNorm / (totalNorm + 1e-6)
		if !(coef < 1) {
			return nil
		}
		for i, vg := range vgs {
			g, _ := denseGrad(vg, i)
			if g.Dtype() == tensor.Float32 {
				scale(g.Float32s(), float32(coef))
			} else {
				scale(g.Float64s(), coef)
			}
		}
		return nil
	})
	return totalNorm, err
}

// globalNorm is √(Σ g²) over all gradients, in float64. Only if the plain sum
// overflows does it take a second, scaled pass (max|g| · √(Σ (g/max|g|)²)).
func globalNorm(vgs []G.ValueGrad) float64 {
	var sum float64
	for i, vg := range vgs {
		g, _ := denseGrad(vg, i)
		if g.Dtype() == tensor.Float32 {
			sum += sumSquares(g.Float32s())
		} else {
			sum += sumSquares(g.Float64s())
		}
	}
	if !math.IsInf(sum, 1) {
		return math.Sqrt(sum)
	}
	var biggest float64
	for i, vg := range vgs {
		g, _ := denseGrad(vg, i)
		if g.Dtype() == tensor.Float32 {
			biggest = max(biggest, maxAbs(g.Float32s()))
		} else {
			biggest = max(biggest, maxAbs(g.Float64s()))
		}
	}
	if math.IsInf(biggest, 0) || math.IsNaN(biggest) {
		return biggest
	}
	sum = 0
	for i, vg := range vgs {
		g, _ := denseGrad(vg, i)
		if g.Dtype() == tensor.Float32 {
			sum += sumScaledSquares(g.Float32s(), biggest)
		} else {
			sum += sumScaledSquares(g.Float64s(), biggest)
		}
	}
	return biggest * math.Sqrt(sum)
}

func sumSquares[T float](g []T) float64 {
	var s float64
	for _, x := range g {
		s += float64(x) * float64(x)
	}
	return s
}

// sumScaledSquares is Σ (g/d)², each term ≤ 1 when d = max|g|.
func sumScaledSquares[T float](g []T, d float64) float64 {
	var s float64
	for _, x := range g {
		y := float64(x) / d
		s += y * y
	}
	return s
}

func maxAbs[T float](g []T) float64 {
	var m float64
	for _, x := range g {
		m = max(m, math.Abs(float64(x)))
	}
	return m
}

func scale[T float](g []T, c T) {
	for i := range g {
		g[i] *= c
	}
}

// checkGrads checks every gradient, so that clipping changes all or none.
func checkGrads(vgs []G.ValueGrad) error {
	for i, vg := range vgs {
		if _, err := denseGrad(vg, i); err != nil {
			return err
		}
	}
	return nil
}
