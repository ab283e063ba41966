package critic

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/gradtune/gradtune/tuner"
)

// scan is the family of candidate bad regions of one parameter, its
// trials sorted by value (order). A region of a numeric range is a lower
// tail order[:lo] and an upper tail order[hi:], one of them possibly
// empty (lo = 0, hi = n), cut between two distinct sampled values, with
// the good trials in between; a region of a categorical parameter is one
// choice, the run order[lo:hi].
type scan struct {
	j           judged
	order       []int
	categorical bool
	runs        []region // categorical: the choices' runs that may be regions
	lows, highs []int    // numeric: where a lower tail may end, an upper tail begin
	shape       shape    // numeric: which tails a region has
	cuts        []int    // numeric: every cut between distinct values, for refine
	minRegion   int
	regions     int // how many regions the sizes allow
}

// region is a candidate bad region of a scan (see scan).
type region struct{ lo, hi int }

// shape says which tails the regions of a numeric scan have. Each shape
// is a family of its own, so that a region at one end, the common case,
// is not tested among the many more regions with two tails.
type shape int

const (
	lowTail shape = iota
	highTail
	bothTails
)

// maxCuts bounds the cuts of a scan: with more distinct values than that,
// the cuts are spread evenly over the trials (the regions grow as the
// square of the cuts).
const maxCuts = 60

// scans returns j's families of regions: one for a categorical
// parameter, one per shape for a numeric one; none where no region's size
// qualifies: each part (a choice, a tail, the trials left between the
// tails) holds at least MinRegion trials.
func (s *study) scans(j judged) []scan {
	sc, ok := s.scan(j)
	if !ok {
		return nil
	}
	if sc.categorical {
		return []scan{sc}
	}
	var out []scan
	for _, sh := range []shape{lowTail, highTail, bothTails} {
		sc.shape, sc.regions = sh, 0
		for _, lo := range sc.lows {
			for _, hi := range sc.highs {
				if sc.fits(lo, hi, len(j.x)) {
					sc.regions++
				}
			}
		}
		if sc.regions > 0 {
			out = append(out, sc)
		}
	}
	return out
}

// scan returns j's regions, of every shape for a numeric parameter; ok is
// false when no region's size qualifies.
func (s *study) scan(j judged) (scan, bool) {
	n := len(j.x)
	sc := scan{j: j, order: make([]int, n), minRegion: s.o.MinRegion}
	for i := range sc.order {
		sc.order[i] = i
	}
	sort.SliceStable(sc.order, func(a, b int) bool { return j.x[sc.order[a]] < j.x[sc.order[b]] })
	if _, ok := j.dist.(tuner.CategoricalDist); ok {
		sc.categorical = true
		for lo := 0; lo < n; {
			hi := lo
			for hi < n && j.x[sc.order[hi]] == j.x[sc.order[lo]] {
				hi++
			}
			if m := hi - lo; m >= sc.minRegion && n-m >= sc.minRegion {
				sc.runs = append(sc.runs, region{lo, hi})
			}
			lo = hi
		}
		sc.regions = len(sc.runs)
		return sc, sc.regions > 0
	}
	var cuts []int
	for k := 1; k < n; k++ {
		if j.x[sc.order[k]] != j.x[sc.order[k-1]] {
			cuts = append(cuts, k)
		}
	}
	sc.cuts = cuts
	if len(cuts) > maxCuts {
		spread := make([]int, 0, maxCuts)
		for q := 1; q <= maxCuts; q++ {
			want := q * n / (maxCuts + 1)
			k := sort.SearchInts(cuts, want)
			if k == len(cuts) || k > 0 && want-cuts[k-1] < cuts[k]-want {
				k--
			}
			spread = append(spread, cuts[k])
		}
		cuts = slices.Compact(spread)
	}
	sc.lows, sc.highs = []int{0}, nil
	for _, k := range cuts {
		if k >= sc.minRegion {
			sc.lows = append(sc.lows, k)
		}
		if n-k >= sc.minRegion {
			sc.highs = append(sc.highs, k)
		}
	}
	sc.highs = append(sc.highs, n)
	sc.shape = -1 // every shape
	for _, lo := range sc.lows {
		for _, hi := range sc.highs {
			if sc.fits(lo, hi, n) {
				sc.regions++
			}
		}
	}
	return sc, sc.regions > 0
}

