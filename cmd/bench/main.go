// Command bench measures gradtune's training speed beside its peers, in
// interleaved rounds on one machine, and reports the median of the per-round
// ratios (a noisy machine slows all peers of a round together):
//
//   - mnist-float32, mnist-float64: one MNIST epoch (784-256-128-10 ReLU MLP,
//     batch 128, Adam lr 1e-3, 59,904 images) through our trainer, through a
//     hand-written Gorgonia loop on gonum's BLAS, and through PyTorch with one
//     thread; samples/s, and for ours allocations and bytes per step.
//   - linreg: the seed's linear regression (1000 full-batch Adam steps),
//     microseconds per step, ours and PyTorch's.
//   - tune: the demo's tuning job (an MLP on Iris, 5-fold CV per trial) as
//     a seeded random search without pruning, the same trials with 1 and
//     with 2 workers; trials/s and the ratio 2 workers / 1, with the CPU
//     each run kept busy (the Go runtime's Ps, the OS's cores) and GC's
//     share of it.
//   - memory (not in the default set): the curve of the live heap and the
//     resident set over a long Fit and over a long study of build–fit–close
//     trials (internal/longrun), with the growth past the warm-up.
//
// PyTorch runs only where Debian's python3-torch is importable; the output
// says so otherwise. Usage:
//
//	go run ./cmd/bench                 # 7 rounds of every job
//	go run ./cmd/bench -rounds 3 -jobs mnist-float32
//	go run ./cmd/bench -jobs tune -tune-trials 20 -cpuprofile cpu.out
//	go run ./cmd/bench -jobs memory -mem-steps 50000 -mem-trials 500
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/fastblas"
)

func main() {
	rounds := flag.Int("rounds", 7, "interleaved rounds of each job")
	jobs := flag.String("jobs", "mnist-float32,mnist-float64,linreg,tune", "comma-separated jobs")
	tuneTrials := flag.Int("tune-trials", 100, "tune: trials per run: 100, as many as the demo's study (fewer, and the last trial's tail, one worker idle, bounds the 2-worker ratio lower); about 5 s with 1 worker on a quiet core")
	var mem memoryRuns
	flag.IntVar(&mem.steps, "mem-steps", 50000, "memory: training steps of the long Fit (0 skips it; 50,000: about 5 s)")
	flag.IntVar(&mem.trials, "mem-trials", 500, "memory: trials of the long study (0 skips it; 500: about 8 s)")
	flag.IntVar(&mem.points, "mem-points", 50, "memory: samples of each curve")
	python := flag.String("python", "/usr/bin/python3", "Python with torch for the PyTorch peer; \"\" skips it")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	blockProfile := flag.String("blockprofile", "", "write a profile of where goroutines block to this file")
	mutexProfile := flag.String("mutexprofile", "", "write a profile of contended mutexes to this file")
	flag.Parse()
	stopProfiles, err := startProfiles(*cpuProfile, *blockProfile, *mutexProfile)
	if err == nil {
		err = run(os.Stdout, *rounds, strings.Split(*jobs, ","), *python, *tuneTrials, mem)
		if perr := stopProfiles(); err == nil {
			err = perr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, rounds int, jobs []string, python string, tuneTrials int, mem memoryRuns) error {
	if rounds < 1 {
		return fmt.Errorf("-rounds %d, want ≥ 1", rounds)
	}
	var torch *torchPeer
	err := errors.New("no job that it runs")
	if slices.ContainsFunc(jobs, func(j string) bool { return j == "mnist-float32" || j == "mnist-float64" || j == "linreg" }) {
		torch, err = startTorch(python)
	}
	if err != nil {
		fmt.Fprintf(w, "PyTorch peer: not run (%v)\n", err)
	} else {
		defer torch.close()
		fmt.Fprintf(w, "PyTorch peer: torch %s, 1 thread\n", torch.version)
	}
	fastblas.Install() // as model.New does, so that the line below says what ours runs
	fmt.Fprintf(w, "Go %s, GOMAXPROCS=%d, %s/%s, gradtune's BLAS %T (kernel %s)\n\n",
		runtime.Version(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, G.WhichBLAS(), fastblas.Kernel())
	for _, job := range jobs {
		var err error
		switch job {
		case "mnist-float32":
			err = benchMNIST(w, rounds, tensor.Float32, torch)
		case "mnist-float64":
			err = benchMNIST(w, rounds, tensor.Float64, torch)
		case "linreg":
			err = benchLinreg(w, rounds, torch)
		case "tune":
			err = benchTune(w, rounds, tuneTrials)
		case "memory":
			err = benchMemory(w, mem)
		default:
			err = fmt.Errorf("unknown job (want mnist-float32, mnist-float64, linreg, tune or memory)")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", job, err)
		}
	}
	fmt.Fprintf(w, "peak RSS of this process: %s\n", peakRSS())
	return nil
}
