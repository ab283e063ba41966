package tpe

import "math/bits"

// argsort returns the permutation that sorts v ascending, exactly as
// numpy's default np.argsort (kind="quicksort": introsort, numpy 1.24
// npysort/quicksort.cpp aquicksort_ and heapsort.cpp aheapsort_). Optuna
// sorts the kernel centres with it to pick bandwidths; its order of tied
// values decides which of two equal observations gets which bandwidth, and
// with unequal weights (more than 25 observations) that changes the mixture.
// v must hold no NaN.
func argsort(v []float64) []int {
	const smallQuicksort = 15
	n := len(v)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if n < 2 {
		return idx
	}
	type span struct{ pl, pr, depth int }
	var stack []span
	pl, pr := 0, n-1
	cdepth := (bits.Len(uint(n)) - 1) * 2 // npy_get_msb(num) * 2
	for {
		if cdepth < 0 {
			heapArgsort(v, idx[pl:pr+1])
		} else {
			for pr-pl > smallQuicksort {
				// Median of three, then Hoare partition around v[idx[pm]].
				pm := pl + (pr-pl)>>1
				if v[idx[pm]] < v[idx[pl]] {
					idx[pm], idx[pl] = idx[pl], idx[pm]
				}
				if v[idx[pr]] < v[idx[pm]] {
					idx[pr], idx[pm] = idx[pm], idx[pr]
				}
				if v[idx[pm]] < v[idx[pl]] {
					idx[pm], idx[pl] = idx[pl], idx[pm]
				}
				vp := v[idx[pm]]
				pi, pj := pl, pr-1
				idx[pm], idx[pj] = idx[pj], idx[pm]
				for {
					for pi++; v[idx[pi]] < vp; pi++ {
					}
					for pj--; vp < v[idx[pj]]; pj-- {
					}
					if pi >= pj {
						break
					}
					idx[pi], idx[pj] = idx[pj], idx[pi]
				}
				pk := pr - 1
				idx[pi], idx[pk] = idx[pk], idx[pi]
				// Push the larger partition, go on with the smaller.
				cdepth--
				if pi-pl < pr-pi {
					stack = append(stack, span{pi + 1, pr, cdepth})
					pr = pi - 1
				} else {
					stack = append(stack, span{pl, pi - 1, cdepth})
					pl = pi + 1
				}
			}
			// Insertion sort.
			for pi := pl + 1; pi <= pr; pi++ {
				vi := idx[pi]
				vp := v[vi]
				pj := pi
				for pj > pl && vp < v[idx[pj-1]] {
					idx[pj] = idx[pj-1]
					pj--
				}
				idx[pj] = vi
			}
		}
		if len(stack) == 0 {
			return idx
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pl, pr, cdepth = top.pl, top.pr, top.depth
	}
}

// heapArgsort is numpy's aheapsort_, the introsort fallback.
func heapArgsort(v []float64, tosort []int) {
	n := len(tosort)
	a := func(i int) *int { return &tosort[i-1] } // 1-based, as in numpy
	for l := n >> 1; l > 0; l-- {
		tmp := *a(l)
		i, j := l, l<<1
		for j <= n {
			if j < n && v[*a(j)] < v[*a(j + 1)] {
				j++
			}
			if v[tmp] < v[*a(j)] {
				*a(i) = *a(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*a(i) = tmp
	}
	for n > 1 {
		tmp := *a(n)
		*a(n) = *a(1)
		n--
		i, j := 1, 2
		for j <= n {
			if j < n && v[*a(j)] < v[*a(j + 1)] {
				j++
			}
			if v[tmp] < v[*a(j)] {
				*a(i) = *a(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*a(i) = tmp
	}
}
