package tuner_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/cmaes"
	"github.com/gradtune/gradtune/tuner/prune"
	"github.com/gradtune/gradtune/tuner/rdb"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

// reproObjective is deterministic in its parameters; how long it takes
// varies with them (and with the scheduler), so that parallel trials end
// out of order. It reports four steps and asks the pruner after each.
func reproObjective(ctx context.Context, t *tuner.Trial) (float64, error) {
	x := t.Float("x", -5, 5)
	lr := t.Float("lr", 1e-4, 1, tuner.Log())
	c := t.String("c", "a", "b", "c")
	v := (x-1.5)*(x-1.5) + math.Abs(math.Log10(lr)+2)
	if c == "b" {
		v -= 0.5
	}
	for step := range 4 {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Duration(100+int(300*math.Abs(x))) * time.Microsecond):
		}
		if err := t.Report(step, v*float64(4-step)); err != nil {
			return 0, err
		}
		if t.ShouldPrune() {
			return 0, tuner.ErrPruned
		}
	}
	return v, nil
}

// interruptAt wraps obj so that the m-th trial it starts cancels the
// study's context, interrupting it and the trials running beside it.
func interruptAt(m int, cancel context.CancelFunc, obj tuner.Objective) tuner.Objective {
	var started atomic.Int32
	return func(ctx context.Context, t *tuner.Trial) (float64, error) {
		if started.Add(1) == int32(m) {
			cancel()
		}
		return obj(ctx, t)
	}
}

// describe writes trials one a line: sequence number (or Number), state,
// values and parameters.
func describe(trials []tuner.FrozenTrial) string {
	var b strings.Builder
	for _, tr := range trials {
		k, ok := tr.Sequence()
		if !ok {
			k = tr.Number
		}
		fmt.Fprintf(&b, "%d %v%s %v %v\n", k, tr.State, tr.FailReason, tr.Values, tr.Params)
	}
	return b.String()
}

// reproRun runs a study of total trials on st, first interrupting it at
// each of the trial starts in interrupts (each time reopening it, as a
// process restarted would), and returns its trials: the Sequence when
// reproducible, else the counted trials by number. It also returns how many
// trials were interrupted.
func reproRun(t *testing.T, st tuner.Storage, cfg tuner.Config, obj tuner.Objective, total int, interrupts ...int) (string, int) {
	t.Helper()
	cfg.Storage = st
	for _, m := range interrupts {
		s, err := tuner.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		err = s.Optimize(cctx, interruptAt(m, cancel, obj), tuner.Budget{TotalTrials: total})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted at trial start %d: %v, want context.Canceled", m, err)
		}
	}
	s, err := tuner.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Optimize(ctx, obj, tuner.Budget{TotalTrials: total}); err != nil {
		t.Fatal(err)
	}
	all, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	interrupted := 0
	var counted []tuner.FrozenTrial
	for _, tr := range all {
		if tr.FailKind == tuner.FailInterrupted {
			interrupted++
		}
		if tr.Counted() {
			counted = append(counted, tr)
		}
	}
	if cfg.ReproducibleWindow == 0 {
		return describe(counted), interrupted
	}
	seq, err := s.Sequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(seq) != total {
		t.Fatalf("%d trials in the sequence, want %d:\n%s", len(seq), total, describe(seq))
	}
	return describe(seq), interrupted
}

