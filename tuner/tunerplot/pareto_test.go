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

	"github.com/gradtune/gradtune/tuner"
)

var maxMin = []tuner.Direction{tuner.Maximize, tuner.Minimize}

// craftedMulti is a study of (accuracy, maximized; parameters, minimized)
// with a latency constraint: trials 1, 3 and 6 are the feasible front,
// 2 and 5 are dominated, 4 and 7 infeasible (7 would dominate them all),
// 0 failed, 8 pruned (not drawn), 9 Complete with an infinite value (left
// out).
func craftedMulti() []tuner.FrozenTrial {
	mk := func(n int, st tuner.TrialState, acc, params, latency float64) tuner.FrozenTrial {
		t := tuner.FrozenTrial{Number: n, State: st, Value: acc, Values: []float64{acc, params, latency}[:2],
			Constraints:         []float64{latency - 2},
			Intermediate:        map[int]float64{1: acc - 0.1, 2: acc},
			IntermediateVectors: map[int][]float64{1: {acc - 0.1, params}, 2: {acc, params}}}
		if st == tuner.Failed {
			t.Value, t.Values, t.Intermediate, t.IntermediateVectors = math.NaN(), nil, map[int]float64{}, nil
		}
		return t
	}
	return []tuner.FrozenTrial{
		mk(0, tuner.Failed, 0, 0, 0),
		mk(1, tuner.Complete, 0.90, 1000, 1),
		mk(2, tuner.Complete, 0.85, 5000, 1.5),
		mk(3, tuner.Complete, 0.95, 8000, 1.8),
		mk(4, tuner.Complete, 0.97, 20000, 3),
		mk(5, tuner.Complete, 0.80, 1500, 0.5),
		mk(6, tuner.Complete, 0.70, 200, 0.2),
		mk(7, tuner.Complete, 0.99, 100, 2.5),
		mk(8, tuner.Pruned, 0.50, 100, 0.1),
		mk(9, tuner.Complete, math.Inf(1), 100, 0.1),
	}
}

// splitFront is BestTrials on the drawable trials: the feasible front,
// the dominated and the infeasible, as trial numbers.
func TestSplitFront(t *testing.T) {
	s, err := splitFront(craftedMulti(), maxMin)
	if err != nil {
		t.Fatal(err)
	}
	numbers := func(idx []int) []int {
		var out []int
		for _, i := range idx {
			out = append(out, s.numbers[i])
		}
		return out
	}
	if got := [][]int{numbers(s.front), numbers(s.dominated), numbers(s.infeasible)}; !reflect.DeepEqual(got, [][]int{{1, 3, 6}, {2, 5}, {4, 7}}) {
		t.Errorf("front, dominated, infeasible = %v, want [[1 3 6] [2 5] [4 7]]", got)
	}
}

// The Pareto front in each format: 2 objectives in a 6×4-inch chart with
// the legend's counts, the axes' names and directions and the front's
// trial numbers; 3 and 4 objectives in a grid of 3.5-inch panels, one per
// pair.
func TestParetoFrontWrites(t *testing.T) {
	three := craftedMulti()
	for i := range three {
		if three[i].Values != nil {
			three[i].Values = append(three[i].Values, float64(i%4)) // a third objective
		}
	}
	four := craftedMulti()
	for i := range four {
		if four[i].Values != nil {
			four[i].Values = append(four[i].Values, float64(i%4), float64(-i))
		}
	}
	dir := t.TempDir()
	for _, c := range []struct {
		name          string
		draw          func(path string) error
		width, height int
		text          []string
	}{
		{"two", func(p string) error { return ParetoFront(p, craftedMulti(), maxMin, "accuracy", "params") }, 576, 384,
			[]string{"Pareto front: 3 of 7 trials (2 infeasible)", "accuracy (maximize)", "params (minimize)",
				"Pareto front (3)", "dominated (2)", "infeasible (2)", "1", "3", "6"}},
		{"two unnamed", func(p string) error {
			return ParetoFront(p, craftedMulti(), []tuner.Direction{tuner.Minimize, tuner.Minimize})
		}, 576, 384,
			[]string{"objective 0 (minimize)", "objective 1 (minimize)"}},
		{"three", func(p string) error {
			return ParetoFront(p, three, append(maxMin, tuner.Minimize), "accuracy", "params", "latency")
		}, 672, 672, []string{"accuracy (maximize)", "params (minimize)", "latency (minimize)", "Pareto front (3)", "dominated (2)"}},
		{"four", func(p string) error {
			return ParetoFront(p, four, append(maxMin, tuner.Minimize, tuner.Maximize))
		}, 1008, 1008, []string{"objective 3 (maximize)", "Pareto front:"}},
	} {
		for _, ext := range []string{".png", ".svg"} {
			t.Run(c.name+ext, func(t *testing.T) {
				path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+ext)
				if err := c.draw(path); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if ext == ".png" {
					cfg, err := png.DecodeConfig(bytes.NewReader(b))
					if err != nil || cfg.Width != c.width || cfg.Height != c.height || len(b) < 10000 {
						t.Errorf("PNG %d×%d, %d bytes (%v); want %d×%d and ≥ 10000 bytes", cfg.Width, cfg.Height, len(b), err, c.width, c.height)
					}
					return
				}
				s := string(b)
				for _, w := range c.text {
					if !strings.Contains(s, ">"+w) {
						t.Errorf("SVG lacks the text %q", w)
					}
				}
			})
		}
	}
}

