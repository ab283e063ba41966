package regularizers_test

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/regularizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// Each penalty is a scalar node over the weights; here W = [[1, −2], [3, 4]]:
// Σ|w| = 10 and Σw² = 30.
func ExampleRegularizer() {
	for _, reg := range []regularizers.Regularizer{
		regularizers.L1{Lambda: 0.01},
		regularizers.L2{Lambda: 0.01},
		regularizers.ElasticNet{L1: 0.01, L2: 0.01},
	} {
		g := G.NewGraph()
		w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("W"),
			G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, -2, 3, 4}))))
		penalty, err := reg.Penalty(G.Nodes{w})
		if err != nil {
			log.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%v: %.4f\n", reg, penalty.Value().Data().(float64))
		vm.Close()
	}
	// Output:
	// l1(0.01): 0.1000
	// l2(0.01): 0.3000
	// elastic_net(l1=0.01, l2=0.01): 0.4000
}

// Ridge regression: the trainer adds L2{Lambda}·w² to the MSE of the line fit
// of README.md's quickstart, which pulls the weight toward 0 (the bias is not
// penalized). L2{Lambda: wd/2} is PyTorch's weight_decay=wd.
func ExampleL2() {
	rng := rand.New(rand.NewPCG(1, 2))
	xs, ys := make([][]float64, 100), make([][]float64, 100)
	for i := range xs {
		x := rng.Float64()
		xs[i], ys[i] = []float64{x}, []float64{3*x + rng.Float64()}
	}
	ds, err := data.FromRows(xs, ys, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}

	for _, lambda := range []float64{0, 0.1} {
		m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Dtype: tensor.Float64, Seed: 1})
		if err != nil {
			log.Fatal(err)
		}
		tr, err := trainer.New(m, trainer.Config{
			Loss:         losses.MSE{},
			Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: lambda}},
			Schedule:     schedulers.Constant{LR: 0.05},
			Epochs:       500,
			BatchSize:    100,
			Quiet:        true,
		})
		if err != nil {
			log.Fatal(err)
		}
		if _, err := tr.Fit(context.Background(), ds, nil); err != nil {
			log.Fatal(err)
		}
		tr.Close()
		w := m.Params()[0].Value.Data().([]float64)[0]
		b := m.Params()[1].Value.Data().([]float64)[0]
		fmt.Printf("lambda=%.1f: weight=%.2f bias=%.2f\n", lambda, w, b)
	}
	// Output:
	// lambda=0.0: weight=2.96 bias=0.57
	// lambda=0.1: weight=1.41 bias=1.42
}
