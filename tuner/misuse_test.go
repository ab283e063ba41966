package tuner

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/panics"
)

// noPanic runs f and fails the test if it panics.
func noPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s panicked: %v", what, r)
		}
	}()
	f()
}

// A nil context is an error wrapping ErrConfig in every function of the
// study that takes one. Optimize checked it only in its workers, whose
// panic no caller can recover: it ended the process.
func TestNilContextIsAnError(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 2})
	obj := func(context.Context, *Trial) (float64, error) { return 1, nil }
	multi := func(context.Context, *Trial) ([]float64, error) { return []float64{1}, nil }
	var nilCtx context.Context
	calls := map[string]func() error{
		"Open":     func() error { _, err := Open(nilCtx, Config{}); return err },
		"Optimize": func() error { return s.Optimize(nilCtx, obj, Budget{Trials: 1}) },
		"Trials":   func() error { _, err := s.Trials(nilCtx); return err },
		"Best":     func() error { _, err := s.Best(nilCtx); return err },
		"Enqueue": func() error {
			return s.Enqueue(nilCtx, map[string]any{"x": 0.5}, map[string]Distribution{"x": FloatDist{Low: 0, High: 1}})
		},
		"OptimizeMulti": func() error { return s.OptimizeMulti(nilCtx, multi, Budget{Trials: 1}) },
		"BestTrials":    func() error { _, err := s.BestTrials(nilCtx); return err },
		"Hypervolume":   func() error { _, err := s.Hypervolume(nilCtx, []float64{1}); return err },
	}
	for name, call := range calls {
		var err error
		noPanic(t, name, func() { err = call() })
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "nil context") {
			t.Errorf("%s(nil ctx) = %v, want ErrConfig naming the nil context", name, err)
		}
	}
	if trials, err := s.Trials(ctx); err != nil || len(trials) != 0 {
		t.Errorf("after the refused calls the study has %d trials (%v), want 0", len(trials), err)
	}
}

// A nil *Study, or one not made by Open, returns errors, not panics.
func TestStudyNotFromOpenIsAnError(t *testing.T) {
	obj := func(context.Context, *Trial) (float64, error) { return 1, nil }
	multi := func(context.Context, *Trial) ([]float64, error) { return []float64{1}, nil }
	for name, s := range map[string]*Study{"nil": nil, "zero": {}} {
		calls := map[string]func() error{
			"Optimize":      func() error { return s.Optimize(ctx, obj, Budget{Trials: 1}) },
			"Trials":        func() error { _, err := s.Trials(ctx); return err },
			"Best":          func() error { _, err := s.Best(ctx); return err },
			"Enqueue":       func() error { return s.Enqueue(ctx, nil, nil) },
			"OptimizeMulti": func() error { return s.OptimizeMulti(ctx, multi, Budget{Trials: 1}) },
			"BestTrials":    func() error { _, err := s.BestTrials(ctx); return err },
			"Hypervolume":   func() error { _, err := s.Hypervolume(ctx, []float64{1}); return err },
		}
		noPanic(t, name+" Directions", func() {
			if d, one := s.Directions(), s.Direction(); d != nil || one != goal.Auto {
				t.Errorf("%s Study: Directions %v, Direction %v; want nil and auto", name, d, one)
			}
		})
		for method, call := range calls {
			var err error
			noPanic(t, name+" "+method, func() { err = call() })
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "not made by Open") {
				t.Errorf("%s Study: %s = %v, want ErrConfig saying it was not made by Open", name, method, err)
			}
		}
	}
}

// A budget over MaxTrials is refused before any trial runs (1<<40 trials
// ran until the process was stopped).
func TestBudgetOverMaxTrialsIsRefused(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1})
	ran := 0
	obj := func(context.Context, *Trial) (float64, error) { ran++; return 1, nil }
	for _, b := range []Budget{{Trials: MaxTrials + 1}, {TotalTrials: 1 << 40}, {Trials: 1, TotalTrials: MaxTrials + 1}} {
		if err := s.Optimize(ctx, obj, b); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "MaxTrials") {
			t.Errorf("Optimize(%+v) = %v, want ErrConfig naming MaxTrials", b, err)
		}
	}
	if ran != 0 {
		t.Errorf("the objective ran %d times, want 0", ran)
	}
}

