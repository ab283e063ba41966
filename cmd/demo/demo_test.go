package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gradtune/gradtune/trainer"
)

// The demo's linear regression recovers y = 3x + U(0,1): weight ≈ 3,
// bias ≈ 0.5, MSE ≈ 1/12 (the noise variance), and prints the summary line.
func TestLinregPart(t *testing.T) {
	var out bytes.Buffer
	if err := runLinreg(context.Background(), &out, linregOpts{epochs: 1000, lr: 0.01, seed: 1}); err != nil {
		t.Fatal(err)
	}
	var w, b, mse, secs float64
	var epochs int
	if _, err := fmt.Sscanf(out.String(), "linreg: weight=%f bias=%f mse=%f epochs=%d seconds=%f", &w, &b, &mse, &epochs, &secs); err != nil {
		t.Fatalf("summary line %q: %v", out.String(), err)
	}
	if w < 2.7 || w > 3.3 || b < 0.3 || b > 0.7 || mse < 0.06 || mse > 0.1 || epochs != 1000 {
		t.Errorf("linreg gave %q, want weight≈3 bias≈0.5 mse≈0.083", out.String())
	}
}

// One epoch of the MNIST part on the real data reaches ≥ 95 % test accuracy
// (the full demo runs 5 epochs for ≥ 97 %), and writes a diagnostics report
// that finds no problem in this healthy run.
func TestMNISTPartOneEpoch(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 54,000 MNIST images (about 10 s)")
	}
	var out bytes.Buffer
	dir := t.TempDir()
	if err := runMNIST(context.Background(), &out, mnistOpts{epochs: 1, batch: 128, lr: 1e-3, seed: 1, quiet: true, out: dir}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "mnist: diagnoses=0 lr_range_suggestion=") || !strings.Contains(lines[0], "report.txt") {
		t.Fatalf("output %q, want the report line (no diagnosis on a healthy run) then the summary", out.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "report.txt")); err != nil || !strings.Contains(string(b), "no problems found") {
		t.Errorf("report.txt: %v\n%s", err, b)
	}
	var acc, secs float64
	var epochs int
	if _, err := fmt.Sscanf(lines[1], "mnist: test_accuracy=%f epochs=%d seconds=%f", &acc, &epochs, &secs); err != nil {
		t.Fatalf("summary line %q: %v", lines[1], err)
	}
	if acc < 0.95 || epochs != 1 {
		t.Errorf("mnist gave %q, want test_accuracy ≥ 0.95 after 1 epoch", out.String())
	}
}

// With -state, an MNIST run interrupted mid-epoch (here by a cancel at
// step 100, as by Ctrl-C or SIGTERM) saves its state and returns cleanly; the rerun
// resumes it where it stopped, finishes, and deletes the state.
func TestMNISTPartResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 54,000 MNIST images (about 10 s)")
	}
	dir := t.TempDir()
	opts := mnistOpts{epochs: 1, batch: 128, lr: 1e-3, seed: 1, quiet: true, state: dir}
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	interrupt := opts
	interrupt.extra = []trainer.Callback{trainer.CallbackFunc(func(_ context.Context, _ *trainer.Trainer, e *trainer.Event) error {
		if e.Kind == trainer.BatchEnd && e.Batch == 100 {
			cancel()
		}
		return nil
	})}
	if err := runMNIST(ctx, &out, interrupt); err != nil {
		t.Fatalf("interrupted run: %v", err)
	}
	statePath := filepath.Join(dir, "mnist.state")
	// Interrupted inside the first epoch: none completed, 100 steps taken.
	if !strings.Contains(out.String(), "mnist: interrupted after 0 epochs and 100 steps; state saved in "+statePath) {
		t.Fatalf("interrupted run said %q, want the state's path", out.String())
	}
	out.Reset()
	if err := runMNIST(context.Background(), &out, opts); err != nil {
		t.Fatal(err)
	}
	var step int
	if _, err := fmt.Sscanf(out.String(), "mnist: resuming from "+statePath+" after 0 epochs and %d steps", &step); err != nil || step != 100 {
		t.Fatalf("rerun said %q (%v), want it to resume after step 100, inside epoch 1", out.String(), err)
	}
	var acc, secs float64
	var epochs int
	last := strings.TrimSpace(out.String()[strings.LastIndex(strings.TrimSpace(out.String()), "\n")+1:])
	if _, err := fmt.Sscanf(last, "mnist: test_accuracy=%f epochs=%d seconds=%f", &acc, &epochs, &secs); err != nil || acc < 0.95 {
		t.Errorf("resumed run ended with %q (%v), want test_accuracy ≥ 0.95", last, err)
	}
	if _, err := os.Stat(statePath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the finished run left its state behind (stat: %v)", err)
	}
}

