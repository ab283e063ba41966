package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// The storages under test: the SQLite one must behave like tuner's memory
// storage, which is the reference.
var storageKinds = []struct {
	name string
	open func(t *testing.T) tuner.Storage
}{
	{"memory", func(*testing.T) tuner.Storage { return tuner.NewMemoryStorage() }},
	{"sqlite", func(t *testing.T) tuner.Storage { return openAt(t, tempPath(t)) }},
}

// TestConformance runs every behaviour of the tuner.Storage contract against
// each storage, each on a fresh one.
func TestConformance(t *testing.T) {
	behaviours := []struct {
		name string
		run  func(t *testing.T, st tuner.Storage)
	}{
		{"CreateAndReopenStudy", confCreateAndReopen},
		{"DirectionMismatch", confDirectionMismatch},
		{"ConcurrentNumbering", confConcurrentNumbering},
		{"RoundTrip", confRoundTrip},
		{"EnqueueAndClaim", confEnqueueAndClaim},
		{"FinishTwice", confFinishTwice},
		{"UnknownIDs", confUnknownIDs},
		{"FailKinds", confFailKinds},
		{"Claims", confClaims},
		{"ConcurrentClaims", confConcurrentClaims},
	}
	for _, kind := range storageKinds {
		for _, b := range behaviours {
			t.Run(kind.name+"/"+b.name, func(t *testing.T) { b.run(t, kind.open(t)) })
		}
	}
}

func confCreateAndReopen(t *testing.T, st tuner.Storage) {
	a, created, err := st.GetOrCreateStudy(ctx, "a", tuner.Minimize)
	if err != nil || !created {
		t.Fatalf("first GetOrCreateStudy: id %d created %v err %v, want created", a, created, err)
	}
	again, created, err := st.GetOrCreateStudy(ctx, "a", tuner.Minimize)
	if err != nil || created || again != a {
		t.Errorf("second GetOrCreateStudy: id %d created %v err %v, want id %d not created", again, created, err, a)
	}
	b, created, err := st.GetOrCreateStudy(ctx, "b", tuner.Maximize)
	if err != nil || !created || b == a {
		t.Errorf("other study: id %d created %v err %v, want a new id", b, created, err)
	}
	// Through the study: a second Open of the same name sees the trials.
	cfg := tuner.Config{Name: "c", Storage: st, Parallelism: 1, Seed: 1}
	s1 := openStudy(t, cfg)
	if err := s1.Optimize(ctx, func(_ context.Context, tr *tuner.Trial) (float64, error) {
		return tr.Float("x", 0, 1), nil
	}, tuner.Budget{Trials: 3}); err != nil {
		t.Fatal(err)
	}
	first, _ := s1.Trials(ctx)
	second, err := openStudy(t, cfg).Trials(ctx)
	if err != nil || len(second) != 3 {
		t.Fatalf("reopened study has %d trials (%v), want 3", len(second), err)
	}
	for i := range first {
		if !sameRecord(first[i], second[i]) || first[i].ID != second[i].ID {
			t.Errorf("trial %d changed on reopening:\n%+v\n%+v", i, first[i], second[i])
		}
	}
}

func confDirectionMismatch(t *testing.T, st tuner.Storage) {
	for _, c := range []struct{ first, second tuner.Direction }{
		{tuner.Minimize, tuner.Maximize},
		{tuner.Maximize, tuner.Minimize},
	} {
		name := "study-" + c.first.String()
		if _, _, err := st.GetOrCreateStudy(ctx, name, c.first); err != nil {
			t.Fatal(err)
		}
		_, _, err := st.GetOrCreateStudy(ctx, name, c.second)
		if !errors.Is(err, tuner.ErrConfig) || !strings.Contains(err.Error(), c.first.String()) || !strings.Contains(err.Error(), c.second.String()) {
			t.Errorf("%s reopened as %v: %v, want ErrConfig naming both directions", name, c.second, err)
		}
		if _, err := tuner.Open(ctx, tuner.Config{Name: name, Storage: st, Direction: c.second}); !errors.Is(err, tuner.ErrConfig) {
			t.Errorf("tuner.Open of %s as %v: %v, want ErrConfig", name, c.second, err)
		}
		if _, created, err := st.GetOrCreateStudy(ctx, name, c.first); err != nil || created {
			t.Errorf("%s as %v after the mismatch: created %v, %v", name, c.first, created, err)
		}
	}
}

