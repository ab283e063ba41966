package rdb_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

const python = "/usr/bin/python3"

// requireOptuna skips the test when python3 has no optuna, unless
// GRADTUNE_REQUIRE_SERVERS=1 (CI), where it fails instead.
func requireOptuna(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import optuna; print(optuna.__version__)").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("%s cannot import optuna (apt-get install python3-optuna): %v: %s", python, err, out)
	if os.Getenv("GRADTUNE_REQUIRE_SERVERS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

type pyValue struct{ Type, Repr string }

type pyTrial struct {
	Number        int
	State         string
	Params        map[string]pyValue
	Distributions map[string]string
	Value         *pyValue
	Intermediate  map[string]string
	UserAttrs     map[string]string `json:"user_attrs"`
	FailReason    *string           `json:"fail_reason"`
	Start         *string
}

type pyStudy struct {
	Direction string
	Trials    []pyTrial
	Best      *int
}

func loadWithOptuna(t *testing.T, storageURL, name string) pyStudy {
	t.Helper()
	cmd := exec.Command(python, "testdata/load_study.py", storageURL, name)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("optuna.load_study: %v\n%s", err, stderr.String())
	}
	var s pyStudy
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	return s
}

// interopObjective uses every kind of distribution, reports intermediate
// values (±Inf among them), sets attributes, and ends trials as complete
// (one with −Inf), pruned and failed.
func interopObjective(_ context.Context, tr *tuner.Trial) (float64, error) {
	lr := tr.Float("lr", 1e-4, 1e-1, tuner.Log())
	drop := tr.Float("drop", 0, 0.5, tuner.Step(0.1))
	units := tr.Int("units", 16, 256, tuner.Step(16))
	layers := tr.Int("layers", 1, 8, tuner.Log())
	act := tr.String("act", "relu", "tanh", "gélu")
	mix := tr.Categorical("mix", 8, true, 0.25, 1.0, "x")
	if err := tr.SetAttr("note", fmt.Sprintf(`trial %d: "λ" %s`, tr.Number(), act)); err != nil {
		return 0, err
	}
	v := lr*100 + drop + float64(units)/256 + float64(layers)
	if mix == true {
		v += 1
	}
	n := tr.Number()
	for step := range 3 {
		x := v + float64(3-step)
		if n%4 == 1 && step == 1 {
			x = math.Inf(1)
		}
		if n%4 == 2 && step == 2 {
			x = math.Inf(-1)
		}
		if err := tr.Report(step, x); err != nil {
			return 0, err
		}
	}
	switch {
	case n%5 == 3:
		return 0, tuner.ErrPruned
	case n%5 == 4:
		return 0, errors.New("diverged")
	case n == 7:
		// −Inf, not +Inf: Optuna 3.1's find_min_value_trial orders the
		// NULL value of an INF_POS trial first and would call it the best.
		return math.Inf(-1), nil
	}
	return v, nil
}

// TestOptunaReadsGradtuneStudy: Optuna 3.1 opens a study gradtune ran and
// sees the same trials, states, parameters (values, types, distributions
// byte for byte), values, intermediate values, attributes, fail reasons,
// start times and best trial.
func TestOptunaReadsGradtuneStudy(t *testing.T) {
	eachBackend(t, func(t *testing.T, url string) {
		requirePythonFor(t, url)
		st := openURL(t, url)
		optunaURL := st.OptunaStorageURL()
		s, err := tuner.Open(ctx, tuner.Config{Name: "interop", Storage: st, Sampler: tuner.RandomSampler{}, Parallelism: 2, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Optimize(ctx, interopObjective, tuner.Budget{Trials: 12}); err != nil {
			t.Fatal(err)
		}
		if err := s.Enqueue(ctx, map[string]any{"lr": 0.01, "act": "tanh"},
			map[string]tuner.Distribution{"lr": tuner.FloatDist{Low: 1e-4, High: 1e-1, Log: true}, "act": tuner.CategoricalDist{Choices: []any{"relu", "tanh", "gélu"}}}); err != nil {
			t.Fatal(err)
		}
		ours, err := s.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		best, err := s.Best(ctx)
		if err != nil {
			t.Fatal(err)
		}
		theirs := loadWithOptuna(t, optunaURL, "interop")
		wantBest := best.Number
		if !strings.HasPrefix(url, "sqlite:") {
			wantBest = optunaPostgresBest(ours)
		}
		if theirs.Direction != "MINIMIZE" || theirs.Best == nil || *theirs.Best != wantBest {
			t.Errorf("optuna: direction %s, best trial %v; want MINIMIZE, %d", theirs.Direction, fmt.Sprint(deref(theirs.Best)), wantBest)
		}
		if len(theirs.Trials) != len(ours) {
			t.Fatalf("optuna sees %d trials, gradtune %d", len(theirs.Trials), len(ours))
		}
		states := map[string]int{}
		for i, o := range ours {
			p := theirs.Trials[i]
			states[p.State]++
			compareTrial(t, o, p)
		}
		if want := map[string]int{"COMPLETE": 8, "PRUNED": 2, "FAIL": 2, "WAITING": 1}; !reflect.DeepEqual(states, want) {
			t.Errorf("states %v, want %v", states, want)
		}
	})
}

// optunaPostgresBest is the best trial Optuna 3.1 reports for a minimized
// study on PostgreSQL: find_min_value_trial orders trial_values.value
// ascending, and PostgreSQL sorts NULL (a ±Inf value) last, so the
// smallest finite value wins even over a −Inf one (on SQLite NULL sorts
// first, and a −Inf value wins, as it should).
func optunaPostgresBest(trials []tuner.FrozenTrial) int {
	best, number := math.Inf(1), -1
	for _, tr := range trials {
		if tr.State == tuner.Complete && !math.IsInf(tr.Value, 0) && tr.Value < best {
			best, number = tr.Value, tr.Number
		}
	}
	return number
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func compareTrial(t *testing.T, o tuner.FrozenTrial, p pyTrial) {
	t.Helper()
	wantState := map[tuner.TrialState]string{tuner.Complete: "COMPLETE", tuner.Pruned: "PRUNED", tuner.Failed: "FAIL",
		tuner.Waiting: "WAITING", tuner.Running: "RUNNING"}[o.State]
	if p.Number != o.Number || p.State != wantState {
		t.Errorf("trial %d %v: optuna sees number %d %s", o.Number, o.State, p.Number, p.State)
	}
	if len(p.Params) != len(o.Params) {
		t.Errorf("trial %d: optuna params %v, ours %v", o.Number, p.Params, o.Params)
	}
	for name, v := range o.Params {
		if !samePyValue(v, p.Params[name]) {
			t.Errorf("trial %d: param %s = %#v, optuna sees %v", o.Number, name, v, p.Params[name])
		}
		js, err := rdb.MarshalDistribution(o.Distributions[name])
		if err != nil || p.Distributions[name] != js {
			t.Errorf("trial %d: param %s: optuna's distribution_to_json\n%s\nours\n%s (%v)", o.Number, name, p.Distributions[name], js, err)
		}
	}
	switch {
	case math.IsNaN(o.Value) && p.Value != nil:
		t.Errorf("trial %d: no value, optuna sees %v", o.Number, *p.Value)
	case !math.IsNaN(o.Value) && (p.Value == nil || !samePyValue(o.Value, *p.Value)):
		t.Errorf("trial %d: value %v, optuna sees %v", o.Number, o.Value, p.Value)
	}
	if len(p.Intermediate) != len(o.Intermediate) {
		t.Errorf("trial %d: intermediate %v, optuna sees %v", o.Number, o.Intermediate, p.Intermediate)
	}
	for step, v := range o.Intermediate {
		if got, err := strconv.ParseFloat(p.Intermediate[strconv.Itoa(step)], 64); err != nil || got != v {
			t.Errorf("trial %d: step %d = %v, optuna sees %q", o.Number, step, v, p.Intermediate[strconv.Itoa(step)])
		}
	}
	wantAttrs := map[string]string{} // the user's: the tuner's own are system attributes
	for k, v := range o.Attrs {
		if k != "owner" && k != "requeued_from" && k != "retries" && k != "sequence_number" && k != "grid_id" && !strings.HasPrefix(k, "completed_rung_") && !strings.HasPrefix(k, "nsga2:") {
			wantAttrs[k] = v
		}
	}
	if !reflect.DeepEqual(p.UserAttrs, wantAttrs) {
		t.Errorf("trial %d: user attrs %q, optuna sees %q", o.Number, wantAttrs, p.UserAttrs)
	}
	if reason := ""; p.FailReason != nil {
		reason = *p.FailReason
		if reason != o.FailReason {
			t.Errorf("trial %d: fail reason %q, optuna sees %q", o.Number, o.FailReason, reason)
		}
	} else if o.FailReason != "" {
		t.Errorf("trial %d: fail reason %q, optuna sees none", o.Number, o.FailReason)
	}
	if o.Start.IsZero() != (p.Start == nil) {
		t.Errorf("trial %d: start %v, optuna sees %v", o.Number, o.Start, p.Start)
	} else if p.Start != nil {
		got, err := time.ParseInLocation("2006-01-02T15:04:05.999999", *p.Start, time.Local)
		if err != nil || !got.Equal(o.Start.Truncate(time.Microsecond)) {
			t.Errorf("trial %d: start %v, optuna sees %s (%v)", o.Number, o.Start, *p.Start, err)
		}
	}
}

// samePyValue compares a Go parameter or value with Python's type and repr.
func samePyValue(v any, p pyValue) bool {
	switch v := v.(type) {
	case float64:
		f, err := strconv.ParseFloat(p.Repr, 64)
		return p.Type == "float" && err == nil && (f == v || math.IsNaN(f) && math.IsNaN(v))
	case int:
		return p.Type == "int" && p.Repr == strconv.Itoa(v)
	case bool:
		return p.Type == "bool" && p.Repr == map[bool]string{true: "True", false: "False"}[v]
	case string:
		return p.Type == "str" && p.Repr == "'"+v+"'" // no quotes or backslashes in these strings
	}
	return false
}

// TestOptunaAndGradtuneWorkersShareAStudy: Python's study.optimize and
// gradtune's workers run one study on one file at the same time; every
// trial is complete with the objective's value, numbers are 0..n-1 once
// each, both sides see all trials at the end, and each side's trials saw
// trials of the other side while it sampled.
func TestOptunaAndGradtuneWorkersShareAStudy(t *testing.T) {
	eachBackend(t, func(t *testing.T, url string) {
		const goTrials, pyTrials = 30, 30
		requirePythonFor(t, url)
		st := openURL(t, url)
		optunaURL := st.OptunaStorageURL()
		var seenPython atomic.Int64
		s, err := tuner.Open(ctx, tuner.Config{Name: "shared", Storage: st, Parallelism: 2, Seed: 11})
		if err != nil {
			t.Fatal(err)
		}
		py := exec.Command(python, "testdata/optimize.py", optunaURL, "shared", strconv.Itoa(pyTrials))
		var stderr strings.Builder
		py.Stderr = &stderr
		stdin, _ := py.StdinPipe()
		stdout, _ := py.StdoutPipe()
		if err := py.Start(); err != nil {
			t.Fatal(err)
		}
		defer py.Process.Kill()
		lines := bufio.NewScanner(stdout)
		if !lines.Scan() || lines.Text() != "ready" {
			py.Wait()
			t.Fatalf("optimize.py did not get ready: %q\n%s", lines.Text(), stderr.String())
		}
		io.WriteString(stdin, "go\n")
		obj := func(ctx context.Context, tr *tuner.Trial) (float64, error) {
			x, n, act := tr.Float("x", -2, 2), tr.Int("n", 1, 4), tr.String("act", "relu", "tanh")
			if err := tr.SetAttr("side", "go"); err != nil {
				return 0, err
			}
			// Until Python's first trial is in (its start may lag under
			// load), wait for it: the test is about seeing each other.
			var fromPython int64
			for wait := 0; ; wait++ {
				all, err := s.Trials(ctx)
				if err != nil {
					return 0, err
				}
				fromPython = 0
				for _, o := range all {
					if o.Attrs["side"] == "python" {
						fromPython++
					}
				}
				if fromPython > 0 || wait >= 500 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if fromPython > seenPython.Load() {
				seenPython.Store(fromPython)
			}
			time.Sleep(20 * time.Millisecond)
			return sharedValue(x, n, act), nil
		}
		if err := s.Optimize(ctx, obj, tuner.Budget{Trials: goTrials}); err != nil {
			t.Fatal(err)
		}
		var report struct {
			MaxSeenGo int `json:"max_seen_go"`
		}
		if !lines.Scan() || json.Unmarshal(lines.Bytes(), &report) != nil {
			t.Fatalf("optimize.py said %q\n%s", lines.Text(), stderr.String())
		}
		if err := py.Wait(); err != nil {
			t.Fatalf("optimize.py: %v\n%s", err, stderr.String())
		}
		ours, err := s.Trials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		theirs := loadWithOptuna(t, optunaURL, "shared")
		if len(ours) != goTrials+pyTrials || len(theirs.Trials) != len(ours) {
			t.Fatalf("gradtune sees %d trials, optuna %d, want %d", len(ours), len(theirs.Trials), goTrials+pyTrials)
		}
		sides := map[string]int{}
		for i, o := range ours {
			x, _ := o.Params["x"].(float64)
			n, _ := o.Params["n"].(int)
			act, _ := o.Params["act"].(string)
			if o.Number != i || o.State != tuner.Complete || o.Value != sharedValue(x, n, act) {
				t.Errorf("trial %d (number %d): %v %v with %v, want complete with %v", i, o.Number, o.State, o.Value, o.Params, sharedValue(x, n, act))
			}
			sides[o.Attrs["side"]]++
			compareTrial(t, o, theirs.Trials[i])
		}
		if sides["go"] != goTrials || sides["python"] != pyTrials {
			t.Errorf("trials per side %v, want %d each", sides, goTrials)
		}
		if seenPython.Load() == 0 || report.MaxSeenGo == 0 {
			t.Errorf("gradtune's trials saw at most %d of Python's, Python's at most %d of gradtune's: want both > 0",
				seenPython.Load(), report.MaxSeenGo)
		}
		t.Logf("gradtune's trials saw up to %d Python trials, Python's up to %d gradtune trials", seenPython.Load(), report.MaxSeenGo)
	})
}

func sharedValue(x float64, n int, act string) float64 {
	v := x*x + float64(n)
	if act == "tanh" {
		v += 0.5
	}
	return v
}
