// Command pareto chooses an MNIST classifier that is accurate, small and
// fast enough: a study of two objectives (validation accuracy, number of
// parameters) with a constraint on the latency of one request, pruned by
// successive halving on both objectives; its Pareto front read, a model
// chosen from it by two rules, the constraint changed after the fact, and
// what pruning cost: the program behind docs/pareto.md.
//
//	go run ./docs/tutorials/pareto   # about a minute on 2 cores; writes docs/img/pareto/*.png
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/pareto"
	"github.com/gradtune/gradtune/tuner/prune"
	"github.com/gradtune/gradtune/tuner/tunerplot"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// digits is the MNIST subset the study trains on.
type digits struct {
	Train, Val *data.Dataset // X (n, 784) float32 in [0, 1]; Y (n, 1): the digit
	Request    *tensor.Dense // one validation image (1, 784): what a request to the model holds
}

// loadDigits takes the first n images of MNIST's training set (from the
// GoMNIST Go module) and holds out val of them, drawn by seed, for
// validation.
func loadDigits(n, val int, seed uint64) (*digits, error) {
	full, _, err := datasets.MNIST(data.MNISTConfig{Dtype: tensor.Float32})
	if err != nil {
		return nil, err
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	subset, err := full.Subset(idx)
	if err != nil {
		return nil, err
	}
	train, held, err := subset.Split(float64(val)/float64(n), seed)
	if err != nil {
		return nil, err
	}
	one, err := held.Subset([]int{0})
	if err != nil {
		return nil, err
	}
	return &digits{Train: train, Val: held, Request: one.X}, nil
}

// Epochs each trial trains, at most.
const epochs = 5

// objective trains an MLP of one or two hidden layers and returns its
// validation accuracy and its number of parameters. RecordCost measures,
// after training, the model's latency on one request (the median of 25
// runs) and stores it on the trial; the constraint is that latency minus
// maxLatency, in milliseconds: ≤ 0 is feasible.
func objective(d *digits, maxLatency time.Duration) tuner.MultiObjective {
	return func(ctx context.Context, t *tuner.Trial) ([]float64, error) {
		hidden := make([]int, t.Int("layers", 1, 2))
		for i := range hidden {
			hidden[i] = t.Int(fmt.Sprintf("units_%d", i), 8, 512, tuner.Log())
		}
		lr := t.Float("lr", 1e-3, 1e-2, tuner.Log())
		if err := t.Err(); err != nil {
			return nil, err
		}
		m, err := model.New(model.MLP{Hidden: hidden, Out: 10}, model.Config{Inputs: 784, Seed: 1})
		if err != nil {
			return nil, err
		}
		var cost tunertrainer.Cost
		tr, err := trainer.New(m, trainer.Config{
			Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{}, Schedule: schedulers.Constant{LR: lr},
			Epochs: epochs, BatchSize: 64, Seed: 1, Quiet: true, MonitorEvery: -1,
			Metrics: []metrics.Metric{metrics.Accuracy{}},
			Callbacks: []trainer.Callback{
				// Each epoch: (val_accuracy, params) to the trial, which the
				// pruner may stop.
				tunertrainer.PruneOnMulti(t, "val_accuracy", tunertrainer.MonitorParams),
				tunertrainer.RecordCost(t, d.Request, tunertrainer.CostOptions{Repeats: 25}, &cost),
			},
		})
		if err != nil {
			return nil, err
		}
		defer tr.Close()
		h, err := tr.Fit(ctx, d.Train, d.Val)
		if err != nil {
			return nil, err // tuner.ErrPruned among them
		}
		if err := t.SetConstraints(ms(cost.LatencyPerSample - maxLatency)); err != nil {
			return nil, err
		}
		last, _ := h.Last()
		return []float64{last.ValMetrics["accuracy"], float64(cost.Params)}, nil
	}
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runStudy runs the study: two objectives, accuracy up and parameters
// down, one trial at a time (a trial training beside the one measured
// would slow its latency), successive halving on both objectives.
func runStudy(ctx context.Context, obj tuner.MultiObjective, trials int, seed uint64) (*tuner.Study, error) {
	study, err := tuner.Open(ctx, tuner.Config{
		Name:        "digits",
		Directions:  []tuner.Direction{tuner.Maximize, tuner.Minimize}, // val_accuracy, params
		Pruner:      &prune.SuccessiveHalving{MinResource: 2, ReductionFactor: 3},
		Seed:        seed,
		Parallelism: 1,
	})
	if err != nil {
		return nil, err
	}
	return study, study.OptimizeMulti(ctx, obj, tuner.Budget{Trials: trials})
}

// latency is what RecordCost measured on t.
func latency(t tuner.FrozenTrial) time.Duration {
	ns, _ := strconv.ParseInt(t.Attrs[tunertrainer.AttrLatencyNs], 10, 64)
	return time.Duration(ns)
}

// describe is a trial's model: "784-64-10".
func describe(t tuner.FrozenTrial) string {
	s := "784"
	for i := 0; i < t.Params["layers"].(int); i++ {
		s += fmt.Sprintf("-%d", t.Params[fmt.Sprintf("units_%d", i)].(int))
	}
	return s + "-10"
}

// bySize sorts trials by their number of parameters (objective 1), then
// by number: along a front sorted so, accuracy rises.
func bySize(trials []tuner.FrozenTrial) []tuner.FrozenTrial {
	out := slices.Clone(trials)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Values[1] < out[j].Values[1] })
	return out
}

