package trainer

import (
	"runtime"
	"testing"
	"weak"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/losses"
	"github.com/gradtune/gradtune/model"
)

// trainerRefs are weak pointers to a trainer and the graphs it built: all
// must be collectable once the trainer is dropped.
type trainerRefs struct {
	trainer     weak.Pointer[Trainer]
	train, eval weak.Pointer[lossGraph]
}

func (r trainerRefs) alive() []string {
	var out []string
	if r.trainer.Value() != nil {
		out = append(out, "Trainer")
	}
	if r.train.Value() != nil {
		out = append(out, "training graph")
	}
	if r.eval.Value() != nil {
		out = append(out, "evaluation graph")
	}
	return out
}

// buildFitDrop builds a trainer on a small MLP, fits it for one epoch with
// validation (so it has a training and an evaluation graph), closes it if
// closeIt, and drops it.
func buildFitDrop(t *testing.T, train, val *data.Dataset, closeIt bool) trainerRefs {
	t.Helper()
	m, err := model.New(model.MLP{Hidden: []int{32}, Out: 3}, model.Config{Inputs: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(m, Config{Loss: losses.CrossEntropy{}, Epochs: 1, BatchSize: 32, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Fit(ctx, train, val); err != nil {
		t.Fatal(err)
	}
	refs := trainerRefs{trainer: weak.Make(tr), train: weak.Make(tr.train)}
	for _, eg := range tr.evals {
		refs.eval = weak.Make(eg)
	}
	if closeIt {
		tr.Close()
	}
	return refs
}

func settledHeap() uint64 {
	var ms runtime.MemStats
	for range 4 { // finalizers queued by one cycle free more on the next
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// A trainer and its graphs are garbage once dropped, closed or not: the
// tape machine's finalizer must not be reachable from the machine through
// the graph's read targets (issue 8, defect 1).
func TestDroppedTrainerIsCollected(t *testing.T) {
	train, val := blobs(t, 96, 1), blobs(t, 30, 2)
	for _, closeIt := range []bool{true, false} {
		refs := buildFitDrop(t, train, val, closeIt)
		settledHeap()
		if alive := refs.alive(); len(alive) > 0 {
			t.Errorf("closed=%v: still reachable after GC: %v", closeIt, alive)
		}
	}
}

// A study that builds a trainer per trial must not grow: the heap after 60
// build–fit–drop cycles is within a small margin of the heap after 10. On
// the leaking code each cycle of this model kept ≈ 240 KiB.
func TestTrainerPerTrialHeapIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("60 trainers")
	}
	train, val := blobs(t, 96, 1), blobs(t, 30, 2)
	cycles := func(n int) {
		for i := range n {
			buildFitDrop(t, train, val, i%2 == 0) // closed and dropped alike
		}
	}
	cycles(10)
	after10 := settledHeap()
	cycles(50)
	after60 := settledHeap()
	t.Logf("heap after 10 cycles %d B, after 60 %d B", after10, after60)
	const margin = 1 << 20 // noise of one GC cycle, far below 50 leaked trainers
	if after60 > after10+margin {
		t.Errorf("heap after 60 cycles = %d B, after 10 = %d B: %.0f KiB kept per trainer", after60, after10, float64(after60-after10)/50/1024)
	}
}
