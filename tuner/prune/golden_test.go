package prune

import (
	"math"
	"testing"

	"github.com/gradtune/gradtune/tuner"

	"github.com/gradtune/gradtune/internal/golden"
)

// goldenNum is a float64 in pruners.json: a number, or "NaN", "Inf", "-Inf".
type goldenNum = golden.Num

// event is one line of a scenario's event log (gen_pruners.py's play).
type event struct {
	Trial       int         `json:"trial"`
	Op          string      `json:"op"` // start, report, prune, finish
	Step        int         `json:"step"`
	Value       goldenNum   `json:"value"`
	Pruned      bool        `json:"pruned"`
	State       string      `json:"state"` // complete, pruned, fail
	Rungs       []goldenNum `json:"rungs"`
	MinResource int         `json:"min_resource"`
	Bracket     *int        `json:"bracket"`
}

type scenario struct {
	Name        string  `json:"name"`
	Direction   string  `json:"direction"`
	Concurrency int     `json:"concurrency"`
	Events      []event `json:"events"`
}

func (s scenario) dir() tuner.Direction {
	if s.Direction == "maximize" {
		return tuner.Maximize
	}
	return tuner.Minimize
}

type percentileScenario struct {
	scenario
	Median bool `json:"median"`
	Args   struct {
		Percentile     float64 `json:"percentile"`
		NStartupTrials int     `json:"n_startup_trials"`
		NWarmupSteps   int     `json:"n_warmup_steps"`
		IntervalSteps  int     `json:"interval_steps"`
		NMinTrials     int     `json:"n_min_trials"`
	} `json:"args"`
}

type shaScenario struct {
	scenario
	Args struct {
		MinResource          *int `json:"min_resource"` // null: "auto"
		ReductionFactor      int  `json:"reduction_factor"`
		MinEarlyStoppingRate int  `json:"min_early_stopping_rate"`
		BootstrapCount       int  `json:"bootstrap_count"`
	} `json:"args"`
}

type hyperbandScenario struct {
	scenario
	StudyName string `json:"study_name"`
	NBrackets int    `json:"n_brackets"`
	Budgets   []int  `json:"budgets"`
	Args      struct {
		MinResource     int `json:"min_resource"`
		MaxResource     any `json:"max_resource"` // "auto" or a number
		ReductionFactor int `json:"reduction_factor"`
		BootstrapCount  int `json:"bootstrap_count"`
	} `json:"args"`
}

type goldenFile struct {
	Generator struct {
		Script, Optuna, Numpy, Python string
	}
	Percentile      []percentileScenario `json:"percentile"`
	SHA             []shaScenario        `json:"sha"`
	Hyperband       []hyperbandScenario  `json:"hyperband"`
	HyperbandTables struct {
		NBrackets []struct {
			MinResource     int   `json:"min_resource"`
			ReductionFactor int   `json:"reduction_factor"`
			NBrackets       []int `json:"n_brackets"` // for max_resource = 1, 2, …
		} `json:"n_brackets"`
		BracketIDs []struct {
			StudyName       string `json:"study_name"`
			MinResource     int    `json:"min_resource"`
			MaxResource     int    `json:"max_resource"`
			ReductionFactor int    `json:"reduction_factor"`
			NBrackets       int    `json:"n_brackets"`
			Budgets         []int  `json:"budgets"`
			Brackets        []int  `json:"brackets"` // of trial numbers 0, 1, …
		} `json:"bracket_ids"`
	} `json:"hyperband_tables"`
	// "log" (Python's math.log) is tested by internal/crmath now.
	NanPercentile []struct {
		Values []goldenNum `json:"values"`
		Q      float64     `json:"q"`
		Result goldenNum   `json:"result"`
	} `json:"nanpercentile"`
}

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	var g goldenFile
	golden.ReadTestdata(t, "optuna/pruners.json", &g)
	if g.Generator.Optuna != "3.1.0" {
		t.Fatalf("pruners.json was generated with Optuna %q, want 3.1.0", g.Generator.Optuna)
	}
	return &g
}

// sameFloat reports whether a and b are the same float64, bit for bit
// (any NaN equals any NaN).
func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// replay plays a scenario's event log against pr, building each
// PruneContext as Study.shouldPrune does (the other trials, copied, ordered
// by number; the asking trial itself), and compares every decision with
// Optuna's. after, if not nil, checks more after each prune call. It returns
// the number of prune calls.
func replay(t *testing.T, s scenario, pr tuner.Pruner, after func(ev event, tr *tuner.FrozenTrial)) int {
	t.Helper()
	var trials []*tuner.FrozenTrial
	calls, bad := 0, 0
	for i, ev := range s.Events {
		if ev.Op == "start" {
			if ev.Trial != len(trials) {
				t.Fatalf("event %d starts trial %d, want %d", i, ev.Trial, len(trials))
			}
			trials = append(trials, newFrozen(int64(100+ev.Trial), ev.Trial, tuner.Running))
			continue
		}
		tr := trials[ev.Trial]
		switch ev.Op {
		case "report":
			tr.Intermediate[ev.Step] = float64(ev.Value)
		case "finish":
			switch ev.State {
			case "complete", "pruned":
				tr.State = tuner.Complete
				if ev.State == "pruned" {
					tr.State = tuner.Pruned
				}
				_, tr.Value, _ = tr.LastStep()
			case "fail":
				tr.State, tr.Value = tuner.Failed, math.NaN()
			default:
				t.Fatalf("event %d: finish state %q", i, ev.State)
			}
		case "prune":
			calls++
			others := make([]tuner.FrozenTrial, 0, len(trials))
			for _, o := range trials {
				if o != tr {
					others = append(others, copyTrial(o))
				}
			}
			got := pr.Prune(&tuner.PruneContext{Trials: others, Trial: tr, Direction: s.dir()})
			if got != ev.Pruned {
				bad++
				if bad <= 5 {
					t.Errorf("%s: event %d, trial %d at step %d (values %v): pruned = %v, Optuna %v",
						s.Name, i, ev.Trial, lastReported(tr), tr.Intermediate, got, ev.Pruned)
				}
			}
			if after != nil {
				after(ev, tr)
			}
		default:
			t.Fatalf("event %d: op %q", i, ev.Op)
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d decisions differ from Optuna's", s.Name, bad, calls)
	}
	return calls
}

func lastReported(t *tuner.FrozenTrial) int {
	s, _, _ := t.LastStep()
	return s
}

// trialSpec is one trial of a sequential scenario, for the objective
// that replays it through Study.Optimize.
type trialSpec struct {
	steps  []int
	values []float64
	ask    []bool
	end    string // Optuna's final state: complete, pruned or fail
	asked  []bool // Optuna's decisions, in order
}

// trialSpecs rebuilds each trial's reports, asks and end from a
// sequential (concurrency 1) event log.
func trialSpecs(s scenario) []*trialSpec {
	var specs []*trialSpec
	for _, ev := range s.Events {
		switch ev.Op {
		case "start":
			specs = append(specs, &trialSpec{})
		case "report":
			sp := specs[ev.Trial]
			sp.steps, sp.values, sp.ask = append(sp.steps, ev.Step), append(sp.values, float64(ev.Value)), append(sp.ask, false)
		case "prune":
			sp := specs[ev.Trial]
			sp.ask[len(sp.ask)-1] = true
			sp.asked = append(sp.asked, ev.Pruned)
		case "finish":
			specs[ev.Trial].end = ev.State
		}
	}
	return specs
}
