package validation

import (
	"context"
	"fmt"

	"github.com/gradtune/gradtune/data"
	"github.com/gradtune/gradtune/internal/gerr"
)

// CVOptions configures CrossValidate. The zero value hands the folds' rows to
// fit unchanged.
type CVOptions struct {
	// Standardize fits a Standardizer on each fold's training rows only and
	// hands fit both parts transformed by it (scikit-learn's
	// make_pipeline(StandardScaler(), model) under cross_val_score): the
	// validation rows never influence the statistics.
	Standardize bool
}

// CrossValidate runs fit once per fold, in order, on copies of d's rows
// (train = d.Subset(fold.Train), val = d.Subset(fold.Val)), and summarizes the
// scores fit returns (see [Score]: Mean and the population Std). It is
// scikit-learn's cross_val_score with the model and the scorer folded into
// fit; fold is the 0-based fold number.
//
// fit gets fresh datasets it may keep or modify. Build the model inside fit,
// sized from the full data (see [Classes]), so no state crosses folds; or,
// to build its graphs once rather than once a fold, make the model and
// trainer on the first fold and start each later one with
// model.Model.Reinit(seed) and trainer.Trainer.Reset(), which leave them
// as New would (internal/iristune, the demo's objective, does).
//
// It stops at the first failure: an error returned by fit, or a panic inside
// it (recovered as a *panics.Error with its stack, of kind panics.ErrUser,
// or panics.ErrGorgonia when Gorgonia itself raised it inside fit),
// wraps ErrFold, names the fold and wraps the cause; ctx
// canceled before a fold starts returns an error that wraps ctx.Err()
// (errors.Is(err, context.Canceled)) and names the fold; ctx is passed to
// fit, which should stop when it is done. On error the Score is zero.
//
// Errors before any fit runs: a nil ctx or fit, or no folds, wraps ErrConfig;
// a nil or empty d, or a fold with an empty part, an index outside
// [0, d.Len()) or a row in both its parts, wraps ErrData and names the fold.
func CrossValidate(ctx context.Context, d *data.Dataset, folds []Fold,
	fit func(ctx context.Context, fold int, train, val *data.Dataset) (float64, error),
	opts CVOptions) (Score, error) {
	switch {
	case ctx == nil:
		return Score{}, fmt.Errorf("%w: ctx is nil (use context.Background())", ErrConfig)
	case fit == nil:
		return Score{}, fmt.Errorf("%w: fit is nil", ErrConfig)
	case len(folds) == 0:
		return Score{}, fmt.Errorf("%w: no folds (use KFold or StratifiedKFold)", ErrConfig)
	case d.Len() == 0:
		return Score{}, fmt.Errorf("%w: CrossValidate on an empty Dataset", ErrData)
	}
	if err := crossValidateCheckFolds(folds, d.Len()); err != nil {
		return Score{}, err
	}
	scores := make([]float64, len(folds))
	for f, fold := range folds {
		if err := ctx.Err(); err != nil {
			return Score{}, fmt.Errorf("validation: cross-validation stopped before fold %d of %d: %w", f+1, len(folds), err)
		}
		train, val, err := crossValidateParts(d, fold, opts)
		if err != nil {
			return Score{}, fmt.Errorf("fold %d of %d: %w", f+1, len(folds), err)
		}
		var score float64
		// fit is the caller's own code: a panic it raises is theirs, not
		// Gorgonia's (the trainer recovers Gorgonia's inside Fit).
		err = gerr.User(fmt.Sprintf("fit on fold %d", f+1), func() error {
			var err error
			score, err = fit(ctx, f, train, val)
			return err
		})
		if err != nil {
			return Score{}, fmt.Errorf("%w: fold %d of %d: %w", ErrFold, f+1, len(folds), err)
		}
		scores[f] = score
	}
	return newScore(scores), nil
}

// crossValidateParts copies the fold's rows out of d and, when asked,
// standardizes both with statistics of the training rows alone.
func crossValidateParts(d *data.Dataset, fold Fold, opts CVOptions) (train, val *data.Dataset, err error) {
	if train, err = d.Subset(fold.Train); err != nil {
		return nil, nil, fmt.Errorf("%w: train: %w", ErrData, err)
	}
	if val, err = d.Subset(fold.Val); err != nil {
		return nil, nil, fmt.Errorf("%w: val: %w", ErrData, err)
	}
	if !opts.Standardize {
		return train, val, nil
	}
	s, err := Fit(train)
	if err != nil {
		return nil, nil, err
	}
	if train, err = s.Transform(train); err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	if val, err = s.Transform(val); err != nil {
		return nil, nil, fmt.Errorf("val: %w", err)
	}
	return train, val, nil
}

// crossValidateCheckFolds checks every fold before any training: non-empty
// parts, indices in [0, n), and no row in both parts (that would score the
// model on rows it trained on).
func crossValidateCheckFolds(folds []Fold, n int) error {
	inTrain := make([]int, n) // fold number + 1 of the last fold that trains on the row
	for f, fold := range folds {
		if len(fold.Train) == 0 || len(fold.Val) == 0 {
			return fmt.Errorf("%w: folds[%d] has %d training and %d validation rows, want ≥ 1 each",
				ErrData, f, len(fold.Train), len(fold.Val))
		}
		for p, i := range fold.Train {
			if i < 0 || i >= n {
				return fmt.Errorf("%w: folds[%d]: Train[%d] = %d, want 0 ≤ index < %d", ErrData, f, p, i, n)
			}
			inTrain[i] = f + 1
		}
		for p, i := range fold.Val {
			if i < 0 || i >= n {
				return fmt.Errorf("%w: folds[%d]: Val[%d] = %d, want 0 ≤ index < %d", ErrData, f, p, i, n)
			}
			if inTrain[i] == f+1 {
				return fmt.Errorf("%w: folds[%d]: row %d is in both Train and Val", ErrData, f, i)
			}
		}
	}
	return nil
}
