package critic

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gradtune/gradtune/tuner"
)

// AttrDiagnosis is the trial attribute in which pruning by diagnosis
// (tuner/tunertrainer) records why it pruned a trial, as a stable code:
// "diverging", "exploding", "stuck_at_chance", "dead_units". BadRegion
// counts a Pruned trial that has it as bad; its value names the cause.
const AttrDiagnosis = "diagnosis"

// causeWords says what happened to a bad trial, by cause: a diagnosis
// code, a FailKind prefixed "failed:", or "infinite".
var causeWords = map[string]string{
	"diverging":                             "diverged",
	"exploding":                             "exploded",
	"stuck_at_chance":                       "stayed at chance",
	"dead_units":                            "had dead units",
	"infinite":                              "diverged (an infinite value)",
	"failed:" + string(tuner.FailNaN):       "returned NaN",
	"failed:" + string(tuner.FailPanic):     "panicked",
	"failed:" + string(tuner.FailObjective): "failed",
}

// outcome says whether finished trial t ended bad and why; judged is false
// for a trial whose end says nothing about its parameters (interrupted,
// stale, not run, a suggestion or the sampler failed).
func (s *study) outcome(t tuner.FrozenTrial) (bad bool, cause string, judged bool) {
	switch t.State {
	case tuner.Complete:
		v := t.Values
		if v == nil {
			v = []float64{t.Value}
		}
		for i, x := range v {
			if i < len(s.dirs) && worse(x, s.dirs[i]) {
				return true, "infinite", true
			}
		}
		return false, "", true
	case tuner.Pruned:
		if c := t.Attrs[AttrDiagnosis]; c != "" {
			return true, c, true
		}
		return false, "", true
	case tuner.Failed:
		if !t.FailKind.Counted() || t.FailKind == tuner.FailSuggest || t.FailKind == tuner.FailSampler {
			return false, "", false
		}
		return true, "failed:" + string(t.FailKind), true
	}
	return false, "", false
}

// judged is one parameter's finished trials with an outcome.
type judged struct {
	name   string
	dist   tuner.Distribution
	x      []float64
	trial  []int // the trials' indices in study.finished
	number []int // the trials' numbers
	bad    []bool
	cause  []string
	nBad   int
}

// judged returns the finished trials with an outcome that drew name from
// its current distribution, but those in skip (indices in s.finished).
func (s *study) judged(name string, skip map[int]bool) judged {
	j := judged{name: name, dist: s.dist[name]}
	for i, t := range s.finished {
		if skip[i] {
			continue
		}
		x, ok := value(t, name, j.dist)
		if !ok {
			continue
		}
		bad, cause, ok := s.outcome(t)
		if !ok {
			continue
		}
		j.x, j.bad, j.cause = append(j.x, x), append(j.bad, bad), append(j.cause, cause)
		j.trial, j.number = append(j.trial, i), append(j.number, t.Number)
		if bad {
			j.nBad++
		}
	}
	return j
}

