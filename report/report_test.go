package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/diagnose"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/lrfinder"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/trainer"
)

// history is a crafted 3-epoch run with validation and 3 monitored steps.
func history() *trainer.History {
	h := &trainer.History{}
	for i, v := range []struct{ loss, val, acc, lr float64 }{{2.1, 1.9, 0.61, 1e-3}, {1.2, 1.3, 0.78, 1e-3}, {0.8, 1.1, 0.83, 5e-4}} {
		h.Epochs = append(h.Epochs, trainer.EpochStats{Epoch: i + 1, TrainLoss: v.loss, ValLoss: v.val,
			ValMetrics: map[string]float64{"accuracy": v.acc}, LR: v.lr, Steps: 4, Seconds: 0.5})
	}
	for i, s := range []int{1, 5, 9} {
		f := float64(i + 1)
		h.Monitor = append(h.Monitor, trainer.StepMonitor{Epoch: i + 1, Step: s, Params: []trainer.ParamStats{
			{Name: "dense0/W", Decay: true, GradNorm: 0.5 / f}, {Name: "dense0/b", GradNorm: 0.1 / f},
			{Name: "dense1/W", Decay: true, GradNorm: 2 / f}, {Name: "dense1/b", GradNorm: 0.3 / f},
		}})
	}
	return h
}

func stepLRs() *trainer.LRMonitor {
	m := &trainer.LRMonitor{}
	for s := 1; s <= 12; s++ {
		m.Steps, m.LRs = append(m.Steps, s), append(m.LRs, 1e-3*math.Pow(0.9, float64(s-1)))
	}
	return m
}

func lrRange(trust bool) *lrfinder.Result {
	r := &lrfinder.Result{Diverged: true, DivergedAt: 1.87, Reason: "steepest descent at step 62 (lr 0.0085)"}
	for k := range 20 {
		lr := 1e-7 * math.Pow(10, 0.4*float64(k))
		r.LRs = append(r.LRs, lr)
		r.Losses = append(r.Losses, 2.3-float64(k)*0.05)
		r.Smoothed = append(r.Smoothed, 2.3-float64(k)*0.04)
	}
	if trust {
		r.Suggested, r.Trustworthy = 0.0085, true
	} else {
		r.Reason = "no clear descent: the smoothed loss falls only 3.86%"
	}
	return r
}

var diags = []diagnose.Diagnosis{
	{Kind: diagnose.Overfitting, Severity: diagnose.Warning, Where: "epoch 3", Evidence: "val_loss rose from 1.1 to 1.3 while loss fell", Cause: "too little data", Fix: "add dropout"},
	{Kind: diagnose.BadLR, Severity: diagnose.Error, Where: "layers dense0/W", Evidence: "update/weight ratio 0.3", Cause: "lr too high", Fix: "divide lr by 100"},
}

// checkImage fails t unless path is a PNG (magic bytes) or an SVG document.
func checkImage(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch filepath.Ext(path) {
	case ".png":
		if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s: not a PNG (starts %q)", path, b[:min(len(b), 8)])
		}
	case ".svg":
		if !bytes.Contains(b[:min(len(b), 300)], []byte("<svg")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("</svg>")) {
			t.Errorf("%s: not an SVG document", path)
		}
	default:
		t.Errorf("%s: unexpected image", path)
	}
}

