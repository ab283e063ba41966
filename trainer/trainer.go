// Package trainer fits a model.Model with a loop over epochs and
// minibatches, keeps a History, evaluates a validation set on a
// forward-only graph and predicts new inputs.
//
// The graphs run on internal/graphexec, which computes what Gorgonia's
// TapeMachine computes, bit for bit (a test compares them), in the calling
// goroutine and with each op's buffer kept between steps: RunAll's thread
// lock and goroutine hand-off per run were most of a small model's step.
//
// No panic from Gorgonia escapes this package: graph building and execution
// run behind internal/gerr, and every input is validated before it reaches a
// graph. A panic in code of yours that the trainer calls (a Loss, a
// Regularizer, Config.Regularized, a callback, a metric) comes back as an
// error wrapping panics.ErrUser, with its stack (see package panics).
package trainer

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/rowmajor"
	"github.com/gradtune/gradtune/schedulers"
)

// Trainer trains one model. It is not safe for concurrent use; train
// several models in parallel with one Trainer (and one Model) each.
type Trainer struct {
	m       *model.Model
	cfg     Config
	solver  *schedulers.Solver
	dropout *rand.PCG          // dropout masks' source, reseeded per step by seedDropout
	train   *lossGraph         // built on the first Fit, for its batch size
	evals   map[int]*lossGraph // forward-only graphs by batch size
	epochs  int                // epochs completed over all Fit calls
	closed  bool
	// fitting is true inside Fit: the training graph holds the current
	// weights. Outside Fit the model's parameters do, so a user may edit or
	// load them between calls.
	fitting bool
	// lastEpoch and batches describe the current Fit for its events: the
	// number its last epoch will have and the batches of each epoch.
	lastEpoch, batches int
	// run is where the current Fit stands; after a Fit interrupted by its
	// context (or LoadState of a state saved inside a Fit), where the next
	// Fit resumes. nil otherwise.
	run *fitRun
	// prev holds the weights from before the current step, to restore them
	// if the step makes one non-finite.
	prev []*tensor.Dense
	// initial holds each StatefulCallback's state at New, for Reset (nil
	// where State failed, with the reason in initialErr).
	initial    [][]byte
	initialErr []error
}

// New validates cfg against m and creates the solver. Graphs are built on the
// first Fit, when the batch size is known. Errors wrap ErrConfig or the
// sentinel of the package that refused a setting.
func New(m *model.Model, cfg Config) (*Trainer, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil model", ErrConfig)
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s, err := newSolver(&c)
	if err != nil {
		return nil, err
	}
	arrangeCallbacks(&c)
	// Build a one-row training graph once, so that a loss, regularizer or
	// network that cannot work is refused here rather than at Fit.
	probe, err := buildLossGraph(m, &c, 1, true)
	if err != nil {
		return nil, err
	}
	probe.close()
	t := &Trainer{
		m:       m,
		cfg:     c,
		solver:  s,
		dropout: new(rand.PCG),
		evals:   map[int]*lossGraph{},
	}
	t.keepInitialCallbackStates()
	return t, nil
}

// newSolver makes c's optimizer, fresh, under its schedule.
func newSolver(c *Config) (*schedulers.Solver, error) {
	inner, err := c.Optimizer.Solver(c.Schedule.At(0))
	if err != nil {
		return nil, fmt.Errorf("%w: Optimizer: %w", ErrConfig, err)
	}
	s, err := schedulers.NewSolver(inner, c.Schedule, c.ScheduleEvery)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return s, nil
}

// Model returns the model being trained. Its parameters hold the trained
// values after Fit returns.
func (t *Trainer) Model() *model.Model { return t.m }

// LR returns the learning rate the next step will use. At EpochEnd it is
// the next epoch's rate: the schedule has already advanced. It is 0 for a
// Trainer not made by New.
func (t *Trainer) LR() float64 {
	if t == nil || t.solver == nil {
		return 0
	}
	return t.solver.LR()
}

// Steps returns the number of optimizer steps taken so far, over every Fit
// and TrainBatch call.
func (t *Trainer) Steps() int {
	if t == nil || t.solver == nil {
		return 0
	}
	return t.solver.Steps()
}

// Epochs returns the number of epochs completed so far, over every Fit call.
// An epoch under way — inside Fit, or left unfinished by a Fit interrupted
// by its context — does not count until it ends.
func (t *Trainer) Epochs() int {
	if t == nil {
		return 0
	}
	if t.run != nil && t.run.inEpoch {
		return t.epochs - 1
	}
	return t.epochs
}

// MetricNames returns the names of Config.Metrics, in order: the keys of
// EpochStats.ValMetrics (without the "val_" prefix a monitor adds).
func (t *Trainer) MetricNames() []string {
	if t == nil {
		return nil
	}
	names := make([]string, len(t.cfg.Metrics))
	for i, m := range t.cfg.Metrics {
		names[i] = m.Name()
	}
	return names
}

