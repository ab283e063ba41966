package schedulers

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// validater is a Schedule or a ReduceLROnPlateau.
type validater interface{ Validate() error }

// Each bad setting is refused with ErrConfig, naming the field, the value
// and the allowed range.
func TestValidateNamesFieldValueAndRange(t *testing.T) {
	cos := CosineAnnealing{LR: 0.1, TMax: 10}
	for _, c := range []struct {
		v    validater
		want []string // substrings of the message
	}{
		{StepDecay{LR: 0.1, StepSize: 0, Gamma: 0.5}, []string{"StepSize = 0", "≥ 1"}},
		{Exponential{LR: 0.1, Gamma: -0.5}, []string{"Gamma = -0.5", "(0, 1]"}},
		{MultiStep{LR: 0.1}, []string{"Milestones is empty", "≥ 1"}},
		{MultiStep{LR: 0.1, Milestones: []int{5, 3}}, []string{"Milestones = [5 3]", "strictly increasing"}},
		{MultiStep{LR: 0.1, Milestones: []int{3, 3}}, []string{"Milestones = [3 3]", "strictly increasing"}},
		{MultiStep{LR: 0.1, Milestones: []int{0, 3}}, []string{"Milestones[0] = 0", "≥ 1"}},
		{MultiStep{LR: 0.1, Milestones: []int{3}, Gamma: -0.1}, []string{"Gamma = -0.1", "(0, 1]"}},
		{MultiStep{LR: 0.1, Milestones: []int{3}, Gamma: 1.5}, []string{"Gamma = 1.5", "(0, 1]"}},
		{MultiStep{LR: -1, Milestones: []int{3}}, []string{"lr = -1", "> 0"}},
		{InverseTime{LR: 0.1, DecayRate: -1}, []string{"DecayRate = -1", "≥ 0"}},
		{InverseTime{LR: 0.1, DecayRate: 1, DecaySteps: -2}, []string{"DecaySteps = -2", "≥ 1"}},
		{InverseTime{LR: math.Inf(1), DecayRate: 1}, []string{"lr = +Inf", "finite"}},
		{Polynomial{LR: 0.1}, []string{"TotalSteps = 0", "≥ 1"}},
		{Polynomial{LR: 0.1, TotalSteps: 10, Power: -2}, []string{"Power = -2", "> 0"}},
		{Polynomial{LR: 0.1, TotalSteps: 10, EndLR: 0.2}, []string{"EndLR = 0.2", "[0, lr = 0.1)"}},
		{Polynomial{LR: 0.1, TotalSteps: 10, EndLR: -0.01}, []string{"EndLR = -0.01", "[0, lr = 0.1)"}},
		{CosineAnnealing{LR: 0.1}, []string{"TMax = 0", "≥ 1"}},
		{CosineAnnealing{LR: 0.1, TMax: 5, EtaMin: -0.1}, []string{"EtaMin = -0.1", "[0, lr = 0.1]"}},
		{CosineAnnealing{LR: 0.1, TMax: 5, EtaMin: 0.2}, []string{"EtaMin = 0.2", "[0, lr = 0.1]"}},
		{CosineWarmRestarts{LR: 0.1}, []string{"T0 = 0", "≥ 1"}},
		{CosineWarmRestarts{LR: 0.1, T0: 5, TMult: -1}, []string{"TMult = -1", "≥ 1"}},
		{CosineWarmRestarts{LR: 0.1, T0: 5, EtaMin: 1}, []string{"EtaMin = 1", "[0, lr = 0.1]"}},
		{Warmup{Then: cos}, []string{"Steps = 0", "≥ 1"}},
		{Warmup{Steps: 3, StartFactor: 1.5, Then: cos}, []string{"StartFactor = 1.5", "(0, 1]"}},
		{Warmup{Steps: 3, StartFactor: -0.1, Then: cos}, []string{"StartFactor = -0.1", "(0, 1]"}},
		{Warmup{Steps: 3}, []string{"Then is nil"}},
		{Warmup{Steps: 3, Then: CosineAnnealing{LR: 0.1}}, []string{"Then", "TMax = 0"}},
		{OneCycle{TotalSteps: 100}, []string{"MaxLR = 0", "> 0"}},
		{OneCycle{MaxLR: 0.1, TotalSteps: 1}, []string{"TotalSteps = 1", "≥ 2"}},
		{OneCycle{MaxLR: 0.1, TotalSteps: 100, PctStart: 1}, []string{"PctStart = 1", "(0, 1)"}},
		{OneCycle{MaxLR: 0.1, TotalSteps: 100, PctStart: -0.3}, []string{"PctStart = -0.3", "(0, 1)"}},
		{OneCycle{MaxLR: 0.1, TotalSteps: 100, Anneal: "exp"}, []string{`Anneal = "exp"`, `"cos" or "linear"`}},
		{OneCycle{MaxLR: 0.1, TotalSteps: 100, DivFactor: 0.5}, []string{"DivFactor = 0.5", "≥ 1"}},
		{OneCycle{MaxLR: 0.1, TotalSteps: 100, FinalDivFactor: -1}, []string{"FinalDivFactor = -1", "≥ 1"}},
		{OneCycle{MaxLR: 0.1, TotalSteps: 10, PctStart: 0.1}, []string{"PctStart·TotalSteps = 0.1·10 = 1", "≠ 1"}},
		{OneCycle{MaxLR: 0.1, TotalSteps: 100, PctStart: 0.6, ThreePhase: true}, []string{"PctStart = 0.6", "< (TotalSteps+1)/(2·TotalSteps) = 0.505"}},
		{ReduceLROnPlateau{Mode: 7}, []string{"Mode", "direction: 7", "goal.Minimize or goal.Maximize"}},
		{ReduceLROnPlateau{ThresholdMode: "pct"}, []string{`ThresholdMode = "pct"`, `"rel" or "abs"`}},
		{ReduceLROnPlateau{Factor: 1}, []string{"Factor = 1", "(0, 1)"}},
		{ReduceLROnPlateau{Factor: 1.5}, []string{"Factor = 1.5", "(0, 1)"}},
		{ReduceLROnPlateau{Factor: -0.1}, []string{"Factor = -0.1", "(0, 1)"}},
		{ReduceLROnPlateau{Patience: -1}, []string{"Patience = -1", "≥ 0"}},
		{ReduceLROnPlateau{Cooldown: -2}, []string{"Cooldown = -2", "≥ 0"}},
		{ReduceLROnPlateau{Threshold: -1e-3}, []string{"Threshold = -0.001", "≥ 0"}},
		{ReduceLROnPlateau{MinLR: -1}, []string{"MinLR = -1", "≥ 0"}},
		{ReduceLROnPlateau{Eps: math.NaN()}, []string{"Eps = NaN", "≥ 0"}},
	} {
		err := c.v.Validate()
		if !errors.Is(err, ErrConfig) {
			t.Errorf("%#v.Validate() = %v, want ErrConfig", c.v, err)
			continue
		}
		for _, sub := range c.want {
			if !strings.Contains(err.Error(), sub) {
				t.Errorf("%#v.Validate() = %q, want it to contain %q", c.v, err, sub)
			}
		}
	}
}

