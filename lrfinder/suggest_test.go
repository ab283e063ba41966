package lrfinder

import (
	"fmt"
	"strings"
	"testing"
)

// TestThresholdsMatchGenerator keeps the trust thresholds in step with
// gen_lrfinder.py, which computed the verdicts below with them.
func TestThresholdsMatchGenerator(t *testing.T) {
	g := loadGolden(t)
	if MinDrop != g.MinDrop || MinMonotone != g.MinMonotone {
		t.Errorf("MinDrop %g, MinMonotone %g; generator used %g, %g", MinDrop, MinMonotone, g.MinDrop, g.MinMonotone)
	}
}

// TestCurvesMatchTorch runs the smoothing, the stop rule and the suggestion
// on the generator's hand-made loss curves.
func TestCurvesMatchTorch(t *testing.T) {
	g := loadGolden(t)
	// What each verdict's Reason must say (besides numbers).
	says := map[string]string{
		"ok":           "suggested lr",
		"few_points":   "too few points",
		"no_descent":   "no clear descent",
		"edge_start":   "the first step searched",
		"edge_min":     "the minimum itself",
		"not_monotone": "too noisy",
	}
	seen := map[string]bool{}
	worst := 0.0
	for _, c := range g.Curves {
		t.Run(c.Name, func(t *testing.T) {
			sm := newSmoother(c.Beta, c.Factor)
			var smoothed []float64
			diverged := false
			for _, l := range c.Losses {
				s, div := sm.add(l)
				smoothed = append(smoothed, s)
				if div {
					diverged = true
					break
				}
			}
			if diverged != c.Diverged {
				t.Errorf("diverged = %v, want %v", diverged, c.Diverged)
			}
			worst = max(worst, checkSeries(t, "smoothed", smoothed, c.Smoothed, 1e-9))
			a := analyze(smoothed, c.Steps)
			checkAnalysis(t, c.Name, a, c.Analysis)
			seen[c.Analysis.Verdict] = true
			reason := a.explain(c.LRs, smoothed, c.Steps)
			t.Log(reason)
			if !strings.Contains(reason, says[c.Analysis.Verdict]) {
				t.Errorf("reason %q does not say %q", reason, says[c.Analysis.Verdict])
			}
			if a.index >= 0 && !strings.Contains(reason, fmt.Sprintf("lr %.3g", c.LRs[a.index])) {
				t.Errorf("reason %q does not give the steepest point's rate %.3g", reason, c.LRs[a.index])
			}
			if c.Name == "falls_again_after_minimum" && a.index == *c.Analysis.LightningIndex {
				t.Errorf("steepest point %d is Lightning's, which searches past the minimum", a.index)
			}
		})
	}
	for v := range says {
		if !seen[v] {
			t.Errorf("no golden curve has verdict %s", v)
		}
	}
	t.Logf("worst relative error of the smoothed losses: %.3g", worst)
}

// TestGradientIsTorchs checks gradient on values whose torch.gradient is
// known by hand: (f1−f0, (f2−f0)/2, (f3−f1)/2, f3−f2).
func TestGradientIsTorchs(t *testing.T) {
	for _, c := range []struct{ f, want []float64 }{
		{[]float64{1, 4}, []float64{3, 3}},
		{[]float64{1, 4, 9, 16}, []float64{3, 4, 6, 7}},
		{[]float64{2, 1, 1, 5, -1}, []float64{-1, -0.5, 2, -1, -6}},
	} {
		got := gradient(c.f)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("gradient(%v) = %v, want %v", c.f, got, c.want)
		}
	}
}
