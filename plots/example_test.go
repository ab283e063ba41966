package plots_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gradtune/gradtune/plots"
)

// Loss curves of a run, as trainer.History holds them, saved as SVG; the
// extension picks the format (.png or .svg) and size 0 means 6×4 inches.
func ExampleLines_Save() {
	dir, err := os.MkdirTemp("", "plots-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	train := []float64{0.92, 0.61, 0.45, 0.37, 0.31, 0.27}
	val := []float64{0.95, 0.68, 0.55, 0.51, 0.50, 0.52}
	chart := plots.Lines{
		Title:  "loss",
		XLabel: "epoch",
		YLabel: "cross-entropy",
		LogY:   true,
		Series: []plots.Series{{Name: "train", Y: train}, {Name: "val", Y: val}}, // X nil: epochs 1, 2, ...
	}
	path := filepath.Join(dir, "loss.svg")
	if err := chart.Save(path, 0, 0); err != nil {
		log.Fatal(err)
	}

	svg, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("svg:", bytes.Contains(svg, []byte("<svg")), "legend:", bytes.Contains(svg, []byte(">val<")))
	// Output: svg: true legend: true
}

// A Chart adds a log x axis and marks: a learning-rate range test with the
// rate it suggests. A series that cannot be drawn is an error.
func ExampleChart_Save() {
	dir, err := os.MkdirTemp("", "plots-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	lrs := []float64{1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1}
	loss := []float64{2.30, 2.28, 2.05, 1.10, 0.95, 9.80}
	chart := plots.Chart{
		Title: "LR range test", XLabel: "learning rate", YLabel: "loss",
		LogX:   true,
		Series: []plots.Series{{Name: "smoothed loss", X: lrs, Y: loss}},
		Marks:  []plots.Mark{{Name: "suggested 3e-3", X: 3e-3}},
	}
	if err := chart.Save(filepath.Join(dir, "lrfinder.png"), 0, 0); err != nil {
		log.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.Name())
	}

	chart.Marks = []plots.Mark{{Name: "bad", X: 0}} // 0 has no place on a log axis
	err = chart.Save(filepath.Join(dir, "bad.png"), 0, 0)
	fmt.Println("mark at 0 refused:", errors.Is(err, plots.ErrInput)) // the message names the file and the mark
	// Output:
	// lrfinder.png
	// mark at 0 refused: true
}