// Zero values mean the documented defaults and validate.
func TestZeroValuesAreDefaults(t *testing.T) {
	for _, c := range []struct {
		zero, explicit Schedule
	}{
		{MultiStep{LR: 0.1, Milestones: []int{3}}, MultiStep{LR: 0.1, Milestones: []int{3}, Gamma: 0.1}},
		{InverseTime{LR: 0.1, DecayRate: 0.5}, InverseTime{LR: 0.1, DecayRate: 0.5, DecaySteps: 1}},
		{Polynomial{LR: 0.1, TotalSteps: 10}, Polynomial{LR: 0.1, TotalSteps: 10, Power: 1}},
		{CosineWarmRestarts{LR: 0.1, T0: 4}, CosineWarmRestarts{LR: 0.1, T0: 4, TMult: 1}},
		{Warmup{Steps: 3, Then: Constant{LR: 0.1}}, Warmup{Steps: 3, StartFactor: 1.0 / 3, Then: Constant{LR: 0.1}}},
		{OneCycle{MaxLR: 0.1, TotalSteps: 50}, OneCycle{MaxLR: 0.1, TotalSteps: 50, PctStart: 0.3, Anneal: "cos", DivFactor: 25, FinalDivFactor: 1e4}},
	} {
		if err := c.zero.Validate(); err != nil {
			t.Errorf("%v.Validate() = %v", c.zero, err)
		}
		if c.zero.String() != c.explicit.String() {
			t.Errorf("String: zero value %q, explicit defaults %q", c.zero, c.explicit)
		}
		for i := range 60 {
			if a, b := c.zero.At(i), c.explicit.At(i); a != b {
				t.Errorf("%v.At(%d): zero value %v, explicit defaults %v", c.zero, i, a, b)
			}
		}
	}
	if got, want := DefaultPlateau().String(),
		"plateau(mode=auto, factor=0.1, patience=10, threshold=0.0001, threshold_mode=rel, cooldown=0, min_lr=0, eps=1e-08)"; got != want {
		t.Errorf("DefaultPlateau() = %s, want torch's defaults %s", got, want)
	}
	if got, want := (ReduceLROnPlateau{}).String(),
		"plateau(mode=auto, factor=0.1, patience=0, threshold=0.0001, threshold_mode=rel, cooldown=0, min_lr=0, eps=1e-08)"; got != want {
		t.Errorf("zero ReduceLROnPlateau = %s, want %s (patience 0 as given)", got, want)
	}
}

