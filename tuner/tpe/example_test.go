package tpe_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/tuner/tpe"
)

// One TPE draw of a learning rate on a log scale, from ten finished trials
// of a loss that is lowest near lr = 0.01: Split puts the best trial below,
// the others above, and Acquire proposes a value near the good one.
func ExampleAcquire() {
	space := []tpe.Dist{{Low: 1e-5, High: 1, Log: true}}
	var trials []tpe.Trial
	for i, lr := range []float64{1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.012, 0.03, 0.1, 0.3} {
		loss := (lr - 0.01) * (lr - 0.01)
		trials = append(trials, tpe.Trial{Number: i, State: tpe.Complete, Value: loss, X: []float64{lr}})
	}
	obs, err := tpe.Split(trials, goal.Minimize, len(space), tpe.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("below:", obs.BelowNumbers, "above:", obs.AboveNumbers)
	r := rand.New(rand.NewPCG(1, 2))
	a, err := tpe.Acquire(space, obs, tpe.Options{}, r.Float64)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d candidates; lr = %.4f\n", len(a.Candidates[0]), a.Chosen()[0])
	// Output:
	// below: [6] above: [0 1 2 3 4 5 7 8 9]
	// 24 candidates; lr = 0.0193
}
