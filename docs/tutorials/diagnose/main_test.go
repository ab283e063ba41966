package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/datasets"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/model"
)

var ctx = context.Background()

// mnist returns n training rows and n/5 validation rows after them; the
// test is skipped under -short.
func mnist(t *testing.T, n int) (trainSet, val *data.Dataset) {
	t.Helper()
	if testing.Short() {
		t.Skip("trains on MNIST; skipped with -short")
	}
	all, _, err := datasets.MNIST(data.MNISTConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if trainSet, err = firstRows(all, 0, n); err != nil {
		t.Fatal(err)
	}
	if val, err = firstRows(all, n, n/5); err != nil {
		t.Fatal(err)
	}
	return trainSet, val
}

// need returns a function that passes on a data set, failing t on an
// error: need(t)(blobs(…)).
func need(t *testing.T) func(*data.Dataset, error) *data.Dataset {
	return func(ds *data.Dataset, err error) *data.Dataset {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
}

func sorted(ds []diagnose.Diagnosis) []diagnose.Kind {
	ks := kinds(ds)
	slices.Sort(ks)
	return ks
}

// Section 1: the Watchdog stops lr 10 within 3 steps with an exploding
// diagnosis naming lr 10; the range test's rate trains the line without a
// diagnosis, to the weight 3 and about the noise's variance, 1/12.
func TestExploding(t *testing.T) {
	ds := need(t)(linregData())
	res, err := linregRange(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Trustworthy || !(res.Suggested > 1e-3 && res.Suggested < 10) {
		t.Fatalf("range test: %s", res.Reason)
	}
	for _, c := range []struct {
		lr       float64
		diverges bool
		kinds    []diagnose.Kind
	}{
		{10, true, []diagnose.Kind{diagnose.Exploding, diagnose.BadLR}},
		{res.Suggested, false, nil},
	} {
		t.Run(fmt.Sprintf("lr %.3g", c.lr), func(t *testing.T) {
			o, err := linreg(ctx, ds, c.lr)
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(o.Diagnoses); !slices.Equal(got, c.kinds) {
				t.Fatalf("kinds %v, want %v\n%v", got, c.kinds, o.Diagnoses)
			}
			epochs := len(o.History.Epochs)
			if !c.diverges {
				last, _ := o.History.Last()
				if w := weights(o.Model); o.Err != nil || epochs != 1000 || math.Abs(float64(w[0])-3) > 0.2 || last.TrainLoss > 0.1 {
					t.Errorf("Fit %v after %d epochs, weight %v, mse %v; want 1000 epochs, weight 3 ± 0.2, mse < 0.1", o.Err, epochs, w[0], last.TrainLoss)
				}
				return
			}
			var de *diagnose.DivergedError
			if !errors.As(o.Err, &de) || de.Step > 3 || epochs >= 3 {
				t.Fatalf("Fit error %v after %d epochs, want a DivergedError within 3 steps", o.Err, epochs)
			}
			if fix := o.Diagnoses[0].Fix; !strings.Contains(fix, "now 10") {
				t.Errorf("fix %q does not name lr 10", fix)
			}
		})
	}
}

// Section 2: the sigmoid stack's first layers vanish, the loss stays at
// chance; ReLU with He init learns with no diagnosis and a flat gradient
// profile.
func TestVanishing(t *testing.T) {
	ds := need(t)(blobs(512, 8, 3, 1))
	for _, c := range []struct {
		name   string
		act    model.Activation
		relu   bool
		kinds  []diagnose.Kind
		spread func(float64) bool // output layer's median norm over the input layer's
	}{
		{"sigmoid", model.Sigmoid{}, false, []diagnose.Kind{diagnose.Underfitting, diagnose.Vanishing}, func(r float64) bool { return r > 1e3 }},
		{"relu", model.ReLU{}, true, nil, func(r float64) bool { return r < 10 && r > 0.1 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, err := deep(ctx, ds, 3, c.act)
			if err != nil {
				t.Fatal(err)
			}
			if got := sorted(o.Diagnoses); !slices.Equal(got, c.kinds) {
				t.Fatalf("kinds %v, want %v\n%v", got, c.kinds, o.Diagnoses)
			}
			p := depthProfile(o.History)
			if len(p) != 11 || !c.spread(p[10]/p[0]) {
				t.Errorf("gradient profile %v: output/input ratio %v out of range", p, p[10]/p[0])
			}
			last, _ := o.History.Last()
			if learned := last.TrainLoss < 0.95*math.Log(3); learned != c.relu {
				t.Errorf("final loss %v against ln 3: learned = %v, want %v", last.TrainLoss, learned, c.relu)
			}
			if c.relu {
				return
			}
			v := o.Diagnoses[slices.IndexFunc(o.Diagnoses, func(d diagnose.Diagnosis) bool { return d.Kind == diagnose.Vanishing })]
			if !strings.HasPrefix(v.Where, "layers dense0/W, dense1/W") || v.Measures["ratio"] != p[0]/p[10] {
				t.Errorf("vanishing at %q, ratio %v; want the first layers, ratio %v", v.Where, v.Measures["ratio"], p[0]/p[10])
			}
		})
	}
}

// Section 3: overfitting is reported after the best epoch; EarlyStopping
// with the patience the fix names finds that same epoch, stops a few epochs
// later, and the model it returns has exactly the recorded minimum.
func TestOverfitting(t *testing.T) {
	trainSet, val := need(t)(blobs(50, 20, 3, 3)), need(t)(blobs(500, 20, 3, 4))
	o, err := overfit(ctx, trainSet, val, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(o.Diagnoses); !slices.Equal(got, []diagnose.Kind{diagnose.Overfitting}) {
		t.Fatalf("kinds %v, want [overfitting]\n%v", got, o.Diagnoses)
	}
	d := o.Diagnoses[0]
	best := int(d.Measures["best_epoch"])
	minVal := math.Inf(1)
	for _, e := range o.History.Epochs {
		minVal = math.Min(minVal, e.ValLoss)
	}
	if o.History.Epochs[best-1].ValLoss != minVal || d.Measures["train_last"] > 0.01 {
		t.Errorf("best epoch %d (val %v), minimum %v, last training loss %v", best, o.History.Epochs[best-1].ValLoss, minVal, d.Measures["train_last"])
	}
	const patience = 3
	if !strings.Contains(d.Fix, fmt.Sprintf("stop at epoch %d (trainer.EarlyStopping{Patience: %d}", best, patience)) {
		t.Errorf("fix %q does not name epoch %d and patience %d", d.Fix, best, patience)
	}
	es, err := stopEarly(ctx, trainSet, val, 3, patience)
	if err != nil {
		t.Fatal(err)
	}
	s := es.Stop
	// Keras stops after Patience epochs without improvement; the trainer
	// today after Patience+1. Either is the fix the diagnosis names.
	if after := s.StoppedEpoch - s.BestEpoch; s.BestEpoch != best || after < patience || after > patience+1 || len(es.History.Epochs) != s.StoppedEpoch {
		t.Errorf("EarlyStopping best %d, stopped after %d, %d epochs; want best %d, stopped %d or %d epochs later", s.BestEpoch, s.StoppedEpoch, len(es.History.Epochs), best, patience, patience+1)
	}
	if s.Best != minVal || es.FinalValLoss != minVal {
		t.Errorf("recorded minimum %v, validation loss of the returned model %v; want both %v", s.Best, es.FinalValLoss, minVal)
	}
}

// Section 4: at lr 1e-7 the loss stays at chance and the update ratios are
// far below 1e-3; at 1e-3 nothing is wrong. On 10 synthetic classes always,
// on MNIST without -short.
func TestUnderfitting(t *testing.T) {
	for _, c := range []struct {
		name string
		sets func(t *testing.T) (*data.Dataset, *data.Dataset)
	}{
		{"blobs", func(t *testing.T) (*data.Dataset, *data.Dataset) {
			return need(t)(blobs(1000, 20, 10, 5)), need(t)(blobs(200, 20, 10, 6))
		}},
		{"mnist", func(t *testing.T) (*data.Dataset, *data.Dataset) { return mnist(t, 1000) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			trainSet, val := c.sets(t)
			for _, r := range []struct {
				lr    float64
				kinds []diagnose.Kind
			}{
				{1e-7, []diagnose.Kind{diagnose.BadLR, diagnose.Underfitting}},
				{1e-3, nil},
			} {
				o, err := classifier(ctx, trainSet, val, 10, r.lr)
				if err != nil {
					t.Fatal(err)
				}
				if got := sorted(o.Diagnoses); !slices.Equal(got, r.kinds) {
					t.Errorf("lr %g: kinds %v, want %v\n%v", r.lr, got, r.kinds, o.Diagnoses)
				}
				last, _ := o.History.Last()
				if atChance := last.TrainLoss >= 0.95*math.Log(10); atChance != (r.kinds != nil) {
					t.Errorf("lr %g: training loss %v, at chance = %v", r.lr, last.TrainLoss, atChance)
				}
			}
		})
	}
}

// Section 5: the exported table leaks exactly the validation rows that
// equal a training row and has an unscaled income; deduplicated and
// standardized, it passes.
func TestPreflight(t *testing.T) {
	xs, labels := customers(500, 1)
	naiveTrain, naiveVal, err := naiveSplit(xs, labels)
	if err != nil {
		t.Fatal(err)
	}
	cleanTrain, cleanVal, err := cleanSplit(xs, labels)
	if err != nil {
		t.Fatal(err)
	}
	if cleanTrain.Len()+cleanVal.Len() != 500 {
		t.Errorf("%d + %d rows after deduplication, want the 500 distinct ones", cleanTrain.Len(), cleanVal.Len())
	}
	for _, c := range []struct {
		name       string
		train, val *data.Dataset
		kinds      []diagnose.Kind
	}{
		{"naive", naiveTrain, naiveVal, []diagnose.Kind{diagnose.BadInit, diagnose.Leakage, diagnose.Unscaled}},
		{"clean", cleanTrain, cleanVal, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, err := preflight(ctx, c.train, c.val)
			if err != nil {
				t.Fatal(err)
			}
			if got := sorted(ds); !slices.Equal(got, c.kinds) {
				t.Fatalf("kinds %v, want %v\n%v", got, c.kinds, ds)
			}
			for _, d := range ds {
				switch d.Kind {
				case diagnose.Leakage:
					if want := shared(c.train, c.val); d.Measures["shared_rows"] != float64(want) || want == 0 {
						t.Errorf("leakage counts %v shared rows, want %d", d.Measures["shared_rows"], want)
					}
				case diagnose.Unscaled:
					if d.Where != "income" {
						t.Errorf("unscaled features at %q, want income", d.Where)
					}
				}
			}
		})
	}
}

// shared counts val's rows equal to some row of train.
func shared(train, val *data.Dataset) int {
	rows := func(ds *data.Dataset) []string {
		x, f := ds.X.Data().([]float32), ds.Features()
		var out []string
		for i := range ds.Len() {
			out = append(out, fmt.Sprint(x[i*f:(i+1)*f]))
		}
		return out
	}
	in := map[string]bool{}
	for _, r := range rows(train) {
		in[r] = true
	}
	n := 0
	for _, r := range rows(val) {
		if in[r] {
			n++
		}
	}
	return n
}

// Section 6: the range test on MNIST suggests a rate at which the MLP
// learns without a diagnosis.
func TestMNISTRange(t *testing.T) {
	trainSet, val := mnist(t, 2000)
	res, err := mnistRange(ctx, trainSet)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Trustworthy || !res.Diverged {
		t.Fatalf("range test: %s; want a suggestion and a divergence at the end", res.Reason)
	}
	o, err := classifier(ctx, trainSet, val, 10, res.Suggested)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := o.History.Last()
	if o.Diagnoses != nil || last.ValMetrics["accuracy"] < 0.8 {
		t.Errorf("at lr %g: accuracy %v, diagnoses %v; want ≥ 0.8 and none", res.Suggested, last.ValMetrics["accuracy"], o.Diagnoses)
	}
}

// The whole program writes its sections and readable PNGs (the MNIST ones
// without -short).
func TestTutorialWritesPlots(t *testing.T) {
	var trainSet, val *data.Dataset
	files := []string{"exploding.png", "linreg-lrfinder.png", "vanishing.png", "overfitting.png"}
	sections := []string{"## 1. Exploding", "## 2. Vanishing", "## 3. Overfitting", "## 5. Preflight"}
	if !testing.Short() {
		trainSet, val = mnist(t, 1000)
		files = append(files, "underfitting.png", "lrfinder.png")
		sections = append(sections, "## 4. Underfitting", "## 6. LR range test on MNIST")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	if err := tutorial(ctx, &out, dir, trainSet, val); err != nil {
		t.Fatal(err)
	}
	for _, s := range sections {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
	for _, name := range files {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() < 400 || img.Bounds().Dy() < 300 {
			t.Errorf("%s: %v, want a PNG of at least 400×300", name, err)
		}
	}
}
