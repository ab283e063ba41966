package tunerplot

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"

	"github.com/gradtune/gradtune/tuner"
)

var (
	lrDist    = tuner.FloatDist{Low: 1e-4, High: 1e-1, Log: true}
	unitsDist = tuner.IntDist{Low: 16, High: 128, Step: 16}
	actDist   = tuner.CategoricalDist{Choices: []any{"relu", "tanh", "gelu"}}
	momDist   = tuner.FloatDist{Low: 0, High: 1}
)

// crafted returns a small study: complete trials (one with the conditional
// momentum), pruned ones with learning curves, a failed and a running one.
func crafted() []tuner.FrozenTrial {
	mk := func(n int, st tuner.TrialState, v, lr float64, units, act int, curve ...float64) tuner.FrozenTrial {
		t := tuner.FrozenTrial{Number: n, State: st, Value: v,
			Params:        map[string]any{"lr": lr, "units": units, "act": actDist.Choices[act]},
			Internal:      map[string]float64{"lr": lr, "units": float64(units), "act": float64(act)},
			Distributions: map[string]tuner.Distribution{"lr": lrDist, "units": unitsDist, "act": actDist},
			Intermediate:  map[int]float64{}}
		for i, c := range curve {
			t.Intermediate[i+1] = c
		}
		return t
	}
	ts := []tuner.FrozenTrial{
		mk(0, tuner.Complete, 0.80, 1e-3, 64, 0, 1.2, 0.95, 0.85, 0.80),
		mk(1, tuner.Pruned, 1.40, 1e-1, 16, 1, 2.0, 1.6, 1.4),
		mk(2, tuner.Complete, 0.55, 3e-3, 128, 2, 1.0, 0.7, 0.6, 0.55),
		mk(3, tuner.Failed, math.NaN(), 5e-2, 32, 0, 1.5, math.NaN()),
		mk(4, tuner.Complete, 0.62, 2e-3, 96, 0, 1.1, 0.8, 0.66, 0.62),
		mk(5, tuner.Pruned, 1.10, 1e-4, 48, 1, 1.8, 1.1),
		mk(6, tuner.Running, math.NaN(), 1e-2, 80, 2, 1.3),
		mk(7, tuner.Complete, 0.70, 5e-4, 112, 1, 1.05, 0.9, 0.75, 0.7),
	}
	ts[4].Params["momentum"], ts[4].Internal["momentum"], ts[4].Distributions["momentum"] = 0.9, 0.9, momDist
	return ts
}

// onlyFailed has no Complete trial.
func onlyFailed() []tuner.FrozenTrial {
	var out []tuner.FrozenTrial
	for _, t := range crafted() {
		if t.State != tuner.Complete {
			out = append(out, t)
		}
	}
	return out
}

var importances = map[string]float64{"lr": 0.7, "units": 0.2, "act": 0.08, "momentum": 0.02}

// Each chart in each format: a real PNG of 6×4 inches at 96 dpi, or an SVG
// whose text holds the expected labels.
func TestChartsWrite(t *testing.T) {
	trials := crafted()
	charts := []struct {
		name string
		draw func(path string) error
		text []string // strings the SVG must contain
	}{
		{"history", func(p string) error { return OptimizationHistory(p, trials, tuner.Minimize) },
			[]string{"Optimization history (minimize)", "best value", "objective value", "trial"}},
		{"history max", func(p string) error { return OptimizationHistory(p, trials, tuner.Maximize) },
			[]string{"Optimization history (maximize)"}},
		{"parallel", func(p string) error { return ParallelCoordinates(p, trials, tuner.Minimize) },
			[]string{"objective", "act", "lr", "units", "relu", "gelu", "0.0001", "128", "0.55", "0.8"}},
		{"importances", func(p string) error { return Importances(p, importances) },
			[]string{"Parameter importances", "lr", "momentum", "0.700", "0.020"}},
		{"intermediate", func(p string) error { return IntermediateValues(p, trials) },
			[]string{"Intermediate values", "complete", "pruned", "pruned here", "failed", "running"}},
	}
	dir := t.TempDir()
	for _, c := range charts {
		for _, ext := range []string{".png", ".svg", ".PNG"} {
			t.Run(c.name+ext, func(t *testing.T) {
				path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+ext)
				if err := c.draw(path); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if strings.EqualFold(ext, ".png") {
					cfg, err := png.DecodeConfig(bytes.NewReader(b))
					if err != nil {
						t.Fatalf("not a PNG: %v", err)
					}
					if cfg.Width != 576 || cfg.Height != 384 || len(b) < 10000 {
						t.Errorf("PNG %d×%d, %d bytes; want 576×384 and ≥ 10000 bytes", cfg.Width, cfg.Height, len(b))
					}
					return
				}
				s := string(b)
				if !strings.HasPrefix(s, "<?xml") || !strings.Contains(s, "<svg") || len(b) < 2000 {
					t.Fatalf("not an SVG of some size (%d bytes): %.80q", len(b), s)
				}
				for _, w := range c.text {
					if !strings.Contains(s, ">"+w+"<") {
						t.Errorf("SVG lacks the text %q", w)
					}
				}
			})
		}
	}
}

