package storagetest

import (
	"errors"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// confFailKinds: a Failed trial keeps the kind it was finished with, and
// Counted follows the kind whatever the message says; a kind on another
// state, or a Failed trial without one, is refused and changes nothing.
func confFailKinds(t *testing.T, st tuner.Storage) {
	id := studyID(t, st, "kinds")
	cases := []struct {
		kind    tuner.FailKind
		reason  string
		counted bool
	}{
		// Reworded messages, and messages of other kinds: the kind decides.
		{tuner.FailInterrupted, "cancelled by the caller (a new wording)", false},
		{tuner.FailStale, "its process is gone", false},
		{tuner.FailNotRun, "", false},
		{tuner.FailObjective, "interrupted: the study's context was cancelled during the trial", true},
		{tuner.FailObjective, "stale: still running when the study was reopened (its process died)", true},
		{tuner.FailPanic, "objective panicked: x", true},
		{tuner.FailNaN, "NaN", true},
		{tuner.FailTimeout, "timeout: ran past Config.TrialTimeout", true},
		{tuner.FailSuggest, "bad range", true},
		{tuner.FailSampler, "sampler", true},
		{tuner.FailKind("from_a_later_version"), "?", true},
	}
	for _, c := range cases {
		ft, err := st.CreateTrial(ctx, id, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.FinishTrial(ctx, ft.ID, tuner.Failed, nil, c.kind, c.reason); err != nil {
			t.Fatal(err)
		}
	}
	trials := allTrials(t, st, id)
	for i, c := range cases {
		tr := trials[i]
		if tr.State != tuner.Failed || tr.FailKind != c.kind || tr.FailReason != c.reason || tr.Counted() != c.counted {
			t.Errorf("trial %d: %v kind %q reason %q counted %v, want failed %q %q counted %v",
				i, tr.State, tr.FailKind, tr.FailReason, tr.Counted(), c.kind, c.reason, c.counted)
		}
	}
	ft, err := st.CreateTrial(ctx, id, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		state tuner.TrialState
		kind  tuner.FailKind
	}{{tuner.Failed, ""}, {tuner.Complete, tuner.FailObjective}, {tuner.Pruned, tuner.FailStale}} {
		if err := st.FinishTrial(ctx, ft.ID, bad.state, []float64{1}, bad.kind, "r"); !errors.Is(err, tuner.ErrStorage) {
			t.Errorf("finish as %v with kind %q: %v, want ErrStorage", bad.state, bad.kind, err)
		}
	}
	if err := st.FinishTrial(ctx, ft.ID, tuner.Complete, []float64{1}, "", ""); err != nil {
		t.Errorf("finishing after the refused calls: %v", err)
	}
	if got := allTrials(t, st, id)[len(cases)]; got.State != tuner.Complete || got.FailKind != "" || got.Value != 1 {
		t.Errorf("last trial: %v kind %q value %v, want complete with no kind", got.State, got.FailKind, got.Value)
	}
}
