//go:build unix

package main

import (
	"context"
	"fmt"
	"log"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/pareto"
)

// multiObjective is a test problem of several objectives, all minimized.
type multiObjective func(t *tuner.Trial) []float64

// zdt1 is Zitzler, Deb and Thiele's ZDT1 in d variables ("Comparison of
// multiobjective evolutionary algorithms", 2000): its front is
// f₂ = 1 − √f₁ where x₁ = … = x_{d−1} = 0.
func zdt1(d int) multiObjective {
	return func(t *tuner.Trial) []float64 {
		x := make([]float64, d)
		for i := range x {
			x[i] = t.Float(fmt.Sprintf("x%d", i), 0, 1)
		}
		s := 0.0
		for _, v := range x[1:] {
			s += v
		}
		g := 1 + 9*s/float64(d-1)
		return []float64{x[0], g * (1 - math.Sqrt(x[0]/g))}
	}
}

// dtlz2 is Deb, Thiele, Laumanns and Zitzler's DTLZ2 with 3 objectives in d
// variables ("Scalable test problems for evolutionary multiobjective
// optimization", 2005): its front is the unit sphere's positive orthant.
func dtlz2(d int) multiObjective {
	return func(t *tuner.Trial) []float64 {
		x := make([]float64, d)
		for i := range x {
			x[i] = t.Float(fmt.Sprintf("x%d", i), 0, 1)
		}
		g := 0.0
		for _, v := range x[2:] {
			g += (v - 0.5) * (v - 0.5)
		}
		a, b := x[0]*math.Pi/2, x[1]*math.Pi/2
		return []float64{(1 + g) * math.Cos(a) * math.Cos(b), (1 + g) * math.Cos(a) * math.Sin(b), (1 + g) * math.Sin(a)}
	}
}

// multiProblems are bench_samplers.py's MULTI: each with its hypervolume's
// reference point.
var multiProblems = []struct {
	name       string
	f          multiObjective
	objectives int
	ref        []float64
}{
	{"zdt1_6", zdt1(6), 2, []float64{1.1, 11}},
	{"dtlz2_6", dtlz2(6), 3, []float64{2, 2, 2}},
}

var multiSamplers = []struct {
	name string
	new  func() tuner.Sampler
}{
	{"tpe5", func() tuner.Sampler { return &tuner.TPESampler{Version: tuner.TPEOptuna5} }},
	{"random", func() tuner.Sampler { return tuner.RandomSampler{} }},
}

// hypervolumeAfter is the hypervolume of the first n trials' values.
func hypervolumeAfter(trials []tuner.FrozenTrial, n int, ref []float64) float64 {
	var pts [][]float64
	for _, t := range trials {
		if t.Number < n && t.State == tuner.Complete {
			pts = append(pts, t.Values)
		}
	}
	hv, err := pareto.Hypervolume(pts, ref)
	if err != nil {
		log.Fatal(err)
	}
	return hv
}

// multiQuality prints the median hypervolume after 50 trials and after
// trials, ours beside Optuna 5's.
func multiQuality(seeds, trials int, ref *optunaFile) {
	type job struct{ p, s, seed int }
	type result struct{ hv50, hvAll float64 }
	results := make([][][]result, len(multiProblems))
	var jobs []job
	for p := range multiProblems {
		results[p] = make([][]result, len(multiSamplers))
		for s := range multiSamplers {
			results[p][s] = make([]result, seeds)
			for seed := range seeds {
				jobs = append(jobs, job{p, s, seed})
			}
		}
	}
	start := time.Now()
	ch := make(chan job)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				pr := multiProblems[j.p]
				dirs := make([]tuner.Direction, pr.objectives)
				for i := range dirs {
					dirs[i] = tuner.Minimize
				}
				st, err := tuner.Open(context.Background(), tuner.Config{Directions: dirs, Sampler: multiSamplers[j.s].new(), Seed: uint64(j.seed + 1), Parallelism: 1})
				if err != nil {
					log.Fatal(err)
				}
				obj := func(_ context.Context, t *tuner.Trial) ([]float64, error) { return pr.f(t), nil }
				if err := st.OptimizeMulti(context.Background(), obj, tuner.Budget{Trials: trials}); err != nil {
					log.Fatal(err)
				}
				ts, err := st.Trials(context.Background())
				if err != nil {
					log.Fatal(err)
				}
				results[j.p][j.s][j.seed] = result{hypervolumeAfter(ts, 50, pr.ref), hypervolumeAfter(ts, trials, pr.ref)}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()

	fmt.Printf("## Several objectives: median hypervolume over %d seeds (%d studies in %.0f s)\n\n", seeds, len(jobs), time.Since(start).Seconds())
	head := []string{"problem", "reference point", "trials"}
	for _, s := range multiSamplers {
		head = append(head, "ours "+s.name)
	}
	optunaCols := []string{"optuna5_tpe", "optuna_random"}
	if ref != nil {
		head = append(head, optunaCols...)
	}
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("|" + strings.Repeat("---|", len(head)))
	for p, pr := range multiProblems {
		for _, budget := range []int{50, trials} {
			row := []string{pr.name, fmt.Sprint(pr.ref), fmt.Sprint(budget)}
			for s := range multiSamplers {
				var xs []float64
				for _, r := range results[p][s] {
					if budget == 50 {
						xs = append(xs, r.hv50)
					} else {
						xs = append(xs, r.hvAll)
					}
				}
				row = append(row, fmt.Sprintf("%.4f", median(xs)))
			}
			if ref != nil {
				for _, c := range optunaCols {
					q, ok := ref.Multi[pr.name][c]
					switch {
					case !ok:
						row = append(row, "–")
					case budget == 50:
						row = append(row, fmt.Sprintf("%.4f", q.Median50))
					case budget == ref.Trials:
						row = append(row, fmt.Sprintf("%.4f", q.Median100))
					default:
						row = append(row, "–")
					}
				}
			}
			fmt.Println("| " + strings.Join(row, " | ") + " |")
		}
	}
	if ref != nil && ref.Seeds != seeds {
		fmt.Printf("\n(Optuna's columns: %d seeds.)\n", ref.Seeds)
	}
	fmt.Println()
}