// confConcurrentNumbering: 8 goroutines creating trials at once get the
// numbers 0..n-1, each once.
func confConcurrentNumbering(t *testing.T, st tuner.Storage) {
	const workers, each = 8, 5
	id := studyID(t, st, "numbers")
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int]bool{}
		errs []error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				ft, err := st.CreateTrial(ctx, id, nil, nil)
				if err == nil {
					err = st.SetTrialParam(ctx, ft.ID, "w", float64(w), tuner.IntDist{Low: 0, High: workers - 1})
				}
				if err == nil {
					err = st.FinishTrial(ctx, ft.ID, tuner.Complete, float64(ft.Number), "", "")
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if seen[ft.Number] {
					errs = append(errs, fmt.Errorf("number %d given twice", ft.Number))
				}
				seen[ft.Number] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d errors, first %v", len(errs), errs[0])
	}
	trials := allTrials(t, st, id)
	if len(trials) != workers*each || len(seen) != workers*each || !contiguous(trials) {
		t.Fatalf("%d trials, %d distinct numbers %v, want 0..%d once each", len(trials), len(seen), sortedInts(seen), workers*each-1)
	}
	for _, tr := range trials {
		if tr.State != tuner.Complete || tr.Value != float64(tr.Number) {
			t.Errorf("trial %d: %v %v, want complete with its number", tr.Number, tr.State, tr.Value)
		}
	}
	// The same through Study.Optimize with 8 trials at a time.
	s := openStudy(t, tuner.Config{Name: "parallel", Storage: st, Parallelism: workers, Seed: 2})
	if err := s.Optimize(ctx, func(_ context.Context, tr *tuner.Trial) (float64, error) {
		return tr.Float("x", -1, 1), nil
	}, tuner.Budget{Trials: workers * each}); err != nil {
		t.Fatal(err)
	}
	trials, _ = s.Trials(ctx)
	if len(trials) != workers*each || !contiguous(trials) {
		t.Errorf("Optimize with Parallelism %d: %d trials, numbers not 0..%d", workers, len(trials), workers*each-1)
	}
	for _, tr := range trials {
		if tr.State != tuner.Complete || tr.Value != tr.Params["x"] {
			t.Errorf("trial %d: %v %v with x = %v", tr.Number, tr.State, tr.Value, tr.Params["x"])
		}
	}
}

// roundTripCase is what the objective does in one trial, and what the
// stored trial must then say.
type roundTripCase struct {
	reports    map[int]float64
	attrs      map[string]string
	ret        float64
	err        error
	state      tuner.TrialState
	value      float64
	failReason string
}

var (
	inf, nan  = math.Inf(1), math.NaN()
	negZero   = math.Copysign(0, -1)
	errBoom   = errors.New("boom")
	roundTrip = []roundTripCase{
		{reports: map[int]float64{0: 1.5, 1: negZero}, ret: 0.125, state: tuner.Complete, value: 0.125},
		{reports: map[int]float64{0: nan, 1: inf, 2: -inf}, ret: inf, state: tuner.Complete, value: inf},
		{reports: map[int]float64{3: 2.5, 7: -inf}, err: tuner.ErrPruned, state: tuner.Pruned, value: -inf},
		{reports: map[int]float64{-1: 5e-324, 1 << 40: math.MaxFloat64}, err: errBoom, state: tuner.Failed, value: nan, failReason: "boom"},
		{ret: negZero, attrs: map[string]string{"empty": "", "quote": `it's "quoted"; DROP TABLE trials;--`, "unicode": "λ→∞ ☃"},
			state: tuner.Complete, value: negZero},
		{reports: map[int]float64{2: nan}, ret: nan, state: tuner.Failed, value: nan, failReason: "objective returned NaN"},
		{ret: -math.SmallestNonzeroFloat64, attrs: map[string]string{"k": "v"}, state: tuner.Complete, value: -math.SmallestNonzeroFloat64},
	}
)

// roundTripSpace suggests parameters of every kind: log, stepped, ints,
// categoricals of every choice type, a conditional one.
func roundTripSpace(tr *tuner.Trial) {
	tr.Float("lr", 1e-5, 1e-1, tuner.Log())
	tr.Float("drop", 0, 0.5, tuner.Step(0.1))
	tr.Int("units", 16, 256, tuner.Step(16))
	tr.Int("layers", 1, 8, tuner.Log())
	tr.Categorical("mixed", 8, true, 0.25, "x", -3)
	if tr.String("act", "relu", "tanh", "gelu") == "relu" {
		tr.Float("slope", 0, 0.3)
	}
}