// The tuning part runs a study on Iris with 5-fold CV and resumes it when
// run again: the second run adds only the missing trials.
func TestTunePartResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("tunes an MLP with cross-validation (about 10 s)")
	}
	dir := t.TempDir()
	var trialsAfter []int
	for _, total := range []int{6, 9} {
		var out bytes.Buffer
		if err := runTune(context.Background(), &out, tuneOpts{trials: total, seed: 1, out: dir, workers: 2}); err != nil {
			t.Fatal(err)
		}
		var acc, secs float64
		var std string
		var best, trials, complete, pruned, failed int
		line := strings.Split(out.String(), "\n")[0]
		if _, err := fmt.Sscanf(line, "tune: best_cv_accuracy=%f±%s trial=%d trials=%d complete=%d pruned=%d failed=%d seconds=%f",
			&acc, &std, &best, &trials, &complete, &pruned, &failed, &secs); err != nil {
			t.Fatalf("summary %q: %v", line, err)
		}
		if acc < 0.8 || failed != 0 || complete+pruned != trials {
			t.Errorf("run to %d trials: %q", total, line)
		}
		// The critic speaks after the summary: findings, or that it has none.
		if !strings.Contains(out.String(), "\ntune: critic: ") {
			t.Errorf("run to %d trials printed no critic line:\n%s", total, out.String())
		}
		// Then the noise verdict on the top configurations, re-run with
		// other seeds.
		if !strings.Contains(out.String(), "\ntune: noise: verdict: trial ") {
			t.Errorf("run to %d trials printed no noise verdict:\n%s", total, out.String())
		}
		trialsAfter = append(trialsAfter, trials)
	}
	// The report folder holds the noise analysis the demo printed.
	txt, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"Search-space critic\n", "Noise analysis\n", "re-evaluation of the top ", "Doctor's causes\n"} {
		if !strings.Contains(string(txt), section) {
			t.Errorf("report.txt lacks %q:\n%s", section, txt)
		}
	}
	if trialsAfter[0] != 6 || trialsAfter[1] != 9 {
		t.Errorf("trials after each run %v, want [6 9] (the second run resumes the study)", trialsAfter)
	}
	for _, f := range []string{"study.db", "report.txt", "trials.csv", "trials.json", "history.png", "history.svg", "importances.png", "parallel.svg", "intermediate.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// The pareto part runs a study of two objectives on an MNIST subset and
// prints its feasible front by size: each model's parameter count is its
// architecture's, accuracy rises with size along the front, no trial
// dominates another there, each meets the latency bound; it writes the
// front's plot and the trials table with both objectives and the
// constraint.
func TestParetoPart(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 10 small MLPs on 4,000 MNIST images (about 5 s)")
	}
	dir := t.TempDir()
	const trials, bound = 10, 4 * time.Microsecond
	var out bytes.Buffer
	if err := runPareto(context.Background(), &out, paretoOpts{trials: trials, seed: 1, latency: bound, workers: 1, out: dir}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 3 || lines[0] != "pareto: front.png and trials.csv in "+dir {
		t.Fatalf("output %q", out.String())
	}
	var front, all, complete, pruned, failed, infeasible int
	var secs float64
	if _, err := fmt.Sscanf(lines[1], "pareto: front=%d trials=%d complete=%d pruned=%d failed=%d infeasible=%d (latency > 4µs) seconds=%f",
		&front, &all, &complete, &pruned, &failed, &infeasible, &secs); err != nil {
		t.Fatalf("summary %q: %v", lines[1], err)
	}
	if all != trials || complete+pruned != trials || failed != 0 || front < 1 || front > complete-infeasible || len(lines) != 2+front {
		t.Errorf("summary %q with %d front lines", lines[1], len(lines)-2)
	}
	prevAcc, prevParams := -1.0, -1.0
	for _, line := range lines[2:] {
		var number int
		var acc, params float64
		var latency string
		head, hidden, _ := strings.Cut(line, " hidden=") // "[7 53]" holds a space
		if _, err := fmt.Sscanf(head, "pareto: trial %d accuracy=%f params=%f latency=%s", &number, &acc, &params, &latency); err != nil {
			t.Fatalf("front line %q: %v", line, err)
		}
		var units []int
		for _, f := range strings.Fields(strings.Trim(hidden, "[]")) {
			u, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("hidden %q: %v", hidden, err)
			}
			units = append(units, u)
		}
		in, want := 784, 0
		for _, u := range append(units, 10) {
			want += in*u + u
			in = u
		}
		d, err := time.ParseDuration(latency)
		if err != nil || d > bound || d <= 0 {
			t.Errorf("trial %d: latency %q (%v), want 0 < latency ≤ %v", number, latency, err, bound)
		}
		if params != float64(want) || acc < 0.3 || acc > 1 || params <= prevParams || acc <= prevAcc {
			t.Errorf("trial %d: accuracy %v params %v (hidden %v: %d), after accuracy %v params %v; want its size, both rising along the front",
				number, acc, params, units, want, prevAcc, prevParams)
		}
		prevAcc, prevParams = acc, params
	}
	b, err := os.ReadFile(filepath.Join(dir, "front.png"))
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 10000 {
		t.Errorf("front.png: %d bytes, %v", len(b), err)
	}
	table, err := os.ReadFile(filepath.Join(dir, "trials.csv"))
	rows := strings.Split(strings.TrimSpace(string(table)), "\n")
	if err != nil || len(rows) != trials+1 || !strings.HasPrefix(rows[0], "number,state,values_0,values_1,constraints_0,feasible,") {
		t.Errorf("trials.csv: %d rows, header %q (%v)", len(rows), rows[0], err)
	}
}
