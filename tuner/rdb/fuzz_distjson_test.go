package rdb_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

// Whatever the text, UnmarshalDistribution returns a distribution or an
// error wrapping tuner.ErrStorage, never panics; a distribution it returns
// is written by MarshalDistribution and read back unchanged.
func FuzzUnmarshalDistribution(f *testing.F) {
	for _, s := range []string{
		`{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.0001, "high": 0.1, "log": true}}`,
		`{"name": "IntDistribution", "attributes": {"log": false, "step": 2, "low": 0, "high": 10}}`,
		`{"name": "CategoricalDistribution", "attributes": {"choices": ["a", 1, 2.5, true, 1.0, 1e-07]}}`,
		`{"name": "DiscreteUniformDistribution", "attributes": {"low": 0.0, "high": 1.0, "q": 0.5}}`,
		`{"name": "IntLogUniformDistribution", "attributes": {"low": 1, "high": 9, "step": 1}}`,
		`{"name": "CategoricalDistribution", "attributes": {"choices": [null]}}`,
		`not json`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := rdb.UnmarshalDistribution(s)
		if err != nil {
			if !errors.Is(err, tuner.ErrStorage) {
				t.Fatalf("%v, want tuner.ErrStorage", err)
			}
			return
		}
		js, err := rdb.MarshalDistribution(d)
		if err != nil {
			t.Fatalf("%#v read from %q does not marshal: %v", d, s, err)
		}
		back, err := rdb.UnmarshalDistribution(js)
		if err != nil || !reflect.DeepEqual(back, d) {
			t.Fatalf("%#v wrote %s, read back as %#v (%v)", d, js, back, err)
		}
	})
}
