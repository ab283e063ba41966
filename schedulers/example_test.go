package schedulers_test

import (
	"fmt"
	"log"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
)

// A linear warm-up over 2 epochs, then a cosine decay from 0.1 to 0.001 over
// the 4 epochs left: the rate each epoch of a 6-epoch run trains at.
func ExampleWarmup() {
	const epochs = 6
	sched := schedulers.Warmup{
		Steps:       2,
		StartFactor: 0.1,
		Then:        schedulers.CosineAnnealing{LR: 0.1, TMax: 4, EtaMin: 0.001},
	}
	if err := schedulers.CheckRun(sched, epochs); err != nil {
		log.Fatal(err)
	}
	for epoch := 0; epoch < epochs; epoch++ {
		fmt.Printf("epoch %d: lr=%.4f\n", epoch+1, sched.At(epoch))
	}
	// Output:
	// epoch 1: lr=0.0100
	// epoch 2: lr=0.0550
	// epoch 3: lr=0.1000
	// epoch 4: lr=0.0855
	// epoch 5: lr=0.0505
	// epoch 6: lr=0.0155
}

// A Solver drives an optimizer's rate in place: here a step decay halving
// Adam's rate every 2 epochs, with a ReduceLROnPlateau on top that cuts it
// tenfold once the validation loss has stalled for more than one epoch.
func ExampleSolver() {
	adam, err := optimizers.Adam{}.Solver(0.01)
	if err != nil {
		log.Fatal(err)
	}
	solver, err := schedulers.NewSolver(adam, schedulers.StepDecay{LR: 0.01, StepSize: 2, Gamma: 0.5}, schedulers.PerEpoch)
	if err != nil {
		log.Fatal(err)
	}
	plateau, err := schedulers.NewPlateau(schedulers.ReduceLROnPlateau{Mode: goal.Minimize, Patience: 1})
	if err != nil {
		log.Fatal(err)
	}

	valLoss := []float64{0.9, 0.7, 0.6, 0.61, 0.62, 0.55}
	for epoch, loss := range valLoss {
		lr := solver.LR()
		// ... one epoch of solver.Step(G.NodesToValueGrads(learnables)) at lr ...
		solver.EpochEnd()
		// The plateau weighs the next epoch's rate; on a reduction the
		// solver scales the schedule down by the same factor.
		next := solver.LR()
		newLR, reduced := plateau.Step(loss, next)
		if reduced {
			if err := solver.ScaleLR(newLR / next); err != nil {
				log.Fatal(err)
			}
		}
		fmt.Printf("epoch %d: lr=%.3g val_loss=%.2f reduced=%v\n", epoch+1, lr, loss, reduced)
	}
	fmt.Printf("next lr=%.3g\n", solver.LR())
	// Output:
	// epoch 1: lr=0.01 val_loss=0.90 reduced=false
	// epoch 2: lr=0.01 val_loss=0.70 reduced=false
	// epoch 3: lr=0.005 val_loss=0.60 reduced=false
	// epoch 4: lr=0.005 val_loss=0.61 reduced=false
	// epoch 5: lr=0.0025 val_loss=0.62 reduced=true
	// epoch 6: lr=0.00025 val_loss=0.55 reduced=false
	// next lr=0.000125
}
