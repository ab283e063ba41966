package cmaes

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// goldenObjective is gen_cmaes.py's objective for a space: it returns NaN
// at the failing trial numbers and prunes itself at the pruned ones.
func goldenObjective(space string, failing, pruned []int) tuner.Objective {
	return func(_ context.Context, t *tuner.Trial) (float64, error) {
		var v float64
		switch space {
		case "1d":
			v = math.Pow(t.Float("x", -5, 5), 2)
		case "2d":
			v = math.Pow(t.Float("x", -5, 5), 2) + math.Pow(float64(t.Int("n", -10, 10)), 2)
		case "3d":
			v = math.Pow(t.Float("x", -5, 5), 2) + t.Float("lr", 1e-4, 1, tuner.Log()) + t.Float("s", 0, 1, tuner.Step(0.1))
		default:
			v = math.Pow(t.Float("x", -5, 5), 2) + math.Pow(t.Float("y", -5, 5), 2)
			if t.String("c", "a", "b") == "b" {
				v++
			}
		}
		if slices.Contains(failing, t.Number()) {
			return math.NaN(), nil
		}
		if slices.Contains(pruned, t.Number()) {
			if err := t.Report(0, v); err != nil {
				return 0, err
			}
			return 0, tuner.ErrPruned
		}
		return v, nil
	}
}

