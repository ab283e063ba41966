package lrfinder

import (
	"math"
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
)

// goldenFile mirrors testdata/torch/lrfinder.json (gen_lrfinder.py).
type goldenFile struct {
	Generator struct {
		Script, Torch string
	}
	MinDrop     float64 `json:"min_drop"`
	MinMonotone float64 `json:"min_monotone"`
	Curves      []goldenCurve
	Quadratic   struct {
		X, Y                    [][]float64
		LambdaMax               float64 `json:"lambda_max"`
		ConvergesBelow          float64 `json:"converges_below"`
		LstsqLoss               float64 `json:"lstsq_loss"`
		Suggested               float64
		LossAfter100AtSuggested float64 `json:"loss_after_100_sgd_steps_at_suggested"`
	}
	Sweeps []goldenSweep
}

type goldenAnalysis struct {
	Lo, Hi         int
	MinIndex       *int `json:"min_index"`
	LightningIndex *int `json:"lightning_index"`
	Index          *int
	Drop, Monotone float64
	Slope          float64
	Verdict        string
}

type goldenCurve struct {
	Name                  string
	LRs, Losses, Smoothed []float64
	Beta, Factor          float64
	Steps                 int
	Diverged              bool
	Analysis              goldenAnalysis
}

type goldenSweep struct {
	Name                  string
	Optimizer             string
	MinLR                 float64 `json:"min_lr"`
	MaxLR                 float64 `json:"max_lr"`
	Steps                 int
	Beta, Factor          float64
	LRs, Losses, Smoothed []float64
	Diverged              bool
	Analysis              goldenAnalysis
}

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	var g goldenFile
	golden.Read(t, "lrfinder.json", &g)
	if g.Generator.Torch == "" || len(g.Curves) == 0 || len(g.Sweeps) == 0 {
		t.Fatalf("lrfinder.json: incomplete (generator %+v, %d curves, %d sweeps)", g.Generator, len(g.Curves), len(g.Sweeps))
	}
	return &g
}

// near reports whether got is within rel (relative) of want.
func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-300)
}

// checkSeries fails t when got and want differ in length or beyond rel.
func checkSeries(t *testing.T, what string, got, want []float64, rel float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return math.Inf(1)
	}
	worst := 0.0
	for i := range got {
		e := math.Abs(got[i]-want[i]) / math.Max(math.Abs(want[i]), 1e-300)
		worst = math.Max(worst, e)
		if !near(got[i], want[i], rel) {
			t.Errorf("%s[%d] = %.17g, want %.17g (torch)", what, i, got[i], want[i])
			return worst
		}
	}
	return worst
}

// checkAnalysis compares an analysis with the generator's.
func checkAnalysis(t *testing.T, name string, a analysis, w goldenAnalysis) {
	t.Helper()
	if string(a.verdict) != w.Verdict || a.lo != w.Lo || a.hi != w.Hi {
		t.Errorf("%s: verdict %s, window [%d, %d); want %s, [%d, %d)", name, a.verdict, a.lo, a.hi, w.Verdict, w.Lo, w.Hi)
	}
	if w.MinIndex != nil && a.minIndex != *w.MinIndex {
		t.Errorf("%s: smoothed minimum at %d, want %d", name, a.minIndex, *w.MinIndex)
	}
	if w.Index != nil {
		if a.index != *w.Index {
			t.Errorf("%s: steepest point %d, want %d", name, a.index, *w.Index)
		}
		if !near(a.slope, w.Slope, 1e-9) || !near(a.monotone, w.Monotone, 1e-9) {
			t.Errorf("%s: slope %.17g, monotone %.17g; want %.17g, %.17g", name, a.slope, a.monotone, w.Slope, w.Monotone)
		}
	}
	if w.MinIndex != nil && !near(a.drop, w.Drop, 1e-9) {
		t.Errorf("%s: drop %.17g, want %.17g", name, a.drop, w.Drop)
	}
}
