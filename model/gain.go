package model

import (
	"fmt"
	"math"
)

// Gain returns the recommended gain for a nonlinearity, as
// torch.nn.init.calculate_gain(nonlinearity, param):
//
//	linear, conv1d, conv2d, conv3d, conv_transpose1d/2d/3d, sigmoid  1
//	tanh                                                             5/3
//	relu                                                             √2
//	leaky_relu                                                       √(2 / (1 + param²))
//	selu                                                             3/4
//
// param is leaky_relu's negative slope and is ignored otherwise. Unlike
// torch, whose param=None means 0.01, param 0 here means slope 0 (gain √2),
// as torch's kaiming_*_ pass a=0: write Gain("leaky_relu", 0.01) for torch's
// calculate_gain('leaky_relu'). An unknown nonlinearity or a param that is
// not finite returns an error wrapping ErrConfig.
func Gain(nonlinearity string, param float64) (float64, error) {
	switch nonlinearity {
	case "linear", "conv1d", "conv2d", "conv3d",
		"conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid":
		return 1, nil
	case "tanh":
		return 5.0 / 3, nil
	case "relu":
		return math.Sqrt(2.0), nil
	case "leaky_relu":
		if !finite(param) {
			return 0, fmt.Errorf("%w: leaky_relu negative slope = %v, want a finite value", ErrConfig, param)
		}
		return math.Sqrt(2.0 / (1 + param*param)), nil
	case "selu":
		return 3.0 / 4, nil
	}
	return 0, fmt.Errorf("%w: unsupported nonlinearity %q, want one of linear, conv1d, conv2d, conv3d, "+
		"conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu, selu", ErrConfig, nonlinearity)
}