func runStudy(t *testing.T, s Sampler, cfg tuner.Config, obj tuner.Objective, n int) []tuner.FrozenTrial {
	t.Helper()
	ctx := context.Background()
	cfg.Sampler = s
	if cfg.Parallelism == 0 {
		cfg.Parallelism = 1
	}
	study, err := tuner.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := study.Optimize(ctx, obj, tuner.Budget{Trials: n}); err != nil {
		t.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

// TestBookkeepingMatchesOptuna runs gen_cmaes.py's studies one trial at a
// time: the trials' states and generations must be Optuna's. They depend
// only on which trials complete, fail (NaN) or are pruned, not on the
// values drawn: the startup trials, the one-dimensional space and the
// categorical parameter left to the independent sampler, a generation
// told once popsize of its trials are complete (the failed and pruned ones
// left out, unless pruned ones are considered).
func TestBookkeepingMatchesOptuna(t *testing.T) {
	states := map[string]tuner.TrialState{"complete": tuner.Complete, "fail": tuner.Failed, "pruned": tuner.Pruned}
	for _, g := range loadGolden(t).Sampler {
		s := Sampler{StartupTrials: g.NStartupTrials, ConsiderPrunedTrials: g.ConsiderPrunedTrials}
		dir := tuner.Minimize
		if g.Direction == "maximize" {
			dir = tuner.Maximize
		}
		trials := runStudy(t, s, tuner.Config{Direction: dir, Seed: 3}, goldenObjective(g.Space, g.Failing, g.Pruned), g.TrialsN)
		if len(trials) != len(g.Trials) {
			t.Fatalf("%s: %d trials, Optuna %d", g.Name, len(trials), len(g.Trials))
		}
		tagged := 0
		for i, want := range g.Trials {
			got := trials[i]
			if states[want.State] != got.State {
				t.Errorf("%s, trial %d: %v, Optuna %s", g.Name, i, got.State, want.State)
			}
			gen, hasGen := got.Attrs["cma:generation"]
			restarts, hasRestarts := got.Attrs["cma:n_restarts"]
			if want.Generation == nil {
				if hasGen || hasRestarts {
					t.Errorf("%s, trial %d: generation %q, Optuna drew it independently", g.Name, i, gen)
				}
				continue
			}
			tagged++
			if gen != strconv.Itoa(*want.Generation) || restarts != strconv.Itoa(*want.NRestarts) {
				t.Errorf("%s, trial %d: generation %q restart %q, Optuna %d %d", g.Name, i, gen, restarts, *want.Generation, *want.NRestarts)
			}
		}
		if g.Space != "1d" && tagged < g.TrialsN/2 {
			t.Errorf("%s: only %d trials drawn by CMA-ES", g.Name, tagged)
		}
	}
}

func sphere(names ...string) tuner.Objective {
	return func(_ context.Context, t *tuner.Trial) (float64, error) {
		v := 0.0
		for i, name := range names {
			x := t.Float(name, -5, 5)
			v += (x - float64(i)/2) * (x - float64(i)/2)
		}
		return v, nil
	}
}

// TestGenerationsAndTold checks the notes of a sequential study: trial 0 is
// drawn at random, then each run of popsize trials forms a generation, and
// the first trial of each generation but the first lists the previous
// one's trials.
func TestGenerationsAndTold(t *testing.T) {
	trials := runStudy(t, Sampler{}, tuner.Config{Seed: 1}, sphere("a", "b", "c"), 36)
	const popsize = 7 // 4 + ⌊3 ln 3⌋
	for _, tr := range trials[1:] {
		g := (tr.Number - 1) / popsize
		if got := tr.Attrs["cma:generation"]; got != strconv.Itoa(g) {
			t.Fatalf("trial %d: generation %q, want %d", tr.Number, got, g)
		}
		told, has := tr.Attrs["cma:told"]
		if (tr.Number-1)%popsize != 0 || g == 0 {
			if has {
				t.Errorf("trial %d notes told %q, but did not start a generation", tr.Number, told)
			}
			continue
		}
		var nums []string
		for k := range popsize {
			nums = append(nums, strconv.Itoa(tr.Number-popsize+k))
		}
		if want := fmt.Sprintf("0:%d:%s", g-1, strings.Join(nums, ",")); told != want {
			t.Errorf("trial %d: told %q, want %q", tr.Number, told, want)
		}
	}
	if trials[1].Attrs["cma:space"] == "" || trials[1].Attrs["cma:space"] != trials[35].Attrs["cma:space"] {
		t.Errorf("space signatures %q and %q", trials[1].Attrs["cma:space"], trials[35].Attrs["cma:space"])
	}
	// The first generation is centred on the space's centre, every draw in range.
	for _, tr := range trials {
		for _, name := range []string{"a", "b", "c"} {
			if x := tr.Params[name].(float64); x < -5 || x >= 5 {
				t.Errorf("trial %d: %s = %v outside [−5, 5)", tr.Number, name, x)
			}
		}
	}
}

// watcher is the sampler, recording what each trial saw as it started:
// the complete trials, by number.
type watcher struct {
	Sampler
	mu   sync.Mutex
	seen map[int][]int
}

func (w *watcher) StartTrial(c *tuner.SampleContext) error {
	var done []int
	for _, t := range c.Trials {
		if t.State == tuner.Complete {
			done = append(done, t.Number)
		}
	}
	w.mu.Lock()
	w.seen[c.Trial.Number] = done
	w.mu.Unlock()
	return w.Sampler.StartTrial(c)
}

// TestParallelStudy runs 4 workers on trials of random duration: the study
// must stay valid. Each generation after the first is started by one
// trial, whose note lists popsize trials of the previous generation that
// were complete when it started; a trial joins a generation only while
// fewer than popsize of its trials are complete, so a new generation comes
// only once the previous one is told.
func TestParallelStudy(t *testing.T) {
	obj := func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		v, err := sphere("a", "b")(ctx, tr)
		time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
		return v, err
	}
	w := &watcher{seen: map[int][]int{}}
	ctx := context.Background()
	study, err := tuner.Open(ctx, tuner.Config{Sampler: w, Seed: 5, Parallelism: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := study.Optimize(ctx, obj, tuner.Budget{Trials: 60}); err != nil {
		t.Fatal(err)
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const popsize = 6
	gen := map[int]int{} // trial number → generation
	for _, tr := range trials {
		if tr.State != tuner.Complete {
			t.Fatalf("trial %d: %v (%s)", tr.Number, tr.State, tr.FailReason)
		}
		if s, ok := tr.Attrs["cma:generation"]; ok {
			gen[tr.Number], _ = strconv.Atoi(s)
		}
	}
	starters := map[int]int{} // generation → the trial that told the previous one
	for _, tr := range trials {
		told, ok := tr.Attrs["cma:told"]
		if !ok {
			continue
		}
		g := gen[tr.Number]
		if _, dup := starters[g]; dup {
			t.Errorf("generation %d started by trials %d and %d", g, starters[g], tr.Number)
		}
		starters[g] = tr.Number
		prefix := fmt.Sprintf("0:%d:", g-1)
		if !strings.HasPrefix(told, prefix) {
			t.Fatalf("trial %d of generation %d notes told %q", tr.Number, g, told)
		}
		nums := strings.Split(strings.TrimPrefix(told, prefix), ",")
		if len(nums) != popsize {
			t.Fatalf("generation %d told %d trials, want %d", g, len(nums), popsize)
		}
		for _, s := range nums {
			n, _ := strconv.Atoi(s)
			if gen[n] != g-1 || !slices.Contains(w.seen[tr.Number], n) {
				t.Errorf("generation %d (trial %d) told trial %d: of generation %d, complete when it started: %v",
					g, tr.Number, n, gen[n], slices.Contains(w.seen[tr.Number], n))
			}
		}
	}
	maxGen := slices.Max(slices.Collect(maps.Values(gen)))
	if maxGen < 4 || len(starters) != maxGen {
		t.Fatalf("generations 0 to %d, %d of them started by a trial that told the previous one", maxGen, len(starters))
	}
	for n, g := range gen {
		complete := 0
		for _, m := range w.seen[n] {
			if pg, ok := gen[m]; ok && pg == g {
				complete++
			}
		}
		if complete >= popsize {
			t.Errorf("trial %d joined generation %d, which had %d complete trials when it started", n, g, complete)
		}
	}
}

// TestDeterministic: one worker and a fixed seed give the same study twice;
// another seed gives another.
func TestDeterministic(t *testing.T) {
	run := func(seed uint64) []tuner.FrozenTrial {
		return runStudy(t, Sampler{}, tuner.Config{Seed: seed}, goldenObjective("3d", []int{5}, []int{9}), 30)
	}
	a, b, c := run(11), run(11), run(12)
	for i := range a {
		for name, v := range a[i].Params {
			if b[i].Params[name] != v {
				t.Fatalf("trial %d: %s = %v, then %v", i, name, v, b[i].Params[name])
			}
		}
		if a[i].Attrs["cma:generation"] != b[i].Attrs["cma:generation"] || a[i].Attrs["cma:told"] != b[i].Attrs["cma:told"] {
			t.Fatalf("trial %d: notes %v, then %v", i, a[i].Attrs, b[i].Attrs)
		}
	}
	if a[20].Params["x"] == c[20].Params["x"] {
		t.Errorf("seeds 11 and 12 both drew x = %v", a[20].Params["x"])
	}
}

// TestMaximizeNegates: maximizing −f draws the same trials as minimizing f.
func TestMaximizeNegates(t *testing.T) {
	f := sphere("a", "b", "c")
	neg := func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		v, err := f(ctx, tr)
		return -v, err
	}
	lo := runStudy(t, Sampler{}, tuner.Config{Seed: 2}, f, 30)
	hi := runStudy(t, Sampler{}, tuner.Config{Seed: 2, Direction: tuner.Maximize}, neg, 30)
	for i := range lo {
		if lo[i].Params["a"] != hi[i].Params["a"] || lo[i].Value != -hi[i].Value {
			t.Fatalf("trial %d: a = %v (value %v) minimizing, %v (value %v) maximizing", i, lo[i].Params["a"], lo[i].Value, hi[i].Params["a"], hi[i].Value)
		}
	}
	if lo[29].Attrs["cma:generation"] == "" || lo[29].Attrs["cma:generation"] == "0" {
		t.Fatalf("trial 29 in generation %q: the test compares no update", lo[29].Attrs["cma:generation"])
	}
}

// TestIndependentWhenCMACannot: a one-dimensional space, and a space that
// changes (a range that differs in a later trial) are drawn by the
// Independent sampler, as with RandomSampler itself; a categorical
// parameter too, beside the CMA-ES ones.
func TestIndependentWhenCMACannot(t *testing.T) {
	oneD := sphere("x")
	ours := runStudy(t, Sampler{}, tuner.Config{Seed: 4}, oneD, 10)
	random := runStudy(t, Sampler{Independent: tuner.RandomSampler{}}, tuner.Config{Seed: 4, Sampler: tuner.RandomSampler{}}, oneD, 10)
	for i := range ours {
		noted := slices.ContainsFunc(slices.Collect(maps.Keys(ours[i].Attrs)), func(k string) bool { return strings.HasPrefix(k, "cma:") })
		if noted || ours[i].Params["x"] != random[i].Params["x"] {
			t.Fatalf("1-D trial %d: x = %v with attrs %v, RandomSampler %v", i, ours[i].Params["x"], ours[i].Attrs, random[i].Params["x"])
		}
	}

	changing := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		high := 5.0
		if tr.Number() >= 10 {
			high = 4 // b's range changes: it leaves the intersection, the space is 1-D
		}
		a, b, c := tr.Float("a", -5, 5), tr.Float("b", -5, high), tr.Float("c", -5, 5)
		return a*a + b*b + c*c, nil
	}
	trials := runStudy(t, Sampler{}, tuner.Config{Seed: 4}, changing, 20)
	for _, tr := range trials {
		_, tagged := tr.Attrs["cma:generation"]
		if want := tr.Number >= 1 && tr.Number <= 10; tagged != want {
			t.Errorf("changing space, trial %d: drawn by CMA-ES %v, want %v", tr.Number, tagged, want)
		}
	}

	// Only b changes its range; a and c still form a 2-D space, but not the
	// one CMA-ES started in: independent from then on, as Optuna.
	trials = runStudy(t, Sampler{}, tuner.Config{Seed: 4}, func(ctx context.Context, tr *tuner.Trial) (float64, error) {
		v, err := changing(ctx, tr)
		return v + tr.Float("d", -1, 1), err
	}, 20)
	for _, tr := range trials {
		_, tagged := tr.Attrs["cma:generation"]
		if want := tr.Number >= 1 && tr.Number <= 10; tagged != want {
			t.Errorf("changing 4-D space, trial %d: drawn by CMA-ES %v, want %v", tr.Number, tagged, want)
		}
	}

	mixed := runStudy(t, Sampler{}, tuner.Config{Seed: 4}, goldenObjective("mixed", nil, nil), 15)
	c := map[any]int{}
	for _, tr := range mixed[1:] {
		if _, ok := tr.Attrs["cma:generation"]; !ok {
			t.Errorf("mixed, trial %d: x and y not drawn by CMA-ES", tr.Number)
		}
		c[tr.Params["c"]]++
	}
	if c["a"] == 0 || c["b"] == 0 {
		t.Errorf("the categorical drew %v: not independent draws", c)
	}
}

// TestX0AndSigma0: with a tiny Sigma0 the first generation sits at X0 (an
// int given for a float, a parameter left out at its centre).
func TestX0AndSigma0(t *testing.T) {
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		return tr.Float("a", -5, 5) + tr.Float("lr", 1e-4, 1, tuner.Log()) + float64(tr.Int("n", 0, 10)), nil
	}
	s := Sampler{X0: map[string]any{"a": 2, "lr": 1e-2}, Sigma0: 1e-9}
	trials := runStudy(t, s, tuner.Config{Seed: 9}, obj, 6)
	for _, tr := range trials[1:] {
		a, lr, n := tr.Params["a"].(float64), tr.Params["lr"].(float64), tr.Params["n"].(int)
		if math.Abs(a-2) > 1e-6 || math.Abs(lr/1e-2-1) > 1e-6 || n != 5 {
			t.Errorf("trial %d: a = %v, lr = %v, n = %d; want 2, 0.01 and 5 (the centre)", tr.Number, a, lr, n)
		}
	}
	ctx := context.Background()
	bad := Sampler{X0: map[string]any{"a": 7.0}}
	study, err := tuner.Open(ctx, tuner.Config{Sampler: bad, Parallelism: 1, MaxConsecutiveFailures: 2})
	if err != nil {
		t.Fatal(err)
	}
	err = study.Optimize(ctx, obj, tuner.Budget{Trials: 5})
	if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), `X0["a"]`) {
		t.Errorf("X0 outside the range: Optimize = %v, want an error wrapping ErrConfig naming X0[\"a\"]", err)
	}
}

