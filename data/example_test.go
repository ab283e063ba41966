package data_test

import (
	"errors"
	"fmt"
	"log"
	"math"
	"strings"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
)

// Load a classification table whose last column holds class names, then hold
// out a seeded validation part.
func ExampleLoadCSVClasses() {
	const table = `sepal_length,sepal_width,species
5.1,3.5,setosa
4.9,3.0,setosa
7.0,3.2,versicolor
6.4,3.2,versicolor
6.3,3.3,virginica
5.8,2.7,virginica
`
	ds, classes, err := data.LoadCSVClasses(strings.NewReader(table), data.CSVConfig{Header: true})
	if err != nil {
		log.Fatal(err)
	}
	labels, err := ds.Labels()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows:", ds.Len(), "features:", ds.Features(), "dtype:", ds.Dtype())
	fmt.Println("classes:", classes)
	fmt.Println("labels:", labels)

	train, val, err := ds.Split(1.0/3, 42) // a third held out, the same rows for seed 42 everywhere
	if err != nil {
		log.Fatal(err)
	}
	valLabels, err := val.Labels()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("train:", train.Len(), "val:", val.Len(), "val labels:", valLabels)
	// Output:
	// rows: 6 features: 2 dtype: float64
	// classes: [setosa versicolor virginica]
	// labels: [0 0 1 1 2 2]
	// train: 4 val: 2 val labels: [2 0]
}

// FromRows copies in-memory rows into a Dataset, checking shapes and values:
// a NaN names its tensor, row and column.
func ExampleFromRows() {
	x := [][]float64{{0.1, 1.0}, {0.4, 2.0}, {0.9, 3.0}}
	y := [][]float64{{1.3}, {2.2}, {3.7}}
	ds, err := data.FromRows(x, y, tensor.Float32)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ds.Len(), ds.Features(), ds.Targets(), ds.Dtype())

	y[1][0] = math.NaN() // a missing value, as a parser might leave it
	_, err = data.FromRows(x, y, tensor.Float32)
	fmt.Println(errors.Is(err, data.ErrNonFinite), err)
	// Output:
	// 3 2 1 float32
	// true data: non-finite value: Y row 1, column 0 is NaN
}
