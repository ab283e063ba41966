package tuner

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

// zdt1 is Zitzler, Deb and Thiele's ZDT1 on five parameters (both
// objectives minimized; the front is f₂ = 1 − √f₁).
func zdt1(_ context.Context, t *Trial) ([]float64, error) {
	x0 := t.Float("x0", 0, 1)
	sum := 0.0
	for i := 1; i < 5; i++ {
		sum += t.Float("x"+strconv.Itoa(i), 0, 1)
	}
	g := 1 + 9*sum/4
	return []float64{x0, g * (1 - math.Sqrt(x0/g))}, nil
}

// A study of several objectives with no sampler runs NSGA-II, as Optuna's
// does (it ran RandomSampler): the first 50 complete trials form generation
// 0, drawn at random; the next are bred from them, and each records its
// generation and the trials it was bred from.
func TestDefaultSamplerOfSeveralObjectivesIsNSGAII(t *testing.T) {
	s := open(t, Config{Directions: []Direction{Minimize, Minimize}, Parallelism: 1, Seed: 4})
	if err := s.OptimizeMulti(ctx, zdt1, Budget{Trials: 70}); err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trials {
		want := "0"
		if tr.Number >= 50 {
			want = "1"
		}
		if got := tr.Attrs["nsga2:generation"]; got != want {
			t.Fatalf("trial %d: generation %q, want %q (attrs %v)", tr.Number, got, want, tr.Attrs)
		}
		parents, bred := tr.Attrs["nsga2:parents"]
		if bred != (tr.Number >= 50) {
			t.Fatalf("trial %d: parents %q (recorded: %v), want them from generation 1 on", tr.Number, parents, bred)
		}
		var ns []int
		if err := json.Unmarshal([]byte(parents), &ns); bred && (err != nil || len(ns) == 0) {
			t.Fatalf("trial %d: parents %q, want a JSON list of trial numbers (%v)", tr.Number, parents, err)
		}
		for _, n := range ns {
			if n < 0 || n >= 50 {
				t.Errorf("trial %d: parent %d, want one of generation 0's trials 0 to 49", tr.Number, n)
			}
		}
	}
}
