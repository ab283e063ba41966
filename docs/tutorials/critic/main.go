// Command critic tunes a small MLP on MNIST digits in a deliberately bad
// search space, reads what the search-space critic (package tuner/critic)
// says about it, changes the space as each finding's Suggested
// distribution says, and tunes again with the same budget, until the
// critic has nothing left to say; then it scores each round's best
// configuration on held-out digits: the program behind docs/critic.md.
//
//	go run ./docs/tutorials/critic   # about 10 s on 2 cores
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/critic"
	"github.com/gradtune/gradtune/tuner/tunertrainer"
)

// digits are the MNIST images the studies train on, choose by and are
// judged on.
type digits struct {
	Train, Val *data.Dataset // X (n, 784) float32 in [0, 1]; Y (n, 1): the digit
	Test       *data.Dataset // held out from every study: the final score only
}

// loadDigits takes the first train+val images of MNIST's training set (from
// the GoMNIST Go module), val of them drawn by seed for validation, and the
// first test images of MNIST's test set.
func loadDigits(train, val, test int, seed uint64) (*digits, error) {
	full, fullTest, err := datasets.MNIST(data.MNISTConfig{Dtype: tensor.Float32})
	if err != nil {
		return nil, err
	}
	sub, err := full.Subset(firstRows(train + val))
	if err != nil {
		return nil, err
	}
	tr, va, err := sub.Split(float64(val)/float64(train+val), seed)
	if err != nil {
		return nil, err
	}
	te, err := fullTest.Subset(firstRows(test))
	if err != nil {
		return nil, err
	}
	return &digits{Train: tr, Val: va, Test: te}, nil
}

