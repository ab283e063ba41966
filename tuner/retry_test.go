package tuner_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// storages returns a fresh storage of each kind: memory, tuner/sqlite and
// tuner/rdb (Optuna's schema, on SQLite).
func storages(t *testing.T) map[string]tuner.Storage {
	return map[string]tuner.Storage{
		"memory": tuner.NewMemoryStorage(),
		"sqlite": sqliteStorage(t),
		"rdb":    rdbStorage(t, filepath.Join(t.TempDir(), "optuna.db")),
	}
}

// A trial that runs past TrialTimeout sees its ctx cancelled with cause
// ErrTrialTimeout and ends Failed as FailTimeout, counted; so does one
// whose objective ignores ctx, once it returns, whatever it returned; a
// quick one completes. Timeouts are not retried by default.
func TestTrialTimeout(t *testing.T) {
	for name, st := range storages(t) {
		var mu sync.Mutex
		var causes []error
		obj := func(ctx context.Context, tr *tuner.Trial) (float64, error) {
			switch x := tr.Int("x", 0, 2); x {
			case 0: // heeds ctx
				<-ctx.Done()
				mu.Lock()
				causes = append(causes, context.Cause(ctx))
				mu.Unlock()
				return 0, ctx.Err()
			case 1: // ignores ctx, returns a value late
				time.Sleep(120 * time.Millisecond)
				return 1, nil
			}
			return 2, nil
		}
		s, err := tuner.Open(ctx, tuner.Config{Name: "timeout", Storage: st, Parallelism: 1, Sampler: tuner.RandomSampler{},
			TrialTimeout: 40 * time.Millisecond, MaxRetries: 1})
		if err != nil {
			t.Fatal(err)
		}
		for x := range 3 {
			if err := enqueueX(s, x); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 3}); err != nil {
			t.Fatal(err)
		}
		trials, _ := s.Trials(ctx)
		if len(trials) != 3 {
			t.Fatalf("%s: %d trials, want 3 (a timeout is not retried by default)", name, len(trials))
		}
		for i, tr := range trials[:2] {
			if tr.State != tuner.Failed || tr.FailKind != tuner.FailTimeout || !tr.Counted() || !strings.Contains(tr.FailReason, "TrialTimeout = 40ms") {
				t.Errorf("%s: trial %d: %v %q %q counted %v, want failed as a counted timeout", name, i, tr.State, tr.FailKind, tr.FailReason, tr.Counted())
			}
		}
		if took := tookFrom(trials[1].FailReason); took < 120*time.Millisecond {
			t.Errorf("%s: the trial that ignored its ctx: reason %q, want how long it ran (≥ 120ms)", name, trials[1].FailReason)
		}
		if tr := trials[2]; tr.State != tuner.Complete || tr.Value != 2 {
			t.Errorf("%s: quick trial %v %v, want complete with 2", name, tr.State, tr.Value)
		}
		if len(causes) != 1 || !errors.Is(causes[0], tuner.ErrTrialTimeout) {
			t.Errorf("%s: the objective saw cause %v, want ErrTrialTimeout", name, causes)
		}
	}
}

// tookFrom reads "returned after D" from a timeout's reason; 0 if absent.
func tookFrom(reason string) time.Duration {
	_, after, ok := strings.Cut(reason, "returned after ")
	if !ok {
		return 0
	}
	d, _ := time.ParseDuration(strings.TrimSuffix(after, ")"))
	return d
}

func enqueueX(s *tuner.Study, x int) error {
	return s.Enqueue(ctx, map[string]any{"x": x}, map[string]tuner.Distribution{"x": tuner.IntDist{Low: 0, High: 2}})
}

