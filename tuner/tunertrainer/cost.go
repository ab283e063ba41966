package tunertrainer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/export"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
)

// Cost is what serving a trained model costs, measured by MeasureCost: the
// numbers a multi-objective study trades against accuracy, or bounds with a
// constraint ("val_loss, with latency ≤ 2 ms").
type Cost struct {
	// Params is the number of scalar weights and biases.
	Params int
	// FileBytes is the size of the weights as a safetensors file
	// (export.Write), what a deployment ships.
	FileBytes int64
	// LatencyPerSample is the median, over CostOptions.Repeats runs, of
	// Trainer.Predict's wall time on the measured set divided by its rows:
	// the time per sample when predicting in the trainer's evaluation
	// batches. Wall time: other work on the machine (parallel trials) adds
	// to it.
	LatencyPerSample time.Duration
	// MemoryBytes is the weights plus every value of one forward graph at
	// CostOptions.Batch samples: an upper bound on the memory inference
	// needs, deterministic (the executor reuses buffers, so less is used).
	MemoryBytes int64
}

// Limits of CostOptions, so that a typo cannot run for hours or allocate
// the machine's memory.
const (
	MaxCostRepeats = 1000
	MaxCostBatch   = 1 << 20
)

// CostOptions tunes MeasureCost; the zero value is the default.
type CostOptions struct {
	// Repeats is the number of timed Predict runs, after one untimed
	// warm-up; 0 → 5.
	Repeats int
	// Batch is the number of samples in flight for MemoryBytes; 0 → 1
	// (serving one request at a time).
	Batch int
}

// MeasureCost measures tr's model on x (n, features), typically the
// validation inputs: see Cost. Errors: those of Trainer.Predict (a closed
// trainer, x of the wrong shape), of building the forward graph, a
// cancelled ctx, and options outside [0, MaxCostRepeats] and
// [0, MaxCostBatch] (tuner.ErrConfig).
func MeasureCost(ctx context.Context, tr *trainer.Trainer, x *tensor.Dense, opts CostOptions) (Cost, error) {
	if ctx == nil {
		return Cost{}, fmt.Errorf("%w: MeasureCost: nil context", tuner.ErrConfig)
	}
	if opts.Repeats < 0 || opts.Repeats > MaxCostRepeats || opts.Batch < 0 || opts.Batch > MaxCostBatch {
		return Cost{}, fmt.Errorf("%w: MeasureCost: Repeats %d and Batch %d, want 0 to %d and 0 to %d",
			tuner.ErrConfig, opts.Repeats, opts.Batch, MaxCostRepeats, MaxCostBatch)
	}
	repeats, batch := orDefault(opts.Repeats, 5), orDefault(opts.Batch, 1)
	if tr == nil || x == nil {
		return Cost{}, fmt.Errorf("%w: MeasureCost needs a trainer and inputs", tuner.ErrConfig)
	}
	if _, err := tr.Predict(ctx, x); err != nil { // warm-up: builds the graph, checks x
		return Cost{}, err
	}
	rows := x.Shape()[0]
	times := make([]time.Duration, repeats)
	for i := range times {
		start := time.Now()
		if _, err := tr.Predict(ctx, x); err != nil {
			return Cost{}, err
		}
		times[i] = time.Since(start) / time.Duration(rows)
	}
	slices.Sort(times)
	m := tr.Model()
	c := Cost{LatencyPerSample: times[len(times)/2], Params: paramCount(m)}
	var size countingWriter
	if err := export.Write(&size, m, export.Options{}); err != nil {
		return Cost{}, err
	}
	c.FileBytes = int64(size)
	g, err := m.NewGraph(batch, false)
	if err != nil {
		return Cost{}, err
	}
	for _, n := range g.G.AllNodes() {
		elems := 1
		for _, d := range n.Shape() {
			elems *= d
		}
		c.MemoryBytes += int64(elems) * int64(n.Dtype().Size())
	}
	return c, nil
}

func orDefault(v, zero int) int {
	if v == 0 {
		return zero
	}
	return v
}

type countingWriter int64

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}

// Cost attribute keys, as RecordCost writes them on a trial.
const (
	AttrParams    = "cost_params"
	AttrFileBytes = "cost_file_bytes"
	AttrLatencyNs = "cost_latency_ns_per_sample"
	AttrMemory    = "cost_memory_bytes"
)

// Record writes c on t as attributes (AttrParams, AttrFileBytes,
// AttrLatencyNs, AttrMemory), so that a study's table, plots and Optuna's
// tools show it. Errors are t.SetAttr's.
func (c Cost) Record(t *tuner.Trial) error {
	for _, kv := range [][2]string{
		{AttrParams, strconv.Itoa(c.Params)},
		{AttrFileBytes, strconv.FormatInt(c.FileBytes, 10)},
		{AttrLatencyNs, strconv.FormatInt(c.LatencyPerSample.Nanoseconds(), 10)},
		{AttrMemory, strconv.FormatInt(c.MemoryBytes, 10)},
	} {
		if err := t.SetAttr(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// RecordCost returns a trainer callback that, when Fit ends without error,
// measures the model's Cost on x (MeasureCost with opts), records it on t
// (Cost.Record) and stores it in *out if out is not nil — every trial's
// deployment cost without code in the objective. A measuring error fails
// Fit.
func RecordCost(t *tuner.Trial, x *tensor.Dense, opts CostOptions, out *Cost) trainer.Callback {
	return trainer.CallbackFunc(func(ctx context.Context, tr *trainer.Trainer, e *trainer.Event) error {
		if e.Kind != trainer.FitEnd || e.Err != nil {
			return nil
		}
		c, err := MeasureCost(ctx, tr, x, opts)
		if err != nil {
			return fmt.Errorf("tunertrainer: deployment cost: %w", err)
		}
		if out != nil {
			*out = c
		}
		return c.Record(t)
	})
}
