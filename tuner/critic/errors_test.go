package critic

import (
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/tuner"
)

func TestOptionsValidate(t *testing.T) {
	if err := (Options{}).Validate(); err != nil {
		t.Errorf("zero Options: %v", err)
	}
	bad := map[string]Options{
		"TopFraction": {TopFraction: 1},
		"MinTrials":   {MinTrials: 4},
		"MinTries":    {MinTries: 1},
		"MinRegion":   {MinRegion: -1},
		"BadShare":    {BadShare: math.NaN()},
		"Alpha":       {Alpha: -0.1},
		"Repeats":     {Repeats: 1},
		"Trees":       {Trees: -1},
	}
	for field, o := range bad {
		err := o.Validate()
		if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), "critic.Options."+field) {
			t.Errorf("%+v: error %v, want tuner.ErrConfig naming %s", o, err, field)
		}
		if _, err := Review(nil, minimize, o); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("Review with %+v: error %v, want tuner.ErrConfig", o, err)
		}
	}
}

func TestReviewRefusesBadInput(t *testing.T) {
	good := func() tuner.FrozenTrial {
		return tuner.FrozenTrial{Number: 0, State: tuner.Complete, Value: 1, Values: []float64{1},
			Params: map[string]any{"x": 0.5}, Internal: map[string]float64{"x": 0.5},
			Distributions: map[string]tuner.Distribution{"x": tuner.FloatDist{Low: 0, High: 1}}}
	}
	type custom struct{ tuner.FloatDist }
	cases := map[string]struct {
		dirs  []tuner.Direction
		edit  func(*tuner.FrozenTrial)
		words string
	}{
		"no directions":      {nil, func(*tuner.FrozenTrial) {}, "no directions"},
		"auto direction":     {[]tuner.Direction{goal.Auto}, func(*tuner.FrozenTrial) {}, "direction 0"},
		"NaN value":          {minimize, func(t *tuner.FrozenTrial) { t.Value, t.Values = math.NaN(), []float64{math.NaN()} }, "complete trial 0"},
		"too many values":    {minimize, func(t *tuner.FrozenTrial) { t.Values = []float64{1, 2} }, "per direction: 1"},
		"NaN constraint":     {minimize, func(t *tuner.FrozenTrial) { t.Constraints = []float64{math.NaN()} }, "NaN"},
		"inverted range":     {minimize, func(t *tuner.FrozenTrial) { t.Distributions["x"] = tuner.FloatDist{Low: 1, High: 0} }, `parameter "x"`},
		"nil distribution":   {minimize, func(t *tuner.FrozenTrial) { t.Distributions["x"] = nil }, `parameter "x"`},
		"other distribution": {minimize, func(t *tuner.FrozenTrial) { t.Distributions["x"] = custom{} }, "critic.custom"},
	}
	for name, c := range cases {
		tr := good()
		c.edit(&tr)
		_, err := Review([]tuner.FrozenTrial{tr}, c.dirs, Options{})
		if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s: error %v, want tuner.ErrConfig saying %q", name, err, c.words)
		}
	}
	if fs, err := Review([]tuner.FrozenTrial{good()}, minimize, Options{}); fs != nil || err != nil {
		t.Errorf("one trial: %v, %v; want nothing (too few to judge)", fs, err)
	}
	if fs, err := Review(nil, minimize, Options{}); fs != nil || err != nil {
		t.Errorf("no trials: %v, %v; want nothing", fs, err)
	}
}

// Review reads trials from any storage: some keep Value alone, a running
// study has Running and Waiting trials; the findings are the same, and
// the same trials and seed give the same findings.
func TestReviewIsStableAcrossReadings(t *testing.T) {
	trials := runStudy(t, tuner.RandomSampler{}, 1, 40, badSigmoid)
	want := review(t, trials, 1)
	if len(want) == 0 {
		t.Fatal("no findings to compare")
	}
	if again := review(t, trials, 1); !reflect.DeepEqual(again, want) {
		t.Errorf("a second review differs:\n%v\nwant\n%v", again, want)
	}
	var other []tuner.FrozenTrial
	for _, tr := range trials {
		tr.Values = nil // a storage that keeps one value
		other = append(other, tr)
	}
	other = append(other,
		tuner.FrozenTrial{Number: 40, State: tuner.Running, Value: math.NaN(), Params: map[string]any{"x": 0.9, "activation": "relu"},
			Internal:      map[string]float64{"x": 0.9, "activation": 0},
			Distributions: trials[0].Distributions},
		tuner.FrozenTrial{Number: 41, State: tuner.Waiting, Value: math.NaN()})
	if got := review(t, other, 1); !reflect.DeepEqual(got, want) {
		t.Errorf("with Values nil and unfinished trials:\n%v\nwant\n%v", got, want)
	}
}

