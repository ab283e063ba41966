package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/goal"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/metrics"
	"github.com/gradtune/gradtune/model"
	"github.com/gradtune/gradtune/schedulers"
)

// epochName is the file ModelCheckpoint writes for epoch e of scriptedRun,
// which takes 3 steps an epoch (60 samples in batches of 20).
func epochName(e int) string { return fmt.Sprintf("epoch-%04d-step-%08d.json", e, 3*e) }

// dirNames lists dir's file names, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// loadsEpoch reports whether path holds epoch e's weights (rec.epochs is
// 0-based).
func loadsEpoch(t *testing.T, path string, rec *weightsAt, e int) bool {
	t.Helper()
	m, _ := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 99})
	if err := m.LoadFile(path); err != nil {
		t.Errorf("%s: %v", filepath.Base(path), err)
		return false
	}
	return sameWeights(m.Params(), rec.epochs[e-1])
}

// After every epoch the files in Dir are exactly the latest KeepLast, the
// best KeepBest (a tie keeps the earlier epoch, NaN never ranks), last.json
// and best.json, each holding its epoch's weights.
func TestModelCheckpointRotation(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name     string
		dir      goal.Direction
		vals     []float64
		ckpt     ModelCheckpoint
		epochs   []int // the epoch files left after the run
		best     int   // the epoch in best.json
		lastJSON bool
	}{
		{"zero value: last and best only", goal.Maximize, []float64{0.5, 0.7, 0.6}, ModelCheckpoint{}, nil, 2, true},
		{"maximize, tie keeps the earlier", goal.Maximize, []float64{0.5, 0.7, 0.6, 0.7, 0.3, 0.2},
			ModelCheckpoint{KeepLast: 1, KeepBest: 1}, []int{2, 6}, 2, true},
		{"minimize, NaN never best", goal.Minimize, []float64{0.5, 0.4, 0.4, 0.6, 0.3, nan},
			ModelCheckpoint{KeepLast: 2, KeepBest: 2}, []int{2, 5, 6}, 5, true},
		{"minimize, best beyond the latest", goal.Minimize, []float64{0.1, 0.4, 0.3, 0.6, 0.5, 0.2},
			ModelCheckpoint{KeepLast: 3, KeepBest: 1}, []int{1, 4, 5, 6}, 1, true},
		{"best only, top 3", goal.Maximize, []float64{0.1, 0.3, 0.2, 0.5, 0.4, 0.05},
			ModelCheckpoint{BestOnly: true, KeepBest: 3}, []int{2, 4, 5}, 4, false},
		{"keep all", goal.Minimize, []float64{0.3, 0.2, 0.1, 0.4},
			ModelCheckpoint{KeepLast: -1}, []int{1, 2, 3, 4}, 3, true},
		{"maximize overrides a minimized metric", goal.Minimize, []float64{0.3, 0.2, 0.1, 0.4},
			ModelCheckpoint{Mode: goal.Maximize, KeepBest: 2}, []int{1, 4}, 4, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			c := tc.ckpt
			c.Dir, c.Monitor = dir, "val_score"
			score := &scripted{name: "score", dir: tc.dir, vals: tc.vals}
			_, _, _, rec := scriptedRun(t, score, len(tc.vals), &c)

			var want []string
			for _, e := range tc.epochs {
				want = append(want, epochName(e))
			}
			want = append(want, "best.json")
			if tc.lastJSON {
				want = append(want, "last.json")
			}
			slices.Sort(want)
			if got := dirNames(t, dir); !reflect.DeepEqual(got, want) {
				t.Errorf("files %v, want %v", got, want)
			}
			var paths []string
			for _, e := range tc.epochs {
				paths = append(paths, filepath.Join(dir, epochName(e)))
				if !loadsEpoch(t, filepath.Join(dir, epochName(e)), rec, e) {
					t.Errorf("%s does not hold epoch %d's weights", epochName(e), e)
				}
			}
			if got := c.Checkpoints(); !reflect.DeepEqual(got, paths) && len(got)+len(paths) > 0 {
				t.Errorf("Checkpoints() = %v, want %v", got, paths)
			}
			if !loadsEpoch(t, filepath.Join(dir, "best.json"), rec, tc.best) {
				t.Errorf("best.json does not hold epoch %d's weights", tc.best)
			}
			if c.BestEpoch != tc.best || c.Best != tc.vals[tc.best-1] {
				t.Errorf("BestEpoch %d (Best %v), want %d (%v)", c.BestEpoch, c.Best, tc.best, tc.vals[tc.best-1])
			}
			if tc.lastJSON && !loadsEpoch(t, filepath.Join(dir, "last.json"), rec, len(tc.vals)) {
				t.Error("last.json does not hold the last epoch's weights")
			}
		})
	}
}

func TestModelCheckpointBestOnlyWithKeepLast(t *testing.T) {
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1})
	tr, _ := New(m, Config{Loss: losses.MSE{}, Epochs: 1, BatchSize: 2, Quiet: true,
		Callbacks: []Callback{&ModelCheckpoint{Dir: t.TempDir(), Monitor: "loss", BestOnly: true, KeepLast: 2}}})
	defer tr.Close()
	ds, _ := data.FromRows([][]float64{{1}, {2}}, [][]float64{{1}, {2}}, tensor.Float32)
	if _, err := tr.Fit(ctx, ds, nil); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "BestOnly") {
		t.Errorf("error = %v, want ErrConfig naming BestOnly", err)
	}
}

