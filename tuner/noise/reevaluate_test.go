package noise

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// noisyStudy runs a study over the categorical "cfg" whose true means are
// given, each trial evaluated once (seed 0) with Gaussian noise σ, and
// returns it with an EvalFunc of the same model for other seeds. The noise
// of (cfg, seed) is independent across configurations.
func noisyStudy(t *testing.T, dir tuner.Direction, means map[string]float64, sigma float64) (*tuner.Study, EvalFunc) {
	t.Helper()
	ctx := context.Background()
	eval := func(_ context.Context, params map[string]any, seed int64) (float64, error) {
		cfg := params["cfg"].(string)
		h := fnv.New64a()
		h.Write([]byte(cfg))
		r := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
		return means[cfg] + sigma*r.NormFloat64(), nil
	}
	study, err := tuner.Open(ctx, tuner.Config{Direction: dir, Sampler: tuner.RandomSampler{}, Seed: 7, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range means {
		names = append(names, k)
	}
	sort.Strings(names)
	err = study.Optimize(ctx, func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		cfg := tr.String("cfg", names...)
		return eval(ctx, map[string]any{"cfg": cfg}, 0)
	}, tuner.Budget{Trials: 12})
	if err != nil {
		t.Fatal(err)
	}
	return study, eval
}

// TestReevaluateVerdicts: two configurations whose true means differ by
// far less than the noise are called indistinguishable for most seed
// sets; by far more, always distinguishable, and ranked right.
func TestReevaluateVerdicts(t *testing.T) {
	ctx := context.Background()
	for _, dir := range []tuner.Direction{tuner.Minimize, tuner.Maximize} {
		sign := 1.0
		if dir == tuner.Maximize {
			sign = -1
		}
		close, evalClose := noisyStudy(t, dir, map[string]float64{"a": sign * 1.0, "b": sign * 1.02}, 0.5)
		far, evalFar := noisyStudy(t, dir, map[string]float64{"a": sign * 1.0, "b": sign * 3.0}, 0.5)
		const sets = 40
		indist := 0
		for s := 0; s < sets; s++ {
			var seeds []int64
			for i := 0; i < 10; i++ {
				seeds = append(seeds, int64(100*s+i+1))
			}
			rc, err := Reevaluate(ctx, close, evalClose, Options{Seeds: seeds})
			if err != nil {
				t.Fatal(err)
			}
			if !rc.Distinguishable {
				indist++
			}
			rf, err := Reevaluate(ctx, far, evalFar, Options{Seeds: seeds})
			if err != nil {
				t.Fatal(err)
			}
			if !rf.Distinguishable || rf.Configs[0].Params["cfg"] != "a" || rf.P > 0.01 {
				// d ~ N(2, 0.71²) per seed: a negative d is rare (0.2%), so R+ is
				// near its maximum and p ≤ 0.01 (1/1024 with all 10 positive).
				t.Errorf("%v seeds %v: far apart (Δ = 4σ) got %s", dir, seeds, rf)
			}
			if len(rf.Configs) != 2 || len(rf.Configs[0].Values) != 10 {
				t.Fatalf("%v: %d configs of %d values, want 2 of 10", dir, len(rf.Configs), len(rf.Configs[0].Values))
			}
			if m := rf.Configs[1].Mean; math.Abs(m-sign*3) > 0.5 || math.Abs(rf.Configs[1].Std-0.5) > 0.35 {
				t.Errorf("%v: runner-up %.3f ± %.3f, want ≈ %v ± 0.5", dir, m, rf.Configs[1].Std, sign*3)
			}
		}
		// Δ = 0.04σ: the test's rejection rate is ≈ α (one-sided 0.05), plus
		// a little power; 40 sets almost surely leave ≥ 32 unrejected.
		t.Logf("%v: %d of %d seed sets indistinguishable", dir, indist, sets)
		if indist < 32 {
			t.Errorf("%v: close configurations called distinguishable in %d of %d seed sets", dir, sets-indist, sets)
		}
	}
}

func TestReevaluateTextAndErrors(t *testing.T) {
	ctx := context.Background()
	study, eval := noisyStudy(t, tuner.Minimize, map[string]float64{"a": 1, "b": 5, "c": 2}, 0.1)
	r, err := Reevaluate(ctx, study, eval, Options{})
	if err != nil {
		t.Fatal(err)
	}
	txt := r.String()
	for _, want := range []string{"top 3 over 5 seeds", "1. trial", "map[cfg:a]", "better than the runner-up", "p = 0.0312"} {
		if !strings.Contains(txt, want) {
			t.Errorf("report lacks %q:\n%s", want, txt)
		}
	}
	if err := r.WriteText(nil); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("WriteText(nil) = %v, want ErrConfig", err)
	}
	if r.Configs[0].Params["cfg"] != "a" || r.Configs[1].Params["cfg"] != "c" || r.Configs[2].Params["cfg"] != "b" {
		t.Errorf("order %v %v %v, want a c b", r.Configs[0].Params, r.Configs[1].Params, r.Configs[2].Params)
	}
	for _, o := range []Options{{TopK: 1}, {Repeats: 1}, {Seeds: []int64{3}}, {Alpha: 1}, {Alpha: -0.1}} {
		if _, err := Reevaluate(ctx, study, eval, o); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("Options %+v: err %v, want ErrConfig", o, err)
		}
	}
	if _, err := Reevaluate(ctx, nil, eval, Options{}); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("nil study: %v", err)
	}
	boom := errors.New("boom")
	_, err = Reevaluate(ctx, study, func(context.Context, map[string]any, int64) (float64, error) { return 0, boom }, Options{})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "seed 1") {
		t.Errorf("eval error: %v", err)
	}
	_, err = Reevaluate(ctx, study, func(context.Context, map[string]any, int64) (float64, error) { panic("bad") }, Options{})
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("eval panic: %v", err)
	}
	one, _ := noisyStudy(t, tuner.Minimize, map[string]float64{"a": 1}, 0.1)
	if _, err := Reevaluate(ctx, one, eval, Options{}); !errors.Is(err, ErrTooFewTrials) {
		t.Errorf("one configuration: %v, want ErrTooFewTrials", err)
	}
}
