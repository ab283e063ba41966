package studyreport

import (
	"math"
	"sort"

	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
)

// attrDiagnosisReason is the trial attribute where pruning by diagnosis
// records the doctor's words: tunertrainer.AttrDiagnosisReason, which this
// package does not import (it would pull in the trainer and Gorgonia); a
// test checks that the two agree.
const attrDiagnosisReason = "diagnosis_reason"

// examples is how many reasons report.txt quotes per cause.
const examples = 3

// causes are why trials ended badly: the doctor's diagnoses, failures,
// divergence to an infinite value.
type causes struct {
	// diagnosed groups the Pruned trials with a diagnosis by code, failed
	// the Failed trials by FailKind; largest first, ties by key.
	diagnosed, failed []group
	// infinite numbers the Complete trials with an infinite value on the
	// wrong side of an objective.
	infinite []int
	// pruned counts the other Pruned trials (the pruner's).
	pruned int
}

// group is the trials of one cause.
type group struct {
	key     string
	numbers []int
	// reasons of the first trials, one per number up to examples.
	reasons []string
}

// causesOf sorts the study's trials by cause.
func causesOf(s study) causes {
	var c causes
	diagnosed, failed := map[string]*group{}, map[string]*group{}
	add := func(m map[string]*group, key string, t tuner.FrozenTrial, reason string) {
		g := m[key]
		if g == nil {
			g = &group{key: key}
			m[key] = g
		}
		g.numbers = append(g.numbers, t.Number)
		if len(g.reasons) < examples {
			g.reasons = append(g.reasons, reason)
		}
	}
	for _, t := range s.trials {
		switch {
		case t.State == tuner.Pruned && t.Attrs[critic.AttrDiagnosis] != "":
			add(diagnosed, t.Attrs[critic.AttrDiagnosis], t, t.Attrs[attrDiagnosisReason])
		case t.State == tuner.Pruned:
			c.pruned++
		case t.State == tuner.Failed:
			add(failed, string(t.FailKind), t, t.FailReason)
		case t.State == tuner.Complete && diverged(t, s.dirs):
			c.infinite = append(c.infinite, t.Number)
		}
	}
	c.diagnosed, c.failed = sorted(diagnosed), sorted(failed)
	return c
}

// none reports whether no trial ended badly.
func (c causes) none() bool {
	return len(c.diagnosed) == 0 && len(c.failed) == 0 && len(c.infinite) == 0
}

// sorted returns the groups, largest first, ties by key.
func sorted(m map[string]*group) []group {
	out := make([]group, 0, len(m))
	for _, g := range m {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := len(out[i].numbers), len(out[j].numbers); a != b {
			return a > b
		}
		return out[i].key < out[j].key
	})
	return out
}

// diverged reports whether Complete trial t has an infinite value on the
// wrong side of its objective's direction (critic's "infinite" cause).
func diverged(t tuner.FrozenTrial, dirs []tuner.Direction) bool {
	values := t.Values
	if values == nil {
		values = []float64{t.Value}
	}
	for i, v := range values {
		if i < len(dirs) && (dirs[i] == goal.Minimize && math.IsInf(v, 1) || dirs[i] == goal.Maximize && math.IsInf(v, -1)) {
			return true
		}
	}
	return false
}
