package diagnose

import (
	"github.com/gradtune/gradtune/trainer"
)

// Analyze reads a finished (or stopped) run and returns what went wrong,
// each finding with its evidence, cause and fix; nil when nothing did. It
// looks at the epochs (h.Epochs) and at the monitored steps (h.Monitor,
// recorded every trainer.Config.MonitorEvery steps):
//
//   - Exploding: a NaN/Inf loss or gradient norm; an epoch's training loss
//     above LossFactor × the best earlier one and above the first; the
//     global gradient norm growing step over step (see Divergence).
//   - Vanishing: gradient norms falling by orders of magnitude toward the
//     input (Options.VanishingRatio).
//   - DeadReLU: ReLU layers with most units dead (Options.DeadFraction).
//   - BadLR: update/weight ratios far from 1e-3 (Options.UpdateRatioLow/High).
//   - Overfitting: the validation loss rising from its minimum while the
//     training loss falls (Options.Patience, MinRise).
//   - Underfitting: a training loss at chance, ln C (Options.Classes), or
//     flat (Options.FlatEpochs, FlatDrop).
//
// Each check needs what it reads: no monitors, no gradient checks; no
// validation set, no overfitting check. Invalid opts give a single
// BadOptions diagnosis naming the field (Options.Validate returns it as an
// error). A nil h gives nil.
func Analyze(h *trainer.History, opts Options) []Diagnosis {
	o, err := opts.resolved()
	if err != nil {
		return []Diagnosis{{Kind: BadOptions, Severity: Error, Where: "diagnose.Options", Evidence: err.Error(),
			Cause: "a threshold outside its range", Fix: "correct the field, or leave it 0 for its default"}}
	}
	if h == nil {
		return nil
	}
	var out []Diagnosis
	for _, detect := range []func(*trainer.History, Options) []Diagnosis{
		detectNonFinite, detectLossGrowth, detectNormGrowth,
		detectVanishing, detectDeadReLU, detectBadLR,
		detectOverfitting, detectUnderfitting,
	} {
		out = append(out, detect(h, o)...)
	}
	return out
}

// weightIndexes returns the indexes of the weight matrices among params,
// in order (all of them if o.Weights selects none).
func weightIndexes(params []trainer.ParamStats, o Options) []int {
	var idx, all []int
	for i, p := range params {
		all = append(all, i)
		if o.Weights != nil && o.Weights(p.Name) || o.Weights == nil && p.Decay {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return all
	}
	return idx
}

// paramSeries returns parameter i's statistic f over the monitors that
// record it under the same name as the first one.
func paramSeries(mons []trainer.StepMonitor, i int, f func(trainer.ParamStats) float64) []float64 {
	name := mons[0].Params[i].Name
	var out []float64
	for _, m := range mons {
		if i < len(m.Params) && m.Params[i].Name == name {
			out = append(out, f(m.Params[i]))
		}
	}
	return out
}
