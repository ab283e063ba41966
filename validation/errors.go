package validation

import "errors"

// Sentinel errors. Every error this package returns wraps one of them, with
// the field or value at fault in its message.
var (
	// ErrConfig: a setting out of range (K, a fraction, a nil callback), or
	// one that the data cannot satisfy (K above the number of rows, a test
	// part smaller than the number of classes).
	ErrConfig = errors.New("validation: invalid configuration")
	// ErrData: unusable input: a nil or empty dataset, labels that are not
	// class indices, classes too small to stratify, folds whose indices are
	// out of range or overlap, a feature count that differs from the fit.
	ErrData = errors.New("validation: invalid data")
	// ErrFold: the fit function of CrossValidate failed (or panicked) on a
	// fold; the error names the fold and wraps the cause too.
	ErrFold = errors.New("validation: fold failed")
)
