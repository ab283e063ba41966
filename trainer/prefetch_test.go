package trainer

import (
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// The prefetcher hands over exactly the rows it was asked for, and only to
// the step that asks for that same slice; after drop, a slice at the same
// address (the next epoch's batch, reusing the order) gets nothing stale.
func TestPrefetcherHandsOverOnlyItsRows(t *testing.T) {
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{0, 1, 10, 11, 20, 21, 30, 31}))
	y := tensor.New(tensor.WithShape(4, 1), tensor.WithBacking([]float64{0, 1, 2, 3}))
	cur := newBatchTensors(tensor.Float64, 2, 2, 1)
	p := &prefetcher{spare: newBatchTensors(tensor.Float64, 2, 2, 1)}
	order := []int{3, 1, 0, 2}
	next := order[2:]

	p.start(x, y, next)
	if p.take(&cur, order[:2]) {
		t.Fatal("take handed over rows prefetched for another batch")
	}
	if !p.take(&cur, next) {
		t.Fatal("take refused the rows prefetched for it")
	}
	if got := cur.x.Data().([]float64); !slices.Equal(got, []float64{0, 1, 20, 21}) {
		t.Errorf("prefetched features %v, want rows 0 and 2: [0 1 20 21]", got)
	}
	if got := cur.y.Data().([]float64); !slices.Equal(got, []float64{0, 2}) {
		t.Errorf("prefetched targets %v, want [0 2]", got)
	}

	p.start(x, y, next)
	p.drop()
	order[2], order[3] = 1, 3 // the next epoch's order, in the same slice
	if p.take(&cur, next) {
		t.Error("take handed over rows dropped at the end of the last epoch")
	}
}
