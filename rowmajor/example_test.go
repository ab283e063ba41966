package rowmajor_test

import (
	"errors"
	"fmt"

	"github.com/gradtune/gradtune/rowmajor"
)

// Two rows of three outputs, stored row by row; a Data length that
// disagrees with Rows × Cols is an error, never a silent truncation.
func ExampleMatrix() {
	out := rowmajor.Matrix{Rows: 2, Cols: 3, Data: []float64{
		0.1, 0.7, 0.2,
		2.0, 0.5, 0.3,
	}}
	if err := out.Validate(); err != nil {
		fmt.Println(err)
	}
	fmt.Println(out.Row(1))

	bad := rowmajor.Matrix{Rows: 3, Cols: 3, Data: out.Data}
	err := bad.Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, rowmajor.ErrShape))
	// Output:
	// [2 0.5 0.3]
	// rowmajor: invalid matrix: 6 values for 3 rows × 3 columns, want 9
	// true
}