// failingRun is scriptedRun for a Fit expected to fail: it returns Fit's
// error and the weights of the epochs that ended.
func failingRun(t *testing.T, epochs int, c *ModelCheckpoint) (*weightsAt, error) {
	t.Helper()
	mod, _ := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 3})
	rec := &weightsAt{}
	tr, err := New(mod, Config{Loss: losses.CrossEntropy{}, Schedule: schedulers.Constant{LR: 0.01}, Epochs: epochs, BatchSize: 20, Seed: 3,
		Quiet: true, Metrics: []metrics.Metric{metrics.Accuracy{}}, Callbacks: []Callback{c, rec}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	_, err = tr.Fit(ctx, blobs(t, 60, 1), blobs(t, 30, 2))
	return rec, err
}

// A save that fails (here epoch 3's file cannot replace a folder of that
// name) stops Fit with the error and deletes nothing: epoch 2's file, which
// KeepLast 1 would have given up for epoch 3's, and last.json still hold
// epoch 2, and no temporary file is left.
func TestModelCheckpointFailedSaveKeepsThePrevious(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, epochName(3), "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &ModelCheckpoint{Dir: dir, Monitor: "loss", KeepLast: 1}
	rec, err := failingRun(t, 4, c)
	if err == nil || !strings.Contains(err.Error(), "ModelCheckpoint: epoch 3") {
		t.Fatalf("Fit error = %v, want one from ModelCheckpoint at epoch 3", err)
	}
	if len(rec.epochs) != 2 {
		t.Fatalf("%d epochs ended, want 2", len(rec.epochs))
	}
	if want := []string{"best.json", epochName(2), epochName(3), "last.json"}; !reflect.DeepEqual(dirNames(t, dir), want) {
		t.Errorf("files %v, want %v", dirNames(t, dir), want)
	}
	for _, name := range []string{epochName(2), "last.json"} {
		if !loadsEpoch(t, filepath.Join(dir, name), rec, 2) {
			t.Errorf("%s does not hold epoch 2's weights", name)
		}
	}
}

// In a folder made read-only after epoch 2, the next save fails with
// os.ErrPermission and the previous checkpoints stay as they were.
func TestModelCheckpointReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	c := &ModelCheckpoint{Dir: dir, Monitor: "loss", KeepLast: 1}
	skipped := false
	lock := CallbackFunc(func(_ context.Context, _ *Trainer, e *Event) error {
		if e.Kind != EpochEnd || e.Epoch != 2 {
			return nil
		}
		if err := os.Chmod(dir, 0o555); err != nil {
			return err
		}
		if f, err := os.CreateTemp(dir, "probe"); err == nil { // root, or Windows
			f.Close()
			os.Remove(f.Name())
			skipped = true
		}
		return nil
	})
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	mod, _ := model.New(model.MLP{Hidden: []int{8}, Out: 3}, model.Config{Inputs: 4, Seed: 3})
	rec := &weightsAt{}
	tr, err := New(mod, Config{Loss: losses.CrossEntropy{}, Epochs: 4, BatchSize: 20, Seed: 3, Quiet: true, Callbacks: []Callback{c, rec, lock}})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	_, err = tr.Fit(ctx, blobs(t, 60, 1), nil)
	if skipped {
		t.Skip("this process can write into a read-only folder")
	}
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "ModelCheckpoint: epoch 3") {
		t.Fatalf("Fit error = %v, want os.ErrPermission from ModelCheckpoint at epoch 3", err)
	}
	if want := []string{"best.json", epochName(2), "last.json"}; !reflect.DeepEqual(dirNames(t, dir), want) {
		t.Errorf("files %v, want %v", dirNames(t, dir), want)
	}
	for _, name := range []string{epochName(2), "last.json"} {
		if !loadsEpoch(t, filepath.Join(dir, name), rec, 2) {
			t.Errorf("%s does not hold epoch 2's weights", name)
		}
	}
}

// Two trainers checkpointing into one folder at once (parallel trials) for
// 100 epochs each: no save fails, and last.json loads. (Before atomicfile
// both wrote last.json.tmp, and saves failed to rename.)
func TestModelCheckpointSharedFolder(t *testing.T) {
	dir := t.TempDir()
	ds, _ := data.FromRows([][]float64{{1}, {2}, {3}, {4}}, [][]float64{{1}, {2}, {3}, {4}}, tensor.Float32)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: uint64(i + 1)})
			tr, err := New(m, Config{Loss: losses.MSE{}, Epochs: 100, BatchSize: 4, Quiet: true,
				Callbacks: []Callback{&ModelCheckpoint{Dir: dir, Monitor: "loss"}}})
			if err != nil {
				errs[i] = err
				return
			}
			defer tr.Close()
			_, errs[i] = tr.Fit(ctx, ds, nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("trainer %d: %v", i, err)
		}
	}
	m, _ := model.New(model.Linear{Out: 1}, model.Config{Inputs: 1, Seed: 9})
	for _, name := range []string{"last.json", "best.json"} {
		if err := m.LoadFile(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
