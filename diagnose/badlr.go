package diagnose

import (
	"fmt"
	"strings"

	"github.com/gradtune/gradtune/trainer"
)

// healthyUpdateRatio is Karpathy's rule of thumb for ‖Δw‖/‖w‖ per step
// ("A Recipe for Training Neural Networks", 2019; CS231n).
const healthyUpdateRatio = 1e-3

// detectBadLR flags weight matrices whose median update ratio ‖Δw‖/‖w‖
// over the monitored steps is above UpdateRatioHigh (rate too high) or
// below UpdateRatioLow (too low). Steps where a ratio is 0 (a zero weight
// norm, or no update) are left out. The suggested rate is the median over
// those steps of lr·1e-3/ratio: the update scales with the rate for SGD,
// and nearly so for Adam.
func detectBadLR(h *trainer.History, o Options) []Diagnosis {
	if len(h.Monitor) == 0 {
		return nil
	}
	mons := h.Monitor
	type flagged struct {
		name          string
		ratio, nextLR float64
	}
	var high, low []flagged
	for _, i := range weightIndexes(mons[0].Params, o) {
		name := mons[0].Params[i].Name
		var ratios, lrs []float64
		for _, m := range mons {
			if i < len(m.Params) && m.Params[i].Name == name && m.Params[i].UpdateRatio > 0 && m.LR > 0 {
				r := m.Params[i].UpdateRatio
				ratios = append(ratios, r)
				lrs = append(lrs, m.LR*healthyUpdateRatio/r)
			}
		}
		r := median(ratios)
		switch {
		case r > o.UpdateRatioHigh:
			high = append(high, flagged{name, r, median(lrs)})
		case r < o.UpdateRatioLow:
			low = append(low, flagged{name, r, median(lrs)})
		}
	}
	var out []Diagnosis
	for _, c := range []struct {
		fs         []flagged
		dir, cause string
		limit      float64
		verb       string
		worse      func(a, b float64) bool
	}{
		{high, "above", "the learning rate is too high: each step changes these weights by a large fraction of their size, which overshoots and can kill ReLUs or diverge",
			o.UpdateRatioHigh, "lower", func(a, b float64) bool { return a > b }},
		{low, "below", "the learning rate is too low: each step barely changes these weights, so training crawls",
			o.UpdateRatioLow, "raise", func(a, b float64) bool { return a < b }},
	} {
		if len(c.fs) == 0 {
			continue
		}
		var names, ev []string
		ms := map[string]float64{"limit": c.limit, "monitored_steps": float64(len(mons))}
		worst := c.fs[0]
		for _, f := range c.fs {
			names = append(names, f.name)
			ev = append(ev, fmt.Sprintf("%s %s", f.name, num(f.ratio)))
			ms[f.name+".update_ratio"] = f.ratio
			if c.worse(f.ratio, worst.ratio) {
				worst = f
			}
		}
		ms["suggested_lr"] = worst.nextLR
		out = append(out, Diagnosis{Kind: BadLR, Severity: Warning, Where: "layers " + list(names, 6),
			Evidence: fmt.Sprintf("median update/weight ratio ‖Δw‖/‖w‖ over %d monitored steps: %s; healthy ≈ %s, flagged %s %s",
				len(mons), strings.Join(ev, ", "), num(healthyUpdateRatio), c.dir, num(c.limit)),
			Cause: c.cause,
			Fix: fmt.Sprintf("%s the learning rate to about %s (the rate that would bring %s's ratio to %s), or run the LR range test (package lrfinder)",
				c.verb, num(worst.nextLR), worst.name, num(healthyUpdateRatio)),
			Measures: ms})
	}
	return out
}
