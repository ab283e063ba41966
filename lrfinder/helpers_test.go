package lrfinder

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// linear returns a float64 nn.Linear(2, 1) with zero weight and bias, as
// the generator's sweeps start.
func linear(t *testing.T) *model.Model {
	t.Helper()
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 2, Dtype: tensor.Float64, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() {
		p.Value.Zero()
	}
	return m
}

// quadratic returns the generator's regression data.
func quadratic(t *testing.T, g *goldenFile, dt tensor.Dtype) *data.Dataset {
	t.Helper()
	ds, err := data.FromRows(g.Quadratic.X, g.Quadratic.Y, dt)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// randomLabels returns n rows of uniform features in [0, 1) with labels
// drawn independently of them, uniformly from 10 classes.
func randomLabels(t *testing.T, n, features int, seed uint64) *data.Dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	xs, labels := make([][]float64, n), make([]int, n)
	for i := range xs {
		xs[i] = make([]float64, features)
		for j := range xs[i] {
			xs[i][j] = rng.Float64()
		}
		labels[i] = rng.IntN(10)
	}
	ds, err := data.FromLabels(xs, labels, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// bits returns the bit patterns of every parameter value of m.
func bits(m *model.Model) [][]uint64 {
	var out [][]uint64
	for _, p := range m.Params() {
		var b []uint64
		switch d := p.Value.Data().(type) {
		case []float64:
			for _, v := range d {
				b = append(b, math.Float64bits(v))
			}
		case []float32:
			for _, v := range d {
				b = append(b, uint64(math.Float32bits(v)))
			}
		}
		out = append(out, b)
	}
	return out
}

// sameBits reports the first parameter whose bits differ, or "".
func sameBits(m *model.Model, want [][]uint64) string {
	got := bits(m)
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				return m.Params()[i].Name
			}
		}
	}
	return ""
}

// schedulersPlateau is a valid plateau for TestRunOverridesConfig.
var schedulersPlateau = schedulers.ReduceLROnPlateau{Factor: 0.1, Patience: 0}

// withRate returns cfg training at the constant rate lr.
func withRate(cfg trainer.Config, lr float64) trainer.Config {
	cfg.Schedule = schedulers.Constant{LR: lr}
	return cfg
}
