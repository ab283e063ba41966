package plots

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestSavePNGAndSVG(t *testing.T) {
	dir := t.TempDir()
	l := Lines{Title: "loss", XLabel: "epoch", YLabel: "loss", LogY: true, Series: []Series{
		{Name: "sgd", Y: []float64{1, 0.5, 0.25}},
		{Name: "diverged", Y: []float64{1, 10, math.Inf(1), math.NaN()}},
		{Name: "adam", X: []float64{1, 2}, Y: []float64{0.9, 0.1}},
	}}
	for _, name := range []string{"a.png", "a.svg"} {
		path := filepath.Join(dir, name)
		if err := l.Save(path, 0, 0); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		magic := map[string][]byte{"a.png": []byte("\x89PNG"), "a.svg": []byte("<svg")}[name]
		if !bytes.Contains(b[:min(len(b), 200)], magic) || len(b) < 1000 {
			t.Errorf("%s: %d bytes, not a %s image", name, len(b), magic)
		}
	}
}

func TestSaveRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		path string
		l    Lines
	}{
		{"x.jpg", Lines{Series: []Series{{Y: []float64{1}}}}},
		{"x.png", Lines{}},
		{"x.png", Lines{Series: []Series{{Name: "s", X: []float64{1}, Y: []float64{1, 2}}}}},
	} {
		if err := c.l.Save(filepath.Join(dir, c.path), 0, 0); !errors.Is(err, ErrInput) {
			t.Errorf("%s %+v: error = %v, want ErrInput", c.path, c.l, err)
		}
	}
}

// A constant series on a log axis (a constant learning rate) is drawn, not a panic.
func TestConstantSeriesOnLogAxis(t *testing.T) {
	l := Lines{LogY: true, Series: []Series{{Name: "lr", Y: []float64{1e-3, 1e-3, 1e-3}}}}
	path := filepath.Join(t.TempDir(), "lr.png")
	if err := l.Save(path, 0, 0); err != nil {
		t.Fatalf("constant series on a log axis: %v", err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() < 1000 {
		t.Errorf("lr.png: %v, %v", st, err)
	}
}
