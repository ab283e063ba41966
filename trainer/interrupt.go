package trainer

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// SaveOnInterrupt is a Callback that writes the whole training state
// (SaveStateFile) to Path when a Fit ends because its context was
// cancelled — by a signal (see InterruptContext), a deadline or the caller.
// Fit finishes the step under way first (or undoes it, if it went
// non-finite), so the file resumes at the next step: LoadStateFile(Path) on
// a Trainer made the same way, then Fit, gives the uninterrupted run's
// weights and History bit for bit. A Fit that ends any other way saves
// nothing (save at epoch ends with ModelCheckpoint).
//
// An empty Path makes Fit fail at FitStart with ErrConfig; a failed save
// comes back from Fit joined to the context's error.
type SaveOnInterrupt struct {
	Path string // the state file; its folder must exist
}

// OnEvent implements Callback. It also returns CheckEvent's error for a nil
// ctx or e.
func (c SaveOnInterrupt) OnEvent(ctx context.Context, t *Trainer, e *Event) error {
	if err := CheckEvent(ctx, "SaveOnInterrupt", e); err != nil {
		return err
	}
	switch {
	case e.Kind == FitStart && c.Path == "":
		return fmt.Errorf("%w: SaveOnInterrupt.Path is empty, want the state file's path", ErrConfig)
	case e.Kind == FitEnd && e.Interrupted:
		return t.SaveStateFile(c.Path)
	}
	return nil
}

// InterruptContext returns a copy of ctx that is cancelled on the first
// SIGINT (Ctrl-C) or SIGTERM (what a scheduler or a preempted VM sends),
// and stop, which restores the signals' default behaviour (a second signal
// then kills the process). It is signal.NotifyContext(ctx, os.Interrupt,
// syscall.SIGTERM), with a nil ctx taken as context.Background(); the
// package installs no signal handler unless called.
// Give the context to Fit with SaveOnInterrupt among the callbacks:
//
//	ctx, stop := trainer.InterruptContext(ctx)
//	defer stop()
//	hist, err := tr.Fit(ctx, train, val) // on SIGTERM: saves, returns context.Canceled
func InterruptContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == nil {
		ctx = context.Background() // as signal.NotifyContext cannot take nil
	}
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}
