package trainer

// EpochStats is what one epoch recorded.
type EpochStats struct {
	Epoch int // 1-based
	// TrainLoss is the sample-weighted mean of the data loss over the epoch
	// (each sample counts once; penalties excluded), measured during the
	// epoch's forward passes, as Keras reports it.
	TrainLoss float64
	// Penalty is the regularization penalty at the epoch's last step (0 without regularizers).
	Penalty float64
	// ValLoss is the mean data loss on the validation set after the epoch;
	// NaN when there is no validation set.
	ValLoss float64
	// ValMetrics holds each Config.Metrics value on the validation set, by
	// name; it is non-nil exactly when the epoch was validated.
	ValMetrics map[string]float64
	LR         float64 // learning rate used during the epoch (at its first step)
	LRReduced  bool    // the ReduceLROnPlateau callback lowered the rate after this epoch
	Steps      int     // optimizer steps in the epoch
	Seconds    float64 // wall time of the epoch, validation included
}

// History records a Fit, one entry per completed epoch.
type History struct {
	Epochs []EpochStats
	// Monitor holds the statistics recorded every Config.MonitorEvery steps.
	Monitor []StepMonitor
	// StoppedBy names the callback that ended training early with
	// ErrStopTraining ("" if none did).
	StoppedBy string
}

// Value returns a named quantity of the epoch, by Keras's names: "loss",
// "val_loss", "val_<metric>" (e.g. "val_accuracy"), "lr". ok is false for
// an unknown name or a value the epoch lacks (val_loss without validation).
func (s *EpochStats) Value(name string) (v float64, ok bool) {
	switch name {
	case "loss":
		return s.TrainLoss, true
	case "val_loss":
		return s.ValLoss, s.ValMetrics != nil
	case "lr":
		return s.LR, true
	}
	if len(name) > 4 && name[:4] == "val_" {
		v, ok = s.ValMetrics[name[4:]]
		return v, ok
	}
	return 0, false
}

// Last returns the last epoch's stats, or false if none completed.
func (h *History) Last() (EpochStats, bool) {
	if h == nil || len(h.Epochs) == 0 {
		return EpochStats{}, false
	}
	return h.Epochs[len(h.Epochs)-1], true
}
