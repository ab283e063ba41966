package prune

import (
	"reflect"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

func hyperbandFor(t *testing.T, s hyperbandScenario) *Hyperband {
	t.Helper()
	p := &Hyperband{MinResource: s.Args.MinResource, ReductionFactor: s.Args.ReductionFactor,
		BootstrapCount: s.Args.BootstrapCount, StudyName: s.StudyName}
	switch r := s.Args.MaxResource.(type) {
	case string:
		if r != "auto" {
			t.Fatalf("max_resource %q", r)
		}
	case float64:
		p.MaxResource = int(r)
	default:
		t.Fatalf("max_resource %v (%T)", r, r)
	}
	return p
}

// Every decision of Optuna's HyperbandPruner, each trial's bracket and the
// rungs recorded, replayed exactly; then again with the rungs read back from
// trial attributes.
func TestHyperbandMatchesOptuna(t *testing.T) {
	g := loadGolden(t)
	if len(g.Hyperband) == 0 {
		t.Fatal("no hyperband scenarios")
	}
	for _, s := range g.Hyperband {
		for _, viaAttrs := range []bool{false, true} {
			p := hyperbandFor(t, s)
			replay(t, s.scenario, p, func(ev event, tr *tuner.FrozenTrial) {
				if viaAttrs {
					moveRungsToAttrs(&p.rungs, tr)
				}
				checkRungs(t, s.Name, &p.rungs, ev, tr)
				got := -1
				if p.ready && len(p.budgets) > 0 {
					got = p.bracket(tr.Number)
				}
				if ev.Bracket == nil || got != *ev.Bracket {
					t.Errorf("%s: trial %d: bracket %d, Optuna %v", s.Name, tr.Number, got, ev.Bracket)
				}
			})
			if !reflect.DeepEqual(p.budgets, s.Budgets) || len(p.budgets) != s.NBrackets {
				t.Errorf("%s: budgets %v, Optuna %v (%d brackets)", s.Name, p.budgets, s.Budgets, s.NBrackets)
			}
		}
	}
}

// The number of brackets for 20,000 (min, max, η), including those where the
// float64 logarithm lands just below an integer (243/1 with η 3, 1000 with
// η 10) and max < min (no bracket).
func TestHyperbandBracketCountMatchesOptuna(t *testing.T) {
	g := loadGolden(t)
	tables := g.HyperbandTables.NBrackets
	if len(tables) == 0 {
		t.Fatal("no bracket tables")
	}
	for _, tb := range tables {
		for i, want := range tb.NBrackets {
			maxR := i + 1
			if got := hyperbandBrackets(tb.MinResource, maxR, tb.ReductionFactor); got != want {
				t.Errorf("brackets(min %d, max %d, η %d) = %d, Optuna %d", tb.MinResource, maxR, tb.ReductionFactor, got, want)
			}
		}
	}
}

// Budgets and the crc32 bracket of trials 0..199 for several study names.
func TestHyperbandBracketIDsMatchOptuna(t *testing.T) {
	g := loadGolden(t)
	ids := g.HyperbandTables.BracketIDs
	if len(ids) == 0 {
		t.Fatal("no bracket ids")
	}
	for _, c := range ids {
		n := hyperbandBrackets(c.MinResource, c.MaxResource, c.ReductionFactor)
		budgets := hyperbandBudgets(n, c.ReductionFactor)
		if n != c.NBrackets || !reflect.DeepEqual(budgets, c.Budgets) {
			t.Errorf("%q (%d, %d, %d): %d brackets, budgets %v; Optuna %d, %v", c.StudyName, c.MinResource, c.MaxResource,
				c.ReductionFactor, n, budgets, c.NBrackets, c.Budgets)
			continue
		}
		p := &Hyperband{StudyName: c.StudyName, budgets: budgets, ready: true}
		for i, want := range c.Brackets {
			if got := p.bracket(i); got != want {
				t.Errorf("%q (%d, %d, %d): trial %d in bracket %d, Optuna %d", c.StudyName, c.MinResource, c.MaxResource,
					c.ReductionFactor, i, got, want)
			}
		}
	}
}
