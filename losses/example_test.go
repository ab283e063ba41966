package losses_test

import (
	"fmt"
	"log"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/rowmajor"
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
