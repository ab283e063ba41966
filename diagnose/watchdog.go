package diagnose

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gradtune/gradtune/trainer"
)

// Watchdog is a trainer.Callback that stops a diverging run within a few
// steps instead of letting it train on garbage. It reads every BatchEnd's
// loss and, on the steps the trainer monitors (Config.MonitorEvery; set it
// to 1 to watch every step), the global gradient norm, and applies the
// loss and norm rules of Divergence. When one fires, Fit stops with a
// *DivergedError (errors.Is(err, ErrDiverged)) naming the step, the
// evidence, the layer with the largest gradient norm and the fix.
//
// A NaN or Inf loss or gradient never reaches the Watchdog: the trainer
// stops first with trainer.ErrNonFinite; the Watchdog then adds that
// error's explanation (see Explain) to Diagnoses.
//
// Use a pointer, one per Trainer; its state is reset at every FitStart.
type Watchdog struct {
	Divergence Divergence

	// Diagnoses holds what the last Fit found (read it after Fit): the
	// divergence that stopped it, or the trainer's non-finite stop.
	Diagnoses []Diagnosis

	div   Divergence
	loss  smoother
	mons  []trainer.StepMonitor
	steps int
}

// OnEvent implements trainer.Callback. A nil ctx or e (Fit passes
// neither) is an error wrapping ErrConfig.
func (w *Watchdog) OnEvent(ctx context.Context, _ *trainer.Trainer, e *trainer.Event) error {
	switch {
	case ctx == nil:
		return fmt.Errorf("%w: Watchdog got a nil context", ErrConfig)
	case e == nil:
		return fmt.Errorf("%w: Watchdog got a nil event", ErrConfig)
	}
	switch e.Kind {
	case trainer.FitStart:
		d, err := w.Divergence.resolved()
		if err != nil {
			return err
		}
		*w = Watchdog{Divergence: w.Divergence, div: d, loss: smoother{beta: d.Smoothing}}
	case trainer.BatchEnd:
		if w.div.LossFactor == 0 {
			return fmt.Errorf("%w: Watchdog saw BatchEnd before FitStart", ErrConfig)
		}
		if e.Monitor != nil {
			w.mons = append(w.mons, *e.Monitor)
		}
		byLoss := w.loss.add(e.Loss, w.div.LossFactor)
		start := -1
		if e.Monitor != nil {
			// Only a window ending at this step is new.
			if k := w.div.NormSteps; len(w.mons) > k {
				start = normGrowth(w.mons[len(w.mons)-k-1:], k, w.div.NormFactor)
				if start >= 0 {
					start += len(w.mons) - k - 1
				}
			}
		}
		if !byLoss && start < 0 {
			return nil
		}
		err := w.diverged(e, byLoss, start)
		w.Diagnoses = append(w.Diagnoses, err.Diagnosis)
		return err
	case trainer.FitEnd:
		if e.Err != nil && errors.Is(e.Err, trainer.ErrNonFinite) && !errors.Is(e.Err, ErrDiverged) {
			w.Diagnoses = append(w.Diagnoses, Explain(e.Err, e.History)...)
		}
	}
	return nil
}

// diverged builds the error for step e: by the loss rule, and/or by the
// norm rule over w.mons[start:].
func (w *Watchdog) diverged(e *trainer.Event, byLoss bool, start int) *DivergedError {
	ms := map[string]float64{"step": float64(e.Step), "epoch": float64(e.Epoch), "batch": float64(e.Batch), "loss": e.Loss, "lr": e.LR}
	var ev []string
	if byLoss {
		s := &w.loss
		ms["smoothed_loss"], ms["min_smoothed_loss"], ms["first_loss"] = s.smoothed, s.best, s.first
		ms["loss_factor"] = s.smoothed / s.best
		ev = append(ev, fmt.Sprintf("the smoothed loss %s (this batch: %s) is %s× its running minimum %s and above the first loss %s (limit %s×)",
			num(s.smoothed), num(e.Loss), num(s.smoothed/s.best), num(s.best), num(s.first), num(w.div.LossFactor)))
	}
	if start >= 0 {
		a, b := w.mons[start], w.mons[len(w.mons)-1]
		ms["grad_norm_from"], ms["grad_norm"], ms["norm_factor"] = a.GradNorm, b.GradNorm, b.GradNorm/a.GradNorm
		ev = append(ev, fmt.Sprintf("the global gradient norm rose at each of the last %d monitored steps, from %s (step %d) to %s (step %d), %s× in all, while the loss rose from %s to %s",
			len(w.mons)-1-start, num(a.GradNorm), a.Step, num(b.GradNorm), b.Step, num(b.GradNorm/a.GradNorm), num(a.Loss), num(b.Loss)))
	}
	where := fmt.Sprintf("step %d (epoch %d, batch %d)", e.Step, e.Epoch, e.Batch)
	if len(w.mons) > 0 {
		last := &w.mons[len(w.mons)-1]
		ms["global_grad_norm"] = last.GradNorm
		if name, g := largestGrad(last); name != "" {
			ms["layer_grad_norm"] = g
			ev = append(ev, fmt.Sprintf("largest gradient norm at step %d: %s (%s; global %s)", last.Step, name, num(g), num(last.GradNorm)))
			where += ", layer " + name
		}
	} else {
		ev = append(ev, "no gradient statistics yet (set trainer.Config.MonitorEvery to 1 to name the layer)")
	}
	ev = append(ev, "learning rate "+num(e.LR))
	d := Diagnosis{
		Kind: Exploding, Severity: Error, Where: where,
		Evidence: strings.Join(ev, "; "),
		Cause:    "the learning rate is too high for this loss surface: each step overshoots the minimum, so the loss and the gradients grow step over step",
		Fix:      lrFix(e.LR),
		Measures: ms,
	}
	return &DivergedError{Step: e.Step, Epoch: e.Epoch, Batch: e.Batch, ByLoss: byLoss, ByNorm: start >= 0, Diagnosis: d}
}
