package tuner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// vectorPruner judges several objectives: it prunes a trial whose last
// vector's objective 1 is above limit, and records what it saw.
type vectorPruner struct {
	limit float64
	seen  []PruneContext
}

func (p *vectorPruner) ValidateDirections([]Direction) error { return nil }

func (p *vectorPruner) Prune(c *PruneContext) bool {
	p.seen = append(p.seen, *c)
	_, v, ok := c.Trial.LastVector()
	return ok && v[1] > p.limit
}

// refusing accepts one objective only.
type refusing struct{ NopPruner }

func (refusing) ValidateDirections(dirs []Direction) error {
	if len(dirs) > 1 {
		return fmt.Errorf("%w: refusing judges one objective", ErrConfig)
	}
	return nil
}

// ReportValues keeps each step's vector: objective 0 as the intermediate
// value (what Optuna reads), the vector in IntermediateVectors, not in
// Attrs; the pruner sees the directions and the vectors; a pruned trial's
// values are its last vector.
func TestReportValuesReachThePruner(t *testing.T) {
	p := &vectorPruner{limit: 5}
	s := open(t, Config{Directions: minMax, Pruner: p, Parallelism: 1, Sampler: RandomSampler{}})
	var lenErr error
	if err := s.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
		lenErr = tr.ReportValues(9, []float64{1})
		n := float64(tr.Number())
		for step := range 3 {
			if err := tr.ReportValues(step, []float64{n + float64(step), 2 * n * float64(step)}); err != nil {
				return nil, err
			}
			if tr.ShouldPrune() {
				return nil, ErrPruned
			}
		}
		return []float64{10 + n, n}, nil
	}, Budget{Trials: 3}); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(lenErr, ErrConfig) || !strings.Contains(lenErr.Error(), "1 values [1], want 2") {
		t.Errorf("ReportValues of 1 value on 2 objectives: %v, want ErrConfig", lenErr)
	}
	trials, err := s.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Trial 2 reports (2, 0), then (3, 4), then (4, 8): pruned at step 2.
	want := []struct {
		state   TrialState
		values  []float64
		vectors map[int][]float64
	}{
		{Complete, []float64{10, 0}, map[int][]float64{0: {0, 0}, 1: {1, 0}, 2: {2, 0}}},
		{Complete, []float64{11, 1}, map[int][]float64{0: {1, 0}, 1: {2, 2}, 2: {3, 4}}},
		{Pruned, []float64{4, 8}, map[int][]float64{0: {2, 0}, 1: {3, 4}, 2: {4, 8}}},
	}
	for i, w := range want {
		tr := trials[i]
		inter := map[int]float64{}
		for s, v := range w.vectors {
			inter[s] = v[0]
		}
		if tr.State != w.state || !slices.Equal(tr.Values, w.values) || !reflect.DeepEqual(tr.IntermediateVectors, w.vectors) ||
			!reflect.DeepEqual(tr.Intermediate, inter) || len(tr.Attrs) != 1 { // owner only
			t.Errorf("trial %d: %v values %v vectors %v intermediate %v attrs %v; want %v %v %v %v",
				i, tr.State, tr.Values, tr.IntermediateVectors, tr.Intermediate, tr.Attrs, w.state, w.values, w.vectors, inter)
		}
	}
	last := p.seen[len(p.seen)-1]
	if len(p.seen) != 9 || !slices.Equal(last.Directions, minMax) || last.Direction != 0 || len(last.Trials) != 2 ||
		!reflect.DeepEqual(last.Trials[1].IntermediateVectors, want[1].vectors) {
		t.Errorf("the pruner was asked %d times, last with Directions %v Direction %v and %d other trials (%v)",
			len(p.seen), last.Directions, last.Direction, len(last.Trials), last.Trials)
	}
}

// A NaN is stored as given; a pruned trial whose last vector has one has
// no values. ReportValues of one value on one objective is Report.
func TestReportValuesNaNAndOneObjective(t *testing.T) {
	p := &vectorPruner{limit: math.Inf(1)}
	s := open(t, Config{Directions: minMax, Pruner: p, Parallelism: 1})
	if err := s.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
		if err := tr.ReportValues(0, []float64{1, math.NaN()}); err != nil {
			return nil, err
		}
		return nil, ErrPruned
	}, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	if v := trials[0].IntermediateVectors[0]; trials[0].State != Pruned || trials[0].Values != nil || len(v) != 2 || v[0] != 1 || !math.IsNaN(v[1]) {
		t.Errorf("trial %v values %v vectors %v, want pruned without values, [1 NaN] kept", trials[0].State, trials[0].Values, trials[0].IntermediateVectors)
	}

	one := open(t, Config{Direction: Maximize, Parallelism: 1})
	var errs []error
	if err := one.Optimize(ctx, func(_ context.Context, tr *Trial) (float64, error) {
		errs = append(errs, tr.ReportValues(3, []float64{0.5}), tr.ReportValues(4, []float64{0.5, 1}))
		return 1, nil
	}, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	trials, _ = one.Trials(ctx)
	if errs[0] != nil || !errors.Is(errs[1], ErrConfig) || !reflect.DeepEqual(trials[0].Intermediate, map[int]float64{3: 0.5}) || trials[0].IntermediateVectors != nil {
		t.Errorf("one objective: errors %v, intermediate %v, vectors %v; want step 3 = 0.5 only, as Report", errs, trials[0].Intermediate, trials[0].IntermediateVectors)
	}
}

