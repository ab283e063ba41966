package diagnose

import (
	"fmt"
	"math"
)

// PreflightOptions tunes Preflight. The zero value of every field means
// its default.
type PreflightOptions struct {
	// Seed seeds the sample of training rows the model checks use.
	Seed uint64
	// InitRows: rows on which the initial loss is measured; ≥ 1, 0 → 1000
	// (all rows if fewer). InitLossRatio: an initial loss above
	// InitLossRatio × the loss of all-zero logits is a bad initialization;
	// > 1, 0 → 1.5.
	InitRows      int
	InitLossRatio float64
	// OverfitRows, OverfitSteps, OverfitRatio: train OverfitSteps steps on
	// one batch of OverfitRows rows; the model fails the check if its loss
	// on that batch keeps more than OverfitRatio of the reducible loss
	// (initial − floor). OverfitRows ≥ 1, 0 → 16; OverfitSteps ≥ 1, 0 →
	// 100; OverfitRatio in (0, 1), 0 → 0.1.
	OverfitRows, OverfitSteps int
	OverfitRatio              float64
	// GradRows: rows of the batch on which every parameter must get a
	// non-zero gradient; ≥ 1, 0 → 32.
	GradRows int
	// MaxAbs, OffsetRatio, SpreadRatio: the feature-scale thresholds (see
	// Preflight). MaxAbs > 0, 0 → 1e3; OffsetRatio > 0, 0 → 10;
	// SpreadRatio > 1, 0 → 100.
	MaxAbs, OffsetRatio, SpreadRatio float64
	// FeatureNames name X's columns in diagnoses; nil → "column j"
	// (0-based). If set, one name per column.
	FeatureNames []string
}

func (o PreflightOptions) resolved(features int) (PreflightOptions, error) {
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defInt(&o.InitRows, 1000)
	defInt(&o.OverfitRows, 16)
	defInt(&o.OverfitSteps, 100)
	defInt(&o.GradRows, 32)
	def(&o.InitLossRatio, 1.5)
	def(&o.OverfitRatio, 0.1)
	def(&o.MaxAbs, 1e3)
	def(&o.OffsetRatio, 10)
	def(&o.SpreadRatio, 100)
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case o.InitRows < 1:
		return o, fmt.Errorf("%w: InitRows = %d, want ≥ 1 (0 = 1000)", ErrConfig, o.InitRows)
	case o.OverfitRows < 1:
		return o, fmt.Errorf("%w: OverfitRows = %d, want ≥ 1 (0 = 16)", ErrConfig, o.OverfitRows)
	case o.OverfitSteps < 1:
		return o, fmt.Errorf("%w: OverfitSteps = %d, want ≥ 1 (0 = 100)", ErrConfig, o.OverfitSteps)
	case o.GradRows < 1:
		return o, fmt.Errorf("%w: GradRows = %d, want ≥ 1 (0 = 32)", ErrConfig, o.GradRows)
	case !(o.InitLossRatio > 1) || bad(o.InitLossRatio):
		return o, fmt.Errorf("%w: InitLossRatio = %v, want a finite value > 1 (0 = 1.5)", ErrConfig, o.InitLossRatio)
	case !(o.OverfitRatio > 0 && o.OverfitRatio < 1):
		return o, fmt.Errorf("%w: OverfitRatio = %v, want 0 < ratio < 1 (0 = 0.1)", ErrConfig, o.OverfitRatio)
	case !(o.MaxAbs > 0) || bad(o.MaxAbs):
		return o, fmt.Errorf("%w: MaxAbs = %v, want a finite value > 0 (0 = 1e3)", ErrConfig, o.MaxAbs)
	case !(o.OffsetRatio > 0) || bad(o.OffsetRatio):
		return o, fmt.Errorf("%w: OffsetRatio = %v, want a finite value > 0 (0 = 10)", ErrConfig, o.OffsetRatio)
	case !(o.SpreadRatio > 1) || bad(o.SpreadRatio):
		return o, fmt.Errorf("%w: SpreadRatio = %v, want a finite value > 1 (0 = 100)", ErrConfig, o.SpreadRatio)
	case o.FeatureNames != nil && len(o.FeatureNames) != features:
		return o, fmt.Errorf("%w: FeatureNames has %d names, want one per feature (%d)", ErrConfig, len(o.FeatureNames), features)
	}
	return o, nil
}
