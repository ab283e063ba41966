// Package progress draws a training progress bar in the terminal: Bar, a
// trainer.ProgressCallback, Keras's ProgbarLogger. It lives apart from
// package trainer so that the training core draws nothing by itself; add it
// to trainer.Config.Callbacks to see it.
package progress

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/gradtune/gradtune/trainer"
)

// Bar shows, when W is a terminal, one bar per epoch (schollz/progressbar)
// with the step count, the epoch's running loss and the rate, cleared when
// the epoch ends; and, on any W, one line per epoch as trainer.EpochLogger
// writes it. Without a terminal (a log file, CI) the bar's redraws would only
// fill the output with carriage returns, so it writes the lines alone.
//
// Use a *Bar, one per Trainer: it holds the bar being drawn. Its zero value
// writes to os.Stderr. As a trainer.ProgressCallback it replaces Fit's
// default EpochLogger and is shown whatever Config.Quiet says. Write errors
// are ignored, as for log output.
type Bar struct {
	W io.Writer // nil → os.Stderr

	w           io.Writer
	tty         bool
	bar         *progressbar.ProgressBar
	lastRefresh time.Time
}

// ShowsProgress marks Bar as a trainer.ProgressCallback.
func (*Bar) ShowsProgress() {}

// OnEvent draws the bar and writes the epoch lines. It returns
// trainer.CheckEvent's error for a nil ctx or e, an error wrapping
// trainer.ErrConfig on a nil b, and nil otherwise.
func (b *Bar) OnEvent(ctx context.Context, t *trainer.Trainer, e *trainer.Event) error {
	if b == nil {
		return fmt.Errorf("%w: OnEvent on a nil *progress.Bar", trainer.ErrConfig)
	}
	if err := trainer.CheckEvent(ctx, "progress.Bar", e); err != nil {
		return err
	}
	switch e.Kind {
	case trainer.FitStart:
		b.w = b.writer()
		f, ok := b.w.(*os.File)
		b.tty = ok && term.IsTerminal(int(f.Fd()))
	case trainer.EpochStart:
		if b.tty {
			b.bar = progressbar.NewOptions(e.Batches,
				progressbar.OptionSetWriter(b.w),
				progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", e.Epoch, e.Epochs)),
				progressbar.OptionShowCount(),
				progressbar.OptionSetWidth(24),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
	case trainer.BatchEnd:
		if b.bar == nil {
			return nil
		}
		// Describe redraws; do it at most every 100 ms to keep the loop fast.
		if now := time.Now(); now.Sub(b.lastRefresh) > 100*time.Millisecond {
			b.lastRefresh = now
			b.bar.Describe(fmt.Sprintf("epoch %d/%d loss=%.4f lr=%.3g", e.Epoch, e.Epochs, e.RunningLoss, t.LR()))
		}
		_ = b.bar.Add(1)
	case trainer.EpochEnd:
		if b.bar != nil {
			_ = b.bar.Finish()
			b.bar = nil
		}
		if e.Stats != nil {
			fmt.Fprintln(b.writer(), e.Stats.String())
		}
	case trainer.FitEnd:
		b.bar = nil // a Fit that failed mid-epoch leaves no bar for the next
	}
	return nil
}

// writer is where the lines go: the one FitStart chose, else W, nil →
// os.Stderr (an epoch's end given by hand, without FitStart).
func (b *Bar) writer() io.Writer {
	switch {
	case b.w != nil:
		return b.w
	case b.W != nil:
		return b.W
	}
	return os.Stderr
}
