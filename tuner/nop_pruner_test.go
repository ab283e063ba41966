package tuner_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// countingStorage counts the reads of every trial of a study.
type countingStorage struct {
	tuner.Storage
	reads atomic.Int64
}

func (c *countingStorage) Trials(ctx context.Context, studyID int64) ([]tuner.FrozenTrial, error) {
	c.reads.Add(1)
	return c.Storage.Trials(ctx, studyID)
}

// With NopPruner, ShouldPrune answers without reading the study: a
// cross-validation objective asks after every fold, and each read copies
// every trial out of the storage.
func TestShouldPruneWithNopPrunerReadsNothing(t *testing.T) {
	reads := map[string]int64{}
	for name, pruner := range map[string]tuner.Pruner{"nop": tuner.NopPruner{}, "reading": readingPruner{}} {
		st := &countingStorage{Storage: tuner.NewMemoryStorage()}
		s, err := tuner.Open(ctx, tuner.Config{Storage: st, Pruner: pruner, Parallelism: 1, Sampler: tuner.RandomSampler{}})
		if err != nil {
			t.Fatal(err)
		}
		before := st.reads.Load()
		err = s.Optimize(ctx, func(ctx context.Context, tr *tuner.Trial) (float64, error) {
			x := tr.Float("x", 0, 1)
			for step := range 10 {
				if err := tr.Report(step, x); err != nil {
					return 0, err
				}
				if tr.ShouldPrune() {
					return 0, tuner.ErrPruned
				}
			}
			return x, nil
		}, tuner.Budget{Trials: 1})
		if err != nil {
			t.Fatal(err)
		}
		reads[name] = st.reads.Load() - before
	}
	if reads["reading"]-reads["nop"] < 10 {
		t.Fatalf("storage reads in one trial of 10 ShouldPrune calls: %d with NopPruner, %d with a pruner; want at least 10 fewer with NopPruner", reads["nop"], reads["reading"])
	}
}

// readingPruner is a pruner that reads the trials and never prunes.
type readingPruner struct{}

func (readingPruner) Prune(pc *tuner.PruneContext) bool { return len(pc.Trials) < 0 }