func sqliteStorage(t *testing.T) tuner.Storage {
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "study.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func rdbStorage(t *testing.T, path string) tuner.Storage {
	st, err := rdb.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var ctx = context.Background()

// The same seed gives the same trials — parameters, values, pruning —
// with 1, 2 or 4 workers, after interruptions and reopenings, on the
// memory, SQLite and Optuna-schema storages, under TPE (multivariate) and
// the median pruner. Without ReproducibleWindow, 4 workers give other
// trials than 1.
func TestReproducibleWhateverTheWorkers(t *testing.T) {
	const total = 16
	cfg := tuner.Config{Name: "r", Seed: 7, ReproducibleWindow: 4,
		Sampler: &tuner.TPESampler{StartupTrials: 4, Multivariate: true}, Pruner: prune.Median{StartupTrials: 3}}
	with := func(p int) tuner.Config { c := cfg; c.Parallelism = p; return c }
	want, _ := reproRun(t, tuner.NewMemoryStorage(), with(1), reproObjective, total)
	if !strings.Contains(want, "pruned") || !strings.Contains(want, "complete") {
		t.Fatalf("the study should both complete and prune trials:\n%s", want)
	}
	for _, c := range []struct {
		name       string
		st         tuner.Storage
		p          int
		interrupts []int
	}{
		{"memory, 2 workers", tuner.NewMemoryStorage(), 2, nil},
		{"memory, 4 workers", tuner.NewMemoryStorage(), 4, nil},
		{"memory, 2 workers, interrupted twice", tuner.NewMemoryStorage(), 2, []int{5, 4}},
		{"sqlite, 3 workers, interrupted", sqliteStorage(t), 3, []int{7}},
		{"rdb, 4 workers, interrupted", rdbStorage(t, filepath.Join(t.TempDir(), "optuna.db")), 4, []int{9}},
	} {
		got, interrupted := reproRun(t, c.st, with(c.p), reproObjective, total, c.interrupts...)
		if got != want {
			t.Errorf("%s: trials\n%s\nwant, as with 1 worker,\n%s", c.name, got, want)
		}
		if len(c.interrupts) > 0 && interrupted == 0 {
			t.Errorf("%s: no trial was interrupted, so the test tests nothing", c.name)
		}
	}

	// The test has teeth: without the option the workers change the trials.
	off := func(p int) tuner.Config { c := with(p); c.ReproducibleWindow = 0; return c }
	one, _ := reproRun(t, tuner.NewMemoryStorage(), off(1), reproObjective, total)
	four, _ := reproRun(t, tuner.NewMemoryStorage(), off(4), reproObjective, total)
	if one == four {
		t.Errorf("without ReproducibleWindow, 1 and 4 workers gave the same trials:\n%s", one)
	}
}

// Several processes sharing one study (here two Study handles, each with
// its own connection to the file, running at once) give the trials one
// worker gives.
func TestReproducibleAcrossProcesses(t *testing.T) {
	const total = 14
	cfg := tuner.Config{Name: "p", Seed: 3, ReproducibleWindow: 3, Parallelism: 1,
		Sampler: &tuner.TPESampler{StartupTrials: 3}}
	want, _ := reproRun(t, tuner.NewMemoryStorage(), cfg, reproObjective, total)

	path := filepath.Join(t.TempDir(), "shared.db")
	cfg.Parallelism = 2
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		c := cfg
		c.Storage = rdbStorage(t, path)
		s, err := tuner.Open(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Optimize(ctx, reproObjective, tuner.Budget{TotalTrials: total})
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	cfg.Storage = rdbStorage(t, path)
	s, err := tuner.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := s.Sequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(seq) < total {
		t.Fatalf("%d trials in the sequence, want at least %d", len(seq), total)
	}
	// Each handle counts its budget alone, so the two may overshoot it.
	if got := describe(seq[:total]); got != want {
		t.Errorf("two processes: trials\n%s\nwant, as one worker,\n%s", got, want)
	}
}

// Samplers that keep their state in the trials' attributes are
// reproducible too: CMA-ES (its generations) and the shuffled grid (its
// points, each run once).
func TestReproducibleStatefulSamplers(t *testing.T) {
	plain := func(ctx context.Context, t *tuner.Trial) (float64, error) {
		x, y := t.Float("x", -3, 3), t.Float("y", -3, 3)
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Duration(100+int(200*math.Abs(x))) * time.Microsecond):
		}
		return x*x + 3*y*y + x*y, nil
	}
	grid := []any{-3.0, -1.0, 0.0, 2.0, 3.0}
	for _, c := range []struct {
		name    string
		sampler tuner.Sampler
		total   int
	}{
		{"cmaes", cmaes.Sampler{StartupTrials: 2}, 20},
		{"grid", &tuner.GridSampler{Space: map[string][]any{"x": grid, "y": grid}, Shuffle: true, Seed: 5}, 25},
	} {
		cfg := tuner.Config{Name: c.name, Seed: 11, ReproducibleWindow: 3, Sampler: c.sampler, Parallelism: 1}
		want, _ := reproRun(t, tuner.NewMemoryStorage(), cfg, plain, c.total)
		cfg.Parallelism = 3
		got, interrupted := reproRun(t, tuner.NewMemoryStorage(), cfg, plain, c.total, 6, 11)
		if got != want {
			t.Errorf("%s, 3 workers, interrupted: trials\n%s\nwant, as with 1 worker,\n%s", c.name, got, want)
		}
		if interrupted == 0 {
			t.Errorf("%s: no trial was interrupted", c.name)
		}
		if strings.Count(got, "\n") != c.total {
			t.Errorf("%s: %d trials, want %d", c.name, strings.Count(got, "\n"), c.total)
		}
	}
}

