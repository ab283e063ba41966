package tuner

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner/pareto"
)

// tpe5Context is a SampleContext over n complete trials of x, y ∈ [0, 1]
// with the values f(x, y), one per direction; with a running trial too,
// which holds x only.
func tpe5Context(n int, dirs []Direction, f func(x, y float64) []float64) *SampleContext {
	d := FloatDist{Low: 0, High: 1}
	r := rand.New(rand.NewPCG(7, 8))
	var trials []FrozenTrial
	for i := range n {
		ft := newFrozen(int64(i+1), i, Complete)
		x, y := r.Float64(), r.Float64()
		ft.Internal["x"], ft.Distributions["x"], ft.Params["x"] = x, d, x
		ft.Internal["y"], ft.Distributions["y"], ft.Params["y"] = y, d, y
		ft.Values = f(x, y)
		ft.Value = ft.Values[0]
		trials = append(trials, *ft)
	}
	run := newFrozen(int64(n+1), n, Running)
	run.Internal["x"], run.Distributions["x"], run.Params["x"] = 0.5, d, 0.5
	trials = append(trials, *run)
	c := &SampleContext{Trials: trials, Trial: newFrozen(0, n+1, Running), Directions: dirs, Rand: rand.New(rand.NewPCG(1, 2))}
	if len(dirs) == 1 {
		c.Direction = dirs[0]
	}
	return c
}

func sum2(x, y float64) []float64      { return []float64{x + y} }
func twoWays(x, y float64) []float64   { return []float64{x + y, 1 - x + y*y} }
func threeWays(x, y float64) []float64 { return []float64{x, y, (1 - x) * (1 - y)} }
func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Optuna 5's defaults: joint sampling for one objective (Univariate turns
// it off), independent for several (Multivariate turns it on); the
// constant liar counts a running trial (NoConstantLiar leaves it out).
func TestTPE5Defaults(t *testing.T) {
	for _, c := range []struct {
		name  string
		s     TPESampler
		dirs  []Direction
		f     func(x, y float64) []float64
		joint bool
	}{
		{"one objective", TPESampler{Version: TPEOptuna5}, []Direction{Minimize}, sum2, true},
		{"one objective, Univariate", TPESampler{Version: TPEOptuna5, Univariate: true}, []Direction{Minimize}, sum2, false},
		{"two objectives", TPESampler{Version: TPEOptuna5}, minMax, twoWays, false},
		{"two objectives, Multivariate", TPESampler{Version: TPEOptuna5, Multivariate: true}, minMax, twoWays, true},
		{"three objectives, Multivariate", TPESampler{Version: TPEOptuna5, Multivariate: true}, []Direction{Minimize, Minimize, Maximize}, threeWays, true},
		{"Optuna 3.1, Multivariate", TPESampler{Multivariate: true}, []Direction{Minimize}, sum2, true},
		{"Optuna 3.1", TPESampler{}, []Direction{Minimize}, sum2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := tpe5Context(20, c.dirs, c.f)
			rel, err := c.s.SampleRelative(sc)
			if err != nil {
				t.Fatal(err)
			}
			if got := sortedKeys(rel); c.joint != slices.Equal(got, []string{"x", "y"}) || !c.joint && rel != nil {
				t.Errorf("SampleRelative = %v, want joint x and y: %v", rel, c.joint)
			}
			x, err := c.s.Sample(sc, "x", FloatDist{Low: 0, High: 1})
			if err != nil || !(x >= 0 && x <= 1) {
				t.Errorf("Sample = %v (%v), want a value in [0, 1]", x, err)
			}
		})
	}
	for _, c := range []struct {
		s    TPESampler
		liar bool
	}{
		{TPESampler{Version: TPEOptuna5}, true},
		{TPESampler{Version: TPEOptuna5, NoConstantLiar: true}, false},
		{TPESampler{}, false},
		{TPESampler{ConstantLiar: true}, true},
	} {
		_, o, err := c.s.settings()
		if err != nil {
			t.Fatal(err)
		}
		sc := tpe5Context(20, []Direction{Minimize}, sum2)
		obs, err := tpeCollectDirs(sc.Trials, tpeDirections(sc), []tpeParam{{"x", FloatDist{Low: 0, High: 1}}}, c.s.liar(), o)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(obs.AboveNumbers, 20); got != c.liar {
			t.Errorf("%+v: running trial 20 among the above %v: %v, want %v", c.s, obs.AboveNumbers, got, c.liar)
		}
	}
}

