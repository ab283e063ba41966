package storagetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// roundTripCase is what the objective does in one trial, and what the
// stored trial must then say.
type roundTripCase struct {
	reports    map[int]float64
	attrs      map[string]string
	ret        float64
	err        error
	state      tuner.TrialState
	value      float64
	failReason string
}

var (
	inf, nan  = math.Inf(1), math.NaN()
	negZero   = math.Copysign(0, -1)
	errBoom   = errors.New("boom")
	roundTrip = []roundTripCase{
		{reports: map[int]float64{0: 1.5, 1: negZero}, ret: 0.125, state: tuner.Complete, value: 0.125},
		{reports: map[int]float64{0: nan, 1: inf, 2: -inf}, ret: inf, state: tuner.Complete, value: inf},
		{reports: map[int]float64{3: 2.5, 7: -inf}, err: tuner.ErrPruned, state: tuner.Pruned, value: -inf},
		// math.MaxInt32: Optuna's step column is INTEGER, 32 bits on PostgreSQL.
		{reports: map[int]float64{-1: 5e-324, math.MaxInt32: math.MaxFloat64}, err: errBoom, state: tuner.Failed, value: nan, failReason: "boom"},
		{ret: negZero, attrs: map[string]string{"empty": "", "quote": `it's "quoted"; DROP TABLE trials;--`, "unicode": "λ→∞ ☃"},
			state: tuner.Complete, value: negZero},
		{reports: map[int]float64{2: nan}, ret: nan, state: tuner.Failed, value: nan, failReason: "objective returned NaN"},
		{ret: -math.SmallestNonzeroFloat64, attrs: map[string]string{"k": "v"}, state: tuner.Complete, value: -math.SmallestNonzeroFloat64},
	}
)

// roundTripSpace suggests parameters of every kind: log, stepped, ints,
// categoricals of every choice type, a conditional one.
func roundTripSpace(tr *tuner.Trial) {
	tr.Float("lr", 1e-5, 1e-1, tuner.Log())
	tr.Float("drop", 0, 0.5, tuner.Step(0.1))
	tr.Int("units", 16, 256, tuner.Step(16))
	tr.Int("layers", 1, 8, tuner.Log())
	tr.Categorical("mixed", 8, true, 0.25, "x", -3)
	if tr.String("act", "relu", "tanh", "gelu") == "relu" {
		tr.Float("slope", 0, 0.3)
	}
}

var roundTripDists = map[string]tuner.Distribution{
	"lr":     tuner.FloatDist{Low: 1e-5, High: 1e-1, Log: true},
	"drop":   tuner.FloatDist{Low: 0, High: 0.5, Step: 0.1},
	"units":  tuner.IntDist{Low: 16, High: 256, Step: 16},
	"layers": tuner.IntDist{Low: 1, High: 8, Log: true},
	"mixed":  tuner.CategoricalDist{Choices: []any{8, true, 0.25, "x", -3}},
	"act":    tuner.CategoricalDist{Choices: []any{"relu", "tanh", "gelu"}},
	"slope":  tuner.FloatDist{Low: 0, High: 0.3},
}

// runRoundTrip runs the roundTrip cases as a study on st and returns the
// parameters each trial's objective saw.
func runRoundTrip(t *testing.T, st tuner.Storage, name string) (*tuner.Study, []map[string]any) {
	t.Helper()
	seen := make([]map[string]any, len(roundTrip))
	s := openStudy(t, tuner.Config{Name: name, Storage: st, Parallelism: 1, Seed: 11})
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		c := roundTrip[tr.Number()]
		roundTripSpace(tr)
		steps := make([]int, 0, len(c.reports))
		for step := range c.reports {
			steps = append(steps, step)
		}
		sort.Ints(steps)
		for _, step := range steps {
			if err := tr.Report(step, c.reports[step]); err != nil {
				return 0, err
			}
		}
		for k, v := range c.attrs {
			if err := tr.SetAttr(k, v); err != nil {
				return 0, err
			}
		}
		seen[tr.Number()] = tr.Params()
		return c.ret, c.err
	}
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: len(roundTrip)}); err != nil {
		t.Fatal(err)
	}
	return s, seen
}

// confRoundTrip: parameters of every kind, ±Inf and NaN values and
// intermediate values, −0, attributes, states and reasons come back as
// stored, and equal to what the memory storage keeps for the same study.
func confRoundTrip(t *testing.T, st tuner.Storage) {
	host, _ := os.Hostname()
	s, seen := runRoundTrip(t, st, "roundtrip")
	trials, err := s.Trials(ctx)
	if err != nil || len(trials) != len(roundTrip) {
		t.Fatalf("%d trials (%v), want %d", len(trials), err, len(roundTrip))
	}
	for i, tr := range trials {
		c := roundTrip[i]
		if tr.Number != i || tr.State != c.state || !sameFloat(tr.Value, c.value) {
			t.Errorf("trial %d: number %d %v value %v, want %v %v", i, tr.Number, tr.State, tr.Value, c.state, c.value)
		}
		if c.failReason == "" && tr.FailReason != "" || !strings.Contains(tr.FailReason, c.failReason) {
			t.Errorf("trial %d: fail reason %q, want %q", i, tr.FailReason, c.failReason)
		}
		if !reflect.DeepEqual(tr.Params, seen[i]) {
			t.Errorf("trial %d: params %#v, want what the objective saw %#v", i, tr.Params, seen[i])
		}
		for name, v := range tr.Params {
			d := tr.Distributions[name]
			if !tuner.Equal(d, roundTripDists[name]) || !reflect.DeepEqual(d.FromInternal(tr.Internal[name]), v) {
				t.Errorf("trial %d: %s = %#v (internal %v) in %v, want in %v", i, name, v, tr.Internal[name], d, roundTripDists[name])
			}
		}
		wantReports := c.reports
		if wantReports == nil {
			wantReports = map[int]float64{}
		}
		if !sameFloats(tr.Intermediate, wantReports) {
			t.Errorf("trial %d: intermediate values %v, want %v", i, tr.Intermediate, wantReports)
		}
		// Besides the objective's attributes, the study records the trial's
		// process ("owner", host/pid of this test process).
		wantAttrs := map[string]string{}
		if o := tr.Attrs["owner"]; strings.HasPrefix(o, fmt.Sprintf("%s/%d/", host, os.Getpid())) {
			wantAttrs["owner"] = o // host/pid/token of this process
		}
		for k, v := range c.attrs {
			wantAttrs[k] = v
		}
		if !reflect.DeepEqual(tr.Attrs, wantAttrs) {
			t.Errorf("trial %d: attrs %q, want %q", i, tr.Attrs, wantAttrs)
		}
		if tr.Start.IsZero() || tr.Complete.Before(tr.Start) {
			t.Errorf("trial %d: start %v complete %v, want start ≤ complete", i, tr.Start, tr.Complete)
		}
	}
	ref, _ := runRoundTrip(t, tuner.NewMemoryStorage(), "roundtrip")
	refTrials, _ := ref.Trials(ctx)
	for i := range refTrials {
		if !SameRecord(trials[i], refTrials[i]) {
			t.Errorf("trial %d differs from the memory storage's with the same seed:\n%+v\n%+v", i, trials[i], refTrials[i])
		}
	}
}
