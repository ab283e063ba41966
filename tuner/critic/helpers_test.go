package critic

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// objective is a synthetic objective: it reads the trial's parameters and
// a random stream of its own (for noise), and returns a value or an error.
type objective func(t *tuner.Trial, rng *rand.Rand) (float64, error)

// runStudy runs n trials of obj in a new in-memory study, one at a time,
// and returns its trials.
func runStudy(t testing.TB, sampler tuner.Sampler, seed uint64, n int, obj objective) []tuner.FrozenTrial {
	t.Helper()
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: sampler, Seed: seed, Parallelism: 1, MaxConsecutiveFailures: -1})
	if err != nil {
		t.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		rng := rand.New(rand.NewPCG(seed, uint64(tr.Number())+1<<40))
		return obj(tr, rng)
	}, tuner.Budget{Trials: n})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

// runMultiStudy is runStudy for a study of several objectives.
func runMultiStudy(t testing.TB, dirs []tuner.Direction, seed uint64, n int, obj func(*tuner.Trial, *rand.Rand) ([]float64, error)) []tuner.FrozenTrial {
	t.Helper()
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Directions: dirs, Seed: seed, Parallelism: 1, MaxConsecutiveFailures: -1})
	if err != nil {
		t.Fatal(err)
	}
	err = study.OptimizeMulti(ctx, func(ctx context.Context, tr *tuner.Trial) ([]float64, error) {
		return obj(tr, rand.New(rand.NewPCG(seed, uint64(tr.Number())+1<<40)))
	}, tuner.Budget{Trials: n})
	if err != nil {
		t.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

var minimize = []tuner.Direction{tuner.Minimize}

// review runs Review with the default options and the given seed.
func review(t testing.TB, trials []tuner.FrozenTrial, seed uint64) []Finding {
	t.Helper()
	fs, err := Review(trials, minimize, Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// find returns the finding of kind about param, if any.
func find(fs []Finding, kind Kind, param string) (Finding, bool) {
	for _, f := range fs {
		if f.Kind == kind && f.Param == param {
			return f, true
		}
	}
	return Finding{}, false
}

// keys lists findings as "kind:param", for messages and counts.
func keys(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("%s:%s", f.Kind, f.Param)
	}
	return out
}

// tally runs obj over seeds 1…n with sampler and counts each
// "kind:param" found.
func tally(t *testing.T, sampler tuner.Sampler, seeds, trials int, obj objective) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		for _, k := range keys(review(t, runStudy(t, sampler, seed, trials, obj), seed)) {
			counts[k]++
		}
	}
	return counts
}

// sq is x².
func sq(x float64) float64 { return x * x }

// firstWith runs obj with sampler over seeds 1, 2, … and returns the
// trials and findings of the first study whose review finds kind about
// param (checkTally checks how often that happens; this is for checking
// what a finding says).
func firstWith(t *testing.T, sampler tuner.Sampler, trials int, obj objective, kind Kind, param string) ([]tuner.FrozenTrial, []Finding, Finding) {
	t.Helper()
	for seed := uint64(1); seed <= 10; seed++ {
		tr := runStudy(t, sampler, seed, trials, obj)
		fs := review(t, tr, seed)
		if f, ok := find(fs, kind, param); ok {
			return tr, fs, f
		}
	}
	t.Fatalf("no %s finding for %s in 10 studies", kind, param)
	return nil, nil, Finding{}
}
