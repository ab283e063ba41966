package tuner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

var ctx = context.Background()

func open(t *testing.T, cfg Config) *Study {
	t.Helper()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// quadratic is minimized at x = 2, y = -1 with the "b" choice.
func quadratic(_ context.Context, t *Trial) (float64, error) {
	x := t.Float("x", -5, 5)
	y := t.Int("y", -3, 3)
	c := t.String("c", "a", "b")
	v := (x-2)*(x-2) + float64((y+1)*(y+1))
	if c == "a" {
		v += 1
	}
	return v, nil
}

func paramsByNumber(t *testing.T, s *Study) []map[string]any {
	t.Helper()
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, len(trials))
	for i, tr := range trials {
		out[i] = tr.Params
	}
	return out
}

// Random search is seeded: the same seed gives the same trials, and running
// 4 trials at a time gives the same trials as running them one by one.
func TestRandomSeededAndParallelEqualsSerial(t *testing.T) {
	serial := open(t, Config{Sampler: RandomSampler{}, Seed: 7, Parallelism: 1})
	if err := serial.Optimize(ctx, quadratic, Budget{Trials: 20}); err != nil {
		t.Fatal(err)
	}
	parallel := open(t, Config{Sampler: RandomSampler{}, Seed: 7, Parallelism: 4})
	if err := parallel.Optimize(ctx, quadratic, Budget{Trials: 20}); err != nil {
		t.Fatal(err)
	}
	other := open(t, Config{Sampler: RandomSampler{}, Seed: 8, Parallelism: 1})
	if err := other.Optimize(ctx, quadratic, Budget{Trials: 20}); err != nil {
		t.Fatal(err)
	}
	a, b, c := paramsByNumber(t, serial), paramsByNumber(t, parallel), paramsByNumber(t, other)
	if len(a) != 20 || !reflect.DeepEqual(a, b) {
		t.Errorf("serial and parallel studies differ:\n%v\n%v", a, b)
	}
	if reflect.DeepEqual(a, c) {
		t.Error("seeds 7 and 8 gave the same trials")
	}
	for _, p := range a {
		x, y := p["x"].(float64), p["y"].(int)
		if x < -5 || x > 5 || y < -3 || y > 3 || (p["c"] != "a" && p["c"] != "b") {
			t.Errorf("out of range: %v", p)
		}
	}
}

// Failing trials (error, panic, NaN, a bad suggestion) are recorded with
// their reason and never become the best; the study goes on.
func TestFailuresAreRecordedNotFatal(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 2})
	if _, err := s.Best(ctx); !errors.Is(err, ErrNoCompleted) {
		t.Errorf("Best of an empty study: %v, want ErrNoCompleted", err)
	}
	obj := func(_ context.Context, t *Trial) (float64, error) {
		switch t.Number() % 5 {
		case 0:
			return 0, errors.New("boom")
		case 1:
			panic("kaboom")
		case 2:
			return math.NaN(), nil
		case 3:
			t.Float("lr", 1, 0) // low > high
			return -100, nil
		}
		return t.Float("x", 0, 1), nil
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 10}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	reasons := map[int]string{}
	for _, tr := range trials {
		if tr.Number%5 == 4 {
			if tr.State != Complete {
				t.Errorf("trial %d: %v, want complete", tr.Number, tr.State)
			}
			continue
		}
		if tr.State != Failed {
			t.Errorf("trial %d: %v, want failed", tr.Number, tr.State)
		}
		reasons[tr.Number%5] = tr.FailReason
	}
	for k, want := range map[int]string{0: "boom", 1: "panicked: kaboom", 2: "NaN", 3: "float range [1, 0]"} {
		if !strings.Contains(reasons[k], want) {
			t.Errorf("reason for kind %d = %q, want it to mention %q", k, reasons[k], want)
		}
	}
	best, err := s.Best(ctx)
	if err != nil || best.Number%5 != 4 {
		t.Errorf("best = trial %d (%v), want a complete one", best.Number, err)
	}
}

