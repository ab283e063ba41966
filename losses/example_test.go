package losses_test

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
	"github.com/gradtune/gradtune/rowmajor"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// Cross-entropy of two rows of logits (batch 2, 3 classes) against integer
// labels, evaluated on a small Gorgonia graph; the values equal PyTorch's
// F.cross_entropy(logits, labels, reduction=...). In training you only name
// the loss: trainer.Config{Loss: losses.CrossEntropy{}}.
func ExampleCrossEntropy() {
	const batch, classes = 2, 3
	logits := []float64{
		2.0, 1.0, 0.1,
		0.5, 0.5, 3.0,
	}
	// Raw targets (batch, 1), as a data.Dataset holds them: one label per row.
	labels := rowmajor.Matrix{Rows: batch, Cols: 1, Data: []float64{0, 2}}

	for _, loss := range []losses.CrossEntropy{{}, {LabelSmoothing: 0.1}} {
		// EncodeTargets turns the labels into what the graph needs: one-hot (batch, classes).
		target, err := loss.EncodeTargets(labels, classes)
		if err != nil {
			log.Fatal(err)
		}
		g := G.NewGraph()
		pred := G.NewMatrix(g, tensor.Float64, G.WithShape(batch, classes), G.WithName("logits"),
			G.WithValue(tensor.New(tensor.WithShape(batch, classes), tensor.WithBacking(logits))))
		tgt := G.NewMatrix(g, tensor.Float64, G.WithShape(batch, loss.TargetWidth(classes)), G.WithName("target"),
			G.WithValue(tensor.New(tensor.WithShape(batch, loss.TargetWidth(classes)), tensor.WithBacking(target.Data))))
		perSample, err := losses.Reduce(loss, pred, tgt, losses.None)
		if err != nil {
			log.Fatal(err)
		}
		mean, err := losses.Reduce(loss, pred, tgt, losses.Mean)
		if err != nil {
			log.Fatal(err)
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			log.Fatal(err)
		}
		ls := perSample.Value().Data().([]float64)
		fmt.Printf("label_smoothing=%.1f: per sample [%.4f %.4f], mean %.4f\n",
			loss.LabelSmoothing, ls[0], ls[1], mean.Value().Data().(float64))
		vm.Close()
	}
	// Output:
	// label_smoothing=0.0: per sample [0.4170 0.1520], mean 0.2845
	// label_smoothing=0.1: per sample [0.5137 0.3187], mean 0.4162
}

// A custom loss is one function from pred and target, both (batch, outputs),
// to one loss per row, (batch,). Here the Cauchy loss log(1 + (pred − y)²),
// which an outlier pulls far less than the squared error: a line fitted to
// y = 2x + 1 with every tenth target thrown off by +20 keeps its slope and
// intercept, where MSE's intercept follows the outliers. The trainer
// minimizes the mean of the rows' losses over each batch.
func ExampleFunc() {
	cauchy := losses.Func("cauchy", func(pred, target *G.Node) (*G.Node, error) {
		d, err := G.Sub(pred, target)
		if err != nil {
			return nil, err
		}
		sq, err := G.Square(d)
		if err != nil {
			return nil, err
		}
		l, err := G.Log1p(sq)
		if err != nil {
			return nil, err
		}
		return G.Mean(l, 1) // (batch, outputs) → (batch,)
	})

	rng := rand.New(rand.NewPCG(1, 2))
	xs, ys := make([][]float64, 100), make([][]float64, 100)
	for i := range xs {
		x := 2*rng.Float64() - 1
		y := 2*x + 1 + 0.05*rng.NormFloat64()
		if i%10 == 0 {
			y += 20 // an outlier
		}
		xs[i], ys[i] = []float64{x}, []float64{y}
	}
	ds, err := data.FromRows(xs, ys, tensor.Float64)
	if err != nil {
		log.Fatal(err)
	}
	for _, loss := range []losses.Loss{cauchy, losses.MSE{}} {
		m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1, Dtype: tensor.Float64})
		if err != nil {
			log.Fatal(err)
		}
		tr, err := trainer.New(m, trainer.Config{
			Loss:      loss,
			Schedule:  schedulers.Constant{LR: 0.05},
			Epochs:    500,
			BatchSize: 100,
			Quiet:     true,
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
		fmt.Printf("%-6v weight=%.2f bias=%.2f\n", loss, w, b)
	}
	// Output:
	// cauchy weight=1.99 bias=1.00
	// mse    weight=1.90 bias=3.00
}
