package tuner_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/tuner"
)

func openStudy(t *testing.T, cfg tuner.Config) *tuner.Study {
	t.Helper()
	s, err := tuner.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func trialsOf(t *testing.T, s *tuner.Study) []tuner.FrozenTrial {
	t.Helper()
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

// within reports whether ch is closed within a while: the tests below
// would otherwise hang on a bug.
func within(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-time.After(10 * time.Second):
		return false
	}
}

// waitFor fails the test if ch is not closed within a while; call it from
// the test's goroutine (an objective calls within).
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	if !within(ch) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

var errTimedOut = errors.New("the test timed out waiting")

// Every end state reaches the callbacks, in registration order, with the
// trial as stored: a completed, a pruned, a failed trial and its retry, a
// panic, a NaN. An interrupted trial does not.
func TestCallbacksSeeEveryEnd(t *testing.T) {
	s := openStudy(t, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 1,
		MaxRetries: 1, RetryKinds: []tuner.FailKind{tuner.FailObjective}})
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	obj := func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		x := tr.Float("x", 0, 1)
		switch tr.Number() {
		case 1:
			if err := tr.Report(0, 7); err != nil {
				return 0, err
			}
			return 0, tuner.ErrPruned
		case 2:
			return 0, errors.New("boom") // retried as trial 3
		case 4:
			panic("objective bug")
		case 5:
			return math.NaN(), nil
		case 6:
			cancel()
			return 0, ctx.Err()
		}
		return x, nil
	}
	var log []string
	var seen []tuner.FrozenTrial
	record := func(name string) tuner.Callback {
		return func(cbCtx context.Context, st *tuner.Study, ft tuner.FrozenTrial) error {
			if st != s || cbCtx == nil {
				t.Errorf("callback %s got study %p and ctx %v, want %p and the call's", name, st, cbCtx, s)
			}
			log = append(log, fmt.Sprintf("%s%d %v %s", name, ft.Number, ft.State, ft.FailKind))
			if name == "a" {
				seen = append(seen, ft)
			}
			return nil
		}
	}
	err := s.Optimize(cctx, obj, tuner.Budget{Trials: 10}, record("a"), record("b"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Optimize = %v, want context.Canceled", err)
	}
	want := []string{
		"a0 complete ", "b0 complete ",
		"a1 pruned ", "b1 pruned ",
		"a2 failed objective", "b2 failed objective",
		"a3 complete ", "b3 complete ",
		"a4 failed panic", "b4 failed panic",
		"a5 failed nan", "b5 failed nan",
	}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("callbacks ran\n%q\nwant\n%q", log, want)
	}
	stored := trialsOf(t, s)
	if len(stored) != 7 || stored[6].FailKind != tuner.FailInterrupted {
		t.Fatalf("%d trials, the last %v %s; want 7, the last interrupted", len(stored), stored[len(stored)-1].State, stored[len(stored)-1].FailKind)
	}
	for i, ft := range seen {
		st := stored[i]
		if ft.ID != st.ID || ft.State != st.State || !reflect.DeepEqual(ft.Values, st.Values) || ft.FailReason != st.FailReason ||
			!reflect.DeepEqual(ft.Params, st.Params) || !reflect.DeepEqual(ft.Attrs, st.Attrs) || !reflect.DeepEqual(ft.Intermediate, st.Intermediate) {
			t.Errorf("trial %d as the callback saw it:\n%+v\nas stored:\n%+v", i, ft, st)
		}
	}
	if len(seen) == 6 && (seen[1].Value != 7 || seen[3].Attrs["requeued_from"] != "2" || seen[3].Params["x"] != seen[2].Params["x"]) {
		t.Errorf("pruned value %v, retry %v of %v: want 7, a retry of trial 2 with its x", seen[1].Value, seen[3].Attrs, seen[2].Params)
	}
}

