package prune

import (
	"fmt"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

func shaFor(s shaScenario) *SuccessiveHalving {
	p := &SuccessiveHalving{ReductionFactor: s.Args.ReductionFactor,
		MinEarlyStoppingRate: s.Args.MinEarlyStoppingRate, BootstrapCount: s.Args.BootstrapCount}
	if s.Args.MinResource != nil {
		p.MinResource = *s.Args.MinResource
	}
	return p
}

// checkRungs compares the rungs we hold for tr with Optuna's
// completed_rung_k system attributes after the same call.
func checkRungs(t *testing.T, name string, r *rungTable, ev event, tr *tuner.FrozenTrial) {
	t.Helper()
	var got []float64
	for k := 0; ; k++ {
		v, ok := r.value(tr, k)
		if !ok {
			break
		}
		got = append(got, v[0])
	}
	want := make([]float64, len(ev.Rungs))
	for i, v := range ev.Rungs {
		want[i] = float64(v)
	}
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		same = sameFloat(got[i], want[i])
	}
	if !same {
		t.Errorf("%s: trial %d at step %d: rungs %v, Optuna %v", name, ev.Trial, lastReported(tr), got, want)
	}
}

// moveRungsToAttrs stores tr's rungs as Attrs, as a study that
// persisted them would, and forgets them in memory.
func moveRungsToAttrs(r *rungTable, tr *tuner.FrozenTrial) {
	for k, v := range r.byTrial[tr.ID] {
		tr.Attrs[rungKey(k)] = rungText(v)
	}
	delete(r.byTrial, tr.ID)
}

// Every decision of Optuna's SuccessiveHalvingPruner, the completed_rung_k
// values it records and its min resource ("auto" included), replayed exactly.
func TestSuccessiveHalvingMatchesOptuna(t *testing.T) {
	g := loadGolden(t)
	if len(g.SHA) == 0 {
		t.Fatal("no successive halving scenarios")
	}
	for _, s := range g.SHA {
		t.Run(s.Name, func(t *testing.T) {
			p := shaFor(s)
			replay(t, s.scenario, p, func(ev event, tr *tuner.FrozenTrial) {
				checkRungs(t, s.Name, &p.rungs, ev, tr)
				r := p.MinResource
				if r == 0 {
					r = p.estimated
				}
				if r != ev.MinResource {
					t.Errorf("%s: trial %d: min resource %d, Optuna %d", s.Name, ev.Trial, r, ev.MinResource)
				}
			})
		})
	}
}

// Rungs read back from trial attributes (a study that persists them) give
// the same decisions as rungs held in memory.
func TestSuccessiveHalvingRungsFromAttrs(t *testing.T) {
	g := loadGolden(t)
	for _, s := range g.SHA {
		t.Run(s.Name, func(t *testing.T) {
			p := shaFor(s)
			replay(t, s.scenario, p, func(ev event, tr *tuner.FrozenTrial) {
				moveRungsToAttrs(&p.rungs, tr)
				checkRungs(t, s.Name, &p.rungs, ev, tr)
			})
			if n := len(p.rungs.byTrial); n != 0 {
				t.Errorf("%d trials still have rungs in memory", n)
			}
		})
	}
}

// Why the rungs are recorded rather than derived from the intermediate
// values: in Optuna's own runs, some trials reported past a rung's end and
// hold no value for it (the first trial, run before the "auto" min resource
// was known; a trial that never asked).
func TestSuccessiveHalvingRungsAreNotDerivable(t *testing.T) {
	g := loadGolden(t)
	for _, c := range []struct {
		scenario string
		trial    int
	}{
		{"sha_defaults_auto", 0},
		{"sha_auto_min_resource_2", 0},
		{"sha_auto_interleaved", 0},
		{"sha_sparse_steps_nan", 1},
	} {
		var s *shaScenario
		for i := range g.SHA {
			if g.SHA[i].Name == c.scenario {
				s = &g.SHA[i]
			}
		}
		if s == nil {
			t.Errorf("scenario %s missing", c.scenario)
			continue
		}
		p := shaFor(*s)
		replay(t, s.scenario, p, nil)
		lastStep, optunaRungs := -1, 0
		for _, ev := range s.Events {
			if ev.Trial == c.trial && ev.Op == "report" {
				lastStep = max(lastStep, ev.Step)
			}
			if ev.Trial == c.trial && ev.Op == "prune" {
				optunaRungs = max(optunaRungs, len(ev.Rungs))
			}
		}
		r, eta := max(p.MinResource, p.estimated), p.ReductionFactor
		if eta == 0 {
			eta = 4
		}
		firstEnd, _ := promotionStep(r, eta, p.MinEarlyStoppingRate)
		ours := p.rungs.current(&tuner.FrozenTrial{ID: int64(100 + c.trial)})
		if lastStep < firstEnd || optunaRungs != 0 || ours != 0 {
			t.Errorf("%s trial %d: reported up to step %d (first rung ends at %d); rungs: Optuna %d, ours %d, want 0 and 0",
				c.scenario, c.trial, lastStep, firstEnd, optunaRungs, ours)
		}
	}
}

func TestPromotable(t *testing.T) {
	for _, c := range []struct {
		v         float64
		competing []float64
		eta       int
		dir       tuner.Direction
		want      bool
	}{
		// Fewer than η values: only the best goes on.
		{1, []float64{1, 2}, 3, tuner.Minimize, true},
		{2, []float64{1, 2}, 3, tuner.Minimize, false},
		{2, []float64{1, 2}, 3, tuner.Maximize, true},
		// 6 values, η 3: the best 2.
		{2, []float64{5, 1, 2, 3, 4, 6}, 3, tuner.Minimize, true},
		{3, []float64{5, 1, 2, 3, 4, 6}, 3, tuner.Minimize, false},
		{5, []float64{5, 1, 2, 3, 4, 6}, 3, tuner.Maximize, true},
		{4, []float64{5, 1, 2, 3, 4, 6}, 3, tuner.Maximize, false},
		// Ties with the threshold go on.
		{2, []float64{2, 2, 2, 2}, 2, tuner.Minimize, true},
	} {
		vs := append([]float64(nil), c.competing...)
		if got := promotable(c.v, vs, c.eta, c.dir); got != c.want {
			t.Errorf("%v among %v, η %d, %v: %v, want %v", c.v, c.competing, c.eta, c.dir, got, c.want)
		}
	}
}

func TestPromotionStep(t *testing.T) {
	for _, c := range []struct {
		r, eta, e int
		want      string
	}{
		{1, 4, 0, "1 true"},
		{2, 3, 2, "18 true"},
		{5, 2, 10, "5120 true"},
		{1, 2, 62, "4611686018427387904 true"},
		{1, 2, 63, "0 false"},   // 2^63 overflows an int
		{3, 10, 200, "0 false"}, // far past
	} {
		got, ok := promotionStep(c.r, c.eta, c.e)
		if s := fmt.Sprint(got, ok); s != c.want {
			t.Errorf("%d·%d^%d = %s, want %s", c.r, c.eta, c.e, s, c.want)
		}
	}
}
