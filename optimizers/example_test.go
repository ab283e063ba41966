package optimizers_test

import (
	"fmt"
	"log"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/optimizers"
)

// Three optimizers minimizing Σ(w − [3, −1])² from w = 0, 20 steps at lr 0.1,
// in Gorgonia's own training loop (Grad, TapeMachine, Step, Reset). With the
// trainer you only name one: trainer.Config{Optimizer: optimizers.SGD{Momentum: 0.9}}.
func ExampleOptimizer() {
	const lr, steps = 0.1, 20
	for _, opt := range []optimizers.Optimizer{
		optimizers.SGD{},
		optimizers.SGD{Momentum: 0.9, Nesterov: true},
		optimizers.Adam{},
	} {
		g := G.NewGraph()
		w := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("w"), G.WithInit(G.Zeroes()))
		target := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("target"),
			G.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, -1}))))
		loss := G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(w, target))))))
		if _, err := G.Grad(loss, w); err != nil {
			log.Fatal(err)
		}
		var lossVal G.Value
		G.Read(loss, &lossVal)

		solver, err := opt.Solver(lr)
		if err != nil {
			log.Fatal(err)
		}
		vm := G.NewTapeMachine(g, G.BindDualValues(w))
		for range steps {
			if err := vm.RunAll(); err != nil {
				log.Fatal(err)
			}
			if err := solver.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
				log.Fatal(err)
			}
			vm.Reset()
		}
		vm.Close()
		ws := w.Value().Data().([]float64)
		// lossVal holds the last forward pass: the loss before the 20th step.
		fmt.Printf("%v\n  w=[%.4f %.4f] loss=%.4f\n", opt, ws[0], ws[1], lossVal.Data().(float64))
	}
	// Output:
	// sgd(momentum=0, dampening=0, nesterov=false, weight_decay=0)
	//   w=[2.9654 -0.9885] loss=0.0021
	// sgd(momentum=0.9, dampening=0, nesterov=true, weight_decay=0)
	//   w=[3.1185 -1.0395] loss=0.0200
	// adam(beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0, amsgrad=false)
	//   w=[1.8806 -1.2712] loss=1.5188
}

// param is a parameter outside any graph: a value and its gradient, what a
// Solver's Step and the clipping functions take.
type param struct{ value, grad *tensor.Dense }

func (p param) Value() G.Value         { return p.value }
func (p param) Grad() (G.Value, error) { return p.grad, nil }

// ClipByGlobalNorm rescales all gradients together, as
// torch.nn.utils.clip_grad_norm_: gradients [3, 4] and [12] have norm 13,
// clipped to 6.5 they are halved. The trainer does this with Config.ClipNorm.
func ExampleClipByGlobalNorm() {
	vec := func(xs ...float64) *tensor.Dense {
		return tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(xs))
	}
	w1 := param{value: vec(0, 0), grad: vec(3, 4)}
	w2 := param{value: vec(0), grad: vec(12)}

	total, err := optimizers.ClipByGlobalNorm([]G.ValueGrad{w1, w2}, 6.5)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("norm before: %.4f\n", total)
	g1, g2 := w1.grad.Data().([]float64), w2.grad.Data().([]float64)
	fmt.Printf("gradients after: [%.4f %.4f] [%.4f]\n", g1[0], g1[1], g2[0])
	// Output:
	// norm before: 13.0000
	// gradients after: [1.5000 2.0000] [6.0000]
}
