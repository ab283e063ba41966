package validation

import (
	"errors"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// checkPartition checks that folds is a K-fold split of n rows: sorted,
// disjoint parts per fold, and every row validated exactly once.
func checkPartition(t *testing.T, folds []Fold, n int) {
	t.Helper()
	seen := make([]int, n)
	for f, fold := range folds {
		if !slices.IsSorted(fold.Train) || !slices.IsSorted(fold.Val) {
			t.Errorf("fold %d: indices not sorted", f)
		}
		if len(fold.Train)+len(fold.Val) != n {
			t.Errorf("fold %d: %d + %d rows, want %d", f, len(fold.Train), len(fold.Val), n)
		}
		both := append(append([]int(nil), fold.Train...), fold.Val...)
		slices.Sort(both)
		for i, v := range both {
			if v != i {
				t.Fatalf("fold %d: Train ∪ Val is not a permutation of 0..%d", f, n-1)
			}
		}
		for _, i := range fold.Val {
			seen[i]++
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Errorf("row %d is validated %d times, want 1", i, c)
		}
	}
}

func valSizes(folds []Fold) []int {
	out := make([]int, len(folds))
	for f, fold := range folds {
		out[f] = len(fold.Val)
	}
	return out
}

func TestKFoldMatchesSklearn(t *testing.T) {
	for _, tc := range loadSklearn(t).KFold {
		t.Run(tc.Name, func(t *testing.T) {
			got, err := KFold{K: tc.K}.Split(tc.N)
			if tc.Error != nil {
				if !errors.Is(err, ErrConfig) {
					t.Fatalf("sklearn: %q; got folds %v, error %v; want ErrConfig", *tc.Error, got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.Folds) {
				t.Errorf("folds\n got %v\nwant %v", got, tc.Folds)
			}
			for _, seed := range []uint64{0, 1, 42} {
				sh, err := KFold{K: tc.K, Shuffle: true, Seed: seed}.Split(tc.N)
				if err != nil {
					t.Fatal(err)
				}
				checkPartition(t, sh, tc.N)
				if s := valSizes(sh); !reflect.DeepEqual(s, tc.ShuffledValSizes) {
					t.Errorf("seed %d: shuffled fold sizes %v, want sklearn's %v", seed, s, tc.ShuffledValSizes)
				}
			}
		})
	}
}

func TestKFoldShuffleSeeded(t *testing.T) {
	a, _ := KFold{K: 4, Shuffle: true, Seed: 7}.Split(40)
	b, _ := KFold{K: 4, Shuffle: true, Seed: 7}.Split(40)
	c, _ := KFold{K: 4, Shuffle: true, Seed: 8}.Split(40)
	plain, _ := KFold{K: 4}.Split(40)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed gave different folds")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("seeds 7 and 8 gave the same folds")
	}
	if reflect.DeepEqual(a, plain) {
		t.Error("Shuffle gave the unshuffled folds")
	}
}

func TestKFoldDefaultAndErrors(t *testing.T) {
	folds, err := KFold{}.Split(12)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := valSizes(folds), []int{3, 3, 2, 2, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("K = 0: fold sizes %v, want %v (5 folds)", got, want)
	}
	tests := []struct {
		name  string
		kf    KFold
		n     int
		parts []string
	}{
		{"K = 1", KFold{K: 1}, 10, []string{"K = 1", "want ≥ 2"}},
		{"K < 0", KFold{K: -3}, 10, []string{"K = -3", "want ≥ 2"}},
		{"K > n", KFold{K: 5}, 3, []string{"K = 5", "n = 3", "K ≤ n"}},
		{"default K > n", KFold{}, 4, []string{"K = 5", "n = 4"}},
		{"no rows", KFold{K: 2}, 0, []string{"n = 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			folds, err := tt.kf.Split(tt.n)
			if folds != nil || !errors.Is(err, ErrConfig) {
				t.Fatalf("got %v, %v; want ErrConfig", folds, err)
			}
			for _, p := range tt.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
		})
	}
}

// The audit found KFold{K: 1<<40}.Split(1<<40) aborting the process ("out
// of memory"): a split of more than MaxSplitIndices indices is an error,
// returned before anything is allocated.
func TestKFoldSplitRefusesHugeSplits(t *testing.T) {
	for _, c := range []struct {
		kf KFold
		n  int
	}{
		{KFold{K: 1 << 40}, 1 << 40},
		{KFold{K: 2}, MaxSplitIndices/2 + 1},
		{KFold{}, 1 << 62},
		{KFold{K: 1 << 20, Shuffle: true}, 1 << 40},
	} {
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		folds, err := c.kf.Split(c.n)
		runtime.ReadMemStats(&ms1)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "MaxSplitIndices") || folds != nil {
			t.Errorf("%+v.Split(%d) = %d folds, %v; want an ErrConfig naming MaxSplitIndices", c.kf, c.n, len(folds), err)
		}
		if got := ms1.TotalAlloc - ms0.TotalAlloc; got > 1<<20 {
			t.Errorf("%+v.Split(%d) allocated %d bytes before refusing", c.kf, c.n, got)
		}
	}
	folds, err := KFold{K: 3}.Split(7)
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, folds, 7)
}
