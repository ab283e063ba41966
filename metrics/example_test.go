package metrics_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/rowmajor"
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
