package model

import (
	"math"
	"math/rand/v2"
)

// Initializer fills a parameter's initial values. fanIn and fanOut are those of
// the layer the parameter belongs to (for a dense weight of shape (in, out):
// fanIn = in, fanOut = out). Implementations must draw only from rng, so that
// the same seed gives the same values, bit for bit.
type Initializer interface {
	Init(dst []float64, fanIn, fanOut int, rng *rand.Rand)
	String() string
}

// Zeros sets every value to 0 (the usual bias initializer of Keras).
type Zeros struct{}

func (Zeros) Init(dst []float64, _, _ int, _ *rand.Rand) { clear(dst) }
func (Zeros) String() string                             { return "zeros" }

// XavierUniform draws from U(−a, a) with a = gain·√(6 / (fanIn + fanOut))
// (Glorot & Bengio 2010; torch.nn.init.xavier_uniform_, Keras glorot_uniform).
// Gain 0 means 1.
type XavierUniform struct{ Gain float64 }

func (x XavierUniform) Init(dst []float64, fanIn, fanOut int, rng *rand.Rand) {
	a := gainOr1(x.Gain) * math.Sqrt(6/float64(fanIn+fanOut))
	fillUniform(dst, a, rng)
}
func (XavierUniform) String() string { return "xavier_uniform" }

// HeNormal draws from N(0, σ²) with σ = √(2 / fanIn) (He et al. 2015;
// torch.nn.init.kaiming_normal_ with mode fan_in and ReLU gain, Keras he_normal
// without truncation).
type HeNormal struct{}

func (HeNormal) Init(dst []float64, fanIn, _ int, rng *rand.Rand) {
	std := math.Sqrt(2 / float64(fanIn))
	for i := range dst {
		dst[i] = std * rng.NormFloat64()
	}
}
func (HeNormal) String() string { return "he_normal" }

// TorchLinear draws from U(−1/√fanIn, 1/√fanIn): what PyTorch's nn.Linear does
// for both weight (kaiming_uniform_ with a=√5) and bias.
type TorchLinear struct{}

func (TorchLinear) Init(dst []float64, fanIn, _ int, rng *rand.Rand) {
	fillUniform(dst, 1/math.Sqrt(float64(fanIn)), rng)
}
func (TorchLinear) String() string { return "torch_linear" }

func fillUniform(dst []float64, a float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = a * (2*rng.Float64() - 1)
	}
}

func gainOr1(g float64) float64 {
	if g == 0 {
		return 1
	}
	return g
}
