package cmaes_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/cmaes"
)

// A narrow valley, ten times steeper in y than in x: CMA-ES learns its
// shape, generation by generation (6 trials each for 2 parameters), and
// closes in on the minimum at x = 3, y = −2.
func ExampleSampler() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: cmaes.Sampler{}, Seed: 1, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	objective := func(_ context.Context, t *tuner.Trial) (float64, error) {
		x, y := t.Float("x", -10, 10), t.Float("y", -10, 10)
		return (x-3)*(x-3) + 10*(y+2)*(y+2), nil
	}
	if err := study.Optimize(ctx, objective, tuner.Budget{Trials: 181}); err != nil {
		log.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	perGeneration := map[string]int{}
	for _, t := range trials {
		if g, ok := t.Attrs["cma:generation"]; ok {
			perGeneration[g]++
		}
	}
	fmt.Printf("trial 0 drawn at random, then %d generations of %d trials\n", len(perGeneration), perGeneration["0"])
	best, err := study.Best(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("best: x = %.2f, y = %.2f\n", best.Params["x"], best.Params["y"])
	// Output:
	// trial 0 drawn at random, then 30 generations of 6 trials
	// best: x = 3.00, y = -2.00
}
