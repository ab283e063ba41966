package diagnose

import (
	"fmt"
	"strings"

	"github.com/gradtune/gradtune/trainer"
)

// detectVanishing compares each weight matrix's median gradient norm over
// the monitored steps with the last weight matrix's (the output layer's,
// in Model.Params order): the layers below VanishingRatio × that, starting
// with the first layer, get almost no signal.
func detectVanishing(h *trainer.History, o Options) []Diagnosis {
	if len(h.Monitor) == 0 {
		return nil
	}
	mons := h.Monitor
	ws := weightIndexes(mons[0].Params, o)
	if len(ws) < 2 {
		return nil
	}
	med := make([]float64, len(ws))
	for j, i := range ws {
		med[j] = median(paramSeries(mons, i, func(p trainer.ParamStats) float64 { return p.GradNorm }))
	}
	out := med[len(med)-1]
	if !(out > 0) || !finite(out) || !(med[0] < o.VanishingRatio*out) {
		return nil
	}
	var names, norms []string
	for j, i := range ws[:len(ws)-1] {
		if med[j] < o.VanishingRatio*out {
			names = append(names, mons[0].Params[i].Name)
		}
		norms = append(norms, fmt.Sprintf("%s %s", mons[0].Params[i].Name, num(med[j])))
	}
	last := mons[0].Params[ws[len(ws)-1]].Name
	ratio := med[0] / out
	return []Diagnosis{{Kind: Vanishing, Severity: Warning, Where: "layers " + list(names, 6),
		Evidence: fmt.Sprintf("median gradient norms over %d monitored steps, input to output: %s, %s %s (output layer); %s gets %s× the output layer's (flagged below %s×)",
			len(mons), strings.Join(norms, ", "), last, num(out),
			mons[0].Params[ws[0]].Name, num(ratio), num(o.VanishingRatio)),
		Cause: "each layer multiplies the backward signal by its activation's derivative times its weights; with saturating activations (sigmoid's derivative is at most 0.25, tanh's at most 1) the product shrinks geometrically with depth, so the first layers barely learn",
		Fix:   "use ReLU with He initialization (model.MLP{Activation: model.ReLU{}}, whose default Init is HeNormal), or a shallower network",
		Measures: map[string]float64{"ratio": ratio, "first_grad_norm": med[0], "output_grad_norm": out,
			"layers": float64(len(names)), "monitored_steps": float64(len(mons))}}}
}
