package optunaenum

import (
	"errors"
	"math"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// Names go both ways, unknown ones are errors of the documented kind, and
// values split as Optuna stores them.
func TestNamesAndValues(t *testing.T) {
	for st, want := range map[tuner.TrialState]string{tuner.Running: "RUNNING", tuner.Complete: "COMPLETE", tuner.Pruned: "PRUNED", tuner.Failed: "FAIL", tuner.Waiting: "WAITING"} {
		n, err := StateName(st)
		back, err2 := ParseState(n)
		if n != want || err != nil || back != st || err2 != nil {
			t.Errorf("state %v: %q %v, back %v %v; want %q", st, n, err, back, err2, want)
		}
	}
	for d, want := range map[tuner.Direction]string{tuner.Minimize: "MINIMIZE", tuner.Maximize: "MAXIMIZE"} {
		n, err := DirectionName(d)
		back, err2 := ParseDirection(n)
		if n != want || err != nil || back != d || err2 != nil {
			t.Errorf("direction %v: %q %v, back %v %v; want %q", d, n, err, back, err2, want)
		}
	}
	if _, err := ParseState("DONE"); !errors.Is(err, tuner.ErrStorage) {
		t.Errorf("ParseState(DONE) = %v, want ErrStorage", err)
	}
	if _, err := ParseDirection("UP"); !errors.Is(err, tuner.ErrStorage) {
		t.Errorf("ParseDirection(UP) = %v, want ErrStorage", err)
	}
	if _, err := DirectionName(tuner.Direction(7)); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("DirectionName(7) = %v, want ErrConfig", err)
	}
	for _, c := range []struct {
		v    float64
		num  any
		kind string
	}{{1.5, 1.5, "FINITE"}, {math.Inf(1), nil, "INF_POS"}, {math.Inf(-1), nil, "INF_NEG"}, {math.NaN(), nil, "NAN"}} {
		if num, kind := EncodeValue(c.v); num != c.num || kind != c.kind {
			t.Errorf("EncodeValue(%v) = %v, %q; want %v, %q", c.v, num, kind, c.num, c.kind)
		}
	}
}