// printFront prints the front, smallest model first.
func printFront(w io.Writer, front []tuner.FrozenTrial) {
	fmt.Fprintln(w, "| trial | model | accuracy | parameters | latency |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, t := range bySize(front) {
		fmt.Fprintf(w, "| %d | %s | %.3f | %.0f | %v |\n", t.Number, describe(t), t.Values[0], t.Values[1], latency(t).Round(time.Microsecond))
	}
}

// dominator returns a trial of front that dominates t (better or equal in
// both objectives, better in one), and false if none does.
func dominator(t tuner.FrozenTrial, front []tuner.FrozenTrial, dirs []tuner.Direction) (tuner.FrozenTrial, bool) {
	for _, f := range front {
		if pareto.Dominates(f.Values, t.Values, dirs) {
			return f, true
		}
	}
	return tuner.FrozenTrial{}, false
}

// smallestWithin is the first rule: the smallest model of the front whose
// accuracy is within tolerance of the front's best.
func smallestWithin(front []tuner.FrozenTrial, tolerance float64) tuner.FrozenTrial {
	best := 0.0
	for _, t := range front {
		best = math.Max(best, t.Values[0])
	}
	for _, t := range bySize(front) {
		if t.Values[0] >= best-tolerance {
			return t
		}
	}
	return tuner.FrozenTrial{} // not reached: the best is within
}

// knee is the second rule: starting from the front's smallest model, move
// to the next larger one while it buys at least minGain of accuracy per
// doubling of the parameters (a model of the same size is a tie: move on).
func knee(front []tuner.FrozenTrial, minGain float64) tuner.FrozenTrial {
	sorted := bySize(front)
	at := sorted[0]
	for _, next := range sorted[1:] {
		doublings := math.Log2(next.Values[1] / at.Values[1])
		if doublings > 0 && (next.Values[0]-at.Values[0])/doublings < minGain {
			break
		}
		at = next
	}
	return at
}

