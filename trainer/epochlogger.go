package trainer

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
)

// ProgressCallback is a Callback that shows how training goes, such as
// EpochLogger or the progress bar of package trainer/progress. Fit calls
// progress callbacks before all others, so that they see every event even
// when another callback stops training. When Config.Callbacks holds none and
// Config.Quiet is false, Fit shows progress with EpochLogger{W:
// Config.Progress}, as Keras adds its ProgbarLogger and Lightning its
// progress bar unless given one.
type ProgressCallback interface {
	Callback
	// ShowsProgress marks the callback as a progress display; Fit never
	// calls it.
	ShowsProgress()
}

// EpochLogger writes one line per epoch (EpochStats.String) to W, nil →
// os.Stderr: Fit's default progress display, the same in a terminal, a log
// file or CI. Write errors are ignored, as for log output.
type EpochLogger struct {
	W io.Writer
}

// OnEvent writes the line at EpochEnd (nothing for one without Stats). It
// returns CheckEvent's error for a nil ctx or e, and nil otherwise.
func (l EpochLogger) OnEvent(ctx context.Context, _ *Trainer, e *Event) error {
	if err := CheckEvent(ctx, "EpochLogger", e); err != nil {
		return err
	}
	if e.Kind != EpochEnd || e.Stats == nil {
		return nil
	}
	w := l.W
	if w == nil {
		w = os.Stderr
	}
	fmt.Fprintln(w, e.Stats.String())
	return nil
}

// ShowsProgress marks EpochLogger as a ProgressCallback.
func (EpochLogger) ShowsProgress() {}

// String formats the epoch as a Keras-style line: "epoch 3: loss=0.1234
// val_loss=0.2 val_accuracy=0.9500 lr=0.001 steps=422 seconds=1.87", the
// val_ parts only when the epoch was validated, metrics sorted by name.
func (s EpochStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %d: loss=%.6g", s.Epoch, s.TrainLoss)
	if !math.IsNaN(s.ValLoss) {
		fmt.Fprintf(&b, " val_loss=%.6g", s.ValLoss)
	}
	names := make([]string, 0, len(s.ValMetrics))
	for k := range s.ValMetrics {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, " val_%s=%.4f", k, s.ValMetrics[k])
	}
	fmt.Fprintf(&b, " lr=%.3g steps=%d seconds=%.2f", s.LR, s.Steps, s.Seconds)
	return b.String()
}

// arrangeCallbacks puts the progress callbacks first, adding the default
// EpochLogger when there is none and Quiet is false.
func arrangeCallbacks(c *Config) {
	var shows, others []Callback
	for _, cb := range c.Callbacks {
		if _, ok := cb.(ProgressCallback); ok {
			shows = append(shows, cb)
		} else {
			others = append(others, cb)
		}
	}
	if len(shows) == 0 && !c.Quiet {
		shows = []Callback{EpochLogger{W: c.Progress}}
	}
	c.Callbacks = append(shows, others...)
}
