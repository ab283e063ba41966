package importance

import "sort"

// Functional ANOVA over one regression tree (Hutter, Hoos, Leyton-Brown,
// "An Efficient Approach for Assessing Hyperparameter Importance", ICML
// 2014), as Optuna 3.1's optuna/importance/_fanova/_tree.py computes it: a
// tree is a piecewise-constant function over the box of feature bounds; its
// variance is that of the leaf values weighted by leaf volume, and the
// marginal of a feature set S is the function averaged over the other
// features, evaluated at the midpoint of every cell S's split thresholds cut.

// fanovaTree holds a tree's precomputed statistics.
type fanovaTree struct {
	tree   forestTree
	bounds [][2]float64
	// mean[i] is node i's volume-weighted mean leaf value, volume[i] the
	// volume of its box.
	mean, volume []float64
	// active[i*nf+f]: node i's subtree splits on feature f.
	active []bool
	// midpoints[f], sizes[f]: the cells that feature f's thresholds cut
	// its range into.
	midpoints, sizes [][]float64
	variance         float64
}

func newFanovaTree(t forestTree, bounds [][2]float64) *fanovaTree {
	nf, nn := len(bounds), len(t.nodes)
	ft := &fanovaTree{tree: t, bounds: bounds,
		mean: make([]float64, nn), volume: make([]float64, nn), active: make([]bool, nn*nf)}
	// Boxes top-down (preorder: a parent comes before its children).
	boxes := make([][][2]float64, nn)
	boxes[0] = bounds
	for i, nd := range t.nodes {
		if nd.feature < 0 {
			ft.mean[i], ft.volume[i] = nd.value, boxVolume(boxes[i])
			continue
		}
		l, r := copyBox(boxes[i]), copyBox(boxes[i])
		l[nd.feature][1], r[nd.feature][0] = nd.threshold, nd.threshold
		boxes[nd.left], boxes[nd.right] = l, r
	}
	// Statistics and active features bottom-up.
	for i := nn - 1; i >= 0; i-- {
		nd := t.nodes[i]
		if nd.feature < 0 {
			continue
		}
		wl, wr := ft.volume[nd.left], ft.volume[nd.right]
		ft.volume[i] = wl + wr
		if ft.volume[i] > 0 {
			ft.mean[i] = (ft.mean[nd.left]*wl + ft.mean[nd.right]*wr) / ft.volume[i]
		}
		for f := range nf {
			ft.active[i*nf+f] = ft.active[nd.left*nf+f] || ft.active[nd.right*nf+f]
		}
		ft.active[i*nf+nd.feature] = true
	}
	// Cells per feature, between sorted distinct thresholds and the bounds.
	splits := make([]map[float64]bool, nf)
	for f := range splits {
		splits[f] = map[float64]bool{}
	}
	for _, nd := range t.nodes {
		if nd.feature >= 0 {
			splits[nd.feature][nd.threshold] = true
		}
	}
	ft.midpoints, ft.sizes = make([][]float64, nf), make([][]float64, nf)
	for f := range nf {
		cuts := []float64{bounds[f][0]}
		var inner []float64
		for v := range splits[f] {
			inner = append(inner, v)
		}
		sort.Float64s(inner)
		cuts = append(append(cuts, inner...), bounds[f][1])
		for k := 1; k < len(cuts); k++ {
			ft.midpoints[f] = append(ft.midpoints[f], (cuts[k]+cuts[k-1])/2)
			ft.sizes[f] = append(ft.sizes[f], cuts[k]-cuts[k-1])
		}
	}
	// Total variance over the leaves.
	var vals, ws []float64
	for i, nd := range t.nodes {
		if nd.feature < 0 {
			vals, ws = append(vals, ft.mean[i]), append(ws, ft.volume[i])
		}
	}
	_, ft.variance = weightedMeanVar(vals, ws)
	return ft
}

// marginalVariance returns the variance of the tree's marginal over the
// features fs (one parameter: one column, or a categorical's one-hot
// columns): the weighted variance, over the product of fs's cells, of the
// prediction averaged over all other features, weighted by that average's
// weight times the cell's size.
func (ft *fanovaTree) marginalVariance(fs []int) float64 {
	nf := len(ft.bounds)
	point := make([]float64, nf)
	isActive := make([]bool, nf)
	for _, f := range fs {
		isActive[f] = true
	}
	var vals, ws []float64
	idx := make([]int, len(fs))
	for {
		size := 1.0
		for k, f := range fs {
			point[f] = ft.midpoints[f][idx[k]]
			size *= ft.sizes[f][idx[k]]
		}
		v, w := ft.marginalized(point, fs, isActive)
		vals, ws = append(vals, v), append(ws, w*size)
		// Next cell of the product (odometer order).
		k := len(fs) - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < len(ft.midpoints[fs[k]]) {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			break
		}
	}
	_, v := weightedMeanVar(vals, ws)
	return max(v, 0)
}

// marginalized averages the tree over the inactive features with the
// active ones fixed at point: the nodes reached are leaves or subtrees that
// never split on an active feature, each weighted by its volume divided by
// the volume of its box along the active features (Optuna's
// _get_marginalized_statistics).
func (ft *fanovaTree) marginalized(point []float64, fs []int, isActive []bool) (value, weight float64) {
	nf := len(ft.bounds)
	type item struct {
		node int
		box  [][2]float64 // bounds along the active features, indexed like fs
	}
	root := make([][2]float64, len(fs))
	for k, f := range fs {
		root[k] = ft.bounds[f]
	}
	stack := []item{{0, root}}
	var sv, sw float64
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nd := ft.tree.nodes[it.node]
		if nd.feature >= 0 {
			if isActive[nd.feature] {
				k := indexOf(fs, nd.feature)
				box := copyBox(it.box)
				next := nd.left
				if point[nd.feature] <= nd.threshold {
					box[k][1] = nd.threshold
				} else {
					next, box[k][0] = nd.right, nd.threshold
				}
				stack = append(stack, item{next, box})
				continue
			}
			splitsActive := false
			for _, f := range fs {
				if ft.active[it.node*nf+f] {
					splitsActive = true
					break
				}
			}
			if splitsActive {
				stack = append(stack, item{nd.left, it.box}, item{nd.right, it.box})
				continue
			}
		}
		w := ft.volume[it.node] / boxVolume(it.box)
		sv += ft.mean[it.node] * w
		sw += w
	}
	if sw == 0 {
		return 0, 0
	}
	return sv / sw, sw
}

// weightedMeanVar returns numpy.average(vals, weights=ws) and the
// weighted variance around it; both 0 when the weights sum to 0.
func weightedMeanVar(vals, ws []float64) (mean, variance float64) {
	var sw, sv float64
	for i, v := range vals {
		sw += ws[i]
		sv += ws[i] * v
	}
	if sw == 0 {
		return 0, 0
	}
	mean = sv / sw
	var ss float64
	for i, v := range vals {
		d := v - mean
		ss += ws[i] * d * d
	}
	return mean, ss / sw
}

// boxVolume is the product of a box's extents.
func boxVolume(box [][2]float64) float64 {
	v := 1.0
	for _, b := range box {
		v *= b[1] - b[0]
	}
	return v
}

func copyBox(box [][2]float64) [][2]float64 {
	return append([][2]float64(nil), box...)
}

func indexOf(fs []int, f int) int {
	for k, x := range fs {
		if x == f {
			return k
		}
	}
	return -1
}
