package storagetest

import (
	"math"
	"reflect"
	"slices"

	"github.com/gradtune/gradtune/tuner"
)

// SameRecord reports whether a and b are the same record of a trial:
// everything a Storage keeps of it but ID, Start and Complete, which differ
// between storages. Floats (values, constraints, internal values,
// intermediate values) compare bit for bit, −0 apart from +0, every NaN
// equal to every NaN, a nil slice equal to an empty one; distributions
// compare with tuner.Equal. A backend's own tests use it to check that a
// trial comes back as it was stored (after a reopen, a crash).
func SameRecord(a, b tuner.FrozenTrial) bool {
	return a.Number == b.Number && a.State == b.State && sameFloat(a.Value, b.Value) &&
		slices.EqualFunc(a.Values, b.Values, sameFloat) && slices.EqualFunc(a.Constraints, b.Constraints, sameFloat) &&
		reflect.DeepEqual(a.Params, b.Params) && sameFloats(a.Internal, b.Internal) &&
		sameDists(a.Distributions, b.Distributions) && sameFloats(a.Intermediate, b.Intermediate) &&
		reflect.DeepEqual(a.Attrs, b.Attrs) && a.FailKind == b.FailKind && a.FailReason == b.FailReason
}

// sameFloat is bit equality, with every NaN equal to every NaN.
func sameFloat(a, b float64) bool {
	return math.IsNaN(a) && math.IsNaN(b) || math.Float64bits(a) == math.Float64bits(b)
}

func sameFloats[K comparable](a, b map[K]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		if y, ok := b[k]; !ok || !sameFloat(x, y) {
			return false
		}
	}
	return true
}

func sameDists(a, b map[string]tuner.Distribution) bool {
	if len(a) != len(b) {
		return false
	}
	for k, d := range a {
		if e, ok := b[k]; !ok || !tuner.Equal(d, e) {
			return false
		}
	}
	return true
}