// frontWithin is the study's front under another latency bound: the
// complete trials whose recorded latency is at most maxLatency, those no
// other of them dominates. The constraint need not be known in advance:
// what it bounds was recorded.
func frontWithin(trials []tuner.FrozenTrial, dirs []tuner.Direction, maxLatency time.Duration) ([]tuner.FrozenTrial, error) {
	var fast []tuner.FrozenTrial
	var points [][]float64
	for _, t := range trials {
		if t.State == tuner.Complete && latency(t) <= maxLatency {
			fast, points = append(fast, t), append(points, t.Values)
		}
	}
	idx, err := pareto.Front(points, dirs)
	if err != nil {
		return nil, err
	}
	out := make([]tuner.FrozenTrial, len(idx))
	for i, j := range idx {
		out[i] = fast[j]
	}
	return out, nil
}

// rerunPruned trains each pruned configuration to the end, in a study of
// its own without a pruner, and returns those trials, ordered as given.
func rerunPruned(ctx context.Context, obj tuner.MultiObjective, pruned []tuner.FrozenTrial) ([]tuner.FrozenTrial, error) {
	if len(pruned) == 0 {
		return nil, nil
	}
	study, err := tuner.Open(ctx, tuner.Config{Name: "reruns", Parallelism: 1,
		Directions: []tuner.Direction{tuner.Maximize, tuner.Minimize}})
	if err != nil {
		return nil, err
	}
	for _, t := range pruned {
		if err := study.Enqueue(ctx, t.Params, t.Distributions); err != nil {
			return nil, err
		}
	}
	if err := study.OptimizeMulti(ctx, obj, tuner.Budget{Trials: len(pruned)}); err != nil {
		return nil, err
	}
	return study.Trials(ctx)
}

// count returns how many trials are in state s.
func count(trials []tuner.FrozenTrial, s tuner.TrialState) int {
	n := 0
	for _, t := range trials {
		if t.State == s {
			n++
		}
	}
	return n
}

// plots draws the front and, for objective 0 (accuracy), the parallel
// coordinates of the parameters and the learning curves, pruned ones
// dashed.
func plots(dir string, trials []tuner.FrozenTrial, dirs []tuner.Direction) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := tunerplot.ParetoFront(filepath.Join(dir, "front.png"), trials, dirs, "validation accuracy", "parameters"); err != nil {
		return err
	}
	accuracy, err := tunerplot.SelectObjective(trials, 0)
	if err != nil {
		return err
	}
	if err := tunerplot.ParallelCoordinates(filepath.Join(dir, "parallel.png"), accuracy, dirs[0]); err != nil {
		return err
	}
	return tunerplot.IntermediateValues(filepath.Join(dir, "curves.png"), accuracy)
}

// options are the program's flags.
type options struct {
	Trials     int           // trials of the study
	Seed       uint64        // the data split and the sampler
	MaxLatency time.Duration // the constraint: one request at most this
	Tighter    time.Duration // the bound of the "what if" front
	Img        string        // folder for the plots; "" → none
}

