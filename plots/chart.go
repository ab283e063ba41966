package plots

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/panics"
)

// Mark is a labeled vertical line at X, e.g. a suggested learning rate.
type Mark struct {
	Name string
	X    float64
}

// Chart is a line chart like Lines, with a logarithmic x axis as an option
// (learning-rate range tests) and vertical marks.
type Chart struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Series                []Series
	Marks                 []Mark
	// YMin and YMax, when YMin < YMax, fix the y axis; lines leaving it
	// are clipped (a range test's blow-up would flatten the rest).
	YMin, YMax float64
}

// Save writes the chart to path, as Lines.Save does (.png or .svg; size 0
// means 6×4 inches; non-finite points skipped, and with a log axis, points
// ≤ 0 on it). A mark spans the y range of the plotted points; one that
// cannot be drawn (non-finite X, X ≤ 0 on a log x axis, no points) is an
// error wrapping ErrInput.
func (c Chart) Save(path string, width, height vg.Length) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("%w: %s: extension %q, want .png or .svg", ErrInput, path, ext)
	}
	if len(c.Series) == 0 {
		return fmt.Errorf("%w: %s: no series", ErrInput, path)
	}
	if width == 0 {
		width, height = 6*vg.Inch, 4*vg.Inch
	}
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = c.Title, c.XLabel, c.YLabel
	if c.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{}
	}
	if c.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{}
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	drawable := func(v float64, log bool) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && (!log || v > 0) }
	yMin, yMax := math.Inf(1), math.Inf(-1)
	for i, s := range c.Series {
		if s.X != nil && len(s.X) != len(s.Y) {
			return fmt.Errorf("%w: series %q has %d x and %d y values", ErrInput, s.Name, len(s.X), len(s.Y))
		}
		pts := make(plotter.XYs, 0, len(s.Y))
		for j, y := range s.Y {
			x := float64(j + 1)
			if s.X != nil {
				x = s.X[j]
			}
			if drawable(x, c.LogX) && drawable(y, c.LogY) {
				pts = append(pts, plotter.XY{X: x, Y: y})
				yMin, yMax = math.Min(yMin, y), math.Max(yMax, y)
			}
		}
		if len(pts) == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plots: series %q: %w", s.Name, err)
		}
		line.Color = colorAt(i)
		line.Width = vg.Points(1.5)
		line.Dashes = plotutil.Dashes(i / len(plotutil.SoftColors))
		p.Add(line)
		p.Legend.Add(s.Name, line)
	}
	for i, m := range c.Marks {
		if !drawable(m.X, c.LogX) || yMin > yMax {
			return fmt.Errorf("%w: %s: mark %q at x = %v cannot be drawn (log x axis: %v, plotted points: %v)", ErrInput, path, m.Name, m.X, c.LogX, yMin <= yMax)
		}
		line, err := plotter.NewLine(plotter.XYs{{X: m.X, Y: yMin}, {X: m.X, Y: yMax}})
		if err != nil {
			return fmt.Errorf("plots: mark %q: %w", m.Name, err)
		}
		line.Color = colorAt(len(c.Series) + i)
		line.Width = vg.Points(1)
		line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)} // dashed: a marker, not data
		p.Add(line)
		p.Legend.Add(m.Name, line)
	}
	if c.YMin < c.YMax {
		p.Y.Min, p.Y.Max = c.YMin, c.YMax
	}
	for _, ax := range []struct {
		a   *plot.Axis
		log bool
	}{{&p.X, c.LogX}, {&p.Y, c.LogY}} {
		if !ax.log {
			continue
		}
		// gonum widens an empty range to [v−1, v+1], which a log axis
		// cannot draw (it panics): widen it by half a decade each way.
		if ax.a.Min == ax.a.Max && ax.a.Min > 0 {
			ax.a.Min, ax.a.Max = ax.a.Min/math.Sqrt(10), ax.a.Max*math.Sqrt(10)
		}
		// LogTicks labels powers of ten only: under two decades that is
		// one label or none, so use ordinary ticks.
		if ax.a.Min > 0 && ax.a.Max < 100*ax.a.Min {
			ax.a.Tick.Marker = plot.DefaultTicks{}
		}
	}
	return save(p, width, height, path)
}

// save is p.Save with gonum's panics (bad ranges on a log axis, fonts)
// returned as errors.
func save(p *plot.Plot, width, height vg.Length, path string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %w", ErrInput, gerr.RecoveredAs(path+": gonum/plot", panics.ErrDependency, r))
		}
	}()
	return p.Save(width, height, path)
}
