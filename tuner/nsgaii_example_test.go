package tuner_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"strconv"

	"github.com/gradtune/gradtune/tuner"
)

// NSGA-II against random search on ZDT1 (Zitzler, Deb and Thiele 2000),
// whose Pareto front is f₂ = 1 − √f₁ for x₁ … x₉ = 0: the hypervolume of
// each study's front to (1.1, 11) after every generation of 20 trials.
func ExampleNSGAIISampler() {
	zdt1 := func(ctx context.Context, t *tuner.Trial) ([]float64, error) {
		x0, sum := t.Float("x0", 0, 1), 0.0
		for i := 1; i < 10; i++ {
			sum += t.Float("x"+strconv.Itoa(i), 0, 1)
		}
		g := 1 + sum // 1 + 9·Σxᵢ/(n − 1) for n = 10
		return []float64{x0, g * (1 - math.Sqrt(x0/g))}, nil
	}
	ctx := context.Background()
	hypervolumes := func(sampler tuner.Sampler) []float64 {
		study, err := tuner.Open(ctx, tuner.Config{
			Directions: []tuner.Direction{tuner.Minimize, tuner.Minimize},
			Sampler:    sampler, // nil: NSGA-II with a population of 50
			Seed:       1, Parallelism: 1,
		})
		if err != nil {
			log.Fatal(err)
		}
		var hvs []float64
		for range 8 {
			if err := study.OptimizeMulti(ctx, zdt1, tuner.Budget{Trials: 20}); err != nil {
				log.Fatal(err)
			}
			hv, err := study.Hypervolume(ctx, []float64{1.1, 11})
			if err != nil {
				log.Fatal(err)
			}
			hvs = append(hvs, hv)
		}
		return hvs
	}
	nsga := hypervolumes(&tuner.NSGAIISampler{PopulationSize: 20})
	random := hypervolumes(tuner.RandomSampler{})
	fmt.Println("trials  NSGA-II  random")
	for i := range nsga {
		fmt.Printf("%6d  %7.3f  %6.3f\n", 20*(i+1), nsga[i], random[i])
	}
	// Output:
	// trials  NSGA-II  random
	//     20    8.663   8.663
	//     40    8.740   8.663
	//     60    9.204   8.938
	//     80    9.528   8.956
	//    100    9.674   8.956
	//    120    9.826   8.963
	//    140   10.043   9.033
	//    160   10.123   9.196
}
