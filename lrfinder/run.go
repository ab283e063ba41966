package lrfinder

import (
	"context"
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// Run performs the range test on m and puts m's weights back, bit for bit,
// before returning (on success and on error).
//
// It trains from m's current weights with cfg's loss, optimizer (fresh
// state), regularizers, clipping and batch size on train (X: (n,
// m.Inputs()), Y as cfg.Loss expects; no validation), for rc.Steps
// optimizer steps at
//
//	lr_t = MinLR · (MaxLR/MinLR)^(t/(Steps−1)),  t = 0 … Steps−1
//
// (Lightning's exponential mode: an exponential schedule per step with
// Gamma = (MaxLR/MinLR)^(1/(Steps−1)) > 1, which schedulers.Exponential,
// a decay, refuses; see sweep), recording each
// step's minibatch loss and its smoothed value (fastai's bias-corrected
// moving average). It stops early when the smoothed loss exceeds
// DivergeFactor × its best so far, or when a step's loss or gradient is
// NaN/±Inf — both end the sweep as divergence (Result.Diverged), not as an
// error. Then it suggests the rate of the steepest descent of the smoothed
// loss, or none (see Result.Trustworthy).
//
// Of cfg it overrides Schedule, ScheduleEvery, Epochs (enough to cover
// Steps), Seed (rc.Seed) and MonitorEvery (off), and drops
// the Callbacks (they would change the rate or the weights mid-sweep) but
// the progress ones (trainer.ProgressCallback); Quiet and Progress are kept.
// Loss and BatchSize must be set, as for trainer.New.
//
// Like any range test it reads the loss with a delay — divergence needs a
// few steps to build up and the moving average lags about β/(1−β) steps — so
// a fast sweep overshoots: on full-batch gradient descent of a quadratic
// whose stable rates end at 2/λmax = 0.26, 50 steps from 1e-3 to 10 suggest
// 0.49, while 100 steps from 1e-3 to 1 suggest 0.16 (testdata/torch/lrfinder.json).
//
// Errors: a bad rc wraps ErrConfig; a bad cfg, data that do not fit m, or a
// cancelled ctx come from package trainer unchanged (trainer.ErrConfig,
// trainer.ErrData, ctx.Err()).
func Run(ctx context.Context, m *model.Model, cfg trainer.Config, train *data.Dataset, rc Config) (res *Result, err error) {
	c, err := rc.withDefaults()
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("%w: nil model", ErrConfig)
	}
	saved := make([]*tensor.Dense, len(m.Params()))
	for i, p := range m.Params() {
		saved[i] = p.Value.Clone().(*tensor.Dense)
	}
	defer func() {
		for i, p := range m.Params() {
			if rerr := dense.CopyValues(p.Value, saved[i]); rerr != nil && err == nil {
				res, err = nil, fmt.Errorf("lrfinder: restoring %s: %w", p.Name, rerr)
			}
		}
	}()
	// The trainer turns its own and Gorgonia's panics into errors; this
	// boundary catches the rest (the caller's code the trainer does not
	// guard), so it labels a panic by where it was raised.
	err = gerr.User("lrfinder: range test", func() error {
		var e error
		res, e = run(ctx, m, cfg, train, c)
		return e
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// run sweeps with a validated c.
func run(ctx context.Context, m *model.Model, cfg trainer.Config, train *data.Dataset, c Config) (*Result, error) {
	perEpoch := 1
	if n, b := train.Len(), cfg.BatchSize; n > 0 && b > 0 {
		perEpoch = (n + b - 1) / b
	}
	rec := &recorder{c: c, sm: newSmoother(c.Smoothing, c.DivergeFactor), res: &Result{}}
	cfg.Schedule = sweep{min: c.MinLR, max: c.MaxLR, steps: c.Steps}
	cfg.ScheduleEvery = schedulers.PerStep
	cfg.Epochs = (c.Steps + perEpoch - 1) / perEpoch
	cfg.Seed = c.Seed
	cfg.MonitorEvery = -1
	cbs := []trainer.Callback{rec}
	for _, cb := range cfg.Callbacks {
		if _, ok := cb.(trainer.ProgressCallback); ok {
			cbs = append(cbs, cb) // shows the sweep; changes nothing
		}
	}
	cfg.Callbacks = cbs
	tr, err := trainer.New(m, cfg)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	_, err = tr.Fit(ctx, train, nil)
	res := rec.res
	switch {
	case errors.Is(err, trainer.ErrNonFinite):
		res.Diverged, res.DivergedAt = true, rec.lr
		rec.stop = fmt.Sprintf("stopped at step %d (lr %.3g): %v", len(res.LRs)+1, rec.lr, err)
	case err != nil:
		return nil, err
	case !res.Diverged && len(res.LRs) > 0:
		rec.stop = fmt.Sprintf("ended at step %d (lr %.3g) without diverging", len(res.LRs), res.LRs[len(res.LRs)-1])
	}
	a := analyze(res.Smoothed, c.Steps)
	if a.verdict == verdictOK {
		res.Suggested, res.Trustworthy = res.LRs[a.index], true
	}
	res.Reason = a.explain(res.LRs, res.Smoothed, c.Steps) + "; the sweep " + rec.stop
	return res, nil
}

// recorder is the sweep's callback: it records each step and stops training
// after Steps steps or at divergence.
type recorder struct {
	c    Config
	sm   *smoother
	res  *Result
	lr   float64 // the rate of the step in progress
	stop string  // how the sweep ended, for Reason
}

// OnEvent implements trainer.Callback.
func (r *recorder) OnEvent(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
	switch e.Kind {
	case trainer.BatchStart:
		r.lr = e.LR
	case trainer.BatchEnd:
		s, diverged := r.sm.add(e.Loss)
		r.res.LRs = append(r.res.LRs, e.LR)
		r.res.Losses = append(r.res.Losses, e.Loss)
		r.res.Smoothed = append(r.res.Smoothed, s)
		if diverged {
			r.res.Diverged, r.res.DivergedAt = true, e.LR
			r.stop = fmt.Sprintf("diverged at step %d (lr %.3g): smoothed loss %.4g > DivergeFactor %g × best %.4g",
				len(r.res.LRs), e.LR, s, r.c.DivergeFactor, r.sm.best)
			return trainer.ErrStopTraining
		}
		if len(r.res.LRs) >= r.c.Steps {
			return trainer.ErrStopTraining
		}
	}
	return nil
}