// A trial whose objective panics is run again with the same parameters up
// to MaxRetries times, each retry naming the run before it and counting
// the retries; one that panics only once completes on its retry. An
// objective's error is retried only when RetryKinds lists it.
func TestRetriesOfPanicsAndErrors(t *testing.T) {
	for name, st := range storages(t) {
		runs := map[int]int{} // runs per x
		var mu sync.Mutex
		obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
			x := tr.Int("x", 0, 2)
			mu.Lock()
			runs[x]++
			n := runs[x]
			mu.Unlock()
			switch {
			case x == 0:
				panic("always")
			case x == 1 && n == 1:
				panic("once")
			case x == 2:
				return 0, errors.New("objective error")
			}
			return float64(x), nil
		}
		cfg := tuner.Config{Name: "retry", Storage: st, Parallelism: 1, Sampler: tuner.RandomSampler{}, MaxRetries: 2, MaxConsecutiveFailures: -1}
		s, err := tuner.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for x := range 3 {
			if err := enqueueX(s, x); err != nil {
				t.Fatal(err)
			}
		}
		// 3 first runs, x=0's two retries, x=1's retry; x=2 is not retried.
		if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 6}); err != nil {
			t.Fatal(err)
		}
		trials, _ := s.Trials(ctx)
		var got []string
		for _, tr := range trials {
			got = append(got, fmt.Sprintf("x=%v %v %s retries=%s from=%s", tr.Params["x"], tr.State, tr.FailKind, tr.Attrs["retries"], tr.Attrs["requeued_from"]))
		}
		want := []string{
			"x=0 failed panic retries= from=",
			"x=1 failed panic retries= from=",
			"x=2 failed objective retries= from=",
			"x=0 failed panic retries=1 from=0",
			"x=1 complete  retries=1 from=1",
			"x=0 failed panic retries=2 from=3",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: trials\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if runs[0] != 3 || runs[1] != 2 {
			t.Errorf("%s: x=0 ran %d times, x=1 %d, want 3 (MaxRetries 2) and 2", name, runs[0], runs[1])
		}
	}

	// With RetryKinds listing FailObjective, the objective's error is retried.
	s, err := tuner.Open(ctx, tuner.Config{Parallelism: 1, MaxRetries: 1, RetryKinds: []tuner.FailKind{tuner.FailObjective}})
	if err != nil {
		t.Fatal(err)
	}
	var xs []float64
	var retries []int
	flaky := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		xs, retries = append(xs, tr.Float("x", 0, 1)), append(retries, tr.Retries())
		if tr.Retries() == 0 {
			return 0, errors.New("flaky")
		}
		return 1, nil
	}
	if err := s.Optimize(ctx, flaky, tuner.Budget{Trials: 2}); err != nil {
		t.Fatal(err)
	}
	if len(xs) != 2 || xs[0] != xs[1] || fmt.Sprint(retries) != "[0 1]" {
		t.Errorf("objective error with RetryKinds: runs x=%v retries %v, want the same x twice, retries [0 1]", xs, retries)
	}
	if trials, _ := s.Trials(ctx); trials[1].State != tuner.Complete {
		t.Errorf("the retry: %v, want complete", trials[1].State)
	}
}

