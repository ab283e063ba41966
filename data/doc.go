// Package data holds supervised datasets in memory and loads them from CSV
// tables and from the MNIST files in IDX format. It reads files you name and
// downloads nothing: package datasets fetches public data sets.
//
// A [Dataset] is a pair of row-major *tensor.Dense matrices: X of shape
// (n, features) and Y of shape (n, targets), both of dtype tensor.Float32 or
// tensor.Float64, with n ≥ 1 and every value finite. For classification Y has
// one column holding the integer class labels as floats ([FromLabels],
// [Dataset.Labels]).
//
// Every error this package returns wraps one of its sentinel errors (ErrEmpty,
// ErrShape, ErrNonFinite, ErrDtype, ErrIndex, ErrLabel, ErrSplit, ErrParse,
// ErrFormat), matched with errors.Is; file errors also wrap the
// underlying *fs.PathError. Positions in errors are 0-based rows and columns
// for in-memory data, and 1-based lines and columns for CSV text.
//
// Configuration structs ([CSVConfig], [MNISTConfig]) use their zero value as
// the default, except MNISTConfig.Dir, which must name a folder.
package data
