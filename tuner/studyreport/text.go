package studyreport

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/noise"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// Bounds on report.txt's lists: trials.csv has everything.
const (
	maxNumbers = 20  // trial numbers listed per cause
	maxFront   = 10  // best trials listed
	maxReason  = 200 // runes of a quoted reason
)

// text renders report.txt.
func text(s study, a analysis, r *noise.Report) string {
	var b strings.Builder
	b.WriteString("gradtune study report\n")
	section(&b, "Study")
	studyText(&b, s)
	section(&b, "Search-space critic")
	criticText(&b, s, a)
	section(&b, "Noise analysis")
	noiseText(&b, s, r)
	section(&b, "Doctor's causes")
	causesText(&b, a.causes)
	section(&b, "Importances")
	importancesText(&b, s, a.imps)
	section(&b, "Charts")
	for _, c := range a.charts {
		if c.skip != "" {
			fmt.Fprintf(&b, "%s: skipped: %s\n", c.name, c.skip)
		} else {
			fmt.Fprintf(&b, "%s.png, %s.svg: %s\n", c.name, c.name, c.what)
		}
	}
	return b.String()
}

func section(b *strings.Builder, title string) {
	fmt.Fprintf(b, "\n%s\n%s\n", title, strings.Repeat("=", len(title)))
}

