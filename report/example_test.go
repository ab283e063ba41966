package report_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/report"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// Train a small classifier, then write its report folder: the loss, metric,
// per-step rate and gradient-norm plots and report.txt with the diagnoses.
func ExampleWrite() {
	rng := rand.New(rand.NewPCG(1, 2))
	var x [][]float64
	var labels []int
	for i := 0; i < 120; i++ {
		c := i % 3 // three blobs centered at (0, 0), (2, 2) and (4, 0)
		x = append(x, []float64{2*float64(c) + rng.NormFloat64(), 2*float64(c%2) + rng.NormFloat64()})
		labels = append(labels, c)
	}
	ds, err := data.FromLabels(x, labels, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	train, val, err := ds.Split(0.25, 1)
	if err != nil {
		log.Fatal(err)
	}

	m, err := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 2, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	lrs := &trainer.LRMonitor{} // the rate of every step, for lr.png
	tr, err := trainer.New(m, trainer.Config{
		Loss:         losses.CrossEntropy{},
		Schedule:     schedulers.CosineAnnealing{LR: 0.05, TMax: 5},
		Epochs:       5,
		BatchSize:    16,
		Seed:         1,
		Metrics:      []metrics.Metric{metrics.Accuracy{}},
		Callbacks:    []trainer.Callback{lrs},
		MonitorEvery: 5, // gradient norms every 5 steps, for gradnorms.png
		Quiet:        true,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	hist, err := tr.Fit(context.Background(), train, val)
	if err != nil {
		log.Fatal(err)
	}

	last, _ := hist.Last()
	fmt.Printf("epoch %d: val_loss=%.4f val_accuracy=%.4f\n", last.Epoch, last.ValLoss, last.ValMetrics["accuracy"])

	dir, err := os.MkdirTemp("", "report")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	files, err := report.Write(dir, report.Input{
		History:   hist,
		StepLRs:   lrs,
		Diagnoses: diagnose.Analyze(hist, diagnose.Options{}),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}

	// report.txt ends with a table of the epochs, timed in seconds: print
	// what comes before it.
	txt, err := os.Open(filepath.Join(dir, "report.txt"))
	if err != nil {
		log.Fatal(err)
	}
	defer txt.Close()
	for sc := bufio.NewScanner(txt); sc.Scan() && sc.Text() != "Epochs"; {
		fmt.Println(sc.Text())
	}
	// Output:
	// epoch 5: val_loss=0.3022 val_accuracy=0.9000
	// loss.png
	// loss.svg
	// metrics.png
	// metrics.svg
	// lr.png
	// lr.svg
	// gradnorms.png
	// gradnorms.svg
	// report.txt
	// gradtune training report
	//
	// Diagnoses
	// =========
	// no problems found
}
