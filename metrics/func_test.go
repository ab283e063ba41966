package metrics

import (
	"errors"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/rowmajor"
)

// maxError is the largest |out − y|, written as a user would.
func maxError(out, y rowmajor.Matrix) (float64, error) {
	if out.Cols != y.Cols {
		return 0, errors.New("width")
	}
	worst := 0.0
	for i, o := range out.Data {
		worst = max(worst, max(o-y.Data[i], y.Data[i]-o))
	}
	return worst, nil
}

func TestFunc(t *testing.T) {
	m := Func("max_error", goal.Minimize, maxError)
	if m.Name() != "max_error" || m.Direction() != goal.Minimize {
		t.Errorf("Name, Direction = %q, %v; want max_error, minimize", m.Name(), m.Direction())
	}
	got, err := m.Eval(mat(3, 1, 1, 2, 3), mat(3, 1, 1.5, 0, 3))
	if err != nil || got != 2 {
		t.Errorf("Eval = %v, %v; want 2", got, err)
	}
	// The function's own error comes back as it is.
	if _, err := m.Eval(mat(1, 2, 1, 2), mat(1, 1, 1)); err == nil || err.Error() != "width" {
		t.Errorf("Eval with k ≠ outputs: error = %v, want the function's own", err)
	}
	// Shapes are checked before the function runs.
	ran := false
	spy := Func("spy", goal.Maximize, func(out, y rowmajor.Matrix) (float64, error) { ran = true; return 0, nil })
	if _, err := spy.Eval(mat(2, 1, 1, 2), mat(2, 1, 1)); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "spy: targets") || ran {
		t.Errorf("Eval on a short target: error = %v, ran = %v; want ErrShape naming spy's targets before it runs", err, ran)
	}
}

func TestFuncValidate(t *testing.T) {
	for _, c := range []struct {
		m       Metric
		mention string
	}{
		{Func("", goal.Minimize, maxError), "empty name"},
		{Func("nothing", goal.Maximize, nil), `"nothing" has a nil function`},
		{Func("auto", goal.Auto, maxError), "want goal.Minimize or goal.Maximize"},
	} {
		v, ok := c.m.(interface{ Validate() error })
		if !ok {
			t.Fatalf("%T has no Validate method", c.m)
		}
		for what, err := range map[string]error{"Validate": v.Validate(), "Eval": second(c.m.Eval(mat(1, 1, 0), mat(1, 1, 0)))} {
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.mention) {
				t.Errorf("%s: error = %v, want ErrConfig saying %q", what, err, c.mention)
			}
		}
	}
	if err := Func("ok", goal.Maximize, maxError).(interface{ Validate() error }).Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
}

func second(_ float64, err error) error { return err }
