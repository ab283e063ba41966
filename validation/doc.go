// Package validation holds model-selection utilities after scikit-learn's
// sklearn.model_selection and sklearn.preprocessing.StandardScaler: K-fold and
// stratified K-fold cross-validation indices ([KFold], [StratifiedKFold]),
// stratified hold-out splits ([StratifiedSplit], [TrainValTestSplit]), a
// feature [Standardizer] fit on training rows only, and [CrossValidate],
// which runs a fit-and-score function once per fold.
//
// Indices refer to rows of a [data.Dataset]; build the parts with
// Dataset.Subset. Fold indices come sorted in ascending order, as
// scikit-learn returns them, with or without shuffling.
//
// Leakage rules this package enforces: a [Standardizer] is fit on the
// training part of each fold only (CrossValidate with CVOptions.Standardize),
// and the number of classes a model outputs must come from the full data
// ([Classes]), never from a fold, which may lack a class.
//
// Randomness: shuffles are driven by rand.PCG seeded with the caller's seed
// through data.Shuffle, so the same seed gives the same result on every
// platform and Go release. The numbers differ from scikit-learn's for the
// same random_state (NumPy's Mersenne Twister); what does not depend on the
// generator — fold sizes, per-fold class counts, per-class split sizes — is
// equal to scikit-learn 1.2's (tested against testdata/sklearn/validation.json,
// written by testdata/sklearn/gen_validation.py).
//
// Every error wraps one of [ErrConfig], [ErrData] or [ErrFold], matched with
// errors.Is, except CrossValidate's stop on a canceled context, which wraps
// ctx.Err().
package validation