// With 4 workers, the callbacks still run one at a time, each trial's all
// before the next's, and every trial is seen once.
func TestCallbacksRunOneAtATime(t *testing.T) {
	s := openStudy(t, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 4})
	var inside, overlaps atomic.Int32
	var mu sync.Mutex
	var order []string
	cb := func(name string) tuner.Callback {
		return func(_ context.Context, _ *tuner.Study, ft tuner.FrozenTrial) error {
			if inside.Add(1) != 1 {
				overlaps.Add(1)
			}
			time.Sleep(200 * time.Microsecond) // widen the window another worker's callback would overlap in
			mu.Lock()
			order = append(order, fmt.Sprintf("%s%d", name, ft.Number))
			mu.Unlock()
			inside.Add(-1)
			return nil
		}
	}
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) { return tr.Float("x", 0, 1), nil }
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 40}, cb("a"), cb("b")); err != nil {
		t.Fatal(err)
	}
	if n := overlaps.Load(); n != 0 {
		t.Errorf("%d callbacks ran while another did", n)
	}
	numbers := map[string]bool{}
	for i := 0; i+1 < len(order); i += 2 {
		a, b := order[i], order[i+1]
		if a[0] != 'a' || b[0] != 'b' || a[1:] != b[1:] {
			t.Fatalf("callbacks ran in the order %v, want a then b for each trial", order)
		}
		numbers[a[1:]] = true
	}
	if len(order) != 80 || len(numbers) != 40 {
		t.Errorf("%d calls over %d trials, want 80 over 40", len(order), len(numbers))
	}
}

// A callback's error stops the study: Optimize returns it, naming the
// callback; no later callback or trial runs.
func TestCallbackErrorStopsTheStudy(t *testing.T) {
	s := openStudy(t, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 1})
	errFull := errors.New("disk full")
	var calls [2]int
	ok := func(context.Context, *tuner.Study, tuner.FrozenTrial) error { calls[0]++; return nil }
	failing := func(_ context.Context, _ *tuner.Study, ft tuner.FrozenTrial) error {
		calls[1]++
		if ft.Number == 2 {
			return errFull
		}
		return nil
	}
	err := s.Optimize(ctx, func(context.Context, *tuner.Trial) (float64, error) { return 1, nil }, tuner.Budget{Trials: 10}, ok, failing)
	if !errors.Is(err, errFull) || !strings.Contains(err.Error(), "callback 1 of 2, after trial 2") {
		t.Fatalf("Optimize = %v, want the callback's error naming callback 1 of 2 and trial 2", err)
	}
	if n := len(trialsOf(t, s)); n != 3 || calls != [2]int{3, 3} {
		t.Errorf("%d trials, callbacks called %v times; want 3 trials, [3 3]", n, calls)
	}
}

// A panic in a callback is an error of Optimize wrapping panics.ErrUser,
// with the callback's position; it does not escape.
func TestCallbackPanicIsAnError(t *testing.T) {
	s := openStudy(t, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 2})
	bad := func(context.Context, *tuner.Study, tuner.FrozenTrial) error {
		var m map[string]int
		m["x"]++ // a nil map: a user's bug
		return nil
	}
	fine := func(context.Context, *tuner.Study, tuner.FrozenTrial) error { return nil }
	err := s.Optimize(ctx, func(context.Context, *tuner.Trial) (float64, error) { return 1, nil }, tuner.Budget{Trials: 10}, fine, bad)
	var pe *panics.Error
	if !errors.Is(err, panics.ErrUser) || !errors.As(err, &pe) || !strings.Contains(err.Error(), "callback 1 of 2") {
		t.Fatalf("Optimize = %v, want a *panics.Error wrapping panics.ErrUser, naming callback 1 of 2", err)
	}
	for _, tr := range trialsOf(t, s) {
		if tr.State != tuner.Complete {
			t.Errorf("trial %d %v, want every trial started to have finished", tr.Number, tr.State)
		}
	}
}