// Enqueue refuses a parameter whose distribution is nil or invalid: a nil
// one panicked.
func TestEnqueueRefusesMissingOrBadDistribution(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1})
	for name, dists := range map[string]map[string]Distribution{
		"nil":     {"x": nil},
		"absent":  {},
		"invalid": {"x": FloatDist{Low: 1, High: 0}},
	} {
		var err error
		noPanic(t, name, func() { err = s.Enqueue(ctx, map[string]any{"x": 0.5}, dists) })
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `"x"`) {
			t.Errorf("%s distribution: Enqueue = %v, want ErrConfig naming parameter x", name, err)
		}
	}
	if trials, _ := s.Trials(ctx); len(trials) != 0 {
		t.Errorf("%d trials queued, want none", len(trials))
	}
}

// A nil *Trial, or one no study made, never panics: suggestions return the
// lower end and record ErrConfig, writes return it, it is never pruned.
func TestTrialNotFromStudy(t *testing.T) {
	for name, tr := range map[string]*Trial{"nil": nil, "zero": {}} {
		noPanic(t, name, func() {
			if v := tr.Float("x", 0.25, 1); v != 0.25 {
				t.Errorf("%s Trial: Float = %v, want the lower end 0.25", name, v)
			}
			if v := tr.Int("n", 3, 9); v != 3 {
				t.Errorf("%s Trial: Int = %v, want the lower end 3", name, v)
			}
			if v := tr.String("c", "a", "b"); v != "a" {
				t.Errorf("%s Trial: String = %q, want the first choice", name, v)
			}
			if err := tr.Err(); !errors.Is(err, ErrConfig) {
				t.Errorf("%s Trial: Err = %v, want ErrConfig", name, err)
			}
			if err := tr.Report(1, 0.5); !errors.Is(err, ErrConfig) {
				t.Errorf("%s Trial: Report = %v, want ErrConfig", name, err)
			}
			if err := tr.SetAttr("k", "v"); !errors.Is(err, ErrConfig) {
				t.Errorf("%s Trial: SetAttr = %v, want ErrConfig", name, err)
			}
			if err := tr.SetConstraints(1); !errors.Is(err, ErrConfig) {
				t.Errorf("%s Trial: SetConstraints = %v, want ErrConfig", name, err)
			}
			if tr.ShouldPrune() {
				t.Errorf("%s Trial: ShouldPrune = true, want false", name)
			}
			if d := tr.Direction(); d != goal.Auto {
				t.Errorf("%s Trial: Direction = %v, want auto (no study)", name, d)
			}
		})
	}
}

// An Option that panics (one made by reflection: a caller cannot write
// one) fails the suggestion, wrapping panics.ErrUser; a nil Option is
// skipped.
func TestSuggestionOptionsNeverPanic(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1, MaxConsecutiveFailures: -1})
	boom := Option(func(*suggestOpts) { panic("boom") })
	var first, second float64
	var firstErr error
	obj := func(_ context.Context, tr *Trial) (float64, error) {
		noPanic(t, "Float with a panicking option", func() { first = tr.Float("x", 0.5, 1, boom) })
		firstErr = tr.Err()
		noPanic(t, "Float with a nil option", func() { second = tr.Float("y", 2, 3, nil) })
		return 0, nil
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	if first != 0.5 || !errors.Is(firstErr, panics.ErrUser) {
		t.Errorf("Float with a panicking option = %v, Err %v; want 0.5 and an error wrapping panics.ErrUser", first, firstErr)
	}
	trials, _ := s.Trials(ctx)
	if second < 2 || second > 3 || trials[0].Params["y"] != second {
		t.Errorf("Float with a nil option = %v (params %v), want a draw in [2, 3]", second, trials[0].Params)
	}
}

