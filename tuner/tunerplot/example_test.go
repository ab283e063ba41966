package tunerplot_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/importance"
	"github.com/gradtune/gradtune/tuner/tunerplot"
)

// Draw a finished study: its optimization history, the parameters' parallel
// coordinates and importances, and each trial's learning curve.
func Example() {
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: tuner.RandomSampler{}, Seed: 1, Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		lr := t.Float("lr", 1e-4, 1e-1, tuner.Log())
		units := t.Int("units", 8, 64)
		if err := t.Err(); err != nil {
			return 0, err
		}
		floor := math.Pow(math.Log10(lr/0.01), 2) + float64(units)/1000 // lr matters, units barely
		valLoss := 0.0
		for epoch := 0; epoch < 5; epoch++ {
			valLoss = floor + math.Pow(0.5, float64(epoch)) // ... one epoch of training ...
			if err := t.Report(epoch, valLoss); err != nil {
				return 0, err
			}
		}
		return valLoss, nil
	}, tuner.Budget{Trials: 20})
	if err != nil {
		log.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		log.Fatal(err)
	}
	importances, err := importance.Evaluate(trials, importance.Options{})
	if err != nil {
		log.Fatal(err)
	}

	dir, err := os.MkdirTemp("", "tunerplot")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for _, err := range []error{
		tunerplot.OptimizationHistory(filepath.Join(dir, "history.png"), trials, study.Direction()),
		tunerplot.ParallelCoordinates(filepath.Join(dir, "parallel.svg"), trials, study.Direction()),
		tunerplot.Importances(filepath.Join(dir, "importances.png"), importances),
		tunerplot.IntermediateValues(filepath.Join(dir, "intermediate.png"), trials),
	} {
		if err != nil {
			log.Fatal(err)
		}
	}

	names := make([]string, 0, len(importances))
	for name := range importances {
		names = append(names, name)
	}
	sort.Strings(names) // maps have no order
	for _, name := range names {
		fmt.Printf("importance of %s: %.2f\n", name, importances[name])
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(f.Name())
	}
	// Output:
	// importance of lr: 0.93
	// importance of units: 0.07
	// history.png
	// importances.png
	// intermediate.png
	// parallel.svg
}
