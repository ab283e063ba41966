package importance

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"

	"github.com/gradtune/gradtune/tuner"
)

// ErrNotAssessable is wrapped by every error of Evaluate that is not a bad
// option (those wrap tuner.ErrConfig): too few trials (also
// tuner.ErrNoCompleted), a target without variance, an undrawable
// parameter.
var ErrNotAssessable = errors.New("importance: parameter importances cannot be assessed")

// Options configures Evaluate. The zero value is Optuna's
// FanovaImportanceEvaluator() with a fixed seed.
type Options struct {
	// Params are the parameters to assess; nil → every parameter that all
	// Complete trials suggested with the same distribution (Optuna's
	// intersection search space: conditional parameters are left out).
	// With Params, only the Complete trials that have all of them count.
	Params []string
	// Trees is the number of trees in the forest; 0 → 64 (n_trees).
	Trees int
	// MaxDepth bounds the trees' depth; 0 → 64 (max_depth).
	MaxDepth int
	// Seed seeds the forest: the same trials and seed give the same
	// importances, bit for bit. Optuna's default seed is None (random).
	Seed uint64
}

// Importance defaults, Optuna's (optuna/importance/_fanova/_evaluator.py).
const (
	defaultTrees    = 64
	defaultMaxDepth = 64
	defaultMinSplit = 2
	defaultMinLeaf  = 1
)

// Evaluate returns the importance of each parameter for the objective,
// normalized to sum to 1, from the Complete trials with a finite value, as
// optuna.importance.get_param_importances (Optuna 3.1) does with its default
// evaluator, fANOVA (Hutter, Hoos, Leyton-Brown, ICML 2014):
//
//  1. X: (trials, columns), the parameters' internal values, sorted by name;
//     a categorical becomes one-hot columns (one per choice, bounds [0, 1]),
//     log-scale parameters keep their raw values and bounds [Low, High].
//  2. A random forest of Trees regression trees (scikit-learn's
//     RandomForestRegressor: bootstrap, all features per split, squared
//     error, min_samples_split 2, min_samples_leaf 1, depth ≤ MaxDepth) fits
//     the objective values y: (trials,).
//  3. For each tree with variance V > 0 over the bounds' box, and each
//     parameter p, the variance V_p of the tree's marginal in p (averaged
//     over all other parameters); imp_p = mean over trees of V_p / V.
//  4. imp_p / Σ imp.
//
// A parameter with a single possible value gets 0; with no parameter left
// (none in common, or all single-valued) the map is empty. Where Optuna
// divides 0 by 0 (all variance in interactions) we give each parameter the
// same share. Differences from Optuna: the forest draws other random numbers,
// so importances agree within the forest's noise, not to rounding (±0.01 on
// the cases of testdata/optuna/importance.json); the seed is fixed by default.
//
// Errors: fewer than 2 Complete trials with a finite value
// (tuner.ErrNoCompleted and ErrNotAssessable); a target with no variance
// the forest can see (ErrNotAssessable); bad options or Params no trial
// has (tuner.ErrConfig).
func Evaluate(trials []tuner.FrozenTrial, opts Options) (map[string]float64, error) {
	if opts.Trees < 0 {
		return nil, fmt.Errorf("%w: importance.Options.Trees = %d, want ≥ 1 (0 = %d)", tuner.ErrConfig, opts.Trees, defaultTrees)
	}
	if opts.MaxDepth < 0 {
		return nil, fmt.Errorf("%w: importance.Options.MaxDepth = %d, want ≥ 1 (0 = %d)", tuner.ErrConfig, opts.MaxDepth, defaultMaxDepth)
	}
	if opts.Trees == 0 {
		opts.Trees = defaultTrees
	}
	if opts.MaxDepth == 0 {
		opts.MaxDepth = defaultMaxDepth
	}
	var complete []tuner.FrozenTrial
	for _, t := range trials {
		if t.State == tuner.Complete {
			complete = append(complete, t)
		}
	}
	if len(complete) < 2 {
		return nil, fmt.Errorf("%w: %w: %d complete trials, want ≥ 2", ErrNotAssessable, tuner.ErrNoCompleted, len(complete))
	}
	space, err := searchSpace(complete, opts.Params)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	var names []string // the parameters that can vary, sorted
	for _, name := range sortedKeys(space) {
		if singleValued(space[name]) {
			out[name] = 0
		} else {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return map[string]float64{}, nil
	}
	// Trials with all the parameters and a finite value.
	var used []tuner.FrozenTrial
	for _, t := range complete {
		if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
			continue
		}
		if hasAll(t, names) {
			used = append(used, t)
		}
	}
	if len(used) < 2 {
		return nil, fmt.Errorf("%w: %w: %d complete trials with a finite value and all of %v, want ≥ 2", ErrNotAssessable, tuner.ErrNoCompleted, len(used), names)
	}
	x, bounds, columns, err := encode(used, names, space)
	if err != nil {
		return nil, err
	}
	y := make([]float64, len(used))
	for i, t := range used {
		y[i] = t.Value
	}
	imp, err := fanova(x, y, bounds, columns, opts)
	if err != nil {
		return nil, err
	}
	var sum float64
	for _, v := range imp {
		sum += v
	}
	if math.IsNaN(sum) || math.IsInf(sum, 0) {
		// Variances of values near ±1e154 and beyond overflow float64.
		return nil, fmt.Errorf("%w: the objective values' variance overflows (values up to %g); rescale the objective", ErrNotAssessable, maxAbs(y))
	}
	for k, name := range names {
		if sum > 0 {
			out[name] = imp[k] / sum
		} else {
			out[name] = 1 / float64(len(names))
		}
	}
	return out, nil
}

