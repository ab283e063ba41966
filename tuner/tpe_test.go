package tuner

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner/tpe"
)

var (
	_ RelativeSampler = TPESampler{}
	_ RelativeSampler = &TPESampler{}
)

// tpeQuadratic2D is minimized (0) at x = 1.5, y = −0.5.
func tpeQuadratic2D(_ context.Context, t *Trial) (float64, error) {
	x, y := t.Float("x", -5, 5), t.Float("y", -5, 5)
	return (x-1.5)*(x-1.5) + (y+0.5)*(y+0.5), nil
}

func tpeBest(t *testing.T, cfg Config, obj Objective, trials int) float64 {
	t.Helper()
	s := open(t, cfg)
	if err := s.Optimize(ctx, obj, Budget{Trials: trials}); err != nil {
		t.Fatal(err)
	}
	best, err := s.Best(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return best.Value
}

// On a 2-D quadratic, 60 trials of TPE (independent and multivariate) find a
// better best value than 60 random trials for most seeds (at least 15 of 20;
// measured: 19, 19 and 17).
func TestTPEBeatsRandomOnQuadratic(t *testing.T) {
	const seeds = 20
	rnd := make([]float64, seeds+1)
	for seed := uint64(1); seed <= seeds; seed++ {
		rnd[seed] = tpeBest(t, Config{Sampler: RandomSampler{}, Seed: seed, Parallelism: 1}, tpeQuadratic2D, 60)
	}
	for _, c := range []struct {
		name    string
		sampler Sampler
	}{
		{"independent", &TPESampler{}},
		{"multivariate", &TPESampler{Multivariate: true}},
		{"normalized density", &TPESampler{NormalizedDensity: true}},
	} {
		wins, tpeSum, randSum := 0, 0.0, 0.0
		for seed := uint64(1); seed <= seeds; seed++ {
			tpe := tpeBest(t, Config{Sampler: c.sampler, Seed: seed, Parallelism: 1}, tpeQuadratic2D, 60)
			if tpe < rnd[seed] {
				wins++
			}
			tpeSum, randSum = tpeSum+tpe, randSum+rnd[seed]
		}
		t.Logf("%s: TPE better on %d of %d seeds; mean best %.4f (random %.4f)", c.name, wins, seeds, tpeSum/seeds, randSum/seeds)
		if wins < 15 {
			t.Errorf("%s: TPE beat random on %d of %d seeds, want ≥ 15", c.name, wins, seeds)
		}
	}
}

func tpeParams(t *testing.T, cfg Config, obj Objective, trials int) []map[string]any {
	t.Helper()
	s := open(t, cfg)
	if err := s.Optimize(ctx, obj, Budget{Trials: trials}); err != nil {
		t.Fatal(err)
	}
	return paramsByNumber(t, s)
}

// Before StartupTrials finished trials TPE draws as RandomSampler does; the
// same seed gives the same study, another seed another one.
func TestTPESeededAndStartsAsRandom(t *testing.T) {
	for _, multivariate := range []bool{false, true} {
		tpe := tpeParams(t, Config{Sampler: TPESampler{Multivariate: multivariate}, Seed: 5, Parallelism: 1}, quadratic, 25)
		again := tpeParams(t, Config{Sampler: TPESampler{Multivariate: multivariate}, Seed: 5, Parallelism: 1}, quadratic, 25)
		other := tpeParams(t, Config{Sampler: TPESampler{Multivariate: multivariate}, Seed: 6, Parallelism: 1}, quadratic, 25)
		rnd := tpeParams(t, Config{Sampler: RandomSampler{}, Seed: 5, Parallelism: 1}, quadratic, 25)
		if !reflect.DeepEqual(tpe, again) {
			t.Errorf("multivariate %v: same seed, different studies:\n%v\n%v", multivariate, tpe, again)
		}
		if reflect.DeepEqual(tpe, other) {
			t.Errorf("multivariate %v: seeds 5 and 6 gave the same study", multivariate)
		}
		if !reflect.DeepEqual(tpe[:10], rnd[:10]) {
			t.Errorf("multivariate %v: startup trials differ from RandomSampler's:\n%v\n%v", multivariate, tpe[:10], rnd[:10])
		}
		if reflect.DeepEqual(tpe[10:], rnd[10:]) {
			t.Errorf("multivariate %v: TPE after startup drew the random sampler's values", multivariate)
		}
	}
}

// Every kind of range yields valid values (the study fails a trial whose
// value falls outside its distribution), single-valued ones included, with
// conditional parameters, pruned trials and parallel workers.
func TestTPEValidValuesForEveryDistribution(t *testing.T) {
	obj := func(_ context.Context, t *Trial) (float64, error) {
		v := math.Log10(t.Float("lr", 1e-5, 1e-1, Log()))
		v += t.Float("frac", 0, 1, Step(0.3)) // High 1 is off the 0.3 grid
		v += float64(t.Int("units", 8, 512, Log())) / 512
		v += float64(t.Int("layers", 1, 9, Step(2)))
		v += float64(t.Int("one", 3, 3)) + t.Float("fixed", 2, 2)
		if t.String("act", "relu", "tanh", "gelu") == "tanh" {
			v += t.Float("slope", -1, 1)
		}
		if t.Number()%7 == 3 {
			if err := t.Report(1, v); err != nil {
				return 0, err
			}
			return 0, ErrPruned
		}
		return v, nil
	}
	for _, s := range []*TPESampler{{}, {Multivariate: true}, {ConstantLiar: true, ConsiderEndpoints: true, NoMagicClip: true}} {
		st := open(t, Config{Sampler: s, Seed: 3, Parallelism: 3})
		if err := st.Optimize(ctx, obj, Budget{Trials: 40}); err != nil {
			t.Fatal(err)
		}
		trials, _ := st.Trials(ctx)
		for _, tr := range trials {
			if tr.State == Failed {
				t.Errorf("%+v: trial %d failed: %s", *s, tr.Number, tr.FailReason)
			}
			if f := tr.Params["frac"].(float64); f > 0.9+1e-12 {
				t.Errorf("%+v: frac = %v, past the grid's last point 0.9", *s, f)
			}
		}
	}
}

// tpeContext is a SampleContext over n complete trials of x ∈ [0, 1].
func tpeContext(n int) *SampleContext {
	d := FloatDist{Low: 0, High: 1}
	var trials []FrozenTrial
	for i := range n {
		ft := newFrozen(int64(i+1), i, Complete)
		x := float64(i) / float64(n)
		ft.Internal["x"], ft.Distributions["x"], ft.Params["x"], ft.Value = x, d, x, x*x
		trials = append(trials, *ft)
	}
	return &SampleContext{Trials: trials, Trial: newFrozen(0, n, Running), Rand: rand.New(rand.NewPCG(1, 2))}
}

func TestTPEConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		s    TPESampler
		want string
	}{
		{"startup", TPESampler{StartupTrials: -1}, "StartupTrials = -1, want ≥ 0"},
		{"candidates", TPESampler{EICandidates: -3}, "EICandidates = -3, want 0 to"},
		{"prior weight", TPESampler{PriorWeight: -0.5}, "PriorWeight = -0.5, want finite > 0"},
		{"prior weight NaN", TPESampler{PriorWeight: math.NaN()}, "PriorWeight = NaN"},
		{"prior weight Inf", TPESampler{PriorWeight: math.Inf(1)}, "PriorWeight = +Inf"},
		{"gamma", TPESampler{Gamma: func(int) int { return -2 }}, "Gamma(12) = -2, want ≥ 0"},
		{"gamma panics", TPESampler{Gamma: func(int) int { panic("boom") }}, "panicked: boom"},
		{"weights short", TPESampler{Weights: func(int) []float64 { return []float64{1} }}, "returned 1 values, want"},
		{"weights negative", TPESampler{Weights: func(n int) []float64 { w := tpe.DefaultWeights(n); w[0] = -1; return w }}, "[0] = -1, want finite ≥ 0"},
		{"weights NaN", TPESampler{Weights: func(n int) []float64 { w := tpe.DefaultWeights(n); w[1] = math.NaN(); return w }}, "[1] = NaN"},
		{"weights zero", TPESampler{Weights: func(n int) []float64 { return make([]float64, n) }}, "sums to 0, want > 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.s.Sample(tpeContext(12), "x", FloatDist{Low: 0, High: 1})
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Sample: %v, want ErrConfig mentioning %q", err, c.want)
			}
			c.s.Multivariate = true
			_, err = c.s.SampleRelative(tpeContext(12))
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("SampleRelative: %v, want ErrConfig mentioning %q", err, c.want)
			}
		})
	}
	// A study whose sampler is misconfigured fails its trials; it does not panic.
	s := open(t, Config{Sampler: TPESampler{EICandidates: -1}, Parallelism: 1})
	if err := s.Optimize(ctx, tpeQuadratic2D, Budget{Trials: 2}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	for _, tr := range trials {
		if tr.State != Failed || !strings.Contains(tr.FailReason, "EICandidates") {
			t.Errorf("trial %d: %v %q, want failed naming EICandidates", tr.Number, tr.State, tr.FailReason)
		}
	}
}

