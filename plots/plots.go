// Package plots draws training curves with gonum.org/v1/plot, as PNG or SVG.
package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// ErrInput is wrapped by errors about series that cannot be drawn.
var ErrInput = errors.New("plots: invalid input")

// Series is one named curve. X nil means 1, 2, … len(Y) (epochs).
type Series struct {
	Name string
	X, Y []float64
}

// Lines is a line chart.
type Lines struct {
	Title, XLabel, YLabel string
	LogY                  bool // logarithmic y axis (loss curves, learning rates)
	Series                []Series
}

// Save writes the chart to path; the extension picks the format (.png or
// .svg). Size 0 means 6×4 inches. Non-finite points are skipped (a diverged
// run still plots up to its last finite loss); with LogY, so are points ≤ 0.
func (l Lines) Save(path string, width, height vg.Length) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".png" && ext != ".svg" {
		return fmt.Errorf("%w: %s: extension %q, want .png or .svg", ErrInput, path, ext)
	}
	if len(l.Series) == 0 {
		return fmt.Errorf("%w: %s: no series", ErrInput, path)
	}
	if width == 0 {
		width, height = 6*vg.Inch, 4*vg.Inch
	}
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = l.Title, l.XLabel, l.YLabel
	if l.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{}
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	for i, s := range l.Series {
		if s.X != nil && len(s.X) != len(s.Y) {
			return fmt.Errorf("%w: series %q has %d x and %d y values", ErrInput, s.Name, len(s.X), len(s.Y))
		}
		pts := make(plotter.XYs, 0, len(s.Y))
		for j, y := range s.Y {
			x := float64(j + 1)
			if s.X != nil {
				x = s.X[j]
			}
			if math.IsNaN(y) || math.IsInf(y, 0) || math.IsNaN(x) || math.IsInf(x, 0) || (l.LogY && y <= 0) {
				continue
			}
			pts = append(pts, plotter.XY{X: x, Y: y})
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
	return p.Save(width, height, path)
}

func colorAt(i int) color.Color { return plotutil.SoftColors[i%len(plotutil.SoftColors)] }
