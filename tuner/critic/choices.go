package critic

import (
	"fmt"
	"slices"

	"github.com/gradtune/gradtune/tuner"
)

// neverWins runs the NeverWins check on every categorical parameter.
func (s *study) neverWins() []Finding {
	type test struct {
		r      ranked
		choice int
	}
	var tests []test
	for _, name := range s.params {
		d, ok := s.dist[name].(tuner.CategoricalDist)
		if !ok || len(d.Choices) < 2 {
			continue
		}
		r := s.ranked(name)
		if len(r.x) < s.o.MinTrials {
			continue
		}
		for c := range d.Choices {
			if count(r.x, c) >= s.o.MinTries {
				tests = append(tests, test{r, c})
			}
		}
	}
	var out []Finding
	for _, t := range tests {
		if f, ok := s.neverWon(t.r, t.choice, s.o.Alpha/4/float64(len(tests))); ok {
			out = append(out, f)
		}
	}
	return out
}

// count returns how many of xs are the choice c.
func count(xs []float64, c int) int {
	n := 0
	for _, x := range xs {
		if int(x) == c {
			n++
		}
	}
	return n
}

// neverWon is the NeverWins check of choice c of r, at level alpha.
func (s *study) neverWon(r ranked, c int, alpha float64) (Finding, bool) {
	ranks := r.midranks()
	var mine, others []float64
	chosen := make([]bool, len(r.x))
	for i, x := range r.x {
		if int(x) != c {
			others = append(others, ranks[i])
			continue
		}
		if r.top[i] {
			return Finding{}, false
		}
		chosen[i] = true
		mine = append(mine, ranks[i])
	}
	p := stratifiedGreater(ranks, chosen, r.blocks(choiceBlock)) // a larger rank is worse
	if p > alpha {
		return Finding{}, false
	}
	d := r.dist.(tuner.CategoricalDist)
	name := choice(d.Choices[c])
	kept := slices.Delete(slices.Clone(d.Choices), c, c+1)
	f := Finding{
		Kind:  NeverWins,
		Param: r.name,
		Evidence: fmt.Sprintf("%s = %s in %d of %d complete trials, none among the best %d; its mean rank %.1f of %d (the other choices' %.1f); rank-sum p = %.2g",
			r.name, name, len(mine), len(r.x), r.nTop, mean(mine), len(r.x), mean(others), p),
		Fix:       fmt.Sprintf("drop %s from the choices of %s", name, r.name),
		Suggested: tuner.CategoricalDist{Choices: kept},
		Measures: map[string]float64{"trials": float64(len(r.x)), "tries": float64(len(mine)), "top": float64(r.nTop),
			"mean_rank": mean(mine), "others_mean_rank": mean(others), "p_value": p},
	}
	return f, true
}