// StartupTrials's default, and the options passed on to package tpe
// (which fills in their defaults, tested there).
func TestTPESettingsDefaults(t *testing.T) {
	for _, c := range []struct {
		s                   TPESampler
		startup, candidates int
		gamma30             int
	}{
		{TPESampler{}, 10, 0, -1},
		{TPESampler{StartupTrials: 3, EICandidates: 100, Gamma: tpe.HyperoptGamma}, 3, 100, 2},
	} {
		startup, o, err := c.s.settings()
		if err != nil {
			t.Fatal(err)
		}
		gamma30 := -1
		if o.Gamma != nil {
			gamma30 = o.Gamma(30)
		}
		if startup != c.startup || o.EICandidates != c.candidates || gamma30 != c.gamma30 {
			t.Errorf("%+v: startup %d candidates %d gamma(30) %d, want %d %d %d", c.s, startup, o.EICandidates, gamma30, c.startup, c.candidates, c.gamma30)
		}
	}
	// StartupTrials counts finished trials: with 9 random values come back.
	ctx9 := tpeContext(9)
	want := sampleUniform(rand.New(rand.NewPCG(1, 2)), FloatDist{Low: 0, High: 1})
	if got, err := (TPESampler{}).Sample(ctx9, "x", FloatDist{Low: 0, High: 1}); err != nil || got != want {
		t.Errorf("9 trials: %v (%v), want the random draw %v", got, err, want)
	}
}

