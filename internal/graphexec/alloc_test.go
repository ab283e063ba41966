package graphexec_test

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/graphexec"
	"github.com/gradtune/gradtune/internal/racedetect"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
)

// After its first run, a run of a training graph — dense layers, an
// activation, a loss, an L2 penalty and everything G.Grad makes of them —
// allocates nothing: Gorgonia's elementwise, reduction and shape ops run as
// native kernels and gradtune's own ops keep their outputs. A step of the
// Iris demo's MLP used to make ~270 allocations, most of them here, and
// parallel trials shared the collections that garbage caused.
func TestRunAllocatesNothing(t *testing.T) {
	if racedetect.On {
		t.Skip("the race detector's allocations are not the program's")
	}
	cases := []struct {
		name string
		loss losses.Loss
		act  model.Activation
	}{
		{"cross-entropy elu", losses.CrossEntropy{}, model.ELU{}},
		{"cross-entropy tanh", losses.CrossEntropy{}, model.Tanh{}},
		{"huber relu", losses.Huber{Delta: 0.5}, model.ReLU{}},
		{"mse sigmoid", losses.MSE{}, model.Sigmoid{}},
	}
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				const batch, inputs, classes = 16, 4, 3
				m, err := model.New(model.MLP{Hidden: []int{16}, Out: classes, Activation: c.act}, model.Config{Inputs: inputs, Seed: 1, Dtype: dt})
				if err != nil {
					t.Fatal(err)
				}
				b := build(t, m, c.loss, batch, map[int]bool{0: true, 2: true})
				p, err := graphexec.Compile(b.mg.G)
				if err != nil {
					t.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(1, 2))
				labels := 0
				if _, ok := c.loss.(losses.CrossEntropy); ok {
					labels = classes
				}
				if err := G.Let(b.mg.X, randomDense(rng, dt, batch, inputs, 0)); err != nil {
					t.Fatal(err)
				}
				if err := G.Let(b.target, randomDense(rng, dt, batch, c.loss.TargetWidth(classes), labels)); err != nil {
					t.Fatal(err)
				}
				if err := p.Run(); err != nil { // allocates the buffers
					t.Fatal(err)
				}
				var runErr error
				if n := testing.AllocsPerRun(20, func() { runErr = p.Run() }); n != 0 {
					t.Errorf("a run allocates %v times, want 0", n)
				}
				if runErr != nil {
					t.Fatal(runErr)
				}
			})
		}
	}
}
