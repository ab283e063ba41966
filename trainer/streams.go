package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gradtune/gradtune/data"
)

// Tags of the random streams Fit draws from, mixed with the epoch (and
// batch) into PCG's second seed word; Config.Seed is the first.
const (
	shuffleStream = 0x7261696e // "rain"
	dropoutStream = 0x64726f70 // "drop"
)

// EpochOrder returns the order in which Fit visits the n training rows in
// epoch epoch (1-based and counted over every Fit call of a Trainer, as
// EpochStats.Epoch) when Config.Seed is seed and Config.NoShuffle is unset:
// a permutation of [0, n) from data.Shuffle over the identity, driven by
// rand.NewPCG(seed, k) with k a hash of (shuffleStream, epoch). It depends on
// (seed, epoch, n) alone, so epoch e's batches are the same whether the
// Trainer reaches it in one Fit, in several, or after a restart in a new
// process. Batch b of the epoch is rows order[(b−1)·B : b·B] for
// Config.BatchSize B (clipped to the dataset). n = 0 gives an empty order.
//
// A negative n, or one above MaxEpochOrderRows, is an error wrapping
// ErrConfig, returned before anything is allocated.
func EpochOrder(seed uint64, epoch, n int) ([]int, error) {
	if n < 0 || n > MaxEpochOrderRows {
		return nil, fmt.Errorf("%w: EpochOrder of %d rows, want 0 to %d", ErrConfig, n, MaxEpochOrderRows)
	}
	order := make([]int, n)
	fillEpochOrder(order, seed, epoch)
	return order, nil
}

// MaxEpochOrderRows bounds EpochOrder's n: 2³¹−1 rows, whose order takes
// 16 GiB. A training set that large (as many bytes again at least, held in
// memory by a data.Dataset) is beyond what gradtune trains on; Fit itself
// shuffles its own dataset's rows, whatever their number.
const MaxEpochOrderRows = math.MaxInt32

// fillEpochOrder writes EpochOrder(seed, epoch, len(order)) into order.
func fillEpochOrder(order []int, seed uint64, epoch int) {
	for i := range order {
		order[i] = i
	}
	data.Shuffle(order, rand.NewPCG(seed, streamKey(shuffleStream, uint64(epoch))))
}

// seedDropout positions src for the dropout masks of batch (1-based) in
// epoch: rand.NewPCG(seed, k) with k a hash of (dropoutStream, epoch, batch).
// A step's masks thus depend on (seed, epoch, batch) alone, not on how many
// Fit calls came before.
func seedDropout(src *rand.PCG, seed uint64, epoch, batch int) {
	src.Seed(seed, streamKey(dropoutStream, uint64(epoch), uint64(batch)))
}

// streamKey hashes a stream tag and counters into one word, so that
// neighbouring epochs or batches seed unrelated PCG streams. Each counter
// goes through splitmix64's finalizer (Steele, Lea & Flood 2014, "Fast
// splittable pseudorandom number generators").
func streamKey(tag uint64, counters ...uint64) uint64 {
	h := mix64(tag)
	for _, c := range counters {
		h = mix64(h ^ mix64(c+0x9e3779b97f4a7c15))
	}
	return h
}

// mix64 is splitmix64's output function: a bijection on uint64 in which
// every input bit affects every output bit.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
