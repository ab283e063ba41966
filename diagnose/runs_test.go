package diagnose

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/optimizers"
	"github.com/gradtune/gradtune/schedulers"
	"github.com/gradtune/gradtune/trainer"
)

// fit trains m with cfg (quiet) and returns the history and error.
func fit(t *testing.T, m *model.Model, cfg trainer.Config, train, val *data.Dataset) (*trainer.History, error) {
	t.Helper()
	cfg.Quiet = true
	tr, err := trainer.New(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	return tr.Fit(ctx, train, val)
}

// The seed's linear regression (README) at lr 10, Adam, float32: the
// watchdog stops it within a few steps with an error naming the step and
// the layer, and Explain and Report carry the diagnosis.
func TestRunLinregLR10(t *testing.T) {
	m, err := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	w := &Watchdog{}
	h, err := fit(t, m, trainer.Config{Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: 10}, Epochs: 1000, BatchSize: 100,
		MonitorEvery: 1, Callbacks: []trainer.Callback{w}}, seedLinreg(t, tensor.Float32), nil)
	var de *DivergedError
	if !errors.As(err, &de) || !errors.Is(err, ErrDiverged) {
		t.Fatalf("Fit error = %v, want a *DivergedError", err)
	}
	if de.Step > 3 || de.Step != len(h.Monitor) {
		t.Errorf("stopped at step %d with %d monitored steps, want within 3 steps, each monitored", de.Step, len(h.Monitor))
	}
	last := h.Monitor[len(h.Monitor)-1]
	layer, g := "linear/W", last.Params[0].GradNorm
	if last.Params[1].GradNorm > g {
		layer, g = "linear/b", last.Params[1].GradNorm
	}
	want := fmt.Sprintf("step %d (epoch %d, batch 1), layer %s", de.Step, de.Step, layer)
	ex := Explain(err, h)
	if len(ex) != 1 || ex[0].Kind != Exploding || ex[0].Where != want || ex[0].Measures["layer_grad_norm"] != g {
		t.Fatalf("Explain = %v, want an exploding diagnosis at %q with %s's norm %v", ex, want, layer, g)
	}
	var b strings.Builder
	if err := Report(&b, append(ex, Analyze(h, Options{})...)); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"[error] exploding_gradients at " + want, "lower the learning rate (now 10)", "[warning] bad_learning_rate"} {
		if !strings.Contains(b.String(), part) {
			t.Errorf("report lacks %q:\n%s", part, b.String())
		}
	}
}

