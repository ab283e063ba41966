package tunerplot

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradtune/gradtune/tuner"
)

// OptimizationHistory draws the objective value of every Complete trial
// (points at x = trial number) and the best value so far in direction dir
// (a step line), as optuna.visualization.plot_optimization_history. Pruned,
// failed and unfinished trials, and non-finite values, are left out. It
// returns an error wrapping ErrInput (and tuner.ErrNoCompleted) when there is
// no Complete trial with a finite value, or ErrInput for a bad extension or
// direction.
func OptimizationHistory(path string, trials []tuner.FrozenTrial, dir tuner.Direction) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if err := checkDirection(dir); err != nil {
		return err
	}
	done, err := completed(trials, "optimization history")
	if err != nil {
		return err
	}
	points, best := history(done, dir)
	p := plot.New()
	p.Title.Text = "Optimization history (" + dir.String() + ")"
	p.X.Label.Text, p.Y.Label.Text = "trial", "objective value"
	p.Add(plotter.NewGrid())
	sc, err := plotter.NewScatter(points)
	if err != nil {
		return fmt.Errorf("tunerplot: %w", err)
	}
	sc.GlyphStyle = draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: vg.Points(2.5), Color: plotutil.SoftColors[0]}
	line, err := plotter.NewLine(best)
	if err != nil {
		return fmt.Errorf("tunerplot: %w", err)
	}
	line.StepStyle = plotter.PostStep
	line.Color, line.Width = plotutil.SoftColors[1], vg.Points(1.5)
	p.Add(sc, line)
	p.Legend.Add("objective value", sc)
	p.Legend.Add("best value", line)
	p.Legend.Top = dir == tuner.Minimize // away from the best-so-far line
	return save(p, path)
}

// history returns the trials' values (x = trial number) and the best value
// so far in direction dir, in trial-number order.
func history(done []tuner.FrozenTrial, dir tuner.Direction) (points, best plotter.XYs) {
	sort.SliceStable(done, func(i, j int) bool { return done[i].Number < done[j].Number })
	points = make(plotter.XYs, len(done))
	best = make(plotter.XYs, len(done))
	for i, t := range done {
		points[i] = plotter.XY{X: float64(t.Number), Y: t.Value}
		best[i] = points[i]
		if i > 0 && !dir.Better(t.Value, best[i-1].Y) {
			best[i].Y = best[i-1].Y
		}
	}
	return points, best
}
