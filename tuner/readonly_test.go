package tuner_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// A study opened ReadOnly (a report) leaves the trial of a dead process
// Running, for the workers' own recovery to fail and re-queue, and refuses
// to run or enqueue trials; opened normally, the same trial is failed.
func TestReadOnlyLeavesDeadTrialsToTheWorkers(t *testing.T) {
	host, _ := os.Hostname()
	dead := map[string]string{"owner": fmt.Sprintf("%s/%d/dead", host, 1<<30)}
	for name, st := range storages(t) {
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
		ro, err := tuner.Open(ctx, tuner.Config{Name: "crash", Storage: st, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		trials, err := ro.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(trials) != 1 || trials[0].State != tuner.Running {
			t.Fatalf("%s: after a ReadOnly open: %d trials, the first %v; want 1, still Running", name, len(trials), trials[0].State)
		}
		obj := func(context.Context, *tuner.Trial) (float64, error) { return 0, nil }
		if err := ro.Optimize(ctx, obj, tuner.Budget{Trials: 1}); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%s: Optimize on a ReadOnly study: %v, want ErrConfig", name, err)
		}
		if err := ro.Enqueue(ctx, map[string]any{"x": 0.5}, map[string]tuner.Distribution{"x": tuner.FloatDist{Low: 0, High: 1}}); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("%s: Enqueue on a ReadOnly study: %v, want ErrConfig", name, err)
		}
		rw, err := tuner.Open(ctx, tuner.Config{Name: "crash", Storage: st, RequeueStale: true})
		if err != nil {
			t.Fatal(err)
		}
		trials, _ = rw.Trials(ctx)
		if len(trials) != 2 || trials[0].State != tuner.Failed || trials[0].FailKind != tuner.FailStale || trials[1].State != tuner.Waiting {
			t.Errorf("%s: after a worker's open: %d trials %+v; want the dead one failed stale and its re-run waiting", name, len(trials), trials)
		}
	}
}
