package model

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/regularizers"
)

// LogisticRegression is binary logistic regression: one logit per sample,
// z = x·w + b with x: (batch, inputs), output (batch, 1). It returns logits,
// not probabilities: pair it with a binary cross-entropy-with-logits loss
// (torch.nn.BCEWithLogitsLoss), which is stable where σ(z) rounds to 0 or 1.
// This is torch's nn.Linear(inputs, 1); parameters "logistic/W" and
// "logistic/b".
//
// Init nil is TorchLinear for weight and bias, as nn.Linear. Regularizers
// penalize the weight only (e.g. L2 for ridge-penalized logistic regression).
type LogisticRegression struct {
	Init         Initializer
	Regularizers []regularizers.Regularizer
}

// Build implements Network.
func (l LogisticRegression) Build(s *Scope, x *G.Node) (*G.Node, error) {
	return linearLogits(s, x, "logistic", 1, l.Init, l.Regularizers)
}

// SoftmaxRegression is multinomial logistic regression: z = x·W + b with
// x: (batch, inputs), output logits (batch, Classes). Pair it with a
// cross-entropy loss on the logits (losses.CrossEntropy; torch.nn.CrossEntropyLoss).
// This is torch's nn.Linear(inputs, Classes); parameters "softmax/W" and
// "softmax/b".
//
// Classes must be ≥ 2 (for two classes LogisticRegression needs half the
// weights). Init nil is TorchLinear for weight and bias; Regularizers
// penalize the weight only.
type SoftmaxRegression struct {
	Classes      int
	Init         Initializer
	Regularizers []regularizers.Regularizer
}

// Build implements Network.
func (r SoftmaxRegression) Build(s *Scope, x *G.Node) (*G.Node, error) {
	if r.Classes < 2 {
		return nil, fmt.Errorf("%w: SoftmaxRegression Classes = %d, want ≥ 2", ErrConfig, r.Classes)
	}
	return linearLogits(s, x, "softmax", r.Classes, r.Init, r.Regularizers)
}

func linearLogits(s *Scope, x *G.Node, name string, units int, init Initializer, regs []regularizers.Regularizer) (*G.Node, error) {
	if init == nil {
		init = TorchLinear{}
	}
	return Dense{Units: units, Init: init, BiasInit: init, Regularizers: regs}.Build(s, x, name)
}
