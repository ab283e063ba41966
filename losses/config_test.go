package losses

import (
	"errors"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/rowmajor"
)

// A bad setting is an ErrConfig naming the field, the value and the allowed
// range, the same from Validate, EncodeTargets and PerSample, before any graph
// runs.
func TestBadSettings(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		name     string
		l        Loss
		validate bool // reported by Validate, not only against the outputs
		mention  []string
	}{
		{"huber delta negative", Huber{Delta: -1}, true, []string{"Delta = -1", "> 0"}},
		{"huber delta NaN", Huber{Delta: nan}, true, []string{"Delta = NaN"}},
		{"huber delta Inf", Huber{Delta: inf}, true, []string{"Delta = +Inf", "finite"}},
		{"smooth_l1 beta negative", SmoothL1{Beta: -0.5}, true, []string{"Beta = -0.5", "> 0"}},
		{"label smoothing 1", CrossEntropy{LabelSmoothing: 1}, true, []string{"LabelSmoothing = 1", "[0, 1)"}},
		{"label smoothing negative", CrossEntropy{LabelSmoothing: -0.1}, true, []string{"LabelSmoothing = -0.1"}},
		{"label smoothing NaN", CrossEntropy{LabelSmoothing: nan}, true, []string{"LabelSmoothing = NaN"}},
		{"ce class weight negative", CrossEntropy{ClassWeights: []float64{1, -2, 1}}, true, []string{"ClassWeights[1] = -2", "≥ 0"}},
		{"ce class weight NaN", CrossEntropy{ClassWeights: []float64{nan, 1, 1}}, true, []string{"ClassWeights[0] = NaN"}},
		{"ce class weights length", CrossEntropy{ClassWeights: []float64{1, 2}}, false, []string{"2 entries", "(3)"}},
		{"nll class weight negative", NLL{ClassWeights: []float64{1, 1, -0.5}}, true, []string{"ClassWeights[2] = -0.5"}},
		{"nll class weights length", NLL{ClassWeights: []float64{1, 1, 1, 1}}, false, []string{"4 entries", "(3)"}},
		{"pos_weight negative", BCEWithLogits{PosWeight: []float64{1, -1, 1}}, true, []string{"PosWeight[1] = -1", "≥ 0"}},
		{"pos_weight Inf", BCEWithLogits{PosWeight: []float64{1, 1, inf}}, true, []string{"PosWeight[2] = +Inf"}},
		{"pos_weight length", BCEWithLogits{PosWeight: []float64{1, 2}}, false, []string{"2 entries", "(3)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			check := func(how string, err error) {
				t.Helper()
				if !errors.Is(err, ErrConfig) {
					t.Fatalf("%s: error = %v, want ErrConfig", how, err)
				}
				for _, m := range c.mention {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("%s: error %q does not mention %q", how, err, m)
					}
				}
			}
			if c.validate {
				check("Validate", c.l.(interface{ Validate() error }).Validate())
			}
			// Raw targets that would be valid for 3 outputs.
			y, k := []float64{0, 1, 0}, 3
			if _, ok := c.l.(CrossEntropy); ok {
				y, k = []float64{1}, 1
			} else if _, ok := c.l.(NLL); ok {
				y, k = []float64{1}, 1
			}
			_, err := c.l.EncodeTargets(rowmajor.Matrix{Rows: 1, Cols: k, Data: y}, 3)
			check("EncodeTargets", err)
			g := G.NewGraph()
			p := G.NewMatrix(g, G.Float64, G.WithShape(2, 3), G.WithName("p"))
			y2 := G.NewMatrix(g, G.Float64, G.WithShape(2, c.l.TargetWidth(3)), G.WithName("y"))
			_, err = c.l.PerSample(p, y2)
			check("PerSample", err)
		})
	}
}

// torch's label smoothing with a zero class weight has no per-sample
// weighting for class-label targets: refused with labels, fine with
// probabilities.
func TestZeroClassWeightWithSmoothing(t *testing.T) {
	l := CrossEntropy{LabelSmoothing: 0.1, ClassWeights: []float64{1, 0, 2}}
	_, err := l.EncodeTargets(rowmajor.Matrix{Rows: 1, Cols: 1, Data: []float64{0}}, 3)
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "ClassWeights[1] = 0") {
		t.Errorf("labels: error = %v, want ErrConfig naming ClassWeights[1] = 0", err)
	}
	if _, err := l.EncodeTargets(rowmajor.Matrix{Rows: 1, Cols: 3, Data: []float64{0.5, 0.25, 0.25}}, 3); err != nil {
		t.Errorf("probabilities: error = %v, want nil", err)
	}
}

// Zero settings are torch's defaults: Huber{} is delta 1, SmoothL1{} beta 1,
// BCEWithLogits{} pos_weight 1.
func TestZeroValueDefaults(t *testing.T) {
	for _, c := range []struct {
		zero, explicit Loss
	}{
		{Huber{}, Huber{Delta: 1}},
		{SmoothL1{}, SmoothL1{Beta: 1}},
		{BCEWithLogits{}, BCEWithLogits{PosWeight: []float64{1, 1}}},
	} {
		t.Run(c.zero.String(), func(t *testing.T) {
			lc := lossCase{Pred: [][]float64{{-3, 0.25}, {0.5, 2}}, Target: [][]float64{{1, 0}, {0, 1}}, Cotangent: []float64{1, 1}}
			for _, red := range reductions {
				a := eval(t, c.zero, lc, red.r, dtypeTols[0].dt)
				b := eval(t, c.explicit, lc, red.r, dtypeTols[0].dt)
				tolerance{1e-15, 0}.check(t, red.name+" value", a.value, b.value)
				tolerance{1e-15, 0}.check(t, red.name+" grad", a.grad, b.grad)
			}
		})
	}
}
