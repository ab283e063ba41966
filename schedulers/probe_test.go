package schedulers

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// probe measures the rate a Solver applies: loss = Σw over a (1, 1) weight,
// so ∂loss/∂w = 1 and, from w = 0, one vanilla step leaves w = −lr exactly.
type probe struct {
	w  *G.Node
	vm G.VM
}

func newProbe(t *testing.T) *probe {
	t.Helper()
	g := G.NewGraph()
	w := G.NewMatrix(g, G.Float64, G.WithShape(1, 1), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(1, 1), tensor.WithBacking([]float64{0}))))
	loss := G.Must(G.Sum(w))
	if _, err := G.Grad(loss, w); err != nil {
		t.Fatal(err)
	}
	p := &probe{w: w, vm: G.NewTapeMachine(g, G.BindDualValues(w))}
	t.Cleanup(func() { p.vm.Close() })
	return p
}

// step runs one forward/backward pass and s.Step, and returns the rate the
// step applied.
func (p *probe) step(t *testing.T, s *Solver) float64 {
	t.Helper()
	data := p.w.Value().Data().([]float64)
	data[0] = 0
	if err := p.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	if err := s.Step(G.NodesToValueGrads(G.Nodes{p.w})); err != nil {
		t.Fatal(err)
	}
	p.vm.Reset()
	return -data[0]
}
