package tunerplot

import (
	"fmt"
	"image/color"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradtune/gradtune/tuner"
)

// IntermediateValues draws the values each trial reported (Trial.Report),
// one line per trial over its steps, as
// optuna.visualization.plot_intermediate_values: complete and running
// trials solid, pruned trials dashed with a cross where they stopped,
// failed trials dotted. Non-finite values are skipped. The legend names
// the styles, not the trials. Errors wrap ErrInput: a bad extension, or no
// trial with a finite intermediate value.
func IntermediateValues(path string, trials []tuner.FrozenTrial) error {
	if err := checkPath(path); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = "Intermediate values"
	p.X.Label.Text, p.Y.Label.Text = "step", "intermediate value"
	p.Add(plotter.NewGrid())
	var stops plotter.XYs                           // where pruned trials stopped
	legend := map[tuner.TrialState]draw.LineStyle{} // the styles drawn, in gray
	drawn := 0
	for _, t := range trials {
		steps := make([]int, 0, len(t.Intermediate))
		for s, v := range t.Intermediate {
			if finite(v) {
				steps = append(steps, s)
			}
		}
		if len(steps) == 0 {
			continue
		}
		sort.Ints(steps)
		pts := make(plotter.XYs, len(steps))
		for i, s := range steps {
			pts[i] = plotter.XY{X: float64(s), Y: t.Intermediate[s]}
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("tunerplot: trial %d: %w", t.Number, err)
		}
		line.Color = plotutil.SoftColors[drawn%len(plotutil.SoftColors)]
		line.Width = vg.Points(1.2)
		switch t.State {
		case tuner.Pruned:
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			stops = append(stops, pts[len(pts)-1])
		case tuner.Failed:
			line.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
		}
		if len(pts) == 1 { // a single point: show it
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return fmt.Errorf("tunerplot: trial %d: %w", t.Number, err)
			}
			sc.Color = line.Color
			p.Add(sc)
		}
		p.Add(line)
		legend[t.State] = draw.LineStyle{Color: color.Gray{Y: 90}, Width: line.Width, Dashes: line.Dashes}
		drawn++
	}
	if drawn == 0 {
		return fmt.Errorf("%w: intermediate values: none of the %d trials reported a finite value", ErrInput, len(trials))
	}
	if len(stops) > 0 {
		sc, err := plotter.NewScatter(stops)
		if err != nil {
			return fmt.Errorf("tunerplot: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Shape: draw.CrossGlyph{}, Radius: vg.Points(3.5), Color: plotutil.DarkColors[1]}
		p.Add(sc)
		p.Legend.Add("pruned here", sc)
	}
	for _, s := range []tuner.TrialState{tuner.Complete, tuner.Running, tuner.Pruned, tuner.Failed, tuner.Waiting} {
		if style, ok := legend[s]; ok {
			p.Legend.Add(s.String(), &plotter.Line{LineStyle: style})
		}
	}
	p.Legend.Top = true
	return save(p, path)
}
