package schedulers

import (
	"testing"

	G "gorgonia.org/gorgonia"
)

// The rate each Gorgonia step applies is the schedule's, bit for bit, with t
// counting steps (PerStep) or epochs (PerEpoch); the first step or epoch uses
// At(0).
func TestSolverAppliesScheduleEachStep(t *testing.T) {
	scheds := []Schedule{
		StepDecay{LR: 0.1, StepSize: 3, Gamma: 0.5},
		MultiStep{LR: 0.1, Milestones: []int{2, 5, 9}},
		InverseTime{LR: 0.1, DecayRate: 0.5, DecaySteps: 2, Staircase: true},
		Polynomial{LR: 0.1, TotalSteps: 12, Power: 2, EndLR: 1e-3},
		CosineAnnealing{LR: 0.1, TMax: 10, EtaMin: 1e-3},
		CosineWarmRestarts{LR: 0.1, T0: 3, TMult: 2},
		Warmup{Steps: 4, Then: CosineAnnealing{LR: 0.1, TMax: 8}},
		OneCycle{MaxLR: 0.1, TotalSteps: 12, ThreePhase: true},
	}
	const epochs, perEpoch = 12, 3
	for _, sched := range scheds {
		for _, every := range []Interval{PerStep, PerEpoch} {
			name := sched.String() + map[Interval]string{PerStep: "/per_step", PerEpoch: "/per_epoch"}[every]
			t.Run(name, func(t *testing.T) {
				p := newProbe(t)
				s, err := NewSolver(G.NewVanillaSolver(), sched, every)
				if err != nil {
					t.Fatal(err)
				}
				distinct := map[float64]bool{}
				for e := range epochs {
					for i := range perEpoch {
						step := e*perEpoch + i
						want := sched.At(e)
						if every == PerStep {
							want = sched.At(step)
						}
						if got := p.step(t, s); got != want {
							t.Fatalf("epoch %d step %d: applied rate %.17g, want %.17g", e, step, got, want)
						}
						distinct[want] = true
						if s.Steps() != step+1 || s.Epochs() != e {
							t.Fatalf("after step %d of epoch %d: Steps() = %d, Epochs() = %d, want %d, %d",
								step, e, s.Steps(), s.Epochs(), step+1, e)
						}
					}
					s.EpochEnd()
					if s.Epochs() != e+1 {
						t.Fatalf("after EpochEnd %d: Epochs() = %d", e, s.Epochs())
					}
				}
				if len(distinct) < 3 {
					t.Errorf("only %d distinct rates applied: the schedule did not move", len(distinct))
				}
			})
		}
	}
}
