package tpe

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
)

// The reference values come from Optuna 5.0.0.dev itself, through
// testdata/optuna/gen_tpe5.py (see its docstring for the sections and the
// commands that run it). Its search spaces are sorted by name, the order
// Optuna iterates them in and sortedSpace's.

type golden5Params struct {
	PriorWeight       float64 `json:"prior_weight"`
	ConsiderMagicClip bool    `json:"consider_magic_clip"`
	ConsiderEndpoints bool    `json:"consider_endpoints"`
}

func (p golden5Params) options() Options {
	return Options{Version: Optuna5, PriorWeight: p.PriorWeight, NoMagicClip: !p.ConsiderMagicClip,
		ConsiderEndpoints: p.ConsiderEndpoints}.withDefaults()
}

type golden5File struct {
	GammaMulti []struct{ N, Gamma int } `json:"gamma_multi"`
	PPF        []struct{ Q, A, B, X []float64 }
	Parzen     []struct {
		Name          string
		Params        golden5Params
		Space         map[string]goldenDist
		Observations  map[string][]float64
		Predetermined []float64 `json:"predetermined_weights"`
		Expected      struct {
			Weights []float64
			Params  map[string]struct {
				Low, High, Step    float64
				Log                bool
				Mus, Sigmas        []float64
				CategoricalWeights [][]float64 `json:"categorical_weights"`
			}
		}
	}
	MixtureSample []struct {
		Name          string
		Params        golden5Params
		Space         map[string]goldenDist
		Observations  map[string][]float64
		Predetermined []float64 `json:"predetermined_weights"`
		Stream        []float64
		Samples       map[string][]float64
	} `json:"mixture_sample"`
	Acquisition []struct {
		Name         string
		Params       golden5Params
		Space        map[string]goldenDist
		Below, Above map[string][]float64
		BelowWeights []float64 `json:"below_weights"`
		Candidates   map[string][]float64
		LogL         []float64 `json:"log_l"`
		LogG         []float64 `json:"log_g"`
		Best         int
	}
	HSSP []struct {
		Points [][]float64
		Labels []int
		K      int
		Ref    []float64
		Chosen []int
	}
}

var (
	golden5Once sync.Once
	golden5Data golden5File
)

func loadGolden5(t *testing.T) *golden5File {
	t.Helper()
	golden5Once.Do(func() { golden.ReadTestdata(t, "optuna/tpe5.json", &golden5Data) })
	if len(golden5Data.Parzen) == 0 || len(golden5Data.HSSP) == 0 {
		t.Fatal("tpe5.json: no parzen or hssp cases")
	}
	return &golden5Data
}

// replay returns the uniforms of stream in order.
func replay(t *testing.T, stream []float64) func() float64 {
	next := 0
	return func() float64 {
		if next >= len(stream) {
			t.Fatal("stream exhausted")
		}
		next++
		return stream[next-1]
	}
}

func TestDefaultGammaMultiEqualsOptuna5(t *testing.T) {
	for _, c := range loadGolden5(t).GammaMulti {
		if got := DefaultGammaMulti(c.N); got != c.Gamma {
			t.Errorf("DefaultGammaMulti(%d) = %d, want %d", c.N, got, c.Gamma)
		}
	}
}

// Optuna 5's quantiles come from Newton's method on whole batches.
func TestPPFBatchEqualsOptuna5(t *testing.T) {
	worst := 0.0
	for i, c := range loadGolden5(t).PPF {
		got := truncNormPPFBatch(c.Q, c.A, c.B)
		worst = math.Max(worst, checkSlice(t, fmt.Sprintf("batch %d", i), got, c.X))
	}
	t.Logf("worst error %.3g", worst)
}

// The estimator's mixture equals Optuna 5's _ParzenEstimator's.
func TestParzen5EqualsOptuna5(t *testing.T) {
	worst := 0.0
	for _, c := range loadGolden5(t).Parzen {
		t.Run(c.Name, func(t *testing.T) {
			names, space := sortedSpace(c.Space)
			pe, err := newParzen5(space, columns(names, c.Observations), c.Predetermined, c.Params.options())
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
				if k.log != want.Log {
					t.Errorf("%s: log %v, want %v", name, k.log, want.Log)
				}
				worst = math.Max(worst, check(t, name+" low", k.low, want.Low))
				worst = math.Max(worst, check(t, name+" high", k.high, want.High))
				worst = math.Max(worst, check(t, name+" step", k.q, want.Step))
				worst = math.Max(worst, checkSlice(t, name+" mus", k.mus, want.Mus))
				worst = math.Max(worst, checkSlice(t, name+" sigmas", k.sigmas, want.Sigmas))
			}
		})
	}
	t.Logf("worst error %.3g", worst)
}

// Fed the uniforms numpy's RandomState gave Optuna 5, the estimator draws
// Optuna 5's points.
func TestMixtureSample5EqualsOptuna5(t *testing.T) {
	worst := 0.0
	for _, c := range loadGolden5(t).MixtureSample {
		t.Run(c.Name, func(t *testing.T) {
			names, space := sortedSpace(c.Space)
			pe, err := newParzen5(space, columns(names, c.Observations), c.Predetermined, c.Params.options())
			if err != nil {
				t.Fatal(err)
			}
			got := pe.sample5(replay(t, c.Stream), len(c.Samples[names[0]]))
			for p, name := range names {
				worst = math.Max(worst, checkSlice(t, name, got[p], c.Samples[name]))
			}
		})
	}
	t.Logf("worst error %.3g", worst)
}

// Given below/above observations and fixed candidates, log l and log g
// equal Optuna 5's log_pdf.
func TestAcquisition5EqualsOptuna5(t *testing.T) {
	worst := 0.0
	for _, c := range loadGolden5(t).Acquisition {
		t.Run(c.Name, func(t *testing.T) {
			names, space := sortedSpace(c.Space)
			o := c.Params.options()
			l, err := newParzen5(space, columns(names, c.Below), c.BelowWeights, o)
			if err != nil {
				t.Fatal(err)
			}
			g, err := newParzen5(space, columns(names, c.Above), nil, o)
			if err != nil {
				t.Fatal(err)
			}
			cand := columns(names, c.Candidates)
			ll, lg := l.logPDF5(cand), g.logPDF5(cand)
			worst = math.Max(worst, checkSlice(t, "log l", ll, c.LogL))
			worst = math.Max(worst, checkSlice(t, "log g", lg, c.LogG))
			checkChoice(t, argmax(ll, lg), c.LogL, c.LogG, c.Best)
		})
	}
	t.Logf("worst error %.3g", worst)
}

// Greedy hypervolume subset selection chooses Optuna 5's points, in 2, 3
// and 4 objectives and with duplicated points.
func TestHSSPEqualsOptuna5(t *testing.T) {
	for i, c := range loadGolden5(t).HSSP {
		ref := referencePoint(c.Points)
		checkSlice(t, fmt.Sprintf("case %d reference point", i), ref, c.Ref)
		got := hssp(c.Points, c.Labels, c.K, ref)
		slices.Sort(got)
		if !slices.Equal(got, c.Chosen) {
			t.Errorf("case %d (%d points of %d objectives, choose %d): chose %v, want %v", i, len(c.Points), len(c.Ref), c.K, got, c.Chosen)
		}
	}
}
