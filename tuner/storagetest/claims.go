package storagetest

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// claimNext claims, as "slot", the lowest of 0..n-1 that no other trial
// holds (holds: Running, or finished and counted), and records what Pick
// saw in *seen.
func claimNext(n int, mu *sync.Mutex, seen *[]tuner.FrozenTrial) *tuner.Claim {
	return &tuner.Claim{Key: "slot", Pick: func(trial tuner.FrozenTrial, others []tuner.FrozenTrial) (string, error) {
		if mu != nil {
			mu.Lock()
			*seen = append((*seen)[:0], others...)
			mu.Unlock()
		}
		held := map[string]bool{}
		for _, o := range others {
			if o.State == tuner.Running || o.Counted() {
				held[o.Attrs["slot"]] = true
			}
		}
		for i := range n {
			if v := strconv.Itoa(i); !held[v] {
				return v, nil
			}
		}
		return "", fmt.Errorf("all %d slots held: %w", n, tuner.ErrSearchSpaceExhausted)
	}}
}

// confClaims: CreateTrial sets the claimed value with the trial; Pick sees
// the trial being started (a Waiting one with its parameters) and the
// other trials holding the key with their state and kind; a failed Pick
// leaves the study as it was.
func confClaims(t *testing.T, st tuner.Storage) {
	id := studyID(t, st, "claims")
	var (
		mu   sync.Mutex
		seen []tuner.FrozenTrial
	)
	claim := claimNext(3, &mu, &seen)
	a, err := st.CreateTrial(ctx, id, map[string]string{"owner": "me"}, claim)
	if err != nil || a.Attrs["slot"] != "0" || a.Attrs["owner"] != "me" || a.State != tuner.Running || len(seen) != 0 {
		t.Fatalf("first claim: %+v %v (Pick saw %d others), want slot 0 and the owner", a, err, len(seen))
	}
	plain, err := st.CreateTrial(ctx, id, nil, nil) // holds no slot
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreateTrial(ctx, id, nil, claim)
	if err != nil || b.Attrs["slot"] != "1" {
		t.Fatalf("second claim: slot %q (%v), want 1", b.Attrs["slot"], err)
	}
	if err := st.FinishTrial(ctx, a.ID, tuner.Failed, nil, tuner.FailInterrupted, "cut short"); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishTrial(ctx, b.ID, tuner.Complete, []float64{2}, "", ""); err != nil {
		t.Fatal(err)
	}
	// A Waiting trial is started with its parameters; slot 0 is free again.
	dists := map[string]tuner.Distribution{"x": tuner.FloatDist{Low: 0, High: 1}}
	if err := st.EnqueueTrial(ctx, id, map[string]float64{"x": 0.25}, dists, nil); err != nil {
		t.Fatal(err)
	}
	var started tuner.FrozenTrial
	spy := &tuner.Claim{Key: "slot", Pick: func(trial tuner.FrozenTrial, others []tuner.FrozenTrial) (string, error) {
		started = trial
		return claim.Pick(trial, others)
	}}
	c, err := st.CreateTrial(ctx, id, nil, spy)
	if err != nil || c.Attrs["slot"] != "0" || c.Params["x"] != 0.25 {
		t.Fatalf("claim of the queued trial: slot %q x %v (%v), want slot 0 (freed) with x 0.25", c.Attrs["slot"], c.Params["x"], err)
	}
	if started.ID != c.ID || started.Number != 3 || started.State != tuner.Running || started.Internal["x"] != 0.25 || !tuner.Equal(started.Distributions["x"], dists["x"]) {
		t.Errorf("Pick saw the trial as %+v, want the queued trial 3, running, with x = 0.25", started)
	}
	type holder struct {
		number int
		state  tuner.TrialState
		kind   tuner.FailKind
		slot   string
	}
	var got []holder
	for _, o := range seen {
		got = append(got, holder{o.Number, o.State, o.FailKind, o.Attrs["slot"]})
	}
	want := []holder{{0, tuner.Failed, tuner.FailInterrupted, "0"}, {2, tuner.Complete, "", "1"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Pick saw the holders %+v, want %+v (not trial %d, which has no slot)", got, want, plain.Number)
	}
	// Slots 0 and 1 are held, 2 is free; then none: a failed Pick changes nothing.
	if d, err := st.CreateTrial(ctx, id, nil, claim); err != nil || d.Attrs["slot"] != "2" {
		t.Fatalf("third slot: %q (%v), want 2", d.Attrs["slot"], err)
	}
	if err := st.EnqueueTrial(ctx, id, map[string]float64{"x": 0.5}, dists, nil); err != nil {
		t.Fatal(err)
	}
	before := allTrials(t, st, id)
	_, err = st.CreateTrial(ctx, id, map[string]string{"owner": "me"}, claim)
	if !errors.Is(err, tuner.ErrSearchSpaceExhausted) {
		t.Errorf("claim with every slot held: %v, want ErrSearchSpaceExhausted", err)
	}
	if after := allTrials(t, st, id); len(after) != len(before) || after[len(after)-1].State != tuner.Waiting || len(after[len(after)-1].Attrs) != 0 {
		t.Errorf("the failed claim changed the study: %d trials before, %d after, last %+v", len(before), len(after), after[len(after)-1])
	}
	for _, bad := range []*tuner.Claim{
		{Key: "", Pick: claim.Pick},
		{Key: "slot"},
		{Key: "slot", Pick: func(tuner.FrozenTrial, []tuner.FrozenTrial) (string, error) { return "", nil }},
		{Key: "slot", Pick: func(tuner.FrozenTrial, []tuner.FrozenTrial) (string, error) { panic("bad sampler") }},
	} {
		if _, err := st.CreateTrial(ctx, id, nil, bad); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("CreateTrial with a bad claim: %v, want ErrConfig", err)
		}
	}
	if after := allTrials(t, st, id); len(after) != len(before) {
		t.Errorf("bad claims created trials: %d, want %d", len(after), len(before))
	}
}

// confConcurrentClaims: 8 goroutines claim from 20 slots, 5 calls each;
// exactly 20 calls succeed, with distinct slots, and the others fail with
// ErrSearchSpaceExhausted and create nothing.
func confConcurrentClaims(t *testing.T, st tuner.Storage) {
	const workers, each, slots = 8, 5, 20
	id := studyID(t, st, "concurrent-claims")
	claim := claimNext(slots, nil, nil)
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		got       = map[int]int{}
		exhausted int
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				ft, err := st.CreateTrial(ctx, id, nil, claim)
				if err == nil {
					err = st.FinishTrial(ctx, ft.ID, tuner.Complete, []float64{0}, "", "")
				}
				mu.Lock()
				switch slot, _ := strconv.Atoi(ft.Attrs["slot"]); {
				case errors.Is(err, tuner.ErrSearchSpaceExhausted):
					exhausted++
				case err != nil:
					t.Error(err)
				default:
					got[slot]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for slot := range slots {
		if got[slot] != 1 {
			t.Errorf("slot %d claimed %d times, want once", slot, got[slot])
		}
	}
	trials := allTrials(t, st, id)
	if len(got) != slots || exhausted != workers*each-slots || len(trials) != slots {
		t.Errorf("%d slots claimed, %d calls found none, %d trials; want %d, %d, %d", len(got), exhausted, len(trials), slots, workers*each-slots, slots)
	}
}
