package optimizers_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/optimizers"
)

// flatten turns a JSON nested list into its values and shape.
func flatten(t *testing.T, v any) (vals []float64, shape []int) {
	t.Helper()
	switch x := v.(type) {
	case float64:
		return []float64{x}, nil
	case []any:
		for i, e := range x {
			ev, es := flatten(t, e)
			if i == 0 {
				shape = append([]int{len(x)}, es...)
			}
			vals = append(vals, ev...)
		}
		return vals, shape
	}
	t.Fatalf("unexpected %T in golden gradients", v)
	return nil, nil
}

// gradParams makes one parameter per golden gradient tensor, in dt.
func gradParams(t *testing.T, dt tensor.Dtype, grads []any) []G.ValueGrad {
	t.Helper()
	var ps []G.ValueGrad
	for _, g := range grads {
		vals, shape := flatten(t, g)
		gd, err := dense.FromFloat64(dt, vals, shape...)
		if err != nil {
			t.Fatal(err)
		}
		wd, err := dense.FromFloat64(dt, make([]float64, len(vals)), shape...)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, vg{w: wd, g: gd})
	}
	return ps
}

// ClipByValue and ClipByGlobalNorm give torch's clip_grad_value_ and
// clip_grad_norm_ results (and total norm), in float64 at 1e-9 and float32
// at 1e-5 relative (the clipped values are O(1), none near 0 but exact zeros).
func TestClipMatchesTorch(t *testing.T) {
	gf := loadGolden(t)
	if len(gf.Clip) == 0 {
		t.Fatal("optimizers.json holds no clipping cases")
	}
	for _, dt := range []struct {
		dtype tensor.Dtype
		tol   float64
	}{{tensor.Float64, 1e-9}, {tensor.Float32, 1e-5}} {
		for _, c := range gf.Clip {
			t.Run(fmt.Sprintf("%v/%s", dt.dtype, c.Name), func(t *testing.T) {
				ps := gradParams(t, dt.dtype, c.Grads)
				switch c.Kind {
				case "value":
					if err := optimizers.ClipByValue(ps, c.Arg); err != nil {
						t.Fatal(err)
					}
				case "norm":
					total, err := optimizers.ClipByGlobalNorm(ps, c.Arg)
					if err != nil {
						t.Fatal(err)
					}
					if e := relErr(total, c.TotalNorm, 1e-300); e > dt.tol {
						t.Errorf("total norm = %.17g, want %.17g (torch)", total, c.TotalNorm)
					}
				default:
					t.Fatalf("unknown kind %q", c.Kind)
				}
				for i, p := range ps {
					g, _ := p.Grad()
					got := dense.Float64s(g)
					want, _ := flatten(t, c.Clipped[i])
					for j := range want {
						if e := relErr(got[j], want[j], 1e-300); e > dt.tol {
							t.Errorf("grad %d[%d] = %.17g, want %.17g (torch), rel err %.2g", i, j, got[j], want[j], e)
						}
					}
				}
			})
		}
	}
}

// The brief's example, spelled out: [3, 4] and [12] at maxNorm 6.5.
func TestClipByGlobalNormExample(t *testing.T) {
	a, b := vg{w: f64(0, 0), g: f64(3, 4)}, vg{w: f64(0), g: f64(12)}
	total, err := optimizers.ClipByGlobalNorm([]G.ValueGrad{a, b}, 6.5)
	if err != nil || total != 13 {
		t.Fatalf("ClipByGlobalNorm = %v, %v; want 13, nil", total, err)
	}
	k := 6.5 / (total + 1e-6) // in float64, as the code does: not a constant expression
	got := append(dense.Float64s(a.g), dense.Float64s(b.g)...)
	for i, want := range []float64{3 * k, 4 * k, 12 * k} {
		if got[i] != want {
			t.Errorf("grad %d = %.17g, want %.17g", i, got[i], want)
		}
	}
}

