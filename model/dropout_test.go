package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/internal/gerr"
)

// dropoutNet is x → Dense(units) → Dropout(rate); pre is the Dense output of
// the latest build, so a test can read what dropout received.
func dropoutNet(units int, rate float64, pre **G.Node) Network {
	return Func(func(s *Scope, x *G.Node) (*G.Node, error) {
		h, err := Dense{Units: units, Init: Normal{}, BiasInit: Normal{Mean: 1}}.Build(s, x, "d")
		if err != nil {
			return nil, err
		}
		*pre = h
		return Dropout{Rate: rate}.Build(s, h, "drop")
	})
}

type dropoutRun struct {
	pre, out, mask, gradB []float64
}

// runDropout builds a graph of batch rows, fills its feeds from rng (if
// any), runs it once with loss sum(out ⊙ u), u[i] = i mod 7 − 3, and returns
// the values.
func runDropout(t *testing.T, units, batch int, rate float64, dt tensor.Dtype, training bool, rng *rand.Rand) (dropoutRun, *Graph) {
	t.Helper()
	var pre *G.Node
	m, err := New(dropoutNet(units, rate, &pre), Config{Inputs: 3, Dtype: dt, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.NewGraph(batch, training)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, batch*3)
	for i := range x {
		x[i] = float64(i%5) - 2
	}
	u := make([]float64, batch*units)
	for i := range u {
		u[i] = float64(i%7) - 3
	}
	var r dropoutRun
	err = gerr.Do("test", func() error {
		xv, _ := dense.FromFloat64(dt, x, batch, 3)
		uv, _ := dense.FromFloat64(dt, u, batch, units)
		un := G.NewMatrix(g.G, dt, G.WithShape(batch, units), G.WithName("u"), G.WithValue(uv))
		prod, err := G.HadamardProd(g.Out, un)
		if err != nil {
			return err
		}
		cost, err := G.Sum(prod)
		if err != nil {
			return err
		}
		if _, err := G.Grad(cost, g.Learnables...); err != nil {
			return err
		}
		var preVal, outVal G.Value
		G.Read(pre, &preVal)
		G.Read(g.Out, &outVal)
		vm := G.NewTapeMachine(g.G, G.BindDualValues(g.Learnables...))
		defer vm.Close()
		if err := G.Let(g.X, xv); err != nil {
			return err
		}
		if rng != nil {
			if err := g.FillFeeds(rng); err != nil {
				return err
			}
		}
		if err := vm.RunAll(); err != nil {
			return err
		}
		r.pre, r.out = dense.Float64s(preVal), dense.Float64s(outVal)
		if len(g.Feeds) > 0 {
			r.mask = dense.Float64s(g.Feeds[0].Node.Value())
		}
		gb, err := g.Learnables[1].Grad()
		if err != nil {
			return err
		}
		r.gradB = dense.Float64s(gb)
		// The expected bias gradient: Σ over the batch of mask ⊙ u (or u).
		want := make([]float64, units)
		for i, ui := range u {
			if r.mask != nil {
				ui *= r.mask[i]
			}
			want[i%units] += ui
		}
		compare(t, "grad b", r.gradB, want, tolerance(dt))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return r, g
}

// In a training graph dropout multiplies by a mask of 0 and 1/(1 − rate),
// kept with probability 1 − rate, and the gradient flows through the kept
// elements only.
func TestDropoutTrainingMask(t *testing.T) {
	const units, batch = 40, 250 // 10,000 mask values
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, rate := range []float64{0.1, 0.5, 0.8} {
			t.Run(fmt.Sprintf("%v/rate=%v", dt, rate), func(t *testing.T) {
				r, g := runDropout(t, units, batch, rate, dt, true, rand.New(rand.NewPCG(3, 4)))
				if len(g.Feeds) != 1 || g.Feeds[0].Node.Name() != "drop/mask" || !g.Feeds[0].Node.Shape().Eq(tensor.Shape{batch, units}) {
					t.Fatalf("feeds %v, want one drop/mask (%d, %d)", g.Feeds, batch, units)
				}
				scale := 1 / (1 - rate)
				if dt == tensor.Float32 {
					scale = float64(float32(scale))
				}
				zeros := 0
				for i, mv := range r.mask {
					if mv != 0 && mv != scale {
						t.Fatalf("mask[%d] = %v, want 0 or %v", i, mv, scale)
					}
					if mv == 0 {
						zeros++
					}
					want := r.pre[i] * mv
					if dt == tensor.Float32 {
						want = float64(float32(r.pre[i]) * float32(mv))
					}
					if r.out[i] != want {
						t.Fatalf("out[%d] = %v, want pre·mask = %v·%v", i, r.out[i], r.pre[i], mv)
					}
				}
				frac, n := float64(zeros)/float64(len(r.mask)), float64(len(r.mask))
				if se := math.Sqrt(rate * (1 - rate) / n); math.Abs(frac-rate) > 5*se {
					t.Errorf("rate %v: dropped fraction %v, want within %v", rate, frac, 5*se)
				}
			})
		}
	}
}

// An eval graph (or rate 0) has no feed, and dropout passes x through.
func TestDropoutIdentityWithoutTraining(t *testing.T) {
	for _, c := range []struct {
		rate     float64
		training bool
	}{{0.5, false}, {0, true}, {0, false}} {
		r, g := runDropout(t, 4, 3, c.rate, tensor.Float64, c.training, nil)
		if len(g.Feeds) != 0 || !reflect.DeepEqual(r.out, r.pre) {
			t.Errorf("rate %v training %v: %d feeds, out %v, want none and %v", c.rate, c.training, len(g.Feeds), r.out, r.pre)
		}
	}
}

// The masks come from the caller's generator only: same state, same masks,
// bit for bit; each fill draws a new mask.
func TestDropoutReproducible(t *testing.T) {
	a, _ := runDropout(t, 8, 16, 0.5, tensor.Float32, true, rand.New(rand.NewPCG(9, 9)))
	b, _ := runDropout(t, 8, 16, 0.5, tensor.Float32, true, rand.New(rand.NewPCG(9, 9)))
	c, _ := runDropout(t, 8, 16, 0.5, tensor.Float32, true, rand.New(rand.NewPCG(9, 10)))
	if !reflect.DeepEqual(a, b) {
		t.Error("the same generator state gave different runs")
	}
	if reflect.DeepEqual(a.mask, c.mask) {
		t.Error("different seeds gave the same mask")
	}
	var pre *G.Node
	m, _ := New(dropoutNet(8, 0.5, &pre), Config{Inputs: 3})
	g, _ := m.NewGraph(16, true)
	rng := rand.New(rand.NewPCG(9, 9))
	if err := g.FillFeeds(rng); err != nil {
		t.Fatal(err)
	}
	first := dense.Float64s(g.Feeds[0].Node.Value())
	if !reflect.DeepEqual(first, a.mask) {
		t.Error("FillFeeds on a fresh graph with the same state gave another mask")
	}
	if err := g.FillFeeds(rng); err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(first, dense.Float64s(g.Feeds[0].Node.Value())) {
		t.Error("a second fill gave the same mask")
	}
}

// Running a training graph without FillFeeds fails with an error naming the
// mask (Gorgonia: "No value bound"), rather than silently not dropping.
func TestTrainingGraphNeedsFillFeeds(t *testing.T) {
	m, err := New(Sequential{Layers: []Layer{Dense{Units: 3}, Dropout{Rate: 0.5}}}, Config{Inputs: 2})
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.NewGraph(4, true)
	if err != nil {
		t.Fatal(err)
	}
	err = gerr.Do("test", func() error {
		if err := G.Let(g.X, tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(4, 2))); err != nil {
			return err
		}
		vm := G.NewTapeMachine(g.G)
		defer vm.Close()
		return vm.RunAll()
	})
	if err == nil || !strings.Contains(err.Error(), "layer1/mask") {
		t.Errorf("run without FillFeeds: error = %v, want one naming layer1/mask", err)
	}
}

func TestScopeFeedErrors(t *testing.T) {
	fill := func(*rand.Rand, []float64) {}
	for _, c := range []struct {
		name  string
		shape []int
		fill  func(*rand.Rand, []float64)
		twice bool
		says  string
	}{
		{"f", []int{1, 2}, nil, false, "feed f has a nil Fill"},
		{"f", nil, fill, false, "feed f shape [], want at least one dimension"},
		{"f", []int{1, 0}, fill, false, "feed f shape [1 0], want every dimension ≥ 1"},
		{"f", []int{1, 2}, fill, true, `feed name "f" used twice`},
	} {
		net := Func(func(s *Scope, x *G.Node) (*G.Node, error) {
			if _, err := s.Feed(c.name, c.shape, c.fill); err != nil {
				return nil, err
			}
			if c.twice {
				if _, err := s.Feed(c.name, c.shape, c.fill); err != nil {
					return nil, err
				}
			}
			return x, nil
		})
		_, err := New(net, Config{Inputs: 2})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("error = %v, want ErrConfig saying %q", err, c.says)
		}
	}
}
