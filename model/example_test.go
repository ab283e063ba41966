package model_test

import (
	"bytes"
	"fmt"
	"log"
	"slices"

	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/regularizers"
)

// A 4-16-3 classifier for 4 features and 3 classes: the parameters are
// created and initialized from the seed by New, in a stable order.
func ExampleNew() {
	m, err := model.New(model.MLP{Hidden: []int{16}, Out: 3}, model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("inputs:", m.Inputs(), "outputs:", m.Outputs(), "dtype:", m.Dtype())
	for _, p := range m.Params() {
		fmt.Println(p.Name, p.Value.Shape(), "decay:", p.Decay)
	}
	// Output:
	// inputs: 4 outputs: 3 dtype: float32
	// dense0/W (4, 16) decay: true
	// dense0/b (1, 16) decay: false
	// dense1/W (16, 3) decay: true
	// dense1/b (1, 3) decay: false
}

// A Sequential spells the layers out, as in Keras; a layer's own
// regularizers and dropout come with it. The same seed gives the same
// weights, bit for bit, and Save/Load carry them to another model.
func ExampleSequential() {
	net := model.Sequential{Layers: []model.Layer{
		model.Dense{Units: 32, Init: model.HeNormal{}, Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: 1e-4}}},
		model.Act{Activation: model.ReLU{}},
		model.Dropout{Rate: 0.2},
		model.Dense{Units: 10},
	}}
	m, err := model.New(net, model.Config{Inputs: 784, Seed: 7})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range m.Params() {
		fmt.Println(p.Name, p.Value.Shape(), p.Regularizers)
	}

	var checkpoint bytes.Buffer
	if err := m.Save(&checkpoint); err != nil {
		log.Fatal(err)
	}
	other, err := model.New(net, model.Config{Inputs: 784, Seed: 8}) // other initial weights
	if err != nil {
		log.Fatal(err)
	}
	sameW := func() bool {
		return slices.Equal(m.Params()[0].Value.Data().([]float32), other.Params()[0].Value.Data().([]float32))
	}
	fmt.Println("same weights before Load:", sameW())
	if err := other.Load(&checkpoint); err != nil {
		log.Fatal(err)
	}
	fmt.Println("same weights after Load:", sameW())
	// Output:
	// layer0/W (784, 32) [l2(0.0001)]
	// layer0/b (1, 32) []
	// layer3/W (32, 10) []
	// layer3/b (1, 10) []
	// same weights before Load: false
	// same weights after Load: true
}
