package storagetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// confFinishTwice: a finished trial cannot be finished again or changed,
// but keeps taking attributes; of 8 concurrent finishes exactly one wins.
func confFinishTwice(t *testing.T, st tuner.Storage) {
	id := studyID(t, st, "finish")
	ft, err := st.CreateTrial(ctx, id, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []tuner.TrialState{tuner.Running, tuner.Waiting} {
		if err := st.FinishTrial(ctx, ft.ID, bad, []float64{1}, "", ""); !errors.Is(err, tuner.ErrStorage) {
			t.Errorf("finish as %v: %v, want ErrStorage", bad, err)
		}
	}
	if err := st.FinishTrial(ctx, ft.ID, tuner.Complete, []float64{1.5}, "", ""); err != nil {
		t.Fatal(err)
	}
	after := []struct {
		name string
		call func() error
	}{
		{"FinishTrial complete", func() error { return st.FinishTrial(ctx, ft.ID, tuner.Complete, []float64{2}, "", "") }},
		{"FinishTrial failed", func() error { return st.FinishTrial(ctx, ft.ID, tuner.Failed, nil, tuner.FailObjective, "late") }},
		{"SetTrialParam", func() error { return st.SetTrialParam(ctx, ft.ID, "x", 0.5, tuner.FloatDist{Low: 0, High: 1}) }},
		{"SetTrialIntermediate", func() error { return st.SetTrialIntermediate(ctx, ft.ID, 1, 0.5) }},
	}
	for _, a := range after {
		if err := a.call(); !errors.Is(err, tuner.ErrTrialFinished) {
			t.Errorf("%s on a finished trial: %v, want ErrTrialFinished", a.name, err)
		}
	}
	if err := st.SetTrialAttr(ctx, ft.ID, "note", "after the end"); err != nil {
		t.Errorf("SetTrialAttr on a finished trial: %v", err)
	}
	got := allTrials(t, st, id)[0]
	if got.State != tuner.Complete || got.Value != 1.5 || len(got.Params) != 0 || len(got.Intermediate) != 0 || got.Attrs["note"] != "after the end" {
		t.Errorf("finished trial changed: %+v", got)
	}
	// A queued trial is not Running either.
	if err := st.EnqueueTrial(ctx, id, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	waiting := allTrials(t, st, id)[1]
	if err := st.FinishTrial(ctx, waiting.ID, tuner.Complete, []float64{1}, "", ""); !errors.Is(err, tuner.ErrTrialFinished) {
		t.Errorf("finishing a waiting trial: %v, want ErrTrialFinished", err)
	}
	// Concurrent finishes of one trial: one wins, with its own value.
	claimed, err := st.CreateTrial(ctx, id, nil, nil)
	if err != nil || claimed.ID != waiting.ID {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := 0; k < n; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = st.FinishTrial(ctx, claimed.ID, tuner.Complete, []float64{float64(k)}, "", "")
		}()
	}
	wg.Wait()
	winner := -1
	for k, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = k
		case err == nil:
			t.Errorf("finishes %d and %d both succeeded", winner, k)
		case !errors.Is(err, tuner.ErrTrialFinished):
			t.Errorf("finish %d: %v, want ErrTrialFinished", k, err)
		}
	}
	if got := allTrials(t, st, id)[1]; winner < 0 || got.State != tuner.Complete || got.Value != float64(winner) {
		t.Errorf("after concurrent finishes: %v %v, winner %d", got.State, got.Value, winner)
	}
}

// confUnknownIDs: a study or trial that does not exist is a storage error,
// never ErrTrialFinished.
func confUnknownIDs(t *testing.T, st tuner.Storage) {
	studyID(t, st, "known")
	const study, trial = 4242, 4242
	calls := []struct {
		name string
		call func() error
	}{
		{"CreateTrial", func() error { _, err := st.CreateTrial(ctx, study, nil, nil); return err }},
		{"Trials", func() error { _, err := st.Trials(ctx, study); return err }},
		{"EnqueueTrial", func() error { return st.EnqueueTrial(ctx, study, nil, nil, nil) }},
		{"SetTrialParam", func() error { return st.SetTrialParam(ctx, trial, "x", 0, tuner.FloatDist{High: 1}) }},
		{"SetTrialIntermediate", func() error { return st.SetTrialIntermediate(ctx, trial, 0, 1) }},
		{"SetTrialAttr", func() error { return st.SetTrialAttr(ctx, trial, "k", "v") }},
		{"FinishTrial", func() error { return st.FinishTrial(ctx, trial, tuner.Complete, []float64{1}, "", "") }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, tuner.ErrStorage) || errors.Is(err, tuner.ErrTrialFinished) {
			t.Errorf("%s on an unknown id: %v, want ErrStorage", c.name, err)
		}
	}
}