var roundTripDists = map[string]tuner.Distribution{
	"lr":     tuner.FloatDist{Low: 1e-5, High: 1e-1, Log: true},
	"drop":   tuner.FloatDist{Low: 0, High: 0.5, Step: 0.1},
	"units":  tuner.IntDist{Low: 16, High: 256, Step: 16},
	"layers": tuner.IntDist{Low: 1, High: 8, Log: true},
	"mixed":  tuner.CategoricalDist{Choices: []any{8, true, 0.25, "x", -3}},
	"act":    tuner.CategoricalDist{Choices: []any{"relu", "tanh", "gelu"}},
	"slope":  tuner.FloatDist{Low: 0, High: 0.3},
}

// runRoundTrip runs the roundTrip cases as a study on st and returns the
// parameters each trial's objective saw.
func runRoundTrip(t *testing.T, st tuner.Storage, name string) (*tuner.Study, []map[string]any) {
	t.Helper()
	seen := make([]map[string]any, len(roundTrip))
	s := openStudy(t, tuner.Config{Name: name, Storage: st, Parallelism: 1, Seed: 11})
	obj := func(_ context.Context, tr *tuner.Trial) (float64, error) {
		c := roundTrip[tr.Number()]
		roundTripSpace(tr)
		steps := make([]int, 0, len(c.reports))
		for step := range c.reports {
			steps = append(steps, step)
		}
		sort.Ints(steps)
		for _, step := range steps {
			if err := tr.Report(step, c.reports[step]); err != nil {
				return 0, err
			}
		}
		for k, v := range c.attrs {
			if err := tr.SetAttr(k, v); err != nil {
				return 0, err
			}
		}
		seen[tr.Number()] = tr.Params()
		return c.ret, c.err
	}
	if err := s.Optimize(ctx, obj, tuner.Budget{Trials: len(roundTrip)}); err != nil {
		t.Fatal(err)
	}
	return s, seen
}

// confRoundTrip: parameters of every kind, ±Inf and NaN values and
// intermediate values, −0, attributes, states and reasons come back as
// stored, and equal to what the memory storage keeps for the same study.
func confRoundTrip(t *testing.T, st tuner.Storage) {
	host, _ := os.Hostname()
	s, seen := runRoundTrip(t, st, "roundtrip")
	trials, err := s.Trials(ctx)
	if err != nil || len(trials) != len(roundTrip) {
		t.Fatalf("%d trials (%v), want %d", len(trials), err, len(roundTrip))
	}
	for i, tr := range trials {
		c := roundTrip[i]
		if tr.Number != i || tr.State != c.state || !sameFloat(tr.Value, c.value) {
			t.Errorf("trial %d: number %d %v value %v, want %v %v", i, tr.Number, tr.State, tr.Value, c.state, c.value)
		}
		if c.failReason == "" && tr.FailReason != "" || !strings.Contains(tr.FailReason, c.failReason) {
			t.Errorf("trial %d: fail reason %q, want %q", i, tr.FailReason, c.failReason)
		}
		if !reflect.DeepEqual(tr.Params, seen[i]) {
			t.Errorf("trial %d: params %#v, want what the objective saw %#v", i, tr.Params, seen[i])
		}
		for name, v := range tr.Params {
			d := tr.Distributions[name]
			if !tuner.Equal(d, roundTripDists[name]) || !reflect.DeepEqual(d.FromInternal(tr.Internal[name]), v) {
				t.Errorf("trial %d: %s = %#v (internal %v) in %v, want in %v", i, name, v, tr.Internal[name], d, roundTripDists[name])
			}
		}
		wantReports := c.reports
		if wantReports == nil {
			wantReports = map[int]float64{}
		}
		if !sameFloats(tr.Intermediate, wantReports) {
			t.Errorf("trial %d: intermediate values %v, want %v", i, tr.Intermediate, wantReports)
		}
		// Besides the objective's attributes, the study records the trial's
		// process ("owner", host/pid of this test process).
		wantAttrs := map[string]string{}
		if o := tr.Attrs["owner"]; strings.HasPrefix(o, fmt.Sprintf("%s/%d/", host, os.Getpid())) {
			wantAttrs["owner"] = o // host/pid/token of this process
		}
		for k, v := range c.attrs {
			wantAttrs[k] = v
		}
		if !reflect.DeepEqual(tr.Attrs, wantAttrs) {
			t.Errorf("trial %d: attrs %q, want %q", i, tr.Attrs, wantAttrs)
		}
		if tr.Start.IsZero() || tr.Complete.Before(tr.Start) {
			t.Errorf("trial %d: start %v complete %v, want start ≤ complete", i, tr.Start, tr.Complete)
		}
	}
	ref, _ := runRoundTrip(t, tuner.NewMemoryStorage(), "roundtrip")
	refTrials, _ := ref.Trials(ctx)
	for i := range refTrials {
		if !sameRecord(trials[i], refTrials[i]) {
			t.Errorf("trial %d differs from the memory storage's with the same seed:\n%+v\n%+v", i, trials[i], refTrials[i])
		}
	}
}

