package tpe

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
)

// The reference values come from Optuna 3.1 itself, through
// testdata/optuna/gen_tpe.py (see its docstring for the sections).

type goldenDist struct {
	Type      string
	Low, High float64
	Log       bool
	Step      float64
	Choices   []any
}

func (g goldenDist) dist() Dist {
	switch g.Type {
	case "float":
		return Dist{Low: g.Low, High: g.High, Log: g.Log, Step: g.Step}
	case "int":
		return Dist{Low: g.Low, High: g.High, Log: g.Log, Step: g.Step, Int: true}
	}
	return Dist{Choices: len(g.Choices)}
}

type goldenParams struct {
	ConsiderPrior     bool    `json:"consider_prior"`
	PriorWeight       float64 `json:"prior_weight"`
	ConsiderMagicClip bool    `json:"consider_magic_clip"`
	ConsiderEndpoints bool    `json:"consider_endpoints"`
	Multivariate      bool
}

func (p goldenParams) options(normalized bool) Options {
	return Options{NoPrior: !p.ConsiderPrior, PriorWeight: p.PriorWeight, NoMagicClip: !p.ConsiderMagicClip,
		ConsiderEndpoints: p.ConsiderEndpoints, Multivariate: p.Multivariate, NormalizedDensity: normalized}.withDefaults()
}

type goldenDensity struct {
	LogL []float64 `json:"log_l"`
	LogG []float64 `json:"log_g"`
	Best int
	// Chosen is the internal value of each parameter Optuna returned.
	Chosen map[string]float64
}

type goldenFile struct {
	Generator map[string]string
	Gamma     []struct{ N, Default, Hyperopt int }
	Weights   []struct {
		N int
		W []float64
	}
	Argsort []struct {
		Values  []float64
		Argsort []int
	}
	Truncnorm struct {
		X       []float64
		Erf     []float64
		LogNdtr []float64 `json:"log_ndtr"`
		Mass    []struct {
			A, B    float64
			LogMass float64 `json:"log_mass"`
		}
		PPF    []struct{ Q, A, B, X float64 }
		LogPDF []struct{ X, A, B, Loc, Scale, Optuna31, Scipy float64 } `json:"logpdf"`
	}
	Parzen []struct {
		Name         string
		Params       goldenParams
		Space        map[string]goldenDist
		Observations map[string][]float64
		Expected     struct {
			Weights []float64
			Params  map[string]struct {
				Low, High, Q       float64
				Mus, Sigmas        []float64
				CategoricalWeights [][]float64 `json:"categorical_weights"`
			}
		}
	}
	Acquisition []struct {
		Name              string
		Params            goldenParams
		Space             map[string]goldenDist
		Below, Above      map[string][]float64
		Candidates        map[string][]float64
		Legacy, Corrected goldenDensity
	}
}

var (
	goldenOnce sync.Once
	goldenData goldenFile
)

func loadGolden(t *testing.T) *goldenFile {
	t.Helper()
	goldenOnce.Do(func() { golden.ReadTestdata(t, "optuna/tpe_parzen.json", &goldenData) })
	if len(goldenData.Parzen) == 0 {
		t.Fatal("tpe_parzen.json: no parzen cases")
	}
	return &goldenData
}

// relTol is the house tolerance in float64; values below 1 in magnitude
// are compared absolutely at the same level (log-densities cross zero).
const relTol = 1e-9

// check fails t if got and want differ by more than relTol·max(1,|want|),
// and returns the error relative to max(1, |want|).
func check(t *testing.T, what string, got, want float64) float64 {
	t.Helper()
	if got == want {
		return 0
	}
	e := math.Abs(got-want) / math.Max(1, math.Abs(want))
	if !(e <= relTol) {
		t.Errorf("%s = %.17g, want %.17g (error %.3g)", what, got, want, e)
	}
	return e
}

func checkSlice(t *testing.T, what string, got, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return math.Inf(1)
	}
	worst := 0.0
	for i := range want {
		worst = math.Max(worst, check(t, fmt.Sprintf("%s[%d]", what, i), got[i], want[i]))
	}
	return worst
}

// sortedSpace orders a golden search space by name, as TPESampler does.
func sortedSpace(m map[string]goldenDist) (names []string, space []Dist) {
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		space = append(space, m[k].dist())
	}
	return names, space
}

func columns(names []string, m map[string][]float64) [][]float64 {
	out := make([][]float64, len(names))
	for p, name := range names {
		out[p] = append([]float64{}, m[name]...)
	}
	return out
}

func TestGammaAndWeightsEqualOptuna(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Gamma {
		if got := DefaultGamma(c.N); got != c.Default {
			t.Errorf("DefaultGamma(%d) = %d, want %d", c.N, got, c.Default)
		}
		if got := HyperoptGamma(c.N); got != c.Hyperopt {
			t.Errorf("HyperoptGamma(%d) = %d, want %d", c.N, got, c.Hyperopt)
		}
	}
	for _, c := range g.Weights {
		checkSlice(t, fmt.Sprintf("DefaultWeights(%d)", c.N), DefaultWeights(c.N), c.W)
	}
}

func TestArgsortEqualsNumpy(t *testing.T) {
	for _, c := range loadGolden(t).Argsort {
		got := argsort(c.Values)
		for i := range c.Argsort {
			if got[i] != c.Argsort[i] {
				t.Errorf("argsort of %d values: %v\nwant %v", len(c.Values), got, c.Argsort)
				break
			}
		}
	}
}