// A study of several objectives takes NopPruner or a pruner that accepts
// its directions; a pruner of one objective is refused, naming the
// pruners that judge several.
func TestPrunerOfSeveralObjectives(t *testing.T) {
	for _, ok := range []Pruner{nil, NopPruner{}, &NopPruner{}, &vectorPruner{}} {
		if _, err := Open(ctx, Config{Directions: minMax, Pruner: ok}); err != nil {
			t.Errorf("Pruner %T: %v", ok, err)
		}
	}
	_, err := Open(ctx, Config{Directions: minMax, Pruner: everyOther{}})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "tuner.everyOther judges one objective") || !strings.Contains(err.Error(), "prune.SuccessiveHalving") {
		t.Errorf("everyOther on 2 objectives: %v, want ErrConfig naming the pruners of several", err)
	}
	if _, err := Open(ctx, Config{Directions: minMax, Pruner: refusing{}}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "refusing judges one objective") {
		t.Errorf("refusing on 2 objectives: %v, want its own error", err)
	}
	for _, ok := range []Pruner{everyOther{}, refusing{}} {
		if _, err := Open(ctx, Config{Pruner: ok}); err != nil {
			t.Errorf("Pruner %T on one objective: %v", ok, err)
		}
	}
}

// SetAttr refuses the keys that keep the vectors; more than MaxVectorSteps
// steps are refused, a step reported again is not a new one.
func TestReportValuesLimits(t *testing.T) {
	s := open(t, Config{Directions: minMax, Parallelism: 1})
	var attrErr, againErr, overErr error
	if err := s.OptimizeMulti(ctx, func(_ context.Context, tr *Trial) ([]float64, error) {
		attrErr = tr.SetAttr("intermediate_values_3", "[1.0, 2.0]")
		for step := range MaxVectorSteps {
			if err := tr.ReportValues(step, []float64{float64(step), 1}); err != nil {
				return nil, err
			}
		}
		againErr = tr.ReportValues(0, []float64{-1, 1})
		overErr = tr.ReportValues(MaxVectorSteps, []float64{0, 0})
		return []float64{0, 0}, nil
	}, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(attrErr, ErrConfig) || !strings.Contains(attrErr.Error(), "ReportValues") {
		t.Errorf("SetAttr(intermediate_values_3) = %v, want ErrConfig", attrErr)
	}
	if againErr != nil || !errors.Is(overErr, ErrConfig) || !strings.Contains(overErr.Error(), "MaxVectorSteps") {
		t.Errorf("step 0 again: %v; step %d: %v; want nil and ErrConfig", againErr, MaxVectorSteps, overErr)
	}
	trials, _ := s.Trials(ctx)
	if v := trials[0].IntermediateVectors; len(v) != MaxVectorSteps || !slices.Equal(v[0], []float64{-1, 1}) || trials[0].Intermediate[0] != -1 {
		t.Errorf("%d steps kept, step 0 = %v (%v); want %d, [-1 1]", len(v), v[0], trials[0].Intermediate[0], MaxVectorSteps)
	}
	var nilTrial *Trial
	if err := nilTrial.ReportValues(0, []float64{1}); !errors.Is(err, ErrConfig) || nilTrial.Directions() != nil {
		t.Errorf("nil trial: ReportValues %v, Directions %v", err, nilTrial.Directions())
	}
}

// An attribute that looks like a vector but is not one of the study's
// (another length, not a list, a step that is not a number) stays an
// attribute.
func TestTakeIntermediateVectors(t *testing.T) {
	tr := FrozenTrial{Attrs: map[string]string{
		"intermediate_values_1":  "[1.0, 2.0]",
		"intermediate_values_2":  "[1.0]",
		"intermediate_values_x":  "[1.0, 2.0]",
		"intermediate_values_03": "[1.0, 2.0]",
		"intermediate_values_4":  "text",
		"intermediate_values_-5": "[Infinity, NaN]",
	}}
	takeIntermediateVectors(&tr, 2)
	if len(tr.Attrs) != 4 || len(tr.IntermediateVectors) != 2 || !slices.Equal(tr.IntermediateVectors[1], []float64{1, 2}) ||
		!math.IsInf(tr.IntermediateVectors[-5][0], 1) {
		t.Errorf("vectors %v, attrs left %v", tr.IntermediateVectors, tr.Attrs)
	}
	one := FrozenTrial{Attrs: map[string]string{"intermediate_values_1": "[1.0, 2.0]"}}
	takeIntermediateVectors(&one, 1)
	if len(one.Attrs) != 1 || one.IntermediateVectors != nil {
		t.Errorf("one objective: vectors %v, attrs %v; want the attribute left alone", one.IntermediateVectors, one.Attrs)
	}
}
