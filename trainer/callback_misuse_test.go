package trainer

// Calls Fit never makes — a nil context or event, a nil callback, an epoch's
// end given by hand — return errors from the callbacks instead of panicking
// (issue 13's audit found each of them panicking).

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gradtune/gradtune/panics"
)

func TestCallbacksRejectNilContextAndEvent(t *testing.T) {
	dir := t.TempDir()
	tr := linearTrainer(t)
	called := false
	lr := &LRMonitor{}
	cbs := map[string]Callback{
		"CSVLogger":         &CSVLogger{Path: filepath.Join(dir, "log.csv")},
		"EarlyStopping":     &EarlyStopping{Monitor: "loss"},
		"LRMonitor":         lr,
		"ModelCheckpoint":   &ModelCheckpoint{Dir: filepath.Join(dir, "ckpt"), Monitor: "loss"},
		"ReduceLROnPlateau": &ReduceLROnPlateau{},
		"CallbackFunc":      CallbackFunc(func(context.Context, *Trainer, *Event) error { called = true; return nil }),
		"EpochLogger":       EpochLogger{W: &bytes.Buffer{}},
		"SaveOnInterrupt":   SaveOnInterrupt{Path: filepath.Join(dir, "state")},
		"TerminateOnNaN":    TerminateOnNaN{},
	}
	for name, cb := range cbs {
		t.Run(name, func(t *testing.T) {
			for _, kind := range []EventKind{FitStart, BatchStart, EpochEnd, FitEnd} {
				var nilCtx context.Context // the misuse under test
				err := noPanic(t, func() error { return cb.OnEvent(nilCtx, tr, &Event{Kind: kind, Stats: &EpochStats{Epoch: 1}}) })
				wantConfigError(t, err, name+" OnEvent: nil context")
				err = noPanic(t, func() error { return cb.OnEvent(ctx, tr, nil) })
				wantConfigError(t, err, name+" OnEvent: nil *Event")
			}
		})
	}
	if called || len(lr.Steps) != 0 {
		t.Errorf("a refused event reached the callback: CallbackFunc called %v, LRMonitor steps %v", called, lr.Steps)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("refused events wrote %v (%v), want nothing", entries, err)
	}
}

func TestNilCallbacksReturnErrors(t *testing.T) {
	tr := linearTrainer(t)
	e := &Event{Kind: FitStart}
	for name, cb := range map[string]Callback{
		"CSVLogger":         (*CSVLogger)(nil),
		"EarlyStopping":     (*EarlyStopping)(nil),
		"LRMonitor":         (*LRMonitor)(nil),
		"ModelCheckpoint":   (*ModelCheckpoint)(nil),
		"ReduceLROnPlateau": (*ReduceLROnPlateau)(nil),
	} {
		err := noPanic(t, func() error { return cb.OnEvent(ctx, tr, e) })
		wantConfigError(t, err, "OnEvent on a nil *"+name)
	}
	wantConfigError(t, noPanic(t, func() error { return CallbackFunc(nil).OnEvent(ctx, tr, e) }), "nil CallbackFunc")

	for name, sc := range map[string][2]StatefulCallback{ // a nil one, and a zero one
		"EarlyStopping":     {(*EarlyStopping)(nil), &EarlyStopping{}},
		"ModelCheckpoint":   {(*ModelCheckpoint)(nil), &ModelCheckpoint{}},
		"ReduceLROnPlateau": {(*ReduceLROnPlateau)(nil), &ReduceLROnPlateau{}},
	} {
		err := noPanic(t, func() error { _, err := sc[0].State(); return err })
		wantConfigError(t, err, "State on a nil *"+name)
		// A state that loads, so that only the nil receiver is wrong.
		b, err := sc[1].State()
		if err != nil {
			t.Fatal(err)
		}
		if err := sc[1].SetState(b); err != nil {
			t.Fatalf("%s: SetState(State()) of a zero one: %v", name, err)
		}
		err = noPanic(t, func() error { return sc[0].SetState(b) })
		wantConfigError(t, err, "SetState on a nil *"+name)
	}
}

// A callback given an epoch's end by hand, without the FitStart that sets
// it up, says so; one after FitStart but without Stats says that.
func TestMonitorCallbacksNeedFitStartAndStats(t *testing.T) {
	t.Chdir(t.TempDir()) // ModelCheckpoint's empty Dir would be here
	tr := linearTrainer(t)
	end := &Event{Kind: EpochEnd, Epoch: 1, Stats: &EpochStats{Epoch: 1, TrainLoss: 0.5}}
	for name, cb := range map[string]Callback{
		"CSVLogger":         &CSVLogger{},
		"EarlyStopping":     &EarlyStopping{Monitor: "loss"},
		"ModelCheckpoint":   &ModelCheckpoint{Monitor: "loss"},
		"ReduceLROnPlateau": &ReduceLROnPlateau{},
	} {
		err := noPanic(t, func() error { return cb.OnEvent(ctx, tr, end) })
		wantConfigError(t, err, name+" got an epoch before FitStart")
	}
	if entries, err := os.ReadDir("."); err != nil || len(entries) != 0 {
		t.Errorf("epochs before FitStart wrote %v (%v), want nothing", entries, err)
	}

	dir := t.TempDir()
	for name, cb := range map[string]Callback{
		"CSVLogger":         &CSVLogger{Path: filepath.Join(dir, "log.csv")},
		"EarlyStopping":     &EarlyStopping{Monitor: "loss"},
		"ModelCheckpoint":   &ModelCheckpoint{Dir: dir, Monitor: "loss"},
		"ReduceLROnPlateau": &ReduceLROnPlateau{},
	} {
		if err := cb.OnEvent(ctx, tr, &Event{Kind: FitStart}); err != nil {
			t.Fatalf("%s at FitStart: %v", name, err)
		}
		err := noPanic(t, func() error { return cb.OnEvent(ctx, tr, &Event{Kind: EpochEnd, Epoch: 1}) })
		wantConfigError(t, err, name+" got an EpochEnd event without Stats")
	}
	// Those that only look at an epoch have nothing to do without Stats.
	var out bytes.Buffer
	for _, cb := range []Callback{TerminateOnNaN{}, EpochLogger{W: &out}} {
		if err := noPanic(t, func() error { return cb.OnEvent(ctx, tr, &Event{Kind: EpochEnd}) }); err != nil {
			t.Errorf("%T at an EpochEnd without Stats: %v, want nil", cb, err)
		}
	}
	if out.Len() != 0 {
		t.Errorf("EpochLogger wrote %q for an epoch without Stats", out.String())
	}
}

// CallbackFunc.OnEvent, called directly rather than by Fit, returns a panic
// of its function as Fit would: an error wrapping panics.ErrUser.
func TestCallbackFuncPanicIsErrUser(t *testing.T) {
	cb := CallbackFunc(func(context.Context, *Trainer, *Event) error { panic("callback not written yet") })
	err := noPanic(t, func() error { return cb.OnEvent(ctx, nil, &Event{}) })
	var pe *panics.Error
	if !errors.As(err, &pe) || !errors.Is(err, panics.ErrUser) || pe.Op != "trainer: trainer.CallbackFunc OnEvent" || pe.Value != "callback not written yet" {
		t.Errorf("got %v, want a *panics.Error wrapping ErrUser, op \"trainer: trainer.CallbackFunc OnEvent\", with the panic's value", err)
	}
}
