package diagnose

import (
	"fmt"
	"math"
	"strings"

	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/trainer"
)

// detectDeadReLU flags watched ReLU activations whose dead fraction (units
// ≤ 0 on every row of the monitored batch) exceeds DeadFraction at each of
// their last DeadSteps monitored steps: a unit may be silent on one batch
// and not the next, but one silent at every look is dead.
func detectDeadReLU(h *trainer.History, o Options) []Diagnosis {
	type series struct {
		units int
		fracs []float64
		steps []int
	}
	by := map[string]*series{}
	var order []string
	for _, m := range h.Monitor {
		for _, a := range m.Activations {
			if !reluLike(a.Name) {
				continue
			}
			s := by[a.Name]
			if s == nil {
				s = &series{}
				by[a.Name] = s
				order = append(order, a.Name)
			}
			s.units = a.Units
			s.fracs = append(s.fracs, a.DeadFraction)
			s.steps = append(s.steps, m.Step)
		}
	}
	var names, ev []string
	ms := map[string]float64{}
	for _, name := range order {
		s := by[name]
		k := min(o.DeadSteps, len(s.fracs))
		fracs, steps := s.fracs[len(s.fracs)-k:], s.steps[len(s.steps)-k:]
		lo := math.Inf(1)
		for _, f := range fracs {
			lo = math.Min(lo, f)
		}
		if !(lo > o.DeadFraction) {
			continue
		}
		last := fracs[len(fracs)-1]
		names = append(names, name)
		ev = append(ev, fmt.Sprintf("%s: %s of its %d units dead at step %d, at least %s at each of the last %d monitored steps (%s)",
			name, pct(last), s.units, steps[len(steps)-1], pct(lo), k, stepList(steps)))
		ms[name+".dead_fraction"], ms[name+".min_dead_fraction"], ms[name+".units"] = last, lo, float64(s.units)
	}
	if len(names) == 0 {
		return nil
	}
	ms["threshold"] = o.DeadFraction
	return []Diagnosis{{Kind: DeadReLU, Severity: Warning, Where: "activations " + list(names, 6),
		Evidence: strings.Join(ev, "; ") + fmt.Sprintf(" (flagged above %s; a unit is dead when its output is ≤ 0 for every row of the batch)", pct(o.DeadFraction)),
		Cause:    "a large update (learning rate too high) or a large negative bias pushed these units' inputs below 0 for every sample; ReLU's gradient is then 0, so they never recover",
		Fix:      "lower the learning rate; use He initialization (model.HeNormal) and scaled inputs; or a ReLU that keeps a gradient below 0 (model.LeakyReLU{}, model.ELU{})",
		Measures: ms}}
}

// reluLike reports whether a watched activation's name (say "dense0/relu")
// ends in plain ReLU, or names no activation gradtune knows (a user's
// model.Func): units of LeakyReLU, ELU, tanh … that are ≤ 0 still get a
// gradient, so they are not dead.
func reluLike(name string) bool {
	seg := name[strings.LastIndex(name, "/")+1:]
	if i := strings.IndexByte(seg, '('); i >= 0 {
		seg = seg[:i]
	}
	if seg == "relu" {
		return true
	}
	_, err := model.ActivationByName(seg)
	return err != nil
}

// stepList formats steps as "steps 51, 101, 151".
func stepList(steps []int) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprint(s)
	}
	if len(steps) == 1 {
		return "step " + parts[0]
	}
	return "steps " + strings.Join(parts, ", ")
}
