package importance_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/importance"
)

// Which of a learning rate, a dropout and a seed-like nuisance parameter
// matters? The objective (a stand-in for a validation loss) depends mostly
// on the learning rate, a little on dropout, and not at all on "noise"
// (its share is the forest's noise).
func ExampleEvaluate() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Seed: 1, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-4, 1e-1, tuner.Log())
		dropout := t.Float("dropout", 0, 0.5)
		_ = t.Int("noise", 0, 9)
		return math.Pow(math.Log10(lr/3e-3), 2) + 2*dropout, nil
	}, tuner.Budget{Trials: 50})
	if err != nil {
		log.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	imp, err := importance.Evaluate(trials, importance.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"lr", "dropout", "noise"} {
		fmt.Printf("%-7s %.2f\n", name, imp[name])
	}
	// Output:
	// lr      0.91
	// dropout 0.08
	// noise   0.01
}
