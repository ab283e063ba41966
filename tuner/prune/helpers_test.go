package prune

import (
	"context"
	"maps"
	"math"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

var ctx = context.Background()

// open opens a study or fails t.
func open(t *testing.T, cfg tuner.Config) *tuner.Study {
	t.Helper()
	s, err := tuner.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newFrozen returns an empty trial record, as a storage creates one.
func newFrozen(id int64, number int, state tuner.TrialState) *tuner.FrozenTrial {
	return &tuner.FrozenTrial{ID: id, Number: number, State: state, Value: math.NaN(),
		Params: map[string]any{}, Internal: map[string]float64{}, Distributions: map[string]tuner.Distribution{},
		Intermediate: map[int]float64{}, Attrs: map[string]string{}}
}

// copyTrial returns a copy of t that shares no map with it.
func copyTrial(t *tuner.FrozenTrial) tuner.FrozenTrial {
	c := *t
	c.Params, c.Internal, c.Distributions = maps.Clone(t.Params), maps.Clone(t.Internal), maps.Clone(t.Distributions)
	c.Intermediate, c.Attrs = maps.Clone(t.Intermediate), maps.Clone(t.Attrs)
	return c
}
