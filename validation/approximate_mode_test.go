package validation

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestApproximateMode(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		draws  int
		// any lists every allowed result (more than one when remainders tie).
		any [][]int
	}{
		// The first two are the docstring examples of sklearn.utils._approximate_mode.
		{"exact shares", []int{4, 2}, 3, [][]int{{2, 1}}},
		{"largest remainder", []int{5, 2}, 4, [][]int{{3, 1}}},
		{"tie of three for two draws", []int{2, 2, 2, 1}, 2, [][]int{{1, 1, 0, 0}, {1, 0, 1, 0}, {0, 1, 1, 0}}},
		{"all draws", []int{3, 1, 4}, 8, [][]int{{3, 1, 4}}},
		{"no draws", []int{3, 1, 4}, 0, [][]int{{0, 0, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := make([]bool, len(tt.any))
			for seed := range uint64(40) {
				got := approximateMode(tt.counts, tt.draws, rand.NewPCG(seed, 1))
				k := -1
				for j, w := range tt.any {
					if reflect.DeepEqual(got, w) {
						k = j
					}
				}
				if k < 0 {
					t.Fatalf("seed %d: %v, want one of %v", seed, got, tt.any)
				}
				seen[k] = true
			}
			for j, s := range seen {
				if !s {
					t.Errorf("%v never drawn in 40 seeds", tt.any[j])
				}
			}
		})
	}
}