// studyText: the name, directions, counts and best trials.
func studyText(b *strings.Builder, s study) {
	name := s.name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(b, "name:       %s\n", name)
	dirs := make([]string, len(s.dirs))
	for k, d := range s.dirs {
		dirs[k] = d.String()
		if s.multi() || s.named {
			dirs[k] = s.labels[k] + ": " + dirs[k]
		}
	}
	fmt.Fprintf(b, "directions: %s\n", strings.Join(dirs, ", "))
	states := map[tuner.TrialState]int{}
	kinds := map[string]int{}
	for _, t := range s.trials {
		states[t.State]++
		if t.State == tuner.Failed {
			kinds[string(t.FailKind)]++
		}
	}
	var parts []string
	for _, st := range []tuner.TrialState{tuner.Complete, tuner.Pruned, tuner.Failed, tuner.Running, tuner.Waiting} {
		if n := states[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	fmt.Fprintf(b, "trials:     %d", len(s.trials))
	if len(parts) > 0 {
		fmt.Fprintf(b, ": %s", strings.Join(parts, ", "))
	}
	b.WriteString("\n")
	if len(kinds) > 0 {
		var ks []string
		for _, k := range byCount(kinds) {
			ks = append(ks, fmt.Sprintf("%d %s", kinds[k], k))
		}
		fmt.Fprintf(b, "failed:     %s\n", strings.Join(ks, ", "))
	}
	bestText(b, s, states[tuner.Complete])
}

// bestText lists the best trials: the feasible Complete trials no other
// dominates, as Study.BestTrials (one objective: the best and its ties).
func bestText(b *strings.Builder, s study, complete int) {
	var cands []tuner.FrozenTrial
	var points [][]float64
	for _, t := range s.trials {
		if t.State != tuner.Complete || !pareto.Feasible(t.Constraints) {
			continue
		}
		v := t.Values
		if v == nil && !s.multi() {
			v = []float64{t.Value}
		}
		cands, points = append(cands, t), append(points, v)
	}
	what := "best trial"
	if s.multi() {
		what = "Pareto front"
	}
	front, err := pareto.Front(points, s.dirs)
	switch {
	case complete == 0:
		fmt.Fprintf(b, "%s: none, no Complete trial\n", what)
		return
	case len(cands) == 0:
		fmt.Fprintf(b, "%s: none, each of the %s violates a constraint\n", what, counted(complete, "Complete trial"))
		return
	case err != nil: // not met: critic.Review has checked the values
		fmt.Fprintf(b, "%s: none, %v\n", what, err)
		return
	}
	among := counted(complete, "Complete trial")
	if n := complete - len(cands); n > 0 {
		among = fmt.Sprintf("%s (%d of the %d %s a constraint)", counted(len(cands), "feasible Complete trial"), n, complete, violate(n))
	}
	if s.multi() {
		fmt.Fprintf(b, "Pareto front: %d of the %s:\n", len(front), among)
	} else {
		fmt.Fprintf(b, "best of the %s:\n", among)
	}
	for _, i := range front[:min(len(front), maxFront)] {
		t := cands[i]
		values := make([]string, len(points[i]))
		for k, v := range points[i] {
			values[k] = num(v)
			if s.multi() || s.named {
				values[k] = s.labels[k] + " " + values[k]
			} else {
				values[k] = "value " + values[k]
			}
		}
		fmt.Fprintf(b, "  trial %d: %s\n    %s\n", t.Number, strings.Join(values, ", "), params(t.Params))
	}
	if len(front) > maxFront {
		fmt.Fprintf(b, "  … and %d more (trials.csv has them all)\n", len(front)-maxFront)
	}
}

// violate is the verb for n trials.
func violate(n int) string {
	if n == 1 {
		return "violates"
	}
	return "violate"
}

// criticText: each finding, or that there is none.
func criticText(b *strings.Builder, s study, a analysis) {
	if len(a.findings) == 0 {
		finished := 0
		for _, t := range s.trials {
			if t.State.Finished() {
				finished++
			}
		}
		fmt.Fprintf(b, "no finding in %s (critic.Review): read it as \"not shown\", not as \"fine\"\n", counted(finished, "finished trial"))
		return
	}
	blocks := make([]string, len(a.findings))
	for i, f := range a.findings {
		blocks[i] = f.String()
	}
	b.WriteString(strings.Join(blocks, "\n\n") + "\n")
}

// noiseText: the re-evaluation, or how to run one.
func noiseText(b *strings.Builder, s study, r *noise.Report) {
	switch {
	case r != nil:
		b.WriteString(r.String())
		if sigma := r.Noise(); !math.IsNaN(sigma) {
			fmt.Fprintf(b, "noise σ = %s (the pooled spread of one evaluation across the seeds)\n", num(sigma))
		}
	case s.multi():
		fmt.Fprintf(b, "none: noise.Reevaluate compares one objective, the study has %d\n", len(s.dirs))
	default:
		b.WriteString("no re-evaluation was run: the best value is one evaluation, and it may have won by seed noise.\n" +
			"noise.ReevaluateObjective(ctx, study, objectiveWithSeed, noise.Options{}) re-runs the top 3 configurations\n" +
			"with seeds 1 to 5 and tests whether the best beats the runner-up; pass its Report as studyreport.Input.Noise.\n")
	}
}

// causesText: the trials pruned by diagnosis, failed or diverged.
func causesText(b *strings.Builder, c causes) {
	if c.none() {
		b.WriteString("no trial was pruned by diagnosis, failed or diverged\n")
	}
	groups := func(title string, gs []group) {
		n := 0
		for _, g := range gs {
			n += len(g.numbers)
		}
		if n == 0 {
			return
		}
		fmt.Fprintf(b, "%s: %s\n", title, counted(n, "trial"))
		for _, g := range gs {
			// A code is an attribute any writer may set: fold it as a reason.
			fmt.Fprintf(b, "  %s: %s: %s\n", oneLine(g.key), counted(len(g.numbers), "trial"), numbers(g.numbers))
			for k, r := range g.reasons {
				if r = oneLine(r); r == "" {
					r = "(no reason recorded)"
				}
				fmt.Fprintf(b, "    trial %d: %s\n", g.numbers[k], r)
			}
		}
	}
	groups("pruned by diagnosis", c.diagnosed)
	groups("failed", c.failed)
	if len(c.infinite) > 0 {
		fmt.Fprintf(b, "complete with an infinite value (diverged): %s: %s\n", counted(len(c.infinite), "trial"), numbers(c.infinite))
	}
	if c.pruned > 0 {
		fmt.Fprintf(b, "pruned by the pruner, without a diagnosis: %s\n", counted(c.pruned, "trial"))
	}
}

// importancesText: each objective's importances, highest first.
func importancesText(b *strings.Builder, s study, imps []importances) {
	b.WriteString("fANOVA (importance.Evaluate) over the Complete trials, of the parameters all of them suggested:\n")
	for k, imp := range imps {
		indent := "  "
		if s.multi() {
			fmt.Fprintf(b, "%s (%s):\n", s.labels[k], s.dirs[k])
			indent = "    "
		}
		if imp.skip != "" {
			fmt.Fprintf(b, "%snone: %s\n", indent, imp.skip)
			continue
		}
		names := make([]string, 0, len(imp.values))
		for n := range imp.values {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool {
			if a, c := imp.values[names[i]], imp.values[names[j]]; a != c {
				return a > c
			}
			return names[i] < names[j]
		})
		w := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, n := range names {
			fmt.Fprintf(w, "%s%s\t%.3f\n", indent, n, imp.values[n])
		}
		w.Flush()
	}
}

// byCount returns m's keys, largest count first, ties by key.
func byCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

// numbers lists trial numbers, the first maxNumbers of them.
func numbers(ns []int) string {
	parts := make([]string, 0, min(len(ns), maxNumbers))
	for _, n := range ns[:min(len(ns), maxNumbers)] {
		parts = append(parts, strconv.Itoa(n))
	}
	out := strings.Join(parts, ", ")
	if len(ns) > maxNumbers {
		out += fmt.Sprintf(", … (%d more)", len(ns)-maxNumbers)
	}
	return out
}

// params formats a trial's parameters, sorted by name: numbers with 6
// significant digits, choices as the code that names them.
func params(ps map[string]any) string {
	if len(ps) == 0 {
		return "(no parameters)"
	}
	names := make([]string, 0, len(ps))
	for k := range ps {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, k := range names {
		var v string
		switch x := ps[k].(type) {
		case float64:
			v = num(x)
		case string:
			v = strconv.Quote(x)
		default:
			v = fmt.Sprint(x)
		}
		parts[i] = k + "=" + v
	}
	return strings.Join(parts, " ")
}

// num formats a value with 6 significant digits.
func num(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// oneLine folds a reason onto one line of at most maxReason runes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxReason {
		s = string(r[:maxReason]) + "…"
	}
	return s
}
