package rdb_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// TestDistributionJSON: the JSON is what Optuna 3.1.0's distribution_to_json
// printed for the same distributions (run by hand with /usr/bin/python3),
// and reads back to the same distribution.
func TestDistributionJSON(t *testing.T) {
	cases := []struct {
		d    tuner.Distribution
		json string
	}{
		{tuner.FloatDist{Low: 1e-4, High: 0.1, Log: true}, `{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.0001, "high": 0.1, "log": true}}`},
		{tuner.FloatDist{Low: 0, High: 1, Step: 0.25}, `{"name": "FloatDistribution", "attributes": {"step": 0.25, "low": 0.0, "high": 1.0, "log": false}}`},
		{tuner.FloatDist{Low: -2, High: 1e20}, `{"name": "FloatDistribution", "attributes": {"step": null, "low": -2.0, "high": 1e+20, "log": false}}`},
		{tuner.IntDist{Low: 1, High: 8}, `{"name": "IntDistribution", "attributes": {"log": false, "step": 1, "low": 1, "high": 8}}`},
		{tuner.IntDist{Low: 1, High: 64, Log: true}, `{"name": "IntDistribution", "attributes": {"log": true, "step": 1, "low": 1, "high": 64}}`},
		{tuner.IntDist{Low: 0, High: 10, Step: 2}, `{"name": "IntDistribution", "attributes": {"log": false, "step": 2, "low": 0, "high": 10}}`},
		{tuner.CategoricalDist{Choices: []any{"a", 1, 2.5, true, 1.0, 1e-7}},
			`{"name": "CategoricalDistribution", "attributes": {"choices": ["a", 1, 2.5, true, 1.0, 1e-07]}}`},
		{tuner.CategoricalDist{Choices: []any{"gélu", "☃\"\\\n", "\U0001F600"}},
			`{"name": "CategoricalDistribution", "attributes": {"choices": ["g\u00e9lu", "\u2603\"\\\n", "\ud83d\ude00"]}}`},
	}
	for _, c := range cases {
		got, err := rdb.MarshalDistribution(c.d)
		if err != nil || got != c.json {
			t.Errorf("%v:\n got %s (%v)\nwant %s", c.d, got, err, c.json)
		}
		back, err := rdb.UnmarshalDistribution(c.json)
		if err != nil || !reflect.DeepEqual(back, c.d) {
			t.Errorf("%s read back as %#v (%v), want %#v", c.json, back, err, c.d)
		}
	}
	legacy := map[string]tuner.Distribution{
		`{"name": "UniformDistribution", "attributes": {"low": 0.0, "high": 2.0}}`:                   tuner.FloatDist{High: 2},
		`{"name": "LogUniformDistribution", "attributes": {"low": 0.001, "high": 1.0}}`:              tuner.FloatDist{Low: 0.001, High: 1, Log: true},
		`{"name": "DiscreteUniformDistribution", "attributes": {"low": 0.0, "high": 1.0, "q": 0.5}}`: tuner.FloatDist{High: 1, Step: 0.5},
		`{"name": "IntUniformDistribution", "attributes": {"low": 1, "high": 9, "step": 2}}`:         tuner.IntDist{Low: 1, High: 9, Step: 2},
		`{"name": "IntLogUniformDistribution", "attributes": {"low": 1, "high": 9, "step": 1}}`:      tuner.IntDist{Low: 1, High: 9, Log: true},
	}
	for js, want := range legacy {
		if got, err := rdb.UnmarshalDistribution(js); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s read as %#v (%v), want %#v", js, got, err, want)
		}
	}
	for _, bad := range []string{`{"name": "Nope", "attributes": {}}`, `not json`,
		`{"name": "CategoricalDistribution", "attributes": {"choices": [null]}}`,
		`{"name": "IntDistribution", "attributes": {"log": false, "step": 1, "low": 0.5, "high": 2}}`} {
		if _, err := rdb.UnmarshalDistribution(bad); !errors.Is(err, tuner.ErrStorage) {
			t.Errorf("%s: %v, want tuner.ErrStorage", bad, err)
		}
	}
}
