package trainer

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows one bar per epoch (schollz/progressbar) with the running
// loss and the rate, then one summary line per epoch. A nil *progress (Quiet)
// does nothing. When the writer is not a terminal (a log file, CI), the bar's
// redraws would only fill it with carriage returns: it writes the summary
// lines alone.
type progress struct {
	w           io.Writer
	tty         bool
	lastEpoch   int // number of the last epoch of this Fit
	stepsPerEp  int
	bar         *progressbar.ProgressBar
	epoch       int
	lastRefresh time.Time
}

func newProgress(cfg *Config, lastEpoch, stepsPerEpoch int) *progress {
	if cfg.Quiet {
		return nil
	}
	w := cfg.Progress
	if w == nil {
		w = os.Stderr
	}
	f, ok := w.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd()))
	return &progress{w: w, tty: tty, lastEpoch: lastEpoch, stepsPerEp: stepsPerEpoch}
}

func (p *progress) startEpoch(epoch int) {
	if p == nil {
		return
	}
	p.epoch = epoch
	if !p.tty {
		return
	}
	p.bar = progressbar.NewOptions(p.stepsPerEp,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, p.lastEpoch)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func (p *progress) step(runningLoss, lr float64) {
	if p == nil || !p.tty {
		return
	}
	// Describe redraws; do it at most every 100 ms to keep the loop fast.
	if now := time.Now(); now.Sub(p.lastRefresh) > 100*time.Millisecond {
		p.lastRefresh = now
		p.bar.Describe(fmt.Sprintf("epoch %d/%d loss=%.4f lr=%.3g", p.epoch, p.lastEpoch, runningLoss, lr))
	}
	_ = p.bar.Add(1)
}

func (p *progress) endEpoch(s EpochStats) {
	if p == nil {
		return
	}
	if p.tty {
		_ = p.bar.Finish()
	}
	fmt.Fprintln(p.w, summary(s))
}

// summary formats one epoch as a Keras-style line.
func summary(s EpochStats) string {
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