// fits reports whether tails order[:lo] and order[hi:] make a region of
// sc's shape, with at least minRegion trials between them.
func (sc scan) fits(lo, hi, n int) bool {
	if hi-lo < sc.minRegion {
		return false
	}
	switch sc.shape {
	case lowTail:
		return lo > 0 && hi == n
	case highTail:
		return lo == 0 && hi < n
	case bothTails:
		return lo > 0 && hi < n
	}
	return lo > 0 || hi < n
}

// labels returns the bad flags of sc's trials, in scan order.
func (sc scan) labels() []bool {
	bad := make([]bool, len(sc.order))
	for k, i := range sc.order {
		bad[k] = sc.j.bad[i]
	}
	return bad
}

// tails holds the one-sided Fisher p-values P(X ≥ b) of a region of m
// trials holding b bad ones, for N trials of which K are bad.
type tails struct {
	N, K int
	p    map[int][]float64
}

func (t *tails) get(m, b int) float64 {
	if t.p == nil {
		t.p = map[int][]float64{}
	}
	row, ok := t.p[m]
	if !ok {
		row = tailRow(m, t.K, t.N)
		t.p[m] = row
	}
	return row[min(b, len(row)-1)]
}

// tailRow returns P(X ≥ b) for b = 0 … min(m, K)+1, X hypergeometric (m
// drawn of N, K marked), in O(min(m, K)): the probabilities by the
// recurrence P(b+1)/P(b) = (K−b)(m−b) / ((b+1)(N−K−m+b+1)), summed from
// the top.
func tailRow(m, K, N int) []float64 {
	hi := min(m, K)
	lo := max(0, m-(N-K))
	row := make([]float64, hi+2)
	pmf := make([]float64, hi+1)
	pmf[lo] = math.Exp(logChoose(K, lo) + logChoose(N-K, m-lo) - logChoose(N, m))
	for b := lo; b < hi; b++ {
		pmf[b+1] = pmf[b] * float64(K-b) * float64(m-b) / (float64(b+1) * float64(N-K-m+b+1))
	}
	for b := hi; b >= 0; b-- {
		row[b] = row[b+1]
		if b >= lo {
			row[b] += pmf[b]
		}
	}
	for b := range row {
		row[b] = min(row[b], 1)
	}
	for b := 0; b <= lo; b++ {
		row[b] = 1
	}
	return row
}

// least returns the region of sc with the least one-sided Fisher p-value
// (more bad trials inside than outside), among those whose every part is
// more than BadShare bad, given bad[k], the label of trial order[k]; ok is
// false if none qualifies. cum is scratch space of len(bad)+1.
func (s *study) least(sc scan, bad []bool, t *tails, cum []int) (p float64, best region, ok bool) {
	cum[0] = 0
	for k, b := range bad {
		cum[k+1] = cum[k]
		if b {
			cum[k+1]++
		}
	}
	n := len(bad)
	mostly := func(m, b int) bool { return float64(b) > s.o.BadShare*float64(m) }
	p = 1
	consider := func(r region, m, b int) {
		if q := t.get(m, b); !ok || q < p {
			p, best, ok = q, r, true
		}
	}
	if sc.categorical {
		for _, r := range sc.runs {
			if m, b := r.hi-r.lo, cum[r.hi]-cum[r.lo]; mostly(m, b) {
				consider(r, m, b)
			}
		}
		return p, best, ok
	}
	for _, lo := range sc.lows {
		if lo > 0 && !mostly(lo, cum[lo]) {
			continue
		}
		for _, hi := range sc.highs {
			if !sc.fits(lo, hi, n) || hi < n && !mostly(n-hi, cum[n]-cum[hi]) {
				continue
			}
			consider(region{lo, hi}, lo+n-hi, cum[lo]+cum[n]-cum[hi])
		}
	}
	return p, best, ok
}