// The samplers return errors for a SampleContext the study did not make
// and for an invalid distribution, which they are handed unchecked when
// called directly.
func TestSamplersRefuseBadInput(t *testing.T) {
	good := &SampleContext{Trial: &FrozenTrial{Attrs: map[string]string{}}, Rand: rand.New(rand.NewPCG(1, 2))}
	grid := &GridSampler{Space: map[string][]any{"x": {0.5}}}
	unit := FloatDist{Low: 0, High: 1}
	cases := []struct {
		name string
		call func() (float64, error)
	}{
		{"Random nil context", func() (float64, error) { return RandomSampler{}.Sample(nil, "x", unit) }},
		{"Random no Rand", func() (float64, error) { return RandomSampler{}.Sample(&SampleContext{}, "x", unit) }},
		{"Random +Inf range", func() (float64, error) {
			return RandomSampler{}.Sample(good, "x", FloatDist{Low: math.Inf(1), High: math.Inf(1)})
		}},
		{"Random nil distribution", func() (float64, error) { return RandomSampler{}.Sample(good, "x", nil) }},
		{"TPE nil context", func() (float64, error) { return TPESampler{}.Sample(nil, "x", unit) }},
		{"TPE invalid range", func() (float64, error) { return TPESampler{}.Sample(good, "x", FloatDist{Low: 1, High: 0}) }},
		{"Grid nil context", func() (float64, error) { return grid.Sample(nil, "x", unit) }},
		{"Grid nil sampler", func() (float64, error) { return (*GridSampler)(nil).Sample(good, "x", unit) }},
		{"Grid point outside", func() (float64, error) {
			c := &SampleContext{Trial: &FrozenTrial{Attrs: map[string]string{attrSamplerSystemGrid: "7"}}}
			return grid.Sample(c, "x", unit)
		}},
	}
	for _, c := range cases {
		var err error
		noPanic(t, c.name, func() { _, err = c.call() })
		if !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", c.name, err)
		}
	}
	if _, err := (TPESampler{}).SampleRelative(nil); err != nil {
		t.Errorf("SampleRelative(nil) without Multivariate = %v, want nil (nothing to sample)", err)
	}
	if _, err := (TPESampler{Multivariate: true}).SampleRelative(nil); !errors.Is(err, ErrConfig) {
		t.Errorf("Multivariate SampleRelative(nil) = %v, want ErrConfig", err)
	}
	if err := (*GridSampler)(nil).Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("(*GridSampler)(nil).Validate() = %v, want ErrConfig", err)
	}
}

func TestWriteTrialsRefusesNilWriter(t *testing.T) {
	for name, write := range map[string]func() error{
		"CSV":  func() error { return WriteTrialsCSV(nil, nil) },
		"JSON": func() error { return WriteTrialsJSON(nil, nil) },
	} {
		var err error
		noPanic(t, name, func() { err = write() })
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "nil writer") {
			t.Errorf("WriteTrials%s(nil) = %v, want ErrConfig naming the nil writer", name, err)
		}
	}
	var b bytes.Buffer
	if err := WriteTrialsCSV(&b, nil); err != nil || b.String() != "number,state,value,duration_seconds,fail_reason\n" {
		t.Errorf("WriteTrialsCSV of no trials = %q, %v; want the header", b.String(), err)
	}
}

func TestClaimChooseOnNilClaim(t *testing.T) {
	var c *Claim
	var err error
	noPanic(t, "Choose", func() { _, err = c.Choose(FrozenTrial{}, nil) })
	if !errors.Is(err, ErrConfig) {
		t.Errorf("(*Claim)(nil).Choose = %v, want ErrConfig", err)
	}
}

func TestCategoricalFromInternalOutsideChoices(t *testing.T) {
	d := CategoricalDist{Choices: []any{"a", "b"}}
	for _, x := range []float64{-1, 2, 0.5, math.NaN(), math.Inf(1)} {
		var v any
		noPanic(t, "FromInternal", func() { v = d.FromInternal(x) })
		if v != nil {
			t.Errorf("FromInternal(%v) = %v, want nil (no choice)", x, v)
		}
	}
	if v := d.FromInternal(1); v != "b" {
		t.Errorf("FromInternal(1) = %v, want b", v)
	}
	if v := (CategoricalDist{}).FromInternal(0); v != nil {
		t.Errorf("FromInternal(0) of no choices = %v, want nil", v)
	}
}
