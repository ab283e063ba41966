//go:build unix

// Command samplerbench measures tuner's samplers against Optuna 3.1's: the
// median best value on standard test functions after 50 and 100 trials over
// many seeds, for TPE (independent, with NormalizedDensity, multivariate),
// random search, CMA-ES (tuner/cmaes) and scrambled Sobol QMC (tuner/qmc),
// each beside Optuna's sampler of the same kind; and the samplers' overhead
// per trial: TPE on a 5-parameter space holding 100 and 1,000 complete
// trials, CMA-ES in a study of 5 parameters after 100 and 1,000 trials.
//
// TPESampler's TPEOptuna5 ("tpe5") stands beside Optuna 5's TPE, and -part
// multi compares its multi-objective TPE with Optuna 5's by the median
// hypervolume on ZDT1 and DTLZ2 (multi.go).
//
//	/usr/bin/python3 testdata/optuna/bench_samplers.py   # Optuna's numbers → testdata/optuna/samplers_bench.json
//	PYTHONPATH=/tmp/optuna5 /usr/bin/python3 testdata/optuna/bench_samplers.py --part quality  # Optuna 5's → tpe5_bench.json
//	go run ./cmd/samplerbench                          # ours, side by side with Optuna's
//	go run ./cmd/samplerbench -samplers cmaes,qmc -part quality
//
// The functions and their ranges are those of
// testdata/optuna/bench_samplers.py. Every study runs one trial at a time
// (Parallelism 1), as Optuna's study.optimize does by default. Overheads are
// process CPU time (getrusage, hence unix only), fairer than wall time on a
// shared machine; the tables give both.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/cmaes"
	"github.com/gradtune/gradtune/tuner/qmc"
)

// objective is a test function over a search space declared by run.
type objective func(t *tuner.Trial) float64

func sphere(d int) objective {
	return func(t *tuner.Trial) float64 {
		s := 0.0
		for i := range d {
			x := t.Float(fmt.Sprintf("x%d", i), -5.12, 5.12)
			s += x * x
		}
		return s
	}
}

// branin has its minimum 0.397887 at three points of [−5, 10]×[0, 15].
func branin(t *tuner.Trial) float64 {
	x1, x2 := t.Float("x1", -5, 10), t.Float("x2", 0, 15)
	b, c, r := 5.1/(4*math.Pi*math.Pi), 5/math.Pi, 1/(8*math.Pi)
	return math.Pow(x2-b*x1*x1+c*x1-6, 2) + 10*(1-r)*math.Cos(x1) + 10
}

func rosenbrock(t *tuner.Trial) float64 {
	x1, x2 := t.Float("x1", -2.048, 2.048), t.Float("x2", -2.048, 2.048)
	return 100*math.Pow(x2-x1*x1, 2) + math.Pow(1-x1, 2)
}

func himmelblau(t *tuner.Trial) float64 {
	x, y := t.Float("x", -5, 5), t.Float("y", -5, 5)
	return math.Pow(x*x+y-11, 2) + math.Pow(x+y*y-7, 2)
}

// mixed has its minimum 0 at x=1, lr=0.01, n=3, k=32, c="b".
func mixed(t *tuner.Trial) float64 {
	x := t.Float("x", -5, 5)
	lr := t.Float("lr", 1e-4, 1, tuner.Log())
	n := t.Int("n", -10, 10)
	k := t.Int("k", 1, 1024, tuner.Log())
	off := map[string]float64{"a": 1, "b": 0, "c": 0.5, "d": 2}[t.String("c", "a", "b", "c", "d")]
	return (x-1)*(x-1) + float64((n-3)*(n-3))/10 + math.Pow(math.Log10(lr)+2, 2) + math.Pow(math.Log2(float64(k))-5, 2)/10 + off
}

type testFunction struct {
	name string
	f    objective
}

