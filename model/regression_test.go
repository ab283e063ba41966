package model

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
	"github.com/gradtune/gradtune/regularizers"
)

// affine returns x·W + b for x (batch, in) and W (in, out), b (1, out),
// row-major, summed in float64.
func affine(x, w, b []float64, batch, in, out int) []float64 {
	y := make([]float64, batch*out)
	for i := range batch {
		for j := range out {
			s := b[j]
			for k := range in {
				s += x[i*in+k] * w[k*out+j]
			}
			y[i*out+j] = s
		}
	}
	return y
}

// Logistic and softmax regression are nn.Linear(inputs, k): parameters of
// shapes (inputs, k) and (1, k) drawn from TorchLinear, logits x·W + b.
func TestRegressionNetworks(t *testing.T) {
	l2 := regularizers.L2{Lambda: 0.5}
	for _, c := range []struct {
		net     Network
		prefix  string
		classes int
		regs    []regularizers.Regularizer
	}{
		{LogisticRegression{}, "logistic", 1, nil},
		{LogisticRegression{Regularizers: []regularizers.Regularizer{l2}}, "logistic", 1, []regularizers.Regularizer{l2}},
		{SoftmaxRegression{Classes: 3}, "softmax", 3, nil},
		{SoftmaxRegression{Classes: 10, Init: Zeros{}, Regularizers: []regularizers.Regularizer{l2}}, "softmax", 10, []regularizers.Regularizer{l2}},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			const in, batch = 4, 6
			m, err := New(c.net, Config{Inputs: in, Dtype: dt, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			ps := m.Params()
			if m.Outputs() != c.classes || len(ps) != 2 || ps[0].Name != c.prefix+"/W" || ps[1].Name != c.prefix+"/b" ||
				!reflect.DeepEqual(ps[0].Value.Shape(), tensor.Shape{in, c.classes}) || !reflect.DeepEqual(ps[1].Value.Shape(), tensor.Shape{1, c.classes}) {
				t.Fatalf("%T: outputs %d, params %v %v", c.net, m.Outputs(), ps[0].Name, ps[0].Value.Shape())
			}
			if !reflect.DeepEqual(ps[0].Regularizers, c.regs) || ps[1].Regularizers != nil || !ps[0].Decay || ps[1].Decay {
				t.Errorf("%T: regularizers %v / %v, decay %v / %v", c.net, ps[0].Regularizers, ps[1].Regularizers, ps[0].Decay, ps[1].Decay)
			}
			w, b := dense.Float64s(ps[0].Value), dense.Float64s(ps[1].Value)
			if _, zeros := c.net.(SoftmaxRegression); !zeros || c.classes != 10 {
				for _, v := range append(append([]float64{}, w...), b...) {
					if math.Abs(v) >= 0.5 || v == 0 { // 1/√4
						t.Errorf("%T: value %v, want in (−0.5, 0.5) from TorchLinear", c.net, v)
					}
				}
			}
			g, err := m.NewGraph(batch, false)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float64, batch*in)
			for i := range x {
				x[i] = float64(i%9)/4 - 1
			}
			out, _ := forwardAndGrads(t, m, g, x, make([]float64, batch*c.classes))
			compare(t, "logits", out, affine(x, w, b, batch, in, c.classes), tolerance(dt))
		}
	}
}

func TestRegressionErrors(t *testing.T) {
	for _, c := range []struct {
		net  Network
		says string
	}{
		{SoftmaxRegression{}, "SoftmaxRegression Classes = 0, want ≥ 2"},
		{SoftmaxRegression{Classes: 1}, "SoftmaxRegression Classes = 1, want ≥ 2"},
		{LogisticRegression{Init: XavierUniform{Gain: -1}}, "parameter logistic/W"},
		{LogisticRegression{Regularizers: []regularizers.Regularizer{regularizers.L1{Lambda: math.Inf(1)}}}, "l1 Lambda = +Inf"},
	} {
		_, err := New(c.net, Config{Inputs: 3})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%#v: error = %v, want ErrConfig saying %q", c.net, err, c.says)
		}
	}
}
