package tunerplot

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/gradtune/gradtune/tuner"
)

// SelectObjective returns the trials of a study of several objectives with
// objective k as their one objective, for the charts of one
// (OptimizationHistory, ParallelCoordinates, IntermediateValues, and
// importance.Evaluate): a copy of each trial whose Value is Values[k] (NaN
// where the trial has no k-th value) and whose Intermediate holds
// objective k's reports (from IntermediateVectors; a trial that reported
// none keeps its Intermediate for k = 0, and has none for k > 0). Pass the
// study's Directions()[k] as the direction. The trials given are left as
// they were.
//
//	acc, err := tunerplot.SelectObjective(trials, 0)
//	err = tunerplot.OptimizationHistory("accuracy.png", acc, study.Directions()[0])
//
// Errors wrap ErrInput: k < 0, or no trial with more than k values.
func SelectObjective(trials []tuner.FrozenTrial, k int) ([]tuner.FrozenTrial, error) {
	most := 0
	for _, t := range trials {
		most = max(most, len(t.Values))
	}
	if k < 0 || k >= most {
		return nil, fmt.Errorf("%w: objective %d of trials with at most %d values, want 0 to %d", ErrInput, k, most, most-1)
	}
	out := make([]tuner.FrozenTrial, len(trials))
	for i, t := range trials {
		t.Value = math.NaN()
		if k < len(t.Values) {
			t.Value = t.Values[k]
		}
		t.Values = slices.Clone(t.Values)
		switch {
		case len(t.IntermediateVectors) > 0:
			t.Intermediate = map[int]float64{}
			for step, v := range t.IntermediateVectors {
				if k < len(v) {
					t.Intermediate[step] = v[k]
				}
			}
		case k == 0:
			t.Intermediate = maps.Clone(t.Intermediate)
		default:
			t.Intermediate = map[int]float64{}
		}
		out[i] = t
	}
	return out, nil
}