func TestGridVisitsEveryPointOnce(t *testing.T) {
	for _, par := range []int{1, 3} {
		g := &GridSampler{Space: map[string][]any{"x": {-1.0, 0.0, 1.0}, "n": {1, 2}, "c": {"a", "b"}}, Shuffle: true, Seed: 3}
		s := open(t, Config{Sampler: g, Parallelism: par})
		obj := func(_ context.Context, t *Trial) (float64, error) {
			return t.Float("x", -1, 1) + float64(t.Int("n", 1, 2)) + float64(len(t.String("c", "a", "b"))), nil
		}
		if err := s.Optimize(ctx, obj, Budget{Trials: 100}); err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, tr := range paramsByNumber(t, s) {
			if len(tr) == 0 {
				continue // the trial that found the grid exhausted
			}
			seen = append(seen, fmt.Sprint(tr["x"], tr["n"], tr["c"]))
		}
		sort.Strings(seen)
		want := []string{}
		for _, x := range []float64{-1, 0, 1} {
			for _, n := range []int{1, 2} {
				for _, c := range []string{"a", "b"} {
					want = append(want, fmt.Sprint(x, n, c))
				}
			}
		}
		sort.Strings(want)
		if !reflect.DeepEqual(seen, want) {
			t.Errorf("parallelism %d: grid points visited %v, want each of %v once", par, seen, want)
		}
	}
}

// everyOther prunes odd-numbered trials at their second report.
type everyOther struct{}

func (everyOther) Prune(c *PruneContext) bool {
	return c.Trial.Number%2 == 1 && len(c.Trial.Intermediate) >= 2
}

func TestPrunedTrialKeepsLastIntermediateValue(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Pruner: everyOther{}, Parallelism: 1})
	obj := func(_ context.Context, t *Trial) (float64, error) {
		for step := 1; step <= 5; step++ {
			if err := t.Report(step, float64(10*step+t.Number())); err != nil {
				return 0, err
			}
			if t.ShouldPrune() {
				return 0, fmt.Errorf("stopping: %w", ErrPruned)
			}
		}
		return -1, nil
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 4}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	for _, tr := range trials {
		want, state := -1.0, Complete
		if tr.Number%2 == 1 {
			want, state = float64(20+tr.Number), Pruned
		}
		if tr.State != state || tr.Value != want {
			t.Errorf("trial %d: %v %v, want %v %v", tr.Number, tr.State, tr.Value, state, want)
		}
	}
}

// Reopening a study continues it: a trial left running by a dead process is
// failed as stale (or re-run with its parameters) and not counted, and a
// TotalTrials budget runs only what is missing.
func TestReopenResumes(t *testing.T) {
	for _, requeue := range []bool{false, true} {
		st := NewMemoryStorage()
		s := open(t, Config{Name: "r", Storage: st, Sampler: RandomSampler{}, Parallelism: 1})
		if err := s.Optimize(ctx, quadratic, Budget{Trials: 3}); err != nil {
			t.Fatal(err)
		}
		// A "crashed" trial: created by a process that is gone, one
		// parameter set, never finished.
		crashed, _ := st.CreateTrial(ctx, s.id, nil, nil)
		if err := st.SetTrialParam(ctx, crashed.ID, "x", 1.5, FloatDist{Low: -5, High: 5}); err != nil {
			t.Fatal(err)
		}
		host, _ := os.Hostname()
		_ = st.SetTrialAttr(ctx, crashed.ID, attrOwner, fmt.Sprintf("%s/%d/dead", host, 1<<30))
		var calls atomic.Int32
		obj := func(ctx context.Context, t *Trial) (float64, error) { calls.Add(1); return quadratic(ctx, t) }
		s2 := open(t, Config{Name: "r", Storage: st, Sampler: RandomSampler{}, Parallelism: 1, RequeueStale: requeue})
		if err := s2.Optimize(ctx, obj, Budget{TotalTrials: 6}); err != nil {
			t.Fatal(err)
		}
		trials, _ := s2.Trials(ctx)
		if calls.Load() != 3 {
			t.Errorf("requeue %v: %d new trials run, want 3 (6 total minus 3 done; the stale one does not count)", requeue, calls.Load())
		}
		if tr := trials[3]; tr.State != Failed || !strings.Contains(tr.FailReason, "stale") {
			t.Errorf("requeue %v: crashed trial %v %q, want failed as stale", requeue, tr.State, tr.FailReason)
		}
		if requeue {
			if x := trials[4].Params["x"]; x != 1.5 {
				t.Errorf("re-queued trial has x = %v, want the crashed trial's 1.5", x)
			}
		}
	}
}