// confEnqueueAndClaim: Waiting trials are numbered when queued, claimed
// oldest first, each by exactly one of several concurrent CreateTrial calls,
// with their parameters.
func confEnqueueAndClaim(t *testing.T, st tuner.Storage) {
	id := studyID(t, st, "queue")
	dists := map[string]tuner.Distribution{"x": tuner.FloatDist{Low: -5, High: 5}, "c": tuner.CategoricalDist{Choices: []any{"a", "b"}}}
	for _, p := range []map[string]float64{{"x": 2, "c": 1}, {"x": -1.5}} {
		if err := st.EnqueueTrial(ctx, id, p, dists); err != nil {
			t.Fatal(err)
		}
	}
	queued := allTrials(t, st, id)
	want := []map[string]any{{"x": 2.0, "c": "b"}, {"x": -1.5}}
	for i, tr := range queued {
		if tr.Number != i || tr.State != tuner.Waiting || !math.IsNaN(tr.Value) || !tr.Start.IsZero() || !reflect.DeepEqual(tr.Params, want[i]) {
			t.Errorf("queued trial %d: %+v, want waiting with %v", i, tr, want[i])
		}
	}
	for i, w := range []map[string]any{want[0], want[1], {}} {
		ft, err := st.CreateTrial(ctx, id, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ft.Number != i || ft.State != tuner.Running || ft.Start.IsZero() || !reflect.DeepEqual(ft.Params, w) {
			t.Errorf("CreateTrial %d: number %d %v params %v, want number %d running with %v", i, ft.Number, ft.State, ft.Params, i, w)
		}
		if i < 2 && ft.ID != queued[i].ID {
			t.Errorf("CreateTrial %d: id %d, want the queued trial's %d", i, ft.ID, queued[i].ID)
		}
	}
	// 8 concurrent claims of 8 queued trials: each claimed once, none created.
	const n = 8
	for k := 0; k < n; k++ {
		if err := st.EnqueueTrial(ctx, id, map[string]float64{"x": float64(k)}, dists); err != nil {
			t.Fatal(err)
		}
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		claimed = map[int]bool{}
	)
	for k := 0; k < n; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ft, err := st.CreateTrial(ctx, id, nil, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Error(err)
			case claimed[ft.Number] || ft.Params["x"] != float64(ft.Number-3):
				t.Errorf("claim: trial %d with %v (claimed before: %v), want a queued trial once", ft.Number, ft.Params, claimed[ft.Number])
			}
			claimed[ft.Number] = true
		}()
	}
	wg.Wait()
	trials := allTrials(t, st, id)
	if len(trials) != 3+n || len(claimed) != n || !contiguous(trials) {
		t.Errorf("%d trials, %d claimed %v, want %d trials and the %d queued ones claimed", len(trials), len(claimed), sortedInts(claimed), 3+n, n)
	}
	for _, tr := range trials {
		if tr.State != tuner.Running {
			t.Errorf("trial %d: %v, want running", tr.Number, tr.State)
		}
	}
	// Through the study: an enqueued configuration runs first.
	s := openStudy(t, tuner.Config{Name: "queue-study", Storage: st, Parallelism: 1})
	if err := s.Enqueue(ctx, map[string]any{"x": 2.0, "c": "b"}, dists); err != nil {
		t.Fatal(err)
	}
	if err := s.Optimize(ctx, func(_ context.Context, tr *tuner.Trial) (float64, error) {
		x, c := tr.Float("x", -5, 5), tr.String("c", "a", "b")
		return x + float64(len(c)), nil
	}, tuner.Budget{Trials: 1}); err != nil {
		t.Fatal(err)
	}
	best, err := s.Best(ctx)
	if err != nil || best.Params["x"] != 2.0 || best.Params["c"] != "b" || best.Value != 3 {
		t.Errorf("enqueued trial ran with %v = %v (%v), want x=2 c=b = 3", best.Params, best.Value, err)
	}
}

