package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/rowmajor"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// Accuracy scores a classifier's logits (n, classes) against integer labels
// (n, 1), both row-major as a model's outputs and a data.Dataset's Y hold them.
func ExampleAccuracy() {
	const n, classes = 4, 3
	logits := rowmajor.Matrix{Rows: n, Cols: classes, Data: []float64{
		2.0, 0.1, -1.0, // predicts class 0
		0.3, 1.5, 0.2, // predicts class 1
		0.0, 0.2, 3.1, // predicts class 2
		1.2, 0.4, 0.9, // predicts class 0
	}}
	labels := rowmajor.Matrix{Rows: n, Cols: 1, Data: []float64{0, 1, 2, 2}}

	var acc metrics.Accuracy
	v, err := acc.Eval(logits, labels)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s=%.4f (%v)\n", acc.Name(), v, acc.Direction())

	// A label that is not a class is an error, not a silent miss.
	_, err = acc.Eval(logits, rowmajor.Matrix{Rows: n, Cols: 1, Data: []float64{0, 1, 2, 3}})
	fmt.Println(errors.Is(err, metrics.ErrLabel))
	// Output:
	// accuracy=0.7500 (maximize)
	// true
}

// BinaryAccuracy with FromLogits thresholds one logit per row at 0, the
// output of model.LogisticRegression trained with losses.BCEWithLogits.
func ExampleBinaryAccuracy() {
	logits := rowmajor.Matrix{Rows: 5, Cols: 1, Data: []float64{2.3, -0.7, 0.1, -4.0, 1.1}}
	labels := rowmajor.Matrix{Rows: 5, Cols: 1, Data: []float64{1, 0, 0, 0, 1}}

	acc := metrics.BinaryAccuracy{FromLogits: true}
	v, err := acc.Eval(logits, labels)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s=%.4f\n", acc.Name(), v)
	// Output: binary_accuracy=0.8000
}

// RMSE and MAE score a regression's outputs (n, outputs) against targets of
// the same shape.
func ExampleRMSE() {
	pred := rowmajor.Matrix{Rows: 4, Cols: 1, Data: []float64{2.5, 0.0, 2.0, 8.0}}
	y := rowmajor.Matrix{Rows: 4, Cols: 1, Data: []float64{3.0, -0.5, 2.0, 7.0}}
	for _, m := range []metrics.Metric{metrics.RMSE{}, metrics.MAE{}} {
		v, err := m.Eval(pred, y)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s=%.4f\n", m.Name(), v)
	}
	// Output:
	// rmse=0.6124
	// mae=0.5000
}

// A custom metric is one function of the model's outputs (n, outputs) and
// the raw targets (n, k), with a name and the way it improves. Here the
// coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (as
// sklearn.metrics.r2_score), which the trainer computes on the validation
// set after every epoch into History as val_r2; EarlyStopping with an Auto
// mode maximizes it, as the metric declares.
func ExampleFunc() {
	r2 := metrics.Func("r2", goal.Maximize, func(out, y rowmajor.Matrix) (float64, error) {
		if out.Cols != 1 || y.Cols != 1 {
			return 0, fmt.Errorf("r2 wants one output and one target column; got %d and %d", out.Cols, y.Cols)
		}
		mean := 0.0
		for _, v := range y.Data {
			mean += v / float64(y.Rows)
		}
		res, tot := 0.0, 0.0
		for i, v := range y.Data {
			res += (v - out.Data[i]) * (v - out.Data[i])
			tot += (v - mean) * (v - mean)
		}
		return 1 - res/tot, nil
	})

	rng := rand.New(rand.NewPCG(1, 2))
	line := func(n int) *data.Dataset {
		xs, ys := make([][]float64, n), make([][]float64, n)
		for i := range xs {
			x := rng.Float64()
			xs[i], ys[i] = []float64{x}, []float64{3*x + 0.3*rng.NormFloat64()}
		}
		ds, err := data.FromRows(xs, ys, tensor.Float64)
		if err != nil {
			log.Fatal(err)
		}
		return ds
	}
	train, val := line(200), line(50)

	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1, Dtype: tensor.Float64})
	if err != nil {
		log.Fatal(err)
	}
	stop := &trainer.EarlyStopping{Monitor: "val_r2", Patience: 5}
	tr, err := trainer.New(m, trainer.Config{
		Loss:      losses.MSE{},
		Schedule:  schedulers.Constant{LR: 0.05},
		Epochs:    100,
		BatchSize: 50,
		Quiet:     true,
		Metrics:   []metrics.Metric{r2},
		Callbacks: []trainer.Callback{stop},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer tr.Close()
	h, err := tr.Fit(context.Background(), train, val)
	if err != nil {
		log.Fatal(err)
	}
	first, _ := h.Epochs[0].Value("val_r2")
	fmt.Printf("epoch 1: val_r2=%.3f\n", first)
	fmt.Printf("best: val_r2=%.3f at epoch %d\n", stop.Best, stop.BestEpoch)
	// Output:
	// epoch 1: val_r2=0.141
	// best: val_r2=0.901 at epoch 72
}
