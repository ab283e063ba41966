package validation

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestStratifiedKFoldMatchesSklearn(t *testing.T) {
	for _, tc := range loadSklearn(t).StratifiedKFold {
		t.Run(tc.Name, func(t *testing.T) {
			got, warns, err := StratifiedKFold{K: tc.K}.Split(tc.Labels)
			if tc.Error != nil {
				if err == nil || !(errors.Is(err, ErrConfig) || errors.Is(err, ErrData)) {
					t.Fatalf("sklearn: %q; got folds %v, error %v", *tc.Error, got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.Folds) {
				t.Errorf("folds\n got %v\nwant %v", got, tc.Folds)
			}
			// sklearn warns once about the least populated class; we name each
			// class below K, so we warn exactly when it does.
			if (len(warns) > 0) != (len(tc.Warnings) > 0) {
				t.Errorf("warnings %q, sklearn's %q", warns, tc.Warnings)
			}
			for _, seed := range []uint64{0, 1, 2, 99} {
				sh, _, err := StratifiedKFold{K: tc.K, Shuffle: true, Seed: seed}.Split(tc.Labels)
				if err != nil {
					t.Fatal(err)
				}
				checkPartition(t, sh, len(tc.Labels))
				for f, fold := range sh {
					if c := classCounts(tc.Labels, fold.Val, tc.Classes); !reflect.DeepEqual(c, tc.ShuffledValClassCounts[f]) {
						t.Errorf("seed %d fold %d: class counts %v, want sklearn's %v", seed, f, c, tc.ShuffledValClassCounts[f])
					}
				}
			}
		})
	}
}

func TestStratifiedKFoldShuffleMovesMembers(t *testing.T) {
	labels := make([]int, 60)
	for i := range labels {
		labels[i] = i % 3
	}
	plain, _, _ := StratifiedKFold{K: 5}.Split(labels)
	a, _, _ := StratifiedKFold{K: 5, Shuffle: true, Seed: 3}.Split(labels)
	b, _, _ := StratifiedKFold{K: 5, Shuffle: true, Seed: 3}.Split(labels)
	c, _, _ := StratifiedKFold{K: 5, Shuffle: true, Seed: 4}.Split(labels)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed gave different folds")
	}
	if reflect.DeepEqual(a, c) || reflect.DeepEqual(a, plain) {
		t.Error("the shuffle does not change the members")
	}
}

func TestStratifiedKFoldWarnings(t *testing.T) {
	tests := []struct {
		name   string
		labels []int
		k      int
		want   []string
	}{
		{
			name:   "class with 2 members, K = 5",
			labels: []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1},
			k:      5,
			want:   []string{"class 1 has only 2 members, fewer than K = 5: 3 folds validate on none of it"},
		},
		{
			name:   "two small classes, in class order, one member",
			labels: []int{4, 0, 0, 0, 0, 2, 2, 0},
			k:      3,
			want: []string{
				"class 2 has only 2 members, fewer than K = 3: 1 folds validate on none of it",
				"class 4 has only 1 member, fewer than K = 3: 2 folds validate on none of it",
			},
		},
		{name: "every class ≥ K", labels: []int{0, 1, 0, 1, 0, 1}, k: 3, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			folds, warns, err := StratifiedKFold{K: tt.k}.Split(tt.labels)
			if err != nil {
				t.Fatal(err)
			}
			if len(folds) != tt.k {
				t.Errorf("%d folds, want %d", len(folds), tt.k)
			}
			if !reflect.DeepEqual(warns, tt.want) {
				t.Errorf("warnings\n got %q\nwant %q", warns, tt.want)
			}
		})
	}
}

func TestStratifiedKFoldErrors(t *testing.T) {
	tests := []struct {
		name   string
		s      StratifiedKFold
		labels []int
		want   error
		parts  []string
	}{
		{"all classes below K", StratifiedKFold{K: 3}, []int{0, 0, 1, 1, 2, 2}, ErrData,
			[]string{"K = 3", "every class", "the largest class, 0, has 2 members"}},
		{"largest class named", StratifiedKFold{K: 4}, []int{5, 7, 7, 7, 5}, ErrData,
			[]string{"the largest class, 7, has 3 members"}},
		{"K above n", StratifiedKFold{K: 5}, []int{0, 1, 0}, ErrConfig, []string{"K = 5", "3 labels"}},
		{"default K above n", StratifiedKFold{}, []int{0, 1, 0, 1}, ErrConfig, []string{"K = 5", "4 labels"}},
		{"K = 1", StratifiedKFold{K: 1}, []int{0, 1, 0, 1}, ErrConfig, []string{"K = 1", "want ≥ 2"}},
		{"no labels", StratifiedKFold{K: 2}, nil, ErrConfig, []string{"0 labels"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			folds, warns, err := tt.s.Split(tt.labels)
			if folds != nil || warns != nil || !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v, %v; want an error wrapping %v", folds, warns, err, tt.want)
			}
			for _, p := range tt.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
		})
	}
}
