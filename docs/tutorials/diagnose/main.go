// Command diagnose crafts training runs that fail — exploding, vanishing,
// overfitting, stuck at chance, fed leaky or unscaled data — and prints what
// package diagnose says about each, with the fix and its plots: the program
// behind docs/diagnose.md.
//
//	go run ./docs/tutorials/diagnose              # writes docs/img/diagnose/*.png
//	go run ./docs/tutorials/diagnose -n 2000      # quicker: fewer MNIST images
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot/vg"
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/lrfinder"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/plots"
	"github.com/gradtune/gradtune/report"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
	"github.com/gradtune/gradtune/validation"
)

// outcome is one run: the model, its history, Fit's error when training
// failed (diverged or non-finite) and the diagnoses of the run.
type outcome struct {
	Model     *model.Model
	History   *trainer.History
	Err       error
	Diagnoses []diagnose.Diagnosis
}

// train fits m and diagnoses the run: Explain for the error that stopped it,
// Analyze for the history. An error Explain cannot read (a bad config, data
// that do not fit) is returned as an error, not as a diagnosis.
func train(ctx context.Context, m *model.Model, cfg trainer.Config, trainSet, val *data.Dataset, opts diagnose.Options) (outcome, error) {
	cfg.Quiet = true
	tr, err := trainer.New(m, cfg)
	if err != nil {
		return outcome{}, err
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, trainSet, val)
	out := outcome{Model: m, History: h, Err: err, Diagnoses: diagnose.Explain(err, h)}
	if err != nil && out.Diagnoses == nil {
		return out, err
	}
	out.Diagnoses = append(out.Diagnoses, diagnose.Analyze(h, opts)...)
	return out, nil
}

// kinds lists the kinds of ds, in order.
func kinds(ds []diagnose.Diagnosis) []diagnose.Kind {
	var ks []diagnose.Kind
	for _, d := range ds {
		ks = append(ks, d.Kind)
	}
	return ks
}

// ---- 1. Exploding: the seed's linear regression at lr 10 ----

// linregData is the seed's example: X = rand(100, 1), y = 3X + rand(100, 1).
func linregData() (*data.Dataset, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs, ys := make([][]float64, 100), make([][]float64, 100)
	for i := range xs {
		x := rng.Float64()
		xs[i], ys[i] = []float64{x}, []float64{3*x + rng.Float64()}
	}
	return data.FromRows(xs, ys, tensor.Float32)
}

// linregConfig is the seed's training setup at rate lr: MSE, Adam, 1000
// full-batch epochs, gradient statistics at every step, and a Watchdog.
func linregConfig(lr float64) trainer.Config {
	return trainer.Config{
		Loss:         losses.MSE{},
		Schedule:     schedulers.Constant{LR: lr}, // Adam by default
		Epochs:       1000,
		BatchSize:    100,
		MonitorEvery: 1, // the Watchdog reads gradient norms on monitored steps
		Callbacks:    []trainer.Callback{&diagnose.Watchdog{}},
		Quiet:        true,
	}
}

// linreg trains a fresh nn.Linear(1, 1) (seed 1) on ds at rate lr.
func linreg(ctx context.Context, ds *data.Dataset, lr float64) (outcome, error) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		return outcome{}, err
	}
	return train(ctx, m, linregConfig(lr), ds, nil, diagnose.Options{})
}

// linregRange runs the LR range test on the same model, data and
// configuration: 100 full-batch steps, the rate growing from 1e-7 to 10 (the
// sweep replaces the configuration's schedule and drops its callbacks).
func linregRange(ctx context.Context, ds *data.Dataset) (*lrfinder.Result, error) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		return nil, err
	}
	return lrfinder.Run(ctx, m, linregConfig(1), ds, lrfinder.Config{Seed: 1})
}

// weights returns the first value of each parameter of m (float32).
func weights(m *model.Model) []float32 {
	var ws []float32
	for _, p := range m.Params() {
		ws = append(ws, p.Value.Data().([]float32)[0])
	}
	return ws
}

// ---- 2. Vanishing gradients: a 10-layer sigmoid MLP ----

