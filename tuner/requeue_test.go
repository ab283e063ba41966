package tuner

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// A trial interrupted by a cancelled context is, with RequeueStale, queued
// again as it ends: the next Optimize (here of the study reopened) runs its
// parameters first, as a trial whose RequeuedFrom names it. Without
// RequeueStale nothing is queued.
func TestInterruptedTrialIsRequeued(t *testing.T) {
	for _, requeue := range []bool{false, true} {
		st := NewMemoryStorage()
		cfg := Config{Name: "i", Storage: st, Sampler: RandomSampler{}, Parallelism: 1, RequeueStale: requeue}
		cctx, cancel := context.WithCancel(ctx)
		var x0 float64
		interrupted := func(ctx context.Context, tr *Trial) (float64, error) {
			x0 = tr.Float("x", -5, 5)
			cancel()
			return 0, ctx.Err()
		}
		_ = open(t, cfg).Optimize(cctx, interrupted, Budget{Trials: 1})
		trials, _ := open(t, cfg).Trials(ctx)
		if trials[0].State != Failed || trials[0].FailKind != FailInterrupted {
			t.Fatalf("requeue %v: trial 0 %v %v, want failed as interrupted", requeue, trials[0].State, trials[0].FailKind)
		}
		if want := map[bool]int{false: 1, true: 2}[requeue]; len(trials) != want {
			t.Fatalf("requeue %v: %d trials after the interruption, want %d", requeue, len(trials), want)
		}
		var got []string
		record := func(ctx context.Context, tr *Trial) (float64, error) {
			n, ok := tr.RequeuedFrom()
			got = append(got, fmt.Sprintf("from=%d,%v x=%v", n, ok, tr.Float("x", -5, 5) == x0))
			return quadratic(ctx, tr)
		}
		if err := open(t, cfg).Optimize(ctx, record, Budget{Trials: 2}); err != nil {
			t.Fatal(err)
		}
		want := []string{"from=0,false x=false", "from=0,false x=false"}
		if requeue {
			want[0] = "from=0,true x=true"
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("requeue %v: the next trials saw %v, want %v", requeue, got, want)
		}
	}
}

// A trial left Running by a dead process is re-run, with RequeueStale, as a
// trial whose RequeuedFrom names it.
func TestStaleTrialRequeuedFrom(t *testing.T) {
	st := NewMemoryStorage()
	s := open(t, Config{Name: "s", Storage: st, Sampler: RandomSampler{}, Parallelism: 1})
	if err := s.Optimize(ctx, quadratic, Budget{Trials: 2}); err != nil {
		t.Fatal(err)
	}
	crashed, _ := st.CreateTrial(ctx, s.id, nil, nil)
	if err := st.SetTrialParam(ctx, crashed.ID, "x", 1.5, FloatDist{Low: -5, High: 5}); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	_ = st.SetTrialAttr(ctx, crashed.ID, attrOwner, fmt.Sprintf("%s/%d/dead", host, 1<<30))
	var got []string
	record := func(ctx context.Context, tr *Trial) (float64, error) {
		n, ok := tr.RequeuedFrom()
		got = append(got, fmt.Sprintf("%d %d,%v x=%v", tr.Number(), n, ok, tr.Float("x", -5, 5)))
		return 0, nil
	}
	s2 := open(t, Config{Name: "s", Storage: st, Sampler: RandomSampler{}, Parallelism: 1, RequeueStale: true})
	if err := s2.Optimize(ctx, record, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	if want := "[3 2,true x=1.5]"; fmt.Sprint(got) != want {
		t.Errorf("the re-queued trial saw %v, want %v", got, want)
	}
}
