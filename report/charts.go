package report

import (
	"fmt"
	"math"
	"sort"

	"github.com/gradtune/gradtune/lrfinder"
	"github.com/gradtune/gradtune/plots"
	"github.com/gradtune/gradtune/trainer"
)

// chart is one plot to write as name.png and name.svg.
type chart struct {
	name string
	save func(path string) error
}

// charts returns the plots in has data for, in Write's order.
func charts(in Input) []chart {
	var out []chart
	add := func(name string, c plots.Chart, ok bool) {
		if ok {
			out = append(out, chart{name, func(path string) error { return c.Save(path, 0, 0) }})
		}
	}
	var c plots.Chart
	var ok bool
	if h := in.History; h != nil && len(h.Epochs) > 0 {
		c, ok = lossChart(h.Epochs)
		add("loss", c, ok)
		c, ok = metricsChart(h.Epochs)
		add("metrics", c, ok)
	}
	c, ok = lrChart(in)
	add("lr", c, ok)
	if h := in.History; h != nil && len(h.Monitor) > 0 {
		c, ok = gradNormChart(h.Monitor)
		add("gradnorms", c, ok)
	}
	if r := in.LRRange; r != nil && len(r.LRs) > 0 {
		c, ok = lrRangeChart(r)
		add("lrfinder", c, ok)
	}
	return out
}

func epochsX(es []trainer.EpochStats) []float64 {
	x := make([]float64, len(es))
	for i, e := range es {
		x[i] = float64(e.Epoch)
	}
	return x
}

// lossChart: training loss and, when some epoch was validated, validation
// loss (NaN for the others, which plots skips). Log y unless a loss is ≤ 0.
func lossChart(es []trainer.EpochStats) (plots.Chart, bool) {
	x := epochsX(es)
	train, val := make([]float64, len(es)), make([]float64, len(es))
	validated, positive := false, true
	for i, e := range es {
		train[i], val[i] = e.TrainLoss, math.NaN()
		if e.ValMetrics != nil {
			val[i], validated = e.ValLoss, true
		}
		positive = positive && !(train[i] <= 0) && !(val[i] <= 0) // NaN passes
	}
	series := []plots.Series{{Name: "train", X: x, Y: train}}
	if validated {
		series = append(series, plots.Series{Name: "validation", X: x, Y: val})
	}
	return plots.Chart{Title: "Loss", XLabel: "epoch", YLabel: "loss", LogY: positive, Series: series}, true
}

// metricsChart: one series per validation metric, sorted by name.
func metricsChart(es []trainer.EpochStats) (plots.Chart, bool) {
	names := map[string]bool{}
	for _, e := range es {
		for k := range e.ValMetrics {
			names[k] = true
		}
	}
	if len(names) == 0 {
		return plots.Chart{}, false
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	x := epochsX(es)
	c := plots.Chart{Title: "Validation metrics", XLabel: "epoch", YLabel: "value"}
	for _, k := range sorted {
		y := make([]float64, len(es))
		for i, e := range es {
			v, ok := e.ValMetrics[k]
			if !ok {
				v = math.NaN()
			}
			y[i] = v
		}
		c.Series = append(c.Series, plots.Series{Name: k, X: x, Y: y})
	}
	return c, true
}

// lrChart: the rate per step from StepLRs, else per epoch from History.
func lrChart(in Input) (plots.Chart, bool) {
	c := plots.Chart{Title: "Learning rate", YLabel: "lr", LogY: true}
	if m := in.StepLRs; m != nil && len(m.LRs) > 0 && len(m.Steps) == len(m.LRs) {
		x := make([]float64, len(m.Steps))
		for i, s := range m.Steps {
			x[i] = float64(s)
		}
		c.XLabel, c.Series = "step", []plots.Series{{Name: "lr", X: x, Y: m.LRs}}
		return c, true
	}
	if h := in.History; h != nil && len(h.Epochs) > 0 {
		y := make([]float64, len(h.Epochs))
		for i, e := range h.Epochs {
			y[i] = e.LR
		}
		c.XLabel, c.Series = "epoch", []plots.Series{{Name: "lr", X: epochsX(h.Epochs), Y: y}}
		return c, true
	}
	return c, false
}

// gradNormChart: one series per weight parameter (all parameters if none
// looks like a weight), gradient norm per monitored step.
func gradNormChart(ms []trainer.StepMonitor) (plots.Chart, bool) {
	var names []string
	for _, p := range ms[0].Params {
		if p.Decay { // weights, not biases
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		for _, p := range ms[0].Params {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return plots.Chart{}, false
	}
	x := make([]float64, len(ms))
	ys := make([][]float64, len(names))
	for j := range ys {
		ys[j] = make([]float64, len(ms))
	}
	for i, m := range ms {
		x[i] = float64(m.Step)
		for j, name := range names {
			ys[j][i] = math.NaN() // a step that lacks the parameter leaves a gap
			for _, p := range m.Params {
				if p.Name == name {
					ys[j][i] = p.GradNorm
					break
				}
			}
		}
	}
	c := plots.Chart{Title: "Gradient norm per weight", XLabel: "step", YLabel: "gradient L2 norm", LogY: true}
	for j, name := range names {
		c.Series = append(c.Series, plots.Series{Name: name, X: x, Y: ys[j]})
	}
	return c, true
}

// lrRangeChart: the range test's raw and smoothed loss against the rate, log
// x, the suggestion as a vertical line when there is one.
func lrRangeChart(r *lrfinder.Result) (plots.Chart, bool) {
	title := "LR range test: no suggestion"
	c := plots.Chart{XLabel: "lr", YLabel: "loss", LogX: true, Series: []plots.Series{
		{Name: "loss", X: r.LRs, Y: r.Losses},
		{Name: "smoothed", X: r.LRs, Y: r.Smoothed},
	}}
	// Cap the y axis at 1.5 × the highest smoothed loss up to the smoothed
	// minimum, so that a blow-up at the end does not flatten the descent.
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	lowest := -1
	for i, v := range r.Smoothed {
		if finite(v) && (lowest < 0 || v < r.Smoothed[lowest]) {
			lowest = i
		}
	}
	low, top := math.Inf(1), math.Inf(-1)
	for i, v := range r.Smoothed {
		if finite(v) {
			low = math.Min(low, v)
			if i <= lowest {
				top = math.Max(top, v)
			}
		}
	}
	for _, v := range r.Losses {
		if finite(v) {
			low = math.Min(low, v)
		}
	}
	if top > 0 && low < 1.5*top {
		c.YMin, c.YMax = low, 1.5*top
	}
	if r.Trustworthy && r.Suggested > 0 {
		title = fmt.Sprintf("LR range test: suggested lr %.3g", r.Suggested)
		c.Marks = []plots.Mark{{Name: fmt.Sprintf("suggested %.3g", r.Suggested), X: r.Suggested}}
	}
	c.Title = title
	return c, true
}
