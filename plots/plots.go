// Package plots draws training curves with gonum.org/v1/plot, as PNG or SVG.
package plots

import (
	"errors"
	"image/color"

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
// It draws through Chart, which also turns a gonum panic (a constant series
// on a log axis) into an error.
func (l Lines) Save(path string, width, height vg.Length) error {
	return Chart{Title: l.Title, XLabel: l.XLabel, YLabel: l.YLabel, LogY: l.LogY, Series: l.Series}.Save(path, width, height)
}

func colorAt(i int) color.Color { return plotutil.SoftColors[i%len(plotutil.SoftColors)] }