// badRegions runs the BadRegion check on every parameter. The regions
// found are then taken strongest first, and each of the others is tested
// again without the trials of those before it: a parameter that does not
// matter, drawn widely while another one's region failed, would otherwise
// share the blame (TPE draws the later trials, which fail less, in a
// narrower part of every range).
func (s *study) badRegions() []Finding {
	type found struct {
		name   string
		f      Finding
		region []int // its trials, indices in s.finished
	}
	var names []string
	tests := 0
	for _, name := range s.params {
		if j := s.judged(name, nil); len(j.x) >= s.o.MinTrials && j.nBad > 0 {
			if scs := s.scans(j); len(scs) > 0 {
				names = append(names, name)
				tests += len(scs)
			}
		}
	}
	level := s.o.Alpha / 4 / float64(max(tests, 1))
	// test returns the region of names[k] with the least corrected
	// p-value among its families, skipping the trials in skip.
	test := func(k int, skip map[int]bool) (found, bool) {
		j := s.judged(names[k], skip)
		if len(j.x) < s.o.MinTrials || j.nBad == 0 {
			return found{}, false
		}
		var best found
		ok := false
		for f, sc := range s.scans(j) {
			t := &tails{N: len(j.x), K: j.nBad}
			p0, r, qualifies := s.least(sc, sc.labels(), t, make([]int, len(j.x)+1))
			if !qualifies || p0 > level {
				continue
			}
			p := s.adjusted(sc, p0, t, level, uint64(4*k+f))
			if p > level {
				continue
			}
			r = s.refine(sc, r, t)
			fd, region, made := s.badRegion(sc, r, t, p, permutations(level))
			if made && (!ok || better(fd, best.f)) {
				best, ok = found{names[k], fd, region}, true
			}
		}
		return best, ok
	}
	var all []found
	for k := range names {
		if f, ok := test(k, nil); ok {
			all = append(all, f)
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return better(all[a].f, all[b].f) })
	var out []Finding
	explained := map[int]bool{}
	var before []string
	for _, f := range all {
		if len(explained) > 0 {
			again, ok := test(slices.Index(names, f.name), explained)
			if !ok {
				continue
			}
			again.f.Evidence += fmt.Sprintf(" (leaving out the %d trials of the region of %s)", len(explained), strings.Join(before, " and "))
			f = again
		}
		out = append(out, f.f)
		for _, i := range f.region {
			explained[i] = true
		}
		before = append(before, f.name)
	}
	return out
}

// better reports whether bad region a is stronger than b: a smaller
// corrected p-value, then a smaller Fisher p-value.
func better(a, b Finding) bool {
	if pa, pb := a.Measures["p_value"], b.Measures["p_value"]; pa != pb {
		return pa < pb
	}
	return a.Measures["fisher_p_value"] < b.Measures["fisher_p_value"]
}

