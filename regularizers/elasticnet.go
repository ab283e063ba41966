package regularizers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/gradtune/gradtune/internal/gerr"
)

// ElasticNet is L1·Σ|w| + L2·Σw² (Zou & Hastie 2005; the form of Keras's
// L1L2 regularizer). scikit-learn's ElasticNet(alpha, l1_ratio) penalty is
// ElasticNet{L1: alpha·l1_ratio, L2: alpha·(1−l1_ratio)/2}.
type ElasticNet struct{ L1, L2 float64 }

func (r ElasticNet) String() string { return fmt.Sprintf("elastic_net(l1=%g, l2=%g)", r.L1, r.L2) }

// Penalty implements Regularizer. It returns an error if either strength is
// negative or not finite, or if params is empty.
func (r ElasticNet) Penalty(params G.Nodes) (*G.Node, error) {
	l1, err := L1{Lambda: r.L1}.Penalty(params)
	if err != nil {
		return nil, err
	}
	l2, err := L2{Lambda: r.L2}.Penalty(params)
	if err != nil {
		return nil, err
	}
	var sum *G.Node
	err = gerr.Do("regularizers: elastic_net", func() error {
		var err error
		sum, err = G.Add(l1, l2)
		return err
	})
	return sum, err
}
