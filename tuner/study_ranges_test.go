package tuner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner/tpe"
)

// lightGBMGoss is the dependent range of Optuna's LightGBM example
// (goss boosting): other_rate's upper end depends on top_rate.
func lightGBMGoss(_ context.Context, t *Trial) (float64, error) {
	top := t.Float("top_rate", 0, 1)
	other := t.Float("other_rate", 0, 1-top)
	leaves := t.Int("num_leaves", 2, 2+int(30*top)) // a dynamic int range too
	v := (top-0.3)*(top-0.3) + (other-0.2)*(other-0.2) + float64(leaves)/100
	return v, t.Err()
}

// A range that depends on another parameter is allowed, as in Optuna: every
// trial completes, with each value inside the range its own trial asked
// for, under every sampler (TPE past its random start-up trials, where it
// learns from values drawn under other ranges).
func TestDynamicRangeTrialsComplete(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"random", Config{Sampler: RandomSampler{}, Parallelism: 1}},
		{"tpe", Config{Sampler: &TPESampler{}, Parallelism: 1}},
		{"tpe-multivariate", Config{Sampler: &TPESampler{Multivariate: true}, Parallelism: 1}},
		{"tpe-constant-liar-parallel", Config{Sampler: &TPESampler{ConstantLiar: true}, Parallelism: 3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Seed = 5
			s := open(t, c.cfg)
			const n = 30 // 10 random start-up trials, then 20 by TPE
			if err := s.Optimize(ctx, lightGBMGoss, Budget{Trials: n}); err != nil {
				t.Fatal(err)
			}
			trials, err := s.Trials(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(trials) != n {
				t.Fatalf("%d trials, want %d", len(trials), n)
			}
			for _, tr := range trials {
				if tr.State != Complete {
					t.Fatalf("trial %d: %v %q, want complete", tr.Number, tr.State, tr.FailReason)
				}
				top, other, leaves := tr.Params["top_rate"].(float64), tr.Params["other_rate"].(float64), tr.Params["num_leaves"].(int)
				wantOther, wantLeaves := FloatDist{Low: 0, High: 1 - top}, IntDist{Low: 2, High: 2 + int(30*top)}
				if !Equal(tr.Distributions["other_rate"], wantOther) || !Equal(tr.Distributions["num_leaves"], wantLeaves) {
					t.Errorf("trial %d: distributions %v, %v; want %v, %v", tr.Number,
						tr.Distributions["other_rate"], tr.Distributions["num_leaves"], wantOther, wantLeaves)
				}
				if top < 0 || top > 1 || other < 0 || other > 1-top || leaves < 2 || leaves > 2+int(30*top) {
					t.Errorf("trial %d: top %v other %v leaves %d, outside their ranges", tr.Number, top, other, leaves)
				}
			}
		})
	}
}

// A range may change between trials, not the kind, Log flag or choices
// (Optuna's check_distribution_compatibility): those fail the later trial.
func TestDistributionKindMustNotChange(t *testing.T) {
	for _, c := range []struct {
		name   string
		second func(t *Trial)
		want   string
	}{
		{"float to int", func(t *Trial) { t.Int("x", 0, 1) }, "kind"},
		{"log flag", func(t *Trial) { t.Float("x", 1e-3, 1, Log()) }, "Log flag"},
		{"categorical choices", func(t *Trial) { t.String("c", "a", "b", "z") }, "choices"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1})
			obj := func(_ context.Context, t *Trial) (float64, error) {
				if t.Number() == 0 {
					t.Float("x", 1e-3, 1)
					t.String("c", "a", "b")
					return 0, nil
				}
				c.second(t)
				return 0, nil
			}
			if err := s.Optimize(ctx, obj, Budget{Trials: 2}); err != nil {
				t.Fatal(err)
			}
			trials, _ := s.Trials(ctx)
			tr := trials[1]
			if tr.State != Failed || !strings.Contains(tr.FailReason, c.want) || !strings.Contains(tr.FailReason, "trial 0") {
				t.Errorf("second trial %v %q, want failed mentioning %q and trial 0", tr.State, tr.FailReason, c.want)
			}
		})
	}
}

// Within one trial a name keeps its range: asking again with another one
// is an error (Optuna would return the first value with a warning).
func TestRangeMustNotChangeWithinTrial(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1})
	obj := func(_ context.Context, t *Trial) (float64, error) {
		t.Float("x", 0, 1)
		return t.Float("x", 0, 2), nil
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	if tr := trials[0]; tr.State != Failed || !strings.Contains(tr.FailReason, "earlier in this trial") {
		t.Errorf("trial %v %q, want failed: x asked for again with another range", tr.State, tr.FailReason)
	}
}

