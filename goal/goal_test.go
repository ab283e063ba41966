package goal

import (
	"errors"
	"math"
	"testing"
)

func TestParseAndString(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Direction
	}{{"", Auto}, {"auto", Auto}, {"min", Minimize}, {"minimize", Minimize}, {"max", Maximize}, {"maximize", Maximize}} {
		got, err := Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
		if len(c.in) > len("max") && got.String() != c.in { // String gives the long names
			t.Errorf("%v.String() = %q, want %q", got, got.String(), c.in)
		}
	}
	if _, err := Parse("Max"); !errors.Is(err, ErrDirection) {
		t.Errorf("Parse(\"Max\") error = %v, want ErrDirection", err)
	}
	if s := Direction(7).String(); s != "direction(7)" {
		t.Errorf("Direction(7).String() = %q", s)
	}
}

func TestValidate(t *testing.T) {
	for _, d := range []Direction{Auto, Minimize, Maximize} {
		if err := d.Validate(); err != nil {
			t.Errorf("%v: %v", d, err)
		}
	}
	for _, d := range []Direction{-1, 3} {
		if err := d.Validate(); !errors.Is(err, ErrDirection) {
			t.Errorf("Direction(%d).Validate() = %v, want ErrDirection", int(d), err)
		}
	}
	if Auto.Resolved() || !Minimize.Resolved() || !Maximize.Resolved() {
		t.Error("Resolved: want false for Auto, true for Minimize and Maximize")
	}
}

func TestImprovesAndWorst(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		d                 Direction
		v, best, minDelta float64
		want              bool
	}{
		{Minimize, 0.5, 0.6, 0, true},
		{Minimize, 0.6, 0.5, 0, false},
		{Minimize, 0.55, 0.6, 0.1, false}, // better, but not by more than minDelta
		{Minimize, 0.5, 0.6, 0.1, false},  // exactly minDelta is not more
		{Minimize, 0.4, 0.6, 0.1, true},
		{Maximize, 0.6, 0.5, 0, true},
		{Maximize, 0.5, 0.6, 0, false},
		{Maximize, 0.65, 0.6, 0.1, false},
		{Maximize, 0.8, 0.6, 0.1, true},
		{Maximize, nan, 0.5, 0, false},
		{Minimize, nan, 0.5, 0, false},
		{Maximize, 0.5, nan, 0, false},
		{Minimize, 0.5, math.Inf(1), 0, true},
		{Maximize, -1e300, math.Inf(-1), 0, true},
	} {
		if got := c.d.Improves(c.v, c.best, c.minDelta); got != c.want {
			t.Errorf("%v.Improves(%v, %v, %v) = %v, want %v", c.d, c.v, c.best, c.minDelta, got, c.want)
		}
	}
	if !Maximize.Better(2, 1) || Maximize.Better(1, 1) || !Minimize.Better(1, 2) || Minimize.Better(1, 1) {
		t.Error("Better is not strict Improves(a, b, 0)")
	}
	if !math.IsInf(Minimize.Worst(), 1) || !math.IsInf(Maximize.Worst(), -1) {
		t.Errorf("Worst: %v %v", Minimize.Worst(), Maximize.Worst())
	}
}
