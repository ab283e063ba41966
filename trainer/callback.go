package trainer

import (
	"context"
	"errors"
	"fmt"

	"github.com/gradtune/gradtune/internal/gerr"
)

// ErrStopTraining, returned by a callback, ends Fit after the current event
// without an error: Fit returns nil and History.StoppedBy names the callback.
// Like fs.SkipAll, it is a signal, never returned by Fit itself.
var ErrStopTraining = errors.New("trainer: stop training")

// EventKind says when a callback is called.
type EventKind int

// The events of a Fit, in the order they happen.
const (
	FitStart   EventKind = iota // before the first epoch
	EpochStart                  // before an epoch's first batch
	BatchStart                  // before a batch's forward pass
	BatchEnd                    // after a batch's update
	EpochEnd                    // after an epoch, its validation and schedule update
	FitEnd                      // when Fit ends, for any reason
)

func (k EventKind) String() string {
	switch k {
	case FitStart:
		return "fit_start"
	case EpochStart:
		return "epoch_start"
	case BatchStart:
		return "batch_start"
	case BatchEnd:
		return "batch_end"
	case EpochEnd:
		return "epoch_end"
	case FitEnd:
		return "fit_end"
	}
	return fmt.Sprintf("event(%d)", int(k))
}

// Event is what a callback sees. Fields that do not apply to a kind are zero.
type Event struct {
	Kind  EventKind
	Epoch int // 1-based number of the current (or last) epoch
	Batch int // 1-based batch within the epoch (BatchStart, BatchEnd)
	Step  int // optimizer steps completed since training began
	// Epochs is the number the last epoch of this Fit will have (counted over
	// all Fit calls, as Epoch is) and Batches the batches in each of its
	// epochs (every kind): what a progress bar needs to size itself.
	Epochs, Batches int
	// Loss is the batch's mean data loss (BatchEnd).
	Loss float64
	// RunningLoss is the epoch's loss so far (BatchEnd): the sample-weighted
	// mean over its batches up to this one, which ends as EpochStats.TrainLoss.
	RunningLoss float64
	// LR is the rate of the batch's step, or the epoch's first.
	LR float64
	// Stats is the epoch's record (EpochEnd); a callback may read it.
	Stats *EpochStats
	// Monitor holds the gradient and weight statistics of this step (BatchEnd,
	// on the steps Config.MonitorEvery selects; nil otherwise).
	Monitor *StepMonitor
	// History is the run so far (EpochEnd, FitEnd).
	History *History
	// Err is the error Fit is about to return (FitEnd), nil on success.
	Err error
	// Resumed is true at the FitStart of a Fit that continues an
	// interrupted one (see Fit): a callback keeps its state then.
	Resumed bool
	// Interrupted is true at the FitEnd of a Fit stopped by its cancelled
	// context, which the next Fit resumes: a callback should not act as at
	// the end of training (EarlyStopping does not put back its best weights).
	Interrupted bool
	// Validation is true when Fit was given a validation set (every kind):
	// only then do epochs have val_loss and val_<metric> values, so a
	// callback can refuse at FitStart a monitor that needs them.
	Validation bool
}

// Callback is called at every event of a Fit, in Config.Callbacks order
// (progress callbacks first, see ProgressCallback).
// Returning ErrStopTraining stops training cleanly; any other error stops it
// and is returned by Fit, wrapped with the event and the callback's name.
// A panic in OnEvent comes back from Fit as an error wrapping
// panics.ErrUser (with its stack; see package panics), not as a panic: Fit
// then still closes its graphs and emits FitEnd.
// Callbacks run on Fit's goroutine and may use the Trainer's methods, such
// as ResolveMonitor, Weights, SetWeights, Save, SaveFile, LR and ScaleLR:
// EarlyStopping, ReduceLROnPlateau and ModelCheckpoint need nothing more.
type Callback interface {
	OnEvent(ctx context.Context, t *Trainer, e *Event) error
}

// CheckEvent is the check every callback of gradtune makes first in
// OnEvent: it returns an error wrapping ErrConfig, naming who (the
// callback), for a nil ctx or a nil e, which Fit never passes; nil
// otherwise. A Callback of your own may call it too.
func CheckEvent(ctx context.Context, who string, e *Event) error {
	if ctx == nil || e == nil { // small enough to inline: it runs at every event
		return badEvent(ctx, who, false, e)
	}
	return nil
}