func TestValidate(t *testing.T) {
	for _, s := range []Sampler{
		{StartupTrials: -1}, {Popsize: 3}, {Popsize: -4}, {IncPopsize: -1}, {Sigma0: -1}, {Sigma0: math.NaN()},
		{Sigma0: math.Inf(1)}, {X0: map[string]any{"a": "one"}},
	} {
		if _, err := tuner.Open(context.Background(), tuner.Config{Sampler: s}); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("Open with %+v: err %v, want ErrConfig", s, err)
		}
	}
	if err := (Sampler{Popsize: 4, IncPopsize: 1, Sigma0: 0.1}).Validate(); err != nil {
		t.Errorf("valid settings: %v", err)
	}
}

// TestBadInputNeverPanics calls the sampler directly with what a study
// never hands it: no context, too many parameters, a trial whose value is
// infinite.
func TestBadInputNeverPanics(t *testing.T) {
	s := Sampler{}
	if _, err := s.SampleRelative(nil); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("nil context: err %v", err)
	}
	if err := s.StartTrial(&tuner.SampleContext{}); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("no trial: err %v", err)
	}
	huge := tuner.FrozenTrial{State: tuner.Complete, Value: 1, Internal: map[string]float64{}, Distributions: map[string]tuner.Distribution{}}
	for i := range MaxDim + 1 {
		name := fmt.Sprintf("x%04d", i)
		huge.Internal[name] = 0
		huge.Distributions[name] = tuner.FloatDist{Low: -1, High: 1}
	}
	c := &tuner.SampleContext{Trials: []tuner.FrozenTrial{huge}, Trial: &tuner.FrozenTrial{Number: 1}, Rand: rand.New(rand.NewPCG(1, 1))}
	if _, err := s.SampleRelative(c); !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), "1001") {
		t.Errorf("%d parameters: err %v, want ErrConfig naming the count", MaxDim+1, err)
	}
	two := tuner.FrozenTrial{State: tuner.Complete, Value: 1, Internal: map[string]float64{"a": 0, "b": 0},
		Distributions: map[string]tuner.Distribution{"a": tuner.FloatDist{Low: -1, High: 1}, "b": tuner.FloatDist{Low: -1, High: 1}}}
	c = &tuner.SampleContext{Trials: []tuner.FrozenTrial{two}, Trial: &tuner.FrozenTrial{Number: 1}}
	if _, err := s.SampleRelative(c); !errors.Is(err, tuner.ErrConfig) {
		t.Errorf("no Rand: err %v, want ErrConfig", err)
	}
	// Infinite values rank last (minimizing) and first (maximizing), as in
	// cmaes; the generation is told all the same.
	inf := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		a, b := tr.Float("a", -1, 1), tr.Float("b", -1, 1)
		if tr.Number()%3 == 0 {
			return math.Inf(1), nil
		}
		return a + b, nil
	}
	for _, dir := range []tuner.Direction{tuner.Minimize, tuner.Maximize} {
		trials := runStudy(t, s, tuner.Config{Direction: dir}, inf, 20)
		if trials[19].Attrs["cma:generation"] != "3" {
			t.Errorf("%v with infinite values: trial 19 in generation %q, want 3 ((19 − 1) / popsize 6)", dir, trials[19].Attrs["cma:generation"])
		}
	}
}

