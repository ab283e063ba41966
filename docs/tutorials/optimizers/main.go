// Command optimizers trains one MLP on an MNIST subset with each optimizer
// and with several learning-rate schedules, and plots their loss curves: the
// program behind docs/optimizers.md.
//
//	go run ./docs/tutorials/optimizers            # writes docs/img/optimizers.png, schedules.png
//	go run ./docs/tutorials/optimizers -epochs 3  # quicker
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/plots"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"gonum.org/v1/plot/vg"
)

// run is one training configuration of the comparison.
type run struct {
	Name      string
	Optimizer optimizers.Optimizer
	Schedule  schedulers.Schedule
	Every     schedulers.Interval
}

// result is what one run produced.
type result struct {
	run
	History *trainer.History
	Seconds float64
}

// optimizerRuns compares the optimizers, each at a rate that suits it.
func optimizerRuns() []run {
	return []run{
		{Name: "SGD lr=0.1", Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 0.1}},
		{Name: "SGD+momentum 0.9 lr=0.01", Optimizer: optimizers.SGD{Momentum: 0.9}, Schedule: schedulers.Constant{LR: 0.01}},
		{Name: "Nesterov 0.9 lr=0.01", Optimizer: optimizers.SGD{Momentum: 0.9, Nesterov: true}, Schedule: schedulers.Constant{LR: 0.01}},
		{Name: "Adam lr=1e-3", Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: 1e-3}},
		{Name: "AdamW wd=0.01 lr=1e-3", Optimizer: optimizers.AdamW{WeightDecay: 0.01}, Schedule: schedulers.Constant{LR: 1e-3}},
		{Name: "RMSProp lr=1e-3", Optimizer: optimizers.RMSProp{}, Schedule: schedulers.Constant{LR: 1e-3}},
		{Name: "AdaGrad lr=0.01", Optimizer: optimizers.AdaGrad{}, Schedule: schedulers.Constant{LR: 0.01}},
	}
}

// scheduleRuns compares schedules around Adam; stepsPerEpoch and epochs size
// the per-step ones.
func scheduleRuns(epochs, stepsPerEpoch int) []run {
	total := epochs * stepsPerEpoch
	return []run{
		{Name: "constant 3e-3", Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: 3e-3}},
		{Name: "step ×0.3 every 3 epochs", Optimizer: optimizers.Adam{}, Schedule: schedulers.StepDecay{LR: 3e-3, StepSize: 3, Gamma: 0.3}},
		{Name: "exponential γ=0.7", Optimizer: optimizers.Adam{}, Schedule: schedulers.Exponential{LR: 3e-3, Gamma: 0.7}},
		{Name: "warm-up 1 epoch + cosine", Optimizer: optimizers.Adam{}, Every: schedulers.PerStep,
			Schedule: schedulers.Warmup{Steps: stepsPerEpoch, Then: schedulers.CosineAnnealing{LR: 3e-3, TMax: total - stepsPerEpoch}}},
		{Name: "one-cycle max 1e-2", Optimizer: optimizers.Adam{}, Every: schedulers.PerStep,
			Schedule: schedulers.OneCycle{MaxLR: 1e-2, TotalSteps: total}},
	}
}

// compare trains a fresh 784-128-10 MLP, same seed, for every run.
func compare(ctx context.Context, runs []run, train, val *data.Dataset, epochs, batch int) ([]result, error) {
	var out []result
	for _, r := range runs {
		m, err := model.New(model.MLP{Hidden: []int{128}, Out: 10}, model.Config{Inputs: 784, Seed: 1})
		if err != nil {
			return nil, err
		}
		tr, err := trainer.New(m, trainer.Config{
			Loss: losses.CrossEntropy{}, Optimizer: r.Optimizer, Schedule: r.Schedule, ScheduleEvery: r.Every,
			Epochs: epochs, BatchSize: batch, Seed: 1, Quiet: true, Metrics: []metrics.Metric{metrics.Accuracy{}},
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		start := time.Now()
		h, err := tr.Fit(ctx, train, val)
		tr.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		out = append(out, result{run: r, History: h, Seconds: time.Since(start).Seconds()})
	}
	return out, nil
}

// curves turns results into one validation-loss series per run.
func curves(rs []result) []plots.Series {
	var ss []plots.Series
	for _, r := range rs {
		s := plots.Series{Name: r.Name}
		for _, e := range r.History.Epochs {
			s.Y = append(s.Y, e.ValLoss)
		}
		ss = append(ss, s)
	}
	return ss
}

// table prints one Markdown row per run.
func table(rs []result) {
	fmt.Println("| run | train loss | val loss | val accuracy | seconds |")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range rs {
		last, _ := r.History.Last()
		fmt.Printf("| %s | %.4f | %.4f | %.4f | %.1f |\n", r.Name, last.TrainLoss, last.ValLoss, last.ValMetrics["accuracy"], r.Seconds)
	}
}

func main() {
	epochs := flag.Int("epochs", 8, "epochs per run")
	batch := flag.Int("batch", 64, "batch size")
	n := flag.Int("n", 10000, "training images (the first n of MNIST's 60,000)")
	out := flag.String("out", "docs/img", "folder for the plots")
	flag.Parse()
	ctx := context.Background()

	all, test, err := datasets.MNIST(data.MNISTConfig{Dtype: tensor.Float32})
	if err != nil {
		log.Fatal(err)
	}
	idx := make([]int, *n)
	for i := range idx {
		idx[i] = i
	}
	train, err := all.Subset(idx)
	if err != nil {
		log.Fatal(err)
	}
	val, err := test.Subset(idx[:2000])
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	steps := (*n + *batch - 1) / *batch
	for _, part := range []struct {
		file, title string
		runs        []run
	}{
		{"optimizers.png", "Optimizers: validation loss, MLP 784-128-10 on 10k MNIST", optimizerRuns()},
		{"schedules.png", "Schedules around Adam: validation loss", scheduleRuns(*epochs, steps)},
	} {
		rs, err := compare(ctx, part.runs, train, val, *epochs, *batch)
		if err != nil {
			log.Fatal(err)
		}
		table(rs)
		fmt.Println()
		chart := plots.Lines{Title: part.title, XLabel: "epoch", YLabel: "validation loss", Series: curves(rs)}
		if err := chart.Save(filepath.Join(*out, part.file), 7*vg.Inch, 4.5*vg.Inch); err != nil {
			log.Fatal(err)
		}
	}
}
