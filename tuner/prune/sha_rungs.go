package prune

import (
	"strconv"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/internal/pyjson"
)

// rungKey is Optuna's system attribute for the value a trial had when
// it completed rung k.
func rungKey(k int) string { return "completed_rung_" + strconv.Itoa(k) }

// rungText formats a rung's value for its attribute: one objective's as
// strconv.FormatFloat(v, 'g', -1, 64), several as a JSON list as Python's
// json writes it ("[0.91, 2410.0]").
func rungText(v []float64) string {
	if len(v) == 1 {
		return strconv.FormatFloat(v[0], 'g', -1, 64)
	}
	return pyjson.Floats(v)
}

// parseRung reads rungText back: a number, or a list of two or more.
func parseRung(s string) ([]float64, bool) {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return []float64{v}, true
	}
	if vs, err := pyjson.ParseFloats(s); err == nil && len(vs) > 1 {
		return vs, true
	}
	return nil, false
}

// rungTable remembers the value each trial had when it completed each
// rung: one number per objective.
//
// They are stored in the trial's attributes as Optuna's system attributes
// ("completed_rung_k", formatted by rungText) through PruneContext.SetAttr,
// and kept here keyed by trial ID as well, for pruners used outside a
// study. The rungs cannot be derived from the intermediate values: Optuna
// records a rung only when the trial asks the pruner at or past its step,
// and not before the min resource is known.
type rungTable struct {
	byTrial map[int64][][]float64 // rung k's value at index k
}

// value returns trial t's value at rung k.
func (r *rungTable) value(t *tuner.FrozenTrial, k int) ([]float64, bool) {
	if s, ok := t.Attrs[rungKey(k)]; ok {
		if v, ok := parseRung(s); ok {
			return v, true
		}
	}
	if vs := r.byTrial[t.ID]; k < len(vs) {
		return vs[k], true
	}
	return nil, false
}

// current is Optuna's _get_current_rung: the first rung t has not completed.
func (r *rungTable) current(t *tuner.FrozenTrial) int {
	k := 0
	for {
		if _, ok := r.value(t, k); !ok {
			return k
		}
		k++
	}
}

// record notes that t completed rung k with value v (k is t's current rung).
func (r *rungTable) record(t *tuner.FrozenTrial, k int, v []float64) {
	if r.byTrial == nil {
		r.byTrial = map[int64][][]float64{}
	}
	vs := r.byTrial[t.ID]
	for len(vs) < k {
		// Earlier rungs came from Attrs; mirror them so indexes line up.
		x, _ := r.value(t, len(vs))
		vs = append(vs, x)
	}
	r.byTrial[t.ID] = append(vs[:k], v)
}
