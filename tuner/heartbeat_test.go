package tuner

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// A worker whose trial another worker failed as stale (here the test, as
// that worker would) sees its objective's ctx cancelled at the next
// heartbeat; its intermediate values and attributes are refused, its result
// never overwrites the failure, and the study goes on with other trials.
func TestLostTrialStopsAndKeepsTheFailure(t *testing.T) {
	st := NewMemoryStorage()
	s := open(t, Config{Name: "lost", Storage: st, Sampler: RandomSampler{}, Parallelism: 1,
		HeartbeatInterval: 10 * time.Millisecond})
	var (
		cause              error
		reportErr, attrErr error
	)
	obj := func(ctx context.Context, tr *Trial) (float64, error) {
		x := tr.Float("x", -5, 5)
		if tr.Number() != 0 {
			return x * x, nil
		}
		if err := st.FinishTrial(ctx, tr.frozen.ID, Failed, nil, FailStale, "failed by another worker"); err != nil {
			return 0, err
		}
		select {
		case <-ctx.Done():
			cause = context.Cause(ctx)
		case <-time.After(5 * time.Second):
			return 0, errors.New("ctx not cancelled within 5 s of losing the trial")
		}
		reportErr = tr.Report(1, 0.5)
		attrErr = tr.SetAttr("note", "late")
		return 1234, nil // a result that must not be stored
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 3}); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(cause, ErrTrialFinished) {
		t.Errorf("the lost trial's ctx cause: %v, want ErrTrialFinished", cause)
	}
	if !errors.Is(reportErr, ErrTrialFinished) || !errors.Is(attrErr, ErrTrialFinished) {
		t.Errorf("Report and SetAttr after losing the trial: %v, %v; want ErrTrialFinished", reportErr, attrErr)
	}
	trials, _ := s.Trials(ctx)
	if len(trials) != 3 {
		t.Fatalf("%d trials, want 3 (the study goes on)", len(trials))
	}
	lost := trials[0]
	if lost.State != Failed || lost.FailKind != FailStale || !math.IsNaN(lost.Value) || len(lost.Intermediate) != 0 || lost.Attrs["note"] != "" {
		t.Errorf("lost trial overwritten: %v %v %v %v %v", lost.State, lost.FailKind, lost.Value, lost.Intermediate, lost.Attrs)
	}
	for _, tr := range trials[1:] {
		if tr.State != Complete || tr.Value != tr.Params["x"].(float64)*tr.Params["x"].(float64) {
			t.Errorf("trial %d: %v %v, want complete with x²", tr.Number, tr.State, tr.Value)
		}
	}
}

// A Running trial whose heartbeat is older than the grace period is failed
// (FailStale) before the next trial starts, whichever host ran it, and with
// RequeueStale run again with its parameters; a trial of another host
// whose heartbeat is fresh is left alone, where the owner check alone
// would have failed it.
func TestStaleHeartbeatFailsAndRequeues(t *testing.T) {
	st := NewMemoryStorage()
	hs := st.(HeartbeatStorage)
	cfg := Config{Name: "hb", Storage: st, Sampler: RandomSampler{}, Parallelism: 1, RequeueStale: true,
		HeartbeatInterval: 20 * time.Millisecond, GracePeriod: 50 * time.Millisecond}
	s := open(t, cfg)
	elsewhere := map[string]string{attrOwner: "another-host/42/0123456789abcdef"}
	dead, _ := st.CreateTrial(ctx, s.id, elsewhere, nil)
	if err := st.SetTrialParam(ctx, dead.ID, "x", 3, FloatDist{Low: -5, High: 5}); err != nil {
		t.Fatal(err)
	}
	if err := hs.RecordHeartbeat(ctx, dead.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(80 * time.Millisecond) // past the grace period
	live, _ := st.CreateTrial(ctx, s.id, elsewhere, nil)
	if err := hs.RecordHeartbeat(ctx, live.ID); err != nil {
		t.Fatal(err)
	}
	s = open(t, cfg) // reopening leaves the live trial of another host alone
	var xs []float64
	var from []int
	obj := func(ctx context.Context, tr *Trial) (float64, error) {
		x := tr.Float("x", -5, 5)
		n, _ := tr.RequeuedFrom()
		xs, from = append(xs, x), append(from, n)
		return x * x, nil
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	if got := trials[dead.Number]; got.State != Failed || got.FailKind != FailStale || !strings.Contains(got.FailReason, "heartbeat") {
		t.Errorf("dead trial: %v %v %q, want failed stale for its heartbeat", got.State, got.FailKind, got.FailReason)
	}
	if got := trials[live.Number]; got.State != Running {
		t.Errorf("live trial of another host: %v, want still running", got.State)
	}
	if len(xs) != 1 || xs[0] != 3 || from[0] != dead.Number {
		t.Errorf("the next trial ran x=%v requeued from %v, want x=3 from trial %d", xs, from, dead.Number)
	}
	if err := hs.RecordHeartbeat(ctx, dead.ID); !errors.Is(err, ErrTrialFinished) {
		t.Errorf("heartbeat of the failed trial: %v, want ErrTrialFinished", err)
	}
}

// Heartbeat settings are checked when the study opens.
func TestHeartbeatConfigErrors(t *testing.T) {
	noBeats := struct{ Storage }{NewMemoryStorage()} // hides the heartbeat methods
	for _, cfg := range []Config{
		{HeartbeatInterval: -time.Second},
		{GracePeriod: time.Second},
		{HeartbeatInterval: time.Second, GracePeriod: time.Second},
		{HeartbeatInterval: time.Second, Storage: noBeats},
	} {
		if _, err := Open(ctx, cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("Open(%+v): %v, want ErrConfig", cfg, err)
		}
	}
	s := open(t, Config{HeartbeatInterval: time.Second})
	if s.cfg.GracePeriod != 2*time.Second {
		t.Errorf("default grace period %v, want 2 s", s.cfg.GracePeriod)
	}
}

// A grid point held by a dead worker's trial is not left unfinished: a live
// worker that finds no free point waits, fails the trial as stale once its
// grace period passes, and runs the re-queued copy (before, it stopped at
// once and the point stayed Running forever).
func TestWorkerWaitsForAPointHeldByADeadTrial(t *testing.T) {
	st := NewMemoryStorage()
	grid := &GridSampler{Space: map[string][]any{"x": {1.0, 2.0}}}
	s := open(t, Config{Name: "held", Storage: st, Sampler: grid, Parallelism: 1, RequeueStale: true,
		HeartbeatInterval: 10 * time.Millisecond, GracePeriod: 50 * time.Millisecond})
	// The dead worker: it claimed a point, beat once, and was never heard from again.
	dead, err := st.CreateTrial(ctx, s.id, map[string]string{attrOwner: "elsewhere/1/0"}, grid.TrialClaim())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.(HeartbeatStorage).RecordHeartbeat(ctx, dead.ID); err != nil {
		t.Fatal(err)
	}
	obj := func(_ context.Context, tr *Trial) (float64, error) {
		return tr.Categorical("x", 1.0, 2.0).(float64), nil
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 5}); err != nil {
		t.Fatal(err)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := map[float64]int{}
	for _, tr := range trials {
		if tr.State == Complete {
			done[tr.Params["x"].(float64)]++
		}
	}
	if done[1] != 1 || done[2] != 1 || trials[dead.Number].State != Failed || trials[dead.Number].FailKind != FailStale {
		t.Errorf("points done %v, dead trial %v/%v; want each point once and the dead trial failed as stale", done, trials[dead.Number].State, trials[dead.Number].FailKind)
	}
}
