// Package tunerplot draws a study's results with gonum.org/v1/plot, after
// optuna.visualization: the optimization history, parallel coordinates of
// the parameters, parameter importances, the intermediate values (learning
// curves) of the trials and, for a study of several objectives, the Pareto
// front. Each function writes one file, PNG or SVG by its extension, 6×4
// inches (the Pareto front of three or more objectives: a grid of panels).
//
//	trials, _ := study.Trials(ctx)
//	err := tunerplot.OptimizationHistory("history.png", trials, study.Direction())
//	imp, _ := importance.Evaluate(trials, importance.Options{})
//	err = tunerplot.Importances("importances.svg", imp)
//
// The charts of one objective draw objective k of a study of several once
// SelectObjective has made it the trials' value:
//
//	err = tunerplot.ParetoFront("front.png", trials, study.Directions(), "accuracy", "params")
//	size, _ := tunerplot.SelectObjective(trials, 1)
//	err = tunerplot.OptimizationHistory("params.png", size, study.Directions()[1])
package tunerplot

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/tuner"
)

// ErrInput is wrapped by errors about what cannot be drawn: a path without
// a .png or .svg extension, no trial to show, bad values. Errors about
// missing complete trials also wrap tuner.ErrNoCompleted.
var ErrInput = errors.New("tunerplot: invalid input")

// The size of every chart.
const (
	width  = 6 * vg.Inch
	height = 4 * vg.Inch
)

// checkPath returns an error unless path ends in .png or .svg (any case).
func checkPath(path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("%w: %s: extension %q, want .png or .svg", ErrInput, path, ext)
	}
	return nil
}

// save writes p to path; a panic inside gonum/plot comes back as an error.
func save(p *plot.Plot, path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = gerr.RecoveredAs("tunerplot: drawing "+path, panics.ErrDependency, r)
		}
	}()
	if err := p.Save(width, height, path); err != nil {
		return fmt.Errorf("tunerplot: %w", err)
	}
	return nil
}

// completed returns the Complete trials with a finite value, in the given
// order, or an error naming what was to be drawn.
func completed(trials []tuner.FrozenTrial, what string) ([]tuner.FrozenTrial, error) {
	var out []tuner.FrozenTrial
	for _, t := range trials {
		if t.State == tuner.Complete && finite(t.Value) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s: %w (%d trials, none Complete with a finite value)", ErrInput, what, tuner.ErrNoCompleted, len(trials))
	}
	return out, nil
}

// checkDirection rejects a Direction that is neither Minimize nor Maximize.
func checkDirection(dir tuner.Direction) error {
	if dir != tuner.Minimize && dir != tuner.Maximize {
		return fmt.Errorf("%w: direction = %d, want tuner.Minimize or tuner.Maximize", ErrInput, dir)
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
