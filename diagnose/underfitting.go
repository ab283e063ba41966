package diagnose

import (
	"fmt"
	"math"

	"github.com/gradtune/gradtune/trainer"
)

const underfitFix = "raise the learning rate (or run the LR range test, package lrfinder); train longer; use a larger model (more or wider layers); and run Preflight to rule out a bug (a model that cannot overfit one batch)"

// detectUnderfitting reports a last training loss at chance (atChance), or
// else a flat loss (flatLoss).
func detectUnderfitting(h *trainer.History, o Options) []Diagnosis {
	if d, ok := atChance(h, o); ok {
		return []Diagnosis{d}
	}
	if d, ok := flatLoss(h, o); ok {
		return []Diagnosis{d}
	}
	return nil
}

// atChance is the chance rule: the last training loss is ≥ (1 −
// ChanceMargin)·ln C for Options.Classes = C (a softmax that predicts the
// uniform distribution scores exactly ln C). No Classes, no check.
func atChance(h *trainer.History, o Options) (Diagnosis, bool) {
	c := o.Classes
	if len(h.Epochs) == 0 || c < 2 {
		return Diagnosis{}, false
	}
	last := h.Epochs[len(h.Epochs)-1]
	lnC := math.Log(float64(c))
	if !finite(last.TrainLoss) || !(last.TrainLoss >= (1-o.ChanceMargin)*lnC) {
		return Diagnosis{}, false
	}
	return Diagnosis{Kind: Underfitting, Severity: Warning, Where: fmt.Sprintf("epoch %d", last.Epoch),
		Evidence: fmt.Sprintf("training loss %s after epoch %d is %s of ln %d = %s, the loss of predicting every class with probability 1/%d (flagged above %s)",
			num(last.TrainLoss), last.Epoch, pct(last.TrainLoss/lnC), c, num(lnC), c, pct(1-o.ChanceMargin)),
		Cause:    "the model predicts at chance: it has not learned anything yet (rate too low, vanishing gradients, dead units, or a bug such as shuffled labels)",
		Fix:      underfitFix,
		Measures: map[string]float64{"epoch": float64(last.Epoch), "loss": last.TrainLoss, "ln_c": lnC, "classes": float64(c), "ratio": last.TrainLoss / lnC}}, true
}

// flatLoss is the flat-loss rule: over a run of at least FlatEpochs epochs,
// every training loss within FlatDrop (relative) of the first epoch's.
func flatLoss(h *trainer.History, o Options) (Diagnosis, bool) {
	if len(h.Epochs) == 0 || len(h.Epochs) < o.FlatEpochs {
		return Diagnosis{}, false
	}
	first, last := h.Epochs[0], h.Epochs[len(h.Epochs)-1]
	if !finite(last.TrainLoss) {
		return Diagnosis{}, false
	}
	spread := 0.0 // the largest relative distance from the first epoch's loss
	for _, e := range h.Epochs {
		spread = math.Max(spread, math.Abs(e.TrainLoss-first.TrainLoss)/first.TrainLoss)
	}
	if !(spread <= o.FlatDrop) {
		return Diagnosis{}, false
	}
	drop := 1 - last.TrainLoss/first.TrainLoss
	return Diagnosis{Kind: Underfitting, Severity: Warning, Where: fmt.Sprintf("epochs %d–%d", first.Epoch, last.Epoch),
		Evidence: fmt.Sprintf("training loss went from %s at epoch %d to %s at epoch %d, a drop of %s; no epoch's loss is more than %s from the first (flagged within %s)",
			num(first.TrainLoss), first.Epoch, num(last.TrainLoss), last.Epoch, pct(drop), pct(spread), pct(o.FlatDrop)),
		Cause:    "the loss is flat: the steps are too small to move it (learning rate too low), the gradients do not reach the weights, or the model is too small for the task",
		Fix:      underfitFix,
		Measures: map[string]float64{"first_epoch": float64(first.Epoch), "last_epoch": float64(last.Epoch), "first_loss": first.TrainLoss, "loss": last.TrainLoss, "drop": drop, "spread": spread}}, true
}
