package rowmajor

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		m    Matrix
		want []string // substrings of the error; nil for a valid matrix
	}{
		{"zero value", Matrix{}, nil},
		{"2x3", Matrix{Rows: 2, Cols: 3, Data: make([]float64, 6)}, nil},
		{"no rows", Matrix{Rows: 0, Cols: 4}, nil},
		{"short data", Matrix{Rows: 2, Cols: 3, Data: make([]float64, 5)}, []string{"5 values", "2 rows × 3 columns", "want 6"}},
		{"long data", Matrix{Rows: 2, Cols: 3, Data: make([]float64, 7)}, []string{"7 values", "want 6"}},
		{"nil data", Matrix{Rows: 1, Cols: 1}, []string{"0 values", "want 1"}},
		{"negative rows", Matrix{Rows: -1, Cols: 2}, []string{"-1 rows", "want sizes ≥ 0"}},
		{"negative cols", Matrix{Rows: 1, Cols: -2, Data: make([]float64, 2)}, []string{"-2 columns"}},
		{"overflow", Matrix{Rows: math.MaxInt/2 + 1, Cols: 2}, []string{"overflows"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.m.Validate()
			if c.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrShape) {
				t.Fatalf("Validate() = %v, want an error wrapping ErrShape", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to say %q", err, w)
				}
			}
		})
	}
}

func TestRow(t *testing.T) {
	m := Matrix{Rows: 2, Cols: 2, Data: []float64{1, 2, 3, 4}}
	r := m.Row(0)
	if len(r) != 2 || r[0] != 1 || r[1] != 2 {
		t.Fatalf("Row(0) = %v, want [1 2]", r)
	}
	if grown := append(r, 9); m.Data[2] != 3 || grown[2] != 9 {
		t.Errorf("appending to Row(0) overwrote row 1: Data = %v", m.Data)
	}
	if r := m.Row(1); r[0] != 3 || r[1] != 4 {
		t.Errorf("Row(1) = %v, want [3 4]", r)
	}
}

// Where slicing would panic Row returns nil: a row outside [0, Rows), or
// one that Data is too short to hold (sizes whose product overflows
// included). Rows that Data holds are still returned.
func TestRowOutOfRangeIsNil(t *testing.T) {
	valid := Matrix{Rows: 2, Cols: 2, Data: []float64{1, 2, 3, 4}}
	short := Matrix{Rows: 2, Cols: 2, Data: []float64{1, 2, 3}}
	overflow := Matrix{Rows: math.MaxInt, Cols: 2, Data: []float64{1, 2}}
	for _, c := range []struct {
		name string
		m    Matrix
		i    int
	}{
		{"row -1", valid, -1},
		{"row Rows", valid, 2},
		{"row 1<<40", valid, 1 << 40},
		{"row MaxInt", valid, math.MaxInt},
		{"row beyond short Data", short, 1},
		{"row beyond Data of overflowing sizes", overflow, 1},
		{"row 1<<62 of overflowing sizes", overflow, 1 << 62},
		{"negative Cols", Matrix{Rows: 2, Cols: -1, Data: []float64{1}}, 1},
		{"zero Matrix", Matrix{}, 0},
	} {
		var r []float64
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s: Row(%d) panicked: %v", c.name, c.i, p)
				}
			}()
			r = c.m.Row(c.i)
		}()
		if r != nil {
			t.Errorf("%s: Row(%d) = %v, want nil", c.name, c.i, r)
		}
	}
	if r := short.Row(0); len(r) != 2 || r[0] != 1 || r[1] != 2 {
		t.Errorf("Row(0) of a short Matrix = %v, want [1 2]", r)
	}
	if r := overflow.Row(0); len(r) != 2 || r[1] != 2 {
		t.Errorf("Row(0) of overflowing sizes = %v, want [1 2]", r)
	}
	if r := (Matrix{Rows: 3, Cols: 0}).Row(2); len(r) != 0 {
		t.Errorf("Row(2) of a (3, 0) Matrix = %v, want empty", r)
	}
}