func TestConfigAndBudgetErrors(t *testing.T) {
	if _, err := Open(ctx, Config{Parallelism: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("Parallelism -1: %v", err)
	}
	s := open(t, Config{})
	if err := s.Optimize(ctx, quadratic, Budget{}); !errors.Is(err, ErrConfig) {
		t.Errorf("empty budget: %v", err)
	}
	st := NewMemoryStorage()
	open(t, Config{Name: "d", Storage: st})
	if _, err := Open(ctx, Config{Name: "d", Storage: st, Direction: Maximize}); !errors.Is(err, ErrConfig) {
		t.Errorf("reopening with another direction: %v", err)
	}
}

// The zero Direction (goal.Auto) is Minimize, the documented default, and
// reopening with Minimize spelled out is the same study.
func TestDirectionDefaultsToMinimize(t *testing.T) {
	st := NewMemoryStorage()
	if d := open(t, Config{Name: "z", Storage: st}).Direction(); d != Minimize {
		t.Errorf("zero Direction opened as %v, want minimize", d)
	}
	if s, err := Open(ctx, Config{Name: "z", Storage: st, Direction: Minimize}); err != nil || s.Direction() != Minimize {
		t.Errorf("reopening with Minimize: %v", err)
	}
	if _, err := Open(ctx, Config{Direction: Direction(5)}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "direction(5)") {
		t.Errorf("Direction(5): %v, want ErrConfig naming it", err)
	}
}

// A trial reports its study's direction, the zero value resolved to
// Minimize: adapters such as tunertrainer.PruneOn check their monitor
// against it.
func TestTrialDirectionIsTheStudys(t *testing.T) {
	for _, c := range []struct{ cfg, want Direction }{{0, Minimize}, {Minimize, Minimize}, {Maximize, Maximize}} {
		var got []Direction
		s := open(t, Config{Direction: c.cfg, Sampler: RandomSampler{}, Parallelism: 1})
		err := s.Optimize(ctx, func(_ context.Context, tr *Trial) (float64, error) {
			got = append(got, tr.Direction())
			return 0, nil
		}, Budget{Trials: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != c.want || got[1] != c.want {
			t.Errorf("Config.Direction %v: trials saw %v, want [%v %v]", c.cfg, got, c.want, c.want)
		}
	}
}

func TestEnqueue(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1})
	if err := s.Enqueue(ctx, map[string]any{"x": 2.0, "c": "b"}, map[string]Distribution{"x": FloatDist{Low: -5, High: 5}, "c": CategoricalDist{Choices: []any{"a", "b"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Optimize(ctx, quadratic, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	best, err := s.Best(ctx)
	if err != nil || best.Params["x"] != 2.0 || best.Params["c"] != "b" {
		t.Errorf("enqueued trial ran with %v (%v), want x=2 c=b", best.Params, err)
	}
}

func TestDistributionJSONRoundTrip(t *testing.T) {
	for _, d := range []Distribution{
		FloatDist{Low: 1e-5, High: 1, Log: true}, FloatDist{Low: 0, High: 1, Step: 0.25},
		IntDist{Low: 1, High: 64, Log: true}, IntDist{Low: 0, High: 10, Step: 2},
		CategoricalDist{Choices: []any{"relu", "tanh"}}, CategoricalDist{Choices: []any{16, 32, true, 0.5, 1.0, "1"}},
	} {
		s, err := MarshalDistribution(d)
		if err != nil {
			t.Fatal(err)
		}
		back, err := UnmarshalDistribution(s)
		if err != nil || !Equal(d, back) {
			t.Errorf("%v → %s → %v (%v)", d, s, back, err)
		}
	}
}

// Reopening fails the running trials of dead processes only: a trial owned
// by a live process on this host (here a sleeping child) is left running.
func TestReopenLeavesLiveOwnersAlone(t *testing.T) {
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Skip("cannot start a child process:", err)
	}
	defer child.Process.Kill()
	host, _ := os.Hostname()
	st := NewMemoryStorage()
	s := open(t, Config{Name: "o", Storage: st})
	live, _ := st.CreateTrial(ctx, s.id, nil, nil)
	dead, _ := st.CreateTrial(ctx, s.id, nil, nil)
	_ = st.SetTrialAttr(ctx, live.ID, attrOwner, fmt.Sprintf("%s/%d/a", host, child.Process.Pid))
	_ = st.SetTrialAttr(ctx, dead.ID, attrOwner, fmt.Sprintf("%s/%d/b", host, 1<<30)) // no such pid
	open(t, Config{Name: "o", Storage: st})
	trials, _ := st.Trials(ctx, s.id)
	if trials[0].State != Running || trials[1].State != Failed {
		t.Errorf("after reopening: live owner's trial %v, dead owner's %v; want running and failed", trials[0].State, trials[1].State)
	}
}

// A trial cut short by cancelling the study's context is recorded but not
// counted, so a TotalTrials rerun evaluates a replacement.
func TestInterruptedTrialsDoNotCount(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1})
	c, cancel := context.WithCancel(ctx)
	obj := func(ctx context.Context, t *Trial) (float64, error) {
		x := t.Float("x", 0, 1)
		if t.Number() == 2 {
			cancel()
			<-ctx.Done()
			return 0, fmt.Errorf("training stopped: %w", ctx.Err())
		}
		return x, nil
	}
	if err := s.Optimize(c, obj, Budget{TotalTrials: 5}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Optimize = %v, want context.Canceled", err)
	}
	if err := s.Optimize(ctx, obj, Budget{TotalTrials: 5}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	if len(trials) != 6 || trials[2].State != Failed || !strings.Contains(trials[2].FailReason, "interrupted") {
		t.Errorf("%d trials, trial 2 %v %q; want 6 with trial 2 failed as interrupted", len(trials), trials[2].State, trials[2].FailReason)
	}
}

// A second handle on a running study in the same process leaves its trials
// alone; an earlier process with our pid (another token) is gone.
func TestReopenInSameProcess(t *testing.T) {
	st := NewMemoryStorage()
	s := open(t, Config{Name: "p", Storage: st})
	mine, _ := st.CreateTrial(ctx, s.id, nil, nil)
	_ = st.SetTrialAttr(ctx, mine.ID, attrOwner, thisOwner)
	host, _ := os.Hostname()
	old, _ := st.CreateTrial(ctx, s.id, nil, nil)
	_ = st.SetTrialAttr(ctx, old.ID, attrOwner, fmt.Sprintf("%s/%d/earlier", host, os.Getpid()))
	open(t, Config{Name: "p", Storage: st})
	trials, _ := st.Trials(ctx, s.id)
	if trials[0].State != Running || trials[1].State != Failed {
		t.Errorf("this process's trial %v, an earlier process's %v; want running and failed", trials[0].State, trials[1].State)
	}
}

// Ranges the sampler cannot draw from, and fractional int steps, fail the
// trial with a clear reason instead of panicking or rounding silently.
func TestIntRangeErrors(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1})
	obj := func(_ context.Context, t *Trial) (float64, error) {
		if t.Number() == 0 {
			return float64(t.Int("i", math.MinInt64, math.MaxInt64)), nil
		}
		return float64(t.Int("j", 0, 10, Step(1.5))), nil
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 2}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	for i, want := range []string{"2^53", "whole number"} {
		if trials[i].State != Failed || !strings.Contains(trials[i].FailReason, want) {
			t.Errorf("trial %d: %v %q, want failed mentioning %q", i, trials[i].State, trials[i].FailReason, want)
		}
	}
}

// Optimizing an exhausted grid again adds no trial.
func TestExhaustedGridAddsNothing(t *testing.T) {
	g := &GridSampler{Space: map[string][]any{"x": {0.0, 1.0}}}
	s := open(t, Config{Sampler: g, Parallelism: 2})
	obj := func(_ context.Context, t *Trial) (float64, error) { return t.Float("x", 0, 1), nil }
	for range 3 {
		if err := s.Optimize(ctx, obj, Budget{Trials: 10}); err != nil {
			t.Fatal(err)
		}
	}
	trials, _ := s.Trials(ctx)
	complete := 0
	for _, tr := range trials {
		if tr.State == Complete {
			complete++
		}
	}
	if complete != 2 || len(trials) != 2 {
		t.Errorf("%d trials, %d complete after three Optimize calls on a 2-point grid; want 2, both complete", len(trials), complete)
	}
}
