package model

import (
	"fmt"
	"strings"
)

// initializersByName maps tuner-facing names (torch's and Keras's spellings)
// to initializers with their default settings.
var initializersByName = map[string]Initializer{
	"zeros":           Zeros{},
	"ones":            Constant{Value: 1},
	"uniform":         Uniform{},
	"normal":          Normal{},
	"xavier_uniform":  XavierUniform{},
	"xavier_normal":   XavierNormal{},
	"glorot_uniform":  XavierUniform{},
	"glorot_normal":   XavierNormal{},
	"he_uniform":      HeUniform{},
	"he_normal":       HeNormal{},
	"kaiming_uniform": HeUniform{},
	"kaiming_normal":  HeNormal{},
	"lecun_normal":    LeCunNormal{},
	"torch_linear":    TorchLinear{},
}

// InitializerByName returns the initializer with its default settings for
// a name (for tuners): zeros, ones, uniform, normal, xavier_uniform,
// xavier_normal, he_uniform, he_normal, lecun_normal, torch_linear, and the
// aliases glorot_uniform, glorot_normal, kaiming_uniform, kaiming_normal. An
// unknown name returns an error wrapping ErrConfig that lists the known ones.
func InitializerByName(name string) (Initializer, error) {
	if in, ok := initializersByName[name]; ok {
		return in, nil
	}
	return nil, fmt.Errorf("%w: unknown initializer %q, want one of %s", ErrConfig, name, strings.Join(sortedKeys(initializersByName), ", "))
}
