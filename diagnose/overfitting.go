package diagnose

import (
	"fmt"

	"github.com/gradtune/gradtune/trainer"
)

// detectOverfitting finds the validated epoch b with the lowest
// validation loss; the run overfits when at least Patience validated
// epochs follow it, the last validation loss is above the minimum by more
// than MinRise (relative), and the last training loss is below epoch b's:
// the gap between them widened. Where names the epochs after b.
func detectOverfitting(h *trainer.History, o Options) []Diagnosis {
	var val []trainer.EpochStats
	for _, e := range h.Epochs {
		if e.ValMetrics != nil && finite(e.ValLoss) && finite(e.TrainLoss) {
			val = append(val, e)
		}
	}
	if len(val) == 0 {
		return nil
	}
	b := 0
	for i, e := range val {
		if e.ValLoss < val[b].ValLoss {
			b = i
		}
	}
	best, last := val[b], val[len(val)-1]
	after := len(val) - 1 - b
	rise := (last.ValLoss - best.ValLoss) / best.ValLoss
	if best.ValLoss <= 0 {
		rise = last.ValLoss - best.ValLoss // no relative scale at 0
	}
	if after < o.Patience || !(rise > o.MinRise) || !(last.TrainLoss < best.TrainLoss) {
		return nil
	}
	gapBest, gapLast := best.ValLoss-best.TrainLoss, last.ValLoss-last.TrainLoss
	return []Diagnosis{{Kind: Overfitting, Severity: Warning,
		Where: fmt.Sprintf("epochs %d–%d", val[b+1].Epoch, last.Epoch),
		Evidence: fmt.Sprintf("validation loss rose from %s at epoch %d (its minimum) to %s at epoch %d (+%s) while the training loss fell from %s to %s; the gap (validation − training) widened from %s to %s",
			num(best.ValLoss), best.Epoch, num(last.ValLoss), last.Epoch, pct(rise), num(best.TrainLoss), num(last.TrainLoss), num(gapBest), num(gapLast)),
		Cause: "the model memorizes the training set (noise included) instead of learning what generalizes: it has too much capacity, too little regularization or too little data",
		Fix: fmt.Sprintf("stop at epoch %d (trainer.EarlyStopping{Patience: %d} restores its weights); add regularization (regularizers.L2{Lambda: 1e-4}, raising it tenfold while the gap stays wide, or model.Dropout{Rate: 0.2}); get more training data; or use a smaller model",
			best.Epoch, o.Patience),
		Measures: map[string]float64{"best_epoch": float64(best.Epoch), "last_epoch": float64(last.Epoch),
			"val_best": best.ValLoss, "val_last": last.ValLoss, "train_best": best.TrainLoss, "train_last": last.TrainLoss,
			"gap_best": gapBest, "gap_last": gapLast, "rise": rise, "epochs_after_best": float64(after)}}}
}