// An enqueued value meets the range the objective asks for then, which may
// differ from the one it was enqueued with (Optuna's fixed parameters): the
// trial uses the value and records the objective's range. A value outside
// that range fails the trial, saying so.
func TestEnqueuedValueMeetsDynamicRange(t *testing.T) {
	s := open(t, Config{Sampler: RandomSampler{}, Parallelism: 1})
	unit := FloatDist{Low: 0, High: 1}
	for _, other := range []float64{0.25, 0.9} {
		if err := s.Enqueue(ctx, map[string]any{"top_rate": 0.5, "other_rate": other},
			map[string]Distribution{"top_rate": unit, "other_rate": unit}); err != nil {
			t.Fatal(err)
		}
	}
	obj := func(_ context.Context, t *Trial) (float64, error) {
		top := t.Float("top_rate", 0, 1)
		return top + t.Float("other_rate", 0, 1-top), t.Err()
	}
	if err := s.Optimize(ctx, obj, Budget{Trials: 2}); err != nil {
		t.Fatal(err)
	}
	trials, _ := s.Trials(ctx)
	ok, bad := trials[0], trials[1]
	if ok.State != Complete || ok.Value != 0.75 || !Equal(ok.Distributions["other_rate"], FloatDist{Low: 0, High: 0.5}) {
		t.Errorf("trial 0: %v value %v other_rate in %v (%q); want complete, 0.75, float[0, 0.5]",
			ok.State, ok.Value, ok.Distributions["other_rate"], ok.FailReason)
	}
	if bad.State != Failed || !strings.Contains(bad.FailReason, "enqueued as 0.9, outside float[0, 0.5]") {
		t.Errorf("trial 1: %v %q, want failed: 0.9 is outside float[0, 0.5]", bad.State, bad.FailReason)
	}
}

func TestCompatible(t *testing.T) {
	cat := func(cs ...any) CategoricalDist { return CategoricalDist{Choices: cs} }
	for _, c := range []struct {
		old, cur Distribution
		ok       bool
	}{
		{FloatDist{Low: 0, High: 1}, FloatDist{Low: 0, High: 0.3}, true},
		{FloatDist{Low: 0, High: 1}, FloatDist{Low: -2, High: 5, Step: 0.5}, true}, // a step may change, as in Optuna
		{FloatDist{Low: 1e-3, High: 1, Log: true}, FloatDist{Low: 1e-5, High: 1e-2, Log: true}, true},
		{IntDist{Low: 1, High: 8}, IntDist{Low: 2, High: 64, Step: 2}, true},
		{cat("a", "b"), cat("a", "b"), true},
		{FloatDist{Low: 0, High: 1}, FloatDist{Low: 0.1, High: 1, Log: true}, false},
		{IntDist{Low: 1, High: 8, Log: true}, IntDist{Low: 1, High: 8}, false},
		{FloatDist{Low: 0, High: 1}, IntDist{Low: 0, High: 1}, false},
		{IntDist{Low: 0, High: 2}, cat(0, 1, 2), false},
		{cat("a", "b"), cat("b", "a"), false},
		{cat(1, 2), cat(1.0, 2.0), false},
		{nil, FloatDist{Low: 0, High: 1}, false},
	} {
		err := Compatible(c.old, c.cur)
		if (err == nil) != c.ok || err != nil && !errors.Is(err, ErrConfig) {
			t.Errorf("Compatible(%v, %v) = %v, want ok %v (or an ErrConfig)", c.old, c.cur, err, c.ok)
		}
	}
}

// TPE learns from values drawn under another range of a dynamic range, as
// Optuna 3.1 does, also outside the current one; a kind that changed is
// not an observation.
func TestTPECollectDynamicRange(t *testing.T) {
	var trials []FrozenTrial
	for i, c := range []struct {
		d Distribution
		x float64
	}{
		{FloatDist{Low: 0, High: 1}, 0.9},
		{FloatDist{Low: 0, High: 0.5}, 0.1},
		{FloatDist{Low: 0, High: 1, Log: false, Step: 0.1}, 0.7},
		{IntDist{Low: 0, High: 1}, 1},                    // another kind: left out
		{FloatDist{Low: 0.01, High: 1, Log: true}, 0.05}, // another Log flag: left out
	} {
		ft := newFrozen(int64(i+1), i, Complete)
		ft.Value = float64(i)
		ft.Internal["x"], ft.Distributions["x"], ft.Params["x"] = c.x, c.d, c.d.FromInternal(c.x)
		trials = append(trials, *ft)
	}
	space := []tpeParam{{name: "x", d: FloatDist{Low: 0, High: 0.3}}}
	obs, err := tpeCollect(trials, Minimize, space, false, tpe.Options{Gamma: func(int) int { return 2 }})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(obs.Below[0], obs.Above[0])
	if want := fmt.Sprint([]float64{0.9, 0.1}, []float64{0.7}); got != want {
		t.Errorf("below, above = %v, want %v", got, want)
	}
}
