package tuner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

var errNoGPU = errors.New("no GPU")

// An objective that always fails makes Optimize stop after
// MaxConsecutiveFailures trials (10 by default) with ErrTooManyFailures,
// naming the reason and the count, instead of spending the budget.
func TestOptimizeStopsAfterConsecutiveFailures(t *testing.T) {
	failing := func(_ context.Context, t *Trial) (float64, error) {
		t.Float("x", 0, 1)
		return 0, fmt.Errorf("build model: %w", errNoGPU)
	}
	for _, c := range []struct {
		limit, parallelism, want int
	}{
		{0, 1, 10}, // the default
		{3, 1, 3},
		{4, 3, 4}, // counted as trials finish: at most 2 more run meanwhile
	} {
		t.Run(fmt.Sprintf("limit=%d/parallelism=%d", c.limit, c.parallelism), func(t *testing.T) {
			s := open(t, Config{Sampler: RandomSampler{}, Parallelism: c.parallelism, MaxConsecutiveFailures: c.limit})
			err := s.Optimize(ctx, failing, Budget{Trials: 50})
			if !errors.Is(err, ErrTooManyFailures) || !errors.Is(err, errNoGPU) {
				t.Fatalf("Optimize = %v, want ErrTooManyFailures wrapping the objective's error", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("%d trials failed in a row", c.want)) || !strings.Contains(msg, "build model: no GPU") {
				t.Errorf("error %q, want it to say %d trials failed in a row and quote the reason", msg, c.want)
			}
			trials, _ := s.Trials(ctx)
			if len(trials) < c.want || len(trials) > c.want+c.parallelism-1 {
				t.Errorf("%d trials ran, want %d to %d", len(trials), c.want, c.want+c.parallelism-1)
			}
		})
	}
}

// Panics, NaN values and refused suggestions are failures too; the error
// quotes the last one's reason.
func TestConsecutiveFailuresOfEveryKind(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1, MaxConsecutiveFailures: 3})
	obj := func(_ context.Context, t *Trial) (float64, error) {
		switch t.Number() {
		case 0:
			panic("kaboom")
		case 1:
			return math.NaN(), nil
		}
		t.Float("lr", 1, 0) // low > high
		return 1, nil
	}
	err := s.Optimize(ctx, obj, Budget{Trials: 20})
	if !errors.Is(err, ErrTooManyFailures) || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "trial 2: parameter \"lr\"") {
		t.Errorf("Optimize = %v, want ErrTooManyFailures quoting trial 2's refused range", err)
	}
}

// Failures under the limit, broken up by completed or pruned trials, do
// not stop the study; a negative limit never stops it.
func TestFailuresUnderTheLimitDoNotStop(t *testing.T) {
	for _, c := range []struct {
		name    string
		limit   int
		pattern string // per trial number mod len: f fails, c completes, p is pruned
	}{
		{"fail fail complete", 3, "ffc"},
		{"fail fail pruned", 3, "ffp"},
		{"nine failures then one complete, default limit", 0, "fffffffffc"},
		{"never stop", -1, "f"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1, MaxConsecutiveFailures: c.limit})
			obj := func(_ context.Context, t *Trial) (float64, error) {
				x := t.Float("x", 0, 1)
				switch c.pattern[t.Number()%len(c.pattern)] {
				case 'f':
					return 0, errNoGPU
				case 'p':
					if err := t.Report(1, x); err != nil {
						return 0, err
					}
					return 0, ErrPruned
				}
				return x, nil
			}
			const n = 30
			if err := s.Optimize(ctx, obj, Budget{Trials: n}); err != nil {
				t.Fatalf("Optimize = %v, want nil", err)
			}
			trials, _ := s.Trials(ctx)
			counts := map[TrialState]int{}
			for _, tr := range trials {
				counts[tr.State]++
			}
			want := map[TrialState]int{}
			for i := range n {
				want[map[byte]TrialState{'f': Failed, 'c': Complete, 'p': Pruned}[c.pattern[i%len(c.pattern)]]]++
			}
			if len(trials) != n || fmt.Sprint(counts) != fmt.Sprint(want) {
				t.Errorf("%d trials %v, want %d %v", len(trials), counts, n, want)
			}
		})
	}
}

// A trial interrupted by cancelling the context is not a failure of the
// objective: Optimize returns the context's error.
func TestInterruptedTrialIsNotAFailure(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1, MaxConsecutiveFailures: 1})
	c, cancel := context.WithCancel(ctx)
	obj := func(ctx context.Context, t *Trial) (float64, error) {
		cancel()
		return 0, ctx.Err()
	}
	if err := s.Optimize(c, obj, Budget{Trials: 5}); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTooManyFailures) {
		t.Errorf("Optimize = %v, want context.Canceled only", err)
	}
}
