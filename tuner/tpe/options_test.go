package tpe

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/goal"
)

// The zero Options are Optuna's defaults: 24 candidates, DefaultGamma,
// DefaultWeights, prior weight 1.
func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.EICandidates != 24 || o.Gamma(30) != 3 || o.Gamma(1000) != 25 || len(o.Weights(30)) != 30 || o.Weights(30)[0] != 1.0/30 || o.PriorWeight != 1 {
		t.Errorf("defaults: candidates %d, gamma(30) %d, gamma(1000) %d, weights(30)[0] %v, prior weight %v",
			o.EICandidates, o.Gamma(30), o.Gamma(1000), o.Weights(30)[0], o.PriorWeight)
	}
	o = Options{EICandidates: 100, Gamma: HyperoptGamma, PriorWeight: 2}.withDefaults()
	if o.EICandidates != 100 || o.Gamma(30) != 2 || o.PriorWeight != 2 {
		t.Errorf("overrides: candidates %d, gamma(30) %d, prior weight %v", o.EICandidates, o.Gamma(30), o.PriorWeight)
	}
	obs, err := Split([]Trial{{Value: 1, X: []float64{0.25}}, {Value: 2, X: []float64{0.75}}}, goal.Minimize, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := Acquire([]Dist{{Low: 0, High: 1}}, obs, Options{}, func() float64 { return 0.5 })
	if err != nil || len(a.Candidates[0]) != 24 {
		t.Errorf("Acquire with zero Options: %v candidates (%v), want 24", len(a.Candidates), err)
	}
}

// Bad options and input are errors naming what is wrong, never panics.
func TestErrors(t *testing.T) {
	one := []Trial{{Value: 1, X: []float64{0.5}}, {Value: 2, X: []float64{0.25}}}
	obs, err := Split(one, goal.Minimize, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	u := func() float64 { return 0.5 }
	x01 := []Dist{{Low: 0, High: 1}}
	for _, c := range []struct {
		name string
		err  func() error
		want error
		text string
	}{
		{"candidates", func() error { _, err := Acquire(x01, obs, Options{EICandidates: -1}, u); return err }, ErrOptions, "EICandidates = -1"},
		{"prior weight", func() error { _, err := Acquire(x01, obs, Options{PriorWeight: math.NaN()}, u); return err }, ErrOptions, "PriorWeight = NaN"},
		{"weights", func() error {
			_, err := Acquire(x01, obs, Options{Weights: func(int) []float64 { return nil }}, u)
			return err
		}, ErrOptions, "Weights(1) returned 0 values, want 1"},
		{"weights panic", func() error {
			_, err := Acquire(x01, obs, Options{Weights: func(int) []float64 { panic("boom") }}, u)
			return err
		}, ErrOptions, "panicked: boom"},
		{"gamma", func() error {
			_, err := Split(one, goal.Minimize, 1, Options{Gamma: func(int) int { return -1 }})
			return err
		}, ErrOptions, "Gamma(2) = -1"},
		{"trial width", func() error { _, err := Split(one, goal.Minimize, 2, Options{}); return err }, ErrInput, "trial 0 has 1 parameters, want 2"},
		{"state", func() error {
			_, err := Split([]Trial{{State: 7, X: []float64{0}}}, goal.Minimize, 1, Options{})
			return err
		}, ErrInput, "state 7"},
		{"empty space", func() error { _, err := Acquire(nil, Observations{}, Options{}, u); return err }, ErrInput, "empty search space"},
		{"bad range", func() error { _, err := Acquire([]Dist{{Low: 1, High: 0}}, obs, Options{}, u); return err }, ErrInput, "want finite Low ≤ High"},
		{"log range", func() error { _, err := Acquire([]Dist{{Low: 0, High: 1, Log: true}}, obs, Options{}, u); return err }, ErrInput, "want Low > 0"},
		{"shape", func() error { _, err := Acquire([]Dist{{High: 1}, {High: 1}}, obs, Options{}, u); return err }, ErrInput, "Below has 1 parameters, want 2"},
		{"choice", func() error {
			_, err := Acquire([]Dist{{Choices: 2}}, Observations{Below: [][]float64{{2}}, Above: [][]float64{{}}}, Options{}, u)
			return err
		}, ErrInput, "Below[0][0] = 2"},
	} {
		err := c.err()
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, want %v mentioning %q", c.name, err, c.want, c.text)
		}
	}
}

// Found by a newcomer review: a huge EICandidates aborted the process
// allocating the candidates, a nil u was blamed on Gamma or Weights, and
// DefaultWeights of a negative count panicked.
func TestAcquireRefusesHugeCandidatesAndNilU(t *testing.T) {
	obs, err := Split([]Trial{{Value: 1, X: []float64{0.25}}, {Value: 2, X: []float64{0.75}}}, goal.Minimize, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	space := []Dist{{Low: 0, High: 1}}
	u := func() float64 { return 0.5 }
	if _, err := Acquire(space, obs, Options{EICandidates: 1 << 40}, u); !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "EICandidates") {
		t.Errorf("EICandidates 2^40: %v, want ErrOptions naming EICandidates", err)
	}
	if _, err := Acquire(space, obs, Options{}, nil); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "nil u") {
		t.Errorf("nil u: %v, want ErrInput naming u", err)
	}
	if w := DefaultWeights(-3); len(w) != 0 {
		t.Errorf("DefaultWeights(-3) = %v, want none", w)
	}
}

// DefaultWeights of more observations than a study can hold is nil, which
// Acquire refuses; 2^40 aborted the process (out of memory).
func TestDefaultWeightsOverMaxObservations(t *testing.T) {
	for _, n := range []int{1 << 40, MaxObservations + 1} {
		if w := DefaultWeights(n); w != nil {
			t.Errorf("DefaultWeights(%d) has %d weights, want nil", n, len(w))
		}
	}
	if w := DefaultWeights(30); len(w) != 30 || w[29] != 1 {
		t.Errorf("DefaultWeights(30) = %v, want 30 weights ending in 1", w)
	}
	o := Options{Weights: func(int) []float64 { return DefaultWeights(1 << 40) }}
	obs := Observations{N: 2, Below: [][]float64{{0.2}}, Above: [][]float64{{0.7}}}
	if _, err := Acquire([]Dist{{Low: 0, High: 1}}, obs, o, func() float64 { return 0.5 }); !errors.Is(err, ErrOptions) {
		t.Errorf("Acquire with nil weights = %v, want ErrOptions", err)
	}
}

// Chosen of an Acquisition whose Best is no index of its candidates (one
// Acquire did not make) is NaN there; it panicked.
func TestChosenOutsideCandidatesIsNaN(t *testing.T) {
	a := Acquisition{Candidates: [][]float64{{0.25, 0.5}, {3}}, Best: 1}
	got := a.Chosen()
	if len(got) != 2 || got[0] != 0.5 || !math.IsNaN(got[1]) {
		t.Errorf("Chosen = %v, want [0.5 NaN]", got)
	}
	if got := (Acquisition{Candidates: [][]float64{{1}}, Best: -1}).Chosen(); !math.IsNaN(got[0]) {
		t.Errorf("Chosen with Best -1 = %v, want [NaN]", got)
	}
}