// blobs returns n rows of f standard-normal features in classes classes,
// class c shifted by +2 on feature c: easy to separate, if the gradient
// reaches the first layer.
func blobs(n, f, classes int, seed uint64) (*data.Dataset, error) {
	rng := rand.New(rand.NewPCG(seed, 9))
	xs, labels := make([][]float64, n), make([]int, n)
	for i := range xs {
		l := rng.IntN(classes)
		x := make([]float64, f)
		for j := range x {
			x[j] = rng.NormFloat64()
		}
		x[l] += 2
		xs[i], labels[i] = x, l
	}
	return data.FromLabels(xs, labels, tensor.Float32)
}

// deep trains a 10-layer MLP of 32 units per layer with act on ds; MLP
// initializes ReLU layers with He normal and others with Xavier uniform.
func deep(ctx context.Context, ds *data.Dataset, classes int, act model.Activation) (outcome, error) {
	hidden := []int{32, 32, 32, 32, 32, 32, 32, 32, 32, 32}
	m, err := model.New(model.MLP{Hidden: hidden, Out: classes, Activation: act}, model.Config{Inputs: ds.Features(), Seed: 1})
	if err != nil {
		return outcome{}, err
	}
	cfg := trainer.Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Constant{LR: 1e-3},
		Epochs: 5, BatchSize: 32, Seed: 1, MonitorEvery: 10}
	return train(ctx, m, cfg, ds, nil, diagnose.Options{Classes: classes})
}

// depthProfile returns each weight matrix's median gradient norm over the
// monitored steps, input layer first: the profile Analyze's vanishing check
// compares with the output layer's.
func depthProfile(h *trainer.History) []float64 {
	var out []float64
	for i, p := range h.Monitor[0].Params {
		if !p.Decay { // biases
			continue
		}
		var norms []float64
		for _, m := range h.Monitor {
			norms = append(norms, m.Params[i].GradNorm)
		}
		slices.Sort(norms)
		n := len(norms) // the median, as Analyze takes it: the mean of the middle two for an even n
		out = append(out, (norms[(n-1)/2]+norms[n/2])/2)
	}
	return out
}

// ---- 3. Overfitting: a large MLP on 50 samples ----

// bigMLPConfig trains two hidden layers of 256 ReLU units (≈ 71,000
// weights for 20 features) on 50 samples: full batch, Adam 1e-3, 100 epochs.
func bigMLPConfig(callbacks ...trainer.Callback) trainer.Config {
	return trainer.Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Constant{LR: 1e-3},
		Epochs: 100, BatchSize: 50, Seed: 1, Callbacks: callbacks}
}

// bigMLP is the model of the overfitting runs, the same weights every time
// (seed 1).
func bigMLP(features, classes int) (*model.Model, error) {
	return model.New(model.MLP{Hidden: []int{256, 256}, Out: classes}, model.Config{Inputs: features, Seed: 1})
}

// overfit trains the big MLP for all 100 epochs.
func overfit(ctx context.Context, trainSet, val *data.Dataset, classes int) (outcome, error) {
	m, err := bigMLP(trainSet.Features(), classes)
	if err != nil {
		return outcome{}, err
	}
	return train(ctx, m, bigMLPConfig(), trainSet, val, diagnose.Options{Classes: classes})
}

// earlyStopped is the fix: the same run with EarlyStopping, which stops
// once the validation loss has not improved for Patience epochs and restores
// the weights of the best epoch. FinalValLoss is the validation loss of the
// model Fit returns, measured afresh.
type earlyStopped struct {
	Stop         *trainer.EarlyStopping
	History      *trainer.History
	FinalValLoss float64
}

// stopEarly trains the big MLP again with EarlyStopping{Patience: patience}.
func stopEarly(ctx context.Context, trainSet, val *data.Dataset, classes, patience int) (*earlyStopped, error) {
	m, err := bigMLP(trainSet.Features(), classes)
	if err != nil {
		return nil, err
	}
	stop := &trainer.EarlyStopping{Patience: patience} // monitors val_loss
	cfg := bigMLPConfig(stop)
	cfg.Quiet = true
	tr, err := trainer.New(m, cfg)
	if err != nil {
		return nil, err
	}
	defer tr.Close()
	h, err := tr.Fit(ctx, trainSet, val)
	if err != nil {
		return nil, err
	}
	final, _, err := tr.Evaluate(ctx, val)
	if err != nil {
		return nil, err
	}
	return &earlyStopped{Stop: stop, History: h, FinalValLoss: final}, nil
}

