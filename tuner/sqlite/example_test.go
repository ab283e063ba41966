package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

// A study kept in a SQLite file survives its process: the second run reopens
// it by name and, with a TotalTrials budget, runs only the trials missing.
func Example() {
	dir, err := os.MkdirTemp("", "study")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "study.db")

	objective := func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-4, 1e-1, tuner.Log())
		return (lr - 0.01) * (lr - 0.01), t.Err() // stands in for a validation loss
	}
	run := func(trials int) {
		ctx := context.Background()
		st, err := sqlite.Open(path)
		if err != nil {
			log.Fatal(err)
		}
		defer st.Close()
		study, err := tuner.Open(ctx, tuner.Config{Name: "mlp", Storage: st, Sampler: tuner.RandomSampler{}, Seed: 5})
		if err != nil {
			log.Fatal(err)
		}
		if err := study.Optimize(ctx, objective, tuner.Budget{TotalTrials: trials}); err != nil {
			log.Fatal(err)
		}
		all, err := study.Trials(ctx)
		if err != nil {
			log.Fatal(err)
		}
		best, err := study.Best(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d trials in %s, best trial %d: lr=%.4f\n", len(all), filepath.Base(path), best.Number, best.Params["lr"])
	}

	run(5)  // the first run: trials 0-4
	run(12) // a later run resumes: trials 5-11
	// Output:
	// 5 trials in study.db, best trial 2: lr=0.0153
	// 12 trials in study.db, best trial 11: lr=0.0089
}
