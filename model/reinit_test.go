package model

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
)

func paramValues(m *Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		out = append(out, dense.Float64s(p.Value))
	}
	return out
}

// Reinit(seed) draws what New draws with that seed, bit for bit, in place.
func TestReinitDrawsAsNew(t *testing.T) {
	nets := map[string]Network{
		"MLP he_normal":      MLP{Hidden: []int{8, 5}, Out: 3, Activation: ReLU{}, Init: HeNormal{}},
		"MLP xavier_uniform": MLP{Hidden: []int{6}, Out: 2, Activation: Tanh{}, Init: XavierUniform{}},
		"Sequential dropout": Sequential{Layers: []Layer{Dense{Units: 7}, Act{Activation: ELU{}}, Dropout{Rate: 0.3}, Dense{Units: 3}}},
	}
	for name, net := range nets {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(fmt.Sprintf("%s %v", name, dt), func(t *testing.T) {
				m, err := New(net, Config{Inputs: 4, Dtype: dt, Seed: 1})
				if err != nil {
					t.Fatal(err)
				}
				tensors := make([]*tensor.Dense, len(m.Params()))
				for i, p := range m.Params() {
					tensors[i] = p.Value
				}
				first := paramValues(m)
				if err := m.Reinit(9); err != nil {
					t.Fatal(err)
				}
				want, err := New(net, Config{Inputs: 4, Dtype: dt, Seed: 9})
				if err != nil {
					t.Fatal(err)
				}
				if got := paramValues(m); !reflect.DeepEqual(got, paramValues(want)) || reflect.DeepEqual(got, first) {
					t.Errorf("Reinit(9) gave %v\nNew with seed 9 %v\n(seed 1 %v)", got, paramValues(want), first)
				}
				for i, p := range m.Params() {
					if p.Value != tensors[i] {
						t.Errorf("parameter %s: Reinit replaced its tensor instead of overwriting it", p.Name)
					}
				}
				if err := m.Reinit(1); err != nil {
					t.Fatal(err)
				}
				if got := paramValues(m); !reflect.DeepEqual(got, first) {
					t.Errorf("Reinit(1) gave %v, want New's %v", got, first)
				}
			})
		}
	}
}

// refusingInit accepts the model's first build and refuses later draws.
type refusingInit struct{ calls *int }

func (r refusingInit) Init(dst []float64, _, _ int, rng *rand.Rand) {
	*r.calls++
	if *r.calls > 1 {
		panic("no more draws")
	}
	for i := range dst {
		dst[i] = rng.Float64()
	}
}
func (refusingInit) String() string { return "refusing" }

func TestReinitErrorsChangeNothing(t *testing.T) {
	var zero Model
	if err := zero.Reinit(1); !errors.Is(err, ErrConfig) {
		t.Errorf("zero Model: %v, want ErrConfig", err)
	}
	var nilM *Model
	if err := nilM.Reinit(1); !errors.Is(err, ErrConfig) {
		t.Errorf("nil Model: %v, want ErrConfig", err)
	}
	calls := 0
	m, err := New(Sequential{Layers: []Layer{Dense{Units: 3}, Dense{Units: 2, Init: refusingInit{&calls}}}}, Config{Inputs: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	before := paramValues(m)
	if err := m.Reinit(5); err == nil {
		t.Fatal("Reinit with an initializer that panics: no error")
	}
	if got := paramValues(m); !reflect.DeepEqual(got, before) {
		t.Errorf("a failed Reinit changed the parameters: %v, want %v", got, before)
	}
	m.Params()[0].Value = tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{0}))
	if err := m.Reinit(5); !errors.Is(err, ErrConfig) {
		t.Errorf("Reinit after a parameter's tensor was replaced by one of another shape: %v, want ErrConfig", err)
	}
}
