package noise_test

import (
	"context"
	"fmt"
	"log"
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
