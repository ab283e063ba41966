package validation

import (
	"fmt"

	"github.com/gradtune/gradtune/data"
)

// Classes returns the number of classes of the classification dataset d:
// max label + 1 over ALL of d's labels (column 0 of Y, see Dataset.Labels).
// Size a classifier's output (logits: (batch, Classes(d))) from the full
// data before splitting it, never from a fold or a split part: a part may
// lack the highest class, and a model sized on it could not score the rows
// of that class elsewhere. A label below the maximum that no row has still
// counts (labels are indices into the output, 0 ≤ label < Classes).
//
// Errors: a nil or empty d, a Y with more than one column, or labels that are
// not integers ≥ 0 wrap ErrData (and data.ErrLabel for the latter).
func Classes(d *data.Dataset) (int, error) {
	if d.Len() == 0 {
		return 0, fmt.Errorf("%w: Classes of an empty Dataset", ErrData)
	}
	if t := d.Targets(); t != 1 {
		return 0, fmt.Errorf("%w: Y has %d columns, want 1 (a class label per row)", ErrData, t)
	}
	labels, err := d.Labels()
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrData, err)
	}
	top := 0
	for _, l := range labels {
		top = max(top, l)
	}
	return top + 1, nil
}
