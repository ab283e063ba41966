// Command tune-worker joins a study in a shared database and runs trials
// of the demo's tuning job (an MLP on Iris, internal/iristune) until its
// budget is spent or the grid is exhausted. Start as many as you like, on
// any machines that reach the database; they share the study:
//
//	tune-worker -storage sqlite:///out/study.db -study iris -workers 2 -trials 20
//	tune-worker -storage sqlite:///out/study.db -study iris -sampler grid
//
// Running trials send heartbeats (-heartbeat, by the database's clock); a
// trial whose worker died is failed by another worker after -grace and run
// again with its parameters. Each finished trial prints one line.
//
// Seeds: a trial's draws are seeded by (-seed, trial number), and the
// database numbers each trial once across all workers, so workers never
// draw the same candidates even with the same -seed, and a study is
// reproducible from its seed (for Random and Grid).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/gradtune/gradtune/internal/iristune"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/rdb"
)

func main() {
	ctx, stop := trainer.InterruptContext(context.Background())
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command's flags.
type options struct {
	storage, study, sampler string
	workers, trials         int
	heartbeat, grace        time.Duration
	seed                    uint64
}

// run parses args, runs the worker and returns the exit status: 0 done,
// 1 failed, 2 bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tune-worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.storage, "storage", "", "the study's database: sqlite:///FILE (relative) or sqlite:////ABSOLUTE/FILE, as Optuna writes it")
	fs.StringVar(&o.study, "study", "iris-mlp", "the study's name; created if new")
	fs.StringVar(&o.sampler, "sampler", "tpe", "tpe (with a constant liar, so workers spread out) or grid (the 40 points of GridSpace, each run once across all workers)")
	fs.IntVar(&o.workers, "workers", 1, "trials this process runs at once")
	fs.IntVar(&o.trials, "trials", 10, "trials this process runs (Optuna's n_trials); a grid may end sooner")
	fs.DurationVar(&o.heartbeat, "heartbeat", 5*time.Second, "how often a running trial records its heartbeat (0 = off)")
	fs.DurationVar(&o.grace, "grace", 0, "a trial whose heartbeat is older than this is failed and re-run (0 = twice -heartbeat)")
	fs.Uint64Var(&o.seed, "seed", 1, "data folds, initialization and the sampler's draws")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := o.check(); err != nil {
		fmt.Fprintln(stderr, "tune-worker:", err)
		return 2
	}
	if err := work(ctx, o, stdout); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "tune-worker:", err)
		return 1
	}
	return 0
}

// check refuses flags that cannot work, naming what is expected.
func (o options) check() error {
	switch {
	case o.storage == "":
		return fmt.Errorf("-storage is required: sqlite:///FILE")
	case o.workers < 1:
		return fmt.Errorf("-workers = %d, want ≥ 1", o.workers)
	case o.trials < 1:
		return fmt.Errorf("-trials = %d, want ≥ 1", o.trials)
	case o.sampler != "tpe" && o.sampler != "grid":
		return fmt.Errorf("-sampler = %q, want tpe or grid", o.sampler)
	}
	return nil
}

// holdTrial keeps each trial Running this long after its objective
// returns; the kill test sets it in its worker processes, so that killing
// one mid-trial does not race a training that takes a few milliseconds.
var holdTrial time.Duration

// GridSpace is the grid of -sampler grid: 40 small configurations of the
// Iris MLP (one hidden layer, 10 epochs, Adam), 5 × 2 × 2 × 2.
var GridSpace = map[string][]any{
	"lr": {0.003, 0.01, 0.03, 0.1, 0.3}, "batch_size": {16, 32}, "activation": {"relu", "tanh"}, "units_0": {8, 16},
	"epochs": {10}, "optimizer": {"adam"}, "beta1": {0.9}, "layers": {1}, "initializer": {"he_normal"}, "l2": {1e-4},
}

// work joins the study and runs the trials, printing one line per trial.
func work(ctx context.Context, o options, stdout io.Writer) error {
	iris, err := iristune.Load(o.seed)
	if err != nil {
		return err
	}
	st, err := rdb.Open(ctx, o.storage)
	if err != nil {
		return err
	}
	defer st.Close()
	var sampler tuner.Sampler = &tuner.TPESampler{ConstantLiar: true}
	if o.sampler == "grid" {
		sampler = &tuner.GridSampler{Space: GridSpace}
	}
	study, err := tuner.Open(ctx, tuner.Config{
		Name: o.study, Direction: tuner.Maximize, Storage: st, Sampler: sampler, Seed: o.seed,
		Parallelism: o.workers, HeartbeatInterval: o.heartbeat, GracePeriod: o.grace, RequeueStale: true,
	})
	if err != nil {
		return fmt.Errorf("study %q in %s: %w", o.study, o.storage, err)
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, format+"\n", args...)
	}
	say("tune-worker: pid %d joined study %q in %s (%s, %d at once)", os.Getpid(), o.study, o.storage, o.sampler, o.workers)
	objective := iris.Objective()
	err = study.Optimize(ctx, func(ctx context.Context, t *tuner.Trial) (float64, error) {
		say("trial %d started", t.Number())
		v, err := objective(ctx, t)
		if holdTrial > 0 && err == nil {
			select { // a test's worker stays mid-trial, its parameters set
			case <-time.After(holdTrial):
			case <-ctx.Done():
			}
		}
		switch {
		case ctx.Err() != nil:
			say("trial %d stopped: %v", t.Number(), context.Cause(ctx))
		case err != nil:
			say("trial %d ended: %v", t.Number(), err)
		default:
			say("trial %d done: accuracy %.4f %v", t.Number(), v, t.Params())
		}
		return v, err
	}, tuner.Budget{Trials: o.trials})
	if err != nil {
		return err
	}
	best, err := study.Best(ctx)
	if err != nil {
		return err
	}
	say("best so far: trial %d, accuracy %.4f %v", best.Number, best.Value, best.Params)
	return nil
}
