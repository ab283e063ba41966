package tuner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/tuner/tpe"
)

// The reference values come from Optuna 3.1 itself, through
// testdata/optuna/gen_tpe.py (see its docstring for the sections). The
// estimator's own sections (gamma, weights, argsort, truncnorm, parzen,
// acquisition) are tested in package tuner/tpe; here, whole draws.

type tpeGoldenDist struct {
	Type      string
	Low, High float64
	Log       bool
	Step      float64
	Choices   []any
}

func (g tpeGoldenDist) dist() Distribution {
	switch g.Type {
	case "float":
		return FloatDist{Low: g.Low, High: g.High, Log: g.Log, Step: g.Step}
	case "int":
		step := int(g.Step)
		if step == 1 {
			step = 0 // our IntDist's zero value means 1
		}
		return IntDist{Low: int(g.Low), High: int(g.High), Log: g.Log, Step: step}
	}
	return CategoricalDist{Choices: g.Choices}
}

type tpeGoldenDensity struct {
	LogL []float64 `json:"log_l"`
	LogG []float64 `json:"log_g"`
	Best int
	// Chosen is the internal value of each parameter Optuna returned.
	Chosen map[string]float64
}

type tpeGoldenTrial struct {
	Number        int
	State         string
	Value         *float64
	Params        map[string]float64
	Distributions map[string]tpeGoldenDist
	Intermediate  []struct {
		Step  int
		Value *float64 // null: NaN
	}
}

type tpeGoldenFile struct {
	Generator map[string]string
	Studies   []struct {
		Name, Direction string
		Trials          []tpeGoldenTrial
	}
	Sample []struct {
		Name    string
		Study   string
		Sampler struct {
			Multivariate      bool
			ConsiderEndpoints bool    `json:"consider_endpoints"`
			PriorWeight       float64 `json:"prior_weight"`
			NEICandidates     int     `json:"n_ei_candidates"`
			ConsiderMagicClip *bool   `json:"consider_magic_clip"`
			ConsiderPrior     *bool   `json:"consider_prior"`
			ConstantLiar      bool    `json:"constant_liar"`
		} // keys left out are Optuna's defaults
		Param        string
		Space        map[string]tpeGoldenDist
		Stream       []float64
		BelowNumbers []int `json:"below_numbers"`
		AboveNumbers []int `json:"above_numbers"`
		Candidates   map[string][]float64
		Legacy       tpeGoldenDensity
		Corrected    tpeGoldenDensity
	}
}

var (
	tpeGoldenOnce sync.Once
	tpeGoldenData tpeGoldenFile
)

func loadTPEGolden(t *testing.T) *tpeGoldenFile {
	t.Helper()
	tpeGoldenOnce.Do(func() { golden.ReadTestdata(t, "optuna/tpe_parzen.json", &tpeGoldenData) })
	if len(tpeGoldenData.Sample) == 0 {
		t.Fatal("tpe_parzen.json: no sample cases")
	}
	return &tpeGoldenData
}

// tpeRelTol is the house tolerance in float64; values below 1 in magnitude
// are compared absolutely at the same level (log-densities cross zero).
const tpeRelTol = 1e-9

// tpeCheck fails t if got and want differ by more than tpeRelTol·max(1,|want|),
// and returns the error relative to max(1, |want|).
func tpeCheck(t *testing.T, what string, got, want float64) float64 {
	t.Helper()
	if got == want {
		return 0
	}
	e := math.Abs(got-want) / math.Max(1, math.Abs(want))
	if !(e <= tpeRelTol) {
		t.Errorf("%s = %.17g, want %.17g (error %.3g)", what, got, want, e)
	}
	return e
}

func tpeCheckSlice(t *testing.T, what string, got, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return math.Inf(1)
	}
	worst := 0.0
	for i := range want {
		worst = math.Max(worst, tpeCheck(t, fmt.Sprintf("%s[%d]", what, i), got[i], want[i]))
	}
	return worst
}