// run is the whole tutorial: it prints what docs/pareto.md quotes.
func run(ctx context.Context, w io.Writer, o options) error {
	start := time.Now()
	d, err := loadDigits(5000, 1000, o.Seed)
	if err != nil {
		return err
	}
	obj := objective(d, o.MaxLatency)
	study, err := runStudy(ctx, obj, o.Trials, o.Seed)
	if err != nil {
		return err
	}
	trials, err := study.Trials(ctx)
	if err != nil {
		return err
	}
	dirs := study.Directions()
	front, err := study.BestTrials(ctx)
	if err != nil {
		return err
	}
	infeasible := 0
	for _, t := range trials {
		if t.State == tuner.Complete && !pareto.Feasible(t.Constraints) {
			infeasible++
		}
	}
	fmt.Fprintf(w, "study: %d trials: %d complete (%d of them over %v), %d pruned; %d on the front\n",
		len(trials), count(trials, tuner.Complete), infeasible, o.MaxLatency, count(trials, tuner.Pruned), len(front))
	printFront(w, front)

	for _, t := range trials {
		if t.State != tuner.Complete {
			continue
		}
		if !pareto.Feasible(t.Constraints) {
			fmt.Fprintf(w, "off the front: trial %d (%s, %.3f, %.0f parameters) answers in %v, over %v\n",
				t.Number, describe(t), t.Values[0], t.Values[1], latency(t).Round(time.Microsecond), o.MaxLatency)
		} else if f, ok := dominator(t, front, dirs); ok {
			fmt.Fprintf(w, "off the front: trial %d (%s, %.3f, %.0f parameters) is dominated by trial %d (%.3f, %.0f)\n",
				t.Number, describe(t), t.Values[0], t.Values[1], f.Number, f.Values[0], f.Values[1])
		}
	}

	for _, tol := range []float64{0.01, 0.03} {
		c := smallestWithin(front, tol)
		fmt.Fprintf(w, "rule 1, accuracy within %.2f of the best: trial %d (%s, %.3f, %.0f parameters)\n", tol, c.Number, describe(c), c.Values[0], c.Values[1])
	}
	k := knee(front, 0.01)
	fmt.Fprintf(w, "rule 2, grow while a doubling buys 0.01: trial %d (%s, %.3f, %.0f parameters)\n", k.Number, describe(k), k.Values[0], k.Values[1])

	tight, err := frontWithin(trials, dirs, o.Tighter)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "with latency ≤ %v instead, the front has %d trials:\n", o.Tighter, len(tight))
	printFront(w, tight)
	if len(tight) > 0 {
		c := smallestWithin(tight, 0.01)
		fmt.Fprintf(w, "rule 1, accuracy within 0.01 of the best there: trial %d (%s, %.3f)\n", c.Number, describe(c), c.Values[0])
	}

	var pruned []tuner.FrozenTrial
	trained := 0
	for _, t := range trials {
		trained += len(t.IntermediateVectors)
		if t.State == tuner.Pruned {
			pruned = append(pruned, t)
		}
	}
	fmt.Fprintf(w, "pruning: %d epochs trained instead of %d (%.0f%% fewer)\n", trained, epochs*len(trials), 100*(1-float64(trained)/float64(epochs*len(trials))))
	reruns, err := rerunPruned(ctx, obj, pruned)
	if err != nil {
		return err
	}
	// The front of the study's complete trials and the reruns together.
	all := slices.Clone(trials)
	for _, r := range reruns {
		r.Number += len(trials)
		all = append(all, r)
	}
	joint, err := frontWithin(all, dirs, o.MaxLatency)
	if err != nil {
		return err
	}
	joined := 0
	for _, t := range joint {
		if t.Number >= len(trials) {
			joined++
			p := pruned[t.Number-len(trials)]
			step, v, _ := p.LastVector()
			fmt.Fprintf(w, "pruning: trial %d (%s) was stopped at epoch %d with accuracy %.3f; trained to the end: %.3f, on the front\n",
				p.Number, describe(p), step, v[0], t.Values[0])
		}
	}
	fmt.Fprintf(w, "pruning: %d of %d pruned configurations, trained to the end, would be on the front\n", joined, len(pruned))

	if o.Img != "" {
		if err := plots(o.Img, trials, dirs); err != nil {
			return err
		}
		fmt.Fprintf(w, "plots: %s/{front,parallel,curves}.png\n", o.Img)
	}
	fmt.Fprintf(w, "seconds: %.0f\n", time.Since(start).Seconds())
	return nil
}

func main() {
	trials := flag.Int("trials", 60, "trials of the study")
	seed := flag.Uint64("seed", 1, "the data split and the sampler")
	maxLatency := flag.Duration("latency", 100*time.Microsecond, "the constraint: one request at most this")
	tighter := flag.Duration("tighter", 20*time.Microsecond, "the bound of the what-if front")
	img := flag.String("img", "docs/img/pareto", "folder for the plots")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, options{Trials: *trials, Seed: *seed, MaxLatency: *maxLatency, Tighter: *tighter, Img: *img}); err != nil {
		log.Fatal(err)
	}
}
