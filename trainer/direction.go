package trainer

import (
	"fmt"
	"strings"

	"github.com/gradtune/gradtune/goal"
)

// MonitorDirection returns the way a monitored quantity improves, by its
// History name (EpochStats.Value): "loss" and "val_loss" are minimized; the
// name of one of Config.Metrics, with or without the "val_" prefix, takes
// that metric's declared Direction. Any other name (a typo, "lr", a metric
// missing from Config.Metrics) is an error wrapping ErrConfig that lists the
// names it knows: the direction is never guessed from the name.
//
// Callbacks whose Mode is goal.Auto call it at FitStart; callbacks of your
// own may do the same.
func (t *Trainer) MonitorDirection(monitor string) (goal.Direction, error) {
	if err := t.usable(); err != nil {
		return goal.Auto, err
	}
	known := []string{"loss", "val_loss"}
	switch monitor {
	case "loss", "val_loss":
		return goal.Minimize, nil
	}
	for _, m := range t.cfg.Metrics {
		name := m.Name()
		if monitor == name || monitor == "val_"+name {
			return m.Direction(), nil
		}
		known = append(known, name, "val_"+name)
	}
	return goal.Auto, fmt.Errorf("%w: monitor %q is neither a loss nor one of Config.Metrics, so whether it should fall or rise is unknown; known: %s (or set the callback's Mode)",
		ErrConfig, monitor, strings.Join(known, ", "))
}

// ResolveMonitor is what a callback that watches a History value calls at
// FitStart: it returns mode, or the monitor's direction (MonitorDirection)
// when mode is goal.Auto. who names the callback in errors. validation says
// whether Fit has a validation set (Event.Validation): without one, a val_*
// monitor (val_loss, val_<metric>, as EpochStats.Value names them) is an
// error wrapping ErrConfig, whatever the mode, since no epoch would have it.
// The built-in callbacks and tunertrainer.PruneOn use it; so can yours.
func (t *Trainer) ResolveMonitor(who, monitor string, mode goal.Direction, validation bool) (goal.Direction, error) {
	if err := mode.Validate(); err != nil {
		return goal.Auto, fmt.Errorf("%w: %s Mode: %w", ErrConfig, who, err)
	}
	if !validation && strings.HasPrefix(monitor, "val_") {
		return goal.Auto, fmt.Errorf("%w: %s monitors %q, which needs a validation set, and Fit has none: pass one to Fit, or monitor \"loss\"",
			ErrConfig, who, monitor)
	}
	if mode != goal.Auto {
		return mode, nil
	}
	d, err := t.MonitorDirection(monitor)
	if err != nil {
		return goal.Auto, fmt.Errorf("%s: %w", who, err)
	}
	return d, nil
}