// blobs: n rows of f normal features, class c shifted by +2 on feature c.
func blobs(t *testing.T, n, f, classes int, seed uint64) *data.Dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 9))
	xs, ls := make([][]float64, n), make([]int, n)
	for i := range xs {
		l := rng.IntN(classes)
		x := make([]float64, f)
		for j := range x {
			x[j] = rng.NormFloat64()
		}
		x[l] += 2
		xs[i], ls[i] = x, l
	}
	ds, err := data.FromLabels(xs, ls, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// A 10-layer sigmoid MLP (gradtune's own init): vanishing gradients in
// the first layers, and a loss stuck at chance.
func TestRunDeepSigmoid(t *testing.T) {
	hidden := []int{32, 32, 32, 32, 32, 32, 32, 32, 32, 32}
	m, err := model.New(model.MLP{Hidden: hidden, Out: 3, Activation: model.Sigmoid{}}, model.Config{Inputs: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h, err := fit(t, m, trainer.Config{Loss: losses.CrossEntropy{}, Epochs: 5, BatchSize: 32}, blobs(t, 512, 8, 3, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	ds := Analyze(h, Options{Classes: 3})
	if got := fmt.Sprint(kinds(ds)); got != "[vanishing_gradients underfitting]" {
		t.Fatalf("kinds = %s, want [vanishing_gradients underfitting]\n%v", got, ds)
	}
	v := ds[0]
	if !strings.HasPrefix(v.Where, "layers dense0/W, dense1/W") {
		t.Errorf("Where = %q, want the first layers", v.Where)
	}
	var first, out []float64 // dense0/W and dense10/W over the monitored steps
	for _, mon := range h.Monitor {
		first, out = append(first, mon.Params[0].GradNorm), append(out, mon.Params[20].GradNorm)
	}
	if got, want := v.Measures["ratio"], median(first)/median(out); got != want || !(got < 1e-5) {
		t.Errorf("ratio = %v, want %v (< 1e-5)", got, want)
	}
	if u := ds[1]; u.Measures["loss"] != h.Epochs[4].TrainLoss || u.Measures["ln_c"] != math.Log(3) {
		t.Errorf("underfitting measures %v, want the last loss %v against ln 3", u.Measures, h.Epochs[4].TrainLoss)
	}
}

// The same kind of network with torch's weights, one step: the gradient
// norms the vanishing check reads are torch's, to 1e-9, and so is the
// ratio it reports.
func TestVanishingLikeTorch(t *testing.T) {
	f := loadTorch(t)
	s := f.Sigmoid10
	m, train := sigmoid10Model(t, f)
	h, err := fit(t, m, trainer.Config{Loss: losses.CrossEntropy{}, Optimizer: optimizers.SGD{}, Schedule: schedulers.Constant{LR: 0.1},
		Epochs: 1, BatchSize: len(s.X), MonitorEvery: 1}, train, nil)
	if err != nil {
		t.Fatal(err)
	}
	mon := h.Monitor[0]
	if !closeTo(mon.Loss, s.Loss, 1e-9) || !closeTo(mon.GradNorm, s.GradNorm, 1e-9) {
		t.Errorf("loss %.17g, global norm %.17g; torch %.17g, %.17g", mon.Loss, mon.GradNorm, s.Loss, s.GradNorm)
	}
	for i, p := range mon.Params {
		if p.Name != s.ParamNames[i] || !closeTo(p.GradNorm, s.GradNorms[i], 1e-9) {
			t.Errorf("%s: gradient norm %.17g, want %s %.17g (torch)", p.Name, p.GradNorm, s.ParamNames[i], s.GradNorms[i])
		}
	}
	outNorm := s.GradNorms[len(s.GradNorms)-2] // the output weight's
	var names []string
	for i := 0; i < len(s.GradNorms)-2; i += 2 {
		if s.GradNorms[i] < 1e-3*outNorm {
			names = append(names, s.ParamNames[i])
		}
	}
	ds := Analyze(h, Options{})
	v, ok := find(ds, Vanishing)
	if !ok || v.Where != "layers "+list(names, 6) {
		t.Fatalf("diagnoses %v, want vanishing at layers %v", ds, names)
	}
	if got, want := v.Measures["ratio"], s.GradNorms[0]/outNorm; !closeTo(got, want, 1e-9) {
		t.Errorf("ratio = %.17g, want %.17g (torch)", got, want)
	}
}

// A large MLP on 50 noisy samples memorizes them: overfitting, found after
// the epoch of the lowest validation loss.
func TestRunOverfitting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sample := func(n int) *data.Dataset {
		xs, ys := make([][]float64, n), make([][]float64, n)
		for i := range xs {
			x := rng.Float64()*2 - 1
			xs[i], ys[i] = []float64{x}, []float64{math.Sin(3*x) + 0.5*rng.NormFloat64()}
		}
		ds, err := data.FromRows(xs, ys, tensor.Float32)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	train, val := sample(50), sample(200)
	m, err := model.New(model.MLP{Hidden: []int{256, 256}, Out: 1}, model.Config{Inputs: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h, err := fit(t, m, trainer.Config{Loss: losses.MSE{}, Schedule: schedulers.Constant{LR: 3e-3}, Epochs: 200, BatchSize: 50}, train, val)
	if err != nil {
		t.Fatal(err)
	}
	best := h.Epochs[0]
	for _, e := range h.Epochs {
		if e.ValLoss < best.ValLoss {
			best = e
		}
	}
	last := h.Epochs[len(h.Epochs)-1]
	ds := Analyze(h, Options{})
	if got := fmt.Sprint(kinds(ds)); got != "[overfitting]" {
		t.Fatalf("kinds = %s, want [overfitting]\n%v", got, ds)
	}
	d := ds[0]
	if want := fmt.Sprintf("epochs %d–%d", best.Epoch+1, last.Epoch); d.Where != want {
		t.Errorf("Where = %q, want %q", d.Where, want)
	}
	for k, want := range map[string]float64{"best_epoch": float64(best.Epoch), "val_best": best.ValLoss, "val_last": last.ValLoss,
		"train_best": best.TrainLoss, "train_last": last.TrainLoss, "gap_last": last.ValLoss - last.TrainLoss} {
		if got := d.Measures[k]; got != want {
			t.Errorf("Measures[%q] = %v, want %v", k, got, want)
		}
	}
	if d.Measures["gap_last"] <= d.Measures["gap_best"] || d.Measures["rise"] <= 0.05 {
		t.Errorf("gap %v → %v, rise %v: want a widening gap and a rise above 5%%", d.Measures["gap_best"], d.Measures["gap_last"], d.Measures["rise"])
	}
}

// A healthy MNIST run (784-128-10 ReLU, Adam 1e-3, one epoch on 10,000
// images): no false alarm from Preflight, the Watchdog or Analyze.
func TestRunMNISTHealthy(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST")
	}
	all, test, err := datasets.MNIST(data.MNISTConfig{})
	if err != nil {
		t.Fatal(err)
	}
	first := func(ds *data.Dataset, n int) *data.Dataset {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		sub, err := ds.Subset(idx)
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	train, val := first(all, 10000), first(test, 2000)
	m, err := model.New(model.MLP{Hidden: []int{128}, Out: 10}, model.Config{Inputs: 784, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	w := &Watchdog{}
	cfg := trainer.Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Constant{LR: 1e-3}, Epochs: 1, BatchSize: 128,
		Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: []trainer.Callback{w}}
	pre, err := Preflight(ctx, m, cfg, train, val, PreflightOptions{})
	if err != nil || pre != nil {
		t.Fatalf("Preflight = %v, %v; want no diagnosis", pre, err)
	}
	h, err := fit(t, m, cfg, train, val)
	if err != nil {
		t.Fatal(err)
	}
	if acc := h.Epochs[0].ValMetrics["accuracy"]; acc < 0.85 {
		t.Fatalf("validation accuracy %v: the run is not healthy", acc)
	}
	if ds := Analyze(h, Options{Classes: 10}); ds != nil || w.Diagnoses != nil {
		t.Fatalf("Analyze = %v, Watchdog = %v; want no diagnosis", ds, w.Diagnoses)
	}
	var b strings.Builder
	if err := Report(&b, nil); err != nil || b.String() != "diagnose: no problems found\n" {
		t.Errorf("Report = %q, %v", b.String(), err)
	}
}
