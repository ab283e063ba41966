package trainer

import (
	"gorgonia.org/tensor"
)

// fillBatch copies rows idx of x (n, features) and y (n, targetWidth) into
// the batch tensors and sets the row mask: 1 for real rows, 0 for padding
// rows. Padding rows repeat the batch's first row rather
// than zeros, so a network that is undefined at 0 (a log, a division) still
// sees valid inputs there: 0·NaN would be NaN.
func fillBatch(lg *lossGraph, x, y *tensor.Dense, idx []int) {
	fw, tw := lg.bx.Shape()[1], lg.by.Shape()[1]
	switch bx := lg.bx.Data().(type) {
	case []float32:
		fillRows(bx, x.Data().([]float32), idx, fw)
		fillRows(lg.by.Data().([]float32), y.Data().([]float32), idx, tw)
		fillMask(lg.bm.Data().([]float32), len(idx))
	case []float64:
		fillRows(bx, x.Data().([]float64), idx, fw)
		fillRows(lg.by.Data().([]float64), y.Data().([]float64), idx, tw)
		fillMask(lg.bm.Data().([]float64), len(idx))
	}
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
