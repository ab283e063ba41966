package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gradtune/gradtune/internal/iristune"
	"github.com/gradtune/gradtune/tuner"
)

// tuneSeed fixes the folds and the trials' configurations.
const tuneSeed = 1

// tuneRun is one timed random search.
type tuneRun struct {
	trials   []tuner.FrozenTrial
	rate     float64 // trials/s
	busyPs   float64 // Ps running Go code or GC, on average (the Go runtime's view)
	osCores  float64 // CPU the OS gave the process (user+system), in cores
	cpuPer   float64 // CPU seconds the OS gave the process per trial
	gcShare  float64 // GC's share of the busy Ps' time
	gcCycles uint64
}

// benchTune times the demo's tuning job: in each round the same trials
// (iristune.RandomSearch: seeded random configurations, no pruning, full
// 5-fold CV each) once with 1 worker and once with 2, in alternating order,
// and reports trials/s and the median of the per-round ratios 2 workers / 1.
// That ratio means something only where the process got two cores (OS
// cores ≈ 2 in the 2-worker runs); on a loaded machine the CPU seconds per
// trial, 2 workers against 1, still say whether parallel trials cost more
// work each, and the balance bound what the trials' uneven lengths allow.
func benchTune(w io.Writer, rounds, trials int) error {
	if trials < 2 {
		return fmt.Errorf("-tune-trials %d, want ≥ 2", trials)
	}
	iris, err := iristune.Load(tuneSeed)
	if err != nil {
		return err
	}
	ctx := context.Background()
	var one, two, ratio, cpuRatio, bound, cores []float64
	for r := range rounds {
		order := []int{1, 2}
		if r%2 == 1 {
			order = []int{2, 1} // a load that drifts within a round favours neither
		}
		load := loadAvg()
		runs := map[int]tuneRun{}
		for _, p := range order {
			if runs[p], err = timeTune(ctx, iris, trials, p); err != nil {
				return err
			}
		}
		if err := iristune.SameConfigs(runs[1].trials, runs[2].trials); err != nil {
			return fmt.Errorf("1 and 2 workers did different work: %w", err)
		}
		for i, t := range runs[1].trials {
			if u := runs[2].trials[i]; t.Value != u.Value {
				fmt.Fprintf(w, "tune: warning: trial %d scored %v with 1 worker, %v with 2: training is not deterministic\n", t.Number, t.Value, u.Value)
			}
		}
		a, b := runs[1], runs[2]
		one, two, ratio = append(one, a.rate), append(two, b.rate), append(ratio, b.rate/a.rate)
		cpuRatio = append(cpuRatio, b.cpuPer/a.cpuPer)
		bound = append(bound, balanceBound(a.trials, 2))
		cores = append(cores, b.osCores)
		fmt.Fprintf(w, "tune round %d (load %s): 1 worker %.2f trials/s (%s), 2 workers %.2f trials/s (%s); 2/1 %.2f×\n",
			r+1, load, a.rate, a.usage(), b.rate, b.usage(), b.rate/a.rate)
	}
	fmt.Fprintf(w, "tune, median of %d rounds of %d trials: 1 worker %.2f trials/s, 2 workers %.2f trials/s, 2 workers/1 worker %.2f× (issue 9: ≥ 1.8×); CPU per trial 2 workers/1 worker %.2f×; the trials' lengths allow at most %.2f×\n",
		len(ratio), trials, median(one), median(two), median(ratio), median(cpuRatio), median(bound))
	if c := median(cores); c < 1.9 {
		fmt.Fprintf(w, "tune: note: the 2-worker runs got %.2f cores (median), not 2: the ratio measures the machine's load more than the tuner\n", c)
	}
	fmt.Fprintln(w)
	return nil
}

func (r tuneRun) usage() string {
	return fmt.Sprintf("%.2f CPU-s/trial; busy Ps %.2f, OS cores %.2f, GC %.0f%% of busy in %d cycles", r.cpuPer, r.busyPs, r.osCores, 100*r.gcShare, r.gcCycles)
}

// timeTune runs the random search with parallelism workers and measures it.
func timeTune(ctx context.Context, iris *iristune.Problem, trials, parallelism int) (tuneRun, error) {
	before := readCPU()
	start := time.Now()
	var ts []tuner.FrozenTrial
	var err error
	// The label tells the runs apart in a CPU profile (pprof -tagfocus
	// 'workers=^2$'); the GC's own goroutines carry none.
	pprof.Do(ctx, pprof.Labels("workers", strconv.Itoa(parallelism)), func(ctx context.Context) {
		ts, err = iris.RandomSearch(ctx, trials, parallelism)
	})
	if err != nil {
		return tuneRun{}, err
	}
	wall := time.Since(start).Seconds()
	after := readCPU()
	busy := (after.total - after.idle) - (before.total - before.idle)
	run := tuneRun{
		trials:   ts,
		rate:     float64(len(ts)) / wall,
		busyPs:   busy / wall,
		osCores:  (after.os - before.os) / wall,
		cpuPer:   (after.os - before.os) / float64(len(ts)),
		gcCycles: after.gcCycles - before.gcCycles,
	}
	if busy > 0 {
		run.gcShare = (after.gc - before.gc) / busy
	}
	return run, nil
}

// cpuTimes are cumulative CPU seconds: the Go runtime's estimates (total =
// GOMAXPROCS × wall time) and what the OS charged the process.
type cpuTimes struct {
	total, idle, gc, os float64
	gcCycles            uint64
}

func readCPU() cpuTimes {
	s := []metrics.Sample{
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/cpu/classes/idle:cpu-seconds"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	metrics.Read(s)
	return cpuTimes{
		total: s[0].Value.Float64(), idle: s[1].Value.Float64(), gc: s[2].Value.Float64(),
		gcCycles: s[3].Value.Uint64(), os: processCPUSeconds(),
	}
}

// loadAvg is the 1-minute load average (Linux), or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// balanceBound is the speedup that workers would reach with free cores and
// no overhead, given the trials' lengths in a run with one worker: Optimize
// hands the next trial to the first worker free, so the last trials may
// leave workers idle.
func balanceBound(trials []tuner.FrozenTrial, workers int) float64 {
	free := make([]float64, workers) // when each worker is next free, in seconds
	total := 0.0
	for _, t := range trials {
		d := t.Complete.Sub(t.Start).Seconds()
		total += d
		i := slices.Index(free, slices.Min(free))
		free[i] += d
	}
	if end := slices.Max(free); end > 0 {
		return total / end
	}
	return math.NaN()
}
