// Package goal says which way a monitored number improves. Its Direction is
// shared by metrics (which declare theirs), the trainer's callbacks, the
// plateau scheduler and the tuner, so that "higher is better" is stated once
// and never guessed from a name. It has no dependencies.
package goal

import (
	"errors"
	"fmt"
	"math"
)

// ErrDirection is wrapped by errors about a Direction that is out of range
// or cannot be parsed.
var ErrDirection = errors.New("goal: invalid direction")

// Direction is the way a value improves. The zero value, Auto, means "take
// the direction the monitored metric declares": whoever knows the metric
// resolves it (the trainer from its configured metrics and losses, the
// tuner to Minimize, its default).
type Direction int

const (
	Auto     Direction = iota // resolved from the monitored metric
	Minimize                  // lower is better: losses, errors
	Maximize                  // higher is better: accuracy, F1, AUC
)

// String returns "auto", "minimize" or "maximize".
func (d Direction) String() string {
	switch d {
	case Auto:
		return "auto"
	case Minimize:
		return "minimize"
	case Maximize:
		return "maximize"
	}
	return fmt.Sprintf("direction(%d)", int(d))
}

// Parse reads "min"/"minimize", "max"/"maximize", or "" / "auto" (Keras's
// and torch's mode strings). Anything else is an error wrapping ErrDirection.
func Parse(s string) (Direction, error) {
	switch s {
	case "", "auto":
		return Auto, nil
	case "min", "minimize":
		return Minimize, nil
	case "max", "maximize":
		return Maximize, nil
	}
	return Auto, fmt.Errorf("%w: %q, want \"min\" (or \"minimize\"), \"max\" (or \"maximize\") or \"auto\"", ErrDirection, s)
}

// Validate returns an error wrapping ErrDirection unless d is Auto,
// Minimize or Maximize.
func (d Direction) Validate() error {
	if d != Auto && d != Minimize && d != Maximize {
		return fmt.Errorf("%w: %d, want goal.Auto, goal.Minimize or goal.Maximize", ErrDirection, int(d))
	}
	return nil
}

// Resolved reports whether d is Minimize or Maximize.
func (d Direction) Resolved() bool { return d == Minimize || d == Maximize }

// Improves reports whether v beats best by more than minDelta (≥ 0): v <
// best − minDelta when minimizing, v > best + minDelta when maximizing, as
// Keras's EarlyStopping. NaN never improves, and nothing improves on NaN.
// Resolve Auto first: it compares as Minimize.
func (d Direction) Improves(v, best, minDelta float64) bool {
	if d == Maximize {
		return v > best+minDelta
	}
	return v < best-minDelta
}

// Better reports whether a is strictly better than b: Improves(a, b, 0).
func (d Direction) Better(a, b float64) bool { return d.Improves(a, b, 0) }

// Worst returns the value every finite value improves on: +Inf when
// minimizing, −Inf when maximizing (torch's mode_worse). Auto gives +Inf.
func (d Direction) Worst() float64 {
	if d == Maximize {
		return math.Inf(-1)
	}
	return math.Inf(1)
}