// Settings Optuna 5 does not have, or that contradict each other, are
// configuration errors naming them; Optuna 3.1's TPE still refuses several
// objectives, pointing at TPEOptuna5.
func TestTPE5ConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		s    TPESampler
		want string
	}{
		{"no prior", TPESampler{Version: TPEOptuna5, NoPrior: true}, "Optuna 5 always has the prior kernel"},
		{"multivariate and univariate", TPESampler{Version: TPEOptuna5, Multivariate: true, Univariate: true}, "Multivariate and Univariate"},
		{"liar and no liar", TPESampler{Version: TPEOptuna5, ConstantLiar: true, NoConstantLiar: true}, "ConstantLiar and NoConstantLiar"},
		{"version", TPESampler{Version: 7}, "Version = 7"},
		{"candidates", TPESampler{Version: TPEOptuna5, EICandidates: -1}, "EICandidates = -1"},
		{"gamma", TPESampler{Version: TPEOptuna5, Gamma: func(int) int { return -1 }}, "Gamma(12) = -1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := tpe5Context(12, []Direction{Minimize}, sum2)
			_, err := c.s.Sample(sc, "x", FloatDist{Low: 0, High: 1})
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Sample: %v, want ErrConfig mentioning %q", err, c.want)
			}
			c.s.Multivariate, c.s.Univariate = true, strings.Contains(c.name, "univariate")
			_, err = c.s.SampleRelative(sc)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("SampleRelative: %v, want ErrConfig mentioning %q", err, c.want)
			}
		})
	}
	two := tpe5Context(12, minMax, twoWays)
	for _, s := range []TPESampler{{}, {Multivariate: true}} {
		if _, err := s.Sample(two, "x", FloatDist{Low: 0, High: 1}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "TPEOptuna5") {
			t.Errorf("%+v, two objectives: Sample: %v, want ErrConfig naming TPEOptuna5", s, err)
		}
	}
	if _, err := Open(ctx, Config{Directions: minMax, Sampler: &TPESampler{}}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "TPEOptuna5") {
		t.Errorf("Open with two objectives and Optuna 3.1's TPE: %v, want ErrConfig naming TPEOptuna5", err)
	}
}

// zdt1Constrained is Zitzler, Deb and Thiele's first problem (2000) in two variables,
// with the constraint x + y ≤ 1.2: its front is f₂ = 1 − √f₁ at y = 0.
func zdt1Constrained(_ context.Context, t *Trial) ([]float64, error) {
	x, y := t.Float("x", 0, 1), t.Float("y", 0, 1)
	if err := t.SetConstraints(x + y - 1.2); err != nil {
		return nil, err
	}
	g := 1 + 9*y
	return []float64{x, g * (1 - math.Sqrt(x/g))}, nil
}

// A study of two objectives with constraints runs with Optuna 5's TPE
// through the public API: every trial completes, the same seed gives the
// same trials, the good trials hold only feasible ones once there are
// enough, and it finds a front of larger hypervolume than RandomSampler's
// on most seeds.
func TestTPE5StudyMultiObjective(t *testing.T) {
	run := func(s Sampler, seed uint64) (*Study, []FrozenTrial) {
		st := open(t, Config{Directions: []Direction{Minimize, Minimize}, Sampler: s, Seed: seed, Parallelism: 1})
		if err := st.OptimizeMulti(ctx, zdt1Constrained, Budget{Trials: 60}); err != nil {
			t.Fatal(err)
		}
		trials, err := st.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st, trials
	}
	tpe5 := &TPESampler{Version: TPEOptuna5}
	_, a := run(tpe5, 3)
	_, b := run(tpe5, 3)
	for i := range a {
		if a[i].State != Complete || !reflect.DeepEqual(a[i].Params, b[i].Params) {
			t.Fatalf("trial %d: %v %v, again %v: want complete, the same", i, a[i].State, a[i].Params, b[i].Params)
		}
	}
	_, o, err := tpe5.settings()
	if err != nil {
		t.Fatal(err)
	}
	obs, err := tpeCollectDirs(a, []Direction{Minimize, Minimize}, []tpeParam{{"x", FloatDist{Low: 0, High: 1}}}, false, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range obs.BelowNumbers {
		if !pareto.Feasible(a[n].Constraints) {
			t.Errorf("trial %d (constraints %v) is among the good ones %v, want feasible ones only", n, a[n].Constraints, obs.BelowNumbers)
		}
	}
	wins := 0
	for seed := range uint64(5) {
		st, _ := run(tpe5, seed+10)
		hvTPE, err := st.Hypervolume(ctx, []float64{1.1, 11})
		if err != nil {
			t.Fatal(err)
		}
		st, _ = run(RandomSampler{}, seed+10)
		hvRandom, err := st.Hypervolume(ctx, []float64{1.1, 11})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: hypervolume %.4f (TPEOptuna5), %.4f (RandomSampler)", seed+10, hvTPE, hvRandom)
		if hvTPE > hvRandom {
			wins++
		}
	}
	if wins < 4 {
		t.Errorf("TPEOptuna5 beat RandomSampler's hypervolume on %d of 5 seeds, want ≥ 4", wins)
	}
}

// A study of one objective with Optuna 5's TPE (joint sampling and the
// constant liar by default) finds a better optimum than RandomSampler.
func TestTPE5StudySingleObjective(t *testing.T) {
	best := func(s Sampler) float64 {
		st := open(t, Config{Sampler: s, Seed: 5, Parallelism: 1})
		if err := st.Optimize(ctx, quadratic, Budget{Trials: 60}); err != nil {
			t.Fatal(err)
		}
		b, err := st.Best(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return b.Value
	}
	tpe5, random := best(&TPESampler{Version: TPEOptuna5}), best(RandomSampler{})
	t.Logf("best after 60 trials: %.4g (TPEOptuna5), %.4g (RandomSampler)", tpe5, random)
	if !(tpe5 < random) {
		t.Errorf("TPEOptuna5's best %v, want below RandomSampler's %v", tpe5, random)
	}
}
