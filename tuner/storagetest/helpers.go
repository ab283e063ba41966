package storagetest

import (
	"context"
	"sort"
	"testing"

	"github.com/gradtune/gradtune/tuner"
)

// ctx is the context of every storage call: the suite checks behaviour,
// not cancellation.
var ctx = context.Background()

// openStudy is tuner.Open that fails the test on error.
func openStudy(t *testing.T, cfg tuner.Config) *tuner.Study {
	t.Helper()
	s, err := tuner.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func allTrials(t *testing.T, st tuner.Storage, studyID int64) []tuner.FrozenTrial {
	t.Helper()
	trials, err := st.Trials(ctx, studyID)
	if err != nil {
		t.Fatal(err)
	}
	return trials
}

func studyID(t *testing.T, st tuner.Storage, name string) int64 {
	t.Helper()
	id, _, err := st.GetOrCreateStudy(ctx, name, []tuner.Direction{tuner.Minimize})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// contiguous reports whether the trials' numbers are 0..len-1, in order.
func contiguous(trials []tuner.FrozenTrial) bool {
	for i, tr := range trials {
		if tr.Number != i {
			return false
		}
	}
	return true
}

// sortedInts returns the keys of a set, sorted.
func sortedInts(set map[int]bool) []int {
	out := make([]int, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
