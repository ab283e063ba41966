package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/gradtune/gradtune/goal"
)

// ModelCheckpoint saves the model's parameters (Trainer.SaveFile, in
// model.Model.Save's format) into Dir at the end of every epoch, as Keras's
// ModelCheckpoint and Lightning's ModelCheckpoint(save_last, save_top_k) do:
//
//   - "last.json" holds the latest epoch (Lightning's save_last), unless
//     BestOnly;
//   - "best.json" holds the epoch with the best Monitor value so far,
//     rewritten when a value is strictly better (Keras's save_best_only);
//   - with KeepLast or KeepBest set, each epoch is also saved as
//     "epoch-0007-step-00000350.json" (zero-padded: the names sort in
//     training order) and such files are deleted once the epoch is neither
//     among the KeepLast latest nor among the KeepBest best by Monitor
//     (Lightning's save_top_k). A negative count keeps every epoch's file.
//
// The zero value of KeepLast and KeepBest writes only last.json and
// best.json. Best ranks by Mode: goal.Auto (the zero value) takes the
// monitored metric's direction (Trainer.MonitorDirection). A tie with the
// K-th best keeps the earlier epoch, a NaN value never ranks. A Monitor it
// cannot resolve, a val_* one when Fit has no validation set, or BestOnly
// with KeepLast, makes Fit fail at FitStart with ErrConfig.
//
// Every file is written atomically (a crash leaves the previous one) and
// before anything is deleted, so a run never deletes its only good
// checkpoint; a failed save deletes nothing and stops Fit with the error.
// Only files this callback wrote are ever deleted: files already in Dir are
// left alone, but one with the same name is overwritten, so give runs that
// save at the same time (parallel trials) a Dir each.
//
// Use a pointer, one per Trainer: it keeps the best value and its files
// across Fit calls. It uses only exported API (ResolveMonitor, SaveFile), so
// a variant of your own can do what it does.
type ModelCheckpoint struct {
	Dir      string         // required; created if missing
	Monitor  string         // "" → "val_loss"
	Mode     goal.Direction // goal.Auto, goal.Minimize or goal.Maximize
	BestOnly bool           // do not write last.json (KeepLast must be 0)
	KeepLast int            // keep the epoch files of the latest KeepLast epochs; 0: none, < 0: all
	KeepBest int            // keep the epoch files of the KeepBest best epochs; 0: none, < 0: all

	// Read after Fit:
	Best      float64 // best monitored value so far (meaningful when BestEpoch > 0)
	BestEpoch int     // its epoch, the one in best.json (0: none yet)

	dir  goal.Direction // Mode, resolved at FitStart
	kept []epochFile    // epoch files on disk, oldest first
}

// epochFile is one epoch's checkpoint and the value that ranks it.
type epochFile struct {
	name        string
	epoch, step int
	value       float64
}

// Checkpoints returns the paths of the epoch files kept so far, oldest
// first (none when KeepLast and KeepBest are 0).
func (c *ModelCheckpoint) Checkpoints() []string {
	paths := make([]string, len(c.kept))
	for i, f := range c.kept {
		paths[i] = filepath.Join(c.Dir, f.name)
	}
	return paths
}

// OnEvent implements Callback. Besides the errors above, it returns
// CheckEvent's for a nil ctx or e, and an error wrapping ErrConfig on a nil
// c or for an EpochEnd before any FitStart.
func (c *ModelCheckpoint) OnEvent(ctx context.Context, t *Trainer, e *Event) error {
	if err := checkOnEvent(ctx, "ModelCheckpoint", c == nil, e); err != nil {
		return err
	}
	monitor := c.Monitor
	if monitor == "" {
		monitor = "val_loss"
	}
	switch e.Kind {
	case FitStart:
		if c.Dir == "" {
			return fmt.Errorf("%w: ModelCheckpoint Dir is empty", ErrConfig)
		}
		if c.BestOnly && c.KeepLast != 0 {
			return fmt.Errorf("%w: ModelCheckpoint BestOnly with KeepLast = %d: BestOnly keeps no latest epochs, set one of them", ErrConfig, c.KeepLast)
		}
		dir, err := t.ResolveMonitor("ModelCheckpoint", monitor, c.Mode, e.Validation)
		if err != nil {
			return err
		}
		c.dir = dir
		return os.MkdirAll(c.Dir, 0o755)
	case EpochEnd:
		if !c.dir.Resolved() { // else Dir may be "": files would land in the working directory
			return errBeforeFitStart("ModelCheckpoint")
		}
		v, err := monitorValue("ModelCheckpoint", monitor, e.Stats)
		if err != nil {
			return err
		}
		return c.save(t, e.Epoch, e.Step, v)
	}
	return nil
}

