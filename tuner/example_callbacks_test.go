package tuner_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/gradtune/gradtune/tuner"
)

// A callback that stops the study once a trial is good enough: the trials
// running then finish, none starts, and Optimize returns nil. A later
// Optimize would run again.
func ExampleStudy_Stop() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Seed: 3, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	objective := func(_ context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-5, 1e-1, tuner.Log())
		return math.Abs(math.Log10(lr / 0.003)), nil // 0 at lr = 0.003
	}
	goodEnough := func(_ context.Context, s *tuner.Study, t tuner.FrozenTrial) error {
		if t.State == tuner.Complete && t.Value < 0.1 {
			fmt.Printf("trial %d is good enough: lr = %.4f\n", t.Number, t.Params["lr"])
			s.Stop()
		}
		return nil
	}
	if err := study.Optimize(ctx, objective, tuner.Budget{Trials: 100}, goodEnough); err != nil {
		log.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(trials), "of 100 trials run")
	// Output:
	// trial 14 is good enough: lr = 0.0037
	// 15 of 100 trials run
}
