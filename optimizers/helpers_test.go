package optimizers_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/optimizers"
)

// optGolden mirrors testdata/torch/optimizers.json (gen_optimizers.py).
type optGolden struct {
	Generator struct{ Script, Torch string }
	Linear    struct {
		W0    [][]float64
		B0    []float64
		X, Y  [][]float64
		Steps int
	}
	Trajectories []trajectory
	Defaults     map[string]hyper // torch's constructor defaults, lr excluded
	Clip         []clipCase
}

type trajectory struct {
	Name, Optimizer string
	Hyper           hyper
	LRs             []float64
	W               [][][]float64
	B               [][]float64
	LossBeforeStep  []float64 `json:"loss_before_step"`
}

// hyper holds every hyperparameter a case ran with (torch's param group).
type hyper struct {
	LR                      float64
	Momentum, Dampening     float64
	Nesterov                bool
	WeightDecay             float64 `json:"weight_decay"`
	Betas                   []float64
	Eps                     float64
	AMSGrad                 bool
	Alpha                   float64
	Centered                bool
	LRDecay                 float64 `json:"lr_decay"`
	InitialAccumulatorValue float64 `json:"initial_accumulator_value"`
}

type clipCase struct {
	Name, Kind string
	Arg        float64
	Grads      []any   // nested lists: one tensor per parameter
	TotalNorm  float64 `json:"total_norm"`
	Clipped    []any
}

func loadGolden(t testing.TB) *optGolden {
	t.Helper()
	var f optGolden
	golden.Read(t, "optimizers.json", &f)
	if len(f.Trajectories) == 0 || f.Linear.Steps == 0 {
		t.Fatal("optimizers.json holds no trajectories")
	}
	return &f
}

// optimizerFor builds our config from the hyperparameters torch ran with.
func optimizerFor(t testing.TB, name string, h hyper) optimizers.Optimizer {
	t.Helper()
	switch name {
	case "sgd":
		return optimizers.SGD{Momentum: h.Momentum, Dampening: h.Dampening, Nesterov: h.Nesterov, WeightDecay: h.WeightDecay}
	case "adam":
		return optimizers.Adam{Beta1: h.Betas[0], Beta2: h.Betas[1], Eps: h.Eps, WeightDecay: h.WeightDecay, AMSGrad: h.AMSGrad}
	case "adamw":
		return optimizers.AdamW{Beta1: h.Betas[0], Beta2: h.Betas[1], Eps: h.Eps, WeightDecay: h.WeightDecay, AMSGrad: h.AMSGrad}
	case "rmsprop":
		return optimizers.RMSProp{Alpha: h.Alpha, Eps: h.Eps, Momentum: h.Momentum, Centered: h.Centered, WeightDecay: h.WeightDecay}
	case "adagrad":
		return optimizers.AdaGrad{LRDecay: h.LRDecay, WeightDecay: h.WeightDecay, InitialAccumulatorValue: h.InitialAccumulatorValue, Eps: h.Eps}
	}
	t.Fatalf("unknown optimizer %q", name)
	return nil
}

// relErr is |got − want| / max(|want|, floor): relative, except that values
// closer to 0 than floor are compared absolutely at floor's scale.
func relErr(got, want, floor float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), floor)
}

// linearGraph is y = x@W + b with mean squared error, the model of
// gen_optimizers.py, trained in the canonical Gorgonia loop.
type linearGraph struct {
	W, b *G.Node
	loss G.Value
	vm   G.VM
}

func newLinearGraph(t testing.TB, dt tensor.Dtype, lin *optGolden) *linearGraph {
	t.Helper()
	c := lin.Linear
	mat := func(rows [][]float64) *tensor.Dense {
		d, err := dense.FromFloat64(dt, golden.Flat(rows), len(rows), len(rows[0]))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	g := G.NewGraph()
	x := G.NewMatrix(g, dt, G.WithShape(len(c.X), len(c.X[0])), G.WithValue(mat(c.X)), G.WithName("x"))
	y := G.NewMatrix(g, dt, G.WithShape(len(c.Y), len(c.Y[0])), G.WithValue(mat(c.Y)), G.WithName("y"))
	l := &linearGraph{
		W: G.NewMatrix(g, dt, G.WithShape(len(c.W0), len(c.W0[0])), G.WithValue(mat(c.W0)), G.WithName("W")),
		b: G.NewMatrix(g, dt, G.WithShape(1, len(c.B0)), G.WithValue(mat([][]float64{c.B0})), G.WithName("b")),
	}
	xw, err := G.Mul(x, l.W)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := G.BroadcastAdd(xw, l.b, nil, []byte{0})
	if err != nil {
		t.Fatal(err)
	}
	diff, err := G.Sub(pred, y)
	if err != nil {
		t.Fatal(err)
	}
	sq, err := G.Square(diff)
	if err != nil {
		t.Fatal(err)
	}
	cost, err := G.Mean(sq)
	if err != nil {
		t.Fatal(err)
	}
	G.Read(cost, &l.loss)
	if _, err := G.Grad(cost, l.W, l.b); err != nil {
		t.Fatal(err)
	}
	l.vm = G.NewTapeMachine(g, G.BindDualValues(l.W, l.b))
	t.Cleanup(func() { l.vm.Close() })
	return l
}

// step runs forward and backward, applies one solver step and returns the
// loss before the step.
func (l *linearGraph) step(t testing.TB, s G.Solver) float64 {
	t.Helper()
	defer l.vm.Reset()
	if err := l.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	loss := dense.Scalar(l.loss)
	if err := s.Step(G.NodesToValueGrads(G.Nodes{l.W, l.b})); err != nil {
		t.Fatal(err)
	}
	return loss
}

func (l *linearGraph) params() (W, b []float64) {
	return dense.Float64s(l.W.Value()), dense.Float64s(l.b.Value())
}

// vg is a parameter outside any graph: a value and its gradient.
type vg struct {
	w, g G.Value
	err  error
}

func (p vg) Value() G.Value         { return p.w }
func (p vg) Grad() (G.Value, error) { return p.g, p.err }

func f64(xs ...float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(xs))
}

func f32(xs ...float32) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(xs)), tensor.WithBacking(xs))
}
