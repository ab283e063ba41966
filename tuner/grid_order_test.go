package tuner

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// values returns n distinct float values.
func values(n int) []any {
	vs := make([]any, n)
	for i := range vs {
		vs[i] = float64(i)
	}
	return vs
}

// Picking a point of a shuffled grid of 10^7 points allocated the whole
// permutation, 77 MiB, at every trial; now it allocates in proportion to
// the trials, not the points.
func TestShuffledGridPickMemoryIsIndependentOfItsSize(t *testing.T) {
	g := &GridSampler{Space: map[string][]any{"a": values(1000), "b": values(10000)}, Shuffle: true, Seed: 1}
	if g.Points() != 10_000_000 {
		t.Fatalf("Points = %d, want 10^7", g.Points())
	}
	claim := g.TrialClaim()
	var others []FrozenTrial
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for n := range 20 {
		id, err := claim.Choose(FrozenTrial{Number: n}, others)
		if err != nil {
			t.Fatal(err)
		}
		others = append(others, FrozenTrial{Number: n, State: Running, Attrs: map[string]string{attrSamplerSystemGrid: id}})
	}
	runtime.ReadMemStats(&after)
	if perPick := (after.TotalAlloc - before.TotalAlloc) / 20; perPick > 64<<10 {
		t.Errorf("a pick of a 10^7-point shuffled grid allocates %d KiB, want under 64 KiB", perPick>>10)
	}
	seen := map[string]bool{}
	for _, o := range others {
		id := o.Attrs[attrSamplerSystemGrid]
		if i, err := strconv.Atoi(id); err != nil || i < 0 || i >= g.Points() || seen[id] {
			t.Errorf("picked %q: want a new point in [0, 10^7)", id)
		}
		seen[id] = true
	}
}

// The shuffled order visits every point exactly once, for grids of every
// size (the permutation walks values it maps beyond the grid back in), and
// depends on the seed.
func TestShuffledGridOrderIsAPermutation(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 7, 16, 17, 100, 255, 256, 257, 1000, 4097} {
		for _, seed := range []uint64{0, 1, 99} {
			o := newGridOrder(n, seed)
			seen := make([]bool, n)
			for p := range n {
				i := o.at(p)
				if i < 0 || i >= n || seen[i] {
					t.Fatalf("n %d seed %d: position %d gives point %d, want a new point in [0, %d)", n, seed, p, i, n)
				}
				seen[i] = true
			}
		}
	}
	a, b := newGridOrder(1000, 1), newGridOrder(1000, 2)
	same, identity := 0, 0
	for p := range 1000 {
		if a.at(p) == b.at(p) {
			same++
		}
		if a.at(p) == p {
			identity++
		}
	}
	if same > 20 || identity > 20 {
		t.Errorf("seeds 1 and 2 agree on %d of 1000 positions, seed 1 fixes %d points; want a few (≈1 each)", same, identity)
	}
}

// A grid of more than MaxGridPoints points, or one whose point count
// overflows an int, is refused when the study opens, before anything is
// allocated for it.
func TestGridOverMaxGridPointsIsRefused(t *testing.T) {
	big := map[string][]any{"a": values(2000), "b": values(2000), "c": values(2000)} // 8·10^9 points
	overflow := map[string][]any{}
	for k := range 8 {
		overflow[strconv.Itoa(k)] = values(1 << 10) // 2^80 points
	}
	for name, space := range map[string]map[string][]any{"8e9": big, "2^80": overflow} {
		g := &GridSampler{Space: space, Shuffle: true}
		_, err := Open(ctx, Config{Sampler: g})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "MaxGridPoints") {
			t.Errorf("%s points: Open = %v, want ErrConfig naming MaxGridPoints", name, err)
		}
	}
	if n := (&GridSampler{Space: overflow}).Points(); n <= MaxGridPoints {
		t.Errorf("Points of 2^80 points = %d, want more than MaxGridPoints", n)
	}
	withEmpty := map[string][]any{"e": {}}
	for k, v := range overflow {
		withEmpty[k] = v
	}
	if n := (&GridSampler{Space: withEmpty}).Points(); n != 0 {
		t.Errorf("Points with an empty value list = %d, want 0", n)
	}
}
