package tuner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gradtune/gradtune/internal/golden"
	"github.com/gradtune/gradtune/tuner/tpe"
)

// The reference values come from Optuna 5.0.0.dev itself, through
// testdata/optuna/gen_tpe5.py (see its docstring for the sections and the
// commands that run it). The estimator's own sections are tested in
// package tuner/tpe; here, whole draws of TPESampler{Version: TPEOptuna5}.

type tpe5GoldenTrial struct {
	tpeGoldenTrial
	Values      []float64
	Constraints []float64
}

type tpe5GoldenFile struct {
	Studies []struct {
		Name       string
		Directions []string
		Trials     []tpe5GoldenTrial
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
			ConstantLiar      *bool   `json:"constant_liar"`
		} // keys left out are Optuna 5's defaults
		Param        string
		Space        map[string]tpeGoldenDist
		Stream       []float64
		BelowNumbers []int `json:"below_numbers"`
		AboveNumbers []int `json:"above_numbers"`
		Candidates   map[string][]float64
		LogL         []float64 `json:"log_l"`
		LogG         []float64 `json:"log_g"`
		// Chosen is the internal value of each parameter Optuna returned.
		Chosen map[string]float64
	}
}

var (
	tpe5GoldenOnce sync.Once
	tpe5GoldenData tpe5GoldenFile
)

func loadTPE5Golden(t *testing.T) *tpe5GoldenFile {
	t.Helper()
	tpe5GoldenOnce.Do(func() { golden.ReadTestdata(t, "optuna/tpe5.json", &tpe5GoldenData) })
	if len(tpe5GoldenData.Sample) == 0 {
		t.Fatal("tpe5.json: no sample cases")
	}
	return &tpe5GoldenData
}

// tpe5GoldenStudies returns each golden study's trials (with their values
// and constraints) and directions.
func tpe5GoldenStudies(t *testing.T, g *tpe5GoldenFile) (map[string][]FrozenTrial, map[string][]Direction) {
	t.Helper()
	studies, dirs := map[string][]FrozenTrial{}, map[string][]Direction{}
	for _, s := range g.Studies {
		plain := make([]tpeGoldenTrial, len(s.Trials))
		for i, tr := range s.Trials {
			plain[i] = tr.tpeGoldenTrial
		}
		trials := tpeGoldenTrials(t, plain)
		for i, tr := range s.Trials {
			trials[i].Constraints = tr.Constraints
			if trials[i].State == Complete {
				trials[i].Values = tr.Values
				if len(tr.Values) == 0 {
					trials[i].Values = []float64{trials[i].Value}
				}
			}
		}
		for _, d := range s.Directions {
			dir := Minimize
			if d == "maximize" {
				dir = Maximize
			}
			dirs[s.Name] = append(dirs[s.Name], dir)
		}
		studies[s.Name] = trials
	}
	return studies, dirs
}

// End to end: on studies of one and of several objectives of fixed trials
// (complete, pruned, failed, running, infeasible, conditional parameters,
// dynamic ranges), fed numpy's uniform stream, TPESampler{Version:
// TPEOptuna5} splits the trials as Optuna 5 does (constraints, non-
// domination ranks and hypervolume subset selection), draws the same
// candidates with the same log-likelihoods, and Sample and SampleRelative
// return what Optuna 5's sample_independent and sample_relative return.
func TestTPE5SampleEqualsOptuna5(t *testing.T) {
	g := loadTPE5Golden(t)
	studies, directions := tpe5GoldenStudies(t, g)
	worst := 0.0
	for _, c := range g.Sample {
		t.Run(c.Name, func(t *testing.T) {
			trials, dirs := studies[c.Study], directions[c.Study]
			gs := c.Sampler
			s := TPESampler{Version: TPEOptuna5, EICandidates: gs.NEICandidates, PriorWeight: gs.PriorWeight,
				ConsiderEndpoints: gs.ConsiderEndpoints, Multivariate: gs.Multivariate, Univariate: !gs.Multivariate,
				NoMagicClip: gs.ConsiderMagicClip != nil && !*gs.ConsiderMagicClip, NoConstantLiar: gs.ConstantLiar != nil && !*gs.ConstantLiar}
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
			obs, err := tpeCollectDirs(trials, dirs, space, s.liar(), o)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(obs.BelowNumbers, obs.AboveNumbers) != fmt.Sprint(c.BelowNumbers, c.AboveNumbers) {
				t.Fatalf("split below %v above %v,\nwant below %v above %v", obs.BelowNumbers, obs.AboveNumbers, c.BelowNumbers, c.AboveNumbers)
			}
			a, err := tpe.Acquire(dists, obs, o, rand.New(&tpeReplay{stream: c.Stream}).Float64)
			if err != nil {
				t.Fatal(err)
			}
			want := tpeColumns(space, c.Candidates)
			for p, sp := range space {
				worst = math.Max(worst, tpeCheckSlice(t, sp.name+" candidates", a.Candidates[p], want[p]))
			}
			worst = math.Max(worst, tpeCheckSlice(t, "log l", a.LogL, c.LogL))
			worst = math.Max(worst, tpeCheckSlice(t, "log g", a.LogG, c.LogG))
			tpeCheckChoice(t, a.Best, c.LogL, c.LogG, tpeRefBest(c.LogL, c.LogG))

			// The public API, fed the same stream, returns Optuna's choice.
			cur := newFrozen(int64(len(trials)+1), len(trials), Running)
			ctx := &SampleContext{Trials: trials, Trial: cur, Directions: dirs, Rand: rand.New(&tpeReplay{stream: c.Stream})}
			if len(dirs) == 1 {
				ctx.Direction = dirs[0]
			}
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
			for _, sp := range space {
				worst = math.Max(worst, tpeCheck(t, sp.name+" vs Optuna's choice", got[sp.name], c.Chosen[sp.name]))
			}
		})
	}
	t.Logf("worst error %.3g", worst)
}
