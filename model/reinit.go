package model

import (
	"fmt"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
)

// Reinit draws every parameter again as New would with Config.Seed = seed,
// bit for bit, and makes seed the model's seed: the model is then the one
// New(net, cfg) with that seed returns, without building its graph again.
// It is how one Model (and one trainer.Trainer, see its Reset) trains
// cross-validation fold after fold from fresh weights. The parameters'
// tensors are overwritten in place.
//
// It returns an error wrapping ErrConfig for a Model not made by New, and
// an initializer's error (or its panic, as a *panics.Error) if one refuses;
// then nothing is changed.
func (m *Model) Reinit(seed uint64) error {
	if err := m.usable(); err != nil {
		return err
	}
	cfg := m.cfg
	cfg.Seed = seed
	vals := make([]*tensor.Dense, len(m.specs))
	for i, spec := range m.specs {
		v, err := initialValue(spec, cfg)
		if err != nil {
			return err
		}
		if p := m.params[i].Value; p == nil || p.Dtype() != v.Dtype() || !p.Shape().Eq(v.Shape()) {
			return fmt.Errorf("%w: parameter %s no longer holds a %v tensor of shape %v", ErrConfig, spec.Name, v.Dtype(), v.Shape())
		}
		vals[i] = v
	}
	for i, v := range vals {
		if err := dense.CopyValues(m.params[i].Value, v); err != nil {
			return fmt.Errorf("model: parameter %s: %w", m.params[i].Name, err)
		}
	}
	m.cfg.Seed = seed
	return nil
}