// searchSpace returns the parameters to assess and their
// distributions, as Optuna's _get_distributions does.
func searchSpace(complete []tuner.FrozenTrial, params []string) (map[string]tuner.Distribution, error) {
	if len(params) == 0 {
		// The intersection search space: same distribution in every trial.
		space := map[string]tuner.Distribution{}
		for k, d := range complete[0].Distributions {
			space[k] = d
		}
		for _, t := range complete[1:] {
			for k, d := range space {
				if td, ok := t.Distributions[k]; !ok || !tuner.Equal(td, d) {
					delete(space, k)
				}
			}
		}
		return space, nil
	}
	var space map[string]tuner.Distribution
	for _, t := range complete {
		if !hasAll(t, params) {
			continue
		}
		if space == nil {
			space = map[string]tuner.Distribution{}
			for _, p := range params {
				space[p] = t.Distributions[p]
			}
			continue
		}
		for _, p := range params {
			if !tuner.Equal(t.Distributions[p], space[p]) {
				return nil, fmt.Errorf("%w: parameter %q has distribution %v in trial %d and %v before, want one distribution per assessed parameter", ErrNotAssessable, p, t.Distributions[p], t.Number, space[p])
			}
		}
	}
	if space == nil {
		return nil, fmt.Errorf("%w: importance.Options.Params = %q, but no complete trial has all of them", tuner.ErrConfig, params)
	}
	return space, nil
}

// hasAll reports whether t has a value and a distribution for every name.
func hasAll(t tuner.FrozenTrial, names []string) bool {
	for _, n := range names {
		if _, ok := t.Distributions[n]; !ok {
			return false
		}
		if _, ok := t.Params[n]; !ok {
			if _, ok := t.Internal[n]; !ok {
				return false
			}
		}
	}
	return true
}