// firstRows is 0, 1, …, n−1.
func firstRows(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// param is one parameter of a search space.
type param struct {
	Name string
	Dist tuner.Distribution
}

// space is a search space, in the order the objective suggests its
// parameters. Written as data rather than as calls to Trial.Float, it can
// be changed by a program: follow does, from the critic's findings.
type space []param

// badSpace has three mistakes: a learning rate searched on a linear scale
// over three decades, whose top decade is mostly too high (and above 0.6
// training diverges); an initializer, "normal" (N(0, 1) weights), that
// saturates tanh units; and Adam's ε, which does nothing over this range.
var badSpace = space{
	{"lr", tuner.FloatDist{Low: 1e-3, High: 1}},
	{"init", tuner.CategoricalDist{Choices: []any{"xavier_uniform", "he_normal", "normal"}}},
	{"eps", tuner.FloatDist{Low: 1e-8, High: 1e-6, Log: true}},
}

// suggest draws p's value from the trial.
func suggest(t *tuner.Trial, p param) any {
	switch d := p.Dist.(type) {
	case tuner.FloatDist:
		var opts []tuner.Option
		if d.Log {
			opts = append(opts, tuner.Log())
		}
		if d.Step > 0 {
			opts = append(opts, tuner.Step(d.Step))
		}
		return t.Float(p.Name, d.Low, d.High, opts...)
	case tuner.IntDist:
		var opts []tuner.Option
		if d.Log {
			opts = append(opts, tuner.Log())
		}
		if d.Step > 1 {
			opts = append(opts, tuner.Step(float64(d.Step)))
		}
		return t.Int(p.Name, d.Low, d.High, opts...)
	case tuner.CategoricalDist:
		return t.Categorical(p.Name, d.Choices...)
	}
	return nil
}

// Epochs and batch size of every trial.
const (
	epochs = 3
	batch  = 32
)

// fit trains the MLP 784-32-10 (tanh) that params describe — lr, init and
// eps, each from params or its default — with Adam for 3 epochs, the
// callbacks watching, and returns the trainer (Close it) and the history.
// Initialization and shuffling are seeded: the same params train the same
// model.
func fit(ctx context.Context, d *digits, params map[string]any, callbacks ...trainer.Callback) (*trainer.Trainer, *trainer.History, error) {
	init, err := model.InitializerByName(valueOr(params, "init", "xavier_uniform"))
	if err != nil {
		return nil, nil, err
	}
	m, err := model.New(model.MLP{Hidden: []int{32}, Out: 10, Activation: model.Tanh{}, Init: init}, model.Config{Inputs: 784, Seed: 1})
	if err != nil {
		return nil, nil, err
	}
	tr, err := trainer.New(m, trainer.Config{
		Loss: losses.CrossEntropy{}, Optimizer: optimizers.Adam{Eps: valueOr(params, "eps", 1e-8)},
		Schedule: schedulers.Constant{LR: valueOr(params, "lr", 1e-3)},
		Epochs:   epochs, BatchSize: batch, Seed: 1, Quiet: true, MonitorEvery: 10,
		Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: callbacks,
	})
	if err != nil {
		return nil, nil, err
	}
	h, err := tr.Fit(ctx, d.Train, d.Val)
	if err != nil {
		tr.Close()
		return nil, nil, err
	}
	return tr, h, nil
}

// valueOr returns params[name], or def when the space has no such
// parameter.
func valueOr[T any](params map[string]any, name string, def T) T {
	if v, ok := params[name].(T); ok {
		return v
	}
	return def
}

// objective draws a configuration from sp and returns its validation
// accuracy after training. The training doctor watches every run: one it
// finds diverging, exploding, stuck at chance or with dead units is pruned
// at once, its cause in the trial's "diagnosis" attribute, which the
// critic's BadRegion check reads.
func objective(d *digits, sp space) tuner.Objective {
	return func(ctx context.Context, t *tuner.Trial) (float64, error) {
		params := map[string]any{}
		for _, p := range sp {
			params[p.Name] = suggest(t, p)
		}
		if err := t.Err(); err != nil {
			return 0, err
		}
		tr, h, err := fit(ctx, d, params, tunertrainer.PruneOnDiagnosis(t, diagnose.Options{Classes: 10}))
		if err != nil {
			return 0, err // pruned by diagnosis: wraps tuner.ErrPruned
		}
		defer tr.Close()
		last, _ := h.Last()
		return last.ValMetrics["accuracy"], nil
	}
}

// tune runs a study of trials random trials over sp, one at a time, and
// returns them and the critic's findings. A random search draws trial n's
// configuration from (seed, n) alone: two spaces searched with one seed
// see the same random numbers.
func tune(ctx context.Context, d *digits, sp space, trials int, seed uint64) ([]tuner.FrozenTrial, []critic.Finding, error) {
	study, err := tuner.Open(ctx, tuner.Config{Direction: tuner.Maximize, Sampler: tuner.RandomSampler{}, Seed: seed, Parallelism: 1})
	if err != nil {
		return nil, nil, err
	}
	if err := study.Optimize(ctx, objective(d, sp), tuner.Budget{Trials: trials}); err != nil {
		return nil, nil, err
	}
	all, err := study.Trials(ctx)
	if err != nil {
		return nil, nil, err
	}
	findings, err := critic.Review(all, study.Directions(), critic.Options{Seed: seed})
	if err != nil {
		return nil, nil, err
	}
	return all, findings, nil
}

// follow returns sp changed as the findings suggest, and one line per
// parameter changed. Several findings may change one parameter (a lower
// upper bound and a log scale): each sets only what it changes, a bound,
// the scale or the choices, so that they add up.
func follow(sp space, findings []critic.Finding) (space, []string) {
	out := slices.Clone(sp)
	var changes []string
	for i, p := range out {
		for _, f := range findings {
			if f.Param == p.Name && f.Suggested != nil {
				out[i].Dist = apply(out[i].Dist, sp[i].Dist, f.Suggested)
			}
		}
		if !tuner.Equal(out[i].Dist, p.Dist) {
			changes = append(changes, fmt.Sprintf("%s: %v → %v", p.Name, p.Dist, out[i].Dist))
		}
	}
	return out, changes
}

// apply sets in cur what suggested changed from was: a bound, the log
// scale or step, or (a categorical) drops the choices suggested left out.
// A suggestion of another kind than was replaces cur.
func apply(cur, was, suggested tuner.Distribution) tuner.Distribution {
	switch s := suggested.(type) {
	case tuner.FloatDist:
		c, okC := cur.(tuner.FloatDist)
		w, okW := was.(tuner.FloatDist)
		if okC && okW {
			c.Low, c.High = changed(c.Low, w.Low, s.Low), changed(c.High, w.High, s.High)
			c.Log, c.Step = changed(c.Log, w.Log, s.Log), changed(c.Step, w.Step, s.Step)
			return c
		}
	case tuner.IntDist:
		c, okC := cur.(tuner.IntDist)
		w, okW := was.(tuner.IntDist)
		if okC && okW {
			c.Low, c.High = changed(c.Low, w.Low, s.Low), changed(c.High, w.High, s.High)
			c.Log, c.Step = changed(c.Log, w.Log, s.Log), changed(c.Step, w.Step, s.Step)
			return c
		}
	case tuner.CategoricalDist:
		if c, ok := cur.(tuner.CategoricalDist); ok {
			var kept []any
			for _, x := range c.Choices {
				if slices.Contains(s.Choices, x) {
					kept = append(kept, x)
				}
			}
			return tuner.CategoricalDist{Choices: kept}
		}
	}
	return suggested
}

// changed returns suggested if it differs from was, else cur.
func changed[T comparable](cur, was, suggested T) T {
	if suggested != was {
		return suggested
	}
	return cur
}

// best returns the Complete trial of highest value, the first of equals.
func best(trials []tuner.FrozenTrial) (tuner.FrozenTrial, bool) {
	var b tuner.FrozenTrial
	ok := false
	for _, t := range trials {
		if t.State == tuner.Complete && (!ok || t.Value > b.Value) {
			b, ok = t, true
		}
	}
	return b, ok
}

// census says how the trials ended: "60 trials: 41 complete, 19 pruned by
// diagnosis (diverging 19)".
func census(trials []tuner.FrozenTrial) string {
	complete, pruned := 0, 0
	causes := map[string]int{}
	for _, t := range trials {
		switch t.State {
		case tuner.Complete:
			complete++
		case tuner.Pruned:
			pruned++
			causes[t.Attrs[tunertrainer.AttrDiagnosis]]++
		}
	}
	var cs []string
	for _, c := range slices.Sorted(maps.Keys(causes)) {
		cs = append(cs, fmt.Sprintf("%s %d", c, causes[c]))
	}
	s := fmt.Sprintf("%d trials: %d complete", len(trials), complete)
	if pruned > 0 {
		s += fmt.Sprintf(", %d pruned by diagnosis (%s)", pruned, strings.Join(cs, ", "))
	}
	if n := len(trials) - complete - pruned; n > 0 {
		s += fmt.Sprintf(", %d failed", n)
	}
	return s
}

// atLeast counts the Complete trials scoring v or more.
func atLeast(trials []tuner.FrozenTrial, v float64) int {
	n := 0
	for _, t := range trials {
		if t.State == tuner.Complete && t.Value >= v {
			n++
		}
	}
	return n
}

// findingsOf says "1 finding" or "n findings".
func findingsOf(n int) string {
	if n == 1 {
		return "1 finding"
	}
	return fmt.Sprintf("%d findings", n)
}

// describe prints a trial's parameters in sp's order, floats to 3 digits.
func describe(sp space, t tuner.FrozenTrial) string {
	var ps []string
	for _, p := range sp {
		v := t.Params[p.Name]
		if f, ok := v.(float64); ok {
			ps = append(ps, fmt.Sprintf("%s=%.3g", p.Name, f))
		} else {
			ps = append(ps, fmt.Sprintf("%s=%v", p.Name, v))
		}
	}
	return strings.Join(ps, " ")
}

// testAccuracy trains params again (the same model: training is seeded)
// and returns its accuracy on the held-out test digits.
func testAccuracy(ctx context.Context, d *digits, params map[string]any) (float64, error) {
	tr, _, err := fit(ctx, d, params)
	if err != nil {
		return 0, err
	}
	defer tr.Close()
	_, ms, err := tr.Evaluate(ctx, d.Test)
	return ms["accuracy"], err
}

// round is one study of the tutorial: its space, trials and findings, and
// its best configuration's score on the test digits.
type round struct {
	Space    space
	Trials   []tuner.FrozenTrial
	Findings []critic.Finding
	Best     tuner.FrozenTrial
	Test     float64
}

// options are the program's flags.
type options struct {
	Trials int    // trials per study: the budget, the same each round
	Rounds int    // studies at most
	Seed   uint64 // the data split, the sampler and the critic
}

// run is the whole tutorial: it prints what docs/critic.md quotes and
// returns the rounds, the last one with no finding unless Rounds ran out.
func run(ctx context.Context, w io.Writer, o options) ([]round, error) {
	start := time.Now()
	d, err := loadDigits(1000, 1000, 1000, o.Seed)
	if err != nil {
		return nil, err
	}
	var rounds []round
	sp := badSpace
	for r := 1; r <= o.Rounds; r++ {
		fmt.Fprintf(w, "== study %d\n", r)
		for _, p := range sp {
			fmt.Fprintf(w, "space: %-4s %v\n", p.Name, p.Dist)
		}
		trials, findings, err := tune(ctx, d, sp, o.Trials, o.Seed)
		if err != nil {
			return nil, err
		}
		b, ok := best(trials)
		if !ok {
			return nil, fmt.Errorf("study %d: no complete trial in %s", r, census(trials))
		}
		acc, err := testAccuracy(ctx, d, b.Params)
		if err != nil {
			return nil, err
		}
		rounds = append(rounds, round{Space: sp, Trials: trials, Findings: findings, Best: b, Test: acc})
		fmt.Fprintln(w, census(trials))
		fmt.Fprintf(w, "best: trial %d, validation accuracy %.3f, test accuracy %.3f: %s\n", b.Number, b.Value, acc, describe(sp, b))
		fmt.Fprintf(w, "trials scoring ≥ 0.85: %d\n", atLeast(trials, 0.85))
		if len(findings) == 0 {
			fmt.Fprintln(w, "critic: no finding")
			break
		}
		fmt.Fprintf(w, "critic: %s\n", findingsOf(len(findings)))
		for _, f := range findings {
			fmt.Fprintln(w, f)
		}
		var changes []string
		sp, changes = follow(sp, findings)
		for _, c := range changes {
			fmt.Fprintf(w, "change: %s\n", c)
		}
	}
	fmt.Fprintln(w, "== the best of each study, on the 1000 test digits")
	for i, r := range rounds {
		fmt.Fprintf(w, "study %d: test accuracy %.3f (validation %.3f), %s\n", i+1, r.Test, r.Best.Value, findingsOf(len(r.Findings)))
	}
	fmt.Fprintf(w, "seconds: %.0f\n", time.Since(start).Seconds())
	return rounds, nil
}

// sweep runs the tutorial for seeds 1…n, printing one table row each
// (sweepRow): how much of the page holds for other splits and draws.
func sweep(ctx context.Context, w io.Writer, o options, n int) error {
	fmt.Fprintln(w, "| seed | findings, study by study | test accuracy, first → last study | trials ≥ 0.85 |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for seed := uint64(1); seed <= uint64(n); seed++ {
		o.Seed = seed
		rounds, err := run(ctx, io.Discard, o)
		if err != nil {
			return fmt.Errorf("seed %d: %w", seed, err)
		}
		fmt.Fprintln(w, sweepRow(seed, rounds))
	}
	return nil
}

// sweepRow is one seed's row: each study's findings ("—" for none), and
// the first and last studies' best test accuracy and trials scoring ≥ 0.85.
func sweepRow(seed uint64, rounds []round) string {
	var studies []string
	for _, r := range rounds {
		var fs []string
		for _, f := range r.Findings {
			fs = append(fs, fmt.Sprintf("%s %s", f.Kind, f.Param))
		}
		if len(fs) == 0 {
			fs = []string{"—"}
		}
		studies = append(studies, strings.Join(fs, ", "))
	}
	first, last := rounds[0], rounds[len(rounds)-1]
	return fmt.Sprintf("| %d | %s | %.3f → %.3f | %d → %d |", seed, strings.Join(studies, " / "),
		first.Test, last.Test, atLeast(first.Trials, 0.85), atLeast(last.Trials, 0.85))
}

func main() {
	trials := flag.Int("trials", 60, "trials per study")
	rounds := flag.Int("rounds", 4, "studies at most")
	seed := flag.Uint64("seed", 1, "the data split, the sampler and the critic")
	seeds := flag.Int("seeds", 0, "if > 0, run seeds 1…seeds and print a table row for each instead")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	o := options{Trials: *trials, Rounds: *rounds, Seed: *seed}
	var err error
	if *seeds > 0 {
		err = sweep(ctx, os.Stdout, o, *seeds)
	} else {
		_, err = run(ctx, os.Stdout, o)
	}
	if err != nil {
		log.Fatal(err)
	}
}