// ---- 4. Underfitting: stuck at chance ----

// classifier trains a 784-128-10 (or features-128-classes) ReLU MLP with
// Adam at rate lr for 3 epochs, monitoring every 10 steps.
func classifier(ctx context.Context, trainSet, val *data.Dataset, classes int, lr float64) (outcome, error) {
	m, err := model.New(model.MLP{Hidden: []int{128}, Out: classes}, model.Config{Inputs: trainSet.Features(), Seed: 1})
	if err != nil {
		return outcome{}, err
	}
	cfg := trainer.Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Constant{LR: lr},
		Epochs: 3, BatchSize: 64, Seed: 1, MonitorEvery: 10, Metrics: []metrics.Metric{metrics.Accuracy{}}}
	return train(ctx, m, cfg, trainSet, val, diagnose.Options{Classes: classes})
}

// ---- 5. Preflight: leakage and unscaled features ----

// customers is a crafted table: age in years, income in euros, share of
// purchases online in [0, 1]; the label says whether the customer churned.
// Like many exports, it lists some customers twice (every 5th row is
// repeated at the end).
func customers(n int, seed uint64) (xs [][]float64, labels []int) {
	rng := rand.New(rand.NewPCG(seed, 5))
	for range n {
		age, income, online := 18+rng.Float64()*62, 15000+rng.Float64()*135000, rng.Float64()
		churn := 0
		if 0.04*(age-50)-(income-80000)/40000+2*(online-0.5)+0.5*rng.NormFloat64() > 0 {
			churn = 1
		}
		xs, labels = append(xs, []float64{age, income, online}), append(labels, churn)
	}
	for i := 0; i < n; i += 5 {
		xs, labels = append(xs, xs[i]), append(labels, labels[i])
	}
	return xs, labels
}

// preflight checks a 3-32-2 MLP and its data before any training.
func preflight(ctx context.Context, trainSet, val *data.Dataset) ([]diagnose.Diagnosis, error) {
	m, err := model.New(model.MLP{Hidden: []int{32}, Out: 2}, model.Config{Inputs: 3, Seed: 1})
	if err != nil {
		return nil, err
	}
	cfg := trainer.Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Constant{LR: 1e-2}, Epochs: 20, BatchSize: 32}
	return diagnose.Preflight(ctx, m, cfg, trainSet, val,
		diagnose.PreflightOptions{Seed: 1, FeatureNames: []string{"age", "income", "online"}})
}

// naiveSplit splits the table as exported: 20 % for validation.
func naiveSplit(xs [][]float64, labels []int) (trainSet, val *data.Dataset, err error) {
	ds, err := data.FromLabels(xs, labels, tensor.Float32)
	if err != nil {
		return nil, nil, err
	}
	return ds.Split(0.2, 1)
}

// cleanSplit is the fix: drop repeated rows before splitting, then
// standardize every feature with the training set's mean and deviation.
func cleanSplit(xs [][]float64, labels []int) (trainSet, val *data.Dataset, err error) {
	seen := map[string]bool{}
	var ux [][]float64
	var ul []int
	for i, x := range xs {
		key := fmt.Sprint(x)
		if !seen[key] {
			seen[key] = true
			ux, ul = append(ux, x), append(ul, labels[i])
		}
	}
	if trainSet, val, err = naiveSplit(ux, ul); err != nil {
		return nil, nil, err
	}
	s, err := validation.Fit(trainSet) // training rows only
	if err != nil {
		return nil, nil, err
	}
	if trainSet, err = s.Transform(trainSet); err != nil {
		return nil, nil, err
	}
	val, err = s.Transform(val)
	return trainSet, val, err
}

// ---- 6. The LR range test on MNIST ----