func TestChartsBadInput(t *testing.T) {
	// Every case gets its own folder, where nothing may be written.
	var dir, png, jpg string
	noTrials := func(extra []tuner.FrozenTrial) []tuner.FrozenTrial { return extra }
	noParams := []tuner.FrozenTrial{{Number: 0, State: tuner.Complete, Value: 1}}
	infOnly := []tuner.FrozenTrial{{Number: 0, State: tuner.Complete, Value: math.Inf(1)}}
	cases := []struct {
		name string
		draw func() error
		want []error
	}{
		{"history jpg", func() error { return OptimizationHistory(jpg, crafted(), tuner.Minimize) }, []error{ErrInput}},
		{"history no extension", func() error { return OptimizationHistory(filepath.Join(dir, "x"), crafted(), tuner.Minimize) }, []error{ErrInput}},
		{"history no trials", func() error { return OptimizationHistory(png, noTrials(nil), tuner.Minimize) }, []error{ErrInput, tuner.ErrNoCompleted}},
		{"history no complete", func() error { return OptimizationHistory(png, onlyFailed(), tuner.Minimize) }, []error{ErrInput, tuner.ErrNoCompleted}},
		{"history only Inf", func() error { return OptimizationHistory(png, infOnly, tuner.Minimize) }, []error{ErrInput, tuner.ErrNoCompleted}},
		{"history bad direction", func() error { return OptimizationHistory(png, crafted(), tuner.Direction(7)) }, []error{ErrInput}},
		{"parallel jpg", func() error { return ParallelCoordinates(jpg, crafted(), tuner.Minimize) }, []error{ErrInput}},
		{"parallel no complete", func() error { return ParallelCoordinates(png, onlyFailed(), tuner.Maximize) }, []error{ErrInput, tuner.ErrNoCompleted}},
		{"parallel no params", func() error { return ParallelCoordinates(png, noParams, tuner.Minimize) }, []error{ErrInput}},
		{"parallel bad direction", func() error { return ParallelCoordinates(png, crafted(), tuner.Direction(-1)) }, []error{ErrInput}},
		{"importances jpg", func() error { return Importances(jpg, importances) }, []error{ErrInput}},
		{"importances empty", func() error { return Importances(png, map[string]float64{}) }, []error{ErrInput}},
		{"importances NaN", func() error { return Importances(png, map[string]float64{"x": math.NaN()}) }, []error{ErrInput}},
		{"importances negative", func() error { return Importances(png, map[string]float64{"x": 1.1, "y": -0.1}) }, []error{ErrInput}},
		{"intermediate svgz", func() error { return IntermediateValues(filepath.Join(dir, "x.svgz"), crafted()) }, []error{ErrInput}},
		{"intermediate none reported", func() error { return IntermediateValues(png, noParams) }, []error{ErrInput}},
		{"intermediate only NaN", func() error {
			return IntermediateValues(png, []tuner.FrozenTrial{{State: tuner.Failed, Intermediate: map[int]float64{1: math.NaN()}}})
		}, []error{ErrInput}},
	}
	for _, c := range cases {
		dir = t.TempDir()
		png, jpg = filepath.Join(dir, "x.png"), filepath.Join(dir, "x.jpg")
		t.Run(c.name, func(t *testing.T) {
			err := c.draw()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !errors.Is(err, w) {
					t.Errorf("error %q, want it to wrap %q", err, w)
				}
			}
			if files, _ := os.ReadDir(dir); len(files) > 0 {
				t.Errorf("%s was written despite the error", files[0].Name())
			}
		})
	}
}

