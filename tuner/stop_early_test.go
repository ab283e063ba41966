package tuner_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// slowLoad is a storage whose Trials, once armed, says it is reading and
// waits to be released: a large study in a database read by Optimize as it
// starts.
type slowLoad struct {
	tuner.Storage
	armed            atomic.Bool
	reading, release chan struct{}
}

func (s *slowLoad) Trials(ctx context.Context, studyID int64) ([]tuner.FrozenTrial, error) {
	if s.armed.CompareAndSwap(true, false) {
		close(s.reading)
		<-s.release
	}
	return s.Storage.Trials(ctx, studyID)
}

// A Stop that comes while Optimize reads the study, before any trial
// starts, stops that call: it runs no trial and returns nil.
func TestStopWhileOptimizeReadsTheStudy(t *testing.T) {
	st := &slowLoad{Storage: tuner.NewMemoryStorage(), reading: make(chan struct{}), release: make(chan struct{})}
	s := openStudy(t, tuner.Config{Storage: st, Sampler: tuner.RandomSampler{}, Parallelism: 2})
	st.armed.Store(true)
	done := make(chan error, 1)
	go func() {
		done <- s.Optimize(ctx, func(ctx context.Context, tr *tuner.Trial) (float64, error) {
			return tr.Float("x", 0, 1), nil
		}, tuner.Budget{Trials: 10})
	}()
	waitFor(t, st.reading, "Optimize to read the study")
	s.Stop()
	close(st.release)
	if err := <-done; err != nil {
		t.Fatalf("Optimize = %v, want nil", err)
	}
	if n := len(trialsOf(t, s)); n != 0 {
		t.Errorf("Optimize ran %d trials after a Stop that came as it read the study, want 0", n)
	}
}
