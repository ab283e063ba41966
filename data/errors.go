package data

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them with
// context (which tensor, row, column, line or file), so match them with
// errors.Is.
var (
	// ErrEmpty: a dataset, table or index list with no rows.
	ErrEmpty = errors.New("data: empty dataset")
	// ErrShape: tensors that are not 2-D, row counts that differ, ragged rows,
	// columns out of range, or image and label counts that differ.
	ErrShape = errors.New("data: shape mismatch")
	// ErrNonFinite: a NaN or ±Inf value.
	ErrNonFinite = errors.New("data: non-finite value")
	// ErrDtype: a dtype other than tensor.Float32 or tensor.Float64, or X and
	// Y of different dtypes.
	ErrDtype = errors.New("data: unsupported dtype")
	// ErrIndex: a row index out of range.
	ErrIndex = errors.New("data: index out of range")
	// ErrLabel: a class label that is negative or not an integer.
	ErrLabel = errors.New("data: invalid class label")
	// ErrSplit: a split fraction out of range, or one that leaves a part empty.
	ErrSplit = errors.New("data: invalid split")
	// ErrParse: a CSV cell that is not a number, or malformed CSV.
	ErrParse = errors.New("data: parse error")
	// ErrFormat: malformed IDX data (wrong magic number, truncated, bad gzip).
	ErrFormat = errors.New("data: malformed IDX data")
	// ErrLimit: an input larger than a reader's documented cap
	// (IDXLimits.MaxBytes, CSVConfig.MaxRows, CSVConfig.MaxColumns), or a
	// negative cap.
	ErrLimit = errors.New("data: size limit exceeded")
)
