package cmaes

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
)

// The reference values come from the cmaes library 0.9.1 and Optuna 3.1,
// through testdata/optuna/gen_cmaes.py (see its docstring for the sections).

type goldenState struct {
	Generation int
	Mean       []float64
	Sigma      float64
	C          [][]float64
	PSigma     []float64 `json:"p_sigma"`
	PC         []float64 `json:"p_c"`
}

type goldenRun struct {
	Name        string
	N           int
	Mean        []float64
	Sigma       float64
	Bounds      [][2]float64
	Popsize     int
	Generations []struct {
		X      [][]float64
		Values []golden.Num
		After  goldenState
		Stop   bool
	}
	Final goldenState
}

type goldenFile struct {
	Generator map[string]string
	Constants []struct {
		N, Popsize, Mu int
		PopsizeArg     int     `json:"popsize_arg"`
		MuEff          float64 `json:"mu_eff"`
		CC, C1, Cmu    float64
		CSigma         float64 `json:"c_sigma"`
		DSigma         float64 `json:"d_sigma"`
		ChiN           float64 `json:"chi_n"`
		Weights        []float64
		FunhistTerm    int `json:"funhist_term"`
	}
	Tell    []goldenRun
	Stop    []goldenRun
	Sampler []goldenStudy
}

type goldenStudy struct {
	Name                 string
	Space                string
	Direction            string
	TrialsN              int `json:"trials_n"`
	Failing, Pruned      []int
	NStartupTrials       int  `json:"n_startup_trials"`
	ConsiderPrunedTrials bool `json:"consider_pruned_trials"`
	Popsize              int
	Trials               []struct {
		Number     int
		State      string
		Generation *int
		NRestarts  *int `json:"n_restarts"`
	}
}

func loadGolden(t *testing.T) goldenFile {
	t.Helper()
	b, err := os.ReadFile("../../testdata/optuna/cmaes.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Constants) < 5 || len(g.Tell) < 4 || len(g.Stop) < 3 || len(g.Sampler) < 4 {
		t.Fatalf("golden file has %d constants, %d tell runs, %d stop runs, %d studies",
			len(g.Constants), len(g.Tell), len(g.Stop), len(g.Sampler))
	}
	return g
}

// near reports whether got is within tol of want, relative to scale (the
// magnitude of the quantity it belongs to: an element of C near zero is
// compared at the scale of C).
func near(got, want, scale, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(scale, math.Abs(want))
}

