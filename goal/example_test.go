package goal_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gradtune/gradtune/goal"
)

// Early stopping by hand: keep the best validation loss and count the epochs
// without an improvement larger than minDelta, as trainer.EarlyStopping does.
func ExampleDirection_Improves() {
	valLoss := []float64{0.90, 0.62, 0.55, 0.549, 0.56, 0.58}
	const minDelta, patience = 0.005, 2

	dir := goal.Minimize // a loss: lower is better
	best, bestEpoch, wait := dir.Worst(), 0, 0
	for i, v := range valLoss {
		epoch := i + 1
		if dir.Improves(v, best, minDelta) {
			best, bestEpoch, wait = v, epoch, 0
			continue
		}
		wait++
		if wait >= patience {
			fmt.Printf("stop at epoch %d: best val_loss=%.3f at epoch %d\n", epoch, best, bestEpoch)
			break
		}
	}
	// Output: stop at epoch 5: best val_loss=0.550 at epoch 3
}

// Parse reads Keras's and torch's mode strings, as a command-line flag would
// give them.
func ExampleParse() {
	for _, mode := range []string{"min", "max", ""} {
		dir, err := goal.Parse(mode)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q → %v; 0.9 better than 0.8: %t\n", mode, dir, dir.Better(0.9, 0.8))
	}
	_, err := goal.Parse("up")
	fmt.Println(errors.Is(err, goal.ErrDirection), err)
	// Output:
	// "min" → minimize; 0.9 better than 0.8: false
	// "max" → maximize; 0.9 better than 0.8: true
	// "" → auto; 0.9 better than 0.8: false
	// true goal: invalid direction: "up", want "min" (or "minimize"), "max" (or "maximize") or "auto"
}