// What cannot be made reproducible is refused with ErrConfig.
func TestReproducibleRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  tuner.Config
	}{
		{"negative window", tuner.Config{ReproducibleWindow: -1}},
		{"constant liar", tuner.Config{ReproducibleWindow: 2, Sampler: tuner.TPESampler{ConstantLiar: true}}},
		{"automatic min resource", tuner.Config{ReproducibleWindow: 2, Pruner: &prune.SuccessiveHalving{}}},
		{"automatic max resource", tuner.Config{ReproducibleWindow: 2, Pruner: &prune.Hyperband{}}},
		{"another claimer", tuner.Config{ReproducibleWindow: 2, Sampler: claimer{}}},
	} {
		if _, err := tuner.Open(ctx, c.cfg); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%s: Open: %v, want ErrConfig", c.name, err)
		}
	}
	ok := []tuner.Config{
		{ReproducibleWindow: 2, Pruner: &prune.SuccessiveHalving{MinResource: 1}},
		{ReproducibleWindow: 2, Pruner: &prune.Hyperband{MaxResource: 9}},
		{ReproducibleWindow: 2, Sampler: tuner.TPESampler{ConstantLiar: true}}, // refused only...
	}
	ok[2].ReproducibleWindow = 0 // ...in a reproducible study
	for _, cfg := range ok {
		if _, err := tuner.Open(ctx, cfg); err != nil {
			t.Errorf("Open(%+v): %v", cfg, err)
		}
	}
	s, err := tuner.Open(ctx, tuner.Config{ReproducibleWindow: 2})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Enqueue(ctx, map[string]any{"x": 1.0}, map[string]tuner.Distribution{"x": tuner.FloatDist{Low: 0, High: 2}})
	if !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("Enqueue on a reproducible study: %v, want ErrConfig", err)
	}
}

// claimer is a TrialClaimer other than GridSampler.
type claimer struct{ tuner.RandomSampler }

func (claimer) TrialClaim() *tuner.Claim {
	return &tuner.Claim{Key: "slot", Pick: func(tuner.FrozenTrial, []tuner.FrozenTrial) (string, error) { return "1", nil }}
}

// A worker of another machine that died holding a number of a
// reproducible study blocks the numbers after its window until its
// heartbeat goes stale; then the number is run again, and the sequence is
// the one a study without the dead worker gives.
func TestReproducibleDeadWorker(t *testing.T) {
	const total = 8
	cfg := tuner.Config{Name: "d", Seed: 9, ReproducibleWindow: 2, Parallelism: 2, Sampler: &tuner.TPESampler{StartupTrials: 2},
		HeartbeatInterval: 10 * time.Millisecond, GracePeriod: 40 * time.Millisecond}
	want, _ := reproRun(t, tuner.NewMemoryStorage(), cfg, reproObjective, total)

	st := tuner.NewMemoryStorage()
	id, _, err := st.GetOrCreateStudy(ctx, "d", []tuner.Direction{tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
	dead, err := st.CreateTrial(ctx, id, map[string]string{"owner": "another-host/42/0123456789abcdef", "sequence_number": "0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetTrialParam(ctx, dead.ID, "x", 0.25, tuner.FloatDist{Low: -5, High: 5}); err != nil {
		t.Fatal(err)
	}
	if err := st.(tuner.HeartbeatStorage).RecordHeartbeat(ctx, dead.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := reproRun(t, st, cfg, reproObjective, total)
	if got != want {
		t.Errorf("after a dead worker: trials\n%s\nwant\n%s", got, want)
	}
	trials, _ := st.Trials(ctx, id)
	if trials[0].FailKind != tuner.FailStale {
		t.Errorf("the dead worker's trial: %v %q, want failed as stale", trials[0].State, trials[0].FailKind)
	}
}
