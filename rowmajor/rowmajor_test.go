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