// badEvent is the error of CheckEvent and checkOnEvent.
func badEvent(ctx context.Context, who string, nilReceiver bool, e *Event) error {
	if nilReceiver {
		return errNilCallback(who, "OnEvent")
	}
	if ctx == nil {
		return fmt.Errorf("%w: %s OnEvent: nil context", ErrConfig, who)
	}
	return fmt.Errorf("%w: %s OnEvent: nil *Event", ErrConfig, who)
}

// checkOnEvent is CheckEvent for a callback of this package whose receiver
// is a pointer, which must not be nil either (nilReceiver). Not generic, so
// that it inlines.
func checkOnEvent(ctx context.Context, who string, nilReceiver bool, e *Event) error {
	if nilReceiver || ctx == nil || e == nil {
		return badEvent(ctx, who, nilReceiver, e)
	}
	return nil
}

// errNilCallback is the error of method called on a nil pointer to one of
// the package's callbacks, of type who.
func errNilCallback(who, method string) error {
	return fmt.Errorf("%w: %s on a nil *%s", ErrConfig, method, who)
}

// errBeforeFitStart is the error of a callback, who, that is given an
// epoch's end without the FitStart that sets it up: called by hand, not by
// Fit.
func errBeforeFitStart(who string) error {
	return fmt.Errorf("%w: %s got an epoch before FitStart", ErrConfig, who)
}

// errNoStats is the error of a callback, who, given an EpochEnd event
// without the Stats it reads.
func errNoStats(who string) error {
	return fmt.Errorf("%w: %s got an EpochEnd event without Stats", ErrConfig, who)
}

// CallbackFunc adapts a function to a Callback.
type CallbackFunc func(ctx context.Context, t *Trainer, e *Event) error

// OnEvent calls f. It returns CheckEvent's error for a nil ctx or e, an
// error wrapping ErrConfig for a nil f, and a panic in f as an error
// wrapping panics.ErrUser (see package panics).
func (f CallbackFunc) OnEvent(ctx context.Context, t *Trainer, e *Event) (err error) {
	if err := CheckEvent(ctx, "CallbackFunc", e); err != nil {
		return err
	}
	if f == nil {
		return fmt.Errorf("%w: nil CallbackFunc", ErrConfig)
	}
	// gerr.User's boundary, written out as callOne's (a deferred closure
	// costs less per step than gerr.User's call), with callOne's op for a
	// CallbackFunc: the same error whichever of the two recovers a panic.
	defer func() {
		if r := recover(); r != nil {
			err = gerr.Recovered("trainer: trainer.CallbackFunc OnEvent", r)
		}
	}()
	return f(ctx, t, e)
}

// emit calls every callback with ev, after filling in what every event of
// the Fit shares. It returns ErrStopTraining (naming the first callback that
// asked) or the first error. ev comes by value, so that a Fit without
// callbacks (a tuning trial's) does not allocate an event at every step.
func (t *Trainer) emit(ctx context.Context, ev Event) error {
	if len(t.cfg.Callbacks) == 0 {
		return nil
	}
	e := new(Event) // not &ev: that would move ev to the heap at every call
	*e = ev
	e.Epochs, e.Batches = t.lastEpoch, t.batches
	for _, cb := range t.cfg.Callbacks {
		err := callOne(ctx, t, cb, e)
		if err != nil {
			if errors.Is(err, ErrStopTraining) {
				return &stopped{by: fmt.Sprintf("%T", cb)}
			}
			return fmt.Errorf("trainer: callback %T at %v: %w", cb, e.Kind, err)
		}
	}
	return nil
}

// callOne runs cb's OnEvent behind gerr's user boundary, naming cb only if
// it panics: a name built for every callback at every step costs an
// allocation each.
func callOne(ctx context.Context, t *Trainer, cb Callback, e *Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = gerr.Recovered(fmt.Sprintf("trainer: %T OnEvent", cb), r)
		}
	}()
	return cb.OnEvent(ctx, t, e)
}

// stopped carries which callback stopped training.
type stopped struct{ by string }

func (s *stopped) Error() string { return "trainer: stopped by " + s.by }
func (s *stopped) Unwrap() error { return ErrStopTraining }
