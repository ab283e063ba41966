package tunerplot

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradtune/gradtune/internal/gerr"
	"github.com/gradtune/gradtune/panics"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// panelSize is the side of one panel of ParetoFront's grid (3 or more
// objectives).
const panelSize = 3.5 * vg.Inch

// maxFrontLabels: fronts with more points are drawn without trial numbers,
// which would overlap.
const maxFrontLabels = 20

// The styles of ParetoFront.
var (
	frontColor      = plotutil.DarkColors[0] // red
	dominatedColor  = plotutil.SoftColors[2] // blue
	infeasibleColor = color.Gray{Y: 150}
)

// ParetoFront draws the Complete trials of a study of several objectives
// by their values (FrozenTrial.Values), as
// optuna.visualization.plot_pareto_front: the Pareto front (the feasible
// trials no other feasible trial dominates: Study.BestTrials) as red dots
// labelled with their trial numbers (up to 20 of them), the other feasible trials as blue
// rings, and infeasible trials (a constraint > 0, Trial.SetConstraints) as
// gray crosses. dirs are the study's directions (Study.Directions), names
// optionally name the objectives on the axes (one per direction; by
// default "objective 0", …), each followed by its direction.
//
// With two objectives the chart is 6×4 inches, and the front is joined by
// the boundary of the region it dominates (a staircase: every point beyond
// it, away from the better corner, is dominated). With three or more, it
// is a grid of 3.5-inch panels, one per pair of objectives (j on the x
// axis, i > j on the y axis; the front is the front of all objectives, so
// in a projection some of its points may look dominated), with the legend
// in the free corner. Trials without a value per direction, or with a
// non-finite one, are left out.
//
// Errors wrap ErrInput: a bad extension, fewer than two directions or one
// that is neither Minimize nor Maximize, names of another number, no
// Complete trial with finite values (also tuner.ErrNoCompleted). Nothing
// is written then.
func ParetoFront(path string, trials []tuner.FrozenTrial, dirs []tuner.Direction, names ...string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if len(dirs) < 2 {
		return fmt.Errorf("%w: Pareto front: %d directions, want 2 or more (one per objective)", ErrInput, len(dirs))
	}
	for _, d := range dirs {
		if err := checkDirection(d); err != nil {
			return err
		}
	}
	if len(names) != 0 && len(names) != len(dirs) {
		return fmt.Errorf("%w: Pareto front: %d names for %d objectives, want one per objective or none", ErrInput, len(names), len(dirs))
	}
	set, err := splitFront(trials, dirs)
	if err != nil {
		return err
	}
	labels := make([]string, len(dirs))
	for k, d := range dirs {
		name := "objective " + strconv.Itoa(k)
		if len(names) != 0 {
			name = names[k]
		}
		labels[k] = name + " (" + d.String() + ")"
	}
	title := fmt.Sprintf("Pareto front: %d of %d trials", len(set.front), len(set.values))
	if len(set.infeasible) > 0 {
		title += fmt.Sprintf(" (%d infeasible)", len(set.infeasible))
	}
	if len(dirs) == 2 {
		p, err := set.panel(0, 1, labels, dirs, true)
		if err != nil {
			return err
		}
		p.Title.Text = title
		set.addLegend(p)
		// Any corner may hold points (an infeasible trial may lie beyond
		// the front): the legend gets a band of its own at the top.
		widen(&p.Y, 0, 0.3)
		p.Legend.Top = true
		return save(p, path)
	}
	return set.grid(path, title, labels, dirs)
}

// frontSet is the trials ParetoFront draws, split into the front, the
// other feasible trials and the infeasible ones (indexes into values).
type frontSet struct {
	values                       [][]float64
	numbers                      []int
	front, dominated, infeasible []int
}

// splitFront keeps the Complete trials with a finite value per direction
// and splits them as BestTrials does.
func splitFront(trials []tuner.FrozenTrial, dirs []tuner.Direction) (*frontSet, error) {
	s := &frontSet{}
	var feasible []int
	for _, t := range trials {
		if t.State != tuner.Complete || len(t.Values) != len(dirs) || slices.ContainsFunc(t.Values, func(v float64) bool { return !finite(v) }) {
			continue
		}
		i := len(s.values)
		s.values, s.numbers = append(s.values, t.Values), append(s.numbers, t.Number)
		if pareto.Feasible(t.Constraints) {
			feasible = append(feasible, i)
		} else {
			s.infeasible = append(s.infeasible, i)
		}
	}
	if len(s.values) == 0 {
		return nil, fmt.Errorf("%w: Pareto front: %w (%d trials, none Complete with %d finite values)", ErrInput, tuner.ErrNoCompleted, len(trials), len(dirs))
	}
	points := make([][]float64, len(feasible))
	for j, i := range feasible {
		points[j] = s.values[i]
	}
	idx, err := pareto.Front(points, dirs)
	if err != nil {
		return nil, fmt.Errorf("%w: Pareto front: %w", ErrInput, err) // not reached: values are finite
	}
	onFront := map[int]bool{}
	for _, j := range idx {
		onFront[feasible[j]] = true
	}
	for _, i := range feasible {
		if onFront[i] {
			s.front = append(s.front, i)
		} else {
			s.dominated = append(s.dominated, i)
		}
	}
	return s, nil
}

// xy returns the points idx with objective x on the x axis and y on the y axis.
func (s *frontSet) xy(idx []int, x, y int) plotter.XYs {
	pts := make(plotter.XYs, len(idx))
	for j, i := range idx {
		pts[j] = plotter.XY{X: s.values[i][x], Y: s.values[i][y]}
	}
	return pts
}

