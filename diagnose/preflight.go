package diagnose

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// Preflight checks a model, its training configuration and its data
// before the first epoch, and returns what would make training fail or
// mislead (nil when nothing does). Data checks:
//
//   - Leakage: rows of val's X equal (value for value) to a row of
//     train's X; the count and the fraction of val.
//   - Unscaled: columns of train's X (constant columns aside) with values
//     beyond ±MaxAbs, a mean more than OffsetRatio standard deviations from
//     0, or — among dense columns, non-zero in at least half the rows — a
//     standard deviation more than SpreadRatio × the smallest one. (Sparse
//     columns are left out of that comparison: their deviation measures how
//     often they are non-zero, not their scale; MNIST's border pixels are
//     such.)
//
// Model checks, on a seeded sample of train's rows:
//
//   - BadInit: the initial loss (trainer.Evaluate on InitRows rows)
//     above InitLossRatio × the loss of all-zero logits, ln C for
//     losses.CrossEntropy with C = outputs classes (ln 2 for
//     BCEWithLogits); other losses have no such reference and skip it.
//   - NoGradient: parameters whose gradient is exactly 0 on GradRows rows
//     (trainer.Config.MonitorEvery = 1's first step), without
//     regularizers, whose penalty would hide a parameter the data loss
//     does not reach.
//   - PreflightFailed: the model cannot overfit one batch (Karpathy, "A Recipe
//     for Training Neural Networks", 2019): after OverfitSteps steps on the
//     same OverfitRows rows — cfg's optimizer, regularizers, dropout and
//     clipping, at the schedule's peak rate held constant — the loss keeps
//     more than OverfitRatio of (initial − floor), where floor is 0 for
//     hard targets and the targets' entropy for soft or smoothed ones. A
//     model with fewer scalar parameters than rows × outputs cannot
//     memorize the batch and skips the check.
//   - Exploding: a NaN or Inf during those steps (see Explain).
//
// The model checks train copies: m's parameters are restored bit for bit
// before Preflight returns (and during it the model must not be used
// elsewhere). val may be nil (no leakage check). cfg's Callbacks,
// Metrics and progress bar are not used.
//
// Errors are for misuse only, never for what the checks find: a nil
// context, model or training set, features that do not fit the model, an
// invalid cfg or opts (all wrapping ErrConfig); targets the loss refuses
// (wrapping trainer.ErrData); a cancelled ctx (wrapping ctx.Err()).
func Preflight(ctx context.Context, m *model.Model, cfg trainer.Config, train, val *data.Dataset, opts PreflightOptions) (ds []Diagnosis, err error) {
	switch {
	case ctx == nil:
		return nil, fmt.Errorf("%w: nil context", ErrConfig)
	case m == nil:
		return nil, fmt.Errorf("%w: nil model", ErrConfig)
	case train.Len() == 0:
		return nil, fmt.Errorf("%w: training set is nil or empty", ErrConfig)
	case train.Features() != m.Inputs():
		return nil, fmt.Errorf("%w: training set has %d features, the model expects %d", ErrConfig, train.Features(), m.Inputs())
	case val != nil && val.Features() != train.Features():
		return nil, fmt.Errorf("%w: validation set has %d features, the training set %d", ErrConfig, val.Features(), train.Features())
	}
	o, err := opts.resolved(train.Features())
	if err != nil {
		return nil, err
	}
	probe, err := trainer.New(m, cfg) // validates cfg against m
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	probe.Close()

	ds = append(ds, checkLeakage(train, val)...)
	ds = append(ds, checkScale(train, o)...)

	snap := make([]*tensor.Dense, len(m.Params()))
	regs := make([][]regularizers.Regularizer, len(m.Params()))
	for i, p := range m.Params() {
		snap[i], regs[i] = p.Value.Clone().(*tensor.Dense), p.Regularizers
	}
	restore := func() error {
		for i, p := range m.Params() {
			p.Regularizers = regs[i]
			if err := dense.CopyValues(p.Value, snap[i]); err != nil {
				return fmt.Errorf("diagnose: restore %s: %w", p.Name, err)
			}
		}
		return nil
	}
	defer func() {
		if rerr := restore(); rerr != nil && err == nil {
			ds, err = nil, rerr
		}
	}()
	order := make([]int, train.Len())
	for i := range order {
		order[i] = i
	}
	data.Shuffle(order, rand.NewPCG(o.Seed, 0x70726566)) // "pref"
	c := &checker{ctx: ctx, m: m, cfg: cfg, train: train, order: order, o: o, restore: restore}
	// The checks run the trainer on the caller's model and configuration,
	// which turns its own and Gorgonia's panics into errors; this boundary
	// catches the rest (the caller's code the trainer does not guard), so
	// it labels a panic by where it was raised.
	err = gerr.User("diagnose: preflight", func() error {
		for _, check := range []func() ([]Diagnosis, error){c.initLoss, c.gradients, c.overfit} {
			found, err := check()
			if err != nil {
				return err
			}
			ds = append(ds, found...)
			if err := restore(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// checker runs the model checks.
type checker struct {
	ctx     context.Context
	m       *model.Model
	cfg     trainer.Config
	train   *data.Dataset
	order   []int // a seeded permutation of train's rows
	o       PreflightOptions
	restore func() error
}

// sample returns the first k rows of the permutation (all if fewer).
func (c *checker) sample(k int) (*data.Dataset, error) {
	return c.train.Subset(c.order[:min(k, len(c.order))])
}

// config derives a quiet, callback-free configuration from cfg for a run
// of epochs full-batch steps on rows rows.
func (c *checker) config(rows, epochs int) trainer.Config {
	cfg := c.cfg
	cfg.Callbacks, cfg.Metrics, cfg.Progress = nil, nil, nil
	cfg.Quiet, cfg.NoShuffle, cfg.MonitorEvery = true, true, -1
	cfg.Epochs, cfg.BatchSize = epochs, rows
	cfg.Schedule, cfg.ScheduleEvery = schedulers.Constant{LR: c.peakLR()}, schedulers.PerEpoch
	return cfg
}

// peakLR returns the highest rate cfg's schedule reaches over the
// configured run (1e-3, the trainer's default, without a schedule):
// warm-ups and one-cycle schedules start low, and the checks want the rate
// training will really use.
func (c *checker) peakLR() float64 {
	s := c.cfg.Schedule
	if s == nil {
		return 1e-3
	}
	total := max(c.cfg.Epochs, 1)
	if c.cfg.ScheduleEvery == schedulers.PerStep && c.cfg.BatchSize > 0 {
		total *= (c.train.Len() + c.cfg.BatchSize - 1) / c.cfg.BatchSize
	}
	stride := max(1, total/10000) // a sample of the curve is enough
	peak := s.At(0)
	for t := stride; t < total; t += stride {
		peak = math.Max(peak, s.At(t))
	}
	return peak
}

// fit trains a fresh Trainer with cfg on ds. A non-finite loss or gradient
// comes back as an Exploding diagnosis, other errors as errors.
func (c *checker) fit(cfg trainer.Config, ds *data.Dataset, what string) (*trainer.Trainer, *trainer.History, []Diagnosis, error) {
	tr, err := trainer.New(c.m, cfg)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %s: %w", ErrConfig, what, err)
	}
	h, err := tr.Fit(c.ctx, ds, nil)
	if err == nil {
		return tr, h, nil, nil
	}
	tr.Close()
	if found := Explain(err, h); len(found) > 0 {
		for i := range found {
			found[i].Where = "preflight (" + what + "): " + found[i].Where
		}
		return nil, h, found, nil
	}
	return nil, nil, nil, fmt.Errorf("diagnose: preflight %s: %w", what, err)
}

// rawTargets returns ds's targets as float64 rows.
func rawTargets(ds *data.Dataset) targets {
	return targets{y: dense.Float64s(ds.Y), n: ds.Len(), k: ds.Targets()}
}