// confFinishTwice: a finished trial cannot be finished again or changed,
// but keeps taking attributes; of 8 concurrent finishes exactly one wins.
func confFinishTwice(t *testing.T, st tuner.Storage) {
	id := studyID(t, st, "finish")
	ft, err := st.CreateTrial(ctx, id, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []tuner.TrialState{tuner.Running, tuner.Waiting} {
		if err := st.FinishTrial(ctx, ft.ID, bad, 1, "", ""); !errors.Is(err, tuner.ErrStorage) {
			t.Errorf("finish as %v: %v, want ErrStorage", bad, err)
		}
	}
	if err := st.FinishTrial(ctx, ft.ID, tuner.Complete, 1.5, "", ""); err != nil {
		t.Fatal(err)
	}
	after := []struct {
		name string
		call func() error
	}{
		{"FinishTrial complete", func() error { return st.FinishTrial(ctx, ft.ID, tuner.Complete, 2, "", "") }},
		{"FinishTrial failed", func() error { return st.FinishTrial(ctx, ft.ID, tuner.Failed, nan, tuner.FailObjective, "late") }},
		{"SetTrialParam", func() error { return st.SetTrialParam(ctx, ft.ID, "x", 0.5, tuner.FloatDist{Low: 0, High: 1}) }},
		{"SetTrialIntermediate", func() error { return st.SetTrialIntermediate(ctx, ft.ID, 1, 0.5) }},
	}
	for _, a := range after {
		if err := a.call(); !errors.Is(err, tuner.ErrTrialFinished) {
			t.Errorf("%s on a finished trial: %v, want ErrTrialFinished", a.name, err)
		}
	}
	if err := st.SetTrialAttr(ctx, ft.ID, "note", "after the end"); err != nil {
		t.Errorf("SetTrialAttr on a finished trial: %v", err)
	}
	got := allTrials(t, st, id)[0]
	if got.State != tuner.Complete || got.Value != 1.5 || len(got.Params) != 0 || len(got.Intermediate) != 0 || got.Attrs["note"] != "after the end" {
		t.Errorf("finished trial changed: %+v", got)
	}
	// A queued trial is not Running either.
	if err := st.EnqueueTrial(ctx, id, nil, nil); err != nil {
		t.Fatal(err)
	}
	waiting := allTrials(t, st, id)[1]
	if err := st.FinishTrial(ctx, waiting.ID, tuner.Complete, 1, "", ""); !errors.Is(err, tuner.ErrTrialFinished) {
		t.Errorf("finishing a waiting trial: %v, want ErrTrialFinished", err)
	}
	// Concurrent finishes of one trial: one wins, with its own value.
	claimed, err := st.CreateTrial(ctx, id, nil, nil)
	if err != nil || claimed.ID != waiting.ID {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := 0; k < n; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = st.FinishTrial(ctx, claimed.ID, tuner.Complete, float64(k), "", "")
		}()
	}
	wg.Wait()
	winner := -1
	for k, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = k
		case err == nil:
			t.Errorf("finishes %d and %d both succeeded", winner, k)
		case !errors.Is(err, tuner.ErrTrialFinished):
			t.Errorf("finish %d: %v, want ErrTrialFinished", k, err)
		}
	}
	if got := allTrials(t, st, id)[1]; winner < 0 || got.State != tuner.Complete || got.Value != float64(winner) {
		t.Errorf("after concurrent finishes: %v %v, winner %d", got.State, got.Value, winner)
	}
}

// confUnknownIDs: a study or trial that does not exist is a storage error,
// never ErrTrialFinished.
func confUnknownIDs(t *testing.T, st tuner.Storage) {
	studyID(t, st, "known")
	const study, trial = 4242, 4242
	calls := []struct {
		name string
		call func() error
	}{
		{"CreateTrial", func() error { _, err := st.CreateTrial(ctx, study, nil, nil); return err }},
		{"Trials", func() error { _, err := st.Trials(ctx, study); return err }},
		{"EnqueueTrial", func() error { return st.EnqueueTrial(ctx, study, nil, nil) }},
		{"SetTrialParam", func() error { return st.SetTrialParam(ctx, trial, "x", 0, tuner.FloatDist{High: 1}) }},
		{"SetTrialIntermediate", func() error { return st.SetTrialIntermediate(ctx, trial, 0, 1) }},
		{"SetTrialAttr", func() error { return st.SetTrialAttr(ctx, trial, "k", "v") }},
		{"FinishTrial", func() error { return st.FinishTrial(ctx, trial, tuner.Complete, 1, "", "") }},
	}
	for _, c := range calls {
		if err := c.call(); !errors.Is(err, tuner.ErrStorage) || errors.Is(err, tuner.ErrTrialFinished) {
			t.Errorf("%s on an unknown id: %v, want ErrStorage", c.name, err)
		}
	}
}