// A nil callback is ErrConfig, before any trial runs.
func TestNilCallback(t *testing.T) {
	s := openStudy(t, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 1})
	fine := func(context.Context, *tuner.Study, tuner.FrozenTrial) error { return nil }
	err := s.Optimize(ctx, func(context.Context, *tuner.Trial) (float64, error) { return 1, nil }, tuner.Budget{Trials: 3}, fine, nil)
	if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), "callback 1 of 2 is nil") {
		t.Errorf("Optimize with a nil callback = %v, want ErrConfig naming it", err)
	}
	err = s.OptimizeMulti(ctx, func(context.Context, *tuner.Trial) ([]float64, error) { return []float64{1}, nil }, tuner.Budget{Trials: 3}, nil)
	if !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("OptimizeMulti with a nil callback = %v, want ErrConfig", err)
	}
	if n := len(trialsOf(t, s)); n != 0 {
		t.Errorf("%d trials ran, want none", n)
	}
}

// Stop from a callback ends the call with nil after the trial; Stop
// before Optimize does nothing; a later Optimize runs again.
func TestStopFromACallback(t *testing.T) {
	s := openStudy(t, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 1})
	s.Stop() // no call running: nothing to stop
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) { return tr.Float("x", 0, 1), nil }
	stopAt := func(n int) tuner.Callback {
		return func(_ context.Context, st *tuner.Study, ft tuner.FrozenTrial) error {
			if ft.Number == n {
				st.Stop()
			}
			return nil
		}
	}
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 10}, stopAt(4)); err != nil {
		t.Fatal(err)
	}
	if n := len(trialsOf(t, s)); n != 5 {
		t.Fatalf("%d trials after a Stop on trial 4, want 5", n)
	}
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 3}); err != nil {
		t.Fatal(err)
	}
	if n := len(trialsOf(t, s)); n != 8 {
		t.Errorf("%d trials after Optimize again for 3, want 8", n)
	}
	var nilStudy *tuner.Study
	nilStudy.Stop() // ignored, no panic
}

// Stop with 3 workers: the trials running beside the one that stopped
// the study finish and are recorded, and the callbacks see them; none
// starts after.
func TestStopLetsRunningTrialsFinish(t *testing.T) {
	s := openStudy(t, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 3})
	var started atomic.Int32
	allStarted, release := make(chan struct{}), make(chan struct{})
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		if started.Add(1) == 3 {
			close(allStarted)
		}
		if !within(allStarted) || tr.Number() != 0 && !within(release) {
			return 0, errTimedOut
		}
		return float64(tr.Number()), nil
	}
	var seen []int
	cb := func(_ context.Context, st *tuner.Study, ft tuner.FrozenTrial) error {
		seen = append(seen, ft.Number)
		if ft.Number == 0 {
			st.Stop()
			close(release)
		}
		return nil
	}
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 50}, cb); err != nil {
		t.Fatal(err)
	}
	trials := trialsOf(t, s)
	if len(trials) != 3 || len(seen) != 3 {
		t.Fatalf("%d trials, callbacks saw %v; want the 3 running at the Stop", len(trials), seen)
	}
	for _, tr := range trials {
		if tr.State != tuner.Complete || tr.Value != float64(tr.Number) {
			t.Errorf("trial %d: %v %v, want complete with its value", tr.Number, tr.State, tr.Value)
		}
	}
}

// Stop from another goroutine, while two trials run: they finish,
// Optimize returns nil, and a later call runs again.
func TestStopFromAnotherGoroutine(t *testing.T) {
	s := openStudy(t, tuner.Config{Sampler: tuner.RandomSampler{}, Parallelism: 2})
	var started atomic.Int32
	twoRun, release := make(chan struct{}), make(chan struct{})
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		if started.Add(1) == 2 {
			close(twoRun)
		}
		if !within(release) {
			return 0, errTimedOut
		}
		return 1, nil
	}
	done := make(chan error)
	go func() { done <- s.Optimize(ctx, obj, tuner.Budget{Trials: 50}) }()
	waitFor(t, twoRun, "two trials to run")
	s.Stop()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if trials := trialsOf(t, s); len(trials) != 2 || trials[0].State != tuner.Complete || trials[1].State != tuner.Complete {
		t.Fatalf("%d trials, want the 2 running at the Stop, complete", len(trials))
	}
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: 3}); err != nil {
		t.Fatal(err)
	}
	if n := len(trialsOf(t, s)); n != 5 {
		t.Errorf("%d trials after Optimize again for 3, want 5", n)
	}
}

