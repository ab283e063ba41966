package schedulers

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/golden"
)

func TestSchedulesMatchTorch(t *testing.T) {
	gf := golden.Load(t)
	e, s := gf.Schedules.Exponential, gf.Schedules.Step
	cases := []struct {
		sched Schedule
		want  []float64
	}{
		{Exponential{LR: e.LR0, Gamma: e.Gamma}, e.LRs},
		{StepDecay{LR: s.LR0, StepSize: s.StepSize, Gamma: s.Gamma}, s.LRs},
		{Constant{LR: 0.25}, []float64{0.25, 0.25, 0.25}},
	}
	for _, c := range cases {
		if len(c.want) < 3 {
			t.Fatalf("%v: golden sequence too short", c.sched)
		}
		for i, want := range c.want {
			// torch multiplies iteratively; Gamma^t differs by rounding only.
			if got := c.sched.At(i); math.Abs(got-want) > 1e-13*want {
				t.Errorf("%v.At(%d) = %.17g, want %.17g (torch)", c.sched, i, got, want)
			}
		}
	}
}

func TestValidateNamesTheField(t *testing.T) {
	for _, c := range []struct {
		s     Schedule
		field string
	}{
		{Constant{}, "lr"},
		{Constant{LR: -1}, "lr"},
		{Exponential{LR: 0.1, Gamma: 0}, "Gamma"},
		{Exponential{LR: 0.1, Gamma: 1.5}, "Gamma"},
		{StepDecay{LR: 0.1, StepSize: 0, Gamma: 0.5}, "StepSize"},
	} {
		err := c.s.Validate()
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%#v.Validate() = %v, want ErrConfig naming %s", c.s, err, c.field)
		}
	}
}

// quadratic builds loss = Σ w² over a (1, 1) weight starting at w0.
func quadratic(t *testing.T, w0 float64) (*G.ExprGraph, *G.Node, G.VM) {
	t.Helper()
	g := G.NewGraph()
	w := G.NewMatrix(g, G.Float64, G.WithShape(1, 1), G.WithName("w"), G.WithValue(tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{w0}))))
	sq := G.Must(G.Square(w))
	loss := G.Must(G.Sum(sq))
	if _, err := G.Grad(loss, w); err != nil {
		t.Fatal(err)
	}
	return g, w, G.NewTapeMachine(g, G.BindDualValues(w))
}

// switchSchedule uses Before for t < From and After from then on.
type switchSchedule struct {
	Before, After float64
	From          int
}

func (s switchSchedule) At(t int) float64 {
	if t < s.From {
		return s.Before
	}
	return s.After
}
func (s switchSchedule) Validate() error { return nil }
func (s switchSchedule) String() string {
	return fmt.Sprintf("switch(%g→%g at %d)", s.Before, s.After, s.From)
}

// Changing the rate mid-run keeps Adam's moments: the trajectory equals
// PyTorch's with optimizer.param_groups[0]["lr"] changed before step 3.
func TestAdamRateChangeKeepsMomentsLikeTorch(t *testing.T) {
	a := golden.Load(t).AdamScalar
	for _, c := range []struct {
		name  string
		sched Schedule
		want  []float64
	}{
		{"constant", Constant{LR: a.LR}, a.Trajectory},
		{"switch", switchSchedule{a.LR, a.Switch.LRAfter, a.Switch.SwitchBeforeStep - 1}, a.Switch.Trajectory},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, w, vm := quadratic(t, a.W0)
			defer vm.Close()
			s, err := NewSolver(G.NewAdamSolver(), c.sched, PerStep)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range c.want {
				if err := vm.RunAll(); err != nil {
					t.Fatal(err)
				}
				if err := s.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
					t.Fatal(err)
				}
				vm.Reset()
				got := dense.Scalar(w.Value())
				if math.Abs(got-want) > 1e-12 {
					t.Errorf("step %d: w = %.17g, want %.17g (torch)", i+1, got, want)
				}
			}
		})
	}
}

// With a constant schedule the wrapper is invisible: weights are bit-identical
// to bare Gorgonia Adam's after 50 steps.
func TestConstantScheduleBitIdenticalToBareAdam(t *testing.T) {
	run := func(wrap bool) float64 {
		_, w, vm := quadratic(t, 1.7)
		defer vm.Close()
		var s G.Solver = G.NewAdamSolver(G.WithLearnRate(0.03))
		if wrap {
			var err error
			if s, err = NewSolver(G.NewAdamSolver(), Constant{LR: 0.03}, PerStep); err != nil {
				t.Fatal(err)
			}
		}
		for range 50 {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			if err := s.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
				t.Fatal(err)
			}
			vm.Reset()
		}
		return dense.Scalar(w.Value())
	}
	bare, wrapped := run(false), run(true)
	if bare != wrapped || bare == 1.7 {
		t.Fatalf("wrapped Adam w = %.17g, bare Adam w = %.17g: want identical and moved from 1.7", wrapped, bare)
	}
}

func TestSolverIntervals(t *testing.T) {
	s, err := NewSolver(G.NewVanillaSolver(), Exponential{LR: 1, Gamma: 0.5}, PerEpoch)
	if err != nil {
		t.Fatal(err)
	}
	_, w, vm := quadratic(t, 1)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if err := s.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
		t.Fatal(err)
	}
	if s.LR() != 1 {
		t.Errorf("PerEpoch: LR after a step = %v, want 1 (unchanged until EpochEnd)", s.LR())
	}
	s.EpochEnd()
	if s.LR() != 0.5 {
		t.Errorf("PerEpoch: LR after EpochEnd = %v, want 0.5", s.LR())
	}
}

func TestNewSolverRefusesUnschedulable(t *testing.T) {
	if _, err := NewSolver(G.NewAdaGradSolver(), Constant{LR: 0.1}, PerEpoch); !errors.Is(err, ErrConfig) {
		t.Errorf("AdaGrad: error = %v, want ErrConfig (Gorgonia ignores its rate)", err)
	}
	if _, err := NewSolver(G.NewAdamSolver(), Constant{LR: 0}, PerEpoch); !errors.Is(err, ErrConfig) {
		t.Errorf("lr 0: error = %v, want ErrConfig", err)
	}
	if _, err := NewSolver(G.NewAdamSolver(), nil, PerEpoch); !errors.Is(err, ErrConfig) {
		t.Errorf("nil schedule: error = %v, want ErrConfig", err)
	}
}