func TestParetoFrontBadInput(t *testing.T) {
	var dir, png string
	cases := []struct {
		name string
		draw func() error
		want []error
	}{
		{"jpg", func() error { return ParetoFront(filepath.Join(dir, "x.jpg"), craftedMulti(), maxMin) }, []error{ErrInput}},
		{"one direction", func() error { return ParetoFront(png, craftedMulti(), maxMin[:1]) }, []error{ErrInput}},
		{"bad direction", func() error { return ParetoFront(png, craftedMulti(), []tuner.Direction{tuner.Maximize, 0}) }, []error{ErrInput}},
		{"names", func() error { return ParetoFront(png, craftedMulti(), maxMin, "accuracy") }, []error{ErrInput}},
		{"no complete", func() error { return ParetoFront(png, craftedMulti()[:1], maxMin) }, []error{ErrInput, tuner.ErrNoCompleted}},
		{"values of another length", func() error { return ParetoFront(png, craftedMulti(), append(maxMin, tuner.Minimize)) }, []error{ErrInput, tuner.ErrNoCompleted}},
	}
	for _, c := range cases {
		dir = t.TempDir()
		png = filepath.Join(dir, "x.png")
		t.Run(c.name, func(t *testing.T) {
			err := c.draw()
			for _, w := range c.want {
				if !errors.Is(err, w) {
					t.Errorf("error %v, want it to wrap %q", err, w)
				}
			}
			if files, _ := os.ReadDir(dir); len(files) > 0 {
				t.Errorf("%s was written despite the error", files[0].Name())
			}
		})
	}
}

// SelectObjective makes objective k the trials' one value, with its
// intermediate values, and leaves the trials given as they were; the
// charts of one objective then draw it.
func TestSelectObjective(t *testing.T) {
	trials := craftedMulti()
	params, err := SelectObjective(trials, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p := params[3]; p.Value != 8000 || !reflect.DeepEqual(p.Intermediate, map[int]float64{1: 8000, 2: 8000}) ||
		!math.IsNaN(params[0].Value) || len(params[0].Intermediate) != 0 {
		t.Errorf("objective 1 of trial 3: %v %v; of trial 0: %v %v", p.Value, p.Intermediate, params[0].Value, params[0].Intermediate)
	}
	if trials[3].Value != 0.95 || trials[3].Intermediate[1] != 0.95-0.1 {
		t.Errorf("the trials given changed: %v %v", trials[3].Value, trials[3].Intermediate)
	}
	acc, err := SelectObjective(trials, 0)
	if err != nil || acc[3].Value != 0.95 || acc[3].Intermediate[2] != 0.95 {
		t.Errorf("objective 0: %v %v (%v)", acc[3].Value, acc[3].Intermediate, err)
	}
	oneObjective := []tuner.FrozenTrial{{State: tuner.Complete, Value: 2, Values: []float64{2}, Intermediate: map[int]float64{0: 3}}}
	if got, err := SelectObjective(oneObjective, 0); err != nil || got[0].Intermediate[0] != 3 {
		t.Errorf("one objective, no vectors: %v (%v), want the intermediate values kept", got[0].Intermediate, err)
	}
	for _, k := range []int{-1, 2} {
		if _, err := SelectObjective(trials, k); !errors.Is(err, ErrInput) {
			t.Errorf("objective %d: %v, want ErrInput", k, err)
		}
	}
	dir := t.TempDir()
	for _, err := range []error{
		OptimizationHistory(filepath.Join(dir, "h.svg"), params, tuner.Minimize),
		ParallelCoordinates(filepath.Join(dir, "p.png"), withParams(params), tuner.Minimize),
		IntermediateValues(filepath.Join(dir, "i.png"), params),
	} {
		if err != nil {
			t.Error(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "h.svg"))
	if !strings.Contains(string(b), ">20000<") { // the params axis, not the accuracy's
		t.Errorf("history of objective 1 has no tick at 20000")
	}
}

// withParams gives each trial a parameter, for ParallelCoordinates.
func withParams(trials []tuner.FrozenTrial) []tuner.FrozenTrial {
	for i := range trials {
		trials[i].Internal = map[string]float64{"units": float64(16 * (i%8 + 1))}
		trials[i].Distributions = map[string]tuner.Distribution{"units": unitsDist}
	}
	return trials
}
