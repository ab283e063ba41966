package storagetest

import (
	"context"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// confEnqueueAndClaim: Waiting trials are numbered when queued, claimed
// oldest first, each by exactly one of several concurrent CreateTrial calls,
// with their parameters and the attributes they were queued with (joined
// by CreateTrial's).
func confEnqueueAndClaim(t *testing.T, st tuner.Storage) {
	id := studyID(t, st, "queue")
	dists := map[string]tuner.Distribution{"x": tuner.FloatDist{Low: -5, High: 5}, "c": tuner.CategoricalDist{Choices: []any{"a", "b"}}}
	queuedAttrs := []map[string]string{{"requeued_from": "7"}, nil}
	for i, p := range []map[string]float64{{"x": 2, "c": 1}, {"x": -1.5}} {
		if err := st.EnqueueTrial(ctx, id, p, dists, queuedAttrs[i]); err != nil {
			t.Fatal(err)
		}
	}
	queued := allTrials(t, st, id)
	want := []map[string]any{{"x": 2.0, "c": "b"}, {"x": -1.5}}
	for i, tr := range queued {
		if tr.Number != i || tr.State != tuner.Waiting || !math.IsNaN(tr.Value) || !tr.Start.IsZero() || !reflect.DeepEqual(tr.Params, want[i]) {
			t.Errorf("queued trial %d: %+v, want waiting with %v", i, tr, want[i])
		}
	}
	wantAttrs := []map[string]string{{"requeued_from": "7", "owner": "me"}, {"owner": "me"}, {"owner": "me"}}
	for i, w := range []map[string]any{want[0], want[1], {}} {
		ft, err := st.CreateTrial(ctx, id, map[string]string{"owner": "me"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ft.Attrs, wantAttrs[i]) {
			t.Errorf("CreateTrial %d: attributes %v, want %v", i, ft.Attrs, wantAttrs[i])
		}
		if ft.Number != i || ft.State != tuner.Running || ft.Start.IsZero() || !reflect.DeepEqual(ft.Params, w) {
			t.Errorf("CreateTrial %d: number %d %v params %v, want number %d running with %v", i, ft.Number, ft.State, ft.Params, i, w)
		}
		if i < 2 && ft.ID != queued[i].ID {
			t.Errorf("CreateTrial %d: id %d, want the queued trial's %d", i, ft.ID, queued[i].ID)
		}
	}
	// 8 concurrent claims of 8 queued trials: each claimed once, none created.
	const n = 8
	for k := 0; k < n; k++ {
		if err := st.EnqueueTrial(ctx, id, map[string]float64{"x": float64(k)}, dists, nil); err != nil {
			t.Fatal(err)
		}
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		claimed = map[int]bool{}
	)
	for k := 0; k < n; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ft, err := st.CreateTrial(ctx, id, nil, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Error(err)
			case claimed[ft.Number] || ft.Params["x"] != float64(ft.Number-3):
				t.Errorf("claim: trial %d with %v (claimed before: %v), want a queued trial once", ft.Number, ft.Params, claimed[ft.Number])
			}
			claimed[ft.Number] = true
		}()
	}
	wg.Wait()
	trials := allTrials(t, st, id)
	if len(trials) != 3+n || len(claimed) != n || !contiguous(trials) {
		t.Errorf("%d trials, %d claimed %v, want %d trials and the %d queued ones claimed", len(trials), len(claimed), sortedInts(claimed), 3+n, n)
	}
	for _, tr := range trials {
		if tr.State != tuner.Running {
			t.Errorf("trial %d: %v, want running", tr.Number, tr.State)
		}
	}
	// Through the study: an enqueued configuration runs first.
	s := openStudy(t, tuner.Config{Name: "queue-study", Storage: st, Parallelism: 1})
	if err := s.Enqueue(ctx, map[string]any{"x": 2.0, "c": "b"}, dists); err != nil {
		t.Fatal(err)
	}
	if err := s.Optimize(ctx, func(_ context.Context, tr *tuner.Trial) (float64, error) {
		x, c := tr.Float("x", -5, 5), tr.String("c", "a", "b")
		return x + float64(len(c)), nil
	}, tuner.Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	best, err := s.Best(ctx)
	if err != nil || best.Params["x"] != 2.0 || best.Params["c"] != "b" || best.Value != 3 {
		t.Errorf("enqueued trial ran with %v = %v (%v), want x=2 c=b = 3", best.Params, best.Value, err)
	}
}