// TestIPOPRestarts: on a constant function the values' range is 0, so
// CMA-ES stops after funhist_term + 1 generations (10 + ⌈30·2/6⌉ + 1 = 21
// for 2 parameters) and IPOP restarts with twice the population, keyed by
// restart as in Optuna.
func TestIPOPRestarts(t *testing.T) {
	flat := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		tr.Float("a", -1, 1)
		tr.Float("b", -1, 1)
		return 1, nil
	}
	trials := runStudy(t, Sampler{IPOP: true, Seed: 3}, tuner.Config{Seed: 3}, flat, 1+21*6+12+1)
	restarted := 0
	for _, tr := range trials[1:] {
		r := tr.Attrs["cma:n_restarts"]
		g, hasG := tr.Attrs["cma:restart_"+r+":generation"]
		if !hasG || tr.Attrs["cma:generation"] != "" {
			t.Fatalf("trial %d: attributes %v, want cma:restart_%s:generation only", tr.Number, tr.Attrs, r)
		}
		if r == "1" {
			restarted++
			if restarted == 1 && (tr.Number != 1+21*6 || g != "0" || !strings.HasPrefix(tr.Attrs["cma:told"], "0:20:")) {
				t.Errorf("restart at trial %d (generation %s, told %q), want at trial %d, generation 0, told 0:20:…", tr.Number, g, tr.Attrs["cma:told"], 1+21*6)
			}
		}
	}
	last := trials[len(trials)-1]
	if restarted != 13 || last.Attrs["cma:restart_1:generation"] != "1" {
		t.Errorf("%d trials of restart 1, the last in generation %q: want 13, the 13th in generation 1 (popsize 12)", restarted, last.Attrs["cma:restart_1:generation"])
	}
}