// tpeBenchContext is a SampleContext over n complete trials of a
// 5-parameter space (float, log float, int, stepped float, categorical).
func tpeBenchContext(n int) (*SampleContext, []tpeParam) {
	space := []tpeParam{
		{"x", FloatDist{Low: -5, High: 5}},
		{"lr", FloatDist{Low: 1e-5, High: 1, Log: true}},
		{"n", IntDist{Low: 1, High: 64}},
		{"s", FloatDist{Low: 0, High: 1, Step: 0.1}},
		{"c", CategoricalDist{Choices: []any{"a", "b", "c", "d"}}},
	}
	r := rand.New(rand.NewPCG(3, 4))
	var trials []FrozenTrial
	for i := range n {
		ft := newFrozen(int64(i+1), i, Complete)
		ft.Value = 0
		for _, p := range space {
			x := sampleUniform(r, p.d)
			ft.Internal[p.name], ft.Distributions[p.name], ft.Params[p.name] = x, p.d, p.d.FromInternal(x)
			ft.Value += x * x
		}
		trials = append(trials, *ft)
	}
	return &SampleContext{Trials: trials, Trial: newFrozen(0, n, Running), Rand: rand.New(rand.NewPCG(5, 6))}, space
}

// BenchmarkTPESample times one trial's sampling (all 5 parameters) after
// 100 and 1,000 complete trials: independent, then multivariate.
func BenchmarkTPESample(b *testing.B) {
	for _, n := range []int{100, 1000} {
		c, space := tpeBenchContext(n)
		b.Run("independent/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				for _, p := range space {
					if _, err := (TPESampler{}).Sample(c, p.name, p.d); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run("multivariate/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := (TPESampler{Multivariate: true}).SampleRelative(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
