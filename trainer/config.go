package trainer

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
)

// Errors returned by the trainer; match them with errors.Is.
var (
	// ErrConfig: an invalid Config field.
	ErrConfig = errors.New("trainer: invalid configuration")
	// ErrData: a dataset that does not fit the model or the loss.
	ErrData = errors.New("trainer: invalid data")
	// ErrNonFinite: the loss or a gradient became NaN or ±Inf; training
	// stopped before applying that step, so the weights are those from
	// before it.
	ErrNonFinite = errors.New("trainer: non-finite loss or gradient")
	// ErrClosed: the trainer was used after Close.
	ErrClosed = errors.New("trainer: used after Close")
)

// Config configures a Trainer. Fields whose zero value is documented as a
// default may be left empty; Loss, Epochs and BatchSize must be set.
type Config struct {
	Loss      losses.Loss          // required; a custom one is one function: losses.Func
	Optimizer optimizers.Optimizer // nil → optimizers.Adam{}
	Schedule  schedulers.Schedule  // nil → schedulers.Constant{LR: 1e-3}
	// ScheduleEvery says whether the schedule advances per epoch (default)
	// or per optimizer step.
	ScheduleEvery schedulers.Interval
	// Regularizers are added to the loss node, over the parameters that
	// Regularized selects.
	Regularizers []regularizers.Regularizer
	// Regularized chooses the parameters the Regularizers cover; nil → the
	// weights and not the biases (model.Param.Decay).
	Regularized func(p *model.Param) bool
	// ClipValue > 0 clamps every gradient element to [−ClipValue, ClipValue]
	// (torch's clip_grad_value_); ClipNorm > 0 rescales all gradients
	// together so that their global L2 norm is at most ClipNorm (torch's
	// clip_grad_norm_). Both act on the raw gradients before the optimizer's
	// step, value first; 0 means off.
	ClipValue, ClipNorm float64
	Epochs              int // ≥ 1
	// BatchSize ≥ 1. A value ≥ the training set's size means full-batch
	// gradient descent; 1 means SGD. Each epoch uses every sample exactly
	// once, the last batch holding the remainder.
	BatchSize int
	// EvalBatchSize is the batch size of the forward-only graph used for
	// validation and Predict; 0 → max(BatchSize, 1000).
	EvalBatchSize int
	// Seed seeds the shuffling and the dropout masks: epoch e (1-based,
	// counted over all Fit calls) visits the rows in EpochOrder(Seed, e, n),
	// and batch b of it draws its masks from a PCG seeded by (Seed, e, b).
	// The same Seed, model, data and Config give the same run, bit for bit.
	Seed      uint64
	NoShuffle bool // keep the dataset order every epoch (dropout still follows Seed)
	// Metrics are computed on the validation set after every epoch, into
	// History as val_<Name>. Names must be unique (and not "loss" or "lr");
	// each metric's Direction tells callbacks with an Auto mode which way
	// it improves. A custom metric is one function: metrics.Func. A panic
	// in a metric's Eval is returned as an error wrapping panics.ErrUser.
	Metrics []metrics.Metric
	// Callbacks are called at every event of Fit, in order, progress
	// callbacks first (see Callback and ProgressCallback).
	Callbacks []Callback
	// MonitorEvery records gradient norms, weight norms, update ratios and
	// dead units (History.Monitor) every that many steps, and on the first;
	// 0 → every 50 steps, < 0 → never.
	MonitorEvery int
	// Quiet turns Fit's default progress display off: without it, and
	// without a ProgressCallback in Callbacks, Fit writes one line per epoch
	// with EpochLogger. A progress callback you add (such as the bar of
	// package trainer/progress) is shown whatever Quiet says.
	Quiet bool
	// Progress receives the default EpochLogger's lines; nil → os.Stderr.
	Progress io.Writer
}

func (c *Config) withDefaults() (Config, error) {
	out := *c
	if out.Loss == nil {
		return out, fmt.Errorf("%w: Loss is nil, want a loss such as losses.MSE{} or losses.CrossEntropy{}", ErrConfig)
	}
	if v, ok := out.Loss.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return out, fmt.Errorf("%w: Loss: %w", ErrConfig, err)
		}
	}
	if out.Epochs < 1 {
		return out, fmt.Errorf("%w: Epochs = %d, want ≥ 1", ErrConfig, out.Epochs)
	}
	if out.BatchSize < 1 {
		return out, fmt.Errorf("%w: BatchSize = %d, want ≥ 1", ErrConfig, out.BatchSize)
	}
	if out.ClipValue < 0 || math.IsNaN(out.ClipValue) || math.IsInf(out.ClipValue, 0) {
		return out, fmt.Errorf("%w: ClipValue = %v, want a finite value > 0 (or 0 for no clipping)", ErrConfig, out.ClipValue)
	}
	if out.ClipNorm < 0 || math.IsNaN(out.ClipNorm) || math.IsInf(out.ClipNorm, 0) {
		return out, fmt.Errorf("%w: ClipNorm = %v, want a finite value > 0 (or 0 for no clipping)", ErrConfig, out.ClipNorm)
	}
	if out.EvalBatchSize < 0 {
		return out, fmt.Errorf("%w: EvalBatchSize = %d, want ≥ 0 (0 = default)", ErrConfig, out.EvalBatchSize)
	}
	if out.EvalBatchSize == 0 {
		out.EvalBatchSize = max(out.BatchSize, 1000)
	}
	if out.MonitorEvery == 0 {
		out.MonitorEvery = 50
	}
	for i, cb := range out.Callbacks {
		if cb == nil {
			return out, fmt.Errorf("%w: Callbacks[%d] is nil", ErrConfig, i)
		}
	}
	if err := checkMetrics(out.Metrics); err != nil {
		return out, err
	}
	if out.Optimizer == nil {
		out.Optimizer = optimizers.Adam{}
	}
	if out.Schedule == nil {
		out.Schedule = schedulers.Constant{LR: 1e-3}
	}
	if err := out.Schedule.Validate(); err != nil {
		return out, fmt.Errorf("%w: Schedule: %w", ErrConfig, err)
	}
	return out, nil
}

// checkMetrics refuses metrics that History could not tell apart or whose
// direction a callback could not take: nil, unnamed, named like another
// metric or like "loss" and "lr", or declaring neither Minimize nor Maximize;
// and those whose Validate method (metrics.Func's, say) fails.
func checkMetrics(ms []metrics.Metric) error {
	seen := map[string]bool{"loss": true, "lr": true}
	for i, m := range ms {
		if m == nil {
			return fmt.Errorf("%w: Metrics[%d] is nil", ErrConfig, i)
		}
		name := m.Name()
		switch {
		case name == "":
			return fmt.Errorf("%w: Metrics[%d] (%T) has an empty Name", ErrConfig, i, m)
		case seen[name]:
			return fmt.Errorf("%w: Metrics[%d] (%T) is named %q, as the loss, the rate or another metric: History keys (val_%s) must be unique", ErrConfig, i, m, name, name)
		case !m.Direction().Resolved():
			return fmt.Errorf("%w: Metrics[%d] (%q) has Direction %v, want goal.Minimize or goal.Maximize", ErrConfig, i, name, m.Direction())
		}
		if v, ok := m.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("%w: Metrics[%d] (%q): %w", ErrConfig, i, name, err)
			}
		}
		seen[name] = true
	}
	return nil
}