// String names the schedule and every effective setting: it goes into logs
// and tuner records.
func TestStringIsInformative(t *testing.T) {
	for _, c := range []struct {
		s    Schedule
		want string
	}{
		{MultiStep{LR: 0.1, Milestones: []int{10, 20}}, "multistep(lr=0.1, milestones=[10 20], gamma=0.1)"},
		{InverseTime{LR: 0.1, DecayRate: 0.5, Staircase: true}, "inverse_time(lr=0.1, decay_rate=0.5, decay_steps=1, staircase=true)"},
		{Polynomial{LR: 0.1, TotalSteps: 30, EndLR: 1e-4}, "polynomial(lr=0.1, total_steps=30, power=1, end_lr=0.0001)"},
		{CosineAnnealing{LR: 0.1, TMax: 50, EtaMin: 1e-5}, "cosine(lr=0.1, t_max=50, eta_min=1e-05)"},
		{CosineWarmRestarts{LR: 0.1, T0: 10, TMult: 2}, "cosine_warm_restarts(lr=0.1, t0=10, t_mult=2, eta_min=0)"},
		{Warmup{Steps: 5, StartFactor: 0.1, Then: Exponential{LR: 0.1, Gamma: 0.9}},
			"warmup(steps=5, start_factor=0.1, then=exponential(lr=0.1, gamma=0.9))"},
		{OneCycle{MaxLR: 0.1, TotalSteps: 1000, ThreePhase: true},
			"one_cycle(max_lr=0.1, total_steps=1000, pct_start=0.3, anneal=cos, div_factor=25, final_div_factor=10000, three_phase=true)"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("String() = %s, want %s", got, c.want)
		}
	}
}

func TestCheckRun(t *testing.T) {
	oc := OneCycle{MaxLR: 0.1, TotalSteps: 50}
	for _, c := range []struct {
		s     Schedule
		total int
		want  string // "" = fits
	}{
		{Warmup{Steps: 10, Then: Constant{LR: 0.1}}, 10, "warm-up Steps = 10, want < the run's 10"},
		{Warmup{Steps: 10, Then: Constant{LR: 0.1}}, 11, ""},
		{oc, 51, "TotalSteps = 50, want ≥ the run's 51"},
		{oc, 50, ""},
		{oc, 1, ""},
		{Warmup{Steps: 5, Then: oc}, 56, "Then: " + ErrConfig.Error() + ": one-cycle TotalSteps = 50, want ≥ the run's 51"},
		{Warmup{Steps: 5, Then: oc}, 55, ""},
		{Polynomial{LR: 0.1, TotalSteps: 20}, 21, "TotalSteps = 20, want ≥ the run's 21"},
		{Polynomial{LR: 0.1, TotalSteps: 20}, 20, ""},
		{Polynomial{LR: 0.1, TotalSteps: 20, EndLR: 1e-3}, 1000, ""},
		{CosineAnnealing{LR: 0.1, TMax: 10}, 1000, ""}, // torch's cosine goes on past TMax
		{Constant{LR: 0.1}, 0, "run length = 0, want ≥ 1"},
		{Constant{}, 10, "lr = 0"},
		{nil, 10, "nil schedule"},
	} {
		err := CheckRun(c.s, c.total)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("CheckRun(%v, %d) = %v, want nil", c.s, c.total, err)
		case c.want != "" && (!errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("CheckRun(%v, %d) = %v, want ErrConfig containing %q", c.s, c.total, err, c.want)
		}
	}
}

