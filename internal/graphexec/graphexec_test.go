package graphexec_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/graphexec"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/regularizers"
)

// built is one model's loss graph: a network, a loss, a penalty on some
// parameters, differentiated with respect to every parameter.
type built struct {
	mg     *model.Graph
	target *G.Node
	cost   *G.Node
}

func build(t *testing.T, m *model.Model, loss losses.Loss, batch int, regularized map[int]bool) built {
	t.Helper()
	mg, err := m.NewGraph(batch, true)
	if err != nil {
		t.Fatal(err)
	}
	b := built{mg: mg}
	b.target = G.NewMatrix(mg.G, m.Dtype(), G.WithShape(batch, loss.TargetWidth(m.Outputs())), G.WithName("target"))
	per, err := loss.PerSample(mg.Out, b.target)
	if err != nil {
		t.Fatal(err)
	}
	if b.cost, err = G.Mean(per); err != nil {
		t.Fatal(err)
	}
	for i, l := range mg.Learnables {
		if regularized[i] {
			p, err := regularizers.L2{Lambda: 0.1}.Penalty(G.Nodes{l})
			if err != nil {
				t.Fatal(err)
			}
			if b.cost, err = G.Add(b.cost, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := G.Grad(b.cost, mg.Learnables...); err != nil {
		t.Fatal(err)
	}
	return b
}

// randomDense is a (rows, cols) tensor of dt with values from rng; labels
// draws integer class labels in [0, cols) instead, one column.
func randomDense(rng *rand.Rand, dt tensor.Dtype, rows, cols int, labels int) *tensor.Dense {
	t := tensor.New(tensor.Of(dt), tensor.WithShape(rows, cols))
	for i := range rows * cols {
		v := rng.NormFloat64()
		if labels > 0 {
			v = float64(rng.IntN(labels))
		}
		switch d := t.Data().(type) {
		case []float32:
			d[i] = float32(v)
		case []float64:
			d[i] = v
		}
	}
	return t
}

// The program computes what Gorgonia's tape machine computes, bit for bit:
// the cost and every gradient (the machine's accumulated into dual values,
// the program's read from the gradient nodes), run after run, with new
// inputs and new weights between runs (the program writes into the buffers
// of the run before), for losses with constants and sample weights, and
// penalties whose gradient is a sum of partial gradients.
func TestProgramMatchesTapeMachine(t *testing.T) {
	cases := []struct {
		name        string
		loss        losses.Loss
		act         model.Activation
		regularized map[int]bool
	}{
		{"cross-entropy relu", losses.CrossEntropy{}, model.ReLU{}, nil},
		{"weighted smoothed cross-entropy tanh, L2", losses.CrossEntropy{ClassWeights: []float64{1, 2, 0.5}, LabelSmoothing: 0.1}, model.Tanh{}, map[int]bool{0: true, 2: true}},
		{"mse sigmoid, L2 on a bias", losses.MSE{}, model.Sigmoid{}, map[int]bool{1: true}},
		{"huber gelu", losses.Huber{Delta: 0.5}, model.GELU{}, nil},
	}
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				const batch, inputs, classes = 7, 5, 3
				net := model.Sequential{Layers: []model.Layer{
					model.Dense{Units: 6}, model.Act{Activation: c.act}, model.Dense{Units: classes},
				}}
				m, err := model.New(net, model.Config{Inputs: inputs, Seed: 3, Dtype: dt})
				if err != nil {
					t.Fatal(err)
				}
				tape, prog := build(t, m, c.loss, batch, c.regularized), build(t, m, c.loss, batch, c.regularized)
				vm := G.NewTapeMachine(tape.mg.G, G.BindDualValues(tape.mg.Learnables...))
				defer vm.Close()
				p, err := graphexec.Compile(prog.mg.G)
				if err != nil {
					t.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(1, 2))
				labels := 0
				if _, ok := c.loss.(losses.CrossEntropy); ok {
					labels = classes
				}
				for run := range 4 {
					x := randomDense(rng, dt, batch, inputs, 0)
					y := randomDense(rng, dt, batch, c.loss.TargetWidth(classes), labels)
					for _, b := range []built{tape, prog} {
						if err := G.Let(b.mg.X, x); err != nil {
							t.Fatal(err)
						}
						if err := G.Let(b.target, y); err != nil {
							t.Fatal(err)
						}
					}
					if err := vm.RunAll(); err != nil {
						t.Fatal(err)
					}
					if err := p.Run(); err != nil {
						t.Fatal(err)
					}
					if w, g := tape.cost.Value().Data(), p.Value(prog.cost).Data(); w != g {
						t.Errorf("run %d: cost %v, tape machine %v", run, g, w)
					}
					for i, l := range tape.mg.Learnables {
						want, err := l.Grad()
						if err != nil {
							t.Fatal(err)
						}
						got, err := p.Grad(prog.mg.Learnables[i])
						if err != nil {
							t.Fatal(err)
						}
						if !sameBits(want.(tensor.Tensor), got.(tensor.Tensor)) {
							t.Fatalf("run %d, parameter %d: gradient %v, tape machine %v", run, i, got, want)
						}
						// A step of plain SGD on both, then the gradients are
						// zeroed as a solver does.
						stepSGD(l.Value().(*tensor.Dense), want.(*tensor.Dense))
						stepSGD(prog.mg.Learnables[i].Value().(*tensor.Dense), got.(*tensor.Dense))
						want.(*tensor.Dense).Zero()
						if p.OwnsValue(prog.mg.Learnables[i].Deriv()) {
							got.(*tensor.Dense).Zero()
						}
					}
					vm.Reset()
				}
			})
		}
	}
}

func stepSGD(w, g *tensor.Dense) {
	switch wd := w.Data().(type) {
	case []float32:
		for i, v := range g.Data().([]float32) {
			wd[i] -= 0.1 * v
		}
	case []float64:
		for i, v := range g.Data().([]float64) {
			wd[i] -= 0.1 * v
		}
	}
}

func sameBits(a, b tensor.Tensor) bool {
	switch ad := a.Data().(type) {
	case []float32:
		bd := b.Data().([]float32)
		for i := range ad {
			if math.Float32bits(ad[i]) != math.Float32bits(bd[i]) {
				return false
			}
		}
		return len(ad) == len(bd)
	case []float64:
		bd := b.Data().([]float64)
		for i := range ad {
			if math.Float64bits(ad[i]) != math.Float64bits(bd[i]) {
				return false
			}
		}
		return len(ad) == len(bd)
	}
	return false
}

// G.Read targets are filled as on the tape machine, and an input without
// a value is an error naming it.
func TestProgramErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("x"))
	y, err := G.Tanh(x)
	if err != nil {
		t.Fatal(err)
	}
	var read G.Value
	G.Read(y, &read)
	p, err := graphexec.Compile(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err == nil {
		t.Fatal("Run with an unbound input: no error")
	} else if got := err.Error(); !strings.Contains(got, "x") || !strings.Contains(got, "G.Let") {
		t.Errorf("error %q does not name the input and what to do", got)
	}
	if err := G.Let(x, tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 1, 2, 3}))); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if got := p.Value(y).Data().([]float64); math.Abs(got[1]-math.Tanh(1)) > 1e-15 {
		t.Errorf("tanh(1) = %v", got[1])
	}
	if read != p.Value(y) {
		t.Errorf("G.Read target %v, want the node's value %v", read, p.Value(y))
	}
	if _, err := p.Grad(x); err == nil {
		t.Error("Grad of an undifferentiated node: no error")
	}
}
