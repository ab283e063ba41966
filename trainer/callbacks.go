package trainer

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/schedulers"
)

// monitorValue reads name from an epoch's stats, with an error listing what
// is available when it is missing (say, val_loss without a validation set).
func monitorValue(who, name string, s *EpochStats) (float64, error) {
	if s == nil {
		return 0, errNoStats(who)
	}
	if v, ok := s.Value(name); ok {
		return v, nil
	}
	avail := []string{"loss", "lr"}
	if !math.IsNaN(s.ValLoss) {
		avail = append(avail, "val_loss")
	}
	for k := range s.ValMetrics {
		avail = append(avail, "val_"+k)
	}
	sort.Strings(avail)
	return 0, fmt.Errorf("%w: %s monitors %q, which epoch %d does not have (a validation set is needed for val_*); available: %s",
		ErrConfig, who, name, s.Epoch, strings.Join(avail, ", "))
}

// EarlyStopping stops training after Patience consecutive epochs in which
// Monitor has not improved by more than MinDelta (Keras 3's EarlyStopping:
// with Patience 3 and the best epoch 11, training stops after epoch 14;
// Patience 0 stops at the first epoch without improvement). When training ends —
// stopped by it, at the last epoch, or on an error — the weights of the best
// epoch are put back, unless KeepLastWeights is set; not when a cancelled
// context interrupts Fit, which a later Fit resumes. Use a pointer: it keeps
// state, reset at every FitStart but a resumed Fit's.
//
// Mode goal.Auto (the zero value) takes the monitored metric's direction
// (Trainer.MonitorDirection); a Monitor it cannot resolve, or a val_* one
// when Fit has no validation set, makes Fit fail at FitStart with ErrConfig.
type EarlyStopping struct {
	Monitor         string         // "" → "val_loss"
	Mode            goal.Direction // goal.Auto, goal.Minimize or goal.Maximize
	Patience        int            // epochs without improvement tolerated; ≥ 0
	MinDelta        float64        // ≥ 0
	KeepLastWeights bool           // do not restore the best weights at the end

	// Read after Fit:
	Best         float64 // best monitored value
	BestEpoch    int     // its epoch (0: none yet)
	StoppedEpoch int     // the epoch after which it stopped training (0: it did not)

	dir         goal.Direction // Mode, resolved at FitStart
	wait        int
	bestWeights []*tensor.Dense
}

// OnEvent implements Callback. Besides the errors above, it returns
// CheckEvent's for a nil ctx or e, and an error wrapping ErrConfig on a nil
// c or for an EpochEnd before any FitStart.
func (c *EarlyStopping) OnEvent(ctx context.Context, t *Trainer, e *Event) error {
	if err := checkOnEvent(ctx, "EarlyStopping", c == nil, e); err != nil {
		return err
	}
	monitor := c.Monitor
	if monitor == "" {
		monitor = "val_loss"
	}
	switch e.Kind {
	case FitStart:
		if c.Patience < 0 || c.MinDelta < 0 || math.IsNaN(c.MinDelta) {
			return fmt.Errorf("%w: EarlyStopping Patience = %d, MinDelta = %v, want both ≥ 0", ErrConfig, c.Patience, c.MinDelta)
		}
		dir, err := t.ResolveMonitor("EarlyStopping", monitor, c.Mode, e.Validation)
		if err != nil {
			return err
		}
		c.dir = dir
		if e.Resumed {
			return nil // the interrupted Fit's best and wait count go on
		}
		c.wait, c.BestEpoch, c.StoppedEpoch, c.bestWeights = 0, 0, 0, nil
		c.Best = math.NaN()
	case EpochEnd:
		if !c.dir.Resolved() {
			return errBeforeFitStart("EarlyStopping")
		}
		v, err := monitorValue("EarlyStopping", monitor, e.Stats)
		if err != nil {
			return err
		}
		if c.BestEpoch == 0 && !math.IsNaN(v) || c.dir.Improves(v, c.Best, c.MinDelta) {
			c.Best, c.BestEpoch, c.wait = v, e.Epoch, 0
			if !c.KeepLastWeights {
				c.bestWeights = t.Weights()
			}
			return nil
		}
		if c.wait++; c.wait >= max(c.Patience, 1) {
			c.StoppedEpoch = e.Epoch
			return ErrStopTraining
		}
	case FitEnd:
		if c.bestWeights != nil && !e.Interrupted {
			return t.SetWeights(c.bestWeights)
		}
	}
	return nil
}

