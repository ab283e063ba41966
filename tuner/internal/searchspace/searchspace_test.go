package searchspace

import (
	"errors"
	"maps"
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

func TestToSpaceAndBack(t *testing.T) {
	tr, err := New(map[string]tuner.Distribution{
		"lr": tuner.FloatDist{Low: 1e-4, High: 1, Log: true},
		"k":  tuner.IntDist{Low: 1, High: 1024, Log: true},
		"n":  tuner.IntDist{Low: -10, High: 10},
		"x":  tuner.FloatDist{Low: -5, High: 5},
	})
	if err != nil {
		t.Fatal(err)
	}
	internal := map[string]float64{"k": 32, "lr": 1e-2, "n": -3, "x": 1.25}
	x, ok := tr.ToSpace(internal)
	if !ok {
		t.Fatal("ToSpace refused a complete point")
	}
	// names sorted: k, lr, n, x; the Log ones as their logarithm, Python's
	// math.log(32) and math.log(1e-2) (Go's math.Log(1e-2) is one ulp lower)
	if want := []float64{3.4657359027997265, -4.605170185988091, -3, 1.25}; !slices.Equal(x, want) {
		t.Errorf("ToSpace = %v, want %v", x, want)
	}
	if back := tr.FromSpace(x); back["k"] != 32 || back["n"] != -3 || back["x"] != 1.25 || math.Abs(back["lr"]/1e-2-1) > 1e-15 {
		t.Errorf("FromSpace(ToSpace(p)) = %v, want %v", back, internal)
	}
	if _, ok := tr.ToSpace(map[string]float64{"k": 32}); ok {
		t.Error("ToSpace accepted a point lacking parameters")
	}
}

func TestIntersection(t *testing.T) {
	f := tuner.FloatDist{Low: 0, High: 1}
	trial := func(state tuner.TrialState, dists map[string]tuner.Distribution) tuner.FrozenTrial {
		return tuner.FrozenTrial{State: state, Distributions: dists}
	}
	trials := []tuner.FrozenTrial{
		trial(tuner.Running, map[string]tuner.Distribution{"only-running": f}),
		trial(tuner.Complete, map[string]tuner.Distribution{"a": f, "b": f, "c": f, "d": f}),
		trial(tuner.Pruned, map[string]tuner.Distribution{"a": f, "c": f}),
		trial(tuner.Complete, map[string]tuner.Distribution{"a": f, "b": f, "d": tuner.FloatDist{Low: 0, High: 2}}),
		trial(tuner.Failed, map[string]tuner.Distribution{"a": f}),
	}
	names := func(m map[string]tuner.Distribution) []string {
		return slices.Sorted(maps.Keys(m))
	}
	if got := names(Intersection(trials, false)); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("complete trials: %v, want [a b] (d's range differs)", got)
	}
	if got := names(Intersection(trials, true)); !slices.Equal(got, []string{"a"}) {
		t.Errorf("complete and pruned trials: %v, want [a]", got)
	}
	if got := Intersection(trials[:1], false); len(got) != 0 {
		t.Errorf("no finished trial: %v, want empty", got)
	}
}
