package tunerplot

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradtune/gradtune/tuner"
)

// ParallelCoordinates draws one vertical axis per parameter, after an axis
// for the objective, and one line per Complete trial across them, as
// optuna.visualization.plot_parallel_coordinate. Each axis is scaled to
// [0, 1]: the objective from its lowest to its highest value, a numeric
// parameter over its distribution's range [Low, High] (on a log scale for
// Log parameters), a categorical one by the index of the choice (i/(n−1)).
// Lines are colored by objective value, dark blue for the best and dark red
// for the worst in direction dir, and drawn worst first so the best lie on
// top. Axes are ordered by parameter name, conditional parameters (those
// some trials lack) last; the labels at the ends (and at each choice) give
// the real values.
//
// The axes are the union of the Complete trials' parameters; where a trial
// did not suggest one (a conditional parameter) its line breaks around that
// axis. Differences from Optuna: Optuna leaves such trials out altogether;
// parameter axes span the declared range rather than the values seen; the
// objective axis comes first, as Optuna's, but there is no color bar.
//
// Errors wrap ErrInput: a bad extension or direction, no Complete trial
// with a finite value (also tuner.ErrNoCompleted), or no parameters.
func ParallelCoordinates(path string, trials []tuner.FrozenTrial, dir tuner.Direction) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if err := checkDirection(dir); err != nil {
		return err
	}
	done, err := completed(trials, "parallel coordinates")
	if err != nil {
		return err
	}
	dists := map[string]tuner.Distribution{}
	for _, t := range done {
		for k, d := range t.Distributions {
			if _, ok := dists[k]; !ok {
				dists[k] = d
			}
		}
	}
	names := axes(done, dists)
	if len(names) == 0 {
		return fmt.Errorf("%w: parallel coordinates: the %d complete trials have no parameters", ErrInput, len(done))
	}

	lo, hi := math.Inf(1), math.Inf(-1)
	for _, t := range done {
		lo, hi = math.Min(lo, t.Value), math.Max(hi, t.Value)
	}
	// Worst first, best last (on top).
	sort.SliceStable(done, func(i, j int) bool { return dir.Better(done[j].Value, done[i].Value) })
	cmap := moreland.SmoothBlueRed()
	cmap.SetMin(0)
	cmap.SetMax(1)

	p := plot.New()
	p.Title.Text = "Parallel coordinates (blue: best, red: worst)"
	p.HideY()
	p.Y.Min, p.Y.Max = -0.08, 1.08
	ticks := plot.ConstantTicks{{Value: 0, Label: "objective"}}
	for i, n := range names {
		ticks = append(ticks, plot.Tick{Value: float64(i + 1), Label: n})
	}
	p.X.Tick.Marker = ticks
	p.X.Min, p.X.Max = -0.3, float64(len(names))+0.3
	for _, t := range done {
		// quality: 0 for the best value, 1 for the worst.
		quality := unit(t.Value, lo, hi)
		if dir == tuner.Maximize {
			quality = 1 - quality
		}
		c, err := cmap.At(quality)
		if err != nil {
			return fmt.Errorf("tunerplot: trial %d: %w", t.Number, err)
		}
		ys := []float64{unit(t.Value, lo, hi)}
		for _, n := range names {
			y := math.NaN() // not suggested: the line breaks here
			if x, ok := t.Internal[n]; ok {
				y = scaled(dists[n], x)
			}
			ys = append(ys, y)
		}
		for _, run := range runs(ys) {
			if len(run) == 1 { // alone between two gaps: a dot
				sc, err := plotter.NewScatter(run)
				if err != nil {
					return fmt.Errorf("tunerplot: trial %d: %w", t.Number, err)
				}
				sc.Color, sc.Radius = c, vg.Points(1.5)
				p.Add(sc)
				continue
			}
			line, err := plotter.NewLine(run)
			if err != nil {
				return fmt.Errorf("tunerplot: trial %d: %w", t.Number, err)
			}
			line.Color, line.Width = c, vg.Points(1)
			p.Add(line)
		}
	}
	// The axes and their end labels.
	labels := plotter.XYLabels{}
	addLabel := func(x, y float64, s string) {
		labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: y})
		labels.Labels = append(labels.Labels, s)
	}
	addLabel(0, 0, short(lo))
	addLabel(0, 1, short(hi))
	for i, n := range names {
		x := float64(i + 1)
		switch d := dists[n].(type) {
		case tuner.CategoricalDist:
			for k, c := range d.Choices {
				addLabel(x, scaled(d, float64(k)), fmt.Sprint(c))
			}
		case tuner.FloatDist:
			addLabel(x, 0, short(d.Low))
			addLabel(x, 1, short(d.High))
		case tuner.IntDist:
			addLabel(x, 0, strconv.Itoa(d.Low))
			addLabel(x, 1, strconv.Itoa(d.High))
		}
	}
	for i := 0; i <= len(names); i++ {
		axis, err := plotter.NewLine(plotter.XYs{{X: float64(i), Y: 0}, {X: float64(i), Y: 1}})
		if err != nil {
			return fmt.Errorf("tunerplot: %w", err)
		}
		axis.Color, axis.Width = color.Gray{Y: 80}, vg.Points(1.5)
		p.Add(axis)
	}
	lab, err := plotter.NewLabels(labels)
	if err != nil {
		return fmt.Errorf("tunerplot: %w", err)
	}
	for i := range lab.TextStyle {
		lab.TextStyle[i].Font.Size = vg.Points(8)
		lab.TextStyle[i].XAlign, lab.TextStyle[i].YAlign = draw.XLeft, draw.YCenter // right of the axis
	}
	lab.Offset = vg.Point{X: vg.Points(3)}
	p.Add(lab)
	return save(p, path)
}

// axes orders the parameters: those every trial has, by name, then the
// conditional ones, by name, so that lines break as late as possible.
func axes(done []tuner.FrozenTrial, dists map[string]tuner.Distribution) []string {
	names := make([]string, 0, len(dists))
	everywhere := map[string]bool{}
	for k := range dists {
		names = append(names, k)
		everywhere[k] = true
		for _, t := range done {
			if _, ok := t.Internal[k]; !ok {
				everywhere[k] = false
				break
			}
		}
	}
	sort.Slice(names, func(i, j int) bool {
		if everywhere[names[i]] != everywhere[names[j]] {
			return everywhere[names[i]]
		}
		return names[i] < names[j]
	})
	return names
}

// runs splits the points (i, ys[i]) at the NaNs into runs of consecutive axes.
func runs(ys []float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i, y := range ys {
		if math.IsNaN(y) {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, plotter.XY{X: float64(i), Y: y})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// scaled maps an internal value of d to [0, 1] on d's axis.
func scaled(d tuner.Distribution, x float64) float64 {
	switch d := d.(type) {
	case tuner.FloatDist:
		if d.Log {
			return unit(math.Log(x), math.Log(d.Low), math.Log(d.High))
		}
		return unit(x, d.Low, d.High)
	case tuner.IntDist:
		if d.Log {
			return unit(math.Log(x), math.Log(float64(d.Low)), math.Log(float64(d.High)))
		}
		return unit(x, float64(d.Low), float64(d.High))
	case tuner.CategoricalDist:
		return unit(x, 0, float64(len(d.Choices)-1))
	}
	return 0.5
}

// unit maps [lo, hi] onto [0, 1], clamped; 0.5 when the range is empty.
func unit(x, lo, hi float64) float64 {
	if !(hi > lo) {
		return 0.5
	}
	return math.Min(math.Max((x-lo)/(hi-lo), 0), 1)
}

// short formats a value for an axis label.
func short(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
