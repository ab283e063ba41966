package metrics

import (
	"errors"
	"fmt"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/rowmajor"
)

// ErrConfig is wrapped by errors about a metric that cannot be used: a Func
// without a name or a function, or whose direction is not resolved.
var ErrConfig = errors.New("metrics: invalid config")

// Func returns a Metric made of one function, as http.HandlerFunc makes a
// Handler of one: a custom metric is its name, the way it improves (dir,
// goal.Minimize or goal.Maximize) and eval.
//
// Before eval runs, Eval checks that out (n, outputs) and y (n, k) are valid
// matrices with the same n ≥ 1 rows and at least one column each (else an
// error wrapping ErrShape), so eval only checks what is its own (say, that
// k equals outputs). eval must not modify out or y; its error is returned
// as it is. The trainer reports the value in History as "val_"+name after
// every epoch with a validation set, and callbacks that monitor it with an
// Auto mode take dir.
//
// An empty name, a nil eval or a dir other than Minimize and Maximize is
// reported, wrapping ErrConfig, by Validate, which trainer.New calls, and by
// Eval.
func Func(name string, dir goal.Direction, eval func(out, y rowmajor.Matrix) (float64, error)) Metric {
	return funcMetric{name: name, dir: dir, fn: eval}
}

type funcMetric struct {
	name string
	dir  goal.Direction
	fn   func(out, y rowmajor.Matrix) (float64, error)
}

func (m funcMetric) Name() string              { return m.name }
func (m funcMetric) Direction() goal.Direction { return m.dir }

// Validate reports an empty name, a nil function or an unresolved direction.
func (m funcMetric) Validate() error {
	switch {
	case m.name == "":
		return fmt.Errorf("%w: metrics.Func has an empty name", ErrConfig)
	case m.fn == nil:
		return fmt.Errorf("%w: metrics.Func %q has a nil function", ErrConfig, m.name)
	case !m.dir.Resolved():
		return fmt.Errorf("%w: metrics.Func %q has direction %v, want goal.Minimize or goal.Maximize", ErrConfig, m.name, m.dir)
	}
	return nil
}

// Eval implements Metric.
func (m funcMetric) Eval(out, y rowmajor.Matrix) (float64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if err := checkPair(m.name, out, y); err != nil {
		return 0, err
	}
	return m.fn(out, y)
}
