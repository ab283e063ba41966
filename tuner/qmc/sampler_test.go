package qmc_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/qmc"
)

// The objective of gen_sobol.py's study, in the same order.
func objective(_ context.Context, t *tuner.Trial) (float64, error) {
	batch := t.Int("batch", 8, 1024, tuner.Log())
	drop := t.Float("drop", 0, 0.5, tuner.Step(0.1))
	layers := t.Int("layers", 1, 9, tuner.Step(2))
	lr := t.Float("lr", 1e-5, 1e-1, tuner.Log())
	units := t.Int("units", 1, 100)
	x := t.Float("x", -5, 5)
	return x*x + lr + float64(units+batch+layers) + drop, nil
}

// TestUnscrambledMatchesOptuna runs gen_sobol.py's study: every parameter
// that Optuna's QMCSampler(scramble=False) drew from the sequence must be
// equal; the others (a point that rounds outside its range, such as
// exp(log(1e-5)) < 1e-5) both samplers draw independently. A Log float may
// be one ulp apart, where glibc's exp (Optuna's) is not correctly rounded
// and ours is (internal/crmath); the test counts those.
func TestUnscrambledMatchesOptuna(t *testing.T) {
	b, err := os.ReadFile("../../testdata/optuna/sobol.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Sampler []struct {
			Number           int
			Relative, Params map[string]float64
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: qmc.Sampler{Unscrambled: true}, Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	first := g.Sampler[0].Params
	err = study.Enqueue(ctx, map[string]any{
		"batch": int(first["batch"]), "drop": first["drop"], "layers": int(first["layers"]),
		"lr": first["lr"], "units": int(first["units"]), "x": first["x"],
	}, map[string]tuner.Distribution{
		"batch": tuner.IntDist{Low: 8, High: 1024, Log: true}, "drop": tuner.FloatDist{High: 0.5, Step: 0.1},
		"layers": tuner.IntDist{Low: 1, High: 9, Step: 2}, "lr": tuner.FloatDist{Low: 1e-5, High: 1e-1, Log: true},
		"units": tuner.IntDist{Low: 1, High: 100}, "x": tuner.FloatDist{Low: -5, High: 5},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := study.Optimize(ctx, objective, tuner.Budget{Trials: len(g.Sampler)}); err != nil {
		t.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	compared, ulpOff := 0, 0
	for i, want := range g.Sampler {
		for name, v := range want.Params {
			if rel, ok := want.Relative[name]; i > 0 && (!ok || rel != v) {
				continue // Optuna drew it independently
			}
			var got float64
			switch p := trials[i].Params[name].(type) {
			case int:
				got = float64(p)
			case float64:
				got = p
			}
			compared++
			if got == v {
				continue
			}
			if d, ok := trials[i].Distributions[name].(tuner.FloatDist); ok && d.Log && math.Nextafter(got, v) == v {
				ulpOff++
				continue
			}
			t.Errorf("trial %d, %s = %v, Optuna %v", i, name, trials[i].Params[name], v)
		}
	}
	if compared < 200 || ulpOff > compared/100 {
		t.Fatalf("compared %d parameters, %d of them one ulp apart: want ≥ 200, ≤ 1%%", compared, ulpOff)
	}
	t.Logf("%d parameters equal to Optuna's, %d one ulp apart (glibc's exp)", compared-ulpOff, ulpOff)
}
