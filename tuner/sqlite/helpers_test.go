package sqlite_test

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"testing"

	"github.com/gradtune/gradtune/tuner"
	"github.com/gradtune/gradtune/tuner/sqlite"
)

var ctx = context.Background()

var negZero = math.Copysign(0, -1)

// openAt opens the SQLite storage at path, closed when the test ends.
func openAt(t *testing.T, path string) *sqlite.Storage {
	t.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

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

// sameFloat is bit equality, with every NaN equal to every NaN.
func sameFloat(a, b float64) bool {
	return math.IsNaN(a) && math.IsNaN(b) || math.Float64bits(a) == math.Float64bits(b)
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

func tempPath(t *testing.T) string { return filepath.Join(t.TempDir(), "study.db") }