// Gradients beyond √MaxFloat64 overflow Σg²; the norm is still right.
func TestClipByGlobalNormHugeGradients(t *testing.T) {
	a := vg{w: f64(0, 0), g: f64(3e200, -4e200)}
	total, err := optimizers.ClipByGlobalNorm([]G.ValueGrad{a}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := relErr(total, 5e200, 0); e > 1e-15 {
		t.Errorf("total = %v, want 5e200", total)
	}
	got := dense.Float64s(a.g)
	for i, want := range []float64{0.6, -0.8} {
		if e := relErr(got[i], want, 0); e > 1e-15 {
			t.Errorf("grad %d = %.17g, want %v", i, got[i], want)
		}
	}
}

// A NaN or infinite total norm is ErrNonFinite and changes no gradient.
func TestClipByGlobalNormNonFinite(t *testing.T) {
	for _, c := range []struct {
		name string
		bad  float64
		want string
	}{
		{"NaN", math.NaN(), "norm of the gradients is NaN"},
		{"+Inf", math.Inf(1), "norm of the gradients is +Inf"},
		{"-Inf", math.Inf(-1), "norm of the gradients is +Inf"},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%s/%v", c.name, dt), func(t *testing.T) {
				ps := gradParams(t, dt, []any{[]any{3.0, 4.0}, []any{c.bad, 1e200}})
				total, err := optimizers.ClipByGlobalNorm(ps, 1)
				if !errors.Is(err, optimizers.ErrNonFinite) || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("ClipByGlobalNorm = %v, %v; want ErrNonFinite saying %q", total, err, c.want)
				}
				if !math.IsNaN(total) && !math.IsInf(total, 1) {
					t.Errorf("total = %v, want NaN or +Inf", total)
				}
				g0, _ := ps[0].Grad()
				if got := dense.Float64s(g0); !slices.Equal(got, []float64{3, 4}) {
					t.Errorf("first gradient changed to %v", got)
				}
			})
		}
	}
}

func TestClipArguments(t *testing.T) {
	ok := func() []G.ValueGrad { return []G.ValueGrad{vg{w: f64(1), g: f64(2)}} }
	for _, c := range []struct {
		name string
		run  func() error
		is   error
		want string
	}{
		{"value 0", func() error { return optimizers.ClipByValue(ok(), 0) }, optimizers.ErrConfig, "clip = 0, want a value > 0"},
		{"value negative", func() error { return optimizers.ClipByValue(ok(), -1) }, optimizers.ErrConfig, "clip = -1"},
		{"value NaN", func() error { return optimizers.ClipByValue(ok(), math.NaN()) }, optimizers.ErrConfig, "clip = NaN"},
		{"norm 0", func() error { _, err := optimizers.ClipByGlobalNorm(ok(), 0); return err }, optimizers.ErrConfig, "maxNorm = 0, want a value > 0"},
		{"norm negative", func() error { _, err := optimizers.ClipByGlobalNorm(ok(), -2); return err }, optimizers.ErrConfig, "maxNorm = -2"},
		{"norm NaN", func() error { _, err := optimizers.ClipByGlobalNorm(ok(), math.NaN()); return err }, optimizers.ErrConfig, "maxNorm = NaN"},
		{"value int gradient", func() error {
			return optimizers.ClipByValue([]G.ValueGrad{vg{w: f64(1), g: tensor.New(tensor.WithBacking([]int{1}))}}, 1)
		}, optimizers.ErrParam, "parameter 0: gradient dtype is int"},
		{"norm missing gradient", func() error {
			_, err := optimizers.ClipByGlobalNorm([]G.ValueGrad{vg{w: f64(1), g: f64(5)}, vg{w: f64(1), err: errors.New("none")}}, 1)
			return err
		}, optimizers.ErrParam, "parameter 1 has no gradient: none"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want %v saying %q", err, c.is, c.want)
			}
		})
	}
}

// Clipping only changes gradients when a gradient exceeds the bound (the
// norm rule scales already when total > maxNorm − 1e-6, as torch), checks
// all gradients before changing any, and allocates nothing.
func TestClipLeavesSmallGradientsAndDoesNotAllocate(t *testing.T) {
	a, b := vg{w: f64(0, 0), g: f64(0.3, -0.4)}, vg{w: f32(0), g: f32(1.2)}
	ps := []G.ValueGrad{a, b}
	if n := testing.AllocsPerRun(100, func() {
		if err := optimizers.ClipByValue(ps, 2); err != nil {
			t.Fatal(err)
		}
		if total, err := optimizers.ClipByGlobalNorm(ps, 2); err != nil || math.Abs(total-1.3) > 1e-7 {
			t.Fatalf("ClipByGlobalNorm = %v, %v; want 1.3, nil", total, err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per clip, want 0", n)
	}
	if ga, gb := dense.Float64s(a.g), dense.Float64s(b.g); !slices.Equal(ga, []float64{0.3, -0.4}) || !slices.Equal(gb, []float64{float64(float32(1.2))}) {
		t.Errorf("gradients within the bounds changed to %v, %v", ga, gb)
	}
	bad := []G.ValueGrad{a, vg{w: f64(1), g: G.NewF64(1)}}
	if err := optimizers.ClipByValue(bad, 0.1); !errors.Is(err, optimizers.ErrParam) {
		t.Errorf("ClipByValue with a scalar gradient = %v, want ErrParam", err)
	}
	if _, err := optimizers.ClipByGlobalNorm(bad, 0.1); !errors.Is(err, optimizers.ErrParam) {
		t.Errorf("ClipByGlobalNorm with a scalar gradient = %v, want ErrParam", err)
	}
	if ga := dense.Float64s(a.g); !slices.Equal(ga, []float64{0.3, -0.4}) {
		t.Errorf("a failed clip changed the first gradient to %v", ga)
	}
}