// refine moves the cuts of r, a region found among evenly spread cuts,
// to the cuts between all distinct sampled values that give the least
// Fisher p-value, each tail in turn, within the gaps to the neighbouring
// spread cuts, with the same conditions as least; it returns r as it was
// where nothing qualifies better.
func (s *study) refine(sc scan, r region, t *tails) region {
	if sc.categorical || len(sc.cuts) <= maxCuts {
		return r
	}
	bad := sc.labels()
	n := len(bad)
	cum := make([]int, n+1)
	for k, b := range bad {
		cum[k+1] = cum[k]
		if b {
			cum[k+1]++
		}
	}
	mostly := func(m, b int) bool { return float64(b) > s.o.BadShare*float64(m) }
	p := func(r region) (float64, bool) {
		if !sc.fits(r.lo, r.hi, n) || r.lo > 0 && (r.lo < sc.minRegion || !mostly(r.lo, cum[r.lo])) ||
			r.hi < n && (n-r.hi < sc.minRegion || !mostly(n-r.hi, cum[n]-cum[r.hi])) {
			return 1, false
		}
		return t.get(r.lo+n-r.hi, cum[r.lo]+cum[n]-cum[r.hi]), true
	}
	// between returns the cuts strictly between the spread cuts around c.
	between := func(spread []int, c int) []int {
		k := sort.SearchInts(spread, c)
		lo, hi := 0, n
		if k > 0 {
			lo = spread[k-1]
		}
		if k+1 < len(spread) {
			hi = spread[k+1]
		}
		var out []int
		for _, x := range sc.cuts {
			if x > lo && x < hi {
				out = append(out, x)
			}
		}
		return out
	}
	best, _ := p(r)
	if r.lo > 0 {
		for _, c := range between(sc.lows, r.lo) {
			if q, ok := p(region{c, r.hi}); ok && q < best {
				best, r.lo = q, c
			}
		}
	}
	if r.hi < n {
		for _, c := range between(sc.highs, r.hi) {
			if q, ok := p(region{r.lo, c}); ok && q < best {
				best, r.hi = q, c
			}
		}
	}
	return r
}

// permutations returns the number of random relabelings behind a
// BadRegion p-value tested at level: at least 1999, and enough for a
// resolution, 1/(permutations+1), of a quarter of the level.
func permutations(level float64) int { return max(1999, int(math.Ceil(4/level))) }

// adjusted returns the p-value of sc's least p-value p0, corrected for
// having picked the least of many regions: the share of random
// relabelings of the bad trials whose least p-value is as small, counting
// the observed one (Westfall & Young's min-p method, "Resampling-Based
// Multiple Testing", 1993). Labels move only among trials of the same
// block of driftBlock consecutive numbers, so that a sampler's drift —
// failures early, while a parameter was drawn widely, few later, once it
// concentrated — is not taken for a region's doing. It stops early, and
// returns a value above level, once the p-value cannot reach level.
func (s *study) adjusted(sc scan, p0 float64, t *tails, level float64, stream uint64) float64 {
	rng := rand.New(rand.NewPCG(s.o.Seed, stream))
	bad := sc.labels()
	// blocks[b] holds the scan positions of block b's trials.
	byNumber := slices.Clone(sc.order)
	sort.SliceStable(byNumber, func(a, b int) bool { return sc.j.number[byNumber[a]] < sc.j.number[byNumber[b]] })
	posOf := make([]int, len(sc.order))
	for k, i := range sc.order {
		posOf[i] = k
	}
	var blocks [][]int
	for k, i := range byNumber {
		if k%driftBlock == 0 {
			blocks = append(blocks, nil)
		}
		blocks[len(blocks)-1] = append(blocks[len(blocks)-1], posOf[i])
	}
	cum := make([]int, len(bad)+1)
	hits := 1 // the observed labels
	b := permutations(level)
	limit := level * float64(b+1)
	for range b {
		for _, bl := range blocks {
			rng.Shuffle(len(bl), func(x, y int) { bad[bl[x]], bad[bl[y]] = bad[bl[y]], bad[bl[x]] })
		}
		if p, _, ok := s.least(sc, bad, t, cum); ok && p <= p0*(1+1e-9) {
			hits++
			if float64(hits) > limit {
				break
			}
		}
	}
	return float64(hits) / float64(b+1)
}
