package importance

import (
	"math"
	"math/rand/v2"
	"sort"
)

// A random forest of regression trees, grown as scikit-learn's
// RandomForestRegressor (1.2) grows them with the settings Optuna's fANOVA
// uses: bootstrap samples of n rows drawn with replacement (a row drawn k
// times weighs k), all features considered at every node in a random order,
// the best split by squared error (the largest Σ_left²/w_left +
// Σ_right²/w_right), thresholds halfway between consecutive distinct values,
// a node split only if it has ≥ minSplit distinct rows, deeper than maxDepth
// never, each side keeping ≥ minLeaf rows. Only the random numbers differ.

// featureThreshold is sklearn's FEATURE_THRESHOLD: values closer
// than this count as equal.
const featureThreshold = 1e-7

// treeNode is one node of a tree; feature < 0 marks a leaf.
type treeNode struct {
	feature     int
	threshold   float64
	left, right int
	value       float64 // the weighted mean target of the node's rows
}

// forestTree is a regression tree, its nodes in preorder (root 0).
type forestTree struct {
	nodes []treeNode
}

// treeGrower grows one tree.
type treeGrower struct {
	x                           [][]float64 // rows × features
	y, w                        []float64   // targets, bootstrap weights
	maxDepth, minSplit, minLeaf int
	rng                         *rand.Rand
	nodes                       []treeNode
}

// growTree fits a tree to a bootstrap sample of (x, y).
func growTree(x [][]float64, y []float64, maxDepth, minSplit, minLeaf int, rng *rand.Rand) forestTree {
	n := len(y)
	w := make([]float64, n)
	for range n {
		w[rng.IntN(n)]++
	}
	// Rows never drawn take no part (sklearn drops zero-weight rows).
	var rows []int
	for i, wi := range w {
		if wi > 0 {
			rows = append(rows, i)
		}
	}
	g := &treeGrower{x: x, y: y, w: w, maxDepth: maxDepth, minSplit: minSplit, minLeaf: minLeaf, rng: rng}
	g.grow(rows, 0)
	return forestTree{nodes: g.nodes}
}

// grow adds the subtree over rows at depth and returns its root's index.
func (g *treeGrower) grow(rows []int, depth int) int {
	id := len(g.nodes)
	g.nodes = append(g.nodes, treeNode{feature: -1})
	var sw, sy float64
	for _, i := range rows {
		sw += g.w[i]
		sy += g.w[i] * g.y[i]
	}
	mean := sy / sw
	// Two-pass variance: exactly 0 for a constant target.
	var ss float64
	for _, i := range rows {
		d := g.y[i] - mean
		ss += g.w[i] * d * d
	}
	impurity := ss / sw
	g.nodes[id].value = mean
	n := len(rows)
	if depth >= g.maxDepth || n < g.minSplit || n < 2*g.minLeaf || impurity <= 0x1p-52 {
		return id
	}
	f, thr, ok := g.bestSplit(rows)
	if !ok {
		return id
	}
	var left, right []int
	for _, i := range rows {
		if g.x[i][f] <= thr {
			left = append(left, i)
		} else {
			right = append(right, i)
		}
	}
	l := g.grow(left, depth+1)
	r := g.grow(right, depth+1)
	g.nodes[id] = treeNode{feature: f, threshold: thr, left: l, right: r, value: mean}
	return id
}

// bestSplit returns the split of rows with the lowest weighted squared
// error; ties go to the feature visited first (a random order).
func (g *treeGrower) bestSplit(rows []int) (feature int, threshold float64, ok bool) {
	nf := len(g.x[rows[0]])
	order := g.rng.Perm(nf)
	sorted := make([]int, len(rows))
	var total, wTotal float64
	for _, i := range rows {
		total += g.w[i] * g.y[i]
		wTotal += g.w[i]
	}
	best := math.Inf(-1)
	n := len(rows)
	for _, f := range order {
		copy(sorted, rows)
		sort.Slice(sorted, func(a, b int) bool { return g.x[sorted[a]][f] < g.x[sorted[b]][f] })
		if g.x[sorted[n-1]][f] <= g.x[sorted[0]][f]+featureThreshold {
			continue // constant in this node
		}
		var sl, wl float64
		for p := 1; p < n; p++ {
			i := sorted[p-1]
			sl += g.w[i] * g.y[i]
			wl += g.w[i]
			lo, hi := g.x[i][f], g.x[sorted[p]][f]
			if hi <= lo+featureThreshold || p < g.minLeaf || n-p < g.minLeaf {
				continue
			}
			sr, wr := total-sl, wTotal-wl
			if proxy := sl*sl/wl + sr*sr/wr; proxy > best {
				best, feature, ok = proxy, f, true
				threshold = lo/2 + hi/2
				if threshold == hi || math.IsInf(threshold, 0) {
					threshold = lo
				}
			}
		}
	}
	return feature, threshold, ok
}