// ReduceLROnPlateau lowers the rate when Monitor stops improving
// (schedulers.ReduceLROnPlateau, torch's semantics), on top of the schedule.
// It is the one way to reduce on plateau: schedulers.Plateau decides, and
// ScaleLR lowers the scheduled rate.
// Config.Mode goal.Auto (the zero value) takes the monitored metric's
// direction (Trainer.MonitorDirection): val_accuracy is maximized, a loss
// minimized; a Monitor it cannot resolve, or a val_* one when Fit has no
// validation set, makes Fit fail at FitStart with ErrConfig. Use a pointer;
// one per Trainer. It uses only exported API (ResolveMonitor, LR, ScaleLR),
// so a variant of your own can do what it does.
type ReduceLROnPlateau struct {
	Monitor string // "" → "val_loss" when Fit has a validation set, else "loss"
	Config  schedulers.ReduceLROnPlateau

	plateau *schedulers.Plateau // made at the first FitStart, kept by later Fits
}

// OnEvent implements Callback. Besides the errors above, it returns
// CheckEvent's for a nil ctx or e, and an error wrapping ErrConfig on a nil
// c or for an EpochEnd before any FitStart.
func (c *ReduceLROnPlateau) OnEvent(ctx context.Context, t *Trainer, e *Event) error {
	if err := checkOnEvent(ctx, "ReduceLROnPlateau", c == nil, e); err != nil {
		return err
	}
	switch e.Kind {
	case FitStart:
		monitor := c.Monitor
		if monitor == "" {
			monitor = "loss" // val_loss or loss: a loss either way
		}
		// Checked at every Fit: a later one may have no validation set.
		mode, err := t.ResolveMonitor("ReduceLROnPlateau", monitor, c.Config.Mode, e.Validation)
		if err != nil {
			return err
		}
		if c.plateau != nil {
			return nil // a later Fit continues the same plateau state
		}
		cfg := c.Config
		cfg.Mode = mode
		if c.plateau, err = schedulers.NewPlateau(cfg); err != nil {
			return fmt.Errorf("%w: ReduceLROnPlateau: %w", ErrConfig, err)
		}
	case EpochEnd:
		if c.plateau == nil {
			return errBeforeFitStart("ReduceLROnPlateau")
		}
		monitor := c.Monitor
		if monitor == "" && e.Stats != nil {
			monitor = "loss"
			if !math.IsNaN(e.Stats.ValLoss) {
				monitor = "val_loss"
			}
		}
		v, err := monitorValue("ReduceLROnPlateau", monitor, e.Stats)
		if err != nil {
			return err
		}
		// t.LR() is already the next epoch's rate, the one torch's
		// plateau.step(metric) weighs a reduction against.
		lr := t.LR()
		newLR, reduced := c.plateau.Step(v, lr)
		if reduced {
			if err := t.ScaleLR(newLR / lr); err != nil {
				return err
			}
		}
		e.Stats.LRReduced = reduced
	}
	return nil
}

// TerminateOnNaN stops training when the validation loss or a validation
// metric is NaN or infinite. (A non-finite training loss or gradient always
// stops Fit with ErrNonFinite, with or without this callback.)
type TerminateOnNaN struct{}

// OnEvent implements Callback. It returns CheckEvent's error for a nil ctx
// or e; an EpochEnd without Stats has nothing to check.
func (TerminateOnNaN) OnEvent(ctx context.Context, _ *Trainer, e *Event) error {
	if err := CheckEvent(ctx, "TerminateOnNaN", e); err != nil {
		return err
	}
	if e.Kind != EpochEnd || e.Stats == nil {
		return nil
	}
	bad := func(v float64) bool { return math.IsInf(v, 0) || math.IsNaN(v) }
	if s := e.Stats; s.ValMetrics != nil && bad(s.ValLoss) { // ValMetrics is set iff validation ran
		return ErrStopTraining
	}
	for _, v := range e.Stats.ValMetrics {
		if bad(v) {
			return ErrStopTraining
		}
	}
	return nil
}

// LRMonitor records the rate of every step (Lightning's
// LearningRateMonitor): Steps[i] used LRs[i].
type LRMonitor struct {
	Steps []int
	LRs   []float64
}

// OnEvent implements Callback. It returns CheckEvent's error for a nil ctx
// or e, and one wrapping ErrConfig on a nil c.
func (c *LRMonitor) OnEvent(ctx context.Context, _ *Trainer, e *Event) error {
	if err := checkOnEvent(ctx, "LRMonitor", c == nil, e); err != nil {
		return err
	}
	if e.Kind == BatchStart {
		c.Steps = append(c.Steps, e.Step+1)
		c.LRs = append(c.LRs, e.LR)
	}
	return nil
}