// mnistRange runs the range test for a 784-128-10 ReLU MLP with Adam, batch
// 64: 100 steps from 1e-7 to 10 (the defaults).
func mnistRange(ctx context.Context, ds *data.Dataset) (*lrfinder.Result, error) {
	m, err := model.New(model.MLP{Hidden: []int{128}, Out: 10}, model.Config{Inputs: 784, Seed: 1})
	if err != nil {
		return nil, err
	}
	cfg := trainer.Config{Loss: losses.CrossEntropy{}, BatchSize: 64, Quiet: true}
	return lrfinder.Run(ctx, m, cfg, ds, lrfinder.Config{Seed: 1})
}

// ---- plots ----

var chartW, chartH = 7 * vg.Inch, 4.5 * vg.Inch

// stepLosses returns the loss of each monitored step, and the steps.
func stepLosses(h *trainer.History, max int) (steps, loss []float64) {
	for _, m := range h.Monitor {
		if m.Step > max {
			break
		}
		steps, loss = append(steps, float64(m.Step)), append(loss, m.Loss)
	}
	return steps, loss
}

// epochLosses returns the epochs and their training and validation losses.
func epochLosses(h *trainer.History) (epochs, trainLoss, valLoss []float64) {
	for _, e := range h.Epochs {
		epochs = append(epochs, float64(e.Epoch))
		trainLoss, valLoss = append(trainLoss, e.TrainLoss), append(valLoss, e.ValLoss)
	}
	return epochs, trainLoss, valLoss
}

// reportChart writes one of report.Write's plots (name, say "lrfinder") as
// path, through a scratch folder.
func reportChart(in report.Input, name, path string) error {
	dir, err := os.MkdirTemp("", "diagnose-report")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if _, err := report.Write(dir, in); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(dir, name+".png"))
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// ---- the tutorial ----

// printReport prints a title and diagnose.Report's text for ds.
func printReport(w io.Writer, title string, ds []diagnose.Diagnosis) error {
	fmt.Fprintf(w, "\n### %s\n", title)
	return diagnose.Report(w, ds)
}

// tutorial runs the six sections in order, printing to w and writing the
// plots into out. mnistTrain and mnistVal may be nil: sections 4 and 6,
// which train on MNIST, are then skipped.
func tutorial(ctx context.Context, w io.Writer, out string, mnistTrain, mnistVal *data.Dataset) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	sections := []func() error{
		func() error { return sectionExploding(ctx, w, out) },
		func() error { return sectionVanishing(ctx, w, out) },
		func() error { return sectionOverfitting(ctx, w, out) },
		func() error { return sectionUnderfitting(ctx, w, out, mnistTrain, mnistVal) },
		func() error { return sectionPreflight(ctx, w) },
		func() error { return sectionRange(ctx, w, out, mnistTrain, mnistVal) },
	}
	for _, section := range sections {
		if err := section(); err != nil {
			return err
		}
	}
	return nil
}

func sectionExploding(ctx context.Context, w io.Writer, out string) error {
	ds, err := linregData()
	if err != nil {
		return err
	}
	bad, err := linreg(ctx, ds, 10)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## 1. Exploding\n\nFit at lr 10 returned: %v\n", bad.Err)
	if err := printReport(w, "diagnoses at lr 10", bad.Diagnoses); err != nil {
		return err
	}
	res, err := linregRange(ctx, ds)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nLR range test: %s\n", res.Reason)
	if !res.Trustworthy {
		return fmt.Errorf("the range test gave no rate for the linear regression: %s", res.Reason)
	}
	good, err := linreg(ctx, ds, res.Suggested)
	if err != nil {
		return err
	}
	last, _ := good.History.Last()
	ws := weights(good.Model)
	fmt.Fprintf(w, "at lr %.3g: %d epochs, weight=%.4f bias=%.4f mse=%.4f\n", res.Suggested, len(good.History.Epochs), ws[0], ws[1], last.TrainLoss)
	if err := printReport(w, fmt.Sprintf("diagnoses at lr %.3g", res.Suggested), good.Diagnoses); err != nil {
		return err
	}
	bx, by := stepLosses(bad.History, 50)
	gx, gy := stepLosses(good.History, 50)
	chart := plots.Chart{Title: "Linear regression: loss of the first 50 steps", XLabel: "step", YLabel: "MSE", LogY: true,
		Series: []plots.Series{{Name: "lr 10 (stopped by the Watchdog)", X: bx, Y: by}, {Name: fmt.Sprintf("lr %.3g (range test)", res.Suggested), X: gx, Y: gy}}}
	if err := chart.Save(filepath.Join(out, "exploding.png"), chartW, chartH); err != nil {
		return err
	}
	return reportChart(report.Input{LRRange: res}, "lrfinder", filepath.Join(out, "linreg-lrfinder.png"))
}