// scatter adds idx's points to p in style g; none is no error.
func (s *frontSet) scatter(p *plot.Plot, idx []int, x, y int, g draw.GlyphStyle) (*plotter.Scatter, error) {
	if len(idx) == 0 {
		return nil, nil
	}
	sc, err := plotter.NewScatter(s.xy(idx, x, y))
	if err != nil {
		return nil, fmt.Errorf("tunerplot: %w", err)
	}
	sc.GlyphStyle = g
	p.Add(sc)
	return sc, nil
}

// Glyphs of the three kinds of trial.
var (
	frontGlyph      = draw.GlyphStyle{Shape: draw.CircleGlyph{}, Radius: vg.Points(3.5), Color: frontColor}
	dominatedGlyph  = draw.GlyphStyle{Shape: draw.RingGlyph{}, Radius: vg.Points(2.5), Color: dominatedColor}
	infeasibleGlyph = draw.GlyphStyle{Shape: draw.CrossGlyph{}, Radius: vg.Points(2.5), Color: infeasibleColor}
)

// panel draws objective y against objective x, the front's points
// labelled with their trial numbers (up to maxFrontLabels of them); join
// draws the front's staircase (two objectives).
func (s *frontSet) panel(x, y int, labels []string, dirs []tuner.Direction, join bool) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text, p.Y.Label.Text = labels[x], labels[y]
	p.Add(plotter.NewGrid())
	if _, err := s.scatter(p, s.infeasible, x, y, infeasibleGlyph); err != nil {
		return nil, err
	}
	if _, err := s.scatter(p, s.dominated, x, y, dominatedGlyph); err != nil {
		return nil, err
	}
	if join && len(s.front) > 1 {
		pts := s.xy(s.front, x, y)
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("tunerplot: %w", err)
		}
		// Between two front points, the region the front dominates reaches
		// the better one in y: the left one's when x is minimized.
		line.StepStyle = plotter.PreStep
		if dirs[x] == tuner.Minimize {
			line.StepStyle = plotter.PostStep
		}
		line.Color, line.Width = frontColor, vg.Points(1)
		p.Add(line)
	}
	if _, err := s.scatter(p, s.front, x, y, frontGlyph); err != nil {
		return nil, err
	}
	if len(s.front) <= maxFrontLabels {
		var labelled plotter.XYLabels
		labelled.XYs = s.xy(s.front, x, y)
		for _, i := range s.front {
			labelled.Labels = append(labelled.Labels, strconv.Itoa(s.numbers[i]))
		}
		lab, err := plotter.NewLabels(labelled)
		if err != nil {
			return nil, fmt.Errorf("tunerplot: %w", err)
		}
		for i := range lab.TextStyle {
			lab.TextStyle[i].Font.Size = vg.Points(7)
			lab.TextStyle[i].Color = frontColor
		}
		lab.Offset = vg.Point{X: vg.Points(4), Y: vg.Points(2)}
		p.Add(lab)
	}
	// Room for the glyphs and labels at the edges.
	widen(&p.X, 0.05, 0.08)
	widen(&p.Y, 0.05, 0.05)
	return p, nil
}

// widen extends a's range by the fractions lo and hi of its width below
// and above (of 1 when the range is a point).
func widen(a *plot.Axis, lo, hi float64) {
	w := a.Max - a.Min
	if !(w > 0) {
		w = 1
	}
	a.Min, a.Max = a.Min-lo*w, a.Max+hi*w
}

// addLegend names the kinds of trial drawn, with their counts.
func (s *frontSet) addLegend(p *plot.Plot) {
	for _, e := range []struct {
		what string
		idx  []int
		g    draw.GlyphStyle
	}{
		{"Pareto front", s.front, frontGlyph},
		{"dominated", s.dominated, dominatedGlyph},
		{"infeasible", s.infeasible, infeasibleGlyph},
	} {
		if len(e.idx) > 0 {
			p.Legend.Add(fmt.Sprintf("%s (%d)", e.what, len(e.idx)), &plotter.Scatter{GlyphStyle: e.g})
		}
	}
}

// grid draws every pair of objectives, a lower-triangular grid of panels
// (row i−1, column j: objective i against objective j), the title and
// legend in the top-right panel, and writes it to path.
func (s *frontSet) grid(path, title string, labels []string, dirs []tuner.Direction) (err error) {
	n := len(dirs) - 1
	plots := make([][]*plot.Plot, n)
	for r := range n {
		plots[r] = make([]*plot.Plot, n)
		for c := 0; c <= r; c++ {
			if plots[r][c], err = s.panel(c, r+1, labels, dirs, false); err != nil {
				return err
			}
		}
	}
	legend := plot.New()
	legend.HideAxes()
	legend.Title.Text = title
	s.addLegend(legend)
	legend.Legend.Top, legend.Legend.Left = true, true
	defer func() {
		if r := recover(); r != nil {
			err = gerr.RecoveredAs("tunerplot: drawing "+path, panics.ErrDependency, r)
		}
	}()
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	c, err := draw.NewFormattedCanvas(vg.Length(n)*panelSize, vg.Length(n)*panelSize, format)
	if err != nil {
		return fmt.Errorf("tunerplot: %w", err)
	}
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: n, Cols: n, PadX: vg.Points(6), PadY: vg.Points(6), PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(6)}
	canvases := plot.Align(plots, tiles, dc)
	for r := range n {
		for col := 0; col <= r; col++ {
			plots[r][col].Draw(canvases[r][col])
		}
	}
	legend.Draw(tiles.At(dc, n-1, 0)) // the top-right tile, which no pair uses
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("tunerplot: %w", err)
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("tunerplot: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("tunerplot: %w", err)
	}
	return nil
}