// A trial whose process died (a crash) is retried with the same
// parameters, without RequeueStale, up to MaxRetries times: after the
// original and two retries all died, nothing more is queued.
func TestStaleTrialRetriedUpToMaxRetries(t *testing.T) {
	host, _ := os.Hostname()
	dead := map[string]string{"owner": fmt.Sprintf("%s/%d/dead", host, 1<<30)}
	for name, st := range storages(t) {
		cfg := tuner.Config{Name: "crash", Storage: st, Parallelism: 1, MaxRetries: 2}
		s, err := tuner.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		id, _, err := st.GetOrCreateStudy(ctx, "crash", []tuner.Direction{tuner.Minimize})
		if err != nil {
			t.Fatal(err)
		}
		first, err := st.CreateTrial(ctx, id, dead, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetTrialParam(ctx, first.ID, "x", 0.5, tuner.FloatDist{Low: 0, High: 1}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			// Reopening fails the dead process's trial and queues a retry
			// while retries are left; the retry "crashes" again.
			if s, err = tuner.Open(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			if trials, _ := s.Trials(ctx); trials[len(trials)-1].State == tuner.Waiting {
				if _, err := st.CreateTrial(ctx, id, dead, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		trials, _ := s.Trials(ctx)
		var got []string
		for _, tr := range trials {
			got = append(got, fmt.Sprintf("%v %s x=%v retries=%s from=%s", tr.State, tr.FailKind, tr.Params["x"], tr.Attrs["retries"], tr.Attrs["requeued_from"]))
		}
		want := "[failed stale x=0.5 retries= from= failed stale x=0.5 retries=1 from=0 failed stale x=0.5 retries=2 from=1]"
		if fmt.Sprint(got) != want {
			t.Errorf("%s: trials %v, want %v", name, got, want)
		}
	}
}

// With heartbeats, a worker lost mid-trial (its heartbeat too old) is
// retried up to MaxRetries times, on the storages that keep heartbeats.
func TestLostWorkerRetriedUpToMaxRetries(t *testing.T) {
	sts := storages(t)
	delete(sts, "sqlite") // keeps no heartbeats
	elsewhere := map[string]string{"owner": "another-host/42/0123456789abcdef"}
	for name, st := range sts {
		hs := st.(tuner.HeartbeatStorage)
		cfg := tuner.Config{Name: "lost", Storage: st, Parallelism: 1, MaxRetries: 1,
			HeartbeatInterval: 10 * time.Millisecond, GracePeriod: 30 * time.Millisecond}
		if _, err := tuner.Open(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		id, _, _ := st.GetOrCreateStudy(ctx, "lost", []tuner.Direction{tuner.Minimize})
		tr, err := st.CreateTrial(ctx, id, elsewhere, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetTrialParam(ctx, tr.ID, "x", 0.25, tuner.FloatDist{Low: 0, High: 1}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := hs.RecordHeartbeat(ctx, tr.ID); err != nil {
				t.Fatal(err)
			}
			time.Sleep(60 * time.Millisecond)               // past the grace period
			if _, err := tuner.Open(ctx, cfg); err != nil { // fails it, and queues a retry if one is left
				t.Fatal(err)
			}
			if tr, err = st.CreateTrial(ctx, id, elsewhere, nil); err != nil {
				t.Fatal(err)
			}
		}
		trials, _ := st.Trials(ctx, id)
		var got []string
		for _, tr := range trials {
			got = append(got, fmt.Sprintf("%v %s x=%v retries=%s", tr.State, tr.FailKind, tr.Params["x"], tr.Attrs["retries"]))
		}
		// The last trial is a new one (no retry was left), Running.
		want := "[failed stale x=0.25 retries= failed stale x=0.25 retries=1 running  x=<nil> retries=]"
		if fmt.Sprint(got) != want {
			t.Errorf("%s: trials %v, want %v", name, got, want)
		}
	}
}

// In a reproducible study a retried crash changes nothing: the number is
// run again, with the same parameters, and the sequence is the one a run
// without the crash gives; the retry knows its count and the run it
// repeats.
func TestReproducibleRetry(t *testing.T) {
	const total = 10
	cfg := tuner.Config{Name: "rr", Seed: 5, ReproducibleWindow: 2, Parallelism: 2, MaxRetries: 1,
		Sampler: &tuner.TPESampler{StartupTrials: 3}}
	want, _ := reproRun(t, tuner.NewMemoryStorage(), cfg, reproObjective, total)
	var once sync.Once
	var retries, from []int
	var mu sync.Mutex
	crashing := func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		if k, _ := tr.Sequence(); k == 5 {
			n, _ := tr.RequeuedFrom()
			mu.Lock()
			retries, from = append(retries, tr.Retries()), append(from, n)
			mu.Unlock()
			x := tr.Float("x", -5, 5) // as reproObjective suggests it
			once.Do(func() { panic(fmt.Sprintf("crash at x=%v", x)) })
		}
		return reproObjective(ctx, tr)
	}
	st := tuner.NewMemoryStorage()
	got, _ := reproRun(t, st, cfg, crashing, total)
	if got != want {
		t.Errorf("with a crash retried: trials\n%s\nwant\n%s", got, want)
	}
	cfg.Storage = st
	s, _ := tuner.Open(ctx, cfg)
	trials, _ := s.Trials(ctx)
	crashed := -1
	seq, _ := s.Sequence(ctx)
	for _, tr := range trials {
		if tr.FailKind == tuner.FailPanic {
			crashed = tr.Number
			if x := seq[5].Params["x"]; tr.Params["x"] != x {
				t.Errorf("the crashed run had x = %v, its retry %v, want the same", tr.Params["x"], x)
			}
		}
	}
	if len(retries) != 2 || retries[0] != 0 || retries[1] != 1 || from[1] != crashed {
		t.Errorf("sequence number 5 ran with retries %v, requeued from %v; want [0 1], the second from trial %d", retries, from, crashed)
	}
}

// Bad retry and timeout settings are refused with ErrConfig.
func TestRetryConfigErrors(t *testing.T) {
	for _, cfg := range []tuner.Config{
		{TrialTimeout: -time.Second},
		{MaxRetries: -1},
		{RetryKinds: []tuner.FailKind{tuner.FailPanic}},
		{MaxRetries: 1, RetryKinds: []tuner.FailKind{tuner.FailInterrupted}},
		{MaxRetries: 1, RetryKinds: []tuner.FailKind{tuner.FailSuggest}},
	} {
		if _, err := tuner.Open(ctx, cfg); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("Open(%+v): %v, want ErrConfig", cfg, err)
		}
	}
}

// A grid point whose trial panicked is retried on the same point, and the
// grid still runs every point: the retry does not take another point's
// place.
func TestGridRetryKeepsItsPoint(t *testing.T) {
	for name, st := range storages(t) {
		grid := &tuner.GridSampler{Space: map[string][]any{"x": {0, 1, 2}, "y": {0, 1}}, Shuffle: true, Seed: 3}
		var mu sync.Mutex
		runs := map[string]int{}
		obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
			x, y := tr.Int("x", 0, 2), tr.Int("y", 0, 1)
			key := fmt.Sprint(x, y)
			mu.Lock()
			runs[key]++
			n := runs[key]
			mu.Unlock()
			if key == "1 1" && n == 1 {
				panic("once")
			}
			return float64(x + 10*y), nil
		}
		s, err := tuner.Open(ctx, tuner.Config{Name: "g", Storage: st, Sampler: grid, Parallelism: 2, MaxRetries: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 20}); err != nil {
			t.Fatal(err)
		}
		trials, _ := s.Trials(ctx)
		complete := map[string]int{}
		for _, tr := range trials {
			if tr.State == tuner.Complete {
				complete[fmt.Sprint(tr.Params["x"], tr.Params["y"])]++
			}
		}
		if len(trials) != 7 || len(complete) != 6 || runs["1 1"] != 2 {
			t.Errorf("%s: %d trials, %d points complete %v, point (1, 1) ran %d times; want 7 trials, the 6 points once each, (1, 1) twice",
				name, len(trials), len(complete), complete, runs["1 1"])
		}
	}
}
