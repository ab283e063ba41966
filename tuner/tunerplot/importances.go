package tunerplot

import (
	"fmt"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Importances draws parameter importances (importance.Evaluate's map) as a
// horizontal bar chart, the most important parameter at the top, each bar
// labelled with its value, as optuna.visualization.plot_param_importances.
// Ties are ordered by name. Errors wrap ErrInput: a bad extension, an empty
// map, or an importance that is negative or not finite.
func Importances(path string, importances map[string]float64) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if len(importances) == 0 {
		return fmt.Errorf("%w: importances: no parameters", ErrInput)
	}
	names := make([]string, 0, len(importances))
	for k, v := range importances {
		if !finite(v) || v < 0 {
			return fmt.Errorf("%w: importance of %q = %v, want finite and ≥ 0", ErrInput, k, v)
		}
		names = append(names, k)
	}
	// Ascending: NominalY puts the first name at the bottom.
	sort.Slice(names, func(i, j int) bool {
		a, b := importances[names[i]], importances[names[j]]
		if a != b {
			return a < b
		}
		return names[i] > names[j]
	})
	values := make(plotter.Values, len(names))
	labels := plotter.XYLabels{}
	for i, n := range names {
		values[i] = importances[n]
		labels.XYs = append(labels.XYs, plotter.XY{X: values[i], Y: float64(i)})
		labels.Labels = append(labels.Labels, strconv.FormatFloat(values[i], 'f', 3, 64))
	}
	p := plot.New()
	p.Title.Text = "Parameter importances"
	p.X.Label.Text = "importance"
	p.X.Min = 0
	bars, err := plotter.NewBarChart(values, vg.Points(14))
	if err != nil {
		return fmt.Errorf("tunerplot: %w", err)
	}
	bars.Horizontal = true
	bars.Color, bars.LineStyle.Width = plotutil.SoftColors[0], 0
	lab, err := plotter.NewLabels(labels)
	if err != nil {
		return fmt.Errorf("tunerplot: %w", err)
	}
	for i := range lab.TextStyle {
		lab.TextStyle[i].XAlign, lab.TextStyle[i].YAlign = draw.XLeft, draw.YCenter
		lab.TextStyle[i].Font.Size = vg.Points(8)
	}
	lab.Offset = vg.Point{X: vg.Points(4)}
	p.Add(bars, lab)
	p.NominalY(names...)
	p.Y.Min, p.Y.Max = -0.6, float64(len(names))-0.4 // half a bar of room
	// Room for the value labels right of the longest bar.
	p.X.Max = max(p.X.Max, 1.15*values[len(values)-1])
	return save(p, path)
}