func sectionVanishing(ctx context.Context, w io.Writer, out string) error {
	ds, err := blobs(512, 8, 3, 1)
	if err != nil {
		return err
	}
	sig, err := deep(ctx, ds, 3, model.Sigmoid{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## 2. Vanishing\n")
	if err := printReport(w, "10 sigmoid layers, Xavier init", sig.Diagnoses); err != nil {
		return err
	}
	relu, err := deep(ctx, ds, 3, model.ReLU{})
	if err != nil {
		return err
	}
	if err := printReport(w, "10 ReLU layers, He init", relu.Diagnoses); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, r := range []struct {
		name string
		o    outcome
	}{{"sigmoid", sig}, {"relu", relu}} {
		last, _ := r.o.History.Last()
		fmt.Fprintf(w, "%s: final training loss %.4f (ln 3 = %.4f); median gradient norms, input to output:", r.name, last.TrainLoss, math.Log(3))
		for _, g := range depthProfile(r.o.History) {
			fmt.Fprintf(w, " %.3g", g)
		}
		fmt.Fprintln(w)
	}
	chart := plots.Chart{Title: "Median gradient norm per layer (10 hidden layers of 32 units)", XLabel: "weight matrix (1 = input layer, 11 = output layer)",
		YLabel: "gradient L2 norm", LogY: true, Series: []plots.Series{
			{Name: "sigmoid, Xavier init", Y: depthProfile(sig.History)},
			{Name: "ReLU, He init", Y: depthProfile(relu.History)},
		}}
	return chart.Save(filepath.Join(out, "vanishing.png"), chartW, chartH)
}

func sectionOverfitting(ctx context.Context, w io.Writer, out string) error {
	trainSet, err := blobs(50, 20, 3, 3)
	if err != nil {
		return err
	}
	val, err := blobs(500, 20, 3, 4)
	if err != nil {
		return err
	}
	o, err := overfit(ctx, trainSet, val, 3)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## 3. Overfitting\n")
	if err := printReport(w, "256-256 MLP on 50 samples, 100 epochs", o.Diagnoses); err != nil {
		return err
	}
	es, err := stopEarly(ctx, trainSet, val, 3, 3)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nEarlyStopping{Patience: 3}: best epoch %d, val_loss %.6f; stopped after epoch %d; validation loss of the model Fit returned: %.6f\n",
		es.Stop.BestEpoch, es.Stop.Best, es.Stop.StoppedEpoch, es.FinalValLoss)
	x, tl, vl := epochLosses(o.History)
	chart := plots.Chart{Title: "256-256 MLP on 50 samples: loss per epoch", XLabel: "epoch", YLabel: "cross-entropy",
		YMin: 0, YMax: 1.2, // the validation loss's rise is what matters; epoch 1's training loss is clipped
		Series: []plots.Series{{Name: "train", X: x, Y: tl}, {Name: "validation", X: x, Y: vl}},
		Marks: []plots.Mark{
			{Name: fmt.Sprintf("best epoch (%d)", es.Stop.BestEpoch), X: float64(es.Stop.BestEpoch)},
			{Name: fmt.Sprintf("EarlyStopping stops (%d)", es.Stop.StoppedEpoch), X: float64(es.Stop.StoppedEpoch)},
		}}
	return chart.Save(filepath.Join(out, "overfitting.png"), chartW, chartH)
}

func sectionUnderfitting(ctx context.Context, w io.Writer, out string, trainSet, val *data.Dataset) error {
	if trainSet == nil {
		return nil
	}
	slow, err := classifier(ctx, trainSet, val, 10, 1e-7)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## 4. Underfitting\n")
	if err := printReport(w, "MNIST 784-128-10, Adam lr 1e-7", slow.Diagnoses); err != nil {
		return err
	}
	good, err := classifier(ctx, trainSet, val, 10, 1e-3)
	if err != nil {
		return err
	}
	if err := printReport(w, "the same at lr 1e-3", good.Diagnoses); err != nil {
		return err
	}
	fmt.Fprintln(w)
	var series []plots.Series
	for _, r := range []struct {
		name string
		o    outcome
	}{{"lr 1e-7", slow}, {"lr 1e-3", good}} {
		last, _ := r.o.History.Last()
		fmt.Fprintf(w, "%s: training loss %.4f, validation accuracy %.4f\n", r.name, last.TrainLoss, last.ValMetrics["accuracy"])
		x, y := stepLosses(r.o.History, math.MaxInt)
		series = append(series, plots.Series{Name: r.name, X: x, Y: y})
	}
	x := series[0].X
	chance := make([]float64, len(x))
	for i := range chance {
		chance[i] = math.Log(10)
	}
	series = append(series, plots.Series{Name: "chance: ln 10", X: x, Y: chance})
	chart := plots.Chart{Title: "MNIST 784-128-10: batch loss every 10 steps", XLabel: "step", YLabel: "cross-entropy",
		YMin: 0, YMax: 3, Series: series} // room above ln 10 for the legend
	return chart.Save(filepath.Join(out, "underfitting.png"), chartW, chartH)
}

func sectionPreflight(ctx context.Context, w io.Writer) error {
	xs, labels := customers(500, 1)
	trainSet, val, err := naiveSplit(xs, labels)
	if err != nil {
		return err
	}
	ds, err := preflight(ctx, trainSet, val)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## 5. Preflight\n")
	if err := printReport(w, "the table as exported", ds); err != nil {
		return err
	}
	if trainSet, val, err = cleanSplit(xs, labels); err != nil {
		return err
	}
	if ds, err = preflight(ctx, trainSet, val); err != nil {
		return err
	}
	return printReport(w, "deduplicated, then standardized", ds)
}

func sectionRange(ctx context.Context, w io.Writer, out string, trainSet, val *data.Dataset) error {
	if trainSet == nil {
		return nil
	}
	res, err := mnistRange(ctx, trainSet)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n## 6. LR range test on MNIST\n\n%s\n", res.Reason)
	if !res.Trustworthy {
		return fmt.Errorf("the range test gave no rate for MNIST: %s", res.Reason)
	}
	o, err := classifier(ctx, trainSet, val, 10, res.Suggested)
	if err != nil {
		return err
	}
	last, _ := o.History.Last()
	fmt.Fprintf(w, "at lr %.3g: training loss %.4f, validation accuracy %.4f\n", res.Suggested, last.TrainLoss, last.ValMetrics["accuracy"])
	if err := printReport(w, fmt.Sprintf("diagnoses at lr %.3g", res.Suggested), o.Diagnoses); err != nil {
		return err
	}
	return reportChart(report.Input{LRRange: res}, "lrfinder", filepath.Join(out, "lrfinder.png"))
}

// firstRows returns n rows of ds from row from on.
func firstRows(ds *data.Dataset, from, n int) (*data.Dataset, error) {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = from + i
	}
	return ds.Subset(idx)
}

func main() {
	n := flag.Int("n", 5000, "MNIST training images (the first n), and n/5 validation images after them")
	out := flag.String("out", "docs/img/diagnose", "folder for the plots")
	flag.Parse()
	ctx := context.Background()

	all, _, err := datasets.MNIST(data.MNISTConfig{})
	if err != nil {
		log.Fatal(err)
	}
	trainSet, err := firstRows(all, 0, *n)
	if err != nil {
		log.Fatal(err)
	}
	val, err := firstRows(all, *n, *n/5)
	if err != nil {
		log.Fatal(err)
	}
	if err := tutorial(ctx, os.Stdout, *out, trainSet, val); err != nil {
		log.Fatal(err)
	}
}