// badRegion writes the finding of region r of sc, with its p-value p
// corrected by b permutations, and returns the region's trials (indices
// in s.finished).
func (s *study) badRegion(sc scan, r region, t *tails, p float64, b int) (Finding, []int, bool) {
	j := sc.j
	n := len(sc.order)
	var trials []int
	part := func(from, to int) (m, bad int, causes map[string]int) {
		causes = map[string]int{}
		for _, i := range sc.order[from:to] {
			trials = append(trials, j.trial[i])
			m++
			if j.bad[i] {
				bad++
				causes[j.cause[i]]++
			}
		}
		return m, bad, causes
	}
	f := Finding{Kind: BadRegion, Param: j.name, Measures: map[string]float64{
		"trials": float64(n), "p_value": p, "regions": float64(sc.regions),
	}}
	var parts []string
	var goodWhere string
	inM, inBad := 0, 0
	if sc.categorical {
		m, bad, causes := part(r.lo, r.hi)
		d := j.dist.(tuner.CategoricalDist)
		c := int(j.x[sc.order[r.lo]])
		name := choice(d.Choices[c])
		parts = append(parts, fmt.Sprintf("%d of %s with %s = %s %s", bad, trialsOf(m), j.name, name, what(causes)))
		goodWhere = "the other choices"
		inM, inBad = m, bad
		f.Suggested = tuner.CategoricalDist{Choices: slices.Delete(slices.Clone(d.Choices), c, c+1)}
		f.Fix = fmt.Sprintf("drop %s from the choices of %s", name, j.name)
	} else {
		nu, _ := numericOf(j.dist)
		low, high := nu.low, nu.high
		var fixes []string
		if r.lo > 0 {
			// The new bound: the roundest value between the sampled
			// values on either side of the cut.
			in, out := j.x[sc.order[r.lo-1]], j.x[sc.order[r.lo]]
			t, ok := nu.roundest(in, out, nu.at((nu.pos(in)+nu.pos(out))/2), false, true)
			if !ok {
				return Finding{}, nil, false
			}
			m, bad, causes := part(0, r.lo)
			parts = append(parts, fmt.Sprintf("%d of %s with %s < %s %s", bad, trialsOf(m), j.name, num(t), what(causes)))
			fixes = append(fixes, fmt.Sprintf("raise the lower bound of %s to %s", j.name, num(t)))
			f.Measures["low_threshold"], f.Measures["low_region"], f.Measures["low_bad"] = t, float64(m), float64(bad)
			low, inM, inBad = t, inM+m, inBad+bad
		}
		if r.hi < n {
			out, in := j.x[sc.order[r.hi-1]], j.x[sc.order[r.hi]]
			t, ok := nu.roundest(out, in, nu.at((nu.pos(in)+nu.pos(out))/2), true, false)
			if !ok {
				return Finding{}, nil, false
			}
			m, bad, causes := part(r.hi, n)
			parts = append(parts, fmt.Sprintf("%d of %s with %s > %s %s", bad, trialsOf(m), j.name, num(t), what(causes)))
			fixes = append(fixes, fmt.Sprintf("lower the upper bound of %s to %s", j.name, num(t)))
			f.Measures["high_threshold"], f.Measures["high_region"], f.Measures["high_bad"] = t, float64(m), float64(bad)
			high, inM, inBad = t, inM+m, inBad+bad
		}
		switch {
		case r.lo > 0 && r.hi < n:
			goodWhere = fmt.Sprintf("%s in [%s, %s]", j.name, num(low), num(high))
		case r.lo > 0:
			goodWhere = fmt.Sprintf("%s ≥ %s", j.name, num(low))
		default:
			goodWhere = fmt.Sprintf("%s ≤ %s", j.name, num(high))
		}
		f.Suggested = nu.dist(low, high, nu.log)
		f.Fix = fmt.Sprintf("%s (%v)", strings.Join(fixes, " and "), f.Suggested)
	}
	p0 := t.get(inM, inBad)
	f.Measures["fisher_p_value"] = p0
	f.Measures["region"], f.Measures["bad"] = float64(inM), float64(inBad)
	f.Measures["outside"], f.Measures["outside_bad"] = float64(n-inM), float64(j.nBad-inBad)
	f.Measures["permutations"] = float64(b)
	f.Evidence = fmt.Sprintf("%s, against %d of the %d with %s; Fisher p = %.2g (%.2g corrected for the %d regions scanned, by %d permutations)",
		strings.Join(parts, " and "), j.nBad-inBad, n-inM, goodWhere, p0, p, sc.regions, b)
	return f, trials, true
}

// what says what the bad trials of a region did: one cause in words, or
// several with their counts.
func what(causes map[string]int) string {
	if len(causes) == 1 {
		for c := range causes {
			return words(c)
		}
	}
	return "failed or were pruned by diagnosis (" + causeList(causes) + ")"
}

// words says what a cause means, in words.
func words(cause string) string {
	if w, ok := causeWords[cause]; ok {
		return w
	}
	if k, ok := strings.CutPrefix(cause, "failed:"); ok {
		return "failed (" + k + ")"
	}
	return "were pruned by diagnosis (" + cause + ")"
}

// causeList lists causes by count, the most frequent first.
func causeList(causes map[string]int) string {
	keys := make([]string, 0, len(causes))
	for c := range causes {
		keys = append(keys, c)
	}
	sort.Slice(keys, func(a, b int) bool {
		if causes[keys[a]] != causes[keys[b]] {
			return causes[keys[a]] > causes[keys[b]]
		}
		return keys[a] < keys[b]
	})
	parts := make([]string, len(keys))
	for i, c := range keys {
		parts[i] = fmt.Sprintf("%s %d", strings.TrimPrefix(c, "failed:"), causes[c])
	}
	return strings.Join(parts, ", ")
}
