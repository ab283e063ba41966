package trainer

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/gradtune/gradtune/data"
)

// BatchStats is what one TrainBatch step measured.
type BatchStats struct {
	Loss    float64 // the batch's mean data loss before the update (the loss's own reduction)
	Penalty float64 // the regularization penalty before the update; 0 without regularizers
	Step    int     // the optimizer's step count after this step (Trainer.Steps)
}

// TrainBatch runs one optimizer step — forward, backward, clipping and the
// update — on every row of batch, the step Fit runs for each minibatch
// (Keras's train_on_batch). It is the building block of a training loop of
// your own; Fit remains the loop with epochs, shuffling, validation and
// callbacks, none of which TrainBatch runs.
//
// batch holds 1 to Config.BatchSize rows: features (n, inputs) and raw
// targets (n, k) as for Fit. It trains the model's parameters as they are
// and leaves the updated values in them. The step count advances, so a
// schedule with ScheduleEvery PerStep moves on; a per-epoch schedule stays
// where Fit left it. Dropout masks come from a generator seeded by
// (Config.Seed, Epochs()+1, Steps()+1), so a loop of TrainBatch calls is
// reproducible.
//
// It returns an error wrapping ErrData for a nil, empty or ill-shaped
// batch, or one larger than Config.BatchSize; ErrConfig when called during
// Fit (from a callback); ErrNonFinite for a NaN/Inf loss, gradient or
// updated weight, in which case the step is undone; ErrClosed after Close;
// and a cancelled ctx's error, wrapped.
func (t *Trainer) TrainBatch(ctx context.Context, batch *data.Dataset) (BatchStats, error) {
	var s BatchStats
	if ctx == nil {
		return s, fmt.Errorf("%w: nil context", ErrConfig)
	}
	if err := ctx.Err(); err != nil {
		return s, fmt.Errorf("trainer: TrainBatch: %w", err)
	}
	if err := t.usable(); err != nil {
		return s, err
	}
	if t.fitting {
		return s, fmt.Errorf("%w: TrainBatch during Fit (a callback cannot run its own steps)", ErrConfig)
	}
	p, err := t.prepare(batch, "batch")
	if err != nil {
		return s, err
	}
	n := p.raw.Len()
	if n > t.cfg.BatchSize {
		return s, fmt.Errorf("%w: batch has %d rows, more than Config.BatchSize %d", ErrData, n, t.cfg.BatchSize)
	}
	// Any training graph with room for n rows will do: its padding rows are
	// masked out of the loss.
	if t.train == nil || t.train.Batch < n {
		t.train.close()
		if t.train, err = buildLossGraph(t.m, &t.cfg, t.cfg.BatchSize, true); err != nil {
			t.train = nil
			return s, err
		}
		t.train.feedRNG = rand.New(t.dropout)
	}
	if err := t.loadParams(); err != nil {
		return s, err
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	seedDropout(t.dropout, t.cfg.Seed, t.epochs+1, t.solver.Steps()+1)
	res, err := t.step(p, idx, nil)
	if err != nil {
		return s, fmt.Errorf("trainer: TrainBatch (step %d): %w", t.solver.Steps()+1, err)
	}
	if err := t.m.SetParamValues(t.train.Learnables); err != nil {
		return s, err
	}
	return BatchStats{Loss: res.loss, Penalty: res.penalty, Step: t.solver.Steps()}, nil
}