// Parameters every trial has come first, then the conditional ones.
func TestAxes(t *testing.T) {
	tr := func(names ...string) tuner.FrozenTrial {
		ft := tuner.FrozenTrial{Internal: map[string]float64{}}
		for _, n := range names {
			ft.Internal[n] = 0
		}
		return ft
	}
	dists := map[string]tuner.Distribution{"a": momDist, "b": momDist, "c": momDist, "d": momDist}
	cases := []struct {
		name   string
		trials []tuner.FrozenTrial
		want   []string
	}{
		{"all everywhere", []tuner.FrozenTrial{tr("a", "b", "c", "d"), tr("d", "c", "b", "a")}, []string{"a", "b", "c", "d"}},
		{"a and c conditional", []tuner.FrozenTrial{tr("a", "b", "d"), tr("b", "c", "d")}, []string{"b", "d", "a", "c"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := axes(c.trials, dists); !reflect.DeepEqual(got, c.want) {
				t.Errorf("axes = %v, want %v", got, c.want)
			}
		})
	}
}

// A trial's line breaks at the parameters it did not suggest.
func TestRuns(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		ys   []float64
		want []plotter.XYs
	}{
		{"all present", []float64{0.5, 0, 1}, []plotter.XYs{{{X: 0, Y: 0.5}, {X: 1, Y: 0}, {X: 2, Y: 1}}}},
		{"gap in the middle", []float64{0.5, 0.25, nan, 1, 0}, []plotter.XYs{{{X: 0, Y: 0.5}, {X: 1, Y: 0.25}}, {{X: 3, Y: 1}, {X: 4, Y: 0}}}},
		{"isolated point", []float64{0.5, nan, 0.75, nan}, []plotter.XYs{{{X: 0, Y: 0.5}}, {{X: 2, Y: 0.75}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := runs(c.ys); !reflect.DeepEqual(got, c.want) {
				t.Errorf("runs(%v) = %v, want %v", c.ys, got, c.want)
			}
		})
	}
}

// The best-so-far line: trials sorted by number, the running best.
func TestHistory(t *testing.T) {
	done := func(vs ...float64) []tuner.FrozenTrial {
		var ts []tuner.FrozenTrial
		for i, v := range vs {
			ts = append(ts, tuner.FrozenTrial{Number: 2 * i, State: tuner.Complete, Value: v})
		}
		// Out of order, as a storage might not keep them.
		ts[0], ts[len(ts)-1] = ts[len(ts)-1], ts[0]
		return ts
	}
	cases := []struct {
		name string
		dir  tuner.Direction
		best []float64
	}{
		{"minimize", tuner.Minimize, []float64{3, 3, 1, 1, 0.5}},
		{"maximize", tuner.Maximize, []float64{3, 4, 4, 4, 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			points, best := history(done(3, 4, 1, 2, 0.5), c.dir)
			wantPoints := plotter.XYs{{X: 0, Y: 3}, {X: 2, Y: 4}, {X: 4, Y: 1}, {X: 6, Y: 2}, {X: 8, Y: 0.5}}
			if !reflect.DeepEqual(points, wantPoints) {
				t.Errorf("points %v, want %v", points, wantPoints)
			}
			for i, b := range best {
				if b.X != wantPoints[i].X || b.Y != c.best[i] {
					t.Errorf("best[%d] = %v, want (%v, %v)", i, b, wantPoints[i].X, c.best[i])
				}
			}
		})
	}
}

// Axis positions in [0, 1].
func TestScaled(t *testing.T) {
	cases := []struct {
		name string
		d    tuner.Distribution
		x    float64
		want float64
	}{
		{"float low", momDist, 0, 0},
		{"float mid", tuner.FloatDist{Low: -2, High: 6}, 4, 0.75},
		{"float log", lrDist, 1e-3, 1.0 / 3},
		{"float log high", lrDist, 1e-1, 1},
		{"int", unitsDist, 48, 2.0 / 7},
		{"int log", tuner.IntDist{Low: 1, High: 16, Log: true}, 4, 0.5},
		{"categorical first", actDist, 0, 0},
		{"categorical middle", actDist, 1, 0.5},
		{"categorical one choice", tuner.CategoricalDist{Choices: []any{"a"}}, 0, 0.5},
		{"single-valued float", tuner.FloatDist{Low: 2, High: 2}, 2, 0.5},
		{"outside clamps", momDist, 1.5, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := scaled(c.d, c.x); math.Abs(got-c.want) > 1e-12 {
				t.Errorf("scaled(%v, %v) = %v, want %v", c.d, c.x, got, c.want)
			}
		})
	}
}
