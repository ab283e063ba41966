package rdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/studyfiletest"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// storageCalls are the Storage's methods taking a context, called with c on
// study 1 and trial 1.
func storageCalls(st *rdb.Storage, c context.Context) map[string]func() error {
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
		"RecordHeartbeat":      func() error { return st.RecordHeartbeat(c, 1) },
		"FailStaleTrials": func() error {
			_, err := st.FailStaleTrials(c, 1, time.Nanosecond, "stale", true)
			return err
		},
	}
}

// A nil context panicked inside database/sql while it held the pool's
// lock, so that every later call and Close blocked forever. It is an error
// wrapping tuner.ErrConfig now, the study is unchanged, and Close works;
// Open and OpenPostgres refuse it too.
func TestNilContextIsAnError(t *testing.T) {
	st, err := rdb.OpenSQLite(tempPath(t))
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := st.GetOrCreateStudy(ctx, "s", []tuner.Direction{tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateTrial(ctx, id, nil, nil); err != nil {
		t.Fatal(err)
	}
	for name, call := range storageCalls(st, nil) {
		if err := studyfiletest.Bounded(t, name+"(nil context)", call); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%s(nil context) = %v, want an error wrapping tuner.ErrConfig", name, err)
		}
	}
	if got, err := st.Trials(ctx, id); err != nil || len(got) != 1 || got[0].State != tuner.Running || len(got[0].Params) != 0 {
		t.Errorf("nil-context calls changed the study: %+v, %v", got, err)
	}
	if err := studyfiletest.Bounded(t, "Close", st.Close); err != nil {
		t.Errorf("Close: %v", err)
	}
	var nilCtx context.Context // the misuse under test
	for _, url := range []string{"sqlite:///" + tempPath(t), "postgres://u@127.0.0.1:1/db"} {
		if _, err := rdb.Open(nilCtx, url); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("Open(nil, %q) = %v, want an error wrapping tuner.ErrConfig", url, err)
		}
	}
	if _, err := rdb.OpenPostgres(nilCtx, "postgres://u@127.0.0.1:1/db"); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("OpenPostgres(nil) = %v, want an error wrapping tuner.ErrConfig", err)
	}
}

// A nil *Storage and a zero Storage{} panicked on every method; they
// return errors wrapping tuner.ErrConfig, and closing a zero Storage does
// nothing. OptunaURL(nil) panicked; it is "".
func TestNilAndZeroStorage(t *testing.T) {
	for _, st := range []*rdb.Storage{nil, {}} {
		for name, call := range storageCalls(st, ctx) {
			if err := studyfiletest.Bounded(t, name, call); !errors.Is(err, tuner.ErrConfig) {
				t.Errorf("(%#v).%s = %v, want an error wrapping tuner.ErrConfig", st, name, err)
			}
		}
	}
	if err := (*rdb.Storage)(nil).Close(); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("nil Close = %v, want an error wrapping tuner.ErrConfig", err)
	}
	if err := (&rdb.Storage{}).Close(); err != nil {
		t.Errorf("zero Storage Close = %v, want nil", err)
	}
	if got := studyfiletest.Bounded(t, "OptunaURL(nil)", func() error { return errors.New(rdb.OptunaURL(nil)) }); got.Error() != "" {
		t.Errorf("OptunaURL(nil) = %q, want \"\"", got)
	}
}
