package searchspace

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

func TestNewBoundsAndOrder(t *testing.T) {
	tr, err := New(map[string]tuner.Distribution{
		"x":     tuner.FloatDist{Low: -1, High: 1},
		"lr":    tuner.FloatDist{Low: 1e-4, High: 1e-2, Log: true},
		"drop":  tuner.FloatDist{Low: 0, High: 0.5, Step: 0.1},
		"units": tuner.IntDist{Low: 1, High: 9, Step: 2},
		"batch": tuner.IntDist{Low: 8, High: 64, Log: true},
		"act":   tuner.CategoricalDist{Choices: []any{"relu", "tanh"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"batch", "drop", "lr", "units", "x"}; !slices.Equal(tr.Names, want) {
		t.Fatalf("names %v, want %v (sorted, categorical left out)", tr.Names, want)
	}
	want := [][2]float64{
		{math.Log(7.5), math.Log(64.5)}, {-0.05, 0.55}, {math.Log(1e-4), math.Log(1e-2)}, {0, 10}, {-1, 1},
	}
	for i, w := range want {
		if math.Abs(tr.Low[i]-w[0]) > 1e-15 || math.Abs(tr.High[i]-w[1]) > 1e-15 {
			t.Errorf("%s: bounds [%v, %v], want %v", tr.Names[i], tr.Low[i], tr.High[i], w)
		}
	}
	if _, err := New(map[string]tuner.Distribution{"bad": tuner.FloatDist{Low: 2, High: 1}}); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("an invalid range: err %v, want tuner.ErrConfig", err)
	}
}

func TestUntransform(t *testing.T) {
	for _, c := range []struct {
		x    float64
		d    tuner.Distribution
		want float64
	}{
		{0.25, tuner.FloatDist{Low: 0, High: 1, Step: 0.5}, 0},        // 0.5 steps: half rounds to even
		{0.75, tuner.FloatDist{Low: 0, High: 1, Step: 0.5}, 1},        // 1.5 → 2 steps, then clipped to 1
		{1.0, tuner.FloatDist{Low: 0, High: 1}, math.Nextafter(1, 0)}, // High itself is never drawn
		{3.0, tuner.FloatDist{Low: 3, High: 3}, 3},                    // a single value is kept
		{2.5, tuner.IntDist{Low: 0, High: 10}, 2},                     // half to even
		{3.5, tuner.IntDist{Low: 0, High: 10}, 4},
		{10.5, tuner.IntDist{Low: 0, High: 10}, 10},
		{4, tuner.IntDist{Low: 1, High: 9, Step: 2}, 5}, // (4−1)/2 = 1.5 → 2 steps
		{math.Log(7.5), tuner.IntDist{Low: 8, High: 64, Log: true}, 8},
		{math.Log(64.5), tuner.IntDist{Low: 8, High: 64, Log: true}, 64},
		{0, tuner.FloatDist{Low: 0.5, High: 2, Log: true}, 1},
		{0, tuner.CategoricalDist{Choices: []any{1}}, math.NaN()},
	} {
		got := Untransform(c.x, c.d)
		if got != c.want && !(math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("Untransform(%v, %v) = %v, want %v", c.x, c.d, got, c.want)
		}
	}
}
