package noise_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/noise"
)

// Re-evaluating a study's top 3 with 8 other seeds: "wd" = 0.001 and
// 0.0001 train equally well (their gap, 0.002, is far below the seed
// noise of 0.05), so the study's ranking of the two is noise.
func ExampleReevaluate() {
	ctx := context.Background()
	trueLoss := map[float64]float64{0.1: 0.60, 0.01: 0.40, 0.001: 0.302, 0.0001: 0.300}
	train := func(_ context.Context, params map[string]any, seed int64) (float64, error) {
		wd := params["wd"].(float64)
		r := rand.New(rand.NewPCG(uint64(seed), uint64(wd*1e6))) // ... train with this seed ...
		return trueLoss[wd] + 0.05*r.NormFloat64(), nil
	}
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Seed: 2, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		wd := t.Categorical("wd", 0.1, 0.01, 0.001, 0.0001).(float64)
		return train(ctx, map[string]any{"wd": wd}, 0)
	}, tuner.Budget{Trials: 10})
	if err != nil {
		log.Fatal(err)
	}
	r, err := noise.Reevaluate(ctx, study, train, noise.Options{TopK: 3, Repeats: 8})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(r)
	fmt.Printf("noise σ = %.3f\n", r.Noise())
	// Output:
	// re-evaluation of the top 3 over 8 seeds [1 2 3 4 5 6 7 8] (minimize):
	//   1. trial 0: 0.277422 ± 0.048 (study: 0.333907) map[wd:0.001]
	//   2. trial 1: 0.310437 ± 0.049 (study: 0.348624) map[wd:0.0001]
	//   3. trial 5: 0.393422 ± 0.053 (study: 0.402776) map[wd:0.01]
	// best (trial 0) is not distinguishable from the runner-up (trial 1): Wilcoxon signed-rank p = 0.156, α = 0.05
	// noise σ = 0.050
}

// Stopping a study once it no longer improves by more than the noise of
// one evaluation (σ = 0.05, as Report.Noise measured it), with the
// stopper's callback in the study's own Optimize call, beside a callback
// that logs each new best.
func ExamplePlateauStopper_Callback() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Seed: 2, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	objective := func(_ context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-4, 1, tuner.Log())
		return 0.3 + 0.1*math.Pow(math.Log10(lr)+2, 2), nil // best at lr = 0.01
	}
	best := math.Inf(1)
	logBest := func(_ context.Context, _ *tuner.Study, t tuner.FrozenTrial) error {
		if t.State == tuner.Complete && t.Value < best {
			best = t.Value
			fmt.Printf("trial %d: %.4f\n", t.Number, t.Value)
		}
		return nil
	}
	var plateau noise.Plateau
	stopper := noise.PlateauStopper{Noise: 0.05, Patience: 10}
	err = study.Optimize(ctx, objective, tuner.Budget{Trials: 200}, logBest, stopper.Callback(&plateau))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("stopped after %d of 200 trials: %s\n", plateau.Trials, plateau.Reason)
	// Output:
	// trial 0: 0.6110
	// trial 1: 0.5165
	// trial 2: 0.4199
	// trial 4: 0.3406
	// trial 8: 0.3069
	// trial 13: 0.3001
	// stopped after 15 of 200 trials: the last 10 trials improved the best value by 0.04053 (0.340597 → 0.300063), not more than the noise σ = 0.05
}

// Re-evaluating with the study's own objective: objective(seed) is the
// objective as it would run with that seed (here a toy training whose
// result varies with its seed), and each re-run is a trial with the
// configuration's parameters enqueued, so nothing is written twice.
func ExampleReevaluateObjective() {
	ctx := context.Background()
	objective := func(seed int64) tuner.Objective {
		return func(_ context.Context, t *tuner.Trial) (float64, error) {
			lr := t.Float("lr", 1e-3, 1, tuner.Log())
			r := rand.New(rand.NewPCG(uint64(seed), math.Float64bits(lr))) // ... train with this seed ...
			return math.Abs(math.Log10(lr)+2) + 0.05*r.NormFloat64(), nil
		}
	}
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Seed: 3, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	if err := study.Optimize(ctx, objective(0), tuner.Budget{Trials: 20}); err != nil {
		log.Fatal(err)
	}
	r, err := noise.ReevaluateObjective(ctx, study, objective, noise.Options{TopK: 2, Repeats: 6})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("trial %d: %.3f ± %.3f, trial %d: %.3f ± %.3f, distinguishable: %v\n",
		r.Configs[0].Number, r.Configs[0].Mean, r.Configs[0].Std, r.Configs[1].Number, r.Configs[1].Mean, r.Configs[1].Std, r.Distinguishable)
	// Output:
	// trial 8: 0.026 ± 0.043, trial 2: 0.035 ± 0.038, distinguishable: false
}
