package model

import "fmt"

// MaxElements is the most elements one parameter or feed may hold (2^31 − 1,
// the largest int on 32-bit machines too;
// 8 GiB of float32): a larger shape, or one whose size overflows int, is an
// error wrapping ErrConfig before anything is allocated, where it would
// otherwise abort the process with "out of memory".
const MaxElements = 1<<31 - 1

// checkVolume checks that every dimension of shape is ≥ 1 and that their
// product is at most MaxElements; what names the tensor in the error.
func checkVolume(what string, shape []int) (int, error) {
	vol := 1
	for _, d := range shape {
		if d < 1 {
			return 0, fmt.Errorf("%w: %s shape %v, want every dimension ≥ 1", ErrConfig, what, shape)
		}
		if d > MaxElements/vol {
			return 0, fmt.Errorf("%w: %s shape %v holds more than MaxElements = %d elements", ErrConfig, what, shape, MaxElements)
		}
		vol *= d
	}
	return vol, nil
}