func TestWrite(t *testing.T) {
	noVal := &trainer.History{Epochs: []trainer.EpochStats{
		{Epoch: 1, TrainLoss: 0.9, ValLoss: math.NaN(), LR: 0.01},
		{Epoch: 2, TrainLoss: 0.4, ValLoss: math.NaN(), LR: 0.01},
	}}
	pre := "[warning] overfitting at epoch 3\n  evidence: rendered elsewhere"
	for _, c := range []struct {
		name      string
		in        Input
		files     []string
		says, not []string
	}{
		{"everything", Input{History: history(), StepLRs: stepLRs(), LRRange: lrRange(true), Diagnoses: diags},
			[]string{"loss", "metrics", "lr", "gradnorms", "lrfinder"},
			[]string{diags[0].String(), diags[1].String(), "suggested lr: 0.0085", "reason: steepest descent at step 62 (lr 0.0085)",
				"swept: 20 steps, lr 1e-07 to 3.98; diverged at lr 1.87", "val_accuracy", "0.83"},
			[]string{"no problems found"}},
		{"no validation, monitors or range test", Input{History: noVal},
			[]string{"loss", "lr"},
			[]string{"no problems found", "epoch", "0.4"},
			[]string{"val_loss", "Learning-rate range test"}},
		{"pre-rendered diagnoses, untrustworthy range", Input{LRRange: lrRange(false), Diagnoses: diags, DiagnosesText: pre},
			[]string{"lrfinder"},
			[]string{pre, "suggested lr: none", "no clear descent: the smoothed loss falls only 3.86%"},
			[]string{diags[1].Evidence, "Epochs"}},
		{"nothing", Input{}, nil, []string{"no problems found"}, []string{"Epochs", "range test"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run1") // Write creates it
			files, err := Write(dir, c.in)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range c.files {
				want = append(want, filepath.Join(dir, f+".png"), filepath.Join(dir, f+".svg"))
			}
			want = append(want, filepath.Join(dir, "report.txt"))
			if !slices.Equal(files, want) {
				t.Fatalf("files %v, want %v", files, want)
			}
			entries, err := os.ReadDir(dir)
			if err != nil || len(entries) != len(want) {
				t.Fatalf("%d files in dir (%v), want %d", len(entries), err, len(want))
			}
			for _, f := range files[:len(files)-1] {
				checkImage(t, f)
			}
			b, err := os.ReadFile(files[len(files)-1])
			if err != nil {
				t.Fatal(err)
			}
			txt := string(b)
			for _, s := range c.says {
				if !strings.Contains(txt, s) {
					t.Errorf("report.txt lacks %q:\n%s", s, txt)
				}
			}
			for _, s := range c.not {
				if strings.Contains(txt, s) {
					t.Errorf("report.txt has %q:\n%s", s, txt)
				}
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	if _, err := Write("", Input{}); !errors.Is(err, ErrInput) {
		t.Errorf("empty dir: error %v, want ErrInput", err)
	}
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if files, err := Write(filepath.Join(file, "sub"), Input{History: history()}); err == nil || len(files) != 0 {
		t.Errorf("dir under a file: files %v, error %v; want none and an error", files, err)
	}
}

// TestChartsData checks what the charts plot, series by series.
func TestChartsData(t *testing.T) {
	h := history()
	byName := map[string]chartData{}
	for _, c := range []struct {
		name string
		f    func() (chartData, bool)
	}{
		{"loss", func() (chartData, bool) { c, ok := lossChart(h.Epochs); return dataOf(c), ok }},
		{"metrics", func() (chartData, bool) { c, ok := metricsChart(h.Epochs); return dataOf(c), ok }},
		{"lr", func() (chartData, bool) { c, ok := lrChart(Input{StepLRs: stepLRs()}); return dataOf(c), ok }},
		{"lr per epoch", func() (chartData, bool) { c, ok := lrChart(Input{History: h}); return dataOf(c), ok }},
		{"gradnorms", func() (chartData, bool) { c, ok := gradNormChart(h.Monitor); return dataOf(c), ok }},
		{"lrfinder", func() (chartData, bool) { c, ok := lrRangeChart(lrRange(true)); return dataOf(c), ok }},
		{"lrfinder untrusted", func() (chartData, bool) { c, ok := lrRangeChart(lrRange(false)); return dataOf(c), ok }},
	} {
		d, ok := c.f()
		if !ok {
			t.Fatalf("%s: skipped", c.name)
		}
		byName[c.name] = d
	}
	lr12 := fmt.Sprint(stepLRs().LRs)
	for name, want := range map[string]string{
		"loss":               "logx=false logy=true; train [1 2 3]→[2.1 1.2 0.8]; validation [1 2 3]→[1.9 1.3 1.1]; marks []",
		"metrics":            "logx=false logy=false; accuracy [1 2 3]→[0.61 0.78 0.83]; marks []",
		"lr":                 "logx=false logy=true; lr [1 2 3 4 5 6 7 8 9 10 11 12]→" + lr12 + "; marks []",
		"lr per epoch":       "logx=false logy=true; lr [1 2 3]→[0.001 0.001 0.0005]; marks []",
		"gradnorms":          "logx=false logy=true; dense0/W [1 5 9]→[0.5 0.25 0.16666666666666666]; dense1/W [1 5 9]→[2 1 0.6666666666666666]; marks []",
		"lrfinder untrusted": "logx=true logy=false; loss 20→20; smoothed 20→20; marks []",
		"lrfinder":           "logx=true logy=false; loss 20→20; smoothed 20→20; marks [{suggested 0.0085 0.0085}]",
	} {
		if got := byName[name].String(); got != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	if _, ok := metricsChart((&trainer.History{Epochs: []trainer.EpochStats{{Epoch: 1}}}).Epochs); ok {
		t.Error("metrics chart drawn without validation metrics")
	}
	if c, _ := lossChart([]trainer.EpochStats{{Epoch: 1, TrainLoss: 0, ValLoss: math.NaN()}}); c.LogY {
		t.Error("log y for a zero loss")
	}
	if _, ok := lrChart(Input{}); ok {
		t.Error("lr chart drawn without rates")
	}
}

// TestEpochTableLongRun: a long run shows its first 5 and last 15 epochs.
func TestEpochTableLongRun(t *testing.T) {
	h := &trainer.History{StoppedBy: "*trainer.EarlyStopping"}
	for e := 1; e <= 30; e++ {
		h.Epochs = append(h.Epochs, trainer.EpochStats{Epoch: e, TrainLoss: 1 / float64(e), ValLoss: math.NaN(), LR: 0.1})
	}
	lines := strings.Split(strings.TrimSpace(epochTable(h)), "\n")
	if len(lines) != 1+5+1+15+1 || !strings.Contains(lines[6], "(10 epochs omitted)") || !strings.HasPrefix(strings.TrimSpace(lines[7]), "16 ") ||
		!strings.Contains(lines[len(lines)-1], "stopped early by *trainer.EarlyStopping") {
		t.Errorf("table:\n%s", strings.Join(lines, "\n"))
	}
}

// TestWriteFromRealRun feeds Write a real History, LRMonitor and range test.
func TestWriteFromRealRun(t *testing.T) {
	xs, labels := make([][]float64, 60), make([]int, 60)
	for i := range xs {
		a, b := float64(i%10)/10, float64(i/10)/6
		xs[i], labels[i] = []float64{a, b}, 0
		if a+b > 0.9 {
			labels[i] = 1
		}
	}
	ds, err := data.FromLabels(xs, labels, tensor.Float32)
	if err != nil {
		t.Fatal(err)
	}
	train, val, err := ds.Split(0.25, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.New(model.MLP{Hidden: []int{8}, Out: 2}, model.Config{Inputs: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := trainer.Config{Loss: losses.CrossEntropy{}, BatchSize: 9, Quiet: true}
	rng, err := lrfinder.Run(context.Background(), m, cfg, train, lrfinder.Config{MinLR: 1e-4, MaxLR: 1, Steps: 30})
	if err != nil {
		t.Fatal(err)
	}
	lrs := &trainer.LRMonitor{}
	cfg.Epochs, cfg.MonitorEvery, cfg.Metrics, cfg.Callbacks = 4, 2, []metrics.Metric{metrics.Accuracy{}}, []trainer.Callback{lrs}
	tr, err := trainer.New(m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	hist, err := tr.Fit(context.Background(), train, val)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Write(t.TempDir(), Input{History: hist, StepLRs: lrs, LRRange: rng})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 11 {
		t.Errorf("%d files, want 11: %v", len(files), files)
	}
	for _, f := range files[:len(files)-1] {
		checkImage(t, f)
	}
	b, err := os.ReadFile(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), rng.Reason) || !strings.Contains(string(b), "val_accuracy") {
		t.Errorf("report.txt lacks the range test's reason or the epochs:\n%s", b)
	}
}
