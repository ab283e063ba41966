package schedulers

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/golden"
)

// torchSchedules mirrors testdata/torch/schedules.json (gen_schedules.py).
// lrs[t] is torch's rate for step t+1, i.e. At(t). Cases with Defaults were
// generated with torch's default arguments, and the Go schedule leaves those
// fields at zero.
type torchSchedules struct {
	Generator struct{ Script, Torch, Python string }
	MultiStep []struct {
		Name       string
		Defaults   bool
		LR         float64
		Milestones []int
		Gamma      float64
		LRs        []float64
	}
	InverseTime []struct {
		Name       string
		Defaults   bool
		LR         float64
		DecayRate  float64 `json:"decay_rate"`
		DecaySteps int     `json:"decay_steps"`
		Staircase  bool
		LRs        []float64
	} `json:"inverse_time"`
	Polynomial []struct {
		Name       string
		Defaults   bool
		LR         float64
		TotalSteps int `json:"total_steps"`
		Power      float64
		EndLR      float64 `json:"end_lr"`
		LRs        []float64
	}
	Cosine []struct {
		Name   string
		LR     float64
		TMax   int     `json:"t_max"`
		EtaMin float64 `json:"eta_min"`
		LRs    []float64
	}
	WarmRestarts []struct {
		Name     string
		Defaults bool
		LR       float64
		T0       int     `json:"t0"`
		TMult    int     `json:"t_mult"`
		EtaMin   float64 `json:"eta_min"`
		LRs      []float64
	} `json:"warm_restarts"`
	Warmup []struct {
		Name        string
		Defaults    bool
		Steps       int
		StartFactor float64 `json:"start_factor"`
		Then        struct {
			Kind   string
			LR     float64
			TMax   int     `json:"t_max"`
			EtaMin float64 `json:"eta_min"`
			Gamma  float64
		}
		LRs []float64
	}
	OneCycle []struct {
		Name           string
		Defaults       bool
		MaxLR          float64 `json:"max_lr"`
		TotalSteps     int     `json:"total_steps"`
		PctStart       float64 `json:"pct_start"`
		Anneal         string
		DivFactor      float64 `json:"div_factor"`
		FinalDivFactor float64 `json:"final_div_factor"`
		ThreePhase     bool    `json:"three_phase"`
		LRs            []float64
	} `json:"one_cycle"`
	Plateau []torchPlateau
}

// torchPlateau is one ReduceLROnPlateau run: lrs[0] is the rate before the
// first epoch, lrs[i+1] the rate after step(metrics[i]). JSON has no NaN:
// metrics[i] is NaN for i in NaNAt. ExpGamma > 0: an ExponentialLR stepped
// before the plateau each epoch.
type torchPlateau struct {
	Name          string
	Defaults      bool
	LR            float64
	ExpGamma      float64 `json:"exp_gamma"`
	Mode          string
	Factor        float64
	Patience      int
	Threshold     float64
	ThresholdMode string `json:"threshold_mode"`
	Cooldown      int
	MinLR         float64 `json:"min_lr"`
	Eps           float64
	Metrics       []float64
	NaNAt         []int `json:"nan_at"`
	LRs           []float64
}

func loadSchedules(t *testing.T) *torchSchedules {
	t.Helper()
	var ts torchSchedules
	golden.Read(t, "schedules.json", &ts)
	if ts.Generator.Script != "testdata/torch/gen_schedules.py" || ts.Generator.Torch == "" {
		t.Fatalf("schedules.json generator = %+v, want gen_schedules.py and a torch version", ts.Generator)
	}
	return &ts
}

// relErr is |got − want| / |want|, or |got| when want is 0.
func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// torchCase is one schedule and torch's rates for t = 0, 1, ...
type torchCase struct {
	name  string
	sched Schedule
	want  []float64
	min   int // the fewest values the case must cover
}