// TestFindsTheMinimum: on a 4-D sphere CMA-ES gets far closer than random
// search in the same 200 trials.
func TestFindsTheMinimum(t *testing.T) {
	f := sphere("a", "b", "c", "d")
	best := func(s tuner.Sampler) float64 {
		ctx := context.Background()
		study, err := tuner.Open(ctx, tuner.Config{Sampler: s, Seed: 8, Parallelism: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := study.Optimize(ctx, f, tuner.Budget{Trials: 200}); err != nil {
			t.Fatal(err)
		}
		b, err := study.Best(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return b.Value
	}
	cma, random := best(Sampler{}), best(tuner.RandomSampler{})
	// Optuna's CmaEsSampler: a median of 5e-3 over seeds 1 to 7.
	if cma > 1e-2 || cma > random/100 {
		t.Errorf("best after 200 trials: CMA-ES %v, random %v; want CMA-ES below 1e-2 and 100× better", cma, random)
	}
	t.Logf("best after 200 trials: CMA-ES %.3g, random search %.3g", cma, random)
}

// TestCacheChangesNothing: the cache of replayed states only saves work; a
// study run without it draws the same trials, to the last bit.
func TestCacheChangesNothing(t *testing.T) {
	run := func() []tuner.FrozenTrial {
		return runStudy(t, Sampler{}, tuner.Config{Seed: 21}, sphere("a", "b", "c", "d"), 90)
	}
	with := run()
	if len(states.entries) == 0 {
		t.Fatal("the cache holds no state after a study")
	}
	cacheStates = false
	defer func() { cacheStates = true }()
	without := run()
	for i := range with {
		for _, name := range []string{"a", "b", "c", "d"} {
			if with[i].Params[name] != without[i].Params[name] {
				t.Fatalf("trial %d: %s = %v with the cache, %v without", i, name, with[i].Params[name], without[i].Params[name])
			}
		}
	}
	if g := with[89].Attrs["cma:generation"]; g != "11" {
		t.Fatalf("trial 89 in generation %q, want 11: the test compares fewer updates than meant", g)
	}
}