func TestTruncnormEqualsOptuna(t *testing.T) {
	tn := loadGolden(t).Truncnorm
	worst := 0.0
	for i, x := range tn.X {
		worst = math.Max(worst, check(t, fmt.Sprintf("erf(%g)", x), erf(x), tn.Erf[i]))
		worst = math.Max(worst, check(t, fmt.Sprintf("logNdtr(%g)", x), logNdtr(x), tn.LogNdtr[i]))
	}
	for _, c := range tn.Mass {
		worst = math.Max(worst, check(t, fmt.Sprintf("logGaussMass(%g, %g)", c.A, c.B), logGaussMass(c.A, c.B), c.LogMass))
	}
	for _, c := range tn.PPF {
		worst = math.Max(worst, check(t, fmt.Sprintf("ppf(%g; %g, %g)", c.Q, c.A, c.B), truncNormPPF(c.Q, c.A, c.B), c.X))
	}
	for _, c := range tn.LogPDF {
		m := logGaussMass(c.A, c.B)
		what := fmt.Sprintf("logpdf(%g; %g, %g, %g, %g)", c.X, c.A, c.B, c.Loc, c.Scale)
		worst = math.Max(worst, check(t, what+" vs Optuna 3.1", truncNormLogPDF(c.X, c.A, c.B, c.Loc, c.Scale, m, math.Log(c.Scale), false), c.Optuna31))
		worst = math.Max(worst, check(t, what+" normalized vs scipy", truncNormLogPDF(c.X, c.A, c.B, c.Loc, c.Scale, m, math.Log(c.Scale), true), c.Scipy))
	}
	t.Logf("worst error %.3g", worst)
}

// The estimator's parameters equal Optuna's _ParzenEstimator's.
func TestParzenEqualsOptuna(t *testing.T) {
	worst := 0.0
	for _, c := range loadGolden(t).Parzen {
		t.Run(c.Name, func(t *testing.T) {
			names, space := sortedSpace(c.Space)
			pe, err := newParzen(space, columns(names, c.Observations), c.Params.options(false))
			if err != nil {
				t.Fatal(err)
			}
			worst = math.Max(worst, checkSlice(t, "weights", pe.weights, c.Expected.Weights))
			for p, name := range names {
				k, want := pe.kernels[p], c.Expected.Params[name]
				if k.categorical {
					if len(k.catWeights) != len(want.CategoricalWeights) {
						t.Fatalf("%s: %d categorical rows, want %d", name, len(k.catWeights), len(want.CategoricalWeights))
					}
					for j := range want.CategoricalWeights {
						worst = math.Max(worst, checkSlice(t, fmt.Sprintf("%s weights[%d]", name, j), k.catWeights[j], want.CategoricalWeights[j]))
					}
					continue
				}
				worst = math.Max(worst, check(t, name+" low", k.low, want.Low))
				worst = math.Max(worst, check(t, name+" high", k.high, want.High))
				worst = math.Max(worst, check(t, name+" q", k.q, want.Q))
				worst = math.Max(worst, checkSlice(t, name+" mus", k.mus, want.Mus))
				worst = math.Max(worst, checkSlice(t, name+" sigmas", k.sigmas, want.Sigmas))
			}
		})
	}
	t.Logf("worst error %.3g", worst)
}

// Given below/above observations and fixed candidates, log l and log g
// equal Optuna 3.1's log_pdf by default, and the normalized mixture density
// (computed with scipy) with NormalizedDensity; the chosen candidate is the
// best by the reference's ratio.
func TestAcquisitionEqualsOptuna(t *testing.T) {
	worst := 0.0
	for _, c := range loadGolden(t).Acquisition {
		for _, normalized := range []bool{false, true} {
			ref := c.Legacy
			if normalized {
				ref = c.Corrected
			}
			t.Run(fmt.Sprintf("%s/normalized=%v", c.Name, normalized), func(t *testing.T) {
				names, space := sortedSpace(c.Space)
				o := c.Params.options(normalized)
				l, err := newParzen(space, columns(names, c.Below), o)
				if err != nil {
					t.Fatal(err)
				}
				g, err := newParzen(space, columns(names, c.Above), o)
				if err != nil {
					t.Fatal(err)
				}
				cand := columns(names, c.Candidates)
				ll, lg := l.logPDF(cand), g.logPDF(cand)
				worst = math.Max(worst, checkSlice(t, "log l", ll, ref.LogL))
				worst = math.Max(worst, checkSlice(t, "log g", lg, ref.LogG))
				checkChoice(t, argmax(ll, lg), ref.LogL, ref.LogG, ref.Best)
			})
		}
	}
	t.Logf("worst error %.3g", worst)
}

// checkChoice accepts index got if its reference ratio is the best one
// to within the tolerance (ties among equal candidates are common).
func checkChoice(t *testing.T, got int, ll, lg []float64, want int) {
	t.Helper()
	if got == want {
		return
	}
	r, best := ll[got]-lg[got], ll[want]-lg[want]
	if best-r > relTol*math.Max(1, math.Abs(best)) {
		t.Errorf("chose candidate %d (ratio %.17g), want %d (ratio %.17g)", got, r, want, best)
	}
}