// At never panics or hangs, even on a schedule that fails Validate; where
// the formula would divide by zero or loop forever it returns NaN. t < 0 is
// treated as 0.
func TestAtIsTotal(t *testing.T) {
	for _, c := range []struct {
		s       Schedule
		wantNaN bool
	}{
		{StepDecay{LR: 0.1}, true},
		{CosineWarmRestarts{LR: 0.1}, true},
		{CosineWarmRestarts{LR: 0.1, T0: 3, TMult: -2}, true},
		{Warmup{Steps: 3}, true},
		{MultiStep{LR: 0.1, Milestones: []int{9, 2}}, false},
		{InverseTime{LR: 0.1, DecayRate: 1, DecaySteps: -3, Staircase: true}, false},
		{OneCycle{}, false},
		{Polynomial{LR: 0.1}, true}, // 0/0
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%#v.At panicked: %v", c.s, r)
				}
			}()
			for _, i := range []int{-1, 0, 1, 5, 1 << 40} {
				if got := c.s.At(i); math.IsNaN(got) != c.wantNaN {
					t.Errorf("%#v.At(%d) = %v, want NaN: %v", c.s, i, got, c.wantNaN)
				}
			}
		}()
	}
	valid := []Schedule{
		StepDecay{LR: 0.1, StepSize: 2, Gamma: 0.5},
		MultiStep{LR: 0.1, Milestones: []int{1}},
		InverseTime{LR: 0.1, DecayRate: 1},
		Polynomial{LR: 0.1, TotalSteps: 5},
		CosineAnnealing{LR: 0.1, TMax: 5},
		CosineWarmRestarts{LR: 0.1, T0: 5, TMult: 2},
		Warmup{Steps: 3, Then: Constant{LR: 0.1}},
		OneCycle{MaxLR: 0.1, TotalSteps: 10},
	}
	for _, s := range valid {
		if s.At(-3) != s.At(0) {
			t.Errorf("%v.At(-3) = %v, want At(0) = %v", s, s.At(-3), s.At(0))
		}
	}
}

// Warm restarts far into a run: constant time per call, no int overflow.
func TestWarmRestartsLongRuns(t *testing.T) {
	start := time.Now()
	for _, c := range []struct {
		s    CosineWarmRestarts
		t    int
		want float64
	}{
		// 10^12 = 7·142857142857 + 1: one step into a cycle.
		{CosineWarmRestarts{LR: 1, T0: 7}, 1_000_000_000_000, CosineWarmRestarts{LR: 1, T0: 7}.At(1)},
		// Cycles of 1, 2, 4, ...: t = 2^k − 1 starts a cycle, at LR.
		{CosineWarmRestarts{LR: 1, T0: 1, TMult: 2}, 1<<62 - 1, 1},
		// Cycles of 3, 3·2^40, 3·2^80 (past any int): MaxInt is inside the third.
		{CosineWarmRestarts{LR: 1, T0: 3, TMult: 1 << 40}, math.MaxInt,
			(1 + math.Cos(math.Pi*float64(math.MaxInt-3-3<<40)/(3*math.Pow(2, 80)))) / 2},
	} {
		got := c.s.At(c.t)
		if !(math.Abs(got-c.want) <= 1e-12) {
			t.Errorf("%v.At(%d) = %v, want %v", c.s, c.t, got, c.want)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v: At is not constant-time in t", d)
	}
}

// OneCycle holds the last step's rate (= the final rate) past TotalSteps,
// where torch extrapolates once and then raises.
func TestOneCycleHoldsPastTotalSteps(t *testing.T) {
	for _, c := range []OneCycle{
		{MaxLR: 0.1, TotalSteps: 100},
		{MaxLR: 0.5, TotalSteps: 40, Anneal: "linear", DivFactor: 10, FinalDivFactor: 100},
		{MaxLR: 1, TotalSteps: 60, ThreePhase: true},
	} {
		d := c.withDefaults()
		final := d.MaxLR / d.DivFactor / d.FinalDivFactor
		last := c.At(c.TotalSteps - 1)
		if relErr(last, final) > 1e-12 {
			t.Errorf("%v.At(TotalSteps−1) = %v, want the final rate %v", c, last, final)
		}
		for _, i := range []int{c.TotalSteps, c.TotalSteps + 1, 10 * c.TotalSteps} {
			if got := c.At(i); got != last {
				t.Errorf("%v.At(%d) = %v, want the last step's %v", c, i, got, last)
			}
		}
	}
}
