package trainer

import (
	"maps"
	"slices"
)

// fitRun is where a Fit stands. The epoch loop keeps its counters here
// rather than in locals, so that SaveState (from a callback, or after a
// Fit interrupted by its context) can record the position inside the epoch
// and a later Fit can go on from it.
type fitRun struct {
	hist      *History // the Fit's History so far
	lastEpoch int      // the number the Fit's last epoch will have
	rows      int      // training rows: a resume on another dataset size is refused
	// inEpoch is true while epoch Trainer.epochs is under way: done of its
	// batches are, with the sums of their losses and weights so far.
	inEpoch            bool
	done               int
	lossSum, weightSum float64
	stats              EpochStats // the epoch's record so far
	seconds            float64    // the epoch's wall time before an interruption
}

// clone returns a deep copy of h.
func (h *History) clone() *History {
	c := &History{StoppedBy: h.StoppedBy, Epochs: slices.Clone(h.Epochs), Monitor: slices.Clone(h.Monitor)}
	for i := range c.Epochs {
		c.Epochs[i].ValMetrics = maps.Clone(c.Epochs[i].ValMetrics)
	}
	for i := range c.Monitor {
		c.Monitor[i].Params = slices.Clone(c.Monitor[i].Params)
		c.Monitor[i].Activations = slices.Clone(c.Monitor[i].Activations)
	}
	return c
}