// tpeSortedSpace orders a golden search space by name, as TPESampler does.
func tpeSortedSpace(m map[string]tpeGoldenDist) []tpeParam {
	var out []tpeParam
	for k, d := range m {
		out = append(out, tpeParam{name: k, d: d.dist()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func tpeColumns(space []tpeParam, m map[string][]float64) [][]float64 {
	out := make([][]float64, len(space))
	for p, sp := range space {
		out[p] = append([]float64{}, m[sp.name]...)
	}
	return out
}

// tpeCheckChoice accepts index got if its reference ratio is the best one
// to within the tolerance (ties among equal candidates are common).
func tpeCheckChoice(t *testing.T, got int, ll, lg []float64, want int) {
	t.Helper()
	if got == want {
		return
	}
	r, best := ll[got]-lg[got], ll[want]-lg[want]
	if best-r > tpeRelTol*math.Max(1, math.Abs(best)) {
		t.Errorf("chose candidate %d (ratio %.17g), want %d (ratio %.17g)", got, r, want, best)
	}
}

// tpeRefBest returns the index of the reference's best ratio ll − lg.
func tpeRefBest(ll, lg []float64) int {
	best := 0
	for i := range ll {
		if ll[i]-lg[i] > ll[best]-lg[best] {
			best = i
		}
	}
	return best
}

// tpeReplay is a rand.Source that replays numpy's random_sample stream:
// numpy's doubles are k/2⁵³, and rand.Rand.Float64 returns Uint64()/2⁵³
// for Uint64() < 2⁵³, so Float64 gives them back exactly.
type tpeReplay struct {
	stream []float64
	next   int
}

func (r *tpeReplay) Uint64() uint64 {
	if r.next >= len(r.stream) {
		panic("tpeReplay: stream exhausted")
	}
	u := r.stream[r.next]
	r.next++
	return uint64(u * (1 << 53))
}

func tpeGoldenTrials(t *testing.T, in []tpeGoldenTrial) []FrozenTrial {
	t.Helper()
	states := map[string]TrialState{"complete": Complete, "pruned": Pruned, "fail": Failed, "running": Running}
	out := make([]FrozenTrial, len(in))
	for i, g := range in {
		st, ok := states[g.State]
		if !ok {
			t.Fatalf("trial %d: state %q", g.Number, g.State)
		}
		ft := newFrozen(int64(i+1), g.Number, st)
		for k, x := range g.Params {
			d := g.Distributions[k].dist()
			ft.Internal[k], ft.Distributions[k], ft.Params[k] = x, d, d.FromInternal(x)
		}
		for _, iv := range g.Intermediate {
			v := math.NaN()
			if iv.Value != nil {
				v = *iv.Value
			}
			ft.Intermediate[iv.Step] = v
		}
		switch {
		case g.Value != nil:
			ft.Value = *g.Value
		case st == Pruned:
			if _, v, ok := ft.LastStep(); ok {
				ft.Value = v // as Study stores a pruned trial
			}
		}
		out[i] = *ft
	}
	return out
}

// End to end: on a study of fixed trials (complete, pruned with and without
// reports, failed, running, conditional parameters), fed numpy's uniform
// stream, Sample and SampleRelative return exactly what Optuna 3.1's
// sample_independent and sample_relative return, through the same split,
// the same candidates and the same log-likelihoods; with NormalizedDensity
// they return the best candidate by the normalized density.
func TestTPESampleEqualsOptuna(t *testing.T) {
	g := loadTPEGolden(t)
	studies := map[string][]FrozenTrial{}
	dirs := map[string]Direction{}
	for _, s := range g.Studies {
		studies[s.Name] = tpeGoldenTrials(t, s.Trials)
		dirs[s.Name] = Minimize
		if s.Direction == "maximize" {
			dirs[s.Name] = Maximize
		}
	}
	worst := 0.0
	for _, c := range g.Sample {
		for _, normalized := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/normalized=%v", c.Name, normalized), func(t *testing.T) {
				trials, dir := studies[c.Study], dirs[c.Study]
				g := c.Sampler
				s := TPESampler{EICandidates: g.NEICandidates, PriorWeight: g.PriorWeight, ConsiderEndpoints: g.ConsiderEndpoints,
					Multivariate: g.Multivariate, ConstantLiar: g.ConstantLiar, NormalizedDensity: normalized,
					NoMagicClip: g.ConsiderMagicClip != nil && !*g.ConsiderMagicClip, NoPrior: g.ConsiderPrior != nil && !*g.ConsiderPrior}
				_, o, err := s.settings()
				if err != nil {
					t.Fatal(err)
				}
				space := tpeSortedSpace(c.Space)
				dists := make([]tpe.Dist, len(space))
				for p, sp := range space {
					if dists[p], err = tpeDist(sp.name, sp.d); err != nil {
						t.Fatal(err)
					}
				}
				if c.Param == "" {
					var names, want []string
					for _, p := range tpeIntersection(trials) {
						names = append(names, p.name)
					}
					for _, p := range space {
						want = append(want, p.name)
					}
					if fmt.Sprint(names) != fmt.Sprint(want) {
						t.Fatalf("intersection search space %v, want %v", names, want)
					}
				}
				obs, err := tpeCollect(trials, dir, space, s.ConstantLiar, o)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(obs.BelowNumbers, obs.AboveNumbers) != fmt.Sprint(c.BelowNumbers, c.AboveNumbers) {
					t.Fatalf("split below %v above %v,\nwant below %v above %v", obs.BelowNumbers, obs.AboveNumbers, c.BelowNumbers, c.AboveNumbers)
				}
				replay := &tpeReplay{stream: c.Stream}
				a, err := tpe.Acquire(dists, obs, o, rand.New(replay).Float64)
				if err != nil {
					t.Fatal(err)
				}
				want := tpeColumns(space, c.Candidates)
				for p, sp := range space {
					worst = math.Max(worst, tpeCheckSlice(t, sp.name+" candidates", a.Candidates[p], want[p]))
				}
				ref := c.Legacy
				if normalized {
					ref = c.Corrected
				}
				worst = math.Max(worst, tpeCheckSlice(t, "log l", a.LogL, ref.LogL))
				worst = math.Max(worst, tpeCheckSlice(t, "log g", a.LogG, ref.LogG))
				tpeCheckChoice(t, a.Best, ref.LogL, ref.LogG, tpeRefBest(ref.LogL, ref.LogG))

				// The public API, fed the same stream, returns that candidate.
				cur := newFrozen(int64(len(trials)+1), len(trials), Running)
				ctx := &SampleContext{Trials: trials, Trial: cur, Direction: dir, Rand: rand.New(&tpeReplay{stream: c.Stream})}
				got := map[string]float64{}
				if c.Param == "" {
					got, err = s.SampleRelative(ctx)
				} else {
					var x float64
					x, err = s.Sample(ctx, c.Param, space[0].d)
					got[c.Param] = x
				}
				if err != nil {
					t.Fatal(err)
				}
				for p, sp := range space {
					if got[sp.name] != a.Candidates[p][a.Best] {
						t.Errorf("%s = %v, want candidate %d's %v", sp.name, got[sp.name], a.Best, a.Candidates[p][a.Best])
					}
					if !normalized {
						worst = math.Max(worst, tpeCheck(t, sp.name+" vs Optuna's choice", got[sp.name], c.Legacy.Chosen[sp.name]))
					}
				}
			})
		}
	}
	t.Logf("worst error %.3g", worst)
}