var functions = []testFunction{
	{"sphere2", sphere(2)}, {"sphere5", sphere(5)}, {"branin", branin},
	{"rosenbrock2", rosenbrock}, {"himmelblau", himmelblau}, {"mixed", mixed},
}

// samplers are ours; optuna names the column of Optuna's sampler of the
// same kind in bench_samplers.py's results, "" if it has none.
type samplerSpec struct {
	name, optuna string
	new          func(seed uint64) tuner.Sampler
}

var samplers = []samplerSpec{
	{"tpe", "optuna_tpe", func(uint64) tuner.Sampler { return &tuner.TPESampler{} }},
	{"tpe_normalized", "", func(uint64) tuner.Sampler { return &tuner.TPESampler{NormalizedDensity: true} }},
	{"tpe_multivariate", "optuna_tpe_multivariate", func(uint64) tuner.Sampler { return &tuner.TPESampler{Multivariate: true} }},
	{"tpe5", "optuna5_tpe", func(uint64) tuner.Sampler { return &tuner.TPESampler{Version: tuner.TPEOptuna5} }},
	{"random", "optuna_random", func(uint64) tuner.Sampler { return tuner.RandomSampler{} }},
	{"cmaes", "optuna_cmaes", func(uint64) tuner.Sampler { return cmaes.Sampler{} }},
	// The scrambling is seeded per run, as Optuna's QMCSampler(seed=seed).
	{"qmc", "optuna_qmc", func(seed uint64) tuner.Sampler { return qmc.Sampler{Seed: seed} }},
}

// optunaFile mirrors testdata/optuna/samplers_bench.json.
type optunaFile struct {
	Generator map[string]any
	Seeds     int
	Trials    int
	Quality   map[string]map[string]struct {
		Median50  float64 `json:"median50"`
		Median100 float64 `json:"median100"`
	}
	Overhead []struct {
		Sampler      string  `json:"sampler"` // "tpe" or "cmaes"
		NDone        int     `json:"n_done"`
		Multivariate bool    `json:"multivariate"`
		MeanS        float64 `json:"mean_s"`
		CPUS         float64 `json:"cpu_s"`
	}
	// Multi is Optuna 5's median hypervolume per problem and sampler
	// (tpe5_bench.json only).
	Multi map[string]map[string]struct {
		Median50  float64 `json:"median50"`
		Median100 float64 `json:"median100"`
	}
}

// readOptuna reads a file of bench_samplers.py's; nil, logged, when it cannot.
func readOptuna(path string) *optunaFile {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Printf("no Optuna results (%v): printing ours only", err)
		return nil
	}
	ref := &optunaFile{}
	if err := json.Unmarshal(b, ref); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return ref
}

