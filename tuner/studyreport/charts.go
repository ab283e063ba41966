package studyreport

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/tunerplot"
)

// chart is one tunerplot chart, written as name.png and name.svg unless
// skip says why not.
type chart struct {
	name, what, skip string
	draw             func(path string) error
}

// Why charts are skipped.
const (
	noComplete     = "no Complete trial with a finite value"
	noIntermediate = "no trial reported an intermediate value (Trial.Report)"
)

// charts lists the study's charts in Write's order, each with its skip
// reason when its data are absent.
func charts(s study, imps []importances) []chart {
	var out []chart
	if s.multi() {
		names := []string(nil)
		if s.named {
			names = s.labels
		}
		c := chart{name: "pareto", what: "the Pareto front, by objective values",
			draw: func(path string) error { return tunerplot.ParetoFront(path, s.trials, s.dirs, names...) }}
		if !anyFullyValued(s.trials, len(s.dirs)) {
			c.skip = fmt.Sprintf("no Complete trial with %d finite values", len(s.dirs))
		}
		out = append(out, c)
	} else {
		c := chart{name: "history", what: "the objective of each Complete trial and the best so far",
			draw: func(path string) error { return tunerplot.OptimizationHistory(path, s.trials, s.dirs[0]) }}
		if completeFinite(s.trials) == 0 {
			c.skip = noComplete
		}
		out = append(out, c)
	}
	for k, imp := range imps {
		c := chart{name: s.chartName("importances", k), what: "the importances above, as bars" + s.of(k), skip: imp.skip}
		values := imp.values
		c.draw = func(path string) error { return tunerplot.Importances(path, values) }
		out = append(out, c)
	}
	for k := range s.dirs {
		trials, dir := s.objective(k), s.dirs[k]
		c := chart{name: s.chartName("parallel", k), what: "parallel coordinates: each Complete trial across the parameters" + s.of(k),
			draw: func(path string) error { return tunerplot.ParallelCoordinates(path, trials, dir) }}
		if completeFinite(trials) == 0 {
			c.skip = noComplete
		}
		out = append(out, c)
	}
	c := chart{name: "intermediate", what: "the values each trial reported per step",
		draw: func(path string) error { return tunerplot.IntermediateValues(path, s.trials) }}
	if s.multi() {
		c.what += fmt.Sprintf(" (%s)", s.labels[0])
	}
	if !anyIntermediate(s.trials) {
		c.skip = noIntermediate
	}
	return append(out, c)
}

// chartName is base for a study of one objective, base_k for several.
func (s study) chartName(base string, k int) string {
	if !s.multi() {
		return base
	}
	return fmt.Sprintf("%s_%d", base, k)
}

// of says which objective a chart shows, in a study of several.
func (s study) of(k int) string {
	if !s.multi() {
		return ""
	}
	return fmt.Sprintf(", for %s (%s)", s.labels[k], s.dirs[k])
}

// save writes c as name.png and name.svg into dir unless it is skipped. A
// chart tunerplot refuses for its data is skipped instead, with
// tunerplot's reason. A skipped chart's files, left by an earlier report,
// are removed: report.txt says it is not there.
func (c *chart) save(dir string) ([]string, error) {
	if c.skip != "" {
		return nil, c.remove(dir)
	}
	var files []string
	for _, ext := range []string{".png", ".svg"} {
		path := filepath.Join(dir, c.name+ext)
		err := c.draw(path)
		if errors.Is(err, tunerplot.ErrInput) && len(files) == 0 {
			c.skip = strings.TrimPrefix(err.Error(), tunerplot.ErrInput.Error()+": ")
			return nil, c.remove(dir)
		}
		if err != nil {
			return files, fmt.Errorf("studyreport: %s: %w", c.name+ext, err)
		}
		files = append(files, path)
	}
	return files, nil
}

// remove deletes c's files from dir, those that are there.
func (c *chart) remove(dir string) error {
	for _, ext := range []string{".png", ".svg"} {
		if err := os.Remove(filepath.Join(dir, c.name+ext)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("studyreport: removing the skipped chart's earlier file: %w", err)
		}
	}
	return nil
}

// anyFullyValued reports whether a Complete trial has n finite values.
func anyFullyValued(trials []tuner.FrozenTrial, n int) bool {
	return slices.ContainsFunc(trials, func(t tuner.FrozenTrial) bool {
		return t.State == tuner.Complete && len(t.Values) == n && !slices.ContainsFunc(t.Values, func(v float64) bool { return !finite(v) })
	})
}

// anyIntermediate reports whether a trial reported a finite intermediate
// value.
func anyIntermediate(trials []tuner.FrozenTrial) bool {
	for _, t := range trials {
		for _, v := range t.Intermediate {
			if finite(v) {
				return true
			}
		}
	}
	return false
}
