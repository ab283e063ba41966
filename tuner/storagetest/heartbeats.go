package storagetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// confHeartbeats: a storage that keeps heartbeats (tuner.HeartbeatStorage)
// records them for Running trials only; FailStaleTrials fails exactly the
// Running trials whose heartbeat is older than the grace period — not those
// without one, nor fresh ones — each once under 8 concurrent callers, and
// re-queues each, in the same step, with its parameters and
// tuner.RequeueAttrs. Storages without heartbeats skip it.
func confHeartbeats(t *testing.T, st tuner.Storage) {
	hs, ok := st.(tuner.HeartbeatStorage)
	if !ok {
		t.Skipf("%T keeps no heartbeats (not a tuner.HeartbeatStorage)", st)
	}
	id := studyID(t, st, "heartbeats")
	dist := tuner.FloatDist{Low: 0, High: 1}
	start := func(x float64, beat bool) tuner.FrozenTrial {
		t.Helper()
		ft, err := st.CreateTrial(ctx, id, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetTrialParam(ctx, ft.ID, "x", x, dist); err != nil {
			t.Fatal(err)
		}
		if beat {
			if err := hs.RecordHeartbeat(ctx, ft.ID); err != nil {
				t.Fatalf("heartbeat of a running trial: %v", err)
			}
		}
		return ft
	}
	const grace = 300 * time.Millisecond
	stale := start(0.25, true)
	silent := start(0.5, false)
	time.Sleep(2 * grace)
	fresh := start(0.75, true)
	if err := hs.RecordHeartbeat(ctx, stale.ID); err != nil { // beats twice: an upsert
		t.Fatal(err)
	}
	time.Sleep(2 * grace) // stale's second beat is old now too, fresh's about to be
	if err := hs.RecordHeartbeat(ctx, fresh.ID); err != nil {
		t.Fatal(err)
	}

	const n = 8
	got := make([][]tuner.FrozenTrial, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[k], errs[k] = hs.FailStaleTrials(ctx, id, grace, "no heartbeat", true)
		}()
	}
	wg.Wait()
	var failed []tuner.FrozenTrial
	for k := range n {
		if errs[k] != nil {
			t.Fatalf("FailStaleTrials %d: %v", k, errs[k])
		}
		failed = append(failed, got[k]...)
	}
	if len(failed) != 1 || failed[0].ID != stale.ID || failed[0].State != tuner.Running || failed[0].Internal["x"] != 0.25 {
		t.Fatalf("8 concurrent FailStaleTrials returned %+v, want trial %d once, as it was", failed, stale.Number)
	}
	trials := allTrials(t, st, id)
	if len(trials) != 4 {
		t.Fatalf("%d trials after failing one with requeue, want 4", len(trials))
	}
	if s := trials[stale.Number]; s.State != tuner.Failed || s.FailKind != tuner.FailStale || s.FailReason != "no heartbeat" {
		t.Errorf("stale trial: %v %q %q, want failed, stale, \"no heartbeat\"", s.State, s.FailKind, s.FailReason)
	}
	if trials[silent.Number].State != tuner.Running || trials[fresh.Number].State != tuner.Running {
		t.Errorf("trial without heartbeat %v, fresh one %v; want both running", trials[silent.Number].State, trials[fresh.Number].State)
	}
	q := trials[3]
	want := tuner.RequeueAttrs(stale)
	if q.State != tuner.Waiting || q.Internal["x"] != 0.25 || q.Attrs["requeued_from"] != want["requeued_from"] {
		t.Errorf("re-queued trial: %v x=%v attrs %v, want waiting x=0.25 with %v", q.State, q.Internal["x"], q.Attrs, want)
	}
	for _, c := range []struct {
		name string
		id   int64
	}{{"the stale (now failed) trial", stale.ID}, {"a waiting trial", q.ID}} {
		if err := hs.RecordHeartbeat(ctx, c.id); !errors.Is(err, tuner.ErrTrialFinished) {
			t.Errorf("heartbeat of %s: %v, want ErrTrialFinished", c.name, err)
		}
	}
	if err := hs.RecordHeartbeat(ctx, 4242); !errors.Is(err, tuner.ErrStorage) || errors.Is(err, tuner.ErrTrialFinished) {
		t.Errorf("heartbeat of an unknown trial: %v, want ErrStorage", err)
	}
	// Without requeue, nothing is queued.
	time.Sleep(2 * grace)
	again, err := hs.FailStaleTrials(ctx, id, grace, "no heartbeat", false)
	if err != nil || len(again) != 1 || again[0].ID != fresh.ID {
		t.Fatalf("second FailStaleTrials: %+v %v, want trial %d", again, err, fresh.Number)
	}
	if n := len(allTrials(t, st, id)); n != 4 {
		t.Errorf("%d trials after failing without requeue, want 4", n)
	}
}
