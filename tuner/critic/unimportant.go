package critic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/importance"
)

// gateRatio: a parameter is clearly important when its mean importance is
// at least gateRatio times the dummy's largest. On objectives of pure
// noise (40 and 100 trials, random and TPE sampling, 5 parameters), the
// most important parameter's ratio was above 2.4 in 5% of the studies, and
// above 4 in about 1%.
const gateRatio = 4

// unimportant runs the Unimportant check. A parameter of misScaled (with a
// UseLog finding) cannot be the clearly important one: most of its trials
// lie in its top decade, away from its best, so its importance is that of
// a region the log scale will leave, where the others may not show their
// effect (at a learning rate far too high, nothing else matters).
func (s *study) unimportant(misScaled map[string]bool) []Finding {
	var complete []tuner.FrozenTrial
	for i, t := range s.finished {
		if s.front[i] < 0 {
			continue
		}
		if len(s.dirs) > 1 {
			// fANOVA explains one number: the non-domination rank.
			t.Value = float64(s.front[i])
		}
		if math.IsInf(t.Value, 0) || !allValid(t) {
			continue
		}
		complete = append(complete, t)
	}
	if len(complete) < s.o.MinTrials {
		return nil
	}
	dummy := "critic.dummy"
	for s.dist[dummy] != nil {
		dummy += "_"
	}
	imps := make([]map[string]float64, s.o.Repeats)
	for r := range imps {
		rng := rand.New(rand.NewPCG(s.o.Seed, 1<<32+uint64(r))) // not adjusted's streams
		with := make([]tuner.FrozenTrial, len(complete))
		for i, t := range complete {
			with[i] = withParam(t, dummy, rng.Float64())
		}
		imp, err := importance.Evaluate(with, importance.Options{Trees: s.o.Trees, Seed: s.o.Seed + uint64(r)})
		if err != nil {
			return nil // not assessable: too few trials or no variance
		}
		imps[r] = imp
	}
	meanOf := func(name string) float64 {
		sum := 0.0
		for _, imp := range imps {
			sum += imp[name]
		}
		return sum / float64(len(imps))
	}
	noise := meanOf(dummy)
	var names []string
	for name := range imps[0] {
		if name != dummy {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	// The dummy's importances over the repeats: the noise band.
	lowNoise, highNoise := math.Inf(1), math.Inf(-1)
	for _, imp := range imps {
		lowNoise, highNoise = min(lowNoise, imp[dummy]), max(highNoise, imp[dummy])
	}
	// The most important parameter, if it is clearly important.
	lead, leadImp := "", 0.0
	for _, name := range names {
		if m := meanOf(name); m > leadImp && !misScaled[name] {
			lead, leadImp = name, m
		}
	}
	if !(leadImp >= gateRatio*highNoise) {
		return nil
	}
	var out []Finding
	for _, name := range names {
		m := meanOf(name)
		if m > highNoise || m > 2*noise || singleValue(s.dist[name]) {
			continue
		}
		r := s.ranked(name)
		v, ok := fixValue(r)
		if !ok {
			continue
		}
		out = append(out, Finding{
			Kind:  Unimportant,
			Param: name,
			Evidence: fmt.Sprintf("fANOVA importance %.3g (mean of %d forests), within the range of a dummy random parameter's, %.3g to %.3g over %d draws (mean %.3g), while %s's is %.3g",
				m, len(imps), lowNoise, highNoise, len(imps), noise, lead, leadImp),
			Fix: fmt.Sprintf("fix %s to %s (%s among the best %d trials) and spend the trials on the others",
				name, external(r.dist, v), fixedAs(r.dist), r.nTop),
			Suggested: single(r.dist, v),
			Measures: map[string]float64{"importance": m, "dummy_importance": noise, "dummy_max": highNoise,
				"repeats": float64(len(imps)), "lead_importance": leadImp, "value": v},
		})
	}
	return out
}

// allValid reports whether each of t's parameters has a value of its
// distribution (importance.Evaluate refuses the trials otherwise).
func allValid(t tuner.FrozenTrial) bool {
	for name, d := range t.Distributions {
		if _, ok := value(t, name, d); !ok {
			return false
		}
	}
	return true
}

// withParam returns t with one more float parameter in [0, 1], its maps
// copied.
func withParam(t tuner.FrozenTrial, name string, x float64) tuner.FrozenTrial {
	t.Params, t.Internal, t.Distributions = clone(t.Params), clone(t.Internal), clone(t.Distributions)
	t.Params[name], t.Internal[name], t.Distributions[name] = x, x, tuner.FloatDist{Low: 0, High: 1}
	return t
}

func clone[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// singleValue reports whether d has one value (nothing to fix).
func singleValue(d tuner.Distribution) bool {
	if _, ok := numericOf(d); ok {
		return false
	}
	c, ok := d.(tuner.CategoricalDist)
	return !ok || len(c.Choices) < 2
}

// fixValue returns the internal value to fix r's parameter to: the most
// common choice among its best trials (the first in Choices of equals),
// or their median in the search scale, on the grid.
func fixValue(r ranked) (float64, bool) {
	var best []float64
	for i, x := range r.x {
		if r.top[i] {
			best = append(best, x)
		}
	}
	if len(best) == 0 {
		return 0, false
	}
	if _, ok := r.dist.(tuner.CategoricalDist); ok {
		counts := map[float64]int{}
		for _, x := range best {
			counts[x]++
		}
		keys := make([]float64, 0, len(counts))
		for x := range counts {
			keys = append(keys, x)
		}
		slices.Sort(keys)
		v := keys[0]
		for _, x := range keys {
			if counts[x] > counts[v] {
				v = x
			}
		}
		return v, true
	}
	n, ok := numericOf(r.dist)
	if !ok {
		return 0, false
	}
	us := make([]float64, len(best))
	for i, x := range best {
		us[i] = n.pos(x)
	}
	v := n.at(median(us))
	if n.step > 0 {
		v = n.low + math.Round((v-n.low)/n.step)*n.step
	}
	v = math.Min(math.Max(v, n.low), n.high)
	if !n.isInt && n.step == 0 {
		// Three significant digits are enough for a value to fix.
		lo, hi := v-math.Abs(v)*5e-3, v+math.Abs(v)*5e-3
		if w, ok := n.roundest(lo, hi, v, true, true); v != 0 && ok && w >= n.low && w <= n.high {
			v = w
		}
	}
	return v, true
}

// fixedAs says how fixValue chose for d.
func fixedAs(d tuner.Distribution) string {
	if _, ok := d.(tuner.CategoricalDist); ok {
		return "the most common choice"
	}
	return "the median"
}

// single returns the distribution of d's type holding only x.
func single(d tuner.Distribution, x float64) tuner.Distribution {
	if c, ok := d.(tuner.CategoricalDist); ok {
		return tuner.CategoricalDist{Choices: []any{c.Choices[int(x)]}}
	}
	n, _ := numericOf(d)
	return n.dist(x, x, false)
}
