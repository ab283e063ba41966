package sqlite_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/sqlite"
	"github.com/gradtune/gradtune/tuner/storagetest"
)

// resumeObjective is the objective of the resume tests.
func resumeObjective(_ context.Context, tr *tuner.Trial) (float64, error) {
	x, n := tr.Float("x", -2, 2), tr.Int("n", 0, 3)
	if err := tr.Report(0, x); err != nil {
		return 0, err
	}
	return x*x + float64(n), nil
}

// TestResumeAfterClose: a study closed after 4 trials and reopened by name
// in a new Storage has them all, and Budget{TotalTrials: 9} runs only the 5
// missing ones, giving the same 9 trials as an uninterrupted run.
func TestResumeAfterClose(t *testing.T) {
	const done, total = 4, 9
	path := tempPath(t)
	cfg := tuner.Config{Name: "resume", Parallelism: 1, Seed: 5}
	first, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Storage = first
	s := openStudy(t, cfg)
	if err := s.Optimize(ctx, resumeObjective, tuner.Budget{Trials: done}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Trials(ctx)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	cfg.Storage = openAt(t, path)
	resumed := openStudy(t, cfg)
	after, err := resumed.Trials(ctx)
	if err != nil || len(after) != done {
		t.Fatalf("reopened: %d trials (%v), want %d", len(after), err, done)
	}
	for i := range before {
		b, a := before[i], after[i]
		if !storagetest.SameRecord(a, b) || a.ID != b.ID || !a.Start.Equal(b.Start) || !a.Complete.Equal(b.Complete) {
			t.Errorf("trial %d after reopening:\n%+v\nwant\n%+v", i, a, b)
		}
	}
	var calls atomic.Int32
	count := func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		calls.Add(1)
		return resumeObjective(ctx, tr)
	}
	if err := resumed.Optimize(ctx, count, tuner.Budget{TotalTrials: total}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != total-done {
		t.Errorf("resumed run evaluated %d trials, want %d", calls.Load(), total-done)
	}
	got, _ := resumed.Trials(ctx)
	ref := openStudy(t, tuner.Config{Name: "resume", Parallelism: 1, Seed: 5})
	if err := ref.Optimize(ctx, resumeObjective, tuner.Budget{Trials: total}); err != nil {
		t.Fatal(err)
	}
	want, _ := ref.Trials(ctx)
	if len(got) != total || !contiguous(got) {
		t.Fatalf("%d trials after resuming, want %d numbered 0..%d", len(got), total, total-1)
	}
	for i := range want {
		if !storagetest.SameRecord(got[i], want[i]) {
			t.Errorf("trial %d: resumed\n%+v\nuninterrupted\n%+v", i, got[i], want[i])
		}
	}
}

// TestTwoHandlesConcurrentWriters: two Storages on one file (two
// connection pools, as two processes have) with 4 goroutines each write at
// once, while a reader polls: no "database is locked", every queued trial
// claimed once, numbers unique and contiguous.
func TestTwoHandlesConcurrentWriters(t *testing.T) {
	const perHandle, rounds, queued = 4, 10, 12
	path := tempPath(t)
	handles := []*sqlite.Storage{openAt(t, path), openAt(t, path)}
	id := studyID(t, handles[0], "shared")
	dist := tuner.IntDist{Low: 0, High: 1000}
	for k := 0; k < queued; k++ {
		if err := handles[1].EnqueueTrial(ctx, id, map[string]float64{"q": float64(k)}, map[string]tuner.Distribution{"q": dist}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
		stop    atomic.Bool
		readers sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err)
	}
	readers.Add(1)
	go func() {
		defer readers.Done()
		for !stop.Load() {
			if _, err := handles[0].Trials(ctx, id); err != nil {
				fail(err)
				return
			}
		}
	}()
	for h, st := range handles {
		for w := 0; w < perHandle; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := 0; r < rounds; r++ {
					ft, err := st.CreateTrial(ctx, id, nil, nil)
					if err != nil {
						fail(err)
						return
					}
					worker := float64(h*perHandle + w)
					steps := []func() error{
						func() error { return st.SetTrialParam(ctx, ft.ID, "w", worker, dist) },
						func() error { return st.SetTrialIntermediate(ctx, ft.ID, 1, worker) },
						func() error { return st.SetTrialAttr(ctx, ft.ID, "handle", string(rune('a'+h))) },
						func() error { return st.FinishTrial(ctx, ft.ID, tuner.Complete, []float64{worker}, "", "") },
					}
					for _, step := range steps {
						if err := step(); err != nil {
							fail(err)
							return
						}
					}
				}
			}()
		}
	}
	wg.Wait()
	stop.Store(true)
	readers.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d errors, first: %v", len(errs), errs[0])
	}
	trials := allTrials(t, handles[1], id)
	if n := 2 * perHandle * rounds; len(trials) != n || !contiguous(trials) {
		t.Fatalf("%d trials, want %d numbered 0..%d", len(trials), n, n-1)
	}
	for _, tr := range trials {
		w := tr.Params["w"].(int)
		ok := tr.State == tuner.Complete && tr.Value == float64(w) && tr.Intermediate[1] == float64(w) &&
			tr.Attrs["handle"] == string(rune('a'+w/perHandle))
		if tr.Number < queued {
			ok = ok && tr.Params["q"] == tr.Number
		} else {
			_, has := tr.Params["q"]
			ok = ok && !has
		}
		if !ok {
			t.Errorf("trial %d: %+v", tr.Number, tr)
		}
	}
}
