package sqlite_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfiletest"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

// storageCalls are the Storage's methods taking a context, called with c on
// study 1 and trial 1.
func storageCalls(st *sqlite.Storage, c context.Context) map[string]func() error {
	d := tuner.FloatDist{Low: 0, High: 1}
	return map[string]func() error{
		"GetOrCreateStudy": func() error { _, _, err := st.GetOrCreateStudy(c, "s", []tuner.Direction{tuner.Minimize}); return err },
		"CreateTrial":      func() error { _, err := st.CreateTrial(c, 1, nil, nil); return err },
		"EnqueueTrial": func() error {
			return st.EnqueueTrial(c, 1, map[string]float64{"x": 0.5}, map[string]tuner.Distribution{"x": d}, nil)
		},
		"SetTrialParam":        func() error { return st.SetTrialParam(c, 1, "x", 0.5, d) },
		"SetTrialIntermediate": func() error { return st.SetTrialIntermediate(c, 1, 0, 1) },
		"SetTrialAttr":         func() error { return st.SetTrialAttr(c, 1, "k", "v") },
		"FinishTrial":          func() error { return st.FinishTrial(c, 1, tuner.Complete, []float64{1}, "", "") },
		"Trials":               func() error { _, err := st.Trials(c, 1); return err },
	}
}

// A nil context panicked inside database/sql while it held the pool's
// lock, so that every later call and Close blocked forever. It is an error
// wrapping tuner.ErrConfig now, the study is unchanged, and Close works.
func TestNilContextIsAnError(t *testing.T) {
	st, err := sqlite.Open(tempPath(t))
	if err != nil {
		t.Fatal(err)
	}
	id := studyID(t, st, "s")
	if _, err := st.CreateTrial(ctx, id, nil, nil); err != nil {
		t.Fatal(err)
	}
	for name, call := range storageCalls(st, nil) {
		if err := studyfiletest.Bounded(t, name+"(nil context)", call); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%s(nil context) = %v, want an error wrapping tuner.ErrConfig", name, err)
		}
	}
	if got := allTrials(t, st, id); len(got) != 1 || got[0].State != tuner.Running || len(got[0].Params) != 0 {
		t.Errorf("nil-context calls changed the study: %+v", got)
	}
	if err := studyfiletest.Bounded(t, "Close", st.Close); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// A nil *Storage and a zero Storage{} panicked on every method; they
// return errors wrapping tuner.ErrConfig, and closing a zero Storage does
// nothing.
func TestNilAndZeroStorage(t *testing.T) {
	for _, st := range []*sqlite.Storage{nil, {}} {
		for name, call := range storageCalls(st, ctx) {
			if err := call(); !errors.Is(err, tuner.ErrConfig) {
				t.Errorf("(%#v).%s = %v, want an error wrapping tuner.ErrConfig", st, name, err)
			}
		}
	}
	if err := (*sqlite.Storage)(nil).Close(); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("nil Close = %v, want an error wrapping tuner.ErrConfig", err)
	}
	if err := (&sqlite.Storage{}).Close(); err != nil {
		t.Errorf("zero Storage Close = %v, want nil", err)
	}
}