// OptimizeMulti: the callbacks see every objective's value, and Stop works.
func TestCallbacksMultiObjective(t *testing.T) {
	s := openStudy(t, tuner.Config{Directions: []tuner.Direction{tuner.Minimize, tuner.Maximize},
		Sampler: tuner.RandomSampler{}, Parallelism: 1})
	obj := func(_ context.Context, tr *tuner.Trial) ([]float64, error) {
		x := tr.Float("x", 0, 1)
		return []float64{x, 2 * x}, nil
	}
	var values [][]float64
	cb := func(_ context.Context, st *tuner.Study, ft tuner.FrozenTrial) error {
		values = append(values, ft.Values)
		if ft.Number == 2 {
			st.Stop()
		}
		return nil
	}
	if err := s.OptimizeMulti(ctx, obj, tuner.Budget{Trials: 10}, cb); err != nil {
		t.Fatal(err)
	}
	trials := trialsOf(t, s)
	if len(trials) != 3 || len(values) != 3 {
		t.Fatalf("%d trials, %d seen; want 3 and 3", len(trials), len(values))
	}
	for i, v := range values {
		if x := trials[i].Params["x"].(float64); !reflect.DeepEqual(v, []float64{x, 2 * x}) {
			t.Errorf("trial %d: the callback saw %v, want [%v %v]", i, v, x, 2*x)
		}
	}
}

// A reproducible study stopped by a callback holds a prefix of the
// sequence one worker gives, and Optimize again to the same budget ends
// with the same sequence as a study never stopped.
func TestStopKeepsAReproducibleSequence(t *testing.T) {
	const total = 12
	cfg := tuner.Config{Name: "r", Seed: 5, ReproducibleWindow: 3, Sampler: &tuner.TPESampler{StartupTrials: 4}}
	cfg.Parallelism = 1
	want, _ := reproRun(t, tuner.NewMemoryStorage(), cfg, reproObjective, total)

	cfg.Parallelism = 3
	s := openStudy(t, cfg)
	var seen atomic.Int32
	stopAfter4 := func(_ context.Context, st *tuner.Study, _ tuner.FrozenTrial) error {
		if seen.Add(1) == 4 {
			st.Stop()
		}
		return nil
	}
	if err := s.Optimize(ctx, reproObjective, tuner.Budget{TotalTrials: total}, stopAfter4); err != nil {
		t.Fatal(err)
	}
	seq, err := s.Sequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(seq); len(seq) < 4 || len(seq) >= total || !strings.HasPrefix(want, got) {
		t.Fatalf("stopped after 4 trials, the sequence holds %d:\n%s\nwant a prefix of\n%s", len(seq), got, want)
	}
	if err := s.Optimize(ctx, reproObjective, tuner.Budget{TotalTrials: total}); err != nil {
		t.Fatal(err)
	}
	seq, err = s.Sequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(seq); got != want {
		t.Errorf("stopped then resumed:\n%s\nwant, as never stopped with 1 worker,\n%s", got, want)
	}
}

// The workers of a reproducible study waiting for their window give up
// on Stop instead of starting their trial once it opens.
func TestStopWakesWorkersWaitingForTheirWindow(t *testing.T) {
	s := openStudy(t, tuner.Config{Sampler: tuner.RandomSampler{}, ReproducibleWindow: 1, Parallelism: 3})
	running, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		once.Do(func() { close(running) })
		if !within(release) {
			return 0, errTimedOut
		}
		return tr.Float("x", 0, 1), nil
	}
	done := make(chan error)
	go func() { done <- s.Optimize(ctx, obj, tuner.Budget{Trials: 10}) }()
	waitFor(t, running, "trial 0")
	time.Sleep(20 * time.Millisecond) // the two other workers reach their wait (the test holds either way)
	s.Stop()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(trialsOf(t, s)); n != 1 {
		t.Errorf("%d trials, want only the one running at the Stop", n)
	}
}