func maxAbs(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func TestConstantsMatchCmaes(t *testing.T) {
	for _, c := range loadGolden(t).Constants {
		k, err := newConstants(c.N, c.PopsizeArg)
		if err != nil {
			t.Fatalf("n=%d popsize=%d: %v", c.N, c.PopsizeArg, err)
		}
		if k.popsize != c.Popsize || k.mu != c.Mu || k.funhistTerm != c.FunhistTerm {
			t.Errorf("n=%d: popsize %d mu %d funhist %d, cmaes %d %d %d", c.N, k.popsize, k.mu, k.funhistTerm, c.Popsize, c.Mu, c.FunhistTerm)
		}
		// 1e-14: the sums run in another order than numpy's pairwise ones.
		for _, q := range []struct {
			name      string
			got, want float64
		}{
			{"mu_eff", k.muEff, c.MuEff}, {"cc", k.cc, c.CC}, {"c1", k.c1, c.C1}, {"cmu", k.cmu, c.Cmu},
			{"c_sigma", k.cSigma, c.CSigma}, {"d_sigma", k.dSigma, c.DSigma}, {"chi_n", k.chiN, c.ChiN},
		} {
			if !near(q.got, q.want, 0, 1e-14) {
				t.Errorf("n=%d popsize=%d: %s = %v, cmaes %v", c.N, c.Popsize, q.name, q.got, q.want)
			}
		}
		for i, w := range c.Weights {
			if !near(k.weights[i], w, 0, 1e-14) {
				t.Errorf("n=%d popsize=%d: weight %d = %v, cmaes %v", c.N, c.Popsize, i, k.weights[i], w)
			}
		}
	}
}

// newGoldenCMA builds the optimizer a golden run starts from.
func newGoldenCMA(t *testing.T, r goldenRun) *cma {
	t.Helper()
	var lo, hi []float64
	for _, b := range r.Bounds {
		lo, hi = append(lo, b[0]), append(hi, b[1])
	}
	opt, err := newCMA(r.Mean, r.Sigma, lo, hi, r.Popsize, 10*r.N)
	if err != nil {
		t.Fatalf("%s: %v", r.Name, err)
	}
	return opt
}

func solutionsOf(xs [][]float64, values []golden.Num) []solution {
	sols := make([]solution, len(xs))
	for i := range xs {
		sols[i] = solution{x: xs[i], value: float64(values[i])}
	}
	return sols
}

// compareState checks the optimizer against cmaes' state after the same
// generations, each quantity to tol relative to its largest element.
func compareState(t *testing.T, what string, opt *cma, want goldenState, tol float64) {
	t.Helper()
	if opt.gen != want.Generation {
		t.Errorf("%s: generation %d, cmaes %d", what, opt.gen, want.Generation)
	}
	if !near(opt.sigma, want.Sigma, 0, tol) {
		t.Errorf("%s: sigma %v, cmaes %v", what, opt.sigma, want.Sigma)
	}
	vectors := []struct {
		name      string
		got, want []float64
	}{{"mean", opt.mean, want.Mean}, {"p_sigma", opt.pSigma, want.PSigma}, {"p_c", opt.pc, want.PC}}
	var flatC []float64
	for _, row := range want.C {
		flatC = append(flatC, row...)
	}
	vectors = append(vectors, struct {
		name      string
		got, want []float64
	}{"C", opt.cov, flatC})
	for _, v := range vectors {
		scale := maxAbs(v.want)
		for i := range v.want {
			if !near(v.got[i], v.want[i], scale, tol) {
				t.Errorf("%s: %s[%d] = %v, cmaes %v (scale %g)", what, v.name, i, v.got[i], v.want[i], scale)
			}
		}
	}
}

// TestTellMatchesCmaes tells each generation's solutions of cmaes' runs
// and compares the state after each with cmaes': equal after the first
// generation, then to 1e-12 of each quantity's scale (measured: 3e-15).
// Exact equality is not expected: from the second generation on, C is
// decomposed by gonum rather than LAPACK, whose eigenvectors differ in the
// last bits, and numpy sums in another order.
func TestTellMatchesCmaes(t *testing.T) {
	for _, r := range loadGolden(t).Tell {
		opt := newGoldenCMA(t, r)
		for g, gen := range r.Generations {
			if err := opt.tell(solutionsOf(gen.X, gen.Values)); err != nil {
				t.Fatalf("%s, generation %d: %v", r.Name, g+1, err)
			}
			tol := 1e-12
			if g == 0 {
				tol = 0 // C = I: both decompositions are exact
			}
			compareState(t, fmt.Sprintf("%s, generation %d", r.Name, g+1), opt, gen.After, tol)
		}
	}
}

// TestShouldStopMatchesCmaes replays cmaes' long runs (told until
// should_stop, IPOP's restart test, was true): should_stop must agree after
// every generation, and the final state stay close (1e-11 after ~100
// generations of last-bit differences; measured: 1e-13).
func TestShouldStopMatchesCmaes(t *testing.T) {
	for _, r := range loadGolden(t).Stop {
		opt := newGoldenCMA(t, r)
		for g, gen := range r.Generations {
			if err := opt.tell(solutionsOf(gen.X, gen.Values)); err != nil {
				t.Fatalf("%s, generation %d: %v", r.Name, g+1, err)
			}
			stop, err := opt.shouldStop()
			if err != nil {
				t.Fatal(err)
			}
			if stop != gen.Stop {
				t.Fatalf("%s, generation %d: should_stop %v, cmaes %v", r.Name, g+1, stop, gen.Stop)
			}
		}
		if !r.Generations[len(r.Generations)-1].Stop {
			t.Fatalf("%s: cmaes never stopped: the run tests nothing", r.Name)
		}
		compareState(t, r.Name+", final", opt, r.Final, 1e-11)
	}
}

// TestAskStaysInBounds draws from a distribution mostly outside its
// bounds: every point must lie inside (resampled, then clipped), and those
// of an unbounded optimizer must follow N(mean, σ²C).
func TestAskStaysInBounds(t *testing.T) {
	opt, err := newCMA([]float64{0.9, 0.9}, 2, []float64{0, 0}, []float64{1, 1}, 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		x, err := opt.ask(r)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range x {
			if v < 0 || v > 1 {
				t.Fatalf("coordinate %d = %v outside [0, 1]", i, v)
			}
		}
	}
	free, err := newCMA([]float64{3, -1}, 0.5, nil, nil, 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	const draws = 20000
	var sum, sum2 [2]float64
	for range draws {
		x, err := free.ask(r)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range x {
			sum[i] += v
			sum2[i] += v * v
		}
	}
	for i, want := range []float64{3, -1} {
		mean := sum[i] / draws
		sd := math.Sqrt(sum2[i]/draws - mean*mean)
		// 5 standard errors of the mean, 2% on the deviation
		if math.Abs(mean-want) > 5*0.5/math.Sqrt(draws) || math.Abs(sd-0.5) > 0.01 {
			t.Errorf("coordinate %d: mean %v sd %v, want %v and 0.5", i, mean, sd, want)
		}
	}
}

func TestOptimizerInput(t *testing.T) {
	for _, c := range []struct {
		name    string
		n, pop  int
		sigma   float64
		mean    []float64
		lo, hi  []float64
		wantErr bool
	}{
		{"one dimension", 1, 0, 1, []float64{0}, nil, nil, true},
		{"population 3", 2, 3, 1, []float64{0, 0}, nil, nil, true},
		{"zero sigma", 2, 0, 0, []float64{0, 0}, nil, nil, true},
		{"NaN sigma", 2, 0, math.NaN(), []float64{0, 0}, nil, nil, true},
		{"mean outside bounds", 2, 0, 1, []float64{0, 2}, []float64{-1, -1}, []float64{1, 1}, true},
		{"NaN mean", 2, 0, 1, []float64{0, math.NaN()}, nil, nil, true},
		{"bounds of another length", 2, 0, 1, []float64{0, 0}, []float64{-1}, []float64{1}, true},
		{"fine", 2, 4, 1, []float64{0, 0}, []float64{-1, -1}, []float64{1, 1}, false},
	} {
		_, err := newCMA(c.mean, c.sigma, c.lo, c.hi, c.pop, 10)
		if c.wantErr != errors.Is(err, ErrCMA) || !c.wantErr && err != nil {
			t.Errorf("%s: err %v, want an error: %v", c.name, err, c.wantErr)
		}
	}
	opt, err := newCMA([]float64{0, 0}, 1, nil, nil, 4, 10)
	if err != nil {
		t.Fatal(err)
	}
	good := []solution{{[]float64{0, 1}, 1}, {[]float64{1, 0}, 2}, {[]float64{1, 1}, 3}, {[]float64{0, 0}, 0}}
	for _, c := range []struct {
		name string
		sols []solution
	}{
		{"too few", good[:3]},
		{"a coordinate of 1e33", append(good[:3:3], solution{[]float64{1e33, 0}, 1})},
		{"a point of 3 coordinates", append(good[:3:3], solution{[]float64{0, 0, 0}, 1})},
	} {
		if err := opt.tell(c.sols); !errors.Is(err, ErrCMA) {
			t.Errorf("tell %s: err %v, want ErrCMA", c.name, err)
		}
	}
	if opt.gen != 0 {
		t.Errorf("refused tells advanced the generation to %d", opt.gen)
	}
}
