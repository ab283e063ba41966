package storagetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// confConcurrentNumbering: 8 goroutines creating trials at once get the
// numbers 0..n-1, each once.
func confConcurrentNumbering(t *testing.T, st tuner.Storage) {
	const workers, each = 8, 5
	id := studyID(t, st, "numbers")
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int]bool{}
		errs []error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				ft, err := st.CreateTrial(ctx, id, nil, nil)
				if err == nil {
					err = st.SetTrialParam(ctx, ft.ID, "w", float64(w), tuner.IntDist{Low: 0, High: workers - 1})
				}
				if err == nil {
					err = st.FinishTrial(ctx, ft.ID, tuner.Complete, []float64{float64(ft.Number)}, "", "")
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if seen[ft.Number] {
					errs = append(errs, fmt.Errorf("number %d given twice", ft.Number))
				}
				seen[ft.Number] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d errors, first %v", len(errs), errs[0])
	}
	trials := allTrials(t, st, id)
	if len(trials) != workers*each || len(seen) != workers*each || !contiguous(trials) {
		t.Fatalf("%d trials, %d distinct numbers %v, want 0..%d once each", len(trials), len(seen), sortedInts(seen), workers*each-1)
	}
	for _, tr := range trials {
		if tr.State != tuner.Complete || tr.Value != float64(tr.Number) {
			t.Errorf("trial %d: %v %v, want complete with its number", tr.Number, tr.State, tr.Value)
		}
	}
	// The same through Study.Optimize with 8 trials at a time.
	s := openStudy(t, tuner.Config{Name: "parallel", Storage: st, Parallelism: workers, Seed: 2})
	if err := s.Optimize(ctx, func(_ context.Context, tr *tuner.Trial) (float64, error) {
		return tr.Float("x", -1, 1), nil
	}, tuner.Budget{Trials: workers * each}); err != nil {
		t.Fatal(err)
	}
	trials, _ = s.Trials(ctx)
	if len(trials) != workers*each || !contiguous(trials) {
		t.Errorf("Optimize with Parallelism %d: %d trials, numbers not 0..%d", workers, len(trials), workers*each-1)
	}
	for _, tr := range trials {
		if tr.State != tuner.Complete || tr.Value != tr.Params["x"] {
			t.Errorf("trial %d: %v %v with x = %v", tr.Number, tr.State, tr.Value, tr.Params["x"])
		}
	}
}
