package trainer

import (
	"gorgonia.org/tensor"

	"github.com/gradtune/gradtune/internal/dense"
)

// batchTensors are the tensors bound to a graph's placeholders for one run:
// features (batch, features), encoded targets (batch, targetWidth) and the
// row mask (batch,).
type batchTensors struct{ x, y, mask *tensor.Dense }

func newBatchTensors(dt tensor.Dtype, batch, features, width int) *batchTensors {
	return &batchTensors{
		x:    tensor.New(tensor.Of(dt), tensor.WithShape(batch, features)),
		y:    tensor.New(tensor.Of(dt), tensor.WithShape(batch, width)),
		mask: tensor.New(tensor.Of(dt), tensor.WithShape(batch)),
	}
}

// fill copies rows idx of x (n, features) and y (n, targetWidth) into b
// and sets the row mask: 1 for real rows, 0 for padding rows. Padding rows
// repeat the batch's first row rather than zeros, so a network that is
// undefined at 0 (a log, a division) still sees valid inputs there: 0·NaN
// would be NaN.
func (b *batchTensors) fill(x, y *tensor.Dense, idx []int) {
	fw, tw := b.x.Shape()[1], b.y.Shape()[1]
	switch b.x.Dtype() {
	case tensor.Float32:
		fillRows(dense.Of[float32](b.x), dense.Of[float32](x), idx, fw)
		fillRows(dense.Of[float32](b.y), dense.Of[float32](y), idx, tw)
		fillMask(dense.Of[float32](b.mask), len(idx))
	case tensor.Float64:
		fillRows(dense.Of[float64](b.x), dense.Of[float64](x), idx, fw)
		fillRows(dense.Of[float64](b.y), dense.Of[float64](y), idx, tw)
		fillMask(dense.Of[float64](b.mask), len(idx))
	}
}

// minPrefetch is the batch size, in feature values, from which the next
// batch is gathered in the background: below it (a few KiB), the gather
// costs less than handing it to another goroutine, and parallel trials of
// small models would only get one more goroutine each to schedule.
const minPrefetch = 1 << 14

// prefetcher gathers the next batch's rows into a spare set of tensors on
// another goroutine while the current step checks its gradients and
// updates the weights, so that copying rows scattered over the dataset (a
// shuffled epoch's gather, about as long as the update on MNIST) overlaps
// with computing. The rows and their order are the same either way: the
// results do not change.
type prefetcher struct {
	spare *batchTensors
	idx   []int         // the rows spare holds, or is being filled with
	done  chan struct{} // closed when that fill is over; nil when none is pending
}

// start fills spare with rows idx of x and y in the background.
func (p *prefetcher) start(x, y *tensor.Dense, idx []int) {
	p.wait()
	p.idx, p.done = idx, make(chan struct{})
	go func(spare *batchTensors, done chan struct{}) {
		spare.fill(x, y, idx)
		close(done)
	}(p.spare, p.done)
}

// wait returns once no fill is running; spare may then be reused.
func (p *prefetcher) wait() {
	if p.done != nil {
		<-p.done
		p.done = nil
	}
}

// drop waits for a pending fill and forgets it, so that no later take
// mistakes it for rows of its own (an epoch reuses its order's slices).
func (p *prefetcher) drop() {
	p.wait()
	p.idx = nil
}

// take swaps the prefetched tensors into *cur and returns true when they
// hold rows idx (the same slice start was given); otherwise it leaves *cur
// alone and returns false.
func (p *prefetcher) take(cur **batchTensors, idx []int) bool {
	if p.idx == nil || len(p.idx) != len(idx) || len(idx) == 0 || &p.idx[0] != &idx[0] {
		return false
	}
	p.wait()
	*cur, p.spare, p.idx = p.spare, *cur, nil
	return true
}

func fillRows[T float32 | float64](dst, src []T, idx []int, width int) {
	for r, i := range idx {
		copy(dst[r*width:(r+1)*width], src[i*width:(i+1)*width])
	}
	first := src[idx[0]*width : (idx[0]+1)*width]
	for r := len(idx); r*width < len(dst); r++ {
		copy(dst[r*width:(r+1)*width], first)
	}
}

func fillMask[T float32 | float64](m []T, n int) {
	for i := range m {
		if i < n {
			m[i] = 1
		} else {
			m[i] = 0
		}
	}
}

// batches splits order into consecutive batches of size b; the last holds
// the remainder (10 samples, b=4 → 4, 4, 2).
func batches(order []int, b int) [][]int {
	out := make([][]int, 0, (len(order)+b-1)/b)
	for lo := 0; lo < len(order); lo += b {
		out = append(out, order[lo:min(lo+b, len(order))])
	}
	return out
}
