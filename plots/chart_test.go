package plots

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestChartSaveLogXWithMark(t *testing.T) {
	dir := t.TempDir()
	lrs := []float64{1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1}
	for _, c := range []struct {
		name string
		c    Chart
	}{
		{"lrfinder", Chart{Title: "LR range test", XLabel: "lr", YLabel: "loss", LogX: true, Series: []Series{
			{Name: "smoothed", X: lrs, Y: []float64{2.3, 2.3, 2.2, 1.6, 0.9, 2.5, math.Inf(1)}},
		}, Marks: []Mark{{Name: "suggested lr 1e-3", X: 1e-3}}}},
		{"loglog", Chart{LogX: true, LogY: true, Series: []Series{{Name: "a", X: lrs, Y: []float64{1, 0, 3, 4, -1, 6, 7}}}}},
		{"linear", Chart{Series: []Series{{Name: "a", Y: []float64{1, 2}}}, Marks: []Mark{{Name: "m", X: -1.5}}}},
		// One value on a log axis: gonum's default range [v−1, v+1] would panic.
		{"constant log y", Chart{LogY: true, Series: []Series{{Name: "lr", Y: []float64{0.01, 0.01, 0.01}}}}},
		{"y range clipped", Chart{YMin: 0.5, YMax: 3, Series: []Series{{Name: "a", Y: []float64{2, 1, 1000}}}}},
		{"one point log x", Chart{LogX: true, LogY: true, Series: []Series{{Name: "a", X: []float64{3}, Y: []float64{2}}}}},
	} {
		for _, ext := range []string{".png", ".svg"} {
			path := filepath.Join(dir, c.name+ext)
			if err := c.c.Save(path, 0, 0); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			magic := map[string][]byte{".png": []byte("\x89PNG"), ".svg": []byte("<svg")}[ext]
			if !bytes.Contains(b[:min(len(b), 200)], magic) || len(b) < 1000 {
				t.Errorf("%s: %d bytes, not a %s image", path, len(b), magic)
			}
		}
	}
}

func TestChartSaveRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	s := []Series{{Name: "s", X: []float64{1, 10}, Y: []float64{1, 2}}}
	for _, c := range []struct {
		path string
		c    Chart
	}{
		{"x.gif", Chart{Series: s}},
		{"x.png", Chart{}},
		{"x.png", Chart{Series: []Series{{Name: "s", X: []float64{1}, Y: []float64{1, 2}}}}},
		{"x.png", Chart{LogX: true, Series: s, Marks: []Mark{{Name: "m", X: 0}}}},
		{"x.png", Chart{Series: s, Marks: []Mark{{Name: "m", X: math.NaN()}}}},
		{"x.png", Chart{LogY: true, Series: []Series{{Name: "s", Y: []float64{-1, 0}}}, Marks: []Mark{{Name: "m", X: 1}}}},
		// Nothing drawable on a log axis: gonum panics, Save returns an error.
		{"x.png", Chart{LogY: true, Series: []Series{{Name: "s", Y: []float64{-1, 0}}}}},
	} {
		if err := c.c.Save(filepath.Join(dir, c.path), 0, 0); !errors.Is(err, ErrInput) {
			t.Errorf("%s %+v: error = %v, want ErrInput", c.path, c.c, err)
		}
	}
}