func main() {
	seeds := flag.Int("seeds", 20, "seeds per function and sampler")
	trials := flag.Int("trials", 100, "trials per study (best values are reported after 50 and after this many)")
	optunaPath := flag.String("optuna", "testdata/optuna/samplers_bench.json", "Optuna's results (from bench_samplers.py); \"\" to skip")
	optuna5Path := flag.String("optuna5", "testdata/optuna/tpe5_bench.json", "Optuna 5's results (bench_samplers.py under Optuna 5); \"\" to skip")
	which := flag.String("samplers", "", "comma-separated samplers to run (default: all of tpe, tpe_normalized, tpe_multivariate, tpe5, random, cmaes, qmc)")
	only := flag.String("part", "all", "quality, overhead, multi or all")
	funcs := flag.String("functions", "", "comma-separated functions to run (default: all)")
	flag.Parse()
	if *funcs != "" {
		keep := strings.Split(*funcs, ",")
		functions = slices.DeleteFunc(functions, func(f testFunction) bool { return !slices.Contains(keep, f.name) })
		if len(functions) == 0 {
			log.Fatalf("-functions %q: none of sphere2, sphere5, branin, rosenbrock2, himmelblau, mixed", *funcs)
		}
	}
	if *which != "" {
		keep := strings.Split(*which, ",")
		samplers = slices.DeleteFunc(samplers, func(s samplerSpec) bool { return !slices.Contains(keep, s.name) })
		if len(samplers) == 0 {
			log.Fatalf("-samplers %q: none of tpe, tpe_normalized, tpe_multivariate, tpe5, random, cmaes, qmc", *which)
		}
	}
	if *seeds < 1 || *trials < 50 {
		log.Fatalf("-seeds = %d, -trials = %d: want seeds ≥ 1 and trials ≥ 50", *seeds, *trials)
	}
	ref, ref5 := readOptuna(*optunaPath), readOptuna(*optuna5Path)
	if ref != nil && ref5 != nil {
		for f, q := range ref5.Quality {
			for s, v := range q {
				if ref.Quality[f] != nil {
					ref.Quality[f][s] = v
				}
			}
		}
	}
	if *only == "all" || *only == "quality" {
		quality(*seeds, *trials, ref)
	}
	if *only == "all" || *only == "multi" {
		multiQuality(*seeds, *trials, ref5)
	}
	if *only == "all" || *only == "overhead" {
		has := func(name string) bool {
			return slices.ContainsFunc(samplers, func(s samplerSpec) bool { return s.name == name })
		}
		if has("cmaes") {
			overheadCMA(ref)
		}
		if has("tpe") || has("tpe_multivariate") {
			overheadTPE(ref)
		}
	}
}

