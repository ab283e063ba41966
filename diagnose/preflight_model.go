package diagnose

import (
	"fmt"
	"math"
	"strings"

	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// initLoss compares the loss of the initial weights with the loss of
// all-zero logits.
func (c *checker) initLoss() ([]Diagnosis, error) {
	s, err := c.sample(c.o.InitRows)
	if err != nil {
		return nil, err
	}
	chance, formula, ok := chanceLoss(c.cfg.Loss, rawTargets(s), c.m.Outputs())
	if !ok {
		return nil, nil
	}
	tr, err := trainer.New(c.m, c.config(s.Len(), 1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	defer tr.Close()
	loss, _, err := tr.Evaluate(c.ctx, s)
	if err != nil {
		return nil, fmt.Errorf("diagnose: preflight initial loss: %w", err)
	}
	if !(loss > c.o.InitLossRatio*chance) {
		return nil, nil
	}
	return []Diagnosis{{Kind: BadInit, Severity: Warning, Where: fmt.Sprintf("initial weights, %d training rows", s.Len()),
		Evidence: fmt.Sprintf("initial loss %s is %s× %s = %s, the loss of all-zero logits (flagged above %s×)",
			num(loss), num(loss/chance), formula, num(chance), num(c.o.InitLossRatio)),
		Cause:    "the initial outputs are far from 0, so the model starts confidently wrong: weights initialized too large (the output layer especially), or unscaled inputs",
		Fix:      "use the default initializers (XavierUniform for the output layer, HeNormal before ReLU; biases at 0) or scale the output layer's initial weights down, and standardize the features",
		Measures: map[string]float64{"initial_loss": loss, "chance_loss": chance, "ratio": loss / chance, "rows": float64(s.Len())}}}, nil
}

// gradients runs one step with monitoring and names the parameters whose
// gradient is exactly 0. Regularizers are removed for it (their penalty
// would give every weight a gradient).
func (c *checker) gradients() ([]Diagnosis, error) {
	s, err := c.sample(c.o.GradRows)
	if err != nil {
		return nil, err
	}
	for _, p := range c.m.Params() {
		p.Regularizers = nil // put back by c.restore
	}
	cfg := c.config(s.Len(), 1)
	cfg.Regularizers, cfg.ClipValue, cfg.ClipNorm = nil, 0, 0
	cfg.Optimizer, cfg.Schedule = optimizers.SGD{}, schedulers.Constant{LR: 1e-3} // the step itself does not matter
	cfg.MonitorEvery = 1
	tr, h, found, err := c.fit(cfg, s, "gradient check")
	if tr == nil || err != nil {
		return found, err
	}
	tr.Close()
	if len(h.Monitor) == 0 {
		return nil, nil
	}
	mon := h.Monitor[0]
	var zero, dead []string
	smallest := math.Inf(1)
	for _, p := range mon.Params {
		if p.GradNorm == 0 {
			zero = append(zero, p.Name)
		} else {
			smallest = math.Min(smallest, p.GradNorm)
		}
	}
	if len(zero) == 0 {
		return nil, nil
	}
	for _, a := range mon.Activations {
		if a.DeadFraction == 1 {
			dead = append(dead, a.Name)
		}
	}
	ev := fmt.Sprintf("gradient norm exactly 0 for %d of %d parameters on a batch of %d training rows: %s",
		len(zero), len(mon.Params), s.Len(), list(zero, 8))
	if len(zero) < len(mon.Params) {
		ev += fmt.Sprintf(" (the smallest non-zero one: %s)", num(smallest))
	}
	if len(dead) > 0 {
		ev += fmt.Sprintf("; every unit ≤ 0 on every row in %s", strings.Join(dead, ", "))
	}
	ms := map[string]float64{"zero_params": float64(len(zero)), "params": float64(len(mon.Params)), "rows": float64(s.Len())}
	if len(zero) < len(mon.Params) {
		ms["smallest_grad_norm"] = smallest
	}
	return []Diagnosis{{Kind: NoGradient, Severity: Error, Where: "parameters " + list(zero, 8),
		Evidence: ev,
		Cause:    "nothing of the loss reaches these parameters: every ReLU unit they feed or follow is dead on the batch (say, a large negative bias), or the network does not use them (unused, multiplied by 0, or cut from the graph)",
		Fix:      "make sure the network uses every parameter it declares; initialize biases at 0 and weights with He initialization before ReLU, or use model.LeakyReLU{}; standardize the features",
		Measures: ms}}, nil
}

// overfit trains on one batch and checks that the loss falls toward its
// floor.
func (c *checker) overfit() ([]Diagnosis, error) {
	s, err := c.sample(c.o.OverfitRows)
	if err != nil {
		return nil, err
	}
	size := 0
	for _, p := range c.m.Params() {
		size += p.Value.Shape().TotalSize()
	}
	if size < s.Len()*c.m.Outputs() {
		return nil, nil // too few parameters to memorize the batch
	}
	what := fmt.Sprintf("overfitting %d rows", s.Len())
	cfg := c.config(s.Len(), c.o.OverfitSteps)
	before, err := trainer.New(c.m, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	initial, _, err := before.Evaluate(c.ctx, s)
	before.Close()
	if err != nil {
		return nil, fmt.Errorf("diagnose: preflight %s: %w", what, err)
	}
	tr, _, found, err := c.fit(cfg, s, what)
	if tr == nil || err != nil {
		return found, err
	}
	defer tr.Close()
	final, _, err := tr.Evaluate(c.ctx, s)
	if err != nil {
		return nil, fmt.Errorf("diagnose: preflight %s: %w", what, err)
	}
	floor := lossFloor(c.cfg.Loss, rawTargets(s), c.m.Outputs())
	if !(initial > floor) {
		return nil, nil // nothing to reduce
	}
	left := (final - floor) / (initial - floor)
	if !(left > c.o.OverfitRatio) && finite(final) {
		return nil, nil
	}
	opt := "adam (the default)"
	if c.cfg.Optimizer != nil {
		opt = c.cfg.Optimizer.String()
	}
	lr := cfg.Schedule.At(0)
	return []Diagnosis{{Kind: PreflightFailed, Severity: Error,
		Where: fmt.Sprintf("one batch of %d training rows, %d steps", s.Len(), c.o.OverfitSteps),
		Evidence: fmt.Sprintf("after %d steps of %s at lr %s on the same %d rows the loss went from %s to %s; %s of the reducible loss (above the floor %s) is left (flagged above %s)",
			c.o.OverfitSteps, opt, num(lr), s.Len(), num(initial), num(final), pct(left), num(floor), pct(c.o.OverfitRatio)),
		Cause: "a model that cannot memorize a handful of rows will not fit the data set: a bug in the model or the loss (an output not connected, targets encoded for another loss), vanishing gradients, or a learning rate far too low or too high",
		Fix:   "check the network and the loss on this batch; try rates 10× higher and 10× lower (or run the LR range test, package lrfinder); replace deep sigmoid/tanh stacks with ReLU and He initialization",
		Measures: map[string]float64{"initial_loss": initial, "final_loss": final, "floor": floor, "left": left,
			"steps": float64(c.o.OverfitSteps), "rows": float64(s.Len()), "lr": lr}}}, nil
}
