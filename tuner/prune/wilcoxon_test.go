package prune

import (
	"errors"
	"math"
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/tuner"
)

type wilcoxonGolden struct {
	Generator struct{ Optuna, Scipy string }
	Scenarios []struct {
		Name         string  `json:"name"`
		Direction    string  `json:"direction"`
		PThreshold   float64 `json:"p_threshold"`
		StartupSteps int     `json:"n_startup_steps"`
		Trials       []struct {
			Reports   [][2]goldenNum `json:"reports"` // (step, value) in report order
			End       string         `json:"end"`     // "mean" or "prune"
			Decisions []struct {
				Prune bool       `json:"prune"`
				P     *goldenNum `json:"p"` // nil: no test made
			} `json:"decisions"`
		} `json:"trials"`
	} `json:"scenarios"`
}

// TestWilcoxonGolden replays gen_wilcoxon.py's studies: after every report
// the decision equals Optuna 5's WilcoxonPruner's, and so does the p-value
// of the test it made (or that it made none).
func TestWilcoxonGolden(t *testing.T) {
	var g wilcoxonGolden
	golden.ReadTestdata(t, "optuna/wilcoxon.json", &g)
	if len(g.Generator.Optuna) < 2 || g.Generator.Optuna[:2] != "5." {
		t.Fatalf("wilcoxon.json was generated with Optuna %q, want 5.x", g.Generator.Optuna)
	}
	prunes, tests := 0, 0
	for _, sc := range g.Scenarios {
		dir := tuner.Minimize
		if sc.Direction == "maximize" {
			dir = tuner.Maximize
		}
		w := Wilcoxon{PThreshold: sc.PThreshold, StartupSteps: sc.StartupSteps}
		var done []tuner.FrozenTrial
		for ti, tr := range sc.Trials {
			cur := tuner.FrozenTrial{Number: ti, State: tuner.Running, Intermediate: map[int]float64{}}
			sum := 0.0
			for ri, rep := range tr.Reports {
				cur.Intermediate[int(rep[0])] = float64(rep[1])
				sum += float64(rep[1])
				c := &tuner.PruneContext{Trials: done, Trial: &cur, Direction: dir}
				want := tr.Decisions[ri]
				if got := w.Prune(c); got != want.Prune {
					t.Errorf("%s trial %d report %d: Prune = %v, Optuna %v", sc.Name, ti, ri, got, want.Prune)
				}
				p, ok := w.PValue(c)
				switch {
				case ok != (want.P != nil):
					t.Errorf("%s trial %d report %d: tested = %v, Optuna %v", sc.Name, ti, ri, ok, want.P != nil)
				case ok && math.Abs(p-float64(*want.P)) > 1e-12:
					t.Errorf("%s trial %d report %d: p = %v, Optuna %v", sc.Name, ti, ri, p, float64(*want.P))
				}
				if ok {
					tests++
				}
				if want.Prune {
					prunes++
				}
			}
			last := tr.Decisions[len(tr.Decisions)-1]
			if last.Prune && tr.End == "prune" {
				cur.State = tuner.Pruned
			} else {
				cur.State, cur.Value = tuner.Complete, sum/float64(len(tr.Reports))
			}
			done = append(done, cur)
		}
	}
	if prunes < 10 || tests < 100 {
		t.Fatalf("golden studies too weak: %d prunes, %d tests", prunes, tests)
	}
}

func TestWilcoxonValidate(t *testing.T) {
	for _, w := range []Wilcoxon{{PThreshold: -0.1}, {PThreshold: 1.5}, {PThreshold: math.NaN()}, {StartupSteps: -1}} {
		if err := w.Validate(); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%+v.Validate() = %v, want ErrConfig", w, err)
		}
		if w.Prune(&tuner.PruneContext{Trial: &tuner.FrozenTrial{}}) {
			t.Errorf("%+v pruned although invalid", w)
		}
	}
	if err := (Wilcoxon{}).Validate(); err != nil {
		t.Errorf("zero Wilcoxon: %v", err)
	}
	if err := (Wilcoxon{}).ValidateDirections([]tuner.Direction{tuner.Minimize, tuner.Maximize}); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("ValidateDirections of two objectives = %v, want ErrConfig", err)
	}
	if (Wilcoxon{}).Prune(nil) {
		t.Error("Prune(nil) = true")
	}
}
