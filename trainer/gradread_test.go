package trainer

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/regularizers"
)

// Reading gradients straight from their nodes gives the same training, bit
// for bit, as Gorgonia's dual values, for parameters of either kind (the
// dense weights' own gemm gradient, an L2-regularized weight's sum of
// partial gradients) and with every optimizer that zeroes what it reads.
func TestGradientReadingMatchesDualValues(t *testing.T) {
	var xs, ys [][]float64
	for i := range 37 {
		a, b := math.Sin(float64(i)), math.Cos(float64(3*i))
		xs = append(xs, []float64{a, b, a * b})
		ys = append(ys, []float64{float64(i % 3)})
	}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		ds, err := data.FromRows(xs, ys, dt)
		if err != nil {
			t.Fatal(err)
		}
		for _, opt := range []optimizers.Optimizer{optimizers.Adam{}, optimizers.SGD{Momentum: 0.9}, optimizers.RMSProp{}} {
			train := func(force bool) ([]*tensor.Dense, int) {
				forceDualValues = force
				defer func() { forceDualValues = false }()
				net := model.Sequential{Layers: []model.Layer{
					model.Dense{Units: 6}, model.Act{Activation: model.ReLU{}}, model.Dropout{Rate: 0.2},
					model.Dense{Units: 3, Regularizers: []regularizers.Regularizer{regularizers.L1{Lambda: 0.01}}},
				}}
				m, err := model.New(net, model.Config{Inputs: 3, Seed: 2, Dtype: dt})
				if err != nil {
					t.Fatal(err)
				}
				tr, err := New(m, Config{
					Loss: losses.CrossEntropy{ClassWeights: []float64{1, 2, 0.5}}, Optimizer: opt, BatchSize: 8, Epochs: 4, Seed: 9, Quiet: true,
					Regularizers: []regularizers.Regularizer{regularizers.L2{Lambda: 0.05}},
					Regularized:  func(p *model.Param) bool { return p == m.Params()[0] },
				})
				if err != nil {
					t.Fatal(err)
				}
				defer tr.Close()
				if _, err := tr.Fit(ctx, ds, nil); err != nil {
					t.Fatal(err)
				}
				return tr.Weights(), len(needDualValues(tr.train.G, tr.train.Learnables))
			}
			dual, nDual := train(true)
			direct, nDirect := train(false)
			if nDual != 4 || nDirect != 2 {
				t.Fatalf("%v %v: %d and %d parameters on dual values, want 4 (forced) and 2 (the regularized weights)", dt, opt, nDual, nDirect)
			}
			for i := range dual {
				if !dual[i].Eq(direct[i]) {
					t.Errorf("%v %v: parameter %d differs: dual values %v, read gradients %v", dt, opt, i, dual[i], direct[i])
				}
			}
		}
	}
}
