package diagnose

import (
	"fmt"

	"github.com/gradtune/gradtune/trainer"
)

const explodingCause = "the learning rate is too high for this loss surface: each step overshoots the minimum, so the loss and the gradients grow until they overflow"

// detectNonFinite reports the first NaN or Inf in the epochs' losses or
// the monitored losses and gradient norms. (trainer.Fit stops on a
// non-finite training loss itself; a validation loss can still be one.)
func detectNonFinite(h *trainer.History, o Options) []Diagnosis {
	for _, e := range h.Epochs {
		validated := e.ValMetrics != nil
		if finite(e.TrainLoss) && (!validated || finite(e.ValLoss)) {
			continue
		}
		return []Diagnosis{{Kind: Exploding, Severity: Error, Where: fmt.Sprintf("epoch %d", e.Epoch),
			Evidence: fmt.Sprintf("training loss %v, validation loss %v at epoch %d", e.TrainLoss, e.ValLoss, e.Epoch),
			Cause:    explodingCause, Fix: lrFix(e.LR),
			Measures: map[string]float64{"epoch": float64(e.Epoch), "loss": e.TrainLoss, "val_loss": e.ValLoss, "lr": e.LR}}}
	}
	for _, m := range h.Monitor {
		if finite(m.Loss) && finite(m.GradNorm) {
			continue
		}
		name, g := largestGrad(&m)
		return []Diagnosis{{Kind: Exploding, Severity: Error, Where: fmt.Sprintf("step %d (epoch %d), layer %s", m.Step, m.Epoch, name),
			Evidence: fmt.Sprintf("loss %v, global gradient norm %v at step %d; %s's gradient norm %v", m.Loss, m.GradNorm, m.Step, name, g),
			Cause:    explodingCause, Fix: lrFix(m.LR),
			Measures: map[string]float64{"step": float64(m.Step), "epoch": float64(m.Epoch), "loss": m.Loss, "grad_norm": m.GradNorm, "lr": m.LR}}}
	}
	return nil
}

// detectLossGrowth applies the loss rule of Divergence to the epochs'
// training losses, unsmoothed: the first epoch whose loss exceeds
// LossFactor × the best earlier epoch's and the first epoch's.
func detectLossGrowth(h *trainer.History, o Options) []Diagnosis {
	if len(h.Epochs) < 2 {
		return nil
	}
	first, best, bestEpoch := h.Epochs[0].TrainLoss, h.Epochs[0].TrainLoss, h.Epochs[0].Epoch
	for _, e := range h.Epochs[1:] {
		l := e.TrainLoss
		if l > o.Divergence.LossFactor*best && l > first {
			return []Diagnosis{{Kind: Exploding, Severity: Error, Where: fmt.Sprintf("epoch %d", e.Epoch),
				Evidence: fmt.Sprintf("training loss %s at epoch %d is %s× the best earlier one, %s at epoch %d, and above the first epoch's %s (limit %s×)",
					num(l), e.Epoch, num(l/best), num(best), bestEpoch, num(first), num(o.Divergence.LossFactor)),
				Cause: explodingCause, Fix: lrFix(e.LR),
				Measures: map[string]float64{"epoch": float64(e.Epoch), "loss": l, "best_loss": best, "best_epoch": float64(bestEpoch),
					"first_loss": first, "factor": l / best, "lr": e.LR}}}
		}
		if l < best {
			best, bestEpoch = l, e.Epoch
		}
	}
	return nil
}

// detectNormGrowth applies the norm rule of Divergence to the monitored
// steps.
func detectNormGrowth(h *trainer.History, o Options) []Diagnosis {
	k := o.Divergence.NormSteps
	start := normGrowth(h.Monitor, k, o.Divergence.NormFactor)
	if start < 0 {
		return nil
	}
	a, b := h.Monitor[start], h.Monitor[start+k]
	name, g := largestGrad(&b)
	return []Diagnosis{{Kind: Exploding, Severity: Error,
		Where: fmt.Sprintf("steps %d–%d (epochs %d–%d), layer %s", a.Step, b.Step, a.Epoch, b.Epoch, name),
		Evidence: fmt.Sprintf("the global gradient norm rose at each of %d monitored steps, from %s (step %d) to %s (step %d), %s× in all (limit %s×), while the loss rose from %s to %s; largest gradient norm at step %d: %s (%s)",
			k, num(a.GradNorm), a.Step, num(b.GradNorm), b.Step, num(b.GradNorm/a.GradNorm), num(o.Divergence.NormFactor),
			num(a.Loss), num(b.Loss), b.Step, name, num(g)),
		Cause: explodingCause, Fix: lrFix(b.LR),
		Measures: map[string]float64{"step_from": float64(a.Step), "step": float64(b.Step), "grad_norm_from": a.GradNorm, "grad_norm": b.GradNorm,
			"norm_factor": b.GradNorm / a.GradNorm, "layer_grad_norm": g, "lr": b.LR, "loss_from": a.Loss, "loss": b.Loss}}}
}
