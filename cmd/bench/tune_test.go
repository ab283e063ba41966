package main

import (
	"testing"
	"time"

	"github.com/gradtune/gradtune/tuner"
)

// Trials go to the first free worker in number order: a long trial last
// leaves the other worker idle, a long trial first does not.
func TestBalanceBound(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	trials := func(secs ...int) []tuner.FrozenTrial {
		out := make([]tuner.FrozenTrial, len(secs))
		for i, s := range secs {
			out[i] = tuner.FrozenTrial{Number: i, Start: start, Complete: start.Add(time.Duration(s) * time.Second)}
		}
		return out
	}
	for _, c := range []struct {
		secs    []int
		workers int
		want    float64
	}{
		{[]int{3, 1, 1, 1}, 2, 2},   // 3 | 1+1+1
		{[]int{1, 1, 1, 3}, 2, 1.5}, // 1+1 | 1+3: 6 s of work end at 4 s
		{[]int{2, 2}, 1, 1},
		{[]int{5}, 2, 1},
	} {
		if got := balanceBound(trials(c.secs...), c.workers); got != c.want {
			t.Errorf("balanceBound(%v s, %d workers) = %v, want %v", c.secs, c.workers, got, c.want)
		}
	}
}