// bestAfter returns the best value among the first n trials of a study.
func bestAfter(trials []tuner.FrozenTrial, n int) float64 {
	best := math.Inf(1)
	for _, t := range trials {
		if t.Number < n && t.State == tuner.Complete {
			best = math.Min(best, t.Value)
		}
	}
	return best
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func quality(seeds, trials int, ref *optunaFile) {
	type job struct{ f, s, seed int }
	type result struct{ best50, best100 float64 }
	results := make([][][]result, len(functions))
	var jobs []job
	for f := range functions {
		results[f] = make([][]result, len(samplers))
		for s := range samplers {
			results[f][s] = make([]result, seeds)
			for seed := range seeds {
				jobs = append(jobs, job{f, s, seed})
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
				fn := functions[j.f].f
				st, err := tuner.Open(context.Background(), tuner.Config{Sampler: samplers[j.s].new(uint64(j.seed + 1)), Seed: uint64(j.seed + 1), Parallelism: 1})
				if err != nil {
					log.Fatal(err)
				}
				obj := func(_ context.Context, t *tuner.Trial) (float64, error) { return fn(t), nil }
				if err := st.Optimize(context.Background(), obj, tuner.Budget{Trials: trials}); err != nil {
					log.Fatal(err)
				}
				ts, err := st.Trials(context.Background())
				if err != nil {
					log.Fatal(err)
				}
				results[j.f][j.s][j.seed] = result{bestAfter(ts, 50), bestAfter(ts, trials)}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()

	fmt.Printf("## Median best value over %d seeds (%d studies in %.0f s)\n\n", seeds, len(jobs), time.Since(start).Seconds())
	// Each of our samplers, then Optuna's of the same kind.
	head := []string{"function", "trials"}
	for _, s := range samplers {
		head = append(head, "ours "+s.name)
		if ref != nil && s.optuna != "" {
			head = append(head, "Optuna "+strings.TrimPrefix(s.optuna, "optuna_"))
		}
	}
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("|" + strings.Repeat("---|", len(head)))
	for f, fn := range functions {
		for _, budget := range []int{50, trials} {
			row := []string{fn.name, fmt.Sprint(budget)}
			for s, spec := range samplers {
				var xs []float64
				for _, r := range results[f][s] {
					if budget == 50 {
						xs = append(xs, r.best50)
					} else {
						xs = append(xs, r.best100)
					}
				}
				row = append(row, fmt.Sprintf("%.4g", median(xs)))
				if ref == nil || spec.optuna == "" {
					continue
				}
				q, ok := ref.Quality[fn.name][spec.optuna]
				switch {
				case !ok:
					row = append(row, "–")
				case budget == 50:
					row = append(row, fmt.Sprintf("%.4g", q.Median50))
				case budget == ref.Trials:
					row = append(row, fmt.Sprintf("%.4g", q.Median100))
				default:
					row = append(row, "–")
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

// space5 is the overhead benchmark's space, as in bench_samplers.py.
var space5 = []struct {
	name string
	d    tuner.Distribution
}{
	{"x", tuner.FloatDist{Low: -5, High: 5}},
	{"lr", tuner.FloatDist{Low: 1e-5, High: 1, Log: true}},
	{"n", tuner.IntDist{Low: 1, High: 64}},
	{"s", tuner.FloatDist{Low: 0, High: 1, Step: 0.1}},
	{"c", tuner.CategoricalDist{Choices: []any{"a", "b", "c", "d"}}},
}

func suggest5(t *tuner.Trial) {
	t.Float("x", -5, 5)
	t.Float("lr", 1e-5, 1, tuner.Log())
	t.Int("n", 1, 64)
	t.Float("s", 0, 1, tuner.Step(0.1))
	t.String("c", "a", "b", "c", "d")
}

// populate returns a storage holding study "bench" with n complete trials
// of space5 drawn at random.
func populate(n int) (tuner.Storage, error) {
	ctx := context.Background()
	st := tuner.NewMemoryStorage()
	id, _, err := st.GetOrCreateStudy(ctx, "bench", []tuner.Direction{tuner.Minimize})
	if err != nil {
		return nil, err
	}
	rnd := tuner.RandomSampler{}
	for i := range n {
		ft, err := st.CreateTrial(ctx, id, nil, nil)
		if err != nil {
			return nil, err
		}
		v := 0.0
		for k, p := range space5 {
			c := &tuner.SampleContext{Trial: &ft, Rand: rand.New(rand.NewPCG(uint64(i), uint64(k)))}
			x, err := rnd.Sample(c, p.name, p.d)
			if err != nil {
				return nil, err
			}
			if err := st.SetTrialParam(ctx, ft.ID, p.name, x, p.d); err != nil {
				return nil, err
			}
			v += x * x
		}
		if err := st.FinishTrial(ctx, ft.ID, tuner.Complete, []float64{v}, "", ""); err != nil {
			return nil, err
		}
	}
	return st, nil
}

var errOverhead = errors.New("overhead run: not a real trial")

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clock measures wall and CPU time per repetition.
type clock struct {
	wall time.Time
	cpu  time.Duration
}

func startClock() clock { return clock{time.Now(), cpuTime()} }

// per returns the milliseconds per repetition since the start.
func (c clock) per(reps int) (wall, cpu float64) {
	return ms(time.Since(c.wall)) / float64(reps), ms(cpuTime()-c.cpu) / float64(reps)
}

func overheadTPE(ref *optunaFile) {
	ctx := context.Background()
	fmt.Println("## TPE overhead per trial, CPU (wall) ms")
	fmt.Println()
	fmt.Println("5 parameters (float, log float, int, stepped float, categorical) over n complete trials.")
	fmt.Println()
	fmt.Println("| n | mode | ours: sampler only | ours: through Study | Optuna 3.1: ask + 5 suggestions |")
	fmt.Println("|---|---|---|---|---|")
	for _, n := range []int{100, 1000} {
		reps := 30
		if n == 1000 {
			reps = 10
		}
		st, err := populate(n)
		if err != nil {
			log.Fatal(err)
		}
		id, _, _ := st.GetOrCreateStudy(ctx, "bench", []tuner.Direction{tuner.Minimize})
		trials, err := st.Trials(ctx, id)
		if err != nil {
			log.Fatal(err)
		}
		for _, multivariate := range []bool{false, true} {
			sampler := &tuner.TPESampler{Multivariate: multivariate}
			// The sampler alone, on the trials as the study hands them over.
			cur := tuner.FrozenTrial{Number: n, Internal: map[string]float64{}, Params: map[string]any{}}
			clk := startClock()
			for r := range reps {
				c := &tuner.SampleContext{Trials: trials, Trial: &cur, Rand: rand.New(rand.NewPCG(uint64(r), 99))}
				rel, err := sampler.SampleRelative(c)
				if err != nil {
					log.Fatal(err)
				}
				for _, p := range space5 {
					if _, ok := rel[p.name]; ok {
						continue
					}
					if _, err := sampler.Sample(c, p.name, p.d); err != nil {
						log.Fatal(err)
					}
				}
			}
			aloneWall, aloneCPU := clk.per(reps)
			// Through the study: trials that suggest the 5 parameters and fail,
			// so that every one sees the same n complete trials (as in bench_samplers.py).
			// The failures are on purpose: never stop for them.
			s, err := tuner.Open(ctx, tuner.Config{Name: "bench", Storage: st, Sampler: sampler, Seed: 2, Parallelism: 1, MaxConsecutiveFailures: -1})
			if err != nil {
				log.Fatal(err)
			}
			clk = startClock()
			err = s.Optimize(ctx, func(_ context.Context, t *tuner.Trial) (float64, error) { suggest5(t); return 0, errOverhead }, tuner.Budget{Trials: reps})
			if err != nil {
				log.Fatal(err)
			}
			studyWall, studyCPU := clk.per(reps)
			opt := "–"
			if ref != nil {
				for _, o := range ref.Overhead {
					if (o.Sampler == "tpe" || o.Sampler == "") && o.NDone == n && o.Multivariate == multivariate {
						opt = fmt.Sprintf("%.1f (%.1f)", 1000*o.CPUS, 1000*o.MeanS)
					}
				}
			}
			mode := "independent"
			if multivariate {
				mode = "multivariate"
			}
			fmt.Printf("| %d | %s | %.2f (%.2f) | %.2f (%.2f) | %s |\n", n, mode, aloneCPU, aloneWall, studyCPU, studyWall, opt)
		}
	}
}

// overheadCMA times CMA-ES trials late in a study, where each trial start
// replays the study's generations.
func overheadCMA(ref *optunaFile) {
	ctx := context.Background()
	fmt.Println("## CMA-ES overhead per trial, CPU (wall) ms")
	fmt.Println()
	fmt.Println("A study of sphere5 (5 floats): the trials after its first n, each one's start replaying the study's generations.")
	fmt.Println()
	fmt.Println("| n | ours: a trial through Study | Optuna 3.1: ask + 5 suggestions + tell |")
	fmt.Println("|---|---|---|")
	f := sphere(5)
	obj := func(_ context.Context, t *tuner.Trial) (float64, error) { return f(t), nil }
	for _, n := range []int{100, 1000} {
		const reps = 30
		s, err := tuner.Open(ctx, tuner.Config{Sampler: cmaes.Sampler{}, Seed: 1, Parallelism: 1})
		if err != nil {
			log.Fatal(err)
		}
		if err := s.Optimize(ctx, obj, tuner.Budget{Trials: n}); err != nil {
			log.Fatal(err)
		}
		clk := startClock()
		if err := s.Optimize(ctx, obj, tuner.Budget{Trials: reps}); err != nil {
			log.Fatal(err)
		}
		wall, cpu := clk.per(reps)
		opt := "–"
		if ref != nil {
			for _, o := range ref.Overhead {
				if o.Sampler == "cmaes" && o.NDone == n {
					opt = fmt.Sprintf("%.1f (%.1f)", 1000*o.CPUS, 1000*o.MeanS)
				}
			}
		}
		fmt.Printf("| %d | %.2f (%.2f) | %s |\n", n, cpu, wall, opt)
	}
	fmt.Println()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
