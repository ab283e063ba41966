package tuner_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/gradtune/gradtune/tuner"
)

// Search a learning rate (log scale), an optimizer and a batch size with
// TPE, Optuna's default sampler. The objective stands in for a training run
// that returns its validation loss: it is lowest at lr = 0.003 with Adam.
func Example() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{
		Name:        "mlp",
		Direction:   tuner.Minimize,
		Seed:        1,
		Parallelism: 1, // one trial at a time: the same trials on every run
	})
	if err != nil {
		log.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-5, 1e-1, tuner.Log())
		optimizer := t.String("optimizer", "adam", "sgd")
		batchSize := t.Categorical("batch_size", 16, 32, 64).(int)
		if err := t.Err(); err != nil {
			return 0, err
		}
		valLoss := 0.1 + math.Pow(math.Log10(lr/0.003), 2) + float64(batchSize)/1000
		if optimizer == "sgd" {
			valLoss += 0.2
		}
		return valLoss, nil
	}, tuner.Budget{Trials: 40})
	if err != nil {
		log.Fatal(err)
	}

	best, err := study.Best(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("best trial %d: val_loss=%.4f lr=%.4f optimizer=%s batch_size=%d\n",
		best.Number, best.Value, best.Params["lr"], best.Params["optimizer"], best.Params["batch_size"])
	// Output:
	// best trial 31: val_loss=0.1160 lr=0.0030 optimizer=adam batch_size=16
}