// encode builds X (rows × columns), each column's bounds, and each
// parameter's columns (Optuna's _SearchSpaceTransform with transform_log and
// transform_step off).
func encode(trials []tuner.FrozenTrial, names []string, space map[string]tuner.Distribution) (x [][]float64, bounds [][2]float64, columns [][]int, err error) {
	for _, name := range names {
		var cols []int
		switch d := space[name].(type) {
		case tuner.CategoricalDist:
			for range d.Choices {
				cols = append(cols, len(bounds))
				bounds = append(bounds, [2]float64{0, 1})
			}
		case tuner.FloatDist:
			cols = append(cols, len(bounds))
			bounds = append(bounds, [2]float64{d.Low, d.High})
		case tuner.IntDist:
			cols = append(cols, len(bounds))
			bounds = append(bounds, [2]float64{float64(d.Low), float64(d.High)})
		default:
			return nil, nil, nil, fmt.Errorf("%w: parameter %q has distribution %T, want FloatDist, IntDist or CategoricalDist", ErrNotAssessable, name, d)
		}
		columns = append(columns, cols)
	}
	x = make([][]float64, len(trials))
	for i, t := range trials {
		row := make([]float64, len(bounds))
		for k, name := range names {
			v, err := internalValue(t, name)
			if err != nil {
				return nil, nil, nil, err
			}
			if _, ok := space[name].(tuner.CategoricalDist); ok {
				row[columns[k][int(v)]] = 1
			} else {
				row[columns[k][0]] = v
			}
		}
		x[i] = row
	}
	return x, bounds, columns, nil
}

// internalValue returns t's internal value of name, checked against
// its distribution.
func internalValue(t tuner.FrozenTrial, name string) (float64, error) {
	d := t.Distributions[name]
	v, ok := t.Internal[name]
	if !ok {
		var err error
		if v, err = d.ToInternal(t.Params[name]); err != nil {
			return 0, fmt.Errorf("%w: trial %d, parameter %q: %w", ErrNotAssessable, t.Number, name, err)
		}
	}
	if math.IsNaN(v) || !d.Contains(v) {
		return 0, fmt.Errorf("%w: trial %d, parameter %q = %v, want a value of %v", ErrNotAssessable, t.Number, name, v, d)
	}
	return v, nil
}

// fanova fits the forest and returns each parameter's mean
// fraction of variance (before normalization).
func fanova(x [][]float64, y []float64, bounds [][2]float64, columns [][]int, opts Options) ([]float64, error) {
	trees := make([]*fanovaTree, opts.Trees)
	// fractions[t][p]: tree t's V_p / V; NaN when V = 0.
	fractions := make([][]float64, opts.Trees)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), opts.Trees) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				// Each tree has its own stream: results do not depend on scheduling.
				rng := rand.New(rand.NewPCG(opts.Seed, uint64(t)))
				tree := growTree(x, y, opts.MaxDepth, defaultMinSplit, defaultMinLeaf, rng)
				ft := newFanovaTree(tree, bounds)
				fr := make([]float64, len(columns))
				for p, cols := range columns {
					if ft.variance > 0 {
						fr[p] = ft.marginalVariance(cols) / ft.variance
					} else {
						fr[p] = math.NaN()
					}
				}
				trees[t], fractions[t] = ft, fr
			}
		}()
	}
	for t := range opts.Trees {
		next <- t
	}
	close(next)
	wg.Wait()
	imp := make([]float64, len(columns))
	counted := 0
	for t := range trees {
		if trees[t].variance <= 0 {
			continue
		}
		counted++
		for p := range imp {
			imp[p] += fractions[t][p]
		}
	}
	if counted == 0 {
		return nil, fmt.Errorf("%w: the objective has no variance the forest can explain (%d trials)", ErrNotAssessable, len(y))
	}
	for p := range imp {
		imp[p] /= float64(counted)
	}
	return imp, nil
}

func sortedKeys(m map[string]tuner.Distribution) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// singleValued reports whether d has one possible value, as Optuna's
// BaseDistribution.single() (which, unlike Single, counts a range narrower
// than its step as one value).
func singleValued(d tuner.Distribution) bool {
	switch d := d.(type) {
	case tuner.FloatDist:
		return d.Low == d.High || d.Step > 0 && d.High-d.Low < d.Step
	case tuner.IntDist:
		return d.Low == d.High || (d.High-d.Low)/d.IntStep() < 1
	}
	return tuner.Single(d)
}

// maxAbs returns the largest |v| of vs.
func maxAbs(vs []float64) float64 {
	m := 0.0
	for _, v := range vs {
		m = max(m, math.Abs(v))
	}
	return m
}