// ScaleLR multiplies the learning rate by factor from the next step on, on
// top of Config.Schedule: the rate becomes Schedule.At(t)·s, s the product
// of every factor given so far (1 at New), kept across Fit calls. It is how
// ReduceLROnPlateau lowers the rate (factor = newLR/LR()), and how a
// callback of your own can. It returns an error wrapping ErrConfig,
// changing nothing, unless factor is finite and > 0, and ErrClosed after
// Close.
func (t *Trainer) ScaleLR(factor float64) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := t.solver.ScaleLR(factor); err != nil {
		return fmt.Errorf("%w: ScaleLR: %w", ErrConfig, err)
	}
	return nil
}

// Close releases the trainer's graphs. Fit, TrainBatch, Evaluate, Predict,
// SaveState and LoadState return ErrClosed afterwards; the model keeps its
// trained parameters. Close of a nil Trainer does nothing.
func (t *Trainer) Close() {
	if t == nil {
		return
	}
	t.train.close()
	for _, e := range t.evals {
		e.close()
	}
	t.train, t.evals, t.closed = nil, nil, true
}

// errNotMade is the error of a method called on a nil or zero Trainer.
var errNotMade = fmt.Errorf("%w: Trainer not created by trainer.New", ErrConfig)

// usable returns ErrClosed after Close and ErrConfig for a Trainer not made by New.
func (t *Trainer) usable() error {
	switch {
	case t == nil || t.m == nil:
		return errNotMade
	case t.closed:
		return ErrClosed
	}
	return nil
}

// prepared is a dataset checked against the model and converted to the
// model's dtype, with its targets encoded for the loss.
type prepared struct {
	raw     *data.Dataset   // in the model's dtype
	targets *tensor.Dense   // (n, loss target width)
	rawY    rowmajor.Matrix // raw targets (n, k), for metrics
}

// prepare checks ds (non-nil, non-empty, finite, features matching the
// model, targets fitting the loss) and returns it ready for batching.
// which names the dataset in errors ("training", "validation").
func (t *Trainer) prepare(ds *data.Dataset, which string) (*prepared, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if ds == nil || ds.X == nil || ds.Y == nil {
		return nil, fmt.Errorf("%w: %s set is nil", ErrData, which)
	}
	checked, err := data.New(ds.X, ds.Y)
	if err != nil {
		return nil, fmt.Errorf("%w: %s set: %w", ErrData, which, err)
	}
	if f := checked.Features(); f != t.m.Inputs() {
		return nil, fmt.Errorf("%w: %s set has %d features, the model expects %d", ErrData, which, f, t.m.Inputs())
	}
	conv, err := checked.AsType(t.m.Dtype())
	if err != nil {
		return nil, fmt.Errorf("%w: %s set: %w", ErrData, which, err)
	}
	rawY := rowmajor.Matrix{Rows: conv.Len(), Cols: conv.Targets(), Data: dense.Float64s(conv.Y)}
	enc, err := gerr.Value(fmt.Sprintf("trainer: loss %T EncodeTargets", t.cfg.Loss), func() (rowmajor.Matrix, error) {
		return t.cfg.Loss.EncodeTargets(rawY, t.m.Outputs())
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s set: %w", ErrData, which, err)
	}
	w, err := targetWidth(t.cfg.Loss, t.m.Outputs())
	if err != nil {
		return nil, err
	}
	// A user's Loss may encode to another shape: say so here rather than
	// let the graph fail on a target of the wrong size.
	if enc.Rows != rawY.Rows || enc.Cols != w || enc.Validate() != nil {
		return nil, fmt.Errorf("%w: loss %v encoded %s targets (%d, %d) as %d rows × %d columns with %d values, want (%d, %d) (TargetWidth)",
			ErrConfig, t.cfg.Loss, which, rawY.Rows, rawY.Cols, enc.Rows, enc.Cols, len(enc.Data), rawY.Rows, w)
	}
	targets, err := dense.FromFloat64(t.m.Dtype(), enc.Data, enc.Rows, enc.Cols)
	if err != nil {
		return nil, err
	}
	return &prepared{raw: conv, targets: targets, rawY: rawY}, nil
}

// syncEval copies the current weights — the training graph's during Fit,
// the model's parameters otherwise — into a forward-only graph's learnables.
func (t *Trainer) syncEval(eg *lossGraph) error {
	for i, n := range eg.Learnables {
		var src tensor.Tensor = t.m.Params()[i].Value
		if t.fitting {
			src = t.train.Learnables[i].Value().(tensor.Tensor)
		}
		if err := dense.CopyValues(n.Value().(tensor.Tensor), src); err != nil {
			return err
		}
	}
	return nil
}

// evalBatch is the forward-only graph's batch size for n rows: the next
// power of two, at most EvalBatchSize. Rounding bounds the number of cached
// graphs (Predict on 1, 2, … 300 rows builds 10, not 300); padding keeps the
// results exact.
func (t *Trainer) evalBatch(n int) int {
	b := 1
	for b < n {
		b *= 2
	}
	return min(b, t.cfg.EvalBatchSize)
}

// evalGraph returns the cached forward-only graph for batch rows.
func (t *Trainer) evalGraph(batch int) (*lossGraph, error) {
	if eg, ok := t.evals[batch]; ok {
		return eg, nil
	}
	eg, err := buildLossGraph(t.m, &t.cfg, batch, false)
	if err != nil {
		return nil, err
	}
	t.evals[batch] = eg
	return eg, nil
}
