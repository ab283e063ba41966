package noise

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// TestReevaluateObjectiveEqualsReevaluate: re-running the study's own
// objective through enqueued scratch trials gives the same report as an
// EvalFunc of the same model, value for value.
func TestReevaluateObjectiveEqualsReevaluate(t *testing.T) {
	ctx := context.Background()
	means := map[string]float64{"a": 1.0, "b": 1.3, "c": 2.0, "d": 0.7}
	study, eval := noisyStudy(t, tuner.Minimize, means, 0.2)
	want, err := Reevaluate(ctx, study, eval, Options{Repeats: 6})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int64
	objective := func(seed int64) tuner.Objective {
		seen = append(seen, seed)
		return func(ctx context.Context, tr *tuner.Trial) (float64, error) {
			cfg := tr.String("cfg", "a", "b", "c", "d")
			if err := tr.Err(); err != nil {
				return 0, err
			}
			return eval(ctx, map[string]any{"cfg": cfg}, seed)
		}
	}
	got, err := ReevaluateObjective(ctx, study, objective, Options{Repeats: 6})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ReevaluateObjective = %+v\nReevaluate          = %+v", got, want)
	}
	if len(seen) != 3*6 {
		t.Fatalf("objective built %d times, want 3 configurations × 6 seeds = 18", len(seen))
	}
}

// TestReevaluateObjectiveErrors: a re-run that fails or prunes, a nil
// objective and nil returned for a seed are errors that say so.
func TestReevaluateObjectiveErrors(t *testing.T) {
	ctx := context.Background()
	study, _ := noisyStudy(t, tuner.Minimize, map[string]float64{"a": 1, "b": 2}, 0.1)
	failing := func(seed int64) tuner.Objective {
		return func(ctx context.Context, tr *tuner.Trial) (float64, error) {
			tr.String("cfg", "a", "b")
			if seed == 3 {
				return 0, errors.New("out of memory on seed 3")
			}
			return 1, nil
		}
	}
	if _, err := ReevaluateObjective(ctx, study, failing, Options{}); !errors.Is(err, ErrNotComplete) {
		t.Fatalf("a failing re-run: err = %v, want ErrNotComplete", err)
	} else if want := "out of memory on seed 3"; !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want it to quote %q", err, want)
	}
	pruning := func(int64) tuner.Objective {
		return func(ctx context.Context, tr *tuner.Trial) (float64, error) {
			return 0, tuner.ErrPruned
		}
	}
	if _, err := ReevaluateObjective(ctx, study, pruning, Options{}); !errors.Is(err, ErrNotComplete) {
		t.Fatalf("a pruned re-run: err = %v, want ErrNotComplete", err)
	}
	if _, err := ReevaluateObjective(ctx, study, nil, Options{}); !errors.Is(err, tuner.ErrConfig) {
		t.Fatalf("nil objective: err = %v, want ErrConfig", err)
	}
	if _, err := ReevaluateObjective(ctx, study, func(int64) tuner.Objective { return nil }, Options{}); !errors.Is(err, tuner.ErrConfig) {
		t.Fatalf("nil returned: err = %v, want ErrConfig", err)
	}
}
