// Command nsgabench measures tuner's NSGAIISampler against Optuna 3.1's
// NSGAIISampler and against random search: the hypervolume of the front
// after every 100 trials on ZDT1, ZDT2, ZDT3 and DTLZ2, over the seeds
// Optuna's numbers were made with.
//
//	/usr/bin/python3 testdata/optuna/bench_nsgaii.py   # Optuna's numbers → testdata/optuna/nsgaii_bench.json
//	go run ./cmd/nsgabench                             # ours, side by side with Optuna's
//
// The problems, their reference points and the search spaces are those of
// testdata/optuna/bench_nsgaii.py. Every study runs one trial at a time.
// Three of ours per seed: NSGAIISampler as a study uses it by default
// (Config.Seed = seed, draws from Go's generator), the same with
// NumpyStreams (numpy's RandomState(seed), Optuna's own stream: equal to
// Optuna's study but where DTLZ2's cosines, from Go's math rather than
// glibc's, differ by an ulp), and RandomSampler.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/gradtune/gradtune/tuner"
)

type problem struct {
	name string
	f    tuner.MultiObjective
	m    int
}

func params(t *tuner.Trial, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = t.Float("x"+strconv.Itoa(i), 0, 1)
	}
	return x
}

func zdtG(x []float64) float64 {
	s := 0.0
	for _, v := range x[1:] {
		s += v
	}
	return 1 + 9*s/float64(len(x)-1)
}

var problems = map[string]problem{
	"zdt1": {"zdt1", func(_ context.Context, t *tuner.Trial) ([]float64, error) {
		x := params(t, 10)
		g := zdtG(x)
		return []float64{x[0], g * (1 - math.Sqrt(x[0]/g))}, nil
	}, 2},
	"zdt2": {"zdt2", func(_ context.Context, t *tuner.Trial) ([]float64, error) {
		x := params(t, 10)
		g := zdtG(x)
		return []float64{x[0], g * (1 - (x[0]/g)*(x[0]/g))}, nil
	}, 2},
	"zdt3": {"zdt3", func(_ context.Context, t *tuner.Trial) ([]float64, error) {
		x := params(t, 10)
		g := zdtG(x)
		h := 1 - math.Sqrt(x[0]/g) - (x[0]/g)*math.Sin(10*math.Pi*x[0])
		return []float64{x[0], g * h}, nil
	}, 2},
	"dtlz2": {"dtlz2", func(_ context.Context, t *tuner.Trial) ([]float64, error) {
		x := params(t, 7)
		g := 0.0
		for _, v := range x[2:] {
			g += (v - 0.5) * (v - 0.5)
		}
		a, b := x[0]*math.Pi/2, x[1]*math.Pi/2
		return []float64{(1 + g) * math.Cos(a) * math.Cos(b), (1 + g) * math.Cos(a) * math.Sin(b), (1 + g) * math.Sin(a)}, nil
	}, 3},
}

type benchFile struct {
	Trials, Every int
	Problems      []struct {
		Name        string
		Objectives  int
		Reference   []float64
		Hypervolume [][]float64 // [seed][checkpoint]
	}
}

// run returns the hypervolume after every `every` trials of one study.
func run(p problem, sampler tuner.Sampler, seed uint64, trials, every int, ref []float64) ([]float64, error) {
	ctx := context.Background()
	dirs := slices.Repeat([]tuner.Direction{tuner.Minimize}, p.m)
	study, err := tuner.Open(ctx, tuner.Config{Directions: dirs, Sampler: sampler, Seed: seed, Parallelism: 1})
	if err != nil {
		return nil, err
	}
	var hvs []float64
	for done := 0; done < trials; done += every {
		if err := study.OptimizeMulti(ctx, p.f, tuner.Budget{Trials: every}); err != nil {
			return nil, err
		}
		hv, err := study.Hypervolume(ctx, ref)
		if err != nil {
			return nil, err
		}
		hvs = append(hvs, hv)
	}
	return hvs, nil
}

func meanSD(xs []float64) (float64, float64) {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(max(len(xs)-1, 1)))
}

func main() {
	path := flag.String("optuna", filepath.Join("testdata", "optuna", "nsgaii_bench.json"), "Optuna's numbers (bench_nsgaii.py)")
	flag.Parse()
	b, err := os.ReadFile(*path)
	if err != nil {
		log.Fatal(err)
	}
	var f benchFile
	if err := json.Unmarshal(b, &f); err != nil {
		log.Fatal(err)
	}
	fmt.Println("| problem | trials | Optuna 3.1 | ours | ours, NumpyStreams | largest gap to Optuna, NumpyStreams | random |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, op := range f.Problems {
		p, ok := problems[op.Name]
		if !ok {
			log.Fatalf("unknown problem %q", op.Name)
		}
		seeds := len(op.Hypervolume)
		var ours, numpy, random [][]float64
		for seed := range seeds {
			for _, c := range []struct {
				into    *[][]float64
				sampler tuner.Sampler
			}{
				{&ours, &tuner.NSGAIISampler{}},
				{&numpy, &tuner.NSGAIISampler{NumpyStreams: true, Seed: uint64(seed)}},
				{&random, tuner.RandomSampler{}},
			} {
				hvs, err := run(p, c.sampler, uint64(seed), f.Trials, f.Every, op.Reference)
				if err != nil {
					log.Fatal(err)
				}
				*c.into = append(*c.into, hvs)
			}
		}
		for k := range op.Hypervolume[0] {
			col := func(runs [][]float64) []float64 {
				out := make([]float64, len(runs))
				for i, r := range runs {
					out[i] = r[k]
				}
				return out
			}
			gap := 0.0
			for i := range seeds {
				gap = max(gap, math.Abs(numpy[i][k]-op.Hypervolume[i][k]))
			}
			cell := func(xs []float64) string {
				m, sd := meanSD(xs)
				return fmt.Sprintf("%.4f ± %.4f", m, sd)
			}
			fmt.Printf("| %s | %d | %s | %s | %s | %.2g | %s |\n", op.Name, (k+1)*f.Every,
				cell(col(op.Hypervolume)), cell(col(ours)), cell(col(numpy)), gap, cell(col(random)))
		}
	}
	fmt.Printf("\n%d seeds per problem; mean ± standard deviation of the hypervolume (larger is better).\n", len(f.Problems[0].Hypervolume))
}
