package diagnose

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"strings"

	"github.com/gradtune/gradtune/data"
)

// rowsOf returns X's rows as float64 (one dataset's worth of memory, once).
func rowsOf(ds *data.Dataset) (get func(i int) []float64, n, f int) {
	n, f = ds.Len(), ds.Features()
	buf := make([]float64, f)
	switch d := ds.X.Data().(type) {
	case []float64:
		return func(i int) []float64 { return d[i*f : (i+1)*f] }, n, f
	case []float32:
		return func(i int) []float64 {
			for j, v := range d[i*f : (i+1)*f] {
				buf[j] = float64(v)
			}
			return buf
		}, n, f
	}
	return func(int) []float64 { return nil }, 0, f
}

// rowHash hashes a row's values; −0 and +0 hash alike, as they compare.
func rowHash(r []float64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, v := range r {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v+0))
		h.Write(b[:])
	}
	return h.Sum64()
}

func equalRows(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkLeakage counts the validation rows whose features equal a training
// row's, value for value (hashed, then compared).
func checkLeakage(train, val *data.Dataset) []Diagnosis {
	if val.Len() == 0 {
		return nil
	}
	tget, tn, _ := rowsOf(train)
	byHash := make(map[uint64][]int, tn)
	for i := 0; i < tn; i++ {
		k := rowHash(tget(i))
		byHash[k] = append(byHash[k], i)
	}
	vget, vn, _ := rowsOf(val)
	var shared []string
	count, firstVal, firstTrain := 0, -1, -1
	for i := 0; i < vn; i++ {
		r := vget(i)
		for _, j := range byHash[rowHash(r)] {
			if equalRows(r, tget(j)) {
				if count == 0 {
					firstVal, firstTrain = i, j
				}
				count++
				shared = append(shared, fmt.Sprint(i))
				break
			}
		}
	}
	if count == 0 {
		return nil
	}
	frac := float64(count) / float64(vn)
	return []Diagnosis{{Kind: Leakage, Severity: Warning, Where: "validation rows " + list(shared, 10) + " (0-based)",
		Evidence: fmt.Sprintf("%d of %d validation rows (%s) have features identical to a training row (validation row %d = training row %d)",
			count, vn, pct(frac), firstVal, firstTrain),
		Cause: "the same samples are in both sets (duplicates in the source data, or a split done after augmentation or oversampling), so the validation loss rewards memorization and overstates how well the model generalizes",
		Fix:   "remove duplicate rows before splitting (or drop these rows from the validation set), and split before any augmentation or oversampling",
		Measures: map[string]float64{"shared_rows": float64(count), "val_rows": float64(vn), "fraction": frac,
			"first_val_row": float64(firstVal), "first_train_row": float64(firstTrain)}}}
}

// colStats are one column's statistics, in float64.
type colStats struct {
	mean, std, maxAbs float64
	nonZero           int
}

func columnStats(ds *data.Dataset) []colStats {
	get, n, f := rowsOf(ds)
	st := make([]colStats, f)
	for i := 0; i < n; i++ {
		for j, v := range get(i) {
			st[j].mean += v
			st[j].maxAbs = math.Max(st[j].maxAbs, math.Abs(v))
			if v != 0 {
				st[j].nonZero++
			}
		}
	}
	for j := range st {
		st[j].mean /= float64(n)
	}
	for i := 0; i < n; i++ { // second pass: no cancellation in the variance
		for j, v := range get(i) {
			d := v - st[j].mean
			st[j].std += d * d
		}
	}
	for j := range st {
		st[j].std = math.Sqrt(st[j].std / float64(n))
	}
	return st
}

// checkScale applies the feature-scale rules of Preflight to train's
// columns.
func checkScale(train *data.Dataset, o PreflightOptions) []Diagnosis {
	st := columnStats(train)
	n := train.Len()
	name := func(j int) string {
		if o.FeatureNames != nil {
			return o.FeatureNames[j]
		}
		return fmt.Sprintf("column %d", j)
	}
	ref := -1 // the dense column with the smallest deviation
	for j, s := range st {
		if s.std > 0 && 2*s.nonZero >= n && (ref < 0 || s.std < st[ref].std) {
			ref = j
		}
	}
	var names, ev []string
	ms := map[string]float64{}
	for j, s := range st {
		if s.std == 0 {
			continue // constant: no scale to fix (and nothing to learn from)
		}
		var why []string
		if s.maxAbs > o.MaxAbs {
			why = append(why, fmt.Sprintf("values up to ±%s (limit %s)", num(s.maxAbs), num(o.MaxAbs)))
		}
		if math.Abs(s.mean) > o.OffsetRatio*s.std {
			why = append(why, fmt.Sprintf("mean %s is %s standard deviations (%s) from 0 (limit %s)", num(s.mean), num(math.Abs(s.mean)/s.std), num(s.std), num(o.OffsetRatio)))
		}
		if ref >= 0 && 2*s.nonZero >= n && s.std > o.SpreadRatio*st[ref].std {
			why = append(why, fmt.Sprintf("standard deviation %s is %s× that of %s (%s; limit %s×)", num(s.std), num(s.std/st[ref].std), name(ref), num(st[ref].std), num(o.SpreadRatio)))
		}
		if len(why) == 0 {
			continue
		}
		names = append(names, name(j))
		ev = append(ev, name(j)+": "+strings.Join(why, ", "))
		ms[name(j)+".mean"], ms[name(j)+".std"], ms[name(j)+".max_abs"] = s.mean, s.std, s.maxAbs
	}
	if len(names) == 0 {
		return nil
	}
	ms["columns"] = float64(len(names))
	if len(ev) > 6 {
		ev = append(ev[:6], fmt.Sprintf("and %d more", len(ev)-6))
	}
	return []Diagnosis{{Kind: Unscaled, Severity: Warning, Where: list(names, 10),
		Evidence: strings.Join(ev, "; "),
		Cause:    "features on very different or very large scales make the loss surface badly conditioned: one rate is too large for some weights and too small for others, and large inputs saturate activations",
		Fix:      "standardize each feature, x' = (x − mean) / std, with the mean and std computed on the training set only and applied unchanged to validation, test and new data",
		Measures: ms}}
}
