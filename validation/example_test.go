package validation_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/validation"
)

// blobs returns n rows of 3 classes around the centers (0, 0), (2, 200) and
// (4, 0): the second feature is on a scale 100 times the first's.
func blobs(n int, seed uint64) (x [][]float64, labels []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	centers := [][2]float64{{0, 0}, {2, 200}, {4, 0}}
	for i := 0; i < n; i++ {
		c := i % 3
		x = append(x, []float64{centers[c][0] + rng.NormFloat64(), centers[c][1] + 100*rng.NormFloat64()})
		labels = append(labels, c)
	}
	return x, labels
}

// Score a softmax regression by stratified 3-fold cross-validation, each
// fold standardized with the statistics of its own training rows.
func ExampleCrossValidate() {
	x, labels := blobs(60, 7)
	ds, err := data.FromLabels(x, labels, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	classes, err := validation.Classes(ds) // from all rows, never from a fold
	if err != nil {
		log.Fatal(err)
	}
	folds, _, err := validation.StratifiedKFold{K: 3, Shuffle: true, Seed: 1}.Split(labels)
	if err != nil {
		log.Fatal(err)
	}

	fit := func(ctx context.Context, fold int, train, val *data.Dataset) (float64, error) {
		m, err := model.New(model.SoftmaxRegression{Classes: classes}, model.Config{Inputs: ds.Features(), Seed: 1})
		if err != nil {
			return 0, err
		}
		tr, err := trainer.New(m, trainer.Config{
			Loss:         losses.CrossEntropy{},
			Schedule:     schedulers.Constant{LR: 0.1},
			Epochs:       30,
			BatchSize:    train.Len(),
			Metrics:      []metrics.Metric{metrics.Accuracy{}},
			MonitorEvery: -1,
			Quiet:        true,
		})
		if err != nil {
			return 0, err
		}
		defer tr.Close()
		if _, err := tr.Fit(ctx, train, nil); err != nil {
			return 0, err
		}
		_, scores, err := tr.Evaluate(ctx, val)
		return scores["accuracy"], err
	}
	score, err := validation.CrossValidate(context.Background(), ds, folds, fit, validation.CVOptions{Standardize: true})
	if err != nil {
		log.Fatal(err)
	}
	for i, acc := range score.PerFold {
		fmt.Printf("fold %d: train=%d val=%d accuracy=%.4f\n", i+1, len(folds[i].Train), len(folds[i].Val), acc)
	}
	fmt.Println("accuracy:", score)
	// Output:
	// fold 1: train=40 val=20 accuracy=1.0000
	// fold 2: train=40 val=20 accuracy=0.8500
	// fold 3: train=40 val=20 accuracy=0.8000
	// accuracy: 0.8833 ± 0.0850 (3 folds)
}

// Hold out a validation and a test part that keep the classes' shares, then
// standardize all three parts with the training part's statistics.
func ExampleTrainValTestSplit() {
	x, labels := blobs(30, 3)
	ds, err := data.FromLabels(x, labels, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	train, val, test, err := validation.TrainValTestSplit(ds, 0.2, 0.2, true, 1)
	if err != nil {
		log.Fatal(err)
	}
	for _, part := range []struct {
		name string
		d    *data.Dataset
	}{{"train", train}, {"val", val}, {"test", test}} {
		ls, err := part.d.Labels()
		if err != nil {
			log.Fatal(err)
		}
		perClass := make([]int, 3)
		for _, l := range ls {
			perClass[l]++
		}
		fmt.Printf("%-5s rows=%2d per class=%v\n", part.name, part.d.Len(), perClass)
	}

	scaler, err := validation.Fit(train) // training rows only: no leak
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("mean=[%.2f %.2f] scale=[%.2f %.2f]\n", scaler.Mean[0], scaler.Mean[1], scaler.Scale[0], scaler.Scale[1])
	valStd, err := scaler.Transform(val) // and train, test alike
	if err != nil {
		log.Fatal(err)
	}
	raw, std := val.X.Data().([]float64), valStd.X.Data().([]float64)
	fmt.Printf("val row 0: raw=[%.2f %.2f] standardized=[%.2f %.2f]\n", raw[0], raw[1], std[0], std[1])
	// Output:
	// train rows=18 per class=[6 6 6]
	// val   rows= 6 per class=[2 2 2]
	// test  rows= 6 per class=[2 2 2]
	// mean=[2.46 94.21] scale=[1.93 159.35]
	// val row 0: raw=[0.53 298.96] standardized=[-1.00 1.28]
}
