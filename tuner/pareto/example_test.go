package pareto_test

import (
	"fmt"
	"log"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// Five trained models: validation accuracy (higher is better) against
// parameter count in thousands (lower is better). Which are worth keeping,
// and how much of the objective space do they cover?
func Example() {
	points := [][]float64{
		{0.91, 12}, // small and good
		{0.95, 80},
		{0.90, 40}, // worse and bigger than the first: dominated
		{0.97, 300},
		{0.95, 120}, // as accurate as the second, bigger: dominated
	}
	dirs := []goal.Direction{goal.Maximize, goal.Minimize}
	front, err := pareto.Front(points, dirs)
	if err != nil {
		log.Fatal(err)
	}
	ranks, err := pareto.Ranks(points, dirs)
	if err != nil {
		log.Fatal(err)
	}
	// Hypervolume minimizes: negate the accuracy; reference 0.8 and 400k.
	var minimized [][]float64
	for _, i := range front {
		minimized = append(minimized, []float64{-points[i][0], points[i][1]})
	}
	hv, err := pareto.Hypervolume(minimized, []float64{-0.8, 400})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("front:", front, "ranks:", ranks)
	fmt.Printf("hypervolume: %.2f\n", hv)
	// Output:
	// front: [0 1 3] ranks: [0 0 1 0 1]
	// hypervolume: 57.48
}
