package trainer

import (
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ParamStats describes one parameter at a monitored step.
type ParamStats struct {
	Name string
	// Decay is model.Param.Decay: true for weights, false for biases.
	Decay bool
	// GradNorm is the L2 norm of the raw gradient, read before clipping and
	// before the optimizer's step consumes it.
	GradNorm float64
	// WeightNorm is the L2 norm of the weights before the step.
	WeightNorm float64
	// UpdateRatio is ‖Δw‖ / ‖w‖ for this step (≈ 1e-3 is healthy, Karpathy's
	// rule of thumb; much larger means the rate is too high).
	UpdateRatio float64
}

// ActivationStats describes a watched hidden activation (model.Scope.Watch)
// on a monitored step's batch.
type ActivationStats struct {
	Name  string
	Units int
	// DeadFraction is the fraction of units that are ≤ 0 for every row of
	// the batch (padding rows excluded): dead ReLUs.
	DeadFraction float64
}

// StepMonitor is what Config.MonitorEvery records at one step.
type StepMonitor struct {
	Epoch, Step int     // Step: optimizer steps completed, this one included
	Loss, LR    float64 // the batch's data loss and the step's rate
	// GradNorm is the global L2 norm over all raw gradients.
	GradNorm    float64
	Params      []ParamStats      // in Model.Params order
	Activations []ActivationStats // in build order
}

// l2 returns the L2 norm of t's values, accumulated in float64.
func l2(t tensor.Tensor) float64 {
	s := 0.0
	switch d := t.Data().(type) {
	case []float64:
		for _, v := range d {
			s += v * v
		}
	case []float32:
		for _, v := range d {
			s += float64(v) * float64(v)
		}
	}
	return math.Sqrt(s)
}

// l2Diff returns ‖a − b‖ for tensors of the same dtype and size.
func l2Diff(a, b tensor.Tensor) float64 {
	s := 0.0
	switch x := a.Data().(type) {
	case []float64:
		y := b.Data().([]float64)
		for i, v := range x {
			d := v - y[i]
			s += d * d
		}
	case []float32:
		y := b.Data().([]float32)
		for i, v := range x {
			d := float64(v) - float64(y[i])
			s += d * d
		}
	}
	return math.Sqrt(s)
}

// deadFraction returns the fraction of columns of the (batch, units) value
// whose first rows values are all ≤ 0.
func deadFraction(v tensor.Tensor, rows int) (float64, int) {
	sh := v.Shape()
	if len(sh) != 2 || sh[1] == 0 {
		return 0, 0
	}
	units := sh[1]
	alive := make([]bool, units)
	switch d := v.Data().(type) {
	case []float64:
		for i := 0; i < rows*units; i++ {
			if d[i] > 0 {
				alive[i%units] = true
			}
		}
	case []float32:
		for i := 0; i < rows*units; i++ {
			if d[i] > 0 {
				alive[i%units] = true
			}
		}
	}
	dead := 0
	for _, a := range alive {
		if !a {
			dead++
		}
	}
	return float64(dead) / float64(units), units
}

// monitorBefore fills the statistics that must be read before the step:
// gradient and weight norms, dead units.
func (t *Trainer) monitorBefore(rows int) *StepMonitor {
	lg := t.train
	mon := &StepMonitor{LR: t.solver.LR()}
	total := 0.0
	for i, n := range lg.Learnables {
		gn := l2(lg.grads[i].(tensor.Tensor))
		total += gn * gn
		p := t.m.Params()[i]
		mon.Params = append(mon.Params, ParamStats{Name: p.Name, Decay: p.Decay, GradNorm: gn, WeightNorm: l2(n.Value().(tensor.Tensor))})
	}
	mon.GradNorm = math.Sqrt(total)
	for i, w := range lg.Watched {
		if v := lg.watchedVals[i]; v != nil {
			f, units := deadFraction(v.(tensor.Tensor), rows)
			mon.Activations = append(mon.Activations, ActivationStats{Name: w.Name, Units: units, DeadFraction: f})
		}
	}
	return mon
}

// monitorAfter fills the update ratios, comparing the new weights with the
// snapshot taken before the step.
func (t *Trainer) monitorAfter(mon *StepMonitor, learnables G.Nodes) {
	for i, n := range learnables {
		if wn := mon.Params[i].WeightNorm; wn > 0 {
			mon.Params[i].UpdateRatio = l2Diff(n.Value().(tensor.Tensor), t.prev[i]) / wn
		}
	}
}