func torchCases(t *testing.T) []torchCase {
	ts := loadSchedules(t)
	var cs []torchCase
	for _, c := range ts.MultiStep {
		s := MultiStep{LR: c.LR, Milestones: c.Milestones, Gamma: c.Gamma}
		if c.Defaults {
			s.Gamma = 0
		}
		cs = append(cs, torchCase{"multistep/" + c.Name, s, c.LRs, 30})
	}
	for _, c := range ts.InverseTime {
		s := InverseTime{LR: c.LR, DecayRate: c.DecayRate, DecaySteps: c.DecaySteps, Staircase: c.Staircase}
		if c.Defaults {
			s.DecaySteps = 0
		}
		cs = append(cs, torchCase{"inverse_time/" + c.Name, s, c.LRs, 30})
	}
	for _, c := range ts.Polynomial {
		s := Polynomial{LR: c.LR, TotalSteps: c.TotalSteps, Power: c.Power, EndLR: c.EndLR}
		if c.Defaults {
			s.Power = 0
		}
		cs = append(cs, torchCase{"polynomial/" + c.Name, s, c.LRs, 30})
	}
	for _, c := range ts.Cosine {
		cs = append(cs, torchCase{"cosine/" + c.Name, CosineAnnealing{LR: c.LR, TMax: c.TMax, EtaMin: c.EtaMin}, c.LRs, 30})
	}
	for _, c := range ts.WarmRestarts {
		s := CosineWarmRestarts{LR: c.LR, T0: c.T0, TMult: c.TMult, EtaMin: c.EtaMin}
		if c.Defaults {
			s.TMult = 0
		}
		cs = append(cs, torchCase{"warm_restarts/" + c.Name, s, c.LRs, 100})
	}
	for _, c := range ts.Warmup {
		var then Schedule
		switch c.Then.Kind {
		case "constant":
			then = Constant{LR: c.Then.LR}
		case "cosine":
			then = CosineAnnealing{LR: c.Then.LR, TMax: c.Then.TMax, EtaMin: c.Then.EtaMin}
		case "exponential":
			then = Exponential{LR: c.Then.LR, Gamma: c.Then.Gamma}
		default:
			t.Fatalf("warmup/%s: unknown then kind %q", c.Name, c.Then.Kind)
		}
		s := Warmup{Steps: c.Steps, StartFactor: c.StartFactor, Then: then}
		if c.Defaults {
			s.StartFactor = 0
		}
		cs = append(cs, torchCase{"warmup/" + c.Name, s, c.LRs, 30})
	}
	for _, c := range ts.OneCycle {
		s := OneCycle{MaxLR: c.MaxLR, TotalSteps: c.TotalSteps}
		if !c.Defaults {
			s.PctStart, s.Anneal, s.DivFactor, s.FinalDivFactor, s.ThreePhase =
				c.PctStart, c.Anneal, c.DivFactor, c.FinalDivFactor, c.ThreePhase
		}
		cs = append(cs, torchCase{"one_cycle/" + c.Name, s, c.LRs, 100})
	}
	return cs
}

func TestSchedulesMatchTorchGolden(t *testing.T) {
	cases := torchCases(t)
	worst := map[string]float64{} // by kind
	for _, c := range cases {
		kind, _, _ := strings.Cut(c.name, "/")
		worst[kind] = max(worst[kind], 0)
		t.Run(c.name, func(t *testing.T) {
			if err := c.sched.Validate(); err != nil {
				t.Fatalf("%v.Validate() = %v", c.sched, err)
			}
			if len(c.want) < c.min {
				t.Fatalf("golden has %d values, want ≥ %d", len(c.want), c.min)
			}
			for i, want := range c.want {
				got := c.sched.At(i)
				e := relErr(got, want)
				worst[kind] = max(worst[kind], e)
				if !(e <= 1e-9) {
					t.Errorf("%v.At(%d) = %.17g, want %.17g (torch), rel err %.2g", c.sched, i, got, want, e)
				}
			}
		})
	}
	for _, k := range []string{"multistep", "inverse_time", "polynomial", "cosine", "warm_restarts", "warmup", "one_cycle"} {
		if _, ok := worst[k]; !ok {
			t.Errorf("no golden case for %s", k)
		}
		t.Logf("%-13s worst relative error vs torch: %.3g", k, worst[k])
	}
}

// Driven through a Gorgonia graph, the Solver applies torch's rate at every
// step, for every golden schedule.
func TestSolverAppliesTorchRates(t *testing.T) {
	for _, c := range torchCases(t) {
		t.Run(c.name, func(t *testing.T) {
			p := newProbe(t)
			s, err := NewSolver(G.NewVanillaSolver(), c.sched, PerStep)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range c.want {
				if got := p.step(t, s); !(relErr(got, want) <= 1e-9) {
					t.Fatalf("step %d: applied rate %.17g, want %.17g (torch)", i+1, got, want)
				}
			}
		})
	}
}
