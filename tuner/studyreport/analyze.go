package studyreport

import (
	"errors"
	"fmt"
	"math"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
	"github.com/gradtune/gradtune/tuner/importance"
	"github.com/gradtune/gradtune/tuner/tunerplot"
)

// analysis is what report.txt and the charts show beyond the trials.
type analysis struct {
	findings []critic.Finding
	// imps holds the importances of each objective.
	imps   []importances
	causes causes
	charts []chart
}

// importances are one objective's fANOVA importances, or why there are none.
type importances struct {
	values map[string]float64
	skip   string
}

// analyze runs the critic and fANOVA and lists the charts.
func analyze(s study, in Input) (analysis, error) {
	findings, err := critic.Review(s.trials, s.dirs, in.Critic)
	if err != nil {
		return analysis{}, fmt.Errorf("%w: %w", ErrInput, err)
	}
	a := analysis{findings: findings, causes: causesOf(s)}
	for k := range s.dirs {
		imp, err := importancesOf(s.objective(k), in.Importance)
		if err != nil {
			return analysis{}, err
		}
		a.imps = append(a.imps, imp)
	}
	a.charts = charts(s, a.imps)
	return a, nil
}

// objective returns the trials with objective k as their Value
// (tunerplot.SelectObjective) in a study of several objectives; the
// trials themselves in a study of one.
func (s study) objective(k int) []tuner.FrozenTrial {
	if !s.multi() {
		return s.trials
	}
	trials, err := tunerplot.SelectObjective(s.trials, k)
	if err != nil { // no trial has a k-th value: none is Complete
		return nil
	}
	return trials
}

// importancesOf evaluates fANOVA on trials, or says why it cannot.
func importancesOf(trials []tuner.FrozenTrial, o importance.Options) (importances, error) {
	if n := completeFinite(trials); n < 2 {
		return importances{skip: fmt.Sprintf("%s with a finite value, fANOVA needs at least 2", counted(n, "Complete trial"))}, nil
	}
	imp, err := importance.Evaluate(trials, o)
	switch {
	case errors.Is(err, importance.ErrNotAssessable):
		return importances{skip: err.Error()}, nil
	case err != nil:
		return importances{}, fmt.Errorf("%w: importances: %w", ErrInput, err)
	case len(imp) == 0:
		return importances{skip: "no parameter that every Complete trial suggested can vary"}, nil
	}
	return importances{values: imp}, nil
}

// completeFinite counts the Complete trials with a finite Value.
func completeFinite(trials []tuner.FrozenTrial) int {
	n := 0
	for _, t := range trials {
		if t.State == tuner.Complete && finite(t.Value) {
			n++
		}
	}
	return n
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// counted says "1 trial" or "n trials" for what = "trial".
func counted(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