// save writes epoch's files, then deletes the epoch files no longer kept.
func (c *ModelCheckpoint) save(t *Trainer, epoch, step int, v float64) error {
	save := func(name string) error {
		if err := t.SaveFile(filepath.Join(c.Dir, name)); err != nil {
			return fmt.Errorf("ModelCheckpoint: epoch %d: %w", epoch, err)
		}
		return nil
	}
	if c.KeepLast != 0 || c.KeepBest != 0 {
		f := epochFile{name: fmt.Sprintf("epoch-%04d-step-%08d.json", epoch, step), epoch: epoch, step: step, value: v}
		// A file of the same name is overwritten; forget the old entry.
		c.kept = slices.DeleteFunc(c.kept, func(k epochFile) bool { return k.name == f.name })
		if keep := c.retained(append(c.kept, f)); keep[len(c.kept)] {
			if err := save(f.name); err != nil {
				return err
			}
			c.kept = append(c.kept, f)
		}
	}
	if !math.IsNaN(v) && (c.BestEpoch == 0 || c.dir.Better(v, c.Best)) {
		if err := save("best.json"); err != nil {
			return err
		}
		c.Best, c.BestEpoch = v, epoch
	}
	if !c.BestOnly {
		if err := save("last.json"); err != nil {
			return err
		}
	}
	return c.rotate()
}

// rotate deletes the epoch files that are no longer kept. It runs after
// every save of the epoch succeeded, so what it deletes has a successor.
func (c *ModelCheckpoint) rotate() error {
	keep := c.retained(c.kept)
	var errs []error
	kept := c.kept[:0]
	for i, f := range c.kept {
		if keep[i] {
			kept = append(kept, f)
			continue
		}
		if err := os.Remove(filepath.Join(c.Dir, f.name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	c.kept = kept
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ModelCheckpoint: deleting old checkpoints: %w", err)
	}
	return nil
}

// retained reports which of files (oldest first) are among the KeepLast
// latest or the KeepBest best.
func (c *ModelCheckpoint) retained(files []epochFile) []bool {
	keep := make([]bool, len(files))
	if c.KeepLast < 0 || c.KeepBest < 0 {
		for i := range keep {
			keep[i] = true
		}
		return keep
	}
	for i := max(len(files)-c.KeepLast, 0); i < len(files); i++ {
		keep[i] = true
	}
	// Best first; a tie keeps the earlier epoch (files are oldest first, and
	// the sort is stable); NaN never ranks.
	var ranked []int
	for i, f := range files {
		if !math.IsNaN(f.value) {
			ranked = append(ranked, i)
		}
	}
	slices.SortStableFunc(ranked, func(a, b int) int {
		switch va, vb := files[a].value, files[b].value; {
		case c.dir.Better(va, vb):
			return -1
		case c.dir.Better(vb, va):
			return 1
		}
		return 0
	})
	for _, i := range ranked[:min(c.KeepBest, len(ranked))] {
		keep[i] = true
	}
	return keep
}

// modelCheckpointState is ModelCheckpoint's state: the resolved direction,
// the best value and its epoch, and the epoch files it keeps, so that a
// resumed run rotates the files the interrupted one wrote.
type modelCheckpointState struct {
	Dir       goal.Direction
	Best      float64
	BestEpoch int
	Kept      []keptFile
}

type keptFile struct {
	Name        string
	Epoch, Step int
	Value       float64
}

// State implements StatefulCallback. On a nil c it returns an error
// wrapping ErrConfig.
func (c *ModelCheckpoint) State() ([]byte, error) {
	if c == nil {
		return nil, errNilCallback("ModelCheckpoint", "State")
	}
	s := modelCheckpointState{Dir: c.dir, Best: c.Best, BestEpoch: c.BestEpoch}
	for _, f := range c.kept {
		s.Kept = append(s.Kept, keptFile{Name: f.name, Epoch: f.epoch, Step: f.step, Value: f.value})
	}
	return encodeState(s)
}

// SetState implements StatefulCallback. On a nil c it returns an error
// wrapping ErrConfig.
func (c *ModelCheckpoint) SetState(b []byte) error {
	if c == nil {
		return errNilCallback("ModelCheckpoint", "SetState")
	}
	var s modelCheckpointState
	if err := decodeState(b, &s); err != nil {
		return err
	}
	if err := s.Dir.Validate(); err != nil {
		return fmt.Errorf("ModelCheckpoint state: %w", err)
	}
	kept := make([]epochFile, 0, len(s.Kept))
	for _, f := range s.Kept {
		if f.Name != filepath.Base(f.Name) || f.Name == "" || f.Name == "." || f.Name == ".." {
			return fmt.Errorf("%w: ModelCheckpoint state: kept file %q is not a plain file name", ErrState, f.Name)
		}
		kept = append(kept, epochFile{name: f.Name, epoch: f.Epoch, step: f.Step, value: f.Value})
	}
	c.dir, c.Best, c.BestEpoch, c.kept = s.Dir, s.Best, s.BestEpoch, kept
	return nil
}