func TestFindingString(t *testing.T) {
	f := Finding{Kind: NeverWins, Param: "activation", Evidence: "e", Fix: "f"}
	if got, want := f.String(), "[never_wins] activation\n  evidence: e\n  fix:      f"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// Hand-built trials with every kind of range — huge, stepped, log ints,
// one value, values outside their range, infinite objective values — are
// judged without error, and every suggested range is a valid one.
func TestOddTrials(t *testing.T) {
	dists := map[string]tuner.Distribution{
		"huge":    tuner.IntDist{Low: -1 << 52, High: 1 << 52},
		"stepped": tuner.FloatDist{Low: 0, High: 1, Step: 0.25},
		"logint":  tuner.IntDist{Low: 1, High: 1024, Log: true},
		"one":     tuner.FloatDist{Low: 2, High: 2},
		"wide":    tuner.IntDist{Low: 1, High: 1000, Step: 3},
		"flag":    tuner.CategoricalDist{Choices: []any{true, false}},
		"single":  tuner.CategoricalDist{Choices: []any{"only"}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var trials []tuner.FrozenTrial
	for i := range 200 {
		tr := tuner.FrozenTrial{Number: i, State: tuner.Complete, Params: map[string]any{}, Internal: map[string]float64{},
			Distributions: map[string]tuner.Distribution{}}
		score := 0.0
		for _, name := range slices.Sorted(maps.Keys(dists)) {
			d := dists[name]
			var x float64
			switch d := d.(type) {
			case tuner.IntDist:
				k := rng.IntN((d.High-d.Low)/d.IntStep() + 1)
				x = float64(d.Low + k*d.IntStep())
				if d.Log {
					x = math.Round(math.Exp(rng.Float64() * math.Log(float64(d.High))))
				}
			case tuner.FloatDist:
				x = d.Low
				if d.Step > 0 {
					x += float64(rng.IntN(5)) * d.Step
				}
			case tuner.CategoricalDist:
				x = float64(rng.IntN(len(d.Choices)))
			}
			tr.Internal[name], tr.Distributions[name] = x, d
			tr.Params[name] = d.FromInternal(x)
		}
		// Mostly bad at the ends of "wide", best at the top of "logint".
		score = -math.Log(tr.Internal["logint"]) + rng.NormFloat64()
		switch w := tr.Internal["wide"]; {
		case w > 900:
			tr.State, tr.FailKind = tuner.Failed, tuner.FailNaN
		case w < 50:
			score = math.Inf(1)
		}
		if i%50 == 7 {
			tr.Internal["stepped"] = 7 // outside its range: not judged
		}
		tr.Value, tr.Values = score, []float64{score}
		if tr.State != tuner.Complete {
			tr.Value, tr.Values = math.NaN(), nil
		}
		trials = append(trials, tr)
	}
	fs, err := Review(trials, minimize, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if v, ok := f.Suggested.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				t.Errorf("%s:%s suggests %v: %v", f.Kind, f.Param, f.Suggested, err)
			}
		}
		if f.Param == "one" || f.Param == "single" {
			t.Errorf("a finding about a parameter of one value:\n%v", f)
		}
	}
	if _, ok := find(fs, BadRegion, "wide"); !ok {
		t.Errorf("no bad region for wide (infinite below 50, NaN above 900); findings %v", keys(fs))
	}
	if _, ok := find(fs, AtBound, "logint"); !ok {
		t.Errorf("no at_bound for logint (the larger the better); findings %v", keys(fs))
	}
	// The value of "stepped" outside its range in 4 trials keeps them out
	// of the importance check, not the others.
	if _, ok := find(fs, Unimportant, "flag"); !ok {
		t.Errorf("no unimportant finding for flag, which does not matter; findings %v", keys(fs))
	}
}
